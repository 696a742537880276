"""Load Otbasy's bundled layers: boundaries (per country and version), settlements, facilities.

Everything reads from `DATA_DIR` (`data/`, in a checkout or the installed package) and never
from the network.
Reads are cached per file (and its modification time) and every call returns a fresh copy, so
callers may modify what they get. `translate` moves unit-level counts between Kazakhstan's
boundary versions (2014, 2018, 2022) by area share, using the bundled crosswalk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Polygon
from shapely.ops import unary_union

from geo.schema import COUNTRIES
from otbasy import paths

DATA_DIR = paths.DATA_DIR
BOUNDARY_DIR = DATA_DIR / "boundaries"
SETTLEMENTS_FILE = DATA_DIR / "settlements" / "settlements.geojson"
FACILITY_DIR = DATA_DIR / "facilities"
SNAP_KM = 5.0  # points this close outside every unit go to the nearest one
_EQUAL_AREA = "EPSG:6933"
_BOUNDARY_FILE = re.compile(r"^([a-z]{2})_(\d{4})\.geojson$")


@dataclass
class Layers:
    """Every layer of one country, boundaries in one version; settlements carry `unit_code`."""

    boundaries: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    institutions: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    foster: gpd.GeoDataFrame
    country: str
    version: int


def _available() -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for path in BOUNDARY_DIR.glob("*.geojson"):
        m = _BOUNDARY_FILE.match(path.name)
        if m:
            found.setdefault(m.group(1).upper(), []).append(int(m.group(2)))
    return {cc: sorted(v) for cc, v in found.items()}


def countries() -> list[str]:
    """Countries with bundled boundaries, in the schema's order (Kazakhstan first)."""
    have = _available()
    return [cc for cc in COUNTRIES if cc in have]


def _check_country(country: str) -> str:
    cc = str(country).upper()
    if cc not in countries():
        raise ValueError(f"unknown country {country!r}; available: {', '.join(countries())}")
    return cc


def boundary_versions(country: str) -> list[int]:
    """Boundary versions (years) bundled for `country`, oldest first."""
    return _available()[_check_country(country)]


def default_version(country: str) -> int:
    """The version used when none is given: the newest bundled (KZ 2022, others 2014)."""
    return boundary_versions(country)[-1]


def _resolve_version(country: str, version: int | None) -> int:
    versions = boundary_versions(country)
    if version is None:
        return versions[-1]
    if int(version) not in versions:
        raise ValueError(f"no {version} boundaries for {country}; available: "
                         f"{', '.join(map(str, versions))}")
    return int(version)


@lru_cache(maxsize=32)
def _read_cached(path: str, mtime_ns: int) -> gpd.GeoDataFrame | pd.DataFrame:
    if path.endswith(".csv"):
        return pd.read_csv(path, dtype={"from_code": str, "to_code": str})
    return gpd.read_file(path)


def _read(path: Path, what: str) -> gpd.GeoDataFrame | pd.DataFrame:
    """Read a bundled file through the cache and return a copy."""
    if not path.is_file():
        raise FileNotFoundError(f"{what}: bundled file {path} is missing (run `make data`)")
    return _read_cached(str(path), path.stat().st_mtime_ns).copy()


def _filter_country(gdf: gpd.GeoDataFrame, country: str | None) -> gpd.GeoDataFrame:
    if country is None:
        return gdf
    cc = _check_country(country)
    return gdf[gdf["country"] == cc].reset_index(drop=True)


def load_boundaries(country: str = "KZ", version: int | None = None) -> gpd.GeoDataFrame:
    """First-level units of `country` in `version` (default: `default_version`)."""
    cc = _check_country(country)
    v = _resolve_version(cc, version)
    gdf = _read(BOUNDARY_DIR / f"{cc.lower()}_{v}.geojson", "boundaries")
    gdf["version"] = gdf["version"].astype(int)
    gdf["approximate"] = gdf["approximate"].astype(bool)
    return gdf


def load_crosswalk(country: str = "KZ") -> pd.DataFrame:
    """Area shares between every ordered pair of `country`'s boundary versions."""
    cc = _check_country(country)
    return _read(BOUNDARY_DIR / f"crosswalk_{cc.lower()}.csv", "crosswalk")


def population_crosswalk(from_version: int, to_version: int,
                         country: str = "KZ") -> pd.DataFrame:
    """Share of each FROM unit's settlement population lying in each TO unit.

    Columns from_code, to_code, share. Built from the bundled settlements (their units in both
    versions); FROM units without any settlement population keep their area shares.
    """
    cc = _check_country(country)
    area = _area_shares(from_version, to_version, cc)
    s = load_settlements(cc)
    fc, tc = f"unit_{int(from_version)}", f"unit_{int(to_version)}"
    pop = s[s[fc].notna() & s[tc].notna()].groupby([fc, tc])["population"].sum()
    pop = pop[pop > 0].reset_index()
    pop.columns = ["from_code", "to_code", "population"]
    pop["share"] = pop["population"] / pop.groupby("from_code")["population"].transform("sum")
    area = area[~area["from_code"].isin(pop["from_code"])]
    return pd.concat([pop.drop(columns="population"), area], ignore_index=True)


def _area_shares(from_version: int, to_version: int, country: str) -> pd.DataFrame:
    cw = load_crosswalk(country)
    pair = cw[(cw["from_version"] == int(from_version)) & (cw["to_version"] == int(to_version))]
    if pair.empty:
        raise ValueError(f"no crosswalk from {from_version} to {to_version} for {country}")
    return pair.rename(columns={"area_share": "share"})[["from_code", "to_code", "share"]]


def translate(values: pd.Series, from_version: int, to_version: int, country: str = "KZ",
              weights: str = "area") -> pd.Series:
    """Reallocate counts indexed by unit code from one boundary version to another.

    Each FROM unit's value is split over the TO units in proportion to the share of its area
    (weights="area", the default) or of its GeoNames settlement population
    (weights="population"; cities500 omits villages, so it leans towards towns) lying in each,
    e.g. 2005 "South Kazakhstan" lands on 2022 Turkistan and Shymkent. Totals are conserved.
    Returns a float Series indexed by the TO version's codes.
    """
    if weights not in ("area", "population"):
        raise ValueError(f"translate: weights must be 'area' or 'population', not {weights!r}")
    if values.isna().any():
        raise ValueError(f"translate: missing values for {list(values.index[values.isna()])}")
    if int(from_version) == int(to_version):
        return values.astype(float).copy()
    pair = (_area_shares(from_version, to_version, country) if weights == "area"
            else population_crosswalk(from_version, to_version, country))
    unknown = sorted(set(values.index) - set(pair["from_code"]))
    if unknown:
        raise ValueError(f"translate: codes {unknown} are not {country} {from_version} units")
    pair = pair[pair["from_code"].isin(values.index)]
    moved = pair["from_code"].map(values.astype(float)) * pair["share"]
    out = moved.groupby(pair["to_code"]).sum().sort_index()
    out.index.name = values.index.name
    out.name = values.name
    return out


def load_settlements(country: str | None = None) -> gpd.GeoDataFrame:
    """GeoNames settlements (all countries, or one) with population and children."""
    return _filter_country(_read(SETTLEMENTS_FILE, "settlements"), country)


def _load_facility(name: str, country: str | None) -> gpd.GeoDataFrame:
    return _filter_country(_read(FACILITY_DIR / f"{name}.geojson", name), country)


def load_institutions(country: str | None = None) -> gpd.GeoDataFrame:
    """Residential institutions for children (demo records are flagged demo=True)."""
    return _load_facility("institutions", country)


def load_centres(country: str | None = None) -> gpd.GeoDataFrame:
    """Community social-work and family-support centres."""
    return _load_facility("centres", country)


def load_foster(country: str | None = None) -> gpd.GeoDataFrame:
    """Family-based care aggregated per settlement (never a household)."""
    return _load_facility("foster", country)


def _fill_holes(geom):
    """The polygon(s) of `geom` without their interior rings."""
    return unary_union([Polygon(p.exterior) for p in getattr(geom, "geoms", [geom])])


def assign_units(points: gpd.GeoDataFrame, units: gpd.GeoDataFrame,
                 snap_km: float = SNAP_KM) -> tuple[pd.Series, dict[str, int]]:
    """Unit code of each point: the containing polygon, else the nearest unit within `snap_km`
    (generalised coastlines and borders), else the unit whose hole the point lies in (Natural
    Earth cuts the Baikonur lease out of Kyzylorda). Returns the codes (None where nothing
    matches, e.g. another country) and how many points took each fallback.
    """
    def within(polys: gpd.GeoDataFrame, pts: gpd.GeoDataFrame) -> pd.Series:
        joined = gpd.sjoin(pts[["geometry"]], polys[["code", "geometry"]], how="left",
                           predicate="within")
        return joined.groupby(level=0)["code"].first().reindex(pts.index)

    codes = within(units, points).astype(object)
    counts = {"snapped": 0, "in_hole": 0}
    missing = codes.isna()
    if missing.any():
        far = points.loc[missing, ["geometry"]].to_crs(_EQUAL_AREA)
        near = gpd.sjoin_nearest(far, units[["code", "geometry"]].to_crs(_EQUAL_AREA),
                                 how="left", max_distance=snap_km * 1000.0)
        snapped = near.groupby(level=0)["code"].first().dropna()
        codes.loc[snapped.index] = snapped
        counts["snapped"] = len(snapped)
    missing = codes.isna()
    if missing.any():
        filled = units.assign(geometry=units.geometry.map(_fill_holes))
        in_hole = within(filled, points.loc[missing]).dropna()
        codes.loc[in_hole.index] = in_hole
        counts["in_hole"] = len(in_hole)
    return codes.where(codes.notna(), None), counts


def _with_units(points: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame,
                keep: bool) -> gpd.GeoDataFrame:
    """Facility files carry the default version's unit_code; other versions recompute it."""
    if not keep or "unit_code" not in points.columns:
        points["unit_code"] = assign_units(points, boundaries)[0]
    return points


def load_layers(country: str = "KZ", version: int | None = None) -> Layers:
    """All layers of `country` with boundaries in `version` (default: `default_version`).

    Settlements get `unit_code` = their unit in that version; facilities' unit_code follows
    the same version.
    """
    cc = _check_country(country)
    v = _resolve_version(cc, version)
    boundaries = load_boundaries(cc, v)
    settlements = load_settlements(cc)
    settlements["unit_code"] = settlements[f"unit_{v}"]
    keep = v == default_version(cc)
    return Layers(
        boundaries=boundaries,
        settlements=settlements,
        institutions=_with_units(load_institutions(cc), boundaries, keep),
        centres=_with_units(load_centres(cc), boundaries, keep),
        foster=_with_units(load_foster(cc), boundaries, keep),
        country=cc,
        version=v,
    )
