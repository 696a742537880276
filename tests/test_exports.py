"""GIS exports of a real plan: GeoPackage layers, metadata and QGIS styles; RFC 7946 GeoJSON;
CSVs with BOM and defused formulas (assignments, tables, the audit log)."""

from __future__ import annotations

import io
import json
import sqlite3
import xml.etree.ElementTree as ET
import zipfile
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from access import audit
from geo.csvsafe import frame_csv
from planning.scenario import Scenario
from planning.solve import run_scenario
from ui import exports, maps, tables

CREATED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.fixture(scope="module")
def result():
    s = Scenario()
    s.region.units = ["KZ-10", "KZ-63"]
    return run_scenario(s)


@pytest.fixture(scope="module")
def gpkg(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("gpkg") / "plan.gpkg"
    path.write_bytes(exports.result_gpkg(result, demo=True, created=CREATED))
    return path


def test_geopackage_layers_and_tables(result, gpkg):
    layers = dict(pyogrio.list_layers(gpkg))
    assert layers == {"sites": "Point", "units": "MultiPolygon", "gaps": "Point",
                      "settlements": "Point", "assignments": None, "provenance": None,
                      "metadata": None, "layer_styles": None}
    sites = gpd.read_file(gpkg, layer="sites")
    assert sorted(sites["site_id"]) == sorted(result.sites["site_id"])
    assert sites.crs.to_epsg() == 4326
    assignments = pyogrio.read_dataframe(gpkg, layer="assignments", read_geometry=False)
    assert len(assignments) == len(result.assignments)
    assert "geometry" not in assignments
    units = gpd.read_file(gpkg, layer="units")
    assert sorted(units["unit_code"]) == ["KZ-10", "KZ-63"]
    # the KPIs on the polygons are the plan's, and each polygon is the unit's boundary
    by_unit = result.by_unit.set_index("unit_code")
    for row in units.itertuples():
        assert row.covered == pytest.approx(by_unit.loc[row.unit_code, "covered"])
        boundary = result.boundaries.set_index("code").loc[row.unit_code, "geometry"]
        assert row.geometry.symmetric_difference(boundary).area < 1e-6 * boundary.area
    assert len(gpd.read_file(gpkg, layer="gaps")) == len(result.gaps)


def test_geopackage_metadata(result, gpkg):
    meta = dict(pyogrio.read_dataframe(gpkg, layer="metadata",
                                       read_geometry=False)[["key", "value"]].values)
    assert meta["scenario"] == result.summary["scenario"]
    assert meta["demo"] == "true" and "DEMO" in meta["demo_note"]
    assert meta["created"] == "2026-01-02T03:04:05Z"
    assert "GeoNames" in meta["provenance"]
    info = pyogrio.read_info(gpkg, layer="sites")
    assert info["dataset_metadata"]["demo"] == "true"
    assert info["layer_metadata"]["scenario"] == result.summary["scenario"]
    plain = exports.metadata(result, demo=False, created=CREATED)
    assert plain["demo"] == "false" and plain["demo_note"] == ""


def test_qgis_styles_match_the_web_map(gpkg):
    with sqlite3.connect(gpkg) as conn:
        rows = conn.execute("SELECT f_table_name, f_geometry_column, useAsDefault, styleQML "
                            "FROM layer_styles").fetchall()
        registered = {r[0] for r in conn.execute("SELECT table_name FROM gpkg_contents")}
    conn.close()
    assert "layer_styles" in registered  # an ordinary GeoPackage table GDAL and QGIS list
    styles = {name: (column, default, ET.fromstring(qml.split("\n", 1)[1]))
              for name, column, default, qml in rows}
    assert set(styles) == {"sites", "units", "gaps", "settlements"}
    assert all(column == "geom" and default == 1 for column, default, _ in styles.values())

    def colours(root) -> list[str]:
        return [o.get("value") for o in root.iter("Option") if o.get("name") == "color"]

    def rgb(hex_colour: str) -> str:
        return ",".join(str(int(hex_colour[i:i + 2], 16)) for i in (1, 3, 5))

    sites = styles["sites"][2]
    categories = {c.get("value"): c.get("symbol") for c in sites.iter("category")}
    assert set(categories) == set(maps.DECISION_COLOURS)
    by_symbol = {s.get("name"): colours(s)[0] for s in sites.iter("symbol")}
    for decision, symbol in categories.items():
        assert by_symbol[symbol].startswith(rgb(maps.DECISION_COLOURS[decision]))
    assert colours(styles["gaps"][2])[0].startswith(rgb(maps.UNCOVERED_COLOUR))
    units = styles["units"][2]
    assert units.find("renderer-v2").get("attr") == "coverage_pct"
    assert [c.rsplit(",", 1)[0] for c in colours(units)] == [rgb(c) for c in maps.PALETTE]


def test_geojson_zip_is_rfc7946_one_layer_per_file(result):
    data = exports.result_geojson_zip(result, demo=True, created=CREATED)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        assert {"sites.geojson", "units.geojson", "gaps.geojson", "settlements.geojson",
                "assignments.csv", "README.txt"} == names
        sites = json.loads(archive.read("sites.geojson"))
        readme = archive.read("README.txt").decode("utf-8")
        csv_text = archive.read("assignments.csv").decode("utf-8")
    assert "crs" not in sites and sites["type"] == "FeatureCollection"
    assert len(sites["features"]) == len(result.sites)
    for feature in sites["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert 40 < lon < 90 and 35 < lat < 56  # longitude first, degrees (Kazakhstan)
    assert "demo: true" in readme and "scenario: " in readme
    assert csv_text.startswith("\ufeff")


def test_csvs_have_bom_and_defused_formulas(tmp_path, monkeypatch):
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"http://x\")", "+7", "-", "@SUM(A1)", "Алматы"],
                          "value": [-1.5, 2.0, 3.0, 4.0, 5.0]})
    text = tables.csv_bytes(frame).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = pd.read_csv(io.StringIO(text.lstrip("\ufeff")))
    assert rows["name"].tolist() == ["'=HYPERLINK(\"http://x\")", "'+7", "'-", "'@SUM(A1)",
                                     "Алматы"]
    assert rows["value"].tolist() == [-1.5, 2.0, 3.0, 4.0, 5.0]  # numbers stay numbers
    assert frame_csv(frame) == text
    log = tmp_path / "audit.sqlite"
    monkeypatch.setenv("OTBASY_AUDIT", str(log))
    audit.record("upload_layer", "=cmd|' /C calc'!A0", "planner", file="Ақтөбе.csv")
    data = audit.audit_csv(log)
    assert data.startswith("\ufeff".encode())
    body = data.decode("utf-8")
    assert "'=cmd" in body and "Ақтөбе.csv" in body
