"""Manage the server's road graphs: `python -m geo graphs list | add FILE --name NAME`.

Scenarios choose a road graph by name from this store (workspace/graphs), never by path.
`add` reads a GraphML (from `python -m geo network`) or OSM XML file, checks it is a drive
graph with travel times, and saves it in the store. Exit 0 on success, 2 on an error (one line).
"""

from __future__ import annotations

import argparse

from geo import graph_store
from geo.limits import truncate


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the `graphs` arguments."""
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list the graphs in the store")
    add = sub.add_parser("add", help="check a road graph file and add it to the store")
    add.add_argument("file", help=".graphml (python -m geo network) or .osm file")
    add.add_argument("--name", required=True, help="name scenarios use (travel.graph)")


def run(args: argparse.Namespace) -> int:
    """List or add; 0 on success, 2 with one line on an error."""
    if args.action == "list":
        for name in graph_store.list_graphs():
            print(name)
        return 0
    try:
        target = graph_store.add_graph(args.file, args.name)
    except Exception as exc:  # unreadable or damaged files come in many types: one line
        print(f"python -m geo graphs add: {truncate(f'{type(exc).__name__}: {exc}')}")
        return 2
    print(f"added road graph {args.name!r} ({target})")
    return 0
