"""Every bundled data file is documented: listed in a table row of its folder's README.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.layers import DATA_DIR

FILES = sorted(p for p in DATA_DIR.rglob("*")
               if p.is_file() and p.name != "README.md" and not p.name.startswith("."))


def test_there_is_data_to_document() -> None:
    folders = {p.parent.name for p in FILES}
    assert {"boundaries", "settlements", "facilities"} <= folders


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(DATA_DIR)) for p in FILES])
def test_file_is_listed_in_its_folder_readme(path: Path) -> None:
    readme = path.parent / "README.md"
    assert readme.is_file(), f"{path.relative_to(DATA_DIR)}: no README.md in {path.parent}"
    rows = [line for line in readme.read_text(encoding="utf-8").splitlines()
            if f"`{path.name}`" in line and line.lstrip().startswith("|")]
    assert rows, f"{readme}: no table row lists `{path.name}`"
    # a row per file: file | source | licence | year | status | method
    assert rows[0].count("|") >= 6, f"{readme}: the row of `{path.name}` lacks columns"
