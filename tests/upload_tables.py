"""Upload tables shared by the merge tests and the browser's upload test."""

from __future__ import annotations

import pandas as pd

from geo.layers import Layers


def four_institutions(layers: Layers) -> pd.DataFrame:
    """An institutions CSV table: two bundled institutions (the first with 3 more children)
    and two new ones, so a merge by id adds 2, updates 1 and leaves 1 unchanged."""
    old = layers.institutions.iloc[[10, 200]]
    return pd.DataFrame({
        "institution_id": [*old["institution_id"], "upload-1", "upload-2"],
        "name": [*old["name"], "New home, Almaty", "New home, Astana"],
        "type": [*old["type"], "childrens_home", "baby_home"],
        "capacity": [*old["capacity"], 50, 30],
        "children": [old["children"].iloc[0] + 3, old["children"].iloc[1], 20, 10],
        "year": [*old["year"], 2020, 2019], "country": "KZ", "demo": [*old["demo"], False, False],
        "lat": [*old.geometry.y, 43.25, 51.1], "lon": [*old.geometry.x, 76.95, 71.4]})
