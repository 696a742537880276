"""`geo.summary` and `python -m geo summary` on the bundled layers."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import calibration as cal
from geo.layers import load_layers
from geo.summary import COLUMNS, COUNT_COLUMNS, DEMO_FOOTER, TOTAL, format_table, summarise

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def kz_layers():
    return {version: load_layers("KZ", version) for version in (2014, 2018, 2022)}


def expected_totals() -> dict[str, int]:
    return {
        "institutions": sum(t.records for t in cal.INSTITUTION_TARGETS),
        "children_in_institutions": sum(t.children for t in cal.INSTITUTION_TARGETS),
        "foster_families": cal.FOSTER_CARE.records,
        "centres": cal.CENTRES.records,
    }


@pytest.mark.parametrize("version,units", [(2022, 20), (2018, 17), (2014, 16)])
def test_one_row_per_unit_and_a_total_equal_to_the_calibration(kz_layers, version, units):
    layers = kz_layers[version]
    table = summarise(layers)
    assert list(table.columns) == list(COLUMNS)
    assert len(table) == units + 1
    body, total = table.iloc[:-1], table.iloc[-1]
    assert total["code"] == TOTAL
    assert sorted(body["code"]) == sorted(layers.boundaries["code"])
    for column in COUNT_COLUMNS:
        assert total[column] == body[column].sum(), column
    for column, value in expected_totals().items():
        assert total[column] == value, column
    kz = layers.settlements
    assert total["settlements"] == (~kz["estimated"]).sum()  # places, not dispersed demand
    assert total["population"] == kz["population"].sum()
    assert total["estimated_children"] == kz.loc[kz["estimated"], "children"].sum() > 0
    assert bool(total["demo"]) and body.loc[body["institutions"] > 0, "demo"].all()


def _independent_counts(points: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame) -> pd.Series:
    """Points per unit by a plain loop over polygons (no spatial join)."""
    return pd.Series({code: int(geom.covers(points.geometry).sum())
                      for code, geom in zip(boundaries["code"], boundaries.geometry)})


@pytest.mark.parametrize("version", [2014, 2018, 2022])
def test_facilities_are_counted_where_they_lie_on_that_map(kz_layers, version):
    layers = kz_layers[version]
    table = summarise(layers).set_index("code").drop(TOTAL)
    expected = _independent_counts(layers.institutions, layers.boundaries)
    assert expected.sum() == len(layers.institutions)  # every facility lies inside a unit
    assert (table["institutions"] == expected.reindex(table.index)).all()
    centres = _independent_counts(layers.centres, layers.boundaries)
    assert (table["centres"] == centres.reindex(table.index)).all()


def test_2014_map_merges_2022_units(kz_layers):
    """Shymkent's and Turkistan's 2022 facilities both fall in South Kazakhstan on the 2014 map."""
    new = summarise(kz_layers[2022]).set_index("code")
    old = summarise(kz_layers[2014]).set_index("code")
    assert "KZ-79" in new.index and "KZ-79" not in old.index
    for column in ("institutions", "children_in_institutions", "centres"):
        south = old.loc["KZ-51", column]  # South Kazakhstan until its 2018 renaming
        assert south == new.loc["KZ-61", column] + new.loc["KZ-79", column], column


@pytest.mark.parametrize("country", ["KG", "TJ", "TM", "UZ"])
def test_other_countries_have_units_and_no_facilities(country):
    layers = load_layers(country)
    table = summarise(layers)
    assert len(table) == len(layers.boundaries) + 1
    total = table.iloc[-1]
    assert total["settlements"] == len(layers.settlements) > 0
    for column in ("institutions", "children_in_institutions", "foster_families", "centres"):
        assert total[column] == 0
    assert not table["demo"].any()


def test_a_point_outside_every_unit_is_reported_not_counted(kz_layers):
    layers = kz_layers[2022]
    moved = layers.institutions.copy()
    moved.loc[0, "geometry"] = Point(10.0, 50.0)  # Germany
    table = summarise(dataclasses.replace(layers, institutions=moved))
    total = table.iloc[-1]
    assert total["institutions"] == len(moved) - 1
    assert total["children_in_institutions"] == moved["children"].sum() - moved.loc[0, "children"]
    assert table.attrs["outside"] == {"institutions": 1}
    assert "Not counted (outside every unit): 1 institutions" in format_table(table)
    assert summarise(layers).attrs["outside"] == {}


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "summary", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_cli_json_rows_have_exactly_the_keys():
    result = _cli("--json", "--boundary-year", "2018")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 18 and rows[-1]["code"] == TOTAL
    assert all(list(row) == list(COLUMNS) for row in rows)
    assert rows[-1]["centres"] == cal.CENTRES.records and rows[-1]["demo"] is True


def test_cli_table_is_aligned_with_separators_and_demo_footer():
    result = _cli("--country", "kz")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("KZ: oblast units of the 2022 boundary version")
    assert lines[1].split() == [c for c in COLUMNS if c != "demo"]
    table = [line for line in lines if line.startswith(("KZ-", TOTAL))]
    assert len(table) == 21 and len({len(line) for line in table}) == 1
    total = f"{sum(t.children for t in cal.INSTITUTION_TARGETS):,}"
    assert total in table[-1] and "," in total
    assert lines[-1] == DEMO_FOOTER


def test_cli_other_country_has_no_demo_footer():
    result = _cli("--country", "KG")
    assert result.returncode == 0, result.stderr
    assert DEMO_FOOTER not in result.stdout and TOTAL in result.stdout


def test_cli_rejects_unknown_version_and_country_without_traceback():
    result = _cli("--boundaries", "1999")
    assert result.returncode == 2
    assert "no 1999 boundaries for KZ" in result.stderr and "2022" in result.stderr
    assert "Traceback" not in result.stderr
    result = _cli("--country", "XX")
    assert result.returncode == 2 and "unknown country 'XX'" in result.stderr


def _official_children_2024() -> pd.Series:
    """Children 0-17 per 2022 oblast at 1 Jan 2024, recomputed here from the source tables:
    the published shares for Turkistan, Mangystau and Shymkent on the consistent 20-unit
    population set scaled to the national population; the rest of the national count shared
    by population."""
    folder = ROOT / "data" / "population"
    kids = pd.read_csv(folder / "children_by_oblast.csv")
    kids = kids[kids["date"] == "2024-01-01"]
    national = int(kids.loc[kids["indicator"] == "children aged 0-17 (count)", "value"].iloc[0])
    shares = kids[kids["indicator"].str.startswith("share") & (kids["oblast"] != "Kazakhstan")]
    name_code = {"Turkistan Region": "KZ-61", "Mangystau Region": "KZ-47",
                 "Shymkent (city)": "KZ-79"}
    share = {name_code[n]: float(v) / 100 for n, v in zip(shares["oblast"], shares["value"])}
    alt = pd.read_csv(folder / "oblast_population_alt.csv", dtype=str)
    alt = alt[alt["date"].str.contains("complete 20-unit set", na=False)]
    pop = pd.Series(alt["population"].astype(float).to_numpy(), index="KZ-" + alt["code"].str[:2])
    pop = pop * 20_033_546 / pop.sum()  # national population, 1 Jan 2024 (FACTS.md)
    out = pd.Series({c: pop[c] * v for c, v in share.items()})
    rest = pop.drop(out.index)
    return pd.concat([out, rest * (national - out.sum()) / rest.sum()]).sort_index()


def test_every_child_is_counted_once_per_oblast(kz_layers):
    official = _official_children_2024()
    assert official.sum() == pytest.approx(6_841_527)
    table = summarise(kz_layers[2022]).set_index("code")
    assert table.loc[TOTAL, "children"] == pytest.approx(6_841_527, rel=0.005)
    got = table.drop(TOTAL)["children"]
    assert ((got - official.reindex(got.index)).abs() / official.reindex(got.index)
            <= 0.005).all()
    # the 2014 and 2018 maps hold the same children, differently grouped
    for version in (2014, 2018):
        assert summarise(kz_layers[version]).iloc[-1]["children"] == table.loc[TOTAL, "children"]


def test_district_level_has_224_rows_that_add_up_to_the_oblasts(kz_layers):
    layers = kz_layers[2022]
    districts = summarise(layers, "district")
    oblasts = summarise(layers).set_index("code")
    assert len(districts) == 225 and districts.iloc[-1]["code"] == TOTAL
    assert sorted(districts["code"].iloc[:-1]) == sorted(layers.districts["code"])
    parent = layers.districts.set_index("code")["parent_code"]
    body = districts.iloc[:-1].set_index("code")
    for column in COUNT_COLUMNS:
        assert districts.iloc[-1][column] == oblasts.loc[TOTAL, column], column
        by_oblast = body[column].groupby(parent).sum()
        assert (by_oblast == oblasts.drop(TOTAL)[column].reindex(by_oblast.index)).all(), column
    assert (body["children"] > 0).all()  # every district has children (places or dispersed)


def test_cli_district_level_json():
    result = _cli("--json", "--level", "district")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 225 and rows[-1]["code"] == TOTAL
    assert rows[-1]["children"] == pytest.approx(6_841_527, rel=0.005)
    result = _cli("--level", "district", "--country", "KG")
    assert result.returncode == 2 and "no district boundaries for KG" in result.stderr
