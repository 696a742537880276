"""Maps treat text as data: every property escaped, only what is displayed is sent, marker
sizes by class, and the rendered document runs only its own scripts (hash-based CSP) inside a
frame sandboxed without allow-same-origin. The browser side is tests/test_e2e.py."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo.layers import load_layers
from geo.privacy import LABEL_RADIUS, class_radius, suppress_small
from ui import maps
from ui.offline import standalone_html

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = "<img src=x onerror=alert(1)></script><script>alert(2)</script>\"'&"


@pytest.fixture(scope="module")
def kz():
    return load_layers("KZ")


def test_every_text_property_is_escaped():
    gdf = gpd.GeoDataFrame({"name": [HOSTILE], "n": [3]}, geometry=[Point(76.9, 43.2)], crs=4326)
    props = maps.to_geojson(gdf, ["name", "n"])["features"][0]["properties"]
    assert props["name"] == ("&lt;img src=x onerror=alert(1)&gt;&lt;/script&gt;&lt;script&gt;"
                             "alert(2)&lt;/script&gt;&quot;&#x27;&amp;")
    assert props["n"] == 3


def test_rendered_map_holds_no_raw_markup_and_only_hashed_scripts(kz):
    centres = kz.centres.copy()
    centres["name"] = HOSTILE
    m = maps.base_map(kz.boundaries.total_bounds)
    maps.point_layer(centres, "c", colour="#000", tooltip_fields=["name"], popup_fields=["name"]
                     ).add_to(m)
    page = standalone_html(maps.finish(m))
    assert "<img src=x" not in page and "alert(2)</script>" not in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    script_src = re.search(r"script-src ([^;]+);", policy).group(1).split()
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "default-src 'none'" in policy and "connect-src" not in policy
    scripts = re.findall(r"<script>(.*?)</script>", page, re.DOTALL)
    assert len(re.findall(r"<script", page)) == len(scripts) >= 2  # no src=, all inline
    for code in scripts:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in script_src


def test_the_map_frame_is_sandboxed_without_same_origin():
    host = (ROOT / "static" / "map_frame" / "index.html").read_text()
    frames = re.findall(r"<iframe[^>]*>", host)
    assert len(frames) == 1
    assert re.search(r'sandbox="([^"]*)"', frames[0]).group(1).split() == ["allow-scripts"]
    assert "<script src=\"host.js\"></script>" in host and "srcdoc" not in host
    js = (ROOT / "static" / "map_frame" / "host.js").read_text()
    assert "event.source === frame.contentWindow" in js  # messages only from its own map
    assert "innerHTML" not in js and "eval(" not in js


def test_choropleth_sends_only_what_it_shows(kz):
    units = kz.boundaries[["code", "geometry"]].assign(unit_name=kz.boundaries["code"])
    shown = suppress_small(units.assign(n=range(len(units)))[["code", "n"]], ["n"],
                           total_row=False)
    units = units.merge(shown, on="code")
    units["rate"] = [v if isinstance(v, str) else v / 7 for v in units["n"]]
    layer, legend = maps.choropleth_layer(units, "rate", "Rate")
    features = layer.data["features"]
    assert {k for f in features for k in f["properties"]} == {"unit_name", "value_text", "_fill"}
    by_code = {f["properties"]["unit_name"]: f["properties"] for f in features}
    for code, value in zip(units["code"], units["rate"], strict=True):
        if isinstance(value, str):  # a suppressed cell: its label and the no-data colour
            assert html.unescape(by_code[code]["value_text"]) == value
            assert by_code[code]["_fill"] == maps.NO_DATA_COLOUR
        else:
            assert by_code[code]["value_text"] == f"{value:,.1f}"
    assert "0.14" not in legend.html  # 1/7: no break at a suppressed value


def test_marker_radius_does_not_tell_small_counts_apart():
    radii = class_radius(pd.Series(["<5", "x", 0, 5, 19, 20, 99, 100, 500, 10_000]))
    assert radii[0] == radii[1] == LABEL_RADIUS
    assert radii[3] == radii[4] and radii[5] == radii[6]
    assert radii[2] < radii[0] < radii[3] < radii[5] < radii[7] < radii[8] == radii[9]
