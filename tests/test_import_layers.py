"""The import graph, read with `ast` (nothing is imported): no cycle, no import from a lower
layer to a higher one, and no private name imported from another module.

Layers, lowest first: geo (data, travel, analytics) < planning (the engine) and access
(sign-in, roles) < ui (Streamlit-free views) < entry points (app.py, app_pages, every
`__main__`). A module may import its own package or a strictly lower layer; entry points
may import anything. Imports inside functions count: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geo", "planning", "access", "ui", "app_pages")
RANK = {"geo": 0, "planning": 1, "access": 1, "ui": 2, "app_pages": 3, "app": 3}
ENTRY = 3


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            found[name] = path
    return found


MODULES = _modules()


def _rank(module: str) -> int:
    return ENTRY if module.endswith(".__main__") else RANK[module.split(".")[0]]


def _imports(module: str, path: Path) -> list[tuple[str, list[str], int]]:
    """(imported module, names, line) for every import of a project module in `path`."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(a.name, [], node.lineno) for a in node.names
                    if a.name.split(".")[0] in RANK]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0 \
                and node.module.split(".")[0] in RANK:
            names = [a.name for a in node.names]
            subs = [f"{node.module}.{n}" for n in names if f"{node.module}.{n}" in MODULES]
            out += [(sub, [], node.lineno) for sub in subs]
            rest = [n for n in names if f"{node.module}.{n}" not in MODULES]
            if rest or not subs:
                out.append((node.module, rest, node.lineno))
    return out


EDGES = [(src, dst, names, line) for src, path in MODULES.items()
         for dst, names, line in _imports(src, path) if dst != src]


def test_the_graph_is_read() -> None:
    assert len(MODULES) > 40 and len(EDGES) > 100
    assert ("planning.solve", "planning.model") in {(a, b) for a, b, _, _ in EDGES}


def test_no_import_cycle() -> None:
    graph = nx.DiGraph((a, b) for a, b, _, _ in EDGES if b in MODULES)
    cycles = list(nx.simple_cycles(graph))
    assert not cycles, f"import cycles: {cycles[:5]}"


@pytest.mark.parametrize("layer", ["geo", "planning", "access", "ui"])
def test_no_import_from_a_lower_layer_to_a_higher_one(layer: str) -> None:
    bad = [f"{src}:{line} imports {dst}" for src, dst, _, line in EDGES
           if src.split(".")[0] == layer and _rank(src) < ENTRY
           and dst.split(".")[0] != layer and _rank(dst) >= _rank(src)]
    assert not bad, "\n".join(bad)


def test_the_named_upward_edges_are_absent() -> None:
    """The edges the architecture forbids by name: planning -> ui, geo -> planning,
    geo -> ui, access -> ui (entry points aside)."""
    pairs = {(src.split(".")[0], dst.split(".")[0]) for src, dst, _, _ in EDGES
             if _rank(src) < ENTRY}
    for pair in (("planning", "ui"), ("geo", "planning"), ("geo", "ui"), ("access", "ui")):
        assert pair not in pairs, pair


def test_no_private_name_crosses_modules() -> None:
    bad = [f"{src}:{line} imports {n} from {dst}" for src, dst, names, line in EDGES
           for n in names if n.startswith("_")]
    assert not bad, "\n".join(bad)


def test_the_checker_catches_what_it_forbids(tmp_path: Path) -> None:
    """A planning module importing ui, and a private name, are seen by the same parser."""
    path = tmp_path / "x.py"
    path.write_text("def f():\n    from ui import maps\n    from geo.layers import _read\n")
    found = _imports("planning.x", path)
    assert ("ui.maps", [], 2) in found and ("geo.layers", ["_read"], 3) in found
