"""Plans explained and exports that stand alone, on a real (small) bundled scenario: every
site says why, every convertible institution why (not), the credit is stated; the HTML map
has one map with title, scenario, date, KPIs and the demo notice; every export carries
`demo` and provenance; user strings are escaped; coordinate typos are named."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo.io import read_layer
from geo.layers import load_layers
from geo.provenance import bundled_provenance, layer_provenance
from planning.scenario import Scenario
from planning.solve import run_scenario
from ui import exports, tables
from ui.forms import field_label
from ui.i18n import t

REGION = ["KZ-59", "KZ-62"]  # two small northern units: a fast, real solve
HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture(scope="module")
def layers():
    return load_layers("KZ")


@pytest.fixture(scope="module")
def result(layers):
    s = Scenario.default("KZ")
    s.name = f"Plan {HOSTILE}"
    s.region.units = REGION
    s.budget.total_kzt = None
    return run_scenario(s, layers)


def test_every_site_is_explained(result) -> None:
    sites = result.sites
    assert len(sites) > 0
    for col in ("children_served", "settlements_assigned", "median_minutes", "worst_minutes",
                "capex_kzt", "opex_kzt_per_year", "reason", "why"):
        assert sites[col].notna().all() or col.endswith("minutes"), col
    # independent: settlements assigned to each site, from the assignments table
    counts = result.assignments["centre_id"].value_counts()
    for row in sites.itertuples():
        assert row.settlements_assigned == counts.get(row.site_id, 0)
    # median / worst travel of a site from its settlements (child-weighted median)
    st = result.settlements
    for row in sites.itertuples():
        mine = st[(st["centre_id"] == row.site_id) & (st["children"] > 0)]
        if mine.empty:
            continue
        assert row.worst_minutes == pytest.approx(mine["minutes"].max(), abs=0.06)
        order = mine.sort_values("minutes")
        half = order["children"].cumsum() >= order["children"].sum() / 2
        assert row.median_minutes == pytest.approx(order["minutes"][half].iloc[0], abs=0.06)
    kept = sites[sites["decision"] == "existing"]
    assert (kept["reason"] == "kept").all()


def test_conversions_are_listed_with_a_reason(result, layers) -> None:
    conv = result.conversions
    inst = layers.institutions
    want = inst[inst["unit_code"].isin(REGION)
                & inst["type"].isin(Scenario.default("KZ").conversion.types)]
    assert set(conv["site_id"]) == set(want["institution_id"])
    assert conv["why"].str.len().gt(10).all()
    assert set(conv.loc[conv["converted"], "site_id"]) == set(result.summary["converted"])
    # the credit: a converted institution releases children x (7.5 m - family allowance)
    fc = Scenario.default("KZ").family_care
    per_child = fc.institution_kzt_per_child_year - 12 * fc.child_kzt_per_month
    moved = conv.loc[conv["converted"], "children_in_care"].sum()
    assert result.summary["released_opex"] == pytest.approx(moved * per_child)
    assert "Credit for released running costs: on" in result.summary["released_credit"]
    assert result.summary["conversions_summary"]


def test_default_national_scenario_converts_where_it_pays() -> None:
    """The reform's defining choice is visible: with the credit on by default, the national
    default scenario converts institutions, and each says it pays or what it covers."""
    s = Scenario.default("KZ")
    s.solver.time_limit_seconds = 120
    res = run_scenario(s)
    conv = res.conversions
    done = conv[conv["converted"]]
    assert len(done) > 0, res.summary["conversions_summary"]
    assert set(done["reason"]) <= {"pays", "coverage"}
    assert (done.loc[done["reason"] == "pays", "net_cost_kzt"] < 0).all()
    assert res.summary["cost_opex_net"] < res.summary["cost_opex"]


def test_html_map_stands_alone_with_one_map(result) -> None:
    when = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    html = exports.plan_map_html(result, "en", when)
    assert html.count("L.map(") == 1
    assert "2026-12-01 09:30 UTC" in html
    assert t("demo_notice", "en") in html
    assert f"{result.summary['coverage_pct']:.1f}%" in html
    for label, _ in exports.kpi_rows(result.summary, "en"):
        assert label in html
    assert HOSTILE not in html and "&lt;img src=x" in html
    assert not re.search(r'src="https?://', html), "everything inlined"


def test_report_is_one_page_without_script(result) -> None:
    html = exports.plan_report_html(result, "ru")
    assert "<script" not in html.lower() and HOSTILE not in html
    assert t("demo_notice", "ru") in html and t("report_sources", "ru") in html
    for row in layer_provenance("KZ", 2022):
        assert row["file"] in html
    for name in result.sites["name"]:
        assert name.replace("&", "&amp;") in html


def test_every_export_carries_demo_and_provenance(result, tmp_path) -> None:
    s = result.summary
    assert s["demo"] is True and s["provenance"] == layer_provenance("KZ", 2022)
    files = {r["file"] for r in s["provenance"]}
    assert {"facilities/institutions.geojson", "settlements/settlements.geojson",
            "boundaries/kz_2022_oblast.gpkg"} <= files
    with zipfile.ZipFile(io.BytesIO(exports.result_geojson_zip(result))) as archive:
        for name in ("sites.geojson", "settlements.geojson", "gaps.geojson"):
            gj = json.loads(archive.read(name))
            assert all(f["properties"]["demo"] is True for f in gj["features"]), name
        readme = archive.read("README.txt").decode("utf-8")
    assert "demo: true" in readme and "facilities/institutions.geojson" in readme
    path = tmp_path / "r.gpkg"
    path.write_bytes(exports.result_gpkg(result))
    sites = gpd.read_file(path, layer="sites")
    prov = gpd.read_file(path, layer="provenance")
    assert sites["demo"].all() and set(prov["file"]) == {r["file"] for r in s["provenance"]}
    csv = pd.read_csv(io.BytesIO(tables.csv_bytes(exports.with_demo(result.by_unit, s))))
    assert csv["demo"].all() and csv["data_sources"].str.contains("facilities").all()
    toml = exports.scenario_toml(result.scenario.to_toml(), s)
    assert toml.startswith("# Otbasy scenario; demo data: yes")
    assert Scenario.from_toml(toml).to_dict() == result.scenario.to_dict()


def test_provenance_rows_are_the_readme_tables() -> None:
    rows = bundled_provenance()
    files = {r["file"] for r in rows}
    assert {"facilities/institutions.geojson", "boundaries/kg_2014_oblast.gpkg",
            "settlements/settlements.geojson"} <= files
    inst = next(r for r in rows if r["file"] == "facilities/institutions.geojson")
    assert inst["status"] == "demo"


def test_fields_are_named_by_their_form_label() -> None:
    assert field_label("budget.total_kzt", "ru") == t("fld_total_kzt", "ru")
    assert field_label("solver.name", "en") == t("fld_solver_name", "en") != t("fld_name", "en")
    table = tables.scenario_problems_table([("coverage_target", "must be <= 1")], "kk")
    assert table.iloc[0, 0] == t("fld_coverage_target", "kk")


@pytest.mark.parametrize("lat,lon,expected", [
    (143.2, 76.9, "latitude 143.2 is outside -90..90"),
    (43.2, 276.9, "longitude 276.9 is outside -180..180"),
    (5_000_000.0, 500_000.0, "projected data needs its CRS"),
])
def test_coordinate_typos_are_named(tmp_path, lat: float, lon: float, expected: str) -> None:
    good = "i2,Home B,childrens_home,50,40,state,2020,KZ,43.2,76.9\n"
    path = tmp_path / "inst.csv"
    path.write_text("institution_id,name,type,capacity,children,operator,year,country,"
                    f"latitude,longitude\ni1,Home A,childrens_home,50,40,state,2020,KZ,"
                    f"{lat},{lon}\n" + good)
    with pytest.raises(Exception) as err:
        read_layer(path, "institutions")
    text = str(err.value) + " ".join(str(p) for p in getattr(err.value, "problems", []))
    assert expected in text and "row 1" in text
    assert np.isfinite(lat)
