"""The official COD-AB boundary files (geokz, bundled unchanged in data/boundaries/source)
import at both levels; identifiers are resolved by precedence and cross-checked per row."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.io import read_layer
from geo.validate import LayerError

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "boundaries" / "source"
FILES = {"kaz_admbnda_adm1_2024": ("oblast", 20), "kaz_admbnda_adm2_2024": ("district", 224),
         "kaz_admbnda_adm1_2018": ("oblast", 17), "kaz_admbnda_adm2_2018": ("district", 216)}


@pytest.mark.parametrize("stem", sorted(FILES))
def test_geo_check_accepts_the_official_files_unchanged(stem: str) -> None:
    path = SOURCE / f"{stem}.shp"
    result = subprocess.run([sys.executable, "-m", "geo", "check", str(path), "--layer",
                             "boundaries"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"{path}: {FILES[stem][1]} boundaries records valid"


@pytest.fixture(scope="module")
def raw() -> dict[str, gpd.GeoDataFrame]:
    return {stem: gpd.read_file(SOURCE / f"{stem}.shp") for stem in FILES}


@pytest.mark.parametrize("stem", sorted(FILES))
def test_codes_come_from_kato_and_agree_with_every_other_identifier(raw, stem: str) -> None:
    level, count = FILES[stem]
    gdf = read_layer(SOURCE / f"{stem}.shp", "boundaries")
    src = raw[stem]
    assert len(gdf) == count and (gdf["level"] == level).all()
    assert list(gdf["kato"]) == list(src["KATO"])
    assert set(gdf["country"]) == {"KZ"} and set(gdf["version"]) == {int(stem[-4:])}
    if level == "oblast":
        assert list(gdf["code"]) == ["KZ-" + k[:2] for k in src["KATO"]]
        assert gdf["parent_code"].isna().all()
    else:
        assert list(gdf["code"]) == list(src["ADM2_PCODE"])
        assert list(gdf["parent_code"]) == ["KZ-" + p[2:] for p in src["ADM1_PCODE"]]
        assert list(gdf["name_ru"]) == list(src["ADM2_RU"])


def _write(tmp_path: Path, frame: gpd.GeoDataFrame, name: str) -> Path:
    path = tmp_path / f"{name}.shp"
    frame.to_file(path)
    return path


def test_kato_disagreeing_with_pcode_is_a_row_message(raw, tmp_path) -> None:
    src = raw["kaz_admbnda_adm1_2024"].copy()
    src.loc[2, "ADM1_PCODE"] = "KZ11"  # row 3 is Aktobe, KATO 150000000
    path = _write(tmp_path, src, "kaz_admbnda_adm1_2024")
    with pytest.raises(LayerError) as err:
        read_layer(path, "boundaries")
    messages = [str(p) for p in err.value.problems]
    assert f"{path}: row 3, field 'code': KATO '150000000' (KZ-15) disagrees with " \
           "ADM1_PCODE 'KZ11' (KZ-11)" in messages
    assert len(messages) == 1  # the duplicate KZ-11 never arises: KATO decides


def test_district_cross_checks(raw, tmp_path) -> None:
    src = raw["kaz_admbnda_adm2_2024"].copy()
    src.loc[0, "ADM2_PCODE"] = "KZ101800"  # row 1: Semey, KATO 101000000
    src.loc[4, "ADM1_PCODE"] = "KZ11"      # row 5: an Abai district said to be in Akmola
    src.loc[6, "KATO"] = "10380"           # row 7: a truncated KATO
    path = _write(tmp_path, src, "adm2")
    with pytest.raises(LayerError) as err:
        read_layer(path, "boundaries")
    got = {(p.row, p.field): p.message for p in err.value.problems}
    assert got[(1, "code")] == ("KATO '101000000' (KZ101000) disagrees with ADM2_PCODE "
                                "'KZ101800' (KZ101800)")
    assert got[(5, "parent_code")].startswith("KATO '103400000' (KZ-10) disagrees with "
                                              "ADM1_PCODE 'KZ11' (KZ-11)")
    assert got[(7, "code")] == "KATO '10380' is not a district code"


@pytest.mark.parametrize("stem", ["kaz_admbnda_adm1_2024", "kaz_admbnda_adm2_2018"])
def test_older_vintage_with_pcodes_and_names_only(raw, tmp_path, stem: str) -> None:
    """Older COD-AB vintages carry no KATO and no ISO column; PCODEs decide."""
    full = read_layer(SOURCE / f"{stem}.shp", "boundaries")
    old = raw[stem].drop(columns=["KATO", "ISO_3166_2"]).rename(columns={"Year": "validOn"})
    gdf = read_layer(_write(tmp_path, old, stem), "boundaries")
    assert list(gdf["code"]) == list(full["code"])
    assert list(gdf["parent_code"].fillna("")) == list(full["parent_code"].fillna(""))
    assert list(gdf["kato"]) == list(full["kato"])  # rebuilt from the PCODE


def test_iso_alpha_then_names_when_nothing_better(raw, tmp_path) -> None:
    src = raw["kaz_admbnda_adm1_2024"]
    full = read_layer(SOURCE / "kaz_admbnda_adm1_2024.shp", "boundaries")
    iso_only = src.drop(columns=["KATO", "ADM1_PCODE"])
    gdf = read_layer(_write(tmp_path, iso_only, "iso"), "boundaries")
    assert list(gdf["code"]) == list(full["code"])
    names_only = src.drop(columns=["KATO", "ADM1_PCODE", "ISO_3166_2"])
    gdf = read_layer(_write(tmp_path, names_only, "names"), "boundaries")
    assert list(gdf["code"]) == list(full["code"])
    districts = raw["kaz_admbnda_adm2_2024"].drop(columns=["KATO", "ADM2_PCODE"])
    gdf = read_layer(_write(tmp_path, districts, "dnames"), "boundaries")
    ref = read_layer(SOURCE / "kaz_admbnda_adm2_2024.shp", "boundaries")
    assert list(gdf["code"]) == list(ref["code"])  # names within their oblast


def test_unknown_iso_code_and_unidentifiable_row(raw, tmp_path) -> None:
    src = raw["kaz_admbnda_adm1_2024"].drop(columns=["KATO", "ADM1_PCODE"]).copy()
    src.loc[0, "ISO_3166_2"] = "KZ-XXX"
    src.loc[1, ["ISO_3166_2", "ADM1_EN", "ADM1_RU", "ADM1_KK"]] = [None, "Atlantis", None, None]
    path = _write(tmp_path, src, "bad")
    with pytest.raises(LayerError) as err:
        read_layer(path, "boundaries")
    got = {(p.row, p.field): p.message for p in err.value.problems}
    assert got[(1, "code")] == "ISO_3166_2 'KZ-XXX' is not a unit code"
    assert got[(2, "code")].startswith("no KATO, PCODE, ISO code or known name identifies")
