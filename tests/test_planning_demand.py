"""Planning weighted by expected referrals (the gatekeeping link): weights recomputed from the
raw care series, recorded in summary.json, and the plan moves towards high-inflow units."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.layers import load_layers
from planning.instance import build_instance
from planning.scenario import Scenario
from planning.solve import run_scenario

ROOT = Path(__file__).resolve().parent.parent
UNITS = ["KZ-39", "KZ-59", "KZ-11"]  # Kostanay (high entry rate), North Kazakhstan, Akmola


@pytest.fixture(scope="module")
def layers():
    return load_layers("KZ", 2022)


def _scenario(weighting: str, year: int | None = None) -> Scenario:
    s = Scenario.default("KZ")
    s.region.units = list(UNITS)
    s.demand.weighting = weighting
    s.demand.rate_year = year
    s.candidates.max_new = 3
    s.budget.total_kzt = None
    s.existing.keep = False
    s.capacity.enabled = False
    s.solver.time_limit_seconds = 60
    return s


def test_weights_are_children_times_relative_entry_rate(layers):
    raw = pd.read_csv(ROOT / "data" / "care" / "kz_oblast_care.csv")
    year = 2023
    y = raw[raw["year"] == year].pivot_table(index="unit_code", columns="measure",
                                             values="value", aggfunc="sum")
    rate = y["entries_formal"] / y["children_0_17"]
    national = y["entries_formal"].sum() / y["children_0_17"].sum()
    inst = build_instance(layers, _scenario("expected_referrals", year))
    children = inst.demand["children"].to_numpy(dtype=float)
    expected = children * inst.demand["unit_code"].map(rate / national).to_numpy()
    np.testing.assert_allclose(inst.weights, expected, rtol=1e-12)
    assert inst.demand_info["rate_year"] == year
    assert inst.demand_info["expected_referrals"] == pytest.approx(
        float((children * inst.demand["unit_code"].map(rate).to_numpy()).sum()), abs=0.1)
    plain = build_instance(layers, _scenario("children"))
    np.testing.assert_array_equal(plain.weights, children)


def test_unknown_rate_year_is_a_clear_error(layers):
    with pytest.raises(ValueError, match="demand.rate_year: no care series for 1995"):
        build_instance(layers, _scenario("expected_referrals", 1995))


def test_summary_records_the_weighting_and_results_differ(layers, tmp_path):
    by_children = run_scenario(_scenario("children"), layers)
    by_risk = run_scenario(_scenario("expected_referrals"), layers)
    assert by_children.summary["demand"] == {"weighting": "children"}
    d = by_risk.summary["demand"]
    assert d["weighting"] == "expected_referrals" and d["rate_year"] == 2025
    assert by_risk.summary["parameters"]["demand"]["weighting"] == "expected_referrals"
    # the weighted total is children x relative rate, not the head count
    assert by_risk.summary["children_total"] != pytest.approx(by_children.summary["children_total"])
    by_risk.write(tmp_path / "out")
    import json
    written = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert written["demand"]["weighting"] == "expected_referrals"
