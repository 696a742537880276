"""The care series: load the bundled long table and re-base it onto one boundary version.

A figure is stored in the division valid in its year (South Kazakhstan oblast, KZ-51, in 2005)
and shown on any other division through the crosswalk: each FROM unit's count is split over the
TO units by the share of its settlement population lying in each (area share where no population
is known, `geo.layers.population_crosswalk`), in whole numbers by largest remainder, so national
totals are conserved exactly.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geo import layers as geo_layers
from geo.allocation import largest_remainder
from geo.provenance import bundled_provenance

CARE_DIR = geo_layers.DATA_DIR / "care"
LEVELS = ("oblast", "district")
SERIES_FILES = {("KZ", "oblast"): CARE_DIR / "kz_oblast_care.csv",
                ("KZ", "district"): CARE_DIR / "kz_district_care.parquet"}
DISTRICT_VERSION = 2022  # the district series exists on the 2022 districts only
KEYS = ["unit_code", "year", "measure"]


class SeriesUnavailable(ValueError):
    """No bundled series for this country and level."""


def series_file(country: str = "KZ", level: str = "oblast") -> Path:
    """The bundled series file of a country and level (SeriesUnavailable if none)."""
    if level not in LEVELS:
        raise SeriesUnavailable(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    path = SERIES_FILES.get((country.upper(), level))
    if path is None:
        have = ", ".join(f"{c} {lv}" for c, lv in SERIES_FILES)
        raise SeriesUnavailable(f"no {level} care series is bundled for {country.upper()} "
                                f"(bundled: {have})")
    return path


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int) -> pd.DataFrame:
    if path.endswith(".parquet"):
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype={"unit_code": str, "measure": str, "source": str,
                                    "basis": str, "country": str})


def load_series(country: str = "KZ", level: str = "oblast") -> pd.DataFrame:
    """The bundled long table (one row per unit, version, year, measure); a fresh copy."""
    path = series_file(country, level)
    if not path.is_file():
        raise FileNotFoundError(f"care series {path} is missing (run "
                                "`python -m scripts.build_care_series`)")
    return _read(str(path), path.stat().st_mtime_ns).copy()


def on_version(country: str, level: str, version: int) -> pd.DataFrame:
    """The series of `level` shown on `version`'s units (districts: 2022 only)."""
    long = load_series(country, level)
    if level == "district" and int(version) != DISTRICT_VERSION:
        raise SeriesUnavailable(f"the district care series uses the {DISTRICT_VERSION} "
                                f"districts; choose boundary version {DISTRICT_VERSION}")
    return rebase(long, version, country)


def shares(from_version: int, to_version: int, country: str = "KZ") -> pd.DataFrame:
    """Crosswalk from_code -> to_code with population shares (area where none is known)."""
    return geo_layers.population_crosswalk(from_version, to_version, country)


def rebase(long: pd.DataFrame, to_version: int, country: str = "KZ") -> pd.DataFrame:
    """The table with every row moved onto `to_version`'s units, whole numbers conserved.

    Adds `stored_version` (the division the figure was published in) and sets `version`.
    A FROM unit wholly inside one TO unit passes unchanged; a split unit's count is shared by
    largest remainder over the population shares, so each (year, measure) total is unchanged.
    """
    out = []
    long = long.assign(stored_version=long["version"])
    for version, part in long.groupby("version"):
        if int(version) == int(to_version):
            out.append(part)
            continue
        cw = shares(int(version), int(to_version), country)
        targets = {code: (g["to_code"].to_numpy(), g["share"].to_numpy())
                   for code, g in cw.groupby("from_code")}
        unknown = sorted(set(part["unit_code"]) - set(targets))
        if unknown:
            raise ValueError(f"units {unknown} are not {country} {version} units")
        rows = []
        for code, g in part.groupby("unit_code"):
            to_codes, w = targets[code]
            if len(to_codes) == 1:
                rows.append(g.assign(unit_code=to_codes[0]))
                continue
            values = g["value"].to_numpy(dtype=np.int64)
            split = np.array([largest_remainder(int(v), w) if v else np.zeros(len(w), int)
                              for v in values])
            for k, to in enumerate(to_codes):
                rows.append(g.assign(unit_code=to, value=split[:, k]))
        moved = pd.concat(rows, ignore_index=True)
        # several FROM units may land in one TO unit (2022 -> 2014): add them up
        group = [c for c in moved.columns if c not in ("value",)]
        moved = moved.groupby(group, dropna=False, as_index=False)["value"].sum()
        out.append(moved)
    result = pd.concat(out, ignore_index=True)
    result["version"] = int(to_version)
    return result.sort_values(["year", "unit_code", "measure"]).reset_index(drop=True)


def to_wide(long: pd.DataFrame) -> pd.DataFrame:
    """Index (unit_code, year), one column per measure (NaN where not reported)."""
    wide = long.pivot_table(index=["unit_code", "year"], columns="measure", values="value",
                            aggfunc="sum")
    wide.columns.name = None
    return wide


def national(long: pd.DataFrame) -> pd.DataFrame:
    """Index year, one column per measure: the sum over units."""
    nat = long.pivot_table(index="year", columns="measure", values="value", aggfunc="sum")
    nat.columns.name = None
    return nat


def rebased_years(long: pd.DataFrame, version: int) -> list[int]:
    """Years whose figures were published in another division than `version`."""
    return sorted(long.loc[long["version"] != int(version), "year"].unique().tolist())


def series_provenance(country: str, level: str, version: int,
                      rebased: bool) -> list[dict[str, str]]:
    """Provenance rows (`geo.provenance`) of what the Monitor shows: the series file, the
    units of `version` at `level` it is drawn on and, when some years were published in
    another division (`rebased`), the crosswalk and the settlements whose population splits
    them (`rebase`)."""
    data = geo_layers.DATA_DIR
    files = {series_file(country, level).relative_to(data).as_posix(),
             f"{geo_layers.BOUNDARY_DIR.name}/{country.lower()}_{int(version)}_{level}.gpkg"}
    if rebased:
        files |= {f"{geo_layers.BOUNDARY_DIR.name}/crosswalk_{country.lower()}.csv",
                  geo_layers.SETTLEMENTS_FILE.relative_to(data).as_posix()}
    return [dict(row) for row in bundled_provenance() if row["file"] in files]
