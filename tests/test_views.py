"""The visibility step (access/views.py) on the real bundled layers, without Streamlit: what a
planner, the public and the ministry get of layers, scenarios and unit tables. Expected
figures are recounted from the raw data files."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from access import views
from access.roles import PUBLIC, User
from geo.layers import load_layers
from planning.scenario import Scenario

DATA = Path(__file__).resolve().parents[1] / "data" / "facilities"
PLANNER = User("aigerim", "planner", ("KZ-10",))
PLANNER2 = User("bolat", "planner", ("KZ-63", "KZ-75"))
MINISTRY = User("dana", "ministry")


@pytest.fixture(scope="module")
def kz():
    return load_layers("KZ")


def _raw(name: str) -> list[dict]:
    return [f["properties"] for f in json.loads((DATA / f"{name}.geojson").read_text())[
        "features"] if f["properties"]["country"] == "KZ"]


@pytest.mark.parametrize("user", [PLANNER, PLANNER2])
def test_planner_sees_only_assigned_units_in_every_layer(kz, user):
    seen = views.visible(user, kz)
    assert set(seen.boundaries["code"]) == set(user.units)
    for name in ("institutions", "centres", "foster"):
        expected = Counter(p["unit_code"] for p in _raw(name) if p["unit_code"] in user.units)
        assert Counter(getattr(seen, name)["unit_code"]) == expected, name
    assert set(seen.settlements["unit_code"]) <= set(user.units)
    assert len(seen.settlements) == int(kz.settlements["unit_code"].isin(user.units).sum()) > 0
    # exact foster points for the planner's own units (they may view exact points)
    assert len(seen.foster) == sum(p["unit_code"] in user.units for p in _raw("foster"))


def test_public_gets_foster_care_per_unit_never_at_a_record_location(kz):
    seen = views.visible(PUBLIC, kz)
    raw = _raw("foster")
    totals = Counter()
    for p in raw:
        totals[p["unit_code"]] += p["foster_families"]
    assert dict(zip(seen.foster["unit_code"], seen.foster["foster_families"])) == dict(totals)
    assert seen.foster["unit_code"].is_unique
    record_points = {(round(g.x, 6), round(g.y, 6)) for g in kz.foster.geometry}
    assert not {(round(g.x, 6), round(g.y, 6)) for g in seen.foster.geometry} & record_points
    assert "settlement_id" not in seen.foster.columns
    # public point layers are untouched
    assert len(seen.centres) == len(kz.centres) and len(seen.settlements) == len(kz.settlements)


def test_ministry_sees_everything(kz):
    seen = views.visible(MINISTRY, kz)
    for name in ("boundaries", "settlements", "institutions", "centres", "foster"):
        assert len(getattr(seen, name)) == len(getattr(kz, name))


def test_rows_without_a_unit_are_hidden_from_planners():
    frame = pd.DataFrame({"unit_code": ["KZ-10", None, "KZ-75", float("nan")], "v": [1, 2, 3, 4]})
    assert list(views.visible_frame(PLANNER, frame)["v"]) == [1]
    assert views.visible_frame(PLANNER, frame.drop(columns="unit_code")).empty
    assert len(views.visible_frame(MINISTRY, frame)) == 4


def test_scenario_units_for_each_role():
    assert views.scenario_units(PLANNER, []) == ["KZ-10"]
    assert views.scenario_units(PLANNER, ["KZ-10"]) == ["KZ-10"]
    with pytest.raises(views.NotPermitted, match="KZ-75"):
        views.scenario_units(PLANNER, ["KZ-10", "KZ-75"])
    assert views.scenario_units(MINISTRY, []) == []
    with pytest.raises(views.NotPermitted):
        views.scenario_units(PUBLIC, [])


def _toml(units: list[str], country: str = "KZ") -> str:
    s = Scenario.default(country)
    s.region.units = units
    return s.to_toml()


def test_saved_scenarios_listed_by_scope():
    saved = pd.DataFrame({"name": ["national", "kz75", "kz10", "mixed", "broken", "kg"]})
    tomls = [_toml([]), _toml(["KZ-75"]), _toml(["KZ-10"]), _toml(["KZ-10", "KZ-75"]),
             "x = [", _toml([], "KG")]
    assert list(views.visible_scenarios(PLANNER, saved, tomls)["name"]) == ["kz10"]
    assert list(views.visible_scenarios(PLANNER2, saved, tomls)["name"]) == ["kz75"]
    assert list(views.visible_scenarios(MINISTRY, saved, tomls)["name"]) == list(saved["name"])
    assert views.visible_scenarios(PUBLIC, saved, tomls).empty


def test_public_unit_table_hides_rates_and_complements_with_their_counts():
    ind = pd.DataFrame({
        "code": ["A", "B", "C"], "unit_name": ["a", "b", "c"], "children": [20000, 30000, 400],
        "settlements": [10, 12, 3], "institutions": [1, 2, 0],
        "children_in_institutions": [3, 40, 0], "foster_families": [12, 2, 0],
        "centres": [1, 2, 0], "children_covered": [19998, 25000, 400],
        "institution_rate": [1.5, 13.3333, 0.0], "foster_rate": [6.0, 0.6667, 0.0],
        "coverage_share": [99.99, 83.3333, 100.0], "children_per_centre": [20000.0, 15000.0,
                                                                           float("nan")]})
    gaps = pd.DataFrame({"code": ["A", "B", "C"], "unit_name": ["a", "b", "c"],
                         "uncovered_settlements": [1, 3, 0], "uncovered_children": [2, 5000, 0],
                         "children": [20000, 30000, 400]})
    shown = views.public_units(PUBLIC, ind, gaps).set_index("code")
    assert shown.loc["A", "children_in_institutions"] == "<5"
    assert shown.loc["A", "institution_rate"] == "<5"
    assert shown.loc["B", "foster_families"] == "<5" and shown.loc["B", "foster_rate"] == "<5"
    # A's 2 uncovered children: covered count and share go with them
    assert shown.loc["A", "children_covered"] == "<5" and shown.loc["A", "coverage_share"] == "<5"
    assert shown.loc["B", "institution_rate"] == 13.3 and shown.loc["B", "foster_families"] == "<5"
    # the gap table's complement ("x", withheld so the total cannot be differenced) also
    # hides B's covered count: otherwise children - covered would give it back
    gap_shown = views.public_gaps(PUBLIC, gaps).set_index("code")
    assert gap_shown.loc["B", "uncovered_children"] == "x"
    assert shown.loc["B", "children_covered"] == "x"
    assert "uncovered_children" not in shown.columns
    staff = views.public_units(MINISTRY, ind, gaps)
    assert staff["foster_rate"].tolist() == ind["foster_rate"].tolist()
