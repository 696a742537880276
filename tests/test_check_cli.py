"""`python -m geo check` as a user runs it (subprocess) and the subcommand dispatcher."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

import geo.__main__ as cli
from geo import check
from otbasy.cli import Command

ROOT = Path(__file__).resolve().parents[1]
KZ_2022 = ROOT / "data" / "boundaries" / "source" / "kaz_admbnda_adm1_2024.shp"  # official
CSV = ("ид;название;тип;мощность;дети;год;страна;широта;долгота\n"
       "1;Дом ребенка;дом ребенка;60;41;2022;KZ;43,2389;76,8897\n"
       "2;Детский дом;детский дом;80;52;2022;KZ;51,1605;71,4704\n")


def geo_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


def test_valid_file_exit_0_one_line(tmp_path):
    path = tmp_path / "реестр.csv"
    path.write_bytes(CSV.encode("cp1251"))
    result = geo_cli("check", str(path), "--layer", "institutions")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"{path}: 2 institutions records valid"]
    assert result.stderr == ""


def test_invalid_file_exit_2_one_line_per_problem(tmp_path):
    path = tmp_path / "institutions.csv"
    path.write_text(CSV.replace(";60;", ";abc;").replace("51,1605", "north"), encoding="utf-8")
    result = geo_cli("check", str(path), "--layer", "institutions")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{path}: row 1, field 'capacity': 'abc' is not a whole number",
        f"{path}: row 2, field 'широта': 'north' is not a coordinate",
    ]
    assert "Traceback" not in result.stderr


def test_unreadable_file_exit_2_one_clear_line(tmp_path):
    path = tmp_path / "garbage.csv"
    path.write_bytes(bytes(range(256)) * 4)
    result = geo_cli("check", str(path), "--layer", "centres")
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{path}: is a binary file, not text (CSV): is this the right file?"]
    assert result.stderr == ""


@pytest.mark.parametrize("name, data, fragment", [
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "not valid JSON"),
    ("absent.gpkg", None, "file not found"),
    ("table.xlsx", CSV.encode(), "has an .xlsx name but is text"),
])
def test_unreadable_file_in_process(tmp_path, capsys, name, data, fragment):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    assert cli.main(["check", str(path), "--layer", "centres"]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{path}: ") and fragment in lines[0]


def test_cod_ab_projected_shapefile_passes_boundaries_check(tmp_path):
    from geo.io import read_layer

    ours = read_layer(KZ_2022, "boundaries")
    cod = gpd.GeoDataFrame({
        "ADM0_EN": "Kazakhstan", "ADM0_PCODE": "KZ", "ADM1_EN": ours["name_en"],
        "ADM1_KK": ours["name_kk"], "ADM1_RU": ours["name_ru"],
        "ADM1_PCODE": ["KZ" + c.split("-")[1].zfill(3) for c in ours["code"]],
        "ADM1_REF": None, "date": "2023-01-19", "validOn": "2023-03-01", "validTo": None,
        "KATO": ours["kato"],
    }, geometry=ours.geometry.values, crs="EPSG:4326").to_crs("EPSG:32642")
    path = tmp_path / "kaz_admbnda_adm1.shp"
    cod.to_file(path)
    result = geo_cli("check", str(path), "--layer", "boundaries")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0] == f"{path}: 20 boundaries records valid"
    assert f"{path}: note: reprojected from EPSG:32642 to EPSG:4326" in result.stdout


def test_projected_csv_needs_and_accepts_crs(tmp_path, capsys):
    utm = gpd.GeoSeries([shapely.Point(76.8897, 43.2389)], crs="EPSG:4326").to_crs(32643)[0]
    path = tmp_path / "utm.csv"
    path.write_text("centre_id,name,kind,year,country,x,y\n"
                    f"c1,ЦПС,центр поддержки семьи,2024,KZ,{utm.x},{utm.y}\n", encoding="utf-8")
    assert cli.main(["check", str(path), "--layer", "centres"]) == 2
    assert "--crs EPSG:xxxx" in capsys.readouterr().out
    result = geo_cli("check", str(path), "--layer", "centres", "--crs", "EPSG:32643",
                     "--country", "kz")
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0] == f"{path}: 1 centres records valid"


def test_broken_subcommand_never_breaks_others(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(cli.SUBCOMMANDS, "broken", Command("geo.no_such_module"))
    assert cli.main(["--help"]) == 0
    listing = capsys.readouterr().out
    assert re.search(r"^  broken +\(unavailable: no module geo.no_such_module\)", listing, re.M)
    assert re.search(r"^  check +Check a layer file", listing, re.M)
    assert cli.main(["broken"]) == 2
    assert "unavailable (ModuleNotFoundError" in capsys.readouterr().err
    (tmp_path / "geo_broken_cmd.py").write_text('"""Broken on import."""\nimport nowhere\n')
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(cli.SUBCOMMANDS, "broken", Command("geo_broken_cmd"))
    assert cli.main(["--help"]) == 0
    assert re.search(r"^  broken +Broken on import\.", capsys.readouterr().out, re.M)
    assert cli.main(["broken", "x"]) == 2
    assert "python -m geo broken: unavailable (ModuleNotFoundError" in capsys.readouterr().err
    path = tmp_path / "x.csv"
    path.write_bytes(CSV.encode("utf-8"))
    assert cli.main(["check", str(path), "--layer", "institutions"]) == 0
    assert capsys.readouterr().out == f"{path}: 2 institutions records valid\n"


def test_unknown_subcommand_and_no_arguments(capsys):
    assert cli.main(["chek"]) == 2
    assert "unknown subcommand 'chek'" in capsys.readouterr().err
    assert cli.main([]) == 2


def test_unexpected_error_is_one_line_naming_the_file(monkeypatch, capsys):
    def explode(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(check, "read_layer", explode)
    args = argparse.Namespace(file="reg.xlsx", layer="foster", country=None, crs=None)
    assert check.run(args) == 2
    assert capsys.readouterr().out == \
        "reg.xlsx: could not be checked (RuntimeError: disk on fire)\n"
