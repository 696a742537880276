"""geo.layers: the loading API over the bundled data (versions, filters, caching, Layers)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from geo import layers


def test_countries_and_versions() -> None:
    assert layers.countries() == ["KZ", "KG", "TJ", "TM", "UZ"]
    assert layers.boundary_versions("KZ") == [2014, 2018, 2022]
    assert layers.boundary_versions("kz") == [2014, 2018, 2022]
    assert {cc: layers.default_version(cc) for cc in layers.countries()} == {
        "KZ": 2022, "KG": 2014, "TJ": 2014, "TM": 2014, "UZ": 2014}


def test_load_boundaries_defaults_and_errors() -> None:
    assert len(layers.load_boundaries()) == 20
    assert len(layers.load_boundaries("KZ", level="district")) == 224
    assert layers.boundary_levels("KZ") == ["oblast", "district"]
    assert set(layers.load_boundaries("KZ", 2018)["version"]) == {2018}
    with pytest.raises(ValueError, match="no district boundaries for KG 2014"):
        layers.load_boundaries("KG", level="district")
    with pytest.raises(ValueError, match="unknown level 'raion'"):
        layers.load_boundaries("KZ", level="raion")
    with pytest.raises(ValueError, match="2014, 2018, 2022"):
        layers.load_boundaries("KZ", 2019)
    with pytest.raises(ValueError, match="unknown country 'RU'"):
        layers.load_boundaries("RU")


def test_reads_are_cached_and_copies_returned(monkeypatch) -> None:
    layers._read_cached.cache_clear()
    calls: list[str] = []
    real = gpd.read_parquet
    monkeypatch.setattr(layers.gpd, "read_parquet", lambda p: calls.append(p) or real(p))
    first = layers.load_boundaries("TJ")
    first.loc[0, "name_en"] = "changed"
    second = layers.load_boundaries("TJ")
    assert len(calls) == 1
    assert "changed" not in set(second["name_en"])


def test_settlements_filter() -> None:
    everything = layers.load_settlements()
    kg = layers.load_settlements("KG")
    assert set(kg["country"]) == {"KG"} and 0 < len(kg) < len(everything)
    assert len(kg) == (everything["country"] == "KG").sum()


def test_missing_facility_file_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(layers, "FACILITY_DIR", tmp_path)
    for loader, name in ((layers.load_institutions, "institutions"),
                         (layers.load_centres, "centres"), (layers.load_foster, "foster")):
        with pytest.raises(FileNotFoundError, match=f"{name}.geojson"):
            loader()


def _synthetic_facilities(folder: Path) -> gpd.GeoDataFrame:
    """One facility at each of a few real settlements, unit_code deliberately 'stale'."""
    s = layers.load_settlements()
    kz = s[s["settlement_id"].isin(["gn:1518980", "gn:1519422", "gn:9858283"])]  # Tyuratam:
    pick = pd.concat([kz, s[s["country"] == "KG"].head(2)])  # in NE's Baikonur hole
    fac = gpd.GeoDataFrame({"settlement_id": pick["settlement_id"].to_numpy(),
                            "country": pick["country"].to_numpy(), "unit_code": "FILE",
                            "demo": True}, geometry=pick.geometry.to_numpy(), crs=4326)
    for name in ("institutions", "centres", "foster"):
        fac.to_file(folder / f"{name}.geojson", driver="GeoJSON")
    return pick


def test_load_layers_assigns_units_for_the_version(monkeypatch, tmp_path: Path) -> None:
    pick = _synthetic_facilities(tmp_path).set_index("settlement_id")
    monkeypatch.setattr(layers, "FACILITY_DIR", tmp_path)
    old = layers.load_layers("KZ", 2014)
    assert isinstance(old, layers.Layers) and (old.country, old.version) == ("KZ", 2014)
    assert len(old.boundaries) == 16
    assert (old.settlements["country"] == "KZ").all()
    assert old.settlements["unit_code"].tolist() == old.settlements["unit_2014"].tolist()
    for frame in (old.institutions, old.centres, old.foster):
        assert (frame["country"] == "KZ").all() and len(frame) == 3
        want = frame["settlement_id"].map(pick["unit_2014"])
        assert frame["unit_code"].tolist() == want.tolist()  # recomputed, not the file's
    default = layers.load_layers("KZ")
    assert default.version == 2022 and len(default.boundaries) == 20
    assert len(default.districts) == 224 and default.units("district") is default.districts
    assert default.institutions["unit_code"].tolist() == \
        default.institutions["settlement_id"].map(pick["unit_2022"]).tolist()  # never the file's
    parent = default.districts.set_index("code")["parent_code"]
    for frame in (default.settlements, default.institutions):
        assert (frame["district_code"].map(parent) == frame["unit_code"]).all()
    kg = layers.load_layers("KG")
    assert set(kg.boundaries["country"]) == {"KG"} == set(kg.institutions["country"])
    assert kg.settlements["unit_code"].tolist() == kg.settlements["unit_2014"].tolist()
    assert kg.districts is None and kg.settlements["district_code"].isna().all()


def test_load_layers_on_bundled_facilities() -> None:
    got = layers.load_layers("KZ", 2018)
    codes = set(got.boundaries["code"])
    for frame in (got.institutions, got.centres, got.foster):
        assert len(frame) > 0 and set(frame["unit_code"]) <= codes
    uz = layers.load_layers("UZ")
    assert set(uz.settlements["country"]) == {"UZ"} and uz.settlements["unit_code"].notna().all()
