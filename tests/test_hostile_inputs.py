"""Hostile inputs end in a documented exit code or a list of problems, never a traceback.

A corpus of more than 100 hostile scenario files (deep nesting, 5,000-digit numbers, int32 and
int64 overflow, huge texts and lists, NaN/infinity, paths for road graphs, binary junk, server
limits exceeded) must each make `python -m planning solve` exit 2 with one line; more than 30
malformed uploads (hostile names, csv.Error, OverflowError, ValueError sources, bad CRSs,
broken archives) must each come back from `ui.uploads.check_upload` as problems.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest

from planning.__main__ import main as planning_main
from ui.uploads import check_upload

REPO = Path(__file__).resolve().parents[1]
INT_FIELDS = [("candidates", "min_population"), ("candidates", "max_new"),
              ("capacity", "social_workers"), ("capacity", "children_per_worker"),
              ("capacity", "max_centres_per_site"), ("conversion", "social_workers"),
              ("budget", "horizon_years"), ("family_care", "places_per_foster_family"),
              ("family_care", "professional_family_children"), ("solver", "threads")]
FLOAT_FIELDS = [("travel", "standard_minutes"), ("travel", "speed_kmh"),
                ("budget", "total_kzt"), ("candidates", "capex_kzt"),
                ("family_care", "carer_kzt_per_month"), ("solver", "time_limit_seconds")]
REGION = '[region]\nunits = ["KZ-59"]\n'


@cache
def hostile_scenarios() -> dict[str, bytes]:
    """name -> file content; every one must be refused with exit 2."""
    out: dict[str, bytes] = {}
    for depth in (100, 1000, 5000, 100_000):
        out[f"deep_array_{depth}.toml"] = f"a = {'[' * depth}{']' * depth}\n".encode()
        out[f"deep_json_{depth}.json"] = ("[" * depth + "]" * depth).encode()
    out["deep_inline_tables.toml"] = ("a = " + "{b = " * 3000 + "1" + "}" * 3000).encode()
    out["deep_dotted_key.toml"] = ("x" + ".x" * 5000 + " = 1\n").encode()
    out["deep_json_objects.json"] = ('{"a":' * 5000 + "1" + "}" * 5000).encode()
    for digits in (4301, 5000, 100_000):
        out[f"digits_{digits}_top.toml"] = f"coverage_target = {'9' * digits}\n".encode()
        out[f"digits_{digits}.json"] = f'{{"boundary_version": {"9" * digits}}}'.encode()
    for section, key in INT_FIELDS:
        for label, value in (("int32", 2**31), ("int64", 2**63), ("huge", 10**40),
                             ("negint64", -(2**63) - 1)):
            if label == "huge" and section not in ("capacity", "solver"):
                continue
            out[f"{label}_{section}_{key}.toml"] = (
                f"{REGION}[{section}]\n{key} = {value}\n").encode()
    for section, key in FLOAT_FIELDS:
        for label, value in (("inf", "inf"), ("nan", "nan"), ("big", "1e300"),
                             ("negbig", "-1.7976931348623157e308")):
            out[f"{label}_{section}_{key}.toml"] = (
                f"{REGION}[{section}]\n{key} = {value}\n").encode()
    out["threads_million.toml"] = f"{REGION}[solver]\nthreads = 1000000\n".encode()
    out["time_limit_year.toml"] = f"{REGION}[solver]\ntime_limit_seconds = 31536000\n".encode()
    out["time_limit_zero.toml"] = f"{REGION}[solver]\ntime_limit_seconds = 0\n".encode()
    out["time_limit_negative.toml"] = f"{REGION}[solver]\ntime_limit_seconds = -1\n".encode()
    out["name_1mb.toml"] = f'name = "{"x" * (1 << 20)}"\n'.encode()
    out["name_10k.toml"] = f'name = "{"я" * 10_000}"\n'.encode()
    out["name_nul.json"] = json.dumps({"name": "a\u0000b", "country": "XX"}).encode()
    out["site_ids_200k.json"] = json.dumps({"candidates": {"mode": "list", "site_ids": [
        f"gn:{k}" for k in range(200_000)]}}).encode()
    out["must_open_150k.toml"] = ("[sites]\nmust_open = [" + ",".join(
        f'"{k}"' for k in range(150_000)) + "]\n").encode()
    out["unknown_keys_20k.toml"] = "".join(f"k{k} = 1\n" for k in range(20_000)).encode()
    out["unknown_key_1mb.toml"] = (f"{'k' * 900_000} = 1\n").encode()
    out["key_junk_unicode.toml"] = '"\u202e\u0000" = 1\n'.encode()
    for graph in ("/etc/passwd", "../../etc/shadow", "/proc/self/environ", "C:\\\\boot.ini",
                  "roads/../../x", "~/.ssh/id_rsa", ".hidden", "a" * 500):
        safe = "".join(ch if ch.isalnum() else "_" for ch in graph)[:20]
        out[f"graph_{safe}.toml"] = (f'{REGION}[travel]\nprovider = "road"\n'
                                     f'graph = "{graph}"\n').encode()
    out["graph_path_legacy.toml"] = f'{REGION}[travel]\ngraph_path = "/etc/passwd"\n'.encode()
    for label, content in (("binary", bytes(range(256)) * 40), ("utf16", "name = 'x'".encode(
            "utf-16")), ("latin1", "name = 'caf\xe9'".encode("latin-1")),
            ("bom_junk", b"\xef\xbb\xbf\xff\xfe"), ("only_nul", b"\x00" * 1000),
            ("too_big", b"# " + b"x" * (2 << 20) + b"\n")):
        out[f"{label}.toml"] = content
    for label, data in (("array", [1, 2]), ("null", None), ("string", "scenario"),
                        ("number", 5), ("bool", True)):
        out[f"json_{label}.json"] = json.dumps(data).encode()
    wrong_types = {"region": "KZ-10", "travel": 5, "solver": [1], "budget": {"total_kzt": "a"},
                   "capacity": {"enabled": "yes"}, "objective": {"x": 1},
                   "candidates": {"site_ids": [{"a": 1}]}, "sites": {"must_open": "x"},
                   "equity": {"min_unit_coverage": [0.5]}, "country": 7}
    for key, value in wrong_types.items():
        out[f"type_{key}.json"] = json.dumps({key: value}).encode()
    out["country_kz_units_foreign.toml"] = b'[region]\nunits = ["XX-1' + b"0" * 5000 + b'"]\n'
    out["broken_toml.toml"] = b"[solver\nthreads = 2\n"
    out["broken_json.json"] = b'{"name": '
    out["unit_codes_unknown.toml"] = b'[region]\nunits = ["KZ-99", "KZ-98"]\n'
    return out


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("... ")]


def test_corpus_is_large_enough() -> None:
    assert len(hostile_scenarios()) >= 100


@pytest.mark.parametrize("name", sorted(hostile_scenarios()))
def test_hostile_scenario_exits_2_with_one_line(name: str, tmp_path: Path, capsys) -> None:
    path = tmp_path / name
    path.write_bytes(hostile_scenarios()[name])
    code = planning_main(["solve", str(path), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    lines = _error_lines(captured.err)
    assert code == 2, (code, captured.err[:500])
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err[:2000]
    assert len(lines[0]) < 700 and "Traceback" not in captured.err
    assert not (tmp_path / "out").exists()


def planning_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planning", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


def test_as_programs_deep_digits_overflow_and_out_file(tmp_path: Path) -> None:
    corpus = hostile_scenarios()
    for name in ("deep_array_5000.toml", "digits_5000_top.toml",
                 "int32_family_care_places_per_foster_family.toml", "threads_million.toml",
                 "graph__etc_passwd.toml"):
        (tmp_path / name).write_bytes(corpus[name])
        run = planning_cli("solve", str(tmp_path / name), "--out", str(tmp_path / "o"))
        assert run.returncode == 2 and len(_error_lines(run.stderr)) == 1, (name, run.stderr)
    ok = tmp_path / "ok.toml"
    ok.write_text(REGION)
    (tmp_path / "afile").write_text("keep me")
    for out in ("afile", "afile/sub"):
        run = planning_cli("solve", str(ok), "--out", str(tmp_path / out))
        assert run.returncode == 2 and "is a file" in run.stderr, run.stderr
        assert len(_error_lines(run.stderr)) == 1
    assert (tmp_path / "afile").read_text() == "keep me"


def test_tiny_time_limit_exits_4_with_every_file(tmp_path: Path) -> None:
    path = tmp_path / "tiny.toml"
    path.write_text('[region]\nunits = ["KZ-75", "KZ-71"]\n[solver]\ntime_limit_seconds = 1e-9\n')
    run = planning_cli("solve", str(path), "--out", str(tmp_path / "out"), "--map")
    assert run.returncode == 4, run.stderr
    assert "Traceback" not in run.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["status"] == "time_limit"
    assert (tmp_path / "out" / "map.html").stat().st_size > 0


# --- uploads ---------------------------------------------------------------------------------

HEADER = "institution_id,name,type,capacity,children,year,country,lat,lon\n"
ROW = "i1,Home,childrens_home,50,20,2024,KZ,43.25,76.95\n"


def _zip(members: dict[str, bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _shapefile_members(prj: bytes) -> dict[str, bytes]:
    import tempfile

    import geopandas as gpd
    from shapely.geometry import Point

    with tempfile.TemporaryDirectory() as tmp:
        gpd.GeoDataFrame({"name": ["a"]}, geometry=[Point(500000, 4800000)]).to_file(
            Path(tmp) / "x.shp")
        members = {f"x{ext}": (Path(tmp) / f"x{ext}").read_bytes()
                   for ext in (".shp", ".shx", ".dbf")}
    return {**members, "x.prj": prj}


def hostile_uploads() -> dict[str, tuple[str, bytes, str]]:
    """case -> (file name, bytes, layer); none may be accepted or raise."""
    csv_ok = (HEADER + ROW).encode()
    cases: dict[str, tuple[str, bytes, str]] = {
        "name_dotdot": ("..", csv_ok.replace(b"50", b"x"), "institutions"),
        "name_nul": ("a\x00b.csv", csv_ok.replace(b"50", b"x"), "institutions"),
        "name_266_bytes": ("n" * 262 + ".csv", csv_ok, "institutions"),
        "name_traversal": ("../../etc/passwd.csv", csv_ok.replace(b"50", b"x"), "institutions"),
        "name_newline": ("bad\nname.csv", csv_ok.replace(b"50", b"x"), "institutions"),
        "name_no_suffix": ("upload", csv_ok, "institutions"),
        "name_xls": ("old.xls", b"\xd0\xcf\x11\xe0" + bytes(100), "institutions"),
        "csv_field_over_limit": ("big.csv", (HEADER + 'i1,"' + "x" * 200_000 + '",a,b,1,1,1,1\n'
                                             ).encode(), "institutions"),
        "csv_nul_late": ("nul.csv", (HEADER + ROW * 300).encode() + b"a\x00b,1\n",
                         "institutions"),
        "csv_5000_digits": ("d.csv", (HEADER + f"i1,H,childrens_home,{'9' * 5000},1,2024,KZ,43,76\n"
                                      ).encode(), "institutions"),
        "csv_int32_overflow": ("o.csv", (HEADER + "i1,H,childrens_home,99999999999999999999"
                                         ",1,2024,KZ,43,76\n").encode(), "institutions"),
        "csv_coordinate_1e309": ("c.csv", (HEADER + "i1,H,childrens_home,5,1,2024,KZ,1e309,76\n"
                                           ).encode(), "institutions"),
        "csv_coordinate_digits": ("c2.csv", (HEADER + "i1,H,childrens_home,5,1,2024,KZ,"
                                             + "4" * 5000 + ",76\n").encode(), "institutions"),
        "csv_250k_rows": ("rows.csv", (HEADER + ROW * 250_000).encode(), "institutions"),
        "csv_header_10mb": ("h.csv", ("x" * 10_000_000 + ",lat,lon\n1,2,3\n").encode(),
                            "institutions"),
        "csv_only_quotes": ("q.csv", b'"' * 5000, "institutions"),
        "csv_utf16_broken": ("u.csv", b"\xff\xfe" + b"\x00\xd8" * 100, "institutions"),
        "geojson_deep": ("d.geojson", b"[" * 50_000 + b"]" * 50_000, "institutions"),
        "geojson_digits": ("n.geojson", ('{"type":"FeatureCollection","features":[{"type":'
                                         '"Feature","properties":{},"geometry":{"type":"Point",'
                                         f'"coordinates":[{"7" * 5000},43]}}}}]}}').encode(),
                           "institutions"),
        "geojson_nan": ("nan.geojson", b'{"type":"FeatureCollection","features":[{"type":'
                                       b'"Feature","properties":{"name":NaN},"geometry":{"type":'
                                       b'"Point","coordinates":[Infinity,-Infinity]}}]}',
                        "institutions"),
        "geojson_crs_geocent": ("g.geojson", json.dumps({
            "type": "FeatureCollection", "crs": {"type": "name", "properties": {
                "name": "+proj=geocent +datum=WGS84"}},
            "features": [{"type": "Feature", "properties": {"name": "a"}, "geometry": {
                "type": "Point", "coordinates": [1e6, 2e6]}}]}).encode(), "institutions"),
        "geojson_crs_10mb": ("c.geojson", json.dumps({
            "type": "FeatureCollection", "crs": {"type": "name", "properties": {
                "name": "EPSG:" + "9" * 5_000_000}}, "features": []}).encode(), "institutions"),
        "geojson_ring_huge_numbers": ("r.geojson", json.dumps({
            "type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
                                                       "geometry": {"type": "Polygon",
                                                                    "coordinates": [[[1e308, 1e308],
                                                                                     [-1e308, 0],
                                                                                     [0, 1e308]]]}}]
        }).encode(), "boundaries"),
        "xlsx_not_zip": ("t.xlsx", csv_ok, "institutions"),
        "xlsx_truncated_zip": ("t.xlsx", _zip({"[Content_Types].xml": b"<x/>"})[:-30],
                               "institutions"),
        "xlsx_garbage_zip": ("g.xlsx", _zip({"xl/workbook.xml": b"<<<<"}), "institutions"),
        "zip_empty": ("e.zip", _zip({}), "institutions"),
        "zip_traversal": ("t.zip", _zip({"../../../tmp/x.shp": b"x", "../../../tmp/x.shx": b"x",
                                         "../../../tmp/x.dbf": b"x"}), "institutions"),
        "zip_bad_prj": ("p.zip", _zip(_shapefile_members(b"this is not a CRS")),
                        "institutions"),
        "zip_geocent_prj": ("g.zip", _zip(_shapefile_members(
            b'GEOCCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],'
            b'PRIMEM["Greenwich",0],UNIT["metre",1]]')), "institutions"),
        "zip_not_zip": ("n.zip", b"PK\x03\x04" + bytes(200), "institutions"),
        "gpkg_fake": ("f.gpkg", b"SQLite format 3\x00" + bytes(5000), "institutions"),
        "shp_alone": ("x.shp", bytes(200), "institutions"),
        "empty": ("e.csv", b"", "institutions"),
        "over_upload_limit": ("big.geojson", b" " * (51 * 2**20), "institutions"),
    }
    return cases


def test_upload_corpus_is_large_enough() -> None:
    assert len(hostile_uploads()) >= 30
    gdf, problems = check_upload("ok.csv", (HEADER + ROW).encode(), "institutions")
    assert problems == [] and len(gdf) == 1  # the base the hostile cases are built from


@pytest.mark.parametrize("case", sorted(hostile_uploads()))
def test_hostile_upload_returns_problems(case: str) -> None:
    name, data, layer = hostile_uploads()[case]
    gdf, problems = check_upload(name, data, layer)
    assert gdf is None and problems, case
    for problem in problems:
        text = str(problem)
        assert "\n" not in text and "\x00" not in text and len(text) < 800, text[:300]
        assert "/tmp" not in text, text  # never the server's temporary path
        assert problem.file and len(problem.file) <= 100


# --- the other command lines -------------------------------------------------------------------

def _program(module: str, *args: str, env: dict[str, str] | None = None,
             stdin: str = "") -> subprocess.CompletedProcess:
    import os

    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, input=stdin,
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})


def test_geo_check_exits_2_on_hostile_files(tmp_path: Path) -> None:
    cases = hostile_uploads()
    for case in ("geojson_deep", "geojson_digits", "csv_field_over_limit", "zip_bad_prj",
                 "geojson_crs_geocent", "csv_250k_rows", "xlsx_garbage_zip", "csv_header_10mb"):
        name, data, layer = cases[case]
        path = tmp_path / name
        path.write_bytes(data)
        run = _program("geo", "check", str(path), "--layer", layer)
        assert run.returncode == 2 and "Traceback" not in run.stderr, (case, run.stderr[-500:])
        lines = run.stdout.splitlines()
        assert 1 <= len(lines) <= 5 and all(len(line) < 800 for line in lines), (case, lines)
    bad_crs = tmp_path / "ok.csv"
    bad_crs.write_text(HEADER + ROW)
    for crs in ("+proj=geocent +datum=WGS84", "EPSG:" + "9" * 5000, "nonsense"):
        run = _program("geo", "check", str(bad_crs), "--layer", "institutions", "--crs", crs)
        assert run.returncode == 2 and len(run.stdout.splitlines()) == 1, run.stdout[:500]


def test_access_cli_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {"OTBASY_CREDENTIALS": str(tmp_path / "c.yaml"),
           "OTBASY_AUDIT": str(tmp_path / "a.sqlite")}
    (tmp_path / "folder.yaml").mkdir()
    (tmp_path / "garbage.yaml").write_bytes(b"users: [" * 10_000)
    password = "correct-horse-42\n"  # pragma: allowlist secret - test-only
    for args, stdin in (
            (["add", "admin\n", "--role", "admin", "--password-stdin"], password),
            (["add", "x" * 5000, "--role", "admin", "--password-stdin"], password),
            (["add", "ok", "--role", "planner", "--units", "KZ-1" + "0" * 5000,
              "--password-stdin"], password),
            (["add", "ok", "--role", "admin", "--password-stdin"], "x1" * 3000 + "\n"),
            (["--file", str(tmp_path / "folder.yaml"), "list"], ""),
            (["--file", str(tmp_path / "garbage.yaml"), "list"], ""),
            (["remove", "nobody"], ""),
            (["verify-audit", "--audit", str(tmp_path / "none.sqlite")], "")):
        run = _program("access", *args, env=env, stdin=stdin)
        assert run.returncode == 2, (args[:2], run.returncode, run.stderr[-300:])
        lines = run.stderr.splitlines()
        assert len(lines) == 1 and len(lines[0]) < 700 and "Traceback" not in run.stderr, lines
