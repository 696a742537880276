"""Replace or merge an upload into the bundled layer by id (geo.merge), on the real layers:
an upload read through the Data page's checks, counts recomputed independently from ids."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import merge
from geo.layers import load_layers
from geo.units import attach_units
from tests.upload_tables import four_institutions
from ui import maps
from ui.uploads import check_upload
from ui.viewmodels import localise_units, unit_indicators


@pytest.fixture(scope="module")
def kz():
    return load_layers("KZ")


def _csv_upload(kz, frame: pd.DataFrame, layer: str) -> gpd.GeoDataFrame:
    """`frame` (with lat/lon) written as CSV and read back through the upload checks."""
    gdf, problems = check_upload("four.csv", frame.to_csv(index=False).encode(), layer, "KZ")
    assert problems == [], problems
    return attach_units(gdf.drop(columns=["unit_code", "district_code"]), kz.boundaries,
                        kz.districts)


def _four_institutions(kz) -> gpd.GeoDataFrame:
    """Two bundled institutions (one with 3 more children) and two new ones."""
    return _csv_upload(kz, four_institutions(kz), "institutions")


def test_four_rows_merged_into_281_institutions(kz):
    base, upload = kz.institutions, _four_institutions(kz)
    assert len(base) == 281
    first, second = base.iloc[10], base.iloc[200]
    change = merge.preview(base, upload, "institutions", "merge")
    assert change.counts() == {"added": 2, "updated": 1, "unchanged": 1, "removed": 0}
    assert change.updated == {first["institution_id"]: ["children"]}
    assert change.unchanged == [second["institution_id"]]
    assert (change.rows_before, change.rows_after) == (281, 283)
    out = merge.apply(base, upload, "institutions", "merge")
    assert len(out) == 283 and out["institution_id"].is_unique
    by_id = out.set_index("institution_id")
    assert by_id.at[first["institution_id"], "children"] == first["children"] + 3
    assert by_id.at[first["institution_id"], "operator"] == first["operator"]  # not erased
    assert set(by_id.loc[["upload-1", "upload-2"], "unit_code"]) == {"KZ-75", "KZ-71"}
    untouched = out[~out["institution_id"].isin(upload["institution_id"])]
    pd.testing.assert_frame_equal(  # every other record exactly as bundled
        pd.DataFrame(untouched.drop(columns="geometry")).reset_index(drop=True),
        pd.DataFrame(base[~base["institution_id"].isin(upload["institution_id"])]
                     .drop(columns="geometry")).reset_index(drop=True), check_dtype=False)
    assert out["children"].sum() == base["children"].sum() + 3 + 20 + 10


def test_replace_keeps_only_the_upload_and_says_what_goes(kz):
    base, upload = kz.institutions, _four_institutions(kz)
    change = merge.preview(base, upload, "institutions", "replace")
    assert change.counts() == {"added": 2, "updated": 1, "unchanged": 1, "removed": 279}
    assert set(change.removed) == set(base["institution_id"]) - set(upload["institution_id"])
    assert len(merge.apply(base, upload, "institutions", "replace")) == 4
    table = change.table(limit=5)
    assert list(table["change"]) == ["added", "added", "updated", "removed", "removed"]
    assert table.loc[2, "fields"] == "children"


def test_merged_layer_keeps_the_explore_choropleth_classes(kz):
    """The issue's case: a 4-row file replaced the 281 institutions and the choropleth of
    institution rates collapsed; merged, it keeps its five classes."""
    units = localise_units(kz.boundaries, "en")
    minutes = pd.Series(0.0, index=kz.settlements.index)

    def classes(institutions: gpd.GeoDataFrame) -> int:
        table = unit_indicators(units, kz.settlements, institutions, kz.centres, kz.foster,
                                minutes, 60)
        return len(maps.class_breaks(table["institution_rate"])) - 1

    upload = _four_institutions(kz)
    assert classes(kz.institutions) == 5
    assert classes(merge.apply(kz.institutions, upload, "institutions", "merge")) == 5
    assert classes(merge.apply(kz.institutions, upload, "institutions", "replace")) < 5


def test_moved_point_and_foster_counts_by_settlement_id(kz):
    base = kz.foster
    row = base.iloc[0]
    upload = _csv_upload(kz, pd.DataFrame({
        "settlement_id": [row["settlement_id"]], "country": ["KZ"],
        "foster_families": [row["foster_families"]], "year": [row["year"]],
        "demo": [row["demo"]], "lat": [row.geometry.y + 0.01], "lon": [row.geometry.x]}),
        "foster")
    change = merge.preview(base, upload, "foster", "merge")
    assert change.updated == {row["settlement_id"]: ["geometry"]}
    out = merge.apply(base, upload, "foster", "merge")
    assert len(out) == len(base) == 300
    moved = out.set_index("settlement_id").geometry[row["settlement_id"]]
    assert abs(moved.y - row.geometry.y - 0.01) < 1e-9
    assert out["foster_children"].sum() == base["foster_children"].sum()  # blank: kept


def test_repeated_and_missing_ids_are_named_by_row(kz):
    base = kz.centres
    upload = gpd.GeoDataFrame(
        {"centre_id": ["a", "b", "a", None, " "], "name": list("vwxyz"),
         "kind": ["social_work_centre"] * 5, "year": [2020] * 5, "country": ["KZ"] * 5},
        geometry=[Point(76.9, 43.2)] * 5, crs=base.crs)
    change = merge.preview(base, upload, "centres", "merge")
    assert not change.ok
    assert change.duplicates == [(3, "a")] and change.missing_ids == [4, 5]
    with pytest.raises(merge.MergeError, match=r"row 3: duplicate id 'a'; row 4: no centre_id"):
        merge.apply(base, upload, "centres", "merge")
    with pytest.raises(ValueError, match="mode must be one of"):
        merge.preview(base, upload, "centres", "append")  # type: ignore[arg-type]


def test_every_point_layer_merged_with_itself_changes_nothing(kz):
    for layer in ("settlements", "institutions", "centres", "foster"):
        base = getattr(kz, layer)
        change = merge.preview(base, base, layer, "merge")
        assert change.counts() == {"added": 0, "updated": 0, "unchanged": len(base),
                                   "removed": 0}, layer
        assert len(merge.apply(base, base, layer, "merge")) == len(base)
