"""Zip and xlsx bombs are refused from the archive's central directory, before anything is
decompressed: each is checked in a fresh process whose peak memory must stay under 300 MB.
The time taken is printed (`pytest -s`), not asserted.

Peak memory is the process's own high-water mark (VmHWM of /proc/self/status, reset by
exec). `resource.getrusage(...).ru_maxrss` is reported too, but Linux carries it over from the
parent across fork and exec, so under a large parent (a pytest-xdist worker) it says nothing
about the probe."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_RSS_MB = 300

PROBE = """
import json, resource, sys, time
from pathlib import Path
from ui.uploads import check_upload

def peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

path, layer = Path(sys.argv[1]), sys.argv[2]
data = path.read_bytes()
before = peak_mb()
started = time.perf_counter()
gdf, problems = check_upload(path.name, data, layer)
took = time.perf_counter() - started
print(json.dumps({"accepted": gdf is not None, "problems": [str(p) for p in problems],
                  "seconds": took, "rss_mb": peak_mb(), "rss_before_mb": before,
                  "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def zip_bomb(path: Path) -> Path:
    """A shapefile zip of about 1 MB holding a 1 GiB .shp (all zeros)."""
    info = zipfile.ZipInfo("schools.shp")
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open(info, "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(1024):
                fh.write(chunk)
        archive.writestr("schools.shx", bytes(100))
        archive.writestr("schools.dbf", bytes(100))
    return path


def xlsx_bomb(path: Path) -> Path:
    """A real workbook whose sheet XML unpacks to 400 MB of rows (the file is ~1 MB)."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["name", "lat", "lon"])
    buffer = io.BytesIO()
    book.save(buffer)
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>43.2</v></c><c><v>76.9</v></c></row>'
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item))
                continue
            sheet = zipfile.ZipInfo(item.filename)
            sheet.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(sheet, "w", force_zip64=True) as fh:
                fh.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats'
                         b'.org/spreadsheetml/2006/main"><sheetData>')
                block = row * ((1 << 20) // len(row))
                for _ in range(400):
                    fh.write(block)
                fh.write(b"</sheetData></worksheet>")
    return path


def probe(path: Path, layer: str) -> dict:
    run = subprocess.run([sys.executable, "-c", PROBE, str(path), layer], cwd=REPO,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("make", "name", "layer", "words"), [
    (zip_bomb, "bomb.zip", "institutions", "unpacks to"),
    (xlsx_bomb, "bomb.xlsx", "institutions", "unpacks to"),
])
def test_bombs_are_refused_in_bounded_memory(tmp_path: Path, make, name: str, layer: str,
                                             words: str) -> None:
    path = make(tmp_path / name)
    size = path.stat().st_size
    assert size < 3 * 2**20, size  # a small upload...
    with zipfile.ZipFile(path) as archive:  # ...that would unpack to hundreds of MB
        assert sum(i.file_size for i in archive.infolist()) > 350 * 2**20
    result = probe(path, layer)
    print(f"{name}: {size / 1024:.0f} KB refused in {result['seconds']:.2f} s, peak RSS "
          f"{result['rss_mb']:.0f} MB (after imports {result['rss_before_mb']:.0f} MB; "
          f"ru_maxrss {result['ru_maxrss_mb']:.0f} MB)")
    assert not result["accepted"]
    assert len(result["problems"]) == 1 and words in result["problems"][0]
    assert result["problems"][0].startswith(name)
    assert result["rss_mb"] < MAX_RSS_MB


def test_many_members_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for k in range(1500):
            archive.writestr(f"f{k}.txt", b"")
        archive.writestr("a.shp", b"")
    from ui.uploads import check_upload

    gdf, problems = check_upload(path.name, path.read_bytes(), "institutions")
    assert gdf is None and "1,501 files" in problems[0].message
