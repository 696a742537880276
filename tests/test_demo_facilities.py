"""The bundled demo facilities: calibrated totals, placement, schema, determinism, provenance."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo import calibration as cal
from geo.schema import CENTRE_KINDS, INSTITUTION_TYPES, OPERATORS
from geo.validate import validate
from scripts import build_demo_facilities as demo

ROOT = Path(__file__).resolve().parent.parent
FACILITIES = ROOT / "data" / "facilities"
LAYER_NAMES = ("institutions", "centres", "foster")


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {name: gpd.read_file(FACILITIES / f"{name}.geojson") for name in LAYER_NAMES}


@pytest.fixture(scope="module")
def settlements() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "settlements" / "settlements.geojson")


@pytest.fixture(scope="module")
def kz_2022() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "boundaries" / "kz_2022_oblast.gpkg")


@pytest.fixture(scope="module")
def districts_2022() -> gpd.GeoDataFrame:
    return gpd.read_file(ROOT / "data" / "boundaries" / "kz_2022_district.gpkg")


def test_institution_totals_equal_targets(layers):
    inst = layers["institutions"]
    for target in cal.INSTITUTION_TARGETS:
        of_type = inst[inst["type"] == target.key]
        assert len(of_type) == target.records, target.key
        assert of_type["children"].sum() == target.children, target.key
        assert (of_type["year"] == target.year).all(), target.key
    orphan = inst[inst["type"].isin(cal.ORPHAN_TYPES)]
    assert len(orphan) == cal.ORPHAN_INSTITUTIONS_TOTAL.records
    assert orphan["children"].sum() == cal.ORPHAN_INSTITUTIONS_TOTAL.children
    boarding = inst[inst["type"].str.startswith("boarding_school")]
    # [004]: children with disabilities are just over half of boarding-school pupils
    share = cal.BOARDING_DISABILITY.children / boarding["children"].sum()
    assert 0.51 <= share < 0.52


def test_centre_and_foster_totals_equal_targets(layers):
    centres, foster = layers["centres"], layers["foster"]
    assert len(centres) == cal.CENTRES.records
    assert (centres["kind"] == cal.CENTRES.key).all()
    assert centres["staff"].sum() == cal.CENTRE_STAFF_TOTAL
    assert centres["staff"].between(*cal.CENTRE_STAFF_RANGE).all()
    assert (centres["capacity"] == centres["staff"] * cal.CHILDREN_PER_SPECIALIST).all()
    assert foster["foster_families"].sum() == cal.FOSTER_CARE.records
    assert foster["foster_children"].sum() == cal.FOSTER_CARE.children
    assert foster["guardianship_children"].sum() == cal.GUARDIANSHIP.children
    assert cal.FOSTER_CARE.records == round(cal.FOSTER_CARE.children
                                            / cal.FOSTER_CHILDREN_PER_FAMILY)


def test_values_are_in_the_schema_and_demo(layers):
    inst, centres, foster = layers["institutions"], layers["centres"], layers["foster"]
    assert set(inst["type"]) == set(INSTITUTION_TYPES)
    assert set(centres["kind"]) <= set(CENTRE_KINDS)
    assert set(inst["operator"]) | set(centres["operator"]) <= set(OPERATORS)
    for name, layer in layers.items():
        assert layer["demo"].astype(bool).all(), name
        assert (layer["country"] == "KZ").all(), name
        assert layer["settlement_id"].str.startswith("gn:").all(), name
        assert [p for p in validate(layer, name, name) if p.is_error] == [], name
    assert inst["institution_id"].is_unique and centres["centre_id"].is_unique
    assert foster["settlement_id"].is_unique  # one aggregate per settlement, never a household
    assert (inst["capacity"] >= inst["children"]).all()
    assert (foster["foster_children"] >= foster["foster_families"]).all()
    assert ((foster["foster_children"] > 0) == (foster["foster_families"] > 0)).all()


def test_orphan_institutions_run_below_capacity(layers):
    inst = layers["institutions"]
    orphan = inst[inst["type"].isin(cal.ORPHAN_TYPES)]
    low, high = cal.ORPHAN_OCCUPANCY
    # capacity = ceil(children / occupancy) for an occupancy in [low, high]
    assert (orphan["children"] <= high * orphan["capacity"]).all()
    assert ((orphan["capacity"] - 1) * low < orphan["children"]).all()


def test_facilities_lie_at_their_settlement_in_its_unit(layers, settlements, kz_2022,
                                                       districts_2022):
    by_id = settlements.set_index("settlement_id")
    polygons = kz_2022.set_index("code").geometry
    parent = districts_2022.set_index("code")["parent_code"]
    for name, layer in layers.items():
        assert not by_id.loc[layer["settlement_id"], "estimated"].any(), name  # real places
        # every record has a district, inside its oblast; its polygon covers the record
        assert (layer["district_code"].map(parent) == layer["unit_code"]).all(), name
        covers = districts_2022.set_index("code").geometry.loc[layer["district_code"]]
        near = gpd.GeoSeries(covers.to_numpy(), index=layer.index, crs=layer.crs).distance(
            layer.geometry)
        assert (near < 0.05).all(), name  # inside, or snapped from within ~5 km
        hosts = by_id.loc[layer["settlement_id"]]
        assert (layer["unit_code"].to_numpy() == hosts["unit_2022"].to_numpy()).all(), name
        assert layer.geometry.geom_equals(gpd.GeoSeries(hosts.geometry.to_numpy(), crs=layer.crs,
                                                        index=layer.index)).all(), name
        units = gpd.GeoSeries(polygons.loc[layer["unit_code"]].to_numpy(), index=layer.index,
                              crs=layer.crs)
        assert units.covers(layer.geometry).all(), name


def test_every_unit_has_a_centre(layers, kz_2022):
    assert set(layers["centres"]["unit_code"]) == set(kz_2022["code"])


def test_hotspot_oblasts_have_most_orphan_institutions_per_capita(layers, settlements):
    """24.kz (Jun 2024): most organisations for orphans are in Kostanay, Karaganda, Pavlodar."""
    inst = layers["institutions"]
    orphan = inst[inst["type"].isin(cal.ORPHAN_TYPES)]
    kz = settlements[settlements["country"] == "KZ"]
    population = kz.groupby("unit_2022")["population"].sum()
    per_capita = (orphan.groupby("unit_code").size() / population).fillna(0)
    top = set(per_capita.sort_values(ascending=False).index[:len(cal.ORPHAN_HOTSPOTS)])
    assert top == set(cal.ORPHAN_HOTSPOTS)


def test_generator_is_deterministic_and_matches_bundled_files(tmp_path):
    for run in ("a", "b"):
        demo.build(out_dir=tmp_path / run)
    for name in LAYER_NAMES:
        first = (tmp_path / "a" / f"{name}.geojson").read_bytes()
        assert first == (tmp_path / "b" / f"{name}.geojson").read_bytes(), name
        assert first == (FACILITIES / f"{name}.geojson").read_bytes(), \
            f"{name}: bundled file is stale; run python -m scripts.build_demo_facilities"


def test_generator_fails_loudly_when_calibration_is_missed(layers):
    kz = demo.load_kz_settlements(ROOT / "data" / "settlements" / "settlements.geojson")
    built = {name: layer.copy() for name, layer in layers.items()}
    demo.check_calibration(built, kz)
    built["institutions"] = built["institutions"].iloc[1:]
    with pytest.raises(demo.DemoDataError, match="calibration"):
        demo.check_calibration(built, kz)
    moved = {name: layer.copy() for name, layer in layers.items()}
    moved["centres"].loc[0, "unit_code"] = "KZ-99"
    with pytest.raises(demo.DemoDataError, match="outside their settlement's unit"):
        demo.check_calibration(moved, kz)


def test_invalid_output_is_not_written(tmp_path):
    bad = gpd.GeoDataFrame({"institution_id": ["x"], "name": ["n"], "type": ["castle"],
                            "capacity": [1], "children": [0], "year": [2021],
                            "country": ["KZ"]}, geometry=gpd.points_from_xy([70], [50]),
                           crs="EPSG:4326")
    from geo.schema import INSTITUTIONS
    with pytest.raises(demo.DemoDataError, match="'castle' is not one of"):
        demo.write_layer(bad, INSTITUTIONS, tmp_path / "institutions.geojson")
    assert list(tmp_path.iterdir()) == []


@given(st.integers(0, 5000), st.lists(st.floats(0, 1e6), min_size=1, max_size=40))
def test_largest_remainder_is_exact_and_proportional(total, weights):
    if sum(weights) <= 0:
        return
    parts = demo.largest_remainder(total, weights)
    assert parts.sum() == total
    quotas = np.asarray(weights) / sum(weights) * total
    assert (np.abs(parts - quotas) < 1 + 1e-6).all()


@given(st.lists(st.floats(0.01, 1e5), min_size=1, max_size=50), st.data())
def test_bounded_allocation_respects_bounds(weights, data):
    total = data.draw(st.integers(3 * len(weights), 12 * len(weights)))
    parts = demo.bounded_allocation(total, weights, 3, 12)
    assert parts.sum() == total
    assert parts.min() >= 3 and parts.max() <= 12


def test_systematic_pps_hits_big_items_often_and_empty_ones_never():
    rng = np.random.default_rng(0)
    hits = demo.systematic_pps(10, [0, 50, 0, 30, 20, 0], rng)
    assert hits.sum() == 10
    assert hits[[0, 2, 5]].sum() == 0
    assert hits[1] == 5 and hits[3] == 3 and hits[4] == 2


def test_readme_lists_every_bundled_file():
    readme = (FACILITIES / "README.md").read_text(encoding="utf-8")
    for path in FACILITIES.iterdir():
        if path.name != "README.md":
            assert f"`{path.name}`" in readme, path.name
    for target in cal.ALL_TARGETS:
        assert target.source.split()[0] in readme, target.key


def test_bad_settlement_input_names_file_row_and_field(tmp_path, settlements, capsys):
    broken = settlements.copy()
    row = int(np.flatnonzero(broken["country"] == "KZ")[5])
    broken["children"] = broken["children"].astype("Int64")
    broken.loc[row, "children"] = None
    path = tmp_path / "settlements.geojson"
    broken.to_file(path)
    assert demo.main(["--settlements", str(path), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{path}: row {row + 1}: field 'children' is empty" in err
    assert not (tmp_path / "out").exists()
