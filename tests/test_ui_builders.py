"""Unit tests of the Streamlit-free builders in ui/: maps, view models, tables, i18n, offline."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from geo.catchments import catchments
from geo.layers import load_layers
from geo.privacy import suppress_small
from geo.travel import TravelParams, straight_matrix
from ui import maps, tables
from ui import viewmodels as vm
from ui.i18n import LANGUAGES, STRINGS, t, unit_name
from ui.offline import LOCAL_CSS, LOCAL_JS, external_urls, local_path, standalone_html


@pytest.fixture(scope="module")
def kz():
    return load_layers("KZ", 2022)


@pytest.fixture(scope="module")
def units(kz):
    return vm.localise_units(maps.simplify_for_display(kz.boundaries), "ru")


def _grid_units() -> gpd.GeoDataFrame:
    """Two unit squares side by side: A = [0,1]x[0,1], B = [1,2]x[0,1]."""
    return gpd.GeoDataFrame({"code": ["A", "B"], "name_en": ["Alpha", "Beta"],
                             "name_ru": ["Альфа", None], "name_kk": ["Альфа-kk", "Бета-kk"]},
                            geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=4326)


# i18n ----------------------------------------------------------------------------------------
def test_every_label_has_all_three_languages():
    for key, entry in STRINGS.items():
        assert set(entry) == set(LANGUAGES), key
        assert all(text.strip() for text in entry.values()), key
        fields = {lang: set(re.findall(r"{(\w+)", text)) for lang, text in entry.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, f"{key}: {fields}"


def test_unit_name_in_chosen_language_falls_back_to_english():
    row = _grid_units().iloc[1]
    assert unit_name(row, "kk") == "Бета-kk"
    assert unit_name(row, "ru") == "Beta"  # name_ru missing
    assert t("gaps_total", "ru", children=12, settlements=3, minutes=60).startswith("12 детей")


def test_units_localised_from_boundary_columns(kz):
    ru = vm.localise_units(kz.boundaries, "ru").set_index("code")["unit_name"]
    kk = vm.localise_units(kz.boundaries, "kk").set_index("code")["unit_name"]
    names = kz.boundaries.set_index("code")
    assert (ru == names["name_ru"]).all() and (kk == names["name_kk"]).all()


# view models ---------------------------------------------------------------------------------
def test_unit_indicators_on_synthetic_frames():
    units = vm.localise_units(_grid_units(), "en")
    settlements = gpd.GeoDataFrame(
        {"settlement_id": ["s1", "s2", "s3"], "children": [1000, 3000, 500]},
        geometry=[Point(0.5, 0.5), Point(0.2, 0.8), Point(1.5, 0.5)], crs=4326)
    minutes = pd.Series([30.0, 90.0, np.inf], index=settlements.index)
    institutions = gpd.GeoDataFrame({"children": [40, 10]},
                                    geometry=[Point(0.3, 0.3), Point(1.7, 0.2)], crs=4326)
    centres = gpd.GeoDataFrame({"centre_id": ["c1"]}, geometry=[Point(0.5, 0.4)], crs=4326)
    foster = gpd.GeoDataFrame({"foster_families": [8, 2]},
                              geometry=[Point(0.6, 0.6), Point(1.2, 0.9)], crs=4326)
    out = vm.unit_indicators(units, settlements, institutions, centres, foster, minutes, 60)
    a, b = out.set_index("code").loc["A"], out.set_index("code").loc["B"]
    assert a["children"] == 4000 and b["children"] == 500
    assert a["institution_rate"] == pytest.approx(40 / 4000 * 10_000)
    assert b["foster_rate"] == pytest.approx(2 / 500 * 10_000)
    assert a["coverage_share"] == pytest.approx(25.0) and b["coverage_share"] == 0
    assert a["children_per_centre"] == 4000 and np.isnan(b["children_per_centre"])


def test_unit_indicators_match_independent_totals_on_bundled_data(kz, units):
    matrix = straight_matrix(kz.settlements, kz.centres, TravelParams(max_minutes=60),
                             origin_id="settlement_id", site_id="centre_id")
    best = matrix.to_frame().groupby("origin_id")["minutes"].min()
    minutes = pd.Series(kz.settlements["settlement_id"].map(best).fillna(np.inf).to_numpy(),
                        index=kz.settlements.index)
    out = vm.unit_indicators(units, kz.settlements, kz.institutions, kz.centres, kz.foster,
                             minutes, 60)
    assert len(out) == len(kz.boundaries) == 20
    # every record lands in exactly one unit: unit totals add up to layer totals
    assert out["children"].sum() == kz.settlements["children"].sum()
    assert out["children_in_institutions"].sum() == kz.institutions["children"].sum()
    assert out["foster_families"].sum() == kz.foster["foster_families"].sum()
    assert out["centres"].sum() == len(kz.centres)
    covered = kz.settlements["children"][minutes <= 60].sum()
    assert out["children_covered"].sum() == covered
    # the stored unit_code (2022) agrees with point-in-polygon for the default version
    by_code = kz.institutions.groupby("unit_code")["children"].sum()
    assert (out.set_index("code")["children_in_institutions"]
            .reindex(by_code.index) == by_code).all()


def test_district_indicators_add_up_to_the_oblasts(kz, units):
    from geo.layers import load_display_boundaries

    districts = vm.localise_units(load_display_boundaries("KZ", 2022, "district"), "en")
    minutes = pd.Series(np.inf, index=kz.settlements.index)
    args = (kz.settlements, kz.institutions, kz.centres, kz.foster, minutes, 60)
    by_district = vm.unit_indicators(districts, *args)
    by_oblast = vm.unit_indicators(units, *args).set_index("code")
    assert len(by_district) == 224
    parent = districts.set_index("code")["parent_code"]
    for column in ("children", "settlements", "institutions", "foster_families", "centres"):
        summed = by_district.groupby(by_district["code"].map(parent))[column].sum()
        assert (summed == by_oblast.loc[summed.index, column]).all(), column
    # settlements counts places only; dispersed-demand estimates count as children
    assert by_district["settlements"].sum() == (~kz.settlements["estimated"]).sum()


def test_a_place_without_people_is_not_a_gap():
    units = vm.localise_units(_grid_units(), "en")
    settlements = gpd.GeoDataFrame({"name": ["empty", "b"], "children": [0, 4]},
                                   geometry=[Point(0.5, 0.5), Point(1.5, 0.5)], crs=4326)
    minutes = pd.Series([np.inf, np.inf], index=settlements.index)
    assert list(vm.uncovered_settlements(settlements, minutes, 60)["name"]) == ["b"]
    table = vm.gap_table(settlements, units, minutes, 60).set_index("code")
    assert table["uncovered_settlements"].to_dict() == {"A": 0, "B": 1}


def test_foster_by_unit_is_one_point_per_unit_inside_it(kz, units):
    pts = vm.foster_by_unit(kz.foster, units)
    assert len(pts) == len(units) and pts["foster_families"].sum() == kz.foster[
        "foster_families"].sum()
    inside = [u.contains(p) for u, p in zip(units.geometry, pts.geometry)]
    assert all(inside)


def test_gap_table_and_uncovered_agree():
    units = vm.localise_units(_grid_units(), "en")
    settlements = gpd.GeoDataFrame(
        {"name": ["a", "b", "c"], "children": [10, 3, 7]},
        geometry=[Point(0.5, 0.5), Point(1.5, 0.5), Point(1.6, 0.6)], crs=4326)
    minutes = pd.Series([20.0, 75.0, np.nan], index=settlements.index)
    table = vm.gap_table(settlements, units, minutes, 60).set_index("code")
    assert table.loc["A", "uncovered_settlements"] == 0
    assert table.loc["B", "uncovered_settlements"] == 2
    assert table.loc["B", "uncovered_children"] == 10
    gaps = vm.uncovered_settlements(settlements, minutes, 60)
    assert list(gaps["name"]) == ["b", "c"] and np.isinf(gaps["minutes"].iloc[1])
    public = suppress_small(table.reset_index(), ["uncovered_children"], total_row=False)
    assert list(public["uncovered_children"]) == [0, 10]


def test_focus_bounds_and_filter():
    units = _grid_units()
    assert vm.focus_bounds(units, ["B"]) == (1.0, 0.0, 2.0, 1.0)
    assert vm.focus_bounds(units, []) == (0.0, 0.0, 2.0, 1.0)
    assert list(vm.filter_units(units, ["A"])["code"]) == ["A"]


def test_has_demo_and_compare_kpis():
    assert vm.has_demo(pd.DataFrame({"demo": [False, True]}))
    assert not vm.has_demo(pd.DataFrame({"demo": [False, None]}), pd.DataFrame({"x": [1]}))
    table = vm.compare_kpis({"a": {"coverage_pct": 50, "cost_capex": 100},
                             "b": {"coverage_pct": 62.5, "cost_capex": 80}})
    assert table.loc["coverage_pct", "b − a"] == pytest.approx(12.5)
    assert table.loc["cost_capex", "b − a"] == -20
    assert np.isnan(table.loc["opened", "a"])


# maps ----------------------------------------------------------------------------------------
def test_simplify_keeps_shared_borders_and_shrinks(kz):
    simple = maps.simplify_for_display(kz.boundaries)
    def vertices(g):
        return len(g.exterior.coords) if g.geom_type == "Polygon" else sum(
            len(p.exterior.coords) for p in g.geoms)
    before = sum(vertices(g) for g in kz.boundaries.geometry)
    after = sum(vertices(g) for g in simple.geometry)
    assert after < before
    # no gaps or overlaps: the union area is preserved and pairwise overlaps are ~0
    union_before = kz.boundaries.to_crs(6933).union_all().area
    union_after = simple.to_crs(6933).union_all().area
    assert union_after == pytest.approx(union_before, rel=0.02)
    eq = simple.to_crs(6933)
    assert eq.area.sum() == pytest.approx(union_after, rel=1e-6)


def test_class_breaks_and_colours():
    breaks = maps.class_breaks(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, np.nan]))
    assert breaks[0] == 1 and breaks[-1] == 10 and breaks == sorted(breaks)
    assert maps.colour_for(1, breaks) == maps.PALETTE[0]
    assert maps.colour_for(10, breaks) == maps.PALETTE[-1]
    assert maps.colour_for(np.nan, breaks) == maps.NO_DATA_COLOUR
    assert maps.class_breaks(pd.Series([np.nan])) == []


def test_to_geojson_rounds_and_keeps_only_columns():
    gdf = gpd.GeoDataFrame({"name": ["x"], "secret": [1], "n": [np.int64(3)]},
                           geometry=[Point(67.123456789, 48.987654321)], crs=4326)
    data = maps.to_geojson(gdf, ["name", "n"])
    feat = data["features"][0]
    assert feat["properties"] == {"name": "x", "n": 3}
    assert json.loads(json.dumps(feat["geometry"]))["coordinates"] == [67.1235, 48.9877]


def test_explore_map_is_offline_and_small(kz, units):
    m = maps.base_map(units.total_bounds)
    minutes = pd.Series(30.0, index=kz.settlements.index)
    ind = vm.unit_indicators(units, kz.settlements, kz.institutions, kz.centres, kz.foster,
                             minutes, 60)
    layer, legend = maps.choropleth_layer(ind, "institution_rate", "rate")
    layer.add_to(m)
    maps.point_layer(kz.settlements, "s", colour="#000", size_field="children").add_to(m)
    maps.point_layer(kz.institutions, "i", colour=maps.INSTITUTION_COLOURS, colour_field="type",
                     size_field="children", popup_fields=["name", "type", "children"]).add_to(m)
    rings = catchments(kz.centres, TravelParams(max_minutes=60), site_id="centre_id")
    maps.polygon_layer(maps.simplify_shapes(rings), "c", "#000").add_to(m)
    maps.finish(m, [legend])
    html = m.get_root().render()
    assert external_urls(html) == []
    for _, url in LOCAL_JS + LOCAL_CSS:
        assert url in html and local_path(url).exists()
    assert "cdn" not in html.lower()
    assert maps.payload_bytes(m) < 2_000_000
    assert "otbasy-legend" in html and "L.control.layers" in html


def test_osm_tiles_only_when_asked(units):
    off = maps.base_map(units.total_bounds).get_root().render()
    on = maps.base_map(units.total_bounds, osm=True).get_root().render()
    assert "tile.openstreetmap.org" not in off
    assert external_urls(on) and all(u.startswith(maps.OSM_TILES.split("{")[0])
                                     for u in external_urls(on))


def test_maps_get_only_local_assets(units):
    """The js/css lists of every element point at the vendored files (inlined by
    standalone_html for the map frame and downloads)."""
    m = maps.base_map(units.total_bounds)
    maps.finish(m)
    links = []
    for elem in [m, *m._children.values()]:
        links += [u for _, u in getattr(elem, "default_js", [])]
        links += [u for _, u in getattr(elem, "default_css", [])]
    assert links and all(u.startswith("/app/static/") for u in links)
    assert "branca" not in str(type(m._children))  # no colormap (it would pull d3 from a CDN)


def test_standalone_html_inlines_leaflet(units):
    m = maps.finish(maps.base_map(units.total_bounds))
    html = standalone_html(m)
    assert "/app/static/" not in html
    assert not re.search(r'<script[^>]+src="https?:', html)
    assert not re.search(r'<link[^>]+href="https?:', html)
    assert "L.map(" in html and "data:image/png;base64," in html


def test_assignment_lines_join_settlement_to_its_centre():
    sites = gpd.GeoDataFrame({"site_id": ["c1", "c2"]}, geometry=[Point(0, 0), Point(2, 2)],
                             crs=4326)
    sett = gpd.GeoDataFrame({"centre_id": ["c2", None, "c1"]},
                            geometry=[Point(1, 1), Point(5, 5), Point(0, 1)], crs=4326)
    lines = maps.assignment_lines(sett, sites)
    assert len(lines) == 2
    assert list(lines.geometry.iloc[0].coords) == [(1, 1), (2, 2)]


def test_radius_scale_is_monotone_and_bounded():
    r = maps.radius_scale(pd.Series([0, 1, 100, 10_000]))
    assert list(r) == sorted(r) and r.iloc[0] == 3.0 and r.iloc[-1] == 14.0


# tables --------------------------------------------------------------------------------------
def test_tables_localise_and_csv_has_bom():
    frame = pd.DataFrame({"code": ["A"], "children": [10], "coverage_share": [12.345],
                          "geometry": [None]})
    shown = tables.plain_table(frame, "kk")
    assert list(shown.columns) == ["Коды", "Балалар", t("ind_coverage_share", "kk")]
    assert shown.iloc[0, 2] == 12.3
    data = tables.csv_bytes(tables.plain_table(frame, "ru"))
    assert data.startswith(b"\xef\xbb\xbf") and "Дети".encode() in data


def test_problems_table_from_layer_error(tmp_path):
    from geo.io import LayerError, read_layer

    bad = tmp_path / "bad.csv"
    bad.write_text("institution_id,name,type,capacity,children,year,country,lat,lon\n"
                   "i1,Home,castle,10,5,2020,KZ,43.2,76.9\n", encoding="utf-8")
    with pytest.raises(LayerError) as err:
        read_layer(bad, "institutions")
    table = tables.problems_table(err.value.problems, "en")
    assert list(table.columns) == ["Row", "Field", "Message", "File"]
    assert (table["File"] == "bad.csv").all()
    assert 1 in set(table["Row"].dropna()) and "type" in set(table["Field"])


def test_kpi_formatting_and_decisions():
    assert tables.kpi_value("coverage_pct", 87.456) == "87.5%"
    assert tables.kpi_value("coverage_pct", 87.456, "ru") == "87,5%"
    assert tables.kpi_value("cost_capex", 1234567) == "1.2M"
    assert tables.kpi_value("cost_capex", 4_620_000_000, "ru") == "4,62\u00a0млрд"
    assert tables.kpi_value("cost_capex", 4_620_000_000, "kk") == "4,62\u00a0млрд"
    assert tables.kpi_value("cost_opex", 12_355_000_000.0) == "12.36B"
    assert tables.kpi_value("cost_opex", 999_000) == "999,000"
    assert tables.kpi_value("children_covered", 4536813) == "4,536,813"
    assert tables.kpi_value("children_covered", 4536813, "ru") == "4\u00a0536\u00a0813"
    assert tables.kpi_value("opened", float("nan")) == "–"
    assert list(tables.decision_labels(pd.Series(["open", "existing"]), "ru")) == [
        "открыть", "сохранить"]


def test_folium_defaults_point_at_vendored_leaflet():
    maps.base_map((0, 0, 1, 1))
    assert folium.Map.default_js == LOCAL_JS and folium.Map.default_css == LOCAL_CSS


def test_plural_forms_follow_cldr():
    from ui import numbers

    forms = {"one": "пункт", "few": "пункта", "many": "пунктов", "other": "пункта"}
    got = {n: numbers.plural(n, forms, "ru") for n in (1, 2, 5, 11, 21, 22, 25, 111)}
    assert got == {1: "пункт", 2: "пункта", 5: "пунктов", 11: "пунктов", 21: "пункт",
                   22: "пункта", 25: "пунктов", 111: "пунктов"}
    assert [numbers.plural(n, {"one": "problem", "other": "problems"}) for n in (1, 2, 0)] == [
        "problem", "problems", "problems"]
    assert numbers.plural_form(1, "kk") == "one" and numbers.plural_form(3, "kk") == "other"


def test_translated_counts_take_the_right_plural_form():
    from ui.i18n import t

    ru = [t("gaps_total", "ru", children=c, settlements=s, minutes=60)
          for c, s in ((1, 1), (3, 2), (5, 21), ("<5", 11), (np.int64(21), 5.0))]
    assert ru == ["1 ребёнок в 1 населённом пункте дальше 60 мин",
                  "3 ребёнка в 2 населённых пунктах дальше 60 мин",
                  "5 детей в 21 населённом пункте дальше 60 мин",
                  "<5 детей в 11 населённых пунктах дальше 60 мин",
                  "21 ребёнок в 5 населённых пунктах дальше 60 мин"]
    assert t("problems_found", "en", n=1) == "1 problem found; nothing was replaced."
    assert t("problems_found", "en", n=4) == "4 problems found; nothing was replaced."
    assert t("gaps_total", "en", children=1, settlements=2, minutes=30) == \
        "1 child in 2 settlements beyond 30 min"


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_choropleth_numbers_are_written_in_the_page_language(kz, units, lang):
    """The legend and tooltips of a Russian or Kazakh map write "33 829" and "36,2" (QA found
    "33,829" and "36.2" on the ru Coverage gaps and Explore maps beside "2 090 696" above)."""
    minutes = pd.Series(30.0, index=kz.settlements.index)
    ind = vm.unit_indicators(units, kz.settlements, kz.institutions, kz.centres, kz.foster,
                             minutes, 60)
    _, rates = maps.choropleth_layer(ind, "institution_rate", "rate", lang=lang)
    assert re.search(r"\d,\d", rates.html) and not re.search(r"\d\.\d", rates.html)
    layer, counts = maps.choropleth_layer(ind, "children", "children", lang=lang, decimals=0)
    assert not re.search(r"\d[,.]\d{3}\b", counts.html)  # no English grouping
    assert re.search(r"\d\u00a0\d{3}", counts.html)  # CLDR's no-break-space groups
    texts = [f["properties"]["value_text"] for f in layer.data["features"]]
    assert all(re.fullmatch(r"\d{1,3}(\u00a0\d{3})*", v) for v in texts), texts[:3]
    _, english = maps.choropleth_layer(ind, "children", "children", lang="en", decimals=0)
    assert re.search(r"\d,\d{3}", english.html)


def test_scale_bar_in_kilometres_only(units):
    html = maps.finish(maps.base_map(units.total_bounds)).get_root().render()
    assert html.count("L.control.scale(") == 1 and "L.control.scale({imperial: false})" in html


def _written(value: float, lang: str, decimals: int) -> str:
    """`value` as `lang` writes it, by Python's own grouping with the separators swapped
    (CLDR: ru and kk group with a no-break space and mark decimals with a comma)."""
    text = f"{value:,.{decimals}f}"
    return text if lang == "en" else text.replace(",", "\u00a0").replace(".", ",")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_table_numbers_are_written_the_page_languages_way_on_real_indicators(lang):
    """QA: the app's tables wrote "198954" and "33159.0" in Russian and Kazakh; numbers are
    written the page language's way, years, codes and row numbers stay plain digits, texts
    such as "<5" stay, and the frame itself (what a CSV takes) keeps its numbers."""
    layers = load_layers("KZ", 2022)
    units = vm.localise_units(load_layers("KZ", 2022).boundaries, lang)
    minutes = pd.Series(30.0, index=layers.settlements.index)
    table = vm.unit_indicators(units, layers.settlements, layers.institutions, layers.centres,
                               layers.foster, minutes, 60)
    table = table.assign(year=2018, row=range(1, len(table) + 1))
    table["foster_families"] = table["foster_families"].astype(object)
    table.loc[table.index[0], "foster_families"] = "<5"  # a public, suppressed cell
    frame = tables.plain_table(table, lang)
    text = tables.as_text(frame, lang)
    children, rate = t("col_children", lang), t("ind_institution_rate", lang)
    assert list(text[children]) == [_written(v, lang, 0) for v in frame[children]]
    assert list(text[rate]) == [_written(v, lang, 1) for v in frame[rate]]
    assert frame[children].max() >= 1000  # grouping is exercised
    assert text[t("col_foster_families", lang)].iloc[0] == "<5"
    for plain in (t("col_year", lang), t("col_row", lang), t("col_code", lang)):
        assert list(text[plain]) == list(frame[plain])  # 2018, never "2 018"
    assert frame[children].dtype.kind in "if"  # the download keeps machine-readable numbers
    styled = tables.on_screen(frame, lang).to_html()
    assert _written(frame[children].max(), lang, 0) in styled


def test_sentence_numbers_follow_the_language_and_years_stay_plain():
    assert t("preview_counts", "ru", before=12345, after=12346, added=1, updated=0,
             unchanged=12345, removed=0).startswith("12\u00a0345 → 12\u00a0346 записей")
    assert t("preview_counts", "en", before=12345, after=12346, added=1, updated=0,
             unchanged=12345, removed=0).startswith("12,345 → 12,346 records")
    assert t("gaps_total", "kk", children=27118, settlements="<5", minutes=60) == \
        "60 минуттан алыс <5 елді мекенде 27\u00a0118 бала"
    assert t("elapsed", "ru", seconds=3.25) in ("прошло 3,2 с", "прошло 3,3 с")
    assert t("elapsed", "en", seconds=1234.5) == "elapsed 1,234.5 s"
    assert "2018" in t("gk_opened", "ru", year=2018)  # a year without a spec: plain digits


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_map_tooltips_write_numbers_the_page_languages_way(lang):
    """QA: a settlement's tooltip said "160490 children" on a Russian map; ids and years
    stay as they are, and the radius still follows the number."""
    layers = load_layers("KZ", 2022)
    big = layers.settlements.nlargest(3, "children")
    layer = maps.point_layer(big, "x", colour="#000000", size_field="children",
                             tooltip_fields=["name", "children", "settlement_id"], lang=lang)
    props = [f["properties"] for f in layer.data["features"]]
    assert [p["children"] for p in props] == [_written(v, lang, 0) for v in big["children"]]
    assert [p["settlement_id"] for p in props] == list(big["settlement_id"])
    assert props[0]["_r"] >= props[-1]["_r"] > 0
    inst = layers.institutions.head(3)
    popup = maps.point_layer(inst, "x", colour="#000000", popup_fields=["capacity", "year"],
                             lang=lang)
    assert [f["properties"]["year"] for f in popup.data["features"]] == list(inst["year"])


@pytest.mark.parametrize("lang,written", [("ru", "2,5"), ("kk", "2,5"), ("en", "2.5")])
def test_coverage_curve_axes_in_the_page_language(lang, written):
    """QA: the coverage-vs-budget charts of Scenarios and Compare (st.line_chart) labelled the
    budget axis "2,500,000,000" on a Russian page; it is in bn KZT, labelled in `lang`."""
    import re

    import vl_convert

    from ui import charts

    curve = pd.DataFrame({"budget": [1e9, 2.5e9, 4e9], "coverage_pct": [61.0, 70.5, 74.25]})
    spec = charts.coverage_curve(curve, lang).to_dict()
    (data,) = spec["datasets"].values()
    assert [r["budget_bn"] for r in data] == [1.0, 2.5, 4.0]
    svg = vl_convert.vegalite_to_svg(spec)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert written in labels and t("col_budget_bn", lang) in labels
    two = charts.coverage_curve(pd.concat([curve.assign(scenario="A"),
                                           curve.assign(scenario="<b>B</b>")]), lang,
                                series="scenario").to_dict()
    assert two["layer" if "layer" in two else "encoding"]["color"]["field"] == "scenario"


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_suppressed_count_columns_sort_by_value_on_screen(lang):
    """QA: a public column of counts with "<5" cells (institutions per district, suppressed
    by `geo.privacy.suppress_small`) reached `st.dataframe` as text, so it sorted
    "12" < "3" < "<5". On screen the cells are numbers underneath, so the column sorts by
    value as Streamlit sends it (its own Arrow conversion), the suppressed cells are
    empty there (kept apart, nothing to recover) and still read "<5"."""
    from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

    from ui import numbers

    layers = load_layers("KZ", 2022)
    counts = layers.institutions.groupby("district_code").size().rename("institutions")
    public = suppress_small(counts.reset_index(), ["institutions"], total_row=False)
    frame = tables.localise_columns(public, lang)
    column = t("col_institutions", lang)
    small = (public["institutions"] == "<5").to_numpy()
    assert small.any() and (~small).sum() >= 10  # both kinds of cell, on real data
    styled = tables.on_screen(frame, lang)
    sent = convert_pandas_df_to_arrow_table(styled.data).column(column).to_pylist()
    shown = [v for v, s in zip(sent, small, strict=True) if not s]
    assert shown == [float(v) for v in public["institutions"][~small]]
    # Tour (session 21): the suppressed cells were empty underneath, and Streamlit's grid
    # draws an empty cell as "None" whatever the Styler says, so the public read "None"
    # where "<5" belongs. Every cell is a number underneath: "<5" one constant between 0
    # and 5, so the column sorts 0, <5, 5, ... and the constant tells nothing.
    assert all(v is not None and v == v for v in sent)
    assert {v for v, s in zip(sent, small, strict=True) if s} == {tables.sort_key("<5")}
    ranked = styled.data.assign(label=list(public["institutions"])).sort_values(
        column, kind="stable")["label"]
    order = [0 if v == 0 else 1 if v == "<5" else 2 for v in ranked]
    assert order == sorted(order) and 0 < tables.sort_key("<5") < 5
    html = styled.to_html()
    assert html.count("><5<") == int(small.sum())
    biggest = int(max(v for v in public["institutions"] if not isinstance(v, str)))
    assert f">{numbers.number(biggest, lang)}<" in html
    assert list(frame[column]) == list(public["institutions"])  # downloads keep the labels


def test_missing_values_read_a_dash_on_screen_never_none():
    """Tour (session 21): Explore for Kyrgyzstan (no facility data bundled) showed "None" in
    every facility column: the cells are missing, and Streamlit's grid draws a missing cell
    as "None" whatever the Styler says. On screen a missing number reads "–", with a number
    underneath that sorts it before every count; the download keeps the missing value."""
    from streamlit.dataframe_util import convert_pandas_df_to_arrow_table

    layers = load_layers("KG")
    units = vm.localise_units(layers.boundaries, "en")
    away = pd.Series(float("inf"), index=layers.settlements.index)  # no centre bundled
    table = vm.no_data_where_missing(
        vm.unit_indicators(units, layers.settlements, layers.institutions, layers.centres,
                           layers.foster, away, 60),
        institutions=layers.institutions, centres=layers.centres, foster=layers.foster)
    frame = tables.plain_table(table, "en")
    column = t("col_institutions", "en")
    assert frame[column].isna().all() and frame[t("col_children", "en")].notna().all()
    styled = tables.on_screen(frame, "en")
    sent = convert_pandas_df_to_arrow_table(styled.data)
    for name in sent.column_names:
        if name in tables.number_formats(frame, "en"):
            assert None not in sent.column(name).to_pylist(), name
    assert styled.to_html().count(">–<") >= len(frame)
    assert frame[column].isna().all()  # the table itself (the download) is untouched
