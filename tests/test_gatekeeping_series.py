"""The bundled demo care series against the published figures (FACTS.md), the snapshot layers,
and the crosswalk; indicators recomputed independently from the raw measures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from gatekeeping import indicators as gi
from gatekeeping.series import SeriesUnavailable, load_series, rebase, series_file, to_wide

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "data" / "care" / "kz_oblast_care.csv"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The file as written, read with plain pandas (not through gatekeeping)."""
    return pd.read_csv(CSV)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return gi.indicator_table(load_series())


@pytest.fixture(scope="module")
def nat(raw) -> pd.DataFrame:
    return raw.groupby(["year", "measure"])["value"].sum().unstack()


def _sum(nat: pd.DataFrame, year: int, *measures: str) -> int:
    return int(sum(nat.at[year, m] for m in measures))


ORGS = ("res_baby_home", "res_childrens_home", "res_family_type_home")
ALL_RES = ORGS + ("res_social_protection", "res_boarding_disability", "res_boarding_general")
ALL_INST = ("inst_baby_home", "inst_childrens_home", "inst_family_type_home",
            "inst_social_protection", "inst_boarding_disability", "inst_boarding_general")
FAMILY = ("stock_guardianship", "stock_foster", "stock_patronage")

# (year, measures summed = the published scope, published value) typed from FACTS.md
EXACT = [
    (2005, ALL_RES, 74_000), (2005, ALL_INST, 614),
    (2007, ALL_RES, 76_308), (2007, ALL_INST, 710),
    (2007, ORGS + ("clpc_in_specialised",), 17_500),
    (2007, ("entries_formal",), 10_000), (2007, ("entries_residential",), 2_000),
    (2008, ("stock_guardianship",), 28_113), (2008, ("foster_families",), 2_005),
    (2008, ("adoptions_all",), 3_519),
    (2009, ("res_childrens_home", "res_family_type_home"), 15_116),
    (2009, ("inst_childrens_home", "inst_family_type_home"), 213),
    (2010, ("inst_baby_home",), 28),
    (2014, ORGS + ("res_social_protection",), 9_879),
    (2014, ("inst_baby_home", "inst_childrens_home", "inst_family_type_home",
            "inst_social_protection"), 188),
    (2017, ("res_childrens_home", "res_family_type_home"), 6_223),
    (2017, ("inst_childrens_home", "inst_family_type_home"), 137),
    (2017, ("inst_family_type_home",), 49),
    (2017, ("bank_placed_adoption",), 394), (2017, ("bank_placed_guardianship",), 2_437),
    (2017, ("bank_placed_foster",), 219),
    (2018, ("res_boarding_disability",), 18_000),
    (2021, ORGS, 4_254),
    (2021, ("inst_baby_home", "inst_childrens_home", "inst_family_type_home"), 96),
    (2021, FAMILY + ORGS + ("clpc_in_specialised",), 23_063),
    (2022, ("res_baby_home",), 747), (2023, ("res_baby_home",), 711),
    (2023, FAMILY + ORGS + ("clpc_in_specialised",), 21_387),
    (2023, ("stock_guardianship",), 15_668), (2023, ("stock_foster",), 1_660),
    (2023, ORGS, 3_727), (2023, ("children_0_17",), 6_841_527),
    (2024, ("inst_baby_home",), 20),
    (2024, ("inst_baby_home", "inst_childrens_home", "inst_family_type_home",
            "inst_social_protection"), 115),
    (2025, ("gk_centres",), 131), (2025, ("gk_specialists",), 1_006),
]


@pytest.mark.parametrize("year,measures,value", EXACT,
                         ids=[f"{y}-{'+'.join(m)[:40]}" for y, m, _ in EXACT])
def test_published_figure_at_its_year(nat, year, measures, value):
    assert _sum(nat, year, *measures) == value


def test_rounded_and_share_figures(nat):
    clpc = FAMILY + ORGS + ("clpc_in_specialised",)
    assert round(_sum(nat, 2019, *clpc), -2) == 24_200  # "24.2 thousand"
    assert round(_sum(nat, 2019, *ORGS, "clpc_in_specialised"), -2) == 4_600
    assert round(_sum(nat, 2023, *clpc), -2) == 21_400  # early 2024
    assert round(_sum(nat, 2023, *ORGS, "clpc_in_specialised"), -2) == 3_800
    assert round(_sum(nat, 2021, *FAMILY) / _sum(nat, 2021, *clpc), 3) == 0.815
    boarding = _sum(nat, 2018, "res_boarding_disability", "res_boarding_general")
    assert nat.at[2018, "res_boarding_disability"] / boarding > 0.51
    assert round(nat.at[2018, "res_boarding_with_parents"] / boarding, 2) == 0.82
    assert round(nat.at[2021, "res_orgs_disability"] / _sum(nat, 2021, *ORGS), 2) == 0.24
    assert 4_000 <= _sum(nat, 2021, *ORGS) <= 4_500  # seeds [001]: 4,000-4,500 (~2021)


def test_south_kazakhstan_foster_families_and_doubling(raw):
    ff = raw[raw["measure"] == "foster_families"].set_index(["unit_code", "year"])["value"]
    assert ff[("KZ-51", 2003)] == 400 and ff[("KZ-51", 2004)] == 950
    units = raw.loc[(raw["year"] == 2003) & (raw["measure"] == "foster_families"), "unit_code"]
    for u in units:  # "doubled in every oblast since 2003" (2005)
        assert ff[(u, 2005)] >= 2 * ff[(u, 2003)], u


def test_every_row_is_demo_with_basis_and_versions(raw):
    assert raw["demo"].all()
    assert set(raw["basis"]) == {"published", "derived", "filled"}
    assert set(raw.loc[raw["year"] < 2018, "version"]) == {2014}
    assert set(raw.loc[raw["year"].between(2018, 2021), "version"]) == {2018}
    assert set(raw.loc[raw["year"] >= 2022, "version"]) == {2022}
    assert raw.groupby("year")["unit_code"].nunique().to_dict() == \
        {y: 16 if y < 2018 else 17 if y < 2022 else 20 for y in range(2003, 2026)}
    published = raw[raw["basis"] == "published"]
    assert ((published["measure"] == "stock_guardianship") & (published["year"] == 2023)).any()
    assert (raw["value"] >= 0).all()
    assert not raw.duplicated(["unit_code", "year", "measure"]).any()


def test_snapshot_layers_agree_with_the_series_in_their_year(raw):
    """Per 2022 unit (or its 2018 parent for the 2018 boarding schools), facilities = series."""
    fac = ROOT / "data" / "facilities"
    inst = gpd.read_file(fac / "institutions.geojson")
    foster = gpd.read_file(fac / "foster.geojson")
    centres = gpd.read_file(fac / "centres.geojson")
    series = raw.set_index(["year", "measure", "unit_code"])["value"].sort_index()
    parent_2018 = {"KZ-10": "KZ-63", "KZ-33": "KZ-19", "KZ-62": "KZ-35"}

    def check(year, measure, per_unit: pd.Series, parents=None):
        if parents:
            per_unit = per_unit.groupby(lambda c: parents.get(c, c)).sum()
        got = series.loc[(year, measure)]
        assert per_unit.reindex(got.index, fill_value=0).astype(int).to_dict() == got.to_dict()

    for t, m, year in (("baby_home", "baby_home", 2021), ("childrens_home", "childrens_home", 2021),
                       ("family_type_home", "family_type_home", 2021),
                       ("boarding_school_disability", "boarding_disability", 2018),
                       ("boarding_school_general", "boarding_general", 2018)):
        sub = inst[inst["type"] == t]
        parents = parent_2018 if year < 2022 else None
        check(year, f"res_{m}", sub.groupby("unit_code")["children"].sum(), parents)
        check(year, f"inst_{m}", sub.groupby("unit_code").size(), parents)
    check(2023, "stock_guardianship", foster.groupby("unit_code")["guardianship_children"].sum())
    check(2023, "stock_foster", foster.groupby("unit_code")["foster_children"].sum())
    check(2023, "foster_families", foster.groupby("unit_code")["foster_families"].sum())
    check(2025, "gk_centres", centres.groupby("unit_code").size())
    check(2025, "gk_specialists", centres.groupby("unit_code")["staff"].sum())


@pytest.mark.parametrize("to_version", [2014, 2018, 2022])
def test_rebasing_conserves_national_totals_exactly(raw, to_version):
    moved = rebase(load_series(), to_version)
    before = raw.groupby(["year", "measure"])["value"].sum()
    after = moved.groupby(["year", "measure"])["value"].sum()
    assert after.dtype.kind == "i"
    pd.testing.assert_series_equal(before, after)
    from geo.layers import load_boundaries
    assert set(moved["unit_code"]) == set(load_boundaries("KZ", to_version)["code"])


def test_rebasing_splits_south_kazakhstan_by_population(raw):
    moved = rebase(load_series(), 2022)
    def row(d: pd.DataFrame, u: str) -> int:
        return int(d[(d["unit_code"] == u) & (d["year"] == 2005)
                     & (d["measure"] == "children_0_17")]["value"].iloc[0])
    south = row(raw, "KZ-51")
    turk, shym = row(moved, "KZ-61"), row(moved, "KZ-79")
    assert turk + shym == south
    assert 0.2 < shym / south < 0.8  # population, not area (area would give Shymkent ~1%)
    # a unit that did not change passes through unchanged
    assert row(moved, "KZ-75") == row(raw, "KZ-75")


def _independent(nat: pd.DataFrame, year: int) -> dict[str, float]:
    """Every indicator for the national total, from the raw measures, written out by hand."""
    def g(m: str) -> float:
        return float(nat.at[year, m])
    orgs = g("res_baby_home") + g("res_childrens_home") + g("res_family_type_home")
    family = g("stock_guardianship") + g("stock_foster") + g("stock_patronage")
    exits_f = g("exits_reunification") + g("exits_adoption") + g("exits_guardianship") + \
        g("exits_foster")
    outcomes = g("gk_outcome_family_support") + g("gk_outcome_family_placement") + \
        g("gk_outcome_residential")
    return {
        "entry_rate_per_100k": g("entries_formal") / g("children_0_17") * 1e5,
        "formal_care_rate_per_100k": (orgs + family) / g("children_0_17") * 1e5,
        "exits_to_family": exits_f,
        "exits_to_family_share": exits_f / (exits_f + g("exits_independent")),
        "residential_family_ratio": orgs / family,
        "residential_rate_per_100k": orgs / g("children_0_17") * 1e5,
        "family_based_share": family / (family + orgs),
        "entries_residential_rate_per_100k": g("entries_residential") / g("children_0_17") * 1e5,
        "under3_entries_residential": g("entries_residential_under3"),
        "disability_share": g("res_orgs_disability") / orgs,
        "gatekeeping_coverage": g("entries_assessed") / g("entries_formal"),
        "diversion_share": (g("gk_outcome_family_support") + g("gk_outcome_family_placement"))
        / outcomes if outcomes else float("nan"),
        "families_per_child_waiting": g("bank_families_waiting") / g("bank_children_available")
        if g("bank_children_available") else float("nan"),
    }


@pytest.mark.parametrize("year", [2005, 2017, 2023, 2025])
def test_indicators_recomputed_independently(nat, year, table):
    total = table.loc[("TOTAL", year)]
    expected = _independent(nat, year)
    assert set(expected) == {i.key for i in gi.INDICATORS}
    for key, value in expected.items():
        if np.isnan(value):
            assert np.isnan(total[key]), key
        else:
            assert total[key] == pytest.approx(value, rel=1e-12), key


def test_unit_indicator_recomputed_from_raw_rows(raw, table):
    rows = raw[(raw["unit_code"] == "KZ-39") & (raw["year"] == 2020)].set_index("measure")["value"]
    expected = rows["entries_formal"] / rows["children_0_17"] * 1e5
    assert table.at[("KZ-39", 2020), "entry_rate_per_100k"] == pytest.approx(expected)


def test_small_denominators_are_flagged_not_divided():
    wide = pd.DataFrame({"children_0_17": [500, 50_000], "entries_formal": [4, 40],
                         "entries_assessed": [3, 30], "gk_outcome_family_support": [2, 10],
                         "gk_outcome_family_placement": [1, 5],
                         "gk_outcome_residential": [1, 5]}, index=["tiny", "big"])
    out = gi.compute(wide)
    assert np.isnan(out.at["tiny", "entry_rate_per_100k"])
    assert np.isnan(out.at["tiny", "gatekeeping_coverage"])
    assert "entry_rate_per_100k: denominator children_0_17 = 500" in out.at["tiny", "flags"]
    assert out.at["big", "entry_rate_per_100k"] == pytest.approx(80.0)
    assert out.at["big", "gatekeeping_coverage"] == pytest.approx(0.75)
    assert out.at["big", "diversion_share"] == pytest.approx(0.75)
    assert out.at["big", "flags"] == ""


def test_change_since_base_year_and_before_after(table):
    change = gi.change_since(table, "entry_rate_per_100k", 2005, 2023)
    t = table["entry_rate_per_100k"]
    assert change["TOTAL"] == pytest.approx(t[("TOTAL", 2023)] - t[("TOTAL", 2005)])
    opened = gi.opening_years(to_wide(load_series()))
    assert opened["KZ-75"] == 2017  # Almaty's first family support centre in the demo series
    before, after = gi.before_after(table, "KZ-75", 2017)
    expected_before = np.mean([t[("KZ-75", y)] for y in (2014, 2015, 2016)])
    expected_after = np.mean([t[("KZ-75", y)] for y in (2017, 2018, 2019)])
    assert (before, after) == pytest.approx((expected_before, expected_after))


def test_alerts_name_units_in_plain_terms(table):
    year = 2012
    found = gi.alerts(table, year)
    e = table["entries_residential"]
    for a in found:
        if a["key"] == "rose_twice":
            u = a["unit"]
            assert e[(u, year)] > e[(u, year - 1)] > e[(u, year - 2)]
    expected = {u for u in table.index.get_level_values(0).unique()
                if (u, year - 2) in e.index and e[(u, year)] > e[(u, year - 1)] > e[(u, year - 2)]}
    assert {a["unit"] for a in found if a["key"] == "rose_twice"} == expected


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "gatekeeping", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_cli_indicators_2023_json():
    run = _cli("indicators", "--year", "2023", "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    from geo.layers import load_boundaries
    codes = set(load_boundaries("KZ", 2022)["code"])
    assert len(rows) == 21 and {r["code"] for r in rows[:-1]} == codes
    total = rows[-1]
    assert total["code"] == "TOTAL"
    assert (total["in_residential"], total["in_foster_care"], total["in_guardianship"]) == \
        (3_727, 1_660, 15_668)
    for key in ("code", "name", "year", "children", "entries", "entry_rate_per_100k",
                "in_residential", "residential_rate_per_100k", "family_based_share",
                "exits_to_family", "under3_entries_residential", "gatekeeping_coverage",
                "diversion_share", "families_per_child_waiting", "demo"):
        assert all(key in r for r in rows), key
    assert all(r["demo"] is True for r in rows)
    assert sum(r["children"] for r in rows[:-1]) == total["children"] == 6_841_527


def test_cli_trend_and_errors():
    run = _cli("trend", "--unit", "KZ-61", "--indicator", "entry_rate_per_100k", "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert [r["year"] for r in rows] == list(range(2003, 2026))
    bad = _cli("trend", "--unit", "KZ-99", "--indicator", "entry_rate_per_100k")
    assert bad.returncode == 2 and "KZ-99" in bad.stderr and "Traceback" not in bad.stderr
    district = _cli("indicators", "--level", "district", "--version", "2018")
    assert district.returncode == 2 and "2022 districts" in district.stderr
    year = _cli("indicators", "--year", "1990")
    assert year.returncode == 2 and "1990" in year.stderr


def test_unknown_level_is_refused():
    with pytest.raises(SeriesUnavailable):
        series_file("KZ", "village")


def test_generator_is_deterministic(tmp_path):
    from scripts.build_care_series import build
    out = tmp_path / "care.csv"
    build(out)
    assert out.read_bytes() == CSV.read_bytes()


@pytest.fixture(scope="module")
def districts() -> pd.DataFrame:
    return pd.read_parquet(ROOT / "data" / "care" / "kz_district_care.parquet")


def test_district_series_adds_up_to_the_oblasts_exactly(districts):
    from geo.layers import load_boundaries
    units = load_boundaries("KZ", 2022, "district")
    assert set(districts["unit_code"]) == set(units["code"]) and len(units) == 224
    parent = dict(zip(units["code"], units["parent_code"]))
    got = districts.assign(unit_code=districts["unit_code"].map(parent)).groupby(
        ["year", "measure", "unit_code"])["value"].sum()
    oblast = rebase(load_series(), 2022).groupby(["year", "measure", "unit_code"])["value"].sum()
    pd.testing.assert_series_equal(got.sort_index(), oblast.sort_index(), check_names=False)
    assert districts["demo"].all() and (districts["value"] >= 0).all()


@pytest.mark.parametrize("part,wholes", [
    ("entries_residential_under3", ["entries_residential"]),
    ("entries_assessed", ["entries_formal"]),
    ("gk_assessments", ["gk_referrals"]),
    ("res_orgs_disability", ["res_baby_home", "res_childrens_home", "res_family_type_home"]),
    ("res_boarding_with_parents", ["res_boarding_disability", "res_boarding_general"]),
])
def test_no_district_part_exceeds_its_whole(districts, part, wholes):
    wide = districts.pivot_table(index=["unit_code", "year"], columns="measure", values="value")
    assert (wide[part] <= wide[wholes].sum(axis=1)).all()


def test_cli_district_level():
    run = _cli("indicators", "--level", "district", "--year", "2023", "--json")
    assert run.returncode == 0, run.stderr
    rows = json.loads(run.stdout)
    assert len(rows) == 225 and rows[-1]["code"] == "TOTAL"
    total = rows[-1]
    assert (total["in_residential"], total["in_foster_care"], total["in_guardianship"]) == \
        (3_727, 1_660, 15_668)
    assert any(r["flags"] for r in rows[:-1])  # small districts are flagged, not divided
