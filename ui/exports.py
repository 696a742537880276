"""Downloads of a plan: GeoPackage, RFC 7946 GeoJSON (zip), CSV and a standalone HTML map.

The GeoPackage holds named layers (`sites`, `units` with their KPIs as polygons, `gaps`,
`settlements`), the non-spatial tables `assignments` and `metadata` (scenario, demo flag,
provenance, creation time, also set as GDAL dataset metadata) and a QGIS `layer_styles` table
in the web map's colours. GeoJSON follows RFC 7946 (WGS 84 longitude/latitude, no `crs`
member), one layer per file, zipped.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import folium
import geopandas as gpd
import pandas as pd
import pyogrio

from geo.csvsafe import frame_csv_bytes
from otbasy import __version__
from ui.offline import standalone_html
from ui.qgis_styles import layer_styles

PROVENANCE = (
    "Boundaries: Natural Earth admin-1 (public domain), 2018/2022 units derived with GeoNames "
    "(CC BY 4.0), approximate where marked. Settlements: GeoNames cities500 (CC BY 4.0), "
    "children estimated. Institutions, centres and family-care counts: DEMO data calibrated to "
    "published national totals (not real records) unless a registry was imported. Plan: "
    f"Otbasy {__version__} optimisation model."
)
DEMO_NOTE = "DEMO DATA: invented records calibrated to published totals, not real facilities."


class PlanLike(Protocol):
    """What the exports need from `planning.results.PlanResult`."""

    summary: dict
    sites: gpd.GeoDataFrame
    assignments: pd.DataFrame
    settlements: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    by_unit: pd.DataFrame
    boundaries: gpd.GeoDataFrame | None


def metadata(result: PlanLike, demo: bool, created: datetime | None = None) -> dict[str, str]:
    """Scenario, demo flag (the layers planned on hold demo records), provenance and creation
    time, as text (GDAL metadata items)."""
    s = result.summary
    return {
        "scenario": str(s.get("scenario", "")), "objective": str(s.get("objective", "")),
        "country": str(s.get("country", "")), "status": str(s.get("status", "")),
        "demo": "true" if demo else "false", "demo_note": DEMO_NOTE if demo else "",
        "provenance": PROVENANCE, "generator": f"otbasy {__version__}",
        "created": (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def units_layer(result: PlanLike) -> gpd.GeoDataFrame | None:
    """Per-unit KPIs on the unit polygons (None without boundaries)."""
    if result.boundaries is None:
        return None
    shapes = result.boundaries[["code", "geometry"]].rename(columns={"code": "unit_code"})
    kpis = pd.DataFrame(result.by_unit).drop(columns=["geometry"], errors="ignore")
    units = shapes.merge(kpis, on="unit_code", how="inner")
    return gpd.GeoDataFrame(units, geometry="geometry", crs=result.boundaries.crs)


def spatial_layers(result: PlanLike) -> dict[str, gpd.GeoDataFrame]:
    """The plan's spatial layers by name, in WGS 84."""
    layers = {"sites": result.sites, "units": units_layer(result), "gaps": result.gaps,
              "settlements": result.settlements}
    return {name: frame.to_crs(4326) for name, frame in layers.items() if frame is not None}


def result_gpkg(result: PlanLike, *, demo: bool, created: datetime | None = None) -> bytes:
    """The plan as one GeoPackage (layers, tables, metadata and QGIS styles), as bytes."""
    meta = metadata(result, demo, created)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.gpkg"
        geometry_columns = {}
        for name, frame in spatial_layers(result).items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                    layer_metadata={"demo": meta["demo"],
                                                    "scenario": meta["scenario"]},
                                    dataset_metadata=meta)
            geometry_columns[name] = "geom"
        tables = {"assignments": pd.DataFrame(result.assignments),
                  "metadata": pd.DataFrame({"key": list(meta), "value": list(meta.values())}),
                  "layer_styles": layer_styles(geometry_columns)}
        for name, table in tables.items():
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG",
                                    layer_options={"FID": "id"} if name == "layer_styles"
                                    else None)
        return path.read_bytes()


def layer_geojson(frame: gpd.GeoDataFrame, name: str) -> bytes:
    """One layer as RFC 7946 GeoJSON (WGS 84, no `crs` member), written by GDAL."""
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GeoJSON", engine="pyogrio", layer=name, RFC7946="YES")
    return buffer.getvalue()


def result_geojson_zip(result: PlanLike, *, demo: bool,
                       created: datetime | None = None) -> bytes:
    """A zip of one RFC 7946 GeoJSON file per layer, the assignments CSV and a README."""
    meta = metadata(result, demo, created)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in spatial_layers(result).items():
            archive.writestr(f"{name}.geojson", layer_geojson(frame, name))
        archive.writestr("assignments.csv", frame_csv_bytes(pd.DataFrame(result.assignments)))
        archive.writestr("README.txt", "\n".join(f"{k}: {v}" for k, v in meta.items() if v))
    return buffer.getvalue()


def standalone_map(m: folium.Map) -> bytes:
    """The map as a self-contained HTML file (Leaflet inlined: opens offline)."""
    return standalone_html(m).encode("utf-8")
