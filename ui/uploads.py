"""Check an uploaded file as a layer before anything is replaced."""

from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd

from geo.io import LayerError, Problem, read_layer

MAX_UPLOAD_MB = 50  # also Streamlit's server.maxUploadSize in .streamlit/config.toml


def check_upload(file_name: str, data: bytes, layer: str,
                 country: str | None = None) -> tuple[gpd.GeoDataFrame | None, list[Problem]]:
    """Validate uploaded bytes as `layer` with the `geo` checks.

    Returns (layer, []) when every check passes, else (None, problems). Problems name the
    uploaded file (not the temporary copy), the 1-based row and the field.
    """
    name = Path(file_name).name or "upload"
    if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
        return None, [Problem(name, None, None, f"is {len(data) / 1024 / 1024:.1f} MB; uploads "
                                                f"are limited to {MAX_UPLOAD_MB} MB")]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            gdf = read_layer(path, layer, country=country)
        except LayerError as exc:
            return None, [Problem(name, p.row, p.field, p.message, p.level)
                          for p in exc.problems]
    gdf.attrs.pop("notes", None)
    return gdf, []
