"""`python -m geo check FILE --layer care`: good ministry tables load, bad ones get one clear
line per problem naming file, row and field, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geo.__main__ import main as geo_main
from geo.care import read_care, resolve_unit
from geo.validate import LayerError

ROOT = Path(__file__).resolve().parent.parent


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


def _xlsx(tmp_path: Path, rows: list[list], name: str = "care.xlsx") -> Path:
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    path = tmp_path / name
    book.save(path)
    return path


def _check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "check", str(path), "--layer", "care"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("unit,code", [
    ("KZ-61", "KZ-61"), ("kz61", "KZ-61"), ("610000000", "KZ-61"), ("Turkistan", "KZ-61"),
    ("Туркестанская область", "KZ-61"), ("Түркістан облысы", "KZ-61"),
    ("South Kazakhstan", "KZ-51"), ("510000000", "KZ-51"), ("Almaty (city)", "KZ-75"),
    ("Алматы", "KZ-75"), ("Astana", "KZ-71"), ("Абай облысы", "KZ-10"), ("Atlantis", None),
])
def test_unit_names_in_three_languages_and_kato(unit, code):
    assert resolve_unit(unit) == code


def test_long_layout_in_russian_headers(tmp_path):
    path = _write(tmp_path, "long.csv",
                  "Регион;Год;Показатель;Значение\n"
                  "Туркестанская область;2020;опека;1200\n"
                  "710000000;2020;entries_residential;15\n"
                  "Южно-Казахстанская область;2015;дети в домах ребенка;40\n")
    df = read_care(path)
    assert df[["unit_code", "version", "year", "measure", "value"]].values.tolist() == [
        ["KZ-61", 2018, 2020, "stock_guardianship", 1200],
        ["KZ-71", 2018, 2020, "entries_residential", 15],
        ["KZ-51", 2014, 2015, "res_baby_home", 40]]
    assert set(df["basis"]) == {"reported"} and not df["demo"].any()


def test_wide_by_year_in_kazakh_headers_xlsx(tmp_path):
    path = _xlsx(tmp_path, [["Ministry of Education, annual statistics"],
                            ["Облыс", "Көрсеткіш", "2021 жыл", "2022 жыл", "2023 жыл"],
                            ["Абай облысы", "қорғаншылық", None, 900, 880],
                            ["Қарағанды облысы", "entries_formal", 120, 110, 100]])
    df = read_care(path)
    assert len(df) == 5  # the empty 2021 cell of Abai (not an oblast before 2022) is no figure
    assert set(df.loc[df["unit_code"] == "KZ-10", "measure"]) == {"stock_guardianship"}
    assert df.loc[(df["unit_code"] == "KZ-35") & (df["year"] == 2021), "version"].item() == 2018


def test_wide_by_measure_windows_1251(tmp_path):
    path = _write(tmp_path, "wide.csv", "Область;Год;опека;патронат;Дети 0-17\n"
                  "Павлодарская область;2018;1109;122;200000\n", encoding="cp1251")
    df = read_care(path).set_index("measure")["value"]
    assert df.to_dict() == {"stock_guardianship": 1109, "stock_patronage": 122,
                            "children_0_17": 200000}


def test_bundled_series_passes_its_own_check():
    run = _check(ROOT / "data" / "care" / "kz_oblast_care.csv")
    assert run.returncode == 0, run.stdout[-2000:]
    assert "care records valid" in run.stdout


HEADER = "unit_code,year,measure,value\n"
BAD = {
    # name: (file name, content, expected fragment, row or None, field or None)
    "empty file": ("a.csv", "", "file is empty", None, None),
    "old excel": ("a.xls", "x", "old Excel", None, None),
    "no measure column": ("a.csv", "unit_code,year,value\nKZ-61,2020,5\n",
                          "missing required column 'measure'", None, "measure"),
    "no unit column": ("a.csv", "year,measure,value\n2020,entries_formal,5\n",
                       "missing required column 'unit_code'", None, "unit_code"),
    "unknown code": ("a.csv", HEADER + "KZ-99,2020,entries_formal,5\n",
                     "'KZ-99' is not a KZ unit code", 1, "unit_code"),
    "unknown name": ("a.csv", HEADER + "Atlantis,2020,entries_formal,5\n",
                     "'Atlantis' is not a KZ unit code", 1, "unit_code"),
    "unit not in the year's boundaries": ("a.csv", HEADER + "KZ-61,2010,entries_formal,5\n",
                                          "not a unit of the 2014 boundaries", 1, "unit_code"),
    "unknown boundary version": ("a.csv", "unit_code,version,year,measure,value\n"
                                 "KZ-61,2016,2020,entries_formal,5\n",
                                 "2016 is not a KZ boundary version", 1, "version"),
    "unknown measure": ("a.csv", HEADER + "KZ-61,2020,happiness,5\n",
                        "'happiness' is not a care measure", 1, "measure"),
    "not a number": ("a.csv", HEADER + "KZ-61,2020,entries_formal,many\n",
                     "'many' is not a whole number", 1, "value"),
    "negative count": ("a.csv", HEADER + "KZ-61,2020,entries_formal,-3\n",
                       "below the minimum 0", 1, "value"),
    "fractional count": ("a.csv", HEADER + "KZ-61,2020,entries_formal,12.5\n",
                         "'12.5' is not a whole number", 1, "value"),
    "absurd count": ("a.csv", HEADER + "KZ-61,2020,entries_formal,900000000\n",
                     "above the maximum", 1, "value"),
    "year out of range": ("a.csv", HEADER + "KZ-61,1890,entries_formal,5\n",
                          "below the minimum 1991", 1, "year"),
    "year not a number": ("a.csv", HEADER + "KZ-61,last year,entries_formal,5\n",
                          "'last year' is not a whole number", 1, "year"),
    "missing value": ("a.csv", HEADER + "KZ-61,2020,entries_formal,\n", "missing value", 1,
                      "value"),
    "duplicate figure": ("a.csv", HEADER + "KZ-61,2020,entries_formal,5\n"
                         "Туркестанская область,2020,entries_formal,6\n",
                         "given twice (first in row 1)", 2, "measure"),
    "part larger than whole": ("a.csv", HEADER + "KZ-61,2020,entries_residential,5\n"
                               "KZ-61,2020,entries_residential_under3,9\n",
                               "exceeds entries_residential = 5", 2, "value"),
    "other country": ("a.csv", "country,unit_code,year,measure,value\n"
                      "KG,KZ-61,2020,entries_formal,5\n", "'KG' is not KZ", 1, "country"),
    "bad demo flag": ("a.csv", "unit_code,year,measure,value,demo\n"
                      "KZ-61,2020,entries_formal,5,maybe\n", "'maybe' is not true/false", 1,
                      "demo"),
    "stray delimiter": ("a.csv", HEADER + "KZ-61,2020,entries_formal,5,7\n",
                        "has 5 values but the header has 4 columns", 1, None),
    "binary file": ("a.csv", "\x00\x01\x02PNG" * 50, "binary file", None, None),
    "wide year header typo": ("a.csv", "unit_code,measure,2019,20l9\nKZ-61,entries_formal,5,6\n",
                              "column not recognised", None, "20l9"),
    "wide bad cell": ("a.csv", "unit_code,measure,2019,2020\nKZ-61,entries_formal,5,n/a\n",
                      "'n/a' is not a whole number", 1, "2020"),
}


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_care_file_gets_a_row_field_message(tmp_path, capsys, kind):
    name, text, fragment, row, field = BAD[kind]
    path = tmp_path / name
    if text.startswith("\x00"):
        path.write_bytes(text.encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_care(path)
    problems = [p for p in err.value.problems if fragment in p.message]
    assert problems, [str(p) for p in err.value.problems]
    assert (problems[0].row, problems[0].field) == (row, field)
    assert geo_main(["check", str(path), "--layer", "care"]) == 2
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if fragment in ln)
    assert line.startswith(str(path)) and (row is None or f"row {row}" in line)
    assert field is None or f"field '{field}'" in line


def test_cli_never_shows_a_traceback(tmp_path):
    path = _write(tmp_path, "bad.csv", HEADER + "KZ-99,2020,happiness,-1\n")
    run = _check(path)
    assert run.returncode == 2 and "Traceback" not in run.stdout + run.stderr
    assert len(run.stdout.splitlines()) == 3


def test_xlsx_that_is_really_csv(tmp_path):
    path = _write(tmp_path, "a.xlsx", HEADER + "KZ-61,2020,entries_formal,5\n")
    with pytest.raises(LayerError, match="has an .xlsx name but is text"):
        read_care(path)


def test_many_problems_are_capped(tmp_path):
    path = _write(tmp_path, "many.csv", HEADER + "".join(
        f"KZ-61,2020,bad_{i},x\n" for i in range(500)))
    with pytest.raises(LayerError) as err:
        read_care(path)
    assert len(err.value.problems) == 201
    assert "more problems" in err.value.problems[-1].message


def test_a_valid_file_round_trips_the_bundled_rows(tmp_path):
    bundled = pd.read_csv(ROOT / "data" / "care" / "kz_oblast_care.csv")
    sample = bundled[bundled["year"] == 2005].head(200)
    path = tmp_path / "sample.csv"
    sample.to_csv(path, index=False)
    df = read_care(path)
    assert df["value"].tolist() == sample["value"].tolist()
    assert df["unit_code"].tolist() == sample["unit_code"].tolist()
