"""Monitor builders (public masking, ranking, chart specs, downloads) and the page in AppTest."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from gatekeeping.indicators import BY_KEY, COUNT_KEYS, INDICATORS, indicator_table, opening_years
from gatekeeping.series import load_series, rebase, to_wide
from geo.layers import load_boundaries
from tests.shown import as_shown
from ui import maps
from ui import monitor as mon
from ui import viewmodels as vm
from ui.i18n import LANGUAGES, t

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data():
    long = rebase(load_series(), 2022)
    table = indicator_table(long)
    units = vm.localise_units(maps.simplify_for_display(load_boundaries("KZ", 2022)), "en")
    return table, mon.public_view(table), opening_years(to_wide(long)), units


def test_public_view_hides_every_value_built_on_fewer_than_5(data):
    table, public, _, _ = data
    nums = mon.numerators(table)
    checked = 0
    for key, column in nums.items():
        counts = table[column]
        small = (counts >= 1) & (counts < 5)
        assert public.loc[small, key].isna().all(), key
        visible = public[key].notna()
        assert ((counts[visible] == 0) | (counts[visible] >= 5)).all(), key
        checked += int(small.sum())
    assert checked > 50  # the demo series does have small counts (under-3 entries, ...)


def test_a_hidden_unit_cannot_be_recovered_from_the_total(data):
    table, public, _, _ = data
    for key, _column in mon.numerators(table).items():
        for year, part in public.groupby(level="year"):
            units = part.drop(index="TOTAL", level="unit_code")
            hidden = units[key].isna() & table.loc[units.index, key].notna()
            if hidden.sum() == 1:  # one hidden unit: the national value must be hidden too
                assert np.isnan(part.loc[("TOTAL", year), key]), (key, year)


def test_signed_in_view_is_complete(data):
    table, public, _, _ = data
    assert table["under3_entries_residential"].notna().all()
    assert public["under3_entries_residential"].isna().any()
    assert public["children"].notna().all()


def test_ranking_orders_units_with_change_and_total_last(data):
    table, _, _, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    r = mon.ranking(table, names, "entry_rate_per_100k", 2023, 2015, "en", demo=True)
    values = r.iloc[:-1, 2].to_numpy()
    assert (np.diff(values) <= 0).all() and r.iloc[-1, 0] == "TOTAL"
    t23 = table["entry_rate_per_100k"]
    for _, row in r.iterrows():
        code = row.iloc[0]
        assert row.iloc[2] == pytest.approx(round(t23[(code, 2023)], 1))
        assert row.iloc[4] == pytest.approx(round(t23[(code, 2023)] - t23[(code, 2015)], 1),
                                            abs=0.11)
    assert (r["Demo"] == "demo").all()
    share = mon.ranking(table, names, "family_based_share", 2023, 2015, "en", demo=False)
    assert share.iloc[-1, 2] == pytest.approx(round(100 * table.at[("TOTAL", 2023),
                                                                   "family_based_share"], 1))


def test_map_spec_carries_the_year_values_and_clockwise_shapes(data):
    table, _, opened, units = data
    frame = mon.map_frame(units, table, "entry_rate_per_100k", 2019, opened)
    spec = mon.map_chart(frame, "Entry rate, 2019", "DEMO DATA")
    features = spec["datasets"]["units"]
    assert len(features) == 20
    for f in features:
        code = f["properties"]["code"]
        assert f["properties"]["value"] == pytest.approx(
            round(table.at[(code, 2019), "entry_rate_per_100k"], 2))
        geom = shape(f["geometry"])
        polys = getattr(geom, "geoms", [geom])
        assert all(not shapely.is_ccw(p.exterior) for p in polys)  # d3-geo orientation
    assert {m["unit"] for m in spec["datasets"]["opened"]} == \
        {units.set_index("code").at[c, "unit_name"] for c, y in opened.items() if y == 2019}
    assert spec["title"]["subtitle"] == ["DEMO DATA"]
    other = mon.map_chart(mon.map_frame(units, table, "entry_rate_per_100k", 2020, opened),
                          "Entry rate, 2020", None)
    assert other["datasets"]["units"] != features and other["title"]["subtitle"] == []


def test_trend_spec_has_unit_national_and_opening_year(data):
    table, _, opened, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    frame = mon.trend_frame(table, "entry_rate_per_100k", "KZ-61", names, "Kazakhstan")
    spec = mon.trend_chart(frame, "Entry rate", int(opened["KZ-61"]), "first centre", 2020,
                           "DEMO")
    rows = spec["datasets"]["trend"]
    assert {r["series"] for r in rows} == {"Turkistan", "Kazakhstan"} and len(rows) == 46
    national = {r["year"]: r["value"] for r in rows if r["series"] == "Kazakhstan"}
    assert national[2010] == pytest.approx(table.at[("TOTAL", 2010), "entry_rate_per_100k"])
    assert spec["datasets"]["opened"] == [{"year": int(opened["KZ-61"]), "text": "first centre"}]
    assert spec["datasets"]["year"] == [{"year": 2020}]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_trend_chart_keeps_every_mark_inside_its_plot(data, lang):
    """Streamlit sizes charts with autosize "fit": anything outside the plot (a label placed
    120 px above it, a vertical axis title longer than the plot) is taken off the plot's
    height; in the browser that left a 50 px plot. Rendered as Streamlit sizes it, the
    first-centre label lies inside the plot and no axis title runs along its side."""
    import vl_convert

    table, _, opened, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    key = max(mon.KEYS, key=lambda k: len(mon.label(k, lang)))  # the longest title
    frame = mon.trend_frame(table, key, "KZ-61", names, t("gk_national", lang))
    spec = mon.trend_chart(frame, mon.label(key, lang), int(opened["KZ-61"]),
                           t("gk_opened", lang, year=int(opened["KZ-61"])), 2020,
                           t("gk_demo_notice", lang))
    scene = vl_convert.vegalite_to_scenegraph(
        dict(spec, autosize={"type": "fit", "contains": "padding"}))
    plot = scene["scenegraph"]["items"][0]
    texts = []

    def walk(node: dict) -> None:
        for mark in node.get("items", []):
            if mark.get("marktype") == "text" and mark.get("role") == "mark":
                texts.extend(mark["items"])
            elif isinstance(mark, dict):
                walk(mark)

    walk(plot)
    (label,) = [x for x in texts if x.get("text") == t("gk_opened", lang,
                                                            year=int(opened["KZ-61"]))]
    assert 0 <= label["y"] <= plot["height"]
    assert all(layer["encoding"].get("y", {}).get("title") is None for layer in spec["layer"])


def test_downloads_carry_the_demo_notice_and_open_offline(data):
    table, _, opened, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    spec = mon.map_chart(mon.map_frame(units, table, "entry_rate_per_100k", 2023, opened),
                         "Entry rate, 2023", "DEMO DATA: synthetic")
    html = mon.chart_html(spec, "Entry rate <b>& co</b>, 2023").decode("utf-8")
    assert "DEMO DATA: synthetic" in html
    assert "<title>Entry rate &lt;b&gt;&amp; co&lt;/b&gt;, 2023</title>" in html
    assert 'src="http' not in html and "<link" not in html  # Vega inlined: works offline
    png = mon.chart_png(mon.trend_chart(mon.trend_frame(table, "entry_rate_per_100k", "KZ-75",
                                                        names, "KZ"), "x", 2017, "c", 2023,
                                        "DEMO"))
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_alert_texts_in_every_language(data):
    _, _, _, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    found = [{"key": "rose_twice", "unit": "KZ-61", "before": 12, "now": 19, "rank": 0},
             {"key": "coverage_low", "unit": "KZ-39", "pct": 41, "rank": 1},
             {"key": "under3", "unit": "KZ-55", "now": 7, "rank": 2},
             {"key": "family_share_fell", "unit": "KZ-75", "before": 85.0, "now": 84.1,
              "rank": 3}]
    for lang in LANGUAGES:
        texts = mon.alert_texts(found, names, lang)
        assert len(texts) == 4 and all("{" not in x for x in texts)
    en = mon.alert_texts(found, names, "en")
    assert en[0] == "Turkistan: entries into residential care rose two years in a row (12 -> 19)."


def test_every_indicator_and_count_has_a_label_and_a_docs_entry():
    docs = (ROOT / "docs" / "gatekeeping.md").read_text(encoding="utf-8")
    for key in [i.key for i in INDICATORS] + list(COUNT_KEYS):
        for lang in LANGUAGES:
            assert mon.label(key, lang)
    for ind in INDICATORS:
        assert f"`{ind.key}`" in docs and ind.source.split(",")[0] in docs
    from geo.schema import CARE_MEASURES
    assert all(f"`{m}`" in docs for m in CARE_MEASURES)
    assert BY_KEY["diversion_share"].source.startswith("Otbasy local definition")


# --- the page -------------------------------------------------------------------------------

APP = str(ROOT / "app.py")


@pytest.fixture(autouse=False)
def isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))


def _page(signed_in: bool, lang: str = "en") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["lang"] = lang
    if signed_in:
        from access.guard import SESSION_KEY
        from access.roles import User
        from access.session import Session
        now = time.time()
        at.session_state[SESSION_KEY] = Session(User("tester", "ministry"), now, now)
    at.run()
    at.switch_page("app_pages/monitor.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_public_shows_no_small_count(isolated):
    at = _page(signed_in=False)
    assert at.title[0].value == t("page_monitor", "en")
    assert any("DEMO DATA" in w.value for w in at.warning)
    at.selectbox(key="monitor_indicator").set_value("under3_entries_residential").run()
    at.slider(key="monitor_year").set_value(2023).run()
    assert not at.exception
    table = as_shown(at.dataframe[0])  # hidden values read "–", never "None"
    values = pd.to_numeric(table.iloc[:, 2], errors="coerce").dropna()
    assert len(values) and ((values == 0) | (values >= 5)).all()
    assert (table.iloc[:, 2] == "–").any()  # some units hidden
    text = " ".join(m.value for m in at.markdown)
    for n in (1, 2, 3, 4):
        assert f": {n} children under 3" not in text
    assert len(at.get("download_button")) == 3


def test_page_signed_in_sees_everything_and_reacts_to_the_year(isolated):
    at = _page(signed_in=True)
    at.selectbox(key="monitor_indicator").set_value("under3_entries_residential").run()
    at.slider(key="monitor_year").set_value(2023).run()
    table = at.dataframe[0].value
    assert table.iloc[:, 2].notna().all()
    first = table.columns[2]
    at.slider(key="monitor_year").set_value(2010).run()
    assert at.dataframe[0].value.columns[2] != first and "2010" in at.dataframe[0].value.columns[2]
    assert not at.exception


def test_page_in_kazakh(isolated):
    at = _page(signed_in=False, lang="kk")
    assert at.title[0].value == t("page_monitor", "kk")
    assert any("Ұлытау" in str(v) for v in at.dataframe[0].value.iloc[:, 1])


def test_page_district_level_public(isolated):
    at = _page(signed_in=False)
    at.radio(key="sidebar_level").set_value("district").run()
    at.selectbox(key="monitor_indicator").set_value("under3_entries_residential").run()
    assert not at.exception, [e.value for e in at.exception]
    table = as_shown(at.dataframe[0])
    assert len(table) == 225
    values = pd.to_numeric(table.iloc[:, 2], errors="coerce").dropna()
    assert ((values == 0) | (values >= 5)).all()


def test_district_public_view_hides_small_and_protects_oblast_totals():
    from gatekeeping.series import on_version
    from geo.privacy import withheld
    units = load_boundaries("KZ", 2022, "district")
    parents = dict(zip(units["code"], units["parent_code"]))
    table = indicator_table(on_version("KZ", "district", 2022))
    public = mon.public_view(table, parents)
    n = table["n_under3_entries_residential"]
    shown = public["under3_entries_residential"]
    assert shown[(n >= 1) & (n < 5)].isna().all()
    # within an oblast, one district hidden alone only when the oblast's own value is below 5
    # (so the oblast view hides it too and it cannot be subtracted)
    year = public.xs(2023, level="year")
    raw = table.xs(2023, level="year")["under3_entries_residential"]
    for oblast in set(parents.values()):
        codes = [c for c, p in parents.items() if p == oblast]
        hidden = year.loc[codes, "under3_entries_residential"].isna()
        if hidden.sum() == 1:
            assert 1 <= raw[codes].sum() < 5, oblast
    assert withheld([3, 7, 10]).tolist() == [True, True, False]  # 3 alone would be recovered


def _readme_row(folder: str, name: str) -> str:
    """A file's row in data/<folder>/README.md as the CSV quotes it (file: source (licence,
    year, status)), read from the README itself."""
    for line in (ROOT / "data" / folder / "README.md").read_text("utf-8").splitlines():
        cells = [c.strip().replace("**", "").replace("`", "") for c in line.strip("|").split("|")]
        if cells[0] == name:
            return f"{folder}/{name}: {cells[1]} ({cells[2]}, {cells[3]}, {cells[4]})"
    raise AssertionError(f"{name} has no row in data/{folder}/README.md")


def test_series_provenance_names_what_the_figures_were_made_from():
    from gatekeeping.series import series_provenance

    def files(*args):
        return sorted(r["file"] for r in series_provenance(*args))

    # oblast figures of 2003-2021 were published on the 2014 and 2018 oblasts: re-based onto
    # 2022 by the crosswalk and the settlements' population
    assert files("KZ", "oblast", 2022, True) == [
        "boundaries/crosswalk_kz.csv", "boundaries/kz_2022_oblast.gpkg",
        "care/kz_oblast_care.csv", "settlements/settlements.geojson"]
    assert files("KZ", "district", 2022, False) == [
        "boundaries/kz_2022_district.gpkg", "care/kz_district_care.parquet"]
    assert files("KZ", "oblast", 2014, True)[1] == "boundaries/kz_2014_oblast.gpkg"


@pytest.mark.parametrize("level", ["oblast", "district"])
def test_page_csv_carries_demo_notice_and_data_sources_with_plain_numbers(isolated, monkeypatch,
                                                                         level):
    """The Monitor CSV carried the demo notice but not what it was made from (the Explore
    and Coverage-gaps CSVs do, `ui.exports.with_demo`); its numbers stay machine-readable
    in Russian too ("1234.5", never "1 234,5")."""
    import io

    import streamlit as st

    downloads: list[tuple[str, object]] = []
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        downloads.append((kwargs.get("file_name"), data))
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    at = _page(signed_in=False, lang="ru")
    if level == "district":
        downloads.clear()
        at.radio(key="sidebar_level").set_value("district").run()
        assert not at.exception, [e.value for e in at.exception]
    data = [d for n, d in downloads if str(n).endswith(".csv")][-1]
    csv = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert len(csv) == (225 if level == "district" else 21)
    assert csv["demo"].all() and csv["demo_note"].str.startswith("DEMO DATA").all()
    sources = csv["data_sources"].iloc[0]
    assert (csv["data_sources"] == sources).all()
    care = "kz_district_care.parquet" if level == "district" else "kz_oblast_care.csv"
    assert _readme_row("care", care) in sources
    assert _readme_row("boundaries", f"kz_2022_{level}.gpkg") in sources
    assert "facilities/centres.geojson:" not in sources  # not drawn from the facility layer
    values = csv.iloc[:, 2]  # the indicator in the year shown: numbers, not "1 234,5"
    assert pd.api.types.is_float_dtype(values) and values.notna().any()
    shown = at.dataframe[0].value
    assert np.allclose(values.fillna(-1), shown.iloc[:, 2].astype(float).fillna(-1))


@pytest.mark.parametrize("lang,written", [("ru", "10\u00a0000"), ("kk", "10\u00a0000"),
                                          ("en", "10,000")])
def test_charts_write_numbers_the_page_languages_way(data, lang, written):
    """QA: the Monitor's trend axis and map legend wrote "10,000" on a Russian page (Vega's
    English default); the spec carries the language's CLDR symbols, also in the PNG/HTML."""
    import re

    import vl_convert

    table, _, opened, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    trend = mon.trend_frame(table, "in_residential", "KZ-75", names, "KZ")
    assert trend["value"].max() > 10_000  # the national line: the axis passes 10 000
    spec = mon.trend_chart(trend, "x", None, "", 2023, None, lang=lang)
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", vl_convert.vegalite_to_svg(spec))
    assert written in labels
    assert not any(re.fullmatch(r"\d+[,.]\d{3}", x) for x in labels if lang != "en")
    legend = mon.map_chart(mon.map_frame(units, table, "in_residential", 2023, opened), "x",
                           None, lang=lang)
    assert legend["config"]["locale"]["number"]["thousands"] == ("," if lang == "en"
                                                                 else "\u00a0")


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_chart_tooltips_name_their_fields_in_the_page_language(data, lang):
    """QA: the map's tooltip read "properties.unit_name" and the trend's "series", "year",
    "value" (field names) on every page."""
    table, _, opened, units = data
    names = dict(zip(units["code"], units["unit_name"]))
    specs = [mon.map_chart(mon.map_frame(units, table, "entry_rate_per_100k", 2023, opened),
                           "Rate, 2023", None, lang=lang),
             mon.trend_chart(mon.trend_frame(table, "entry_rate_per_100k", "KZ-75", names, "KZ"),
                             "Rate", None, "", 2023, None, lang=lang)]
    titles = []

    def walk(node):
        if isinstance(node, dict):
            tip = node.get("tooltip")
            for item in tip if isinstance(tip, list) else [tip] if isinstance(tip, dict) else []:
                titles.append(item.get("title"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(specs)
    assert len(titles) == 7
    assert set(titles) == {t("col_unit", lang), t("col_year", lang), "Rate"}


def test_the_units_line_keeps_its_style_whatever_its_name():
    """Tour (session 21): the trend's colours and dashes went by series name, so Abai (before
    "Kazakhstan") was the dark solid line while Semey (after it) was the light dashed one and
    the national line took the unit's style. The unit is the first series whatever its name:
    listed first in the legend, in the same colour for both units."""
    import re

    import vl_convert

    from gatekeeping.series import on_version

    national = t("gk_national", "en")
    tables = {"KZ-10": indicator_table(on_version("KZ", "oblast", 2022)),
              "KZ101000": indicator_table(on_version("KZ", "district", 2022))}
    names = {"KZ-10": "Abai", "KZ101000": "Semey"}
    firsts = []
    for code, name in names.items():
        frame = mon.trend_frame(tables[code], "entry_rate_per_100k", code, names, national)
        svg = vl_convert.vegalite_to_svg(mon.trend_chart(frame, "T", None, "", 2023, None))
        legend = re.findall(rf"<text[^>]*>({name}|{re.escape(national)})</text>", svg)
        assert legend == [name, national], legend
        firsts.append(re.findall(r'class="mark-symbol[^"]*"[^>]*>\s*<path[^>]*stroke="(#\w+)"',
                                 svg)[:1])
    assert firsts[0] == firsts[1] and firsts[0], firsts
