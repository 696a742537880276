"""The server's road graphs: a folder in the workspace, graphs chosen by name only.

A scenario names its road graph (`travel.graph = "abai"`); it never gives a path, so a
scenario (uploaded by anyone with a planner account) cannot make the server open, parse or
probe an arbitrary file. Graphs enter the store through the admin's command line
(`python -m geo graphs add FILE --name NAME`), which checks them and saves them as GraphML.
An unknown name and a name that looks like a path get the same answer, which lists the
store's graphs and says nothing about any other file.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from geo.paths import workspace_dir

FOLDER = "graphs"
SUFFIX = ".graphml"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


class GraphNotFound(ValueError):
    """No graph of that name in the store (the message lists the ones there are)."""


def graph_dir() -> Path:
    """The store: `graphs/` in the workspace directory."""
    return workspace_dir() / FOLDER


def valid_name(name: str) -> bool:
    """1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit (no paths)."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None \
        and not name.endswith(SUFFIX)


def list_graphs(folder: Path | None = None) -> list[str]:
    """Names of the graphs in the store, sorted."""
    folder = folder or graph_dir()
    try:
        files = list(folder.iterdir())
    except OSError:
        return []
    return sorted(p.name[:-len(SUFFIX)] for p in files
                  if p.name.endswith(SUFFIX) and valid_name(p.name[:-len(SUFFIX)])
                  and p.is_file())


def resolve(name: str, folder: Path | None = None) -> Path:
    """The file of graph `name`; GraphNotFound (same message for any missing or path-like
    name) when the store has no such graph."""
    folder = folder or graph_dir()
    known = list_graphs(folder)
    if not valid_name(name) or name not in known:
        raise GraphNotFound(f"{str(name)[:64]!r} is not a road graph of this server "
                            f"(available: {', '.join(known) or 'none'}); an administrator adds "
                            "graphs with `python -m geo graphs add FILE --name NAME`")
    return folder / f"{name}{SUFFIX}"


def add_graph(source: str | os.PathLike[str], name: str, folder: Path | None = None) -> Path:
    """Check `source` (GraphML or OSM XML) as a drive graph and save it as `name` in the store
    (ValueError when the name or the file is unusable)."""
    from geo.network import load_graph, save_graph

    if not valid_name(name):
        raise ValueError(f"--name {name[:64]!r}: use 1-64 letters, digits, . _ - "
                         "(starting with a letter or digit)")
    graph = load_graph(source)
    if graph.number_of_edges() == 0:
        raise ValueError(f"{source}: the road graph has no drivable roads")
    target = (folder or graph_dir()) / f"{name}{SUFFIX}"
    save_graph(graph, target)
    return target
