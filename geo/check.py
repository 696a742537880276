"""Check a layer file against its schema and list every problem with file, row and field.

Exit 0 with `FILE: N <layer> records valid` (and notes on repairs) when the file can be
imported; exit 2 with one line per problem otherwise.
"""

from __future__ import annotations

import argparse

from geo.io import read_layer
from geo.schema import COUNTRIES, LAYERS
from geo.validate import LayerError


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `check` arguments."""
    parser.add_argument("file", help="GeoPackage, GeoJSON, Shapefile (.shp or .zip), CSV or XLSX")
    parser.add_argument("--layer", required=True, choices=list(LAYERS),
                        help="which layer the file holds")
    parser.add_argument("--country", type=str.upper, choices=list(COUNTRIES),
                        help="also check that every point lies in this country")
    parser.add_argument("--crs", help="coordinate system of a file that declares none, "
                                      "e.g. EPSG:32642 (UTM 42N)")


def run(args: argparse.Namespace) -> int:
    """Print the verdict; 0 when valid, 2 when not."""
    try:
        if args.layer == "care":  # a table of annual statistics, not a geometry layer
            from geo.care import read_care
            gdf = read_care(args.file, country=args.country or "KZ")
        else:
            gdf = read_layer(args.file, args.layer, country=args.country, crs=args.crs)
    except LayerError as exc:
        for problem in exc.problems:
            print(problem)
        return 2
    except Exception as exc:  # last resort: one line naming the file, never a traceback
        print(f"{args.file}: could not be checked ({type(exc).__name__}: {exc})")
        return 2
    print(f"{args.file}: {len(gdf)} {args.layer} records valid")
    for note in gdf.attrs.get("notes", []):
        print(note)
    return 0
