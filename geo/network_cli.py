"""Build a road graph (GraphML with travel times) for the ``road`` travel provider.

From a local OSM XML extract (offline) or, when the machine is online, downloaded by OSMnx for
a place, e.g.:
  python -m geo network --place "Abai Region, Kazakhstan" --out data/networks/abai.graphml
  python -m geo network --osm abai.osm --out data/networks/abai.graphml
Main roads (motorway..tertiary and links) by default; --all-roads keeps every drivable road.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tqdm import tqdm

from geo import network


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `network` arguments."""
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--place", help='place name OSMnx can geocode, e.g. "Abai Region, Kazakhstan"'
                                     " (downloads: needs the network)")
    src.add_argument("--osm", type=Path, help="local OSM XML file (.osm), read offline")
    parser.add_argument("--out", type=Path, required=True, help="GraphML file to write")
    parser.add_argument("--all-roads", action="store_true",
                        help="keep every drivable road, not only motorway..tertiary")


def run(args: argparse.Namespace) -> int:
    """Read or download, filter, add speeds and travel times, save; 0 on success, 2 on error."""
    keep = network.DRIVE_HIGHWAYS if args.all_roads else network.MAIN_DRIVE_HIGHWAYS
    source = args.place or str(args.osm)
    steps = tqdm(total=4, unit="step", desc="road graph")
    try:
        steps.set_postfix_str(f"{'downloading' if args.place else 'reading'} {source}")
        if args.place:
            G = network.download_place(args.place, main_roads=not args.all_roads)
        else:
            if not args.osm.is_file():
                raise FileNotFoundError(f"{args.osm}: file not found")
            G = network.read_osm_xml(args.osm)
        steps.update()
        steps.set_postfix_str("keeping drivable roads")
        G = network.filter_drive(G, keep)
        steps.update()
        steps.set_postfix_str("speeds and travel times")
        G = network.add_travel_times(G)
        steps.update()
        steps.set_postfix_str(f"saving {args.out}")
        network.save_graph(G, args.out)
        steps.update()
    except Exception as exc:  # one line naming the source, never a traceback
        steps.close()
        print(f"python -m geo network: {source}: {type(exc).__name__}: {exc}")
        return 2
    steps.close()
    km = sum(d["length"] for _, _, d in G.edges(data=True)) / 1000.0
    print(f"{args.out}: {len(G):,} nodes, {G.number_of_edges():,} edges, "
          f"{km:,.0f} km of directed road from {source}")
    return 0
