"""Coverage of children by centres within the travel-time standard, per unit.

  python -m geo coverage [--centres FILE] [--minutes 60] [--provider straight|road]
                         [--level oblast|district] [--json]

Uses the bundled demand (GeoNames places and, in Kazakhstan, the estimated dispersed demand, so
every child is counted) and, unless --centres, the bundled centres of the country; the road
provider needs --graph (a GraphML from `python -m geo network` or an .osm file). The JSON states
the provider and lists per unit (oblast, or district with --level district) code, children,
children_covered, coverage_pct, median_minutes (child-weighted; null when the median child
reaches no centre), then TOTAL.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import pandas as pd

from geo.coverage import coverage_by_unit, nearest_centre
from geo.schema import COUNTRIES
from geo.travel import TravelParams, describe
from geo.units import DEFAULT_LEVEL, LEVELS, unit_column

_DEFAULTS = TravelParams()


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `coverage` arguments."""
    parser.add_argument("--centres", type=Path,
                        help="centres file (GeoJSON, GeoPackage, CSV, XLSX...); "
                             "default: the bundled centres")
    parser.add_argument("--minutes", type=float, default=60.0,
                        help="travel-time standard in minutes (default 60)")
    parser.add_argument("--provider", choices=["straight", "road"], default="straight",
                        help="travel-cost provider (default straight)")
    parser.add_argument("--graph", help="road graph (.graphml or .osm) for --provider road")
    parser.add_argument("--speed", type=float, default=_DEFAULTS.speed_kmh,
                        help=f"straight: average speed km/h (default {_DEFAULTS.speed_kmh:g})")
    parser.add_argument("--circuity", type=float, default=_DEFAULTS.circuity,
                        help=f"straight: road / straight distance (default {_DEFAULTS.circuity:g})")
    parser.add_argument("--snap-speed", type=float, default=_DEFAULTS.snap_speed_kmh,
                        help="road: km/h from a point to its nearest road node "
                             f"(default {_DEFAULTS.snap_speed_kmh:g})")
    parser.add_argument("--country", type=str.upper, default="KZ", choices=list(COUNTRIES))
    parser.add_argument("--boundary-year", type=int, metavar="YEAR",
                        help="boundary version (default: the country's latest)")
    parser.add_argument("--level", choices=LEVELS, default=DEFAULT_LEVEL,
                        help="units of the table: oblast (default) or district")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _clean(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(table: pd.DataFrame) -> list[dict]:
    """JSON-ready rows: minutes rounded to 0.1, inf/NaN as null."""
    out = []
    for row in table.to_dict(orient="records"):
        for key in ("median_minutes", "p90_minutes"):
            row[key] = round(row[key], 1) if math.isfinite(row[key]) else None
        out.append({k: _clean(v) for k, v in row.items()})
    return out


def _text(table: pd.DataFrame, header: str) -> str:
    shown = table.copy()
    shown["coverage_pct"] = shown["coverage_pct"].map(lambda v: "-" if v is None or pd.isna(v)
                                                      else f"{v:.1f}%")
    for key in ("median_minutes", "p90_minutes"):
        shown[key] = shown[key].map(lambda v: f"{v:.0f}" if math.isfinite(v) else "none")
    return header + "\n" + shown.to_string(index=False)


def run(args: argparse.Namespace) -> int:
    """Print the coverage table (or JSON); 0 on success, 2 on bad input."""
    from geo.io import read_layer
    from geo.layers import load_layers
    from geo.validate import LayerError

    try:
        params = TravelParams(provider=args.provider, speed_kmh=args.speed,
                              circuity=args.circuity, max_minutes=args.minutes,
                              snap_speed_kmh=args.snap_speed, graph_path=args.graph)
        layers = load_layers(args.country, args.boundary_year)
        centres = (read_layer(args.centres, "centres") if args.centres else layers.centres)
        near = nearest_centre(layers.settlements, centres, params, minutes=args.minutes)
        units = layers.units(args.level)
        names = dict(zip(units["code"], units["name_en"]))
        table = coverage_by_unit(layers.settlements, near, minutes=args.minutes, names=names,
                                 unit=unit_column(args.level))
    except LayerError as exc:
        for problem in exc.problems:
            print(problem)
        return 2
    except (ValueError, OSError) as exc:
        print(f"python -m geo coverage: {exc}")
        return 2
    except Exception as exc:  # last resort (e.g. a damaged graph file): one line, no traceback
        print(f"python -m geo coverage: {type(exc).__name__}: {exc}")
        return 2
    source = str(args.centres) if args.centres else "bundled centres"
    if args.json:
        print(json.dumps({
            "provider": params.provider, "travel": describe(params), "minutes": args.minutes,
            "country": args.country, "boundary_version": layers.version, "level": args.level,
            "centres": source, "centre_count": int(len(centres)),
            "warnings": near.attrs["warnings"], "units": records(table),
        }, ensure_ascii=False, indent=1))
    else:
        print(_text(table, f"Coverage within {args.minutes:g} min of {len(centres)} centres "
                           f"({source}); travel: {describe(params)}; "
                           f"{args.country} {args.level} units, {layers.version} boundaries"))
        for warning in near.attrs["warnings"]:
            print(f"warning: {warning}")
    return 0
