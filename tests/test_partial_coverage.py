"""Partly covered settlements on the result map: the default national plan and a
capacity-tight one on the real data, classes recounted from the children served."""

from __future__ import annotations

import html

import folium
import numpy as np
import pandas as pd
import pytest

from geo.layers import load_boundaries
from planning.results import coverage_class
from planning.scenario import Scenario
from planning.solve import run_scenario
from ui import maps
from ui.i18n import t
from ui.viewmodels import localise_units


def _plan(children_per_worker: int | None = None):
    scenario = Scenario.default("KZ")
    if children_per_worker is not None:
        scenario.capacity.children_per_worker = children_per_worker
    return run_scenario(scenario)


@pytest.fixture(scope="module", params=[None, 1500], ids=["default", "tight_capacity"])
def plan(request):
    return _plan(request.param)


def _layers(m: folium.Map) -> dict[str, folium.GeoJson]:
    return {child.layer_name: child for child in m._children.values()
            if isinstance(child, folium.GeoJson)}


def test_classes_follow_the_children_served(plan):
    sett = plan.settlements
    with_children = sett[sett["children"] > 0]
    served = with_children["children_covered"] / with_children["children"]  # independent
    expected = np.where(served >= 1 - 1e-3, "full", np.where(served > 1e-3, "partial", "none"))
    assert (with_children["coverage"].to_numpy() == expected).all()
    assert (sett["coverage"] == "partial").sum() > 0  # capacity limits serve some only in part
    assert list(coverage_class(pd.Series([1.0, 0.999, 0.5, 1e-9, np.nan]))) == \
        ["full", "partial", "partial", "none", "none"]


def test_partly_covered_settlements_have_their_own_layer_legend_and_share(plan):
    units = localise_units(load_boundaries("KZ"), "en")
    m = maps.result_map(units, plan.sites, plan.settlements, "en")
    layers = _layers(m)
    sett = plan.settlements
    partial = sett[sett["coverage"] == "partial"]
    features = layers[t("layer_partial", "en")].data["features"]
    assert len(features) == len(partial)
    assert len(layers[t("layer_uncovered", "en")].data["features"]) == \
        int((sett["coverage"] == "none").sum())
    props = [{k: html.unescape(v) if isinstance(v, str) else v  # text is HTML-escaped
              for k, v in f["properties"].items()} for f in features]
    expected = sorted(f"{min(max(round(share * 10) * 10, 10), 90)}%"
                      for share in partial["covered_share"])
    assert sorted(p["share_text"] for p in props) == expected
    for p in props:
        for key in ("served_text", "unserved_text"):
            assert p[key] == "<5" or int(p[key].replace(",", "")) == 0 \
                or int(p[key].replace(",", "")) >= 5
    page = m.get_root().render()
    assert t("layer_partial", "en") in page and maps.PARTIAL_COLOUR in page
    assert t("col_share_covered", "en") in page


def test_small_counts_of_a_partly_covered_settlement_read_less_than_five():
    frame = pd.DataFrame({"children": [6, 8, 4000]})
    texts = maps.partial_texts(frame, pd.Series([0.5, 0.01, 0.456]))
    assert texts["share_text"] == ["50%", "10%", "50%"]  # 1% is shown as 10%: never "none"
    assert texts["served_text"] == ["<5", "0", "1,824"]
    assert texts["unserved_text"] == ["<5", "8", "2,176"]


def test_russian_and_kazakh_labels_of_the_partial_layer():
    for lang in ("ru", "kk"):
        for key in ("layer_partial", "col_share_covered", "col_children_unserved"):
            assert t(key, lang) != t(key, "en")


def test_the_legend_lists_only_the_settlement_classes_on_the_map(plan):
    """A plan with no partly covered settlement (the real plan's settlements, those served
    in part dropped) draws no such layer, and its legend does not list one (the tour saw
    "Partly covered settlements" in the legend of a plan that had none); with them, both."""
    units = localise_units(load_boundaries("KZ"), "en")
    label = t("layer_partial", "en")

    def legend(settlements) -> str:
        m = maps.result_map(units, plan.sites, settlements, "en")
        legends = [c for c in m._children.values() if isinstance(c, maps.Legend)]
        assert len(legends) == 1
        return legends[0].html

    sett = plan.settlements
    whole = sett[sett["coverage"] != "partial"]
    assert label not in legend(whole) and label not in _layers(
        maps.result_map(units, plan.sites, whole, "en"))
    assert label in legend(sett) and t("layer_uncovered", "en") in legend(sett)
