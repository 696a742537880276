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

from geo.codab import NAME_SPELLINGS
from geo.codab import key as name_key
from geo.schema import COUNTRIES, LEVELS
from geo.units import DEFAULT_LEVEL, attach_units, check_level
from otbasy import paths

DATA_DIR = paths.DATA_DIR
BOUNDARY_DIR = DATA_DIR / "boundaries"
DISPLAY_DIR = BOUNDARY_DIR / "display"
SETTLEMENTS_FILE = DATA_DIR / "settlements" / "settlements.geojson"
FACILITY_DIR = DATA_DIR / "facilities"
BOUNDARY_ATTRIBUTION = ("Boundaries: geokz (A. Rodionov), CC BY 4.0, after the Bureau of National "
                        "Statistics of the Republic of Kazakhstan; KG/TJ/TM/UZ: Natural Earth. "
                        "Places: GeoNames, CC BY 4.0")
_BOUNDARY_FILE = re.compile(r"^([a-z]{2})_(\d{4})_(oblast|district)\.gpkg$")


@dataclass
class Layers:
    """Every layer of one country, boundaries in one version. Point layers carry `unit_code`
    (oblast) and `district_code` (None where the country has no bundled districts)."""

    boundaries: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    institutions: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    foster: gpd.GeoDataFrame
    country: str
    version: int
    districts: gpd.GeoDataFrame | None = None

    def units(self, level: str = DEFAULT_LEVEL) -> gpd.GeoDataFrame:
        """The boundaries at `level` (ValueError when the country has no districts)."""
        if check_level(level) == "oblast":
            return self.boundaries
        if self.districts is None:
            raise ValueError(f"no district boundaries for {self.country} {self.version}")
        return self.districts


def _available() -> dict[str, dict[int, list[str]]]:
    found: dict[str, dict[int, list[str]]] = {}
    for path in BOUNDARY_DIR.glob("*.gpkg"):
        m = _BOUNDARY_FILE.match(path.name)
        if m:
            levels = found.setdefault(m.group(1).upper(), {}).setdefault(int(m.group(2)), [])
            levels.append(m.group(3))
    return found


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
    return sorted(_available()[_check_country(country)])


def boundary_levels(country: str, version: int | None = None) -> list[str]:
    """Levels bundled for `country` in `version`: ['oblast', 'district'] for Kazakhstan,
    ['oblast'] where only first-level units exist."""
    cc = _check_country(country)
    have = _available()[cc][_resolve_version(cc, version)]
    return [lv for lv in LEVELS if lv in have]


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


@lru_cache(maxsize=64)
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


def _boundary_file(country: str, version: int | None, level: str, folder: Path,
                   ext: str) -> Path:
    cc = _check_country(country)
    v = _resolve_version(cc, version)
    if check_level(level) not in boundary_levels(cc, v):
        raise ValueError(f"no {level} boundaries for {cc} {v}; available: "
                         f"{', '.join(boundary_levels(cc, v))}")
    return folder / f"{cc.lower()}_{v}_{level}.{ext}"


def load_boundaries(country: str = "KZ", version: int | None = None,
                    level: str = DEFAULT_LEVEL) -> gpd.GeoDataFrame:
    """Units of `country` in `version` (default: `default_version`) at `level`, full geometry
    (for analysis: point-in-polygon, areas, crosswalks)."""
    return _read(_boundary_file(country, version, level, BOUNDARY_DIR, "gpkg"), "boundaries")


def load_display_boundaries(country: str = "KZ", version: int | None = None,
                            level: str = DEFAULT_LEVEL) -> gpd.GeoDataFrame:
    """The browser copy of `load_boundaries`: simplified with shared edges kept
    (`shapely.coverage_simplify`), coordinates rounded; never used for analysis."""
    return _read(_boundary_file(country, version, level, DISPLAY_DIR, "geojson"),
                 "display boundaries")


@lru_cache(maxsize=8)
def _name_index(level: str) -> dict[tuple[str | None, str, str], str | None]:
    """(parent code or None, language, name key) -> code over every bundled Kazakh version at
    `level`; None for a name two units share in that language (a city and its district)."""
    index: dict[tuple[str | None, str, str], str | None] = {}
    if level == "oblast":
        index.update({(None, lang, k): v for k, v in NAME_SPELLINGS.items()
                      for lang in ("en", "ru", "kk")})
    for version in boundary_versions("KZ"):
        if level not in boundary_levels("KZ", version):
            continue
        units = load_boundaries("KZ", version, level)
        for row in units.to_dict("records"):
            parent = row["parent_code"] if level == "district" else None
            for lang in ("en", "kk", "ru"):
                name = row[f"name_{lang}"]
                if isinstance(name, str) and name:
                    k = (parent, lang, name_key(name))
                    index[k] = row["code"] if index.get(k, row["code"]) == row["code"] else None
    return index


def unit_by_name(level: str, lang: str, name: str, parent: str | None = None) -> str | None:
    """The code of the Kazakh unit called `name` in `lang` (en, kk or ru; a district within
    `parent`), or None when unknown or ambiguous. The last resort of the COD-AB importer."""
    return _name_index(check_level(level)).get((parent if level == "district" else None, lang,
                                                name_key(name)))


def load_crosswalk(country: str = "KZ", level: str = DEFAULT_LEVEL) -> pd.DataFrame:
    """Area shares between every ordered pair of `country`'s boundary versions at `level`."""
    cc = _check_country(country)
    cw = _read(BOUNDARY_DIR / f"crosswalk_{cc.lower()}.csv", "crosswalk")
    return cw[cw["level"] == check_level(level)].drop(columns="level").reset_index(drop=True)


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


def load_layers(country: str = "KZ", version: int | None = None) -> Layers:
    """All layers of `country` with boundaries in `version` (default: `default_version`).

    Every point layer gets `unit_code` and `district_code` for that version from
    `geo.units.attach_units` (the one assignment rule), whatever a file carried.
    """
    cc = _check_country(country)
    v = _resolve_version(cc, version)
    boundaries = load_boundaries(cc, v)
    districts = load_boundaries(cc, v, "district") if "district" in boundary_levels(cc, v) \
        else None

    def placed(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        return attach_units(frame.drop(columns=["unit_code", "district_code"], errors="ignore"),
                            boundaries, districts)

    return Layers(
        boundaries=boundaries,
        settlements=placed(load_settlements(cc)),
        institutions=placed(load_institutions(cc)),
        centres=placed(load_centres(cc)),
        foster=placed(load_foster(cc)),
        country=cc,
        version=v,
        districts=districts,
    )
