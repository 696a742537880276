"""`python -m gatekeeping indicators|trend`: gatekeeping indicators and series from the console.

    python -m gatekeeping indicators [--country KZ] [--year 2023] [--level oblast]
                                     [--version 2022] [--json]
    python -m gatekeeping trend --unit KZ-61 --indicator entry_rate_per_100k [--json]

Figures are shown on the boundary version given (default: the newest), re-based through the
crosswalk where they were published in another division. Exit 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

from gatekeeping.indicators import BY_KEY, COUNT_KEYS, INDICATORS, indicator_table
from gatekeeping.series import LEVELS, SeriesUnavailable, on_version
from geo import layers as geo_layers

KEYS = ("code", "name", "year", "children", "entries", "entry_rate_per_100k", "in_residential",
        "residential_rate_per_100k", "in_foster_care", "in_guardianship", "family_based_share",
        "exits_to_family", "under3_entries_residential", "gatekeeping_coverage",
        "diversion_share", "families_per_child_waiting", "flags", "demo")


def _number(v: object) -> object:
    """A JSON-ready number: None for missing, int when whole, else rounded float."""
    if isinstance(v, np.generic):
        v = v.item()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return round(float(v), 4) if isinstance(v, float) else v


def table(country: str, level: str, version: int | None) -> tuple[pd.DataFrame, int, dict]:
    """(indicator table, version shown, unit names) for a country and level."""
    v = version or geo_layers.default_version(country)
    long = on_version(country, level, v)
    units = geo_layers.load_boundaries(country, v, level)
    names = dict(zip(units["code"], units["name_en"]))
    names["TOTAL"] = "Total"
    demo = long.groupby("year")["demo"].any()
    ind = indicator_table(long)
    ind["demo"] = ind.index.get_level_values("year").map(demo).astype(bool)
    return ind, v, names


def rows_for_year(ind: pd.DataFrame, names: dict, year: int) -> list[dict]:
    """One dict per unit (TOTAL last) with the CLI keys."""
    sub = ind.xs(year, level="year")
    order = sorted(c for c in sub.index if c != "TOTAL") + ["TOTAL"]
    out = []
    for code in order:
        r = sub.loc[code]
        row = {"code": code, "name": names.get(code, code), "year": year}
        row.update({k: _number(r[k]) for k in KEYS if k in r.index and k not in row})
        out.append(row)
    return out


def _print_table(rows: list[dict], keys: tuple[str, ...]) -> None:
    frame = pd.DataFrame(rows)[list(keys)]
    print(frame.to_string(index=False, na_rep="-"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gatekeeping", description=__doc__.split(
        "\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("indicators", "trend"):
        p = sub.add_parser(name)
        p.add_argument("--country", default="KZ", type=str.upper)
        p.add_argument("--level", default="oblast", choices=LEVELS)
        p.add_argument("--version", type=int, help="boundary version to show (default newest)")
        p.add_argument("--json", action="store_true")
        if name == "indicators":
            p.add_argument("--year", type=int)
        else:
            p.add_argument("--unit", required=True, help="unit code, e.g. KZ-61, or TOTAL")
            p.add_argument("--indicator", required=True,
                           choices=[i.key for i in INDICATORS] + list(COUNT_KEYS))
    args = parser.parse_args(argv)
    try:
        ind, version, names = table(args.country, args.level, args.version)
    except (SeriesUnavailable, ValueError, FileNotFoundError) as exc:
        print(f"python -m gatekeeping: {exc}", file=sys.stderr)
        return 2
    years = sorted(ind.index.get_level_values("year").unique())
    if args.command == "indicators":
        year = args.year or years[-1]
        if year not in years:
            print(f"python -m gatekeeping: no figures for {year}; years {years[0]}-{years[-1]}",
                  file=sys.stderr)
            return 2
        rows = rows_for_year(ind, names, year)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            print(f"{args.country} {args.level}s on the {version} boundaries, {year}"
                  + (" (DEMO data)" if rows[-1]["demo"] else ""))
            _print_table(rows, ("code", "name", "children", "entries", "entry_rate_per_100k",
                                "in_residential", "family_based_share",
                                "gatekeeping_coverage", "diversion_share"))
        return 0
    unit = args.unit.upper() if args.unit.upper() != "TOTAL" else "TOTAL"
    units = set(ind.index.get_level_values("unit_code"))
    if unit not in units:
        print(f"python -m gatekeeping: {args.unit!r} is not a unit of the {version} boundaries; "
              f"units: {', '.join(sorted(units))}", file=sys.stderr)
        return 2
    s = ind.xs(unit, level="unit_code")
    rows = [{"code": unit, "year": int(y), args.indicator: _number(s.at[y, args.indicator]),
             "demo": bool(s.at[y, "demo"])} for y in s.index]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        label = BY_KEY[args.indicator].definition if args.indicator in BY_KEY else args.indicator
        print(f"{unit} {names.get(unit, unit)}: {label} (version {version} boundaries"
              + (", DEMO data)" if rows and rows[-1]["demo"] else ")"))
        _print_table(rows, ("year", args.indicator))
    return 0


if __name__ == "__main__":
    sys.exit(main())
