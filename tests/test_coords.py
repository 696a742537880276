"""geo.coords: coordinates as people type them (decimal comma, DMS, one 'lat, lon' cell)."""

from __future__ import annotations

import pytest

from geo.coords import coordinate, pair
from geo.io import LayerError, read_layer


@pytest.mark.parametrize("text, degrees", [
    ("43.2389", 43.2389),
    ("43,2389", 43.2389),
    (" -12.5 ", -12.5),
    (76.8897, 76.8897),
    ("43°14'20\" N", 43 + 14 / 60 + 20 / 3600),
    ("43° 14′ 20″ с.ш.", 43 + 14 / 60 + 20 / 3600),
    ("76°53' в.д.", 76 + 53 / 60),
    ("12°30' S", -12.5),
    ("12°30′ з. д.", -12.5),
    ("-12°30'", -12.5),
    ("51,5°", 51.5),
])
def test_coordinate(text, degrees):
    assert coordinate(text) == pytest.approx(degrees, abs=1e-9)


@pytest.mark.parametrize("text", ["north", "43°75'N", "43°10'70\"", "", "nan", "inf", "43 N"])
def test_not_a_coordinate(text):
    with pytest.raises(ValueError):
        coordinate(text)


@pytest.mark.parametrize("text, lat_lon", [
    ("43.2389, 76.8897", (43.2389, 76.8897)),
    ("43.2389,76.8897", (43.2389, 76.8897)),
    ("43,2389; 76,8897", (43.2389, 76.8897)),
    ("43,2389 76,8897", (43.2389, 76.8897)),
    ("-33.9 18.4", (-33.9, 18.4)),
])
def test_pair(text, lat_lon):
    assert pair(text) == pytest.approx(lat_lon)


@pytest.mark.parametrize("text", ["43.2389", "43.2 76.8 12", "lat, lon", ""])
def test_not_a_pair(text):
    with pytest.raises(ValueError):
        pair(text)


def test_registry_with_one_coordinates_column_and_dms(tmp_path):
    path = tmp_path / "centres.csv"
    path.write_text(
        "ИД;Наименование;Вид;Год;Страна;Координаты\n"
        "c1;ЦПС Алматы;центр поддержки семьи;2024;KZ;43.2389, 76.8897\n"
        "c2;ЦСР Астана;центр социальной работы;2024;KZ;51,1605 71,4704\n"
        "c3;ЦСР Шымкент;центр социальной работы;2024;KZ;где-то на юге\n", encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_layer(path, "centres")
    assert [str(p) for p in err.value.problems] == [
        f"{path}: row 3, field 'Координаты': 'где-то на юге' is not a 'latitude, longitude' pair"]
    path.write_text(path.read_text(encoding="utf-8").replace("где-то на юге", "42.3167 69.5833"),
                    encoding="utf-8")
    gdf = read_layer(path, "centres")
    assert [(round(p.y, 4), round(p.x, 4)) for p in gdf.geometry] == [
        (43.2389, 76.8897), (51.1605, 71.4704), (42.3167, 69.5833)]
    assert list(gdf["kind"]) == ["family_support_centre", "social_work_centre",
                                 "social_work_centre"]


def test_dms_columns_load(tmp_path):
    path = tmp_path / "centres.csv"
    path.write_text("centre_id,name,kind,year,country,широта,долгота\n"
                    "c1,ЦСР Шымкент,social_work_centre,2024,KZ,\"42°19′ с.ш.\",\"69°35′ в.д.\"\n",
                    encoding="utf-8")
    gdf = read_layer(path, "centres")
    assert gdf.geometry.iloc[0].y == pytest.approx(42 + 19 / 60)
    assert gdf.geometry.iloc[0].x == pytest.approx(69 + 35 / 60)
