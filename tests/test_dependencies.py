"""pyproject.toml declares exactly what the code imports, and the locks come from it.

Every third-party module imported by the product (geo, planning, access, ui, app_pages, otbasy,
app.py) must be a declared runtime dependency, every one imported by the tests a runtime or
`test` dependency, and every declared runtime dependency must be imported somewhere (a package
that arrives only through another one, or one never used, is caught here). Read with `ast`.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PRODUCT = ("geo", "planning", "access", "ui", "app_pages", "otbasy", "gatekeeping")
FIRST_PARTY = set(PRODUCT) | {"app", "scripts", "tests", "bench", "conftest"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!\[;~]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared(*groups: str) -> set[str]:
    names = {_name(r) for r in PYPROJECT["project"]["dependencies"]}
    for group in groups:
        names |= {_name(r) for r in PYPROJECT["project"]["optional-dependencies"][group]}
    return names


def _imports(paths: list[Path]) -> dict[str, str]:
    """Top-level third-party module -> one file importing it."""
    found: dict[str, str] = {}
    local = {p.stem for p in paths}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY | local:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def _distributions(modules: dict[str, str]) -> dict[str, str]:
    mapping = packages_distributions()
    out = {}
    for module, where in modules.items():
        dists = mapping.get(module)
        assert dists, f"{where} imports {module}, which no installed distribution provides"
        out[dists[0].lower().replace("_", "-")] = f"{where} (import {module})"
    return out


def _files(*folders: str) -> list[Path]:
    files = [ROOT / "app.py"] if "app" in folders else []
    for folder in folders:
        files += sorted((ROOT / folder).rglob("*.py")) if (ROOT / folder).is_dir() else []
    return files


def test_product_imports_are_declared_runtime_dependencies():
    used = _distributions(_imports(_files(*PRODUCT, "app")))
    missing = {d: w for d, w in used.items() if d not in _declared()}
    assert not missing, f"declare in [project] dependencies: {missing}"


def test_test_imports_are_declared():
    used = _distributions(_imports(_files("tests")))
    missing = {d: w for d, w in used.items() if d not in _declared("test")}
    assert not missing, f"declare in the test extra: {missing}"


def test_every_runtime_dependency_is_imported():
    used = set(_distributions(_imports(_files(*PRODUCT, "app"))))
    unused = _declared() - used
    assert not unused, f"declared but never imported (remove, or import it): {unused}"


def test_locks_pin_every_declared_dependency_with_hashes():
    for lock, groups in (("requirements.lock", ()), ("requirements-test.lock", ("test", "dev"))):
        text = (ROOT / lock).read_text(encoding="utf-8")
        pinned = {m.group(1).lower().replace("_", "-")
                  for m in re.finditer(r"^([A-Za-z0-9_.-]+)==\S+ \\$", text, re.M)}
        assert _declared(*groups) <= pinned, (lock, _declared(*groups) - pinned)
        assert all(block.count("--hash=sha256:") >= 1
                   for block in re.split(r"\n(?=[A-Za-z0-9])", text) if "==" in block), lock
