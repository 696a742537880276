"""Downloads of a plan: GeoPackage, GeoJSON and a standalone HTML map, as bytes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Protocol

import folium
import geopandas as gpd
import pandas as pd

from ui.offline import standalone_html


class PlanLike(Protocol):
    """What the exports need from `planning.solve.PlanResult`."""

    sites: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    by_unit: pd.DataFrame


def result_gpkg(result: PlanLike) -> bytes:
    """One GeoPackage with layers `sites`, `settlements` and the `by_unit` table."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.gpkg"
        result.sites.to_file(path, layer="sites", driver="GPKG")
        result.settlements.to_file(path, layer="settlements", driver="GPKG")
        table = pd.DataFrame(result.by_unit).drop(columns=["geometry"], errors="ignore")
        gpd.GeoDataFrame(table, geometry=[None] * len(table), crs=result.sites.crs).to_file(
            path, layer="by_unit", driver="GPKG")
        return path.read_bytes()


def result_geojson(result: PlanLike) -> bytes:
    """Sites and settlements in one FeatureCollection; each feature's `layer` says which."""
    features = []
    for layer, frame in (("sites", result.sites), ("settlements", result.settlements)):
        data = json.loads(frame.to_crs(4326).to_json(drop_id=True, default=str))
        for feature in data["features"]:
            feature["properties"] = {"layer": layer, **feature["properties"]}
            features.append(feature)
    return json.dumps({"type": "FeatureCollection", "features": features},
                      ensure_ascii=False).encode("utf-8")


def standalone_map(m: folium.Map) -> bytes:
    """The map as a self-contained HTML file (Leaflet inlined: opens offline)."""
    return standalone_html(m).encode("utf-8")
