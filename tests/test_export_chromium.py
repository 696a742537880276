"""The exported HTML map, opened from disk in Debian's Chromium with every network request
blocked: exactly one Leaflet map, drawn, with the header (title, scenario, date, KPIs, demo
notice) and the legend visible; the report opens too. Marked e2e like tests/test_e2e.py."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from geo.layers import load_display_boundaries, load_layers
from planning.scenario import Scenario
from planning.solve import run_scenario
from tests.browser import MARKS, chromium
from ui import exports, maps
from ui.i18n import t
from ui.offline import standalone_html

pytestmark = MARKS


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    s = Scenario.default("KZ")
    s.name = "Ministry memo <b>draft</b>"
    s.region.units = ["KZ-59", "KZ-62"]
    result = run_scenario(s)
    out = tmp_path_factory.mktemp("export")
    when = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    (out / "map.html").write_text(exports.plan_map_html(result, "kk", when), encoding="utf-8")
    (out / "report.html").write_text(exports.plan_report_html(result, "kk", when),
                                     encoding="utf-8")
    return out, result


def test_exported_map_in_chromium_has_one_map_and_its_header(files) -> None:
    out, _result = files
    requests: list[str] = []
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})

        def route(r):
            url = r.request.url
            if not url.startswith(("file:", "data:", "blob:", "about:")):
                requests.append(url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        page.goto((out / "map.html").as_uri())
        page.wait_for_selector(".leaflet-container", timeout=30_000)
        page.wait_for_selector("path.leaflet-interactive", timeout=30_000)
        assert page.locator(".leaflet-container").count() == 1
        assert page.locator(".otbasy-head").count() == 1
        head = page.locator(".otbasy-head").inner_text()
        assert "Ministry memo <b>draft</b>" in head  # shown as text, not markup
        assert "2026-12-01 10:00 UTC" in head and t("demo_notice", "kk") in head
        assert t("kpi_coverage", "kk") in head and t("kpi_budget", "kk") in head
        assert page.locator(".otbasy-legend").count() >= 1
        assert page.locator(".otbasy-head").bounding_box()["height"] < 300
        page.goto((out / "report.html").as_uri())
        assert t("sites_title", "kk") in page.inner_text("body")
    assert not requests, requests


# every circle marker whose centre the browser would hit on a map control (legend, layer list)
HIDDEN_MARKERS_JS = """() => [...document.querySelectorAll('path.leaflet-interactive')]
    .filter(p => / a/i.test(p.getAttribute('d') || ''))
    .map(p => p.getBoundingClientRect())
    .filter(r => r.width > 0)
    .filter(r => {
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return hit && hit.closest('.leaflet-control');
    }).length"""


@pytest.mark.parametrize("country", ["KZ", "UZ"])
def test_no_marker_starts_under_the_legends_or_layer_control(tmp_path, country) -> None:
    """The Explore map as the app draws it (choropleth, institutions and centres, both
    legends, layer control) in a frame of the app's size: every marker is clickable at first
    sight. QA found the legends covering south-east Kazakhstan (Almaty, Zhetysu)."""
    layers = load_layers(country)
    units = load_display_boundaries(country, layers.version, "oblast").assign(
        unit_name=lambda u: u["code"], rate=lambda u: range(len(u)))
    m = maps.base_map(units.total_bounds)
    choro, legend = maps.choropleth_layer(units, "rate", "Children in institutions per 10,000")
    choro.add_to(m)
    if layers.institutions.empty:  # no facility data outside Kazakhstan: its places instead
        maps.point_layer(layers.settlements, "places", colour=maps.SETTLEMENT_COLOUR).add_to(m)
    else:
        maps.point_layer(layers.institutions, "institutions", colour=maps.INSTITUTION_COLOURS,
                         colour_field="type").add_to(m)
    kinds = maps.Legend("Institutions", [(c, code, True)
                                         for code, c in maps.INSTITUTION_COLOURS.items()])
    (tmp_path / "map.html").write_text(standalone_html(maps.finish(m, [legend, kinds])),
                                       encoding="utf-8")
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 940, "height": 560})  # the app's map frame
        page.goto((tmp_path / "map.html").as_uri())
        page.wait_for_selector(".otbasy-legend", timeout=30_000)
        page.wait_for_timeout(500)
        markers = page.evaluate("() => document.querySelectorAll('path.leaflet-interactive')"
                                ".length")
        hidden = page.evaluate(HIDDEN_MARKERS_JS)
    assert markers > len(units)
    assert hidden == 0, f"{hidden} markers start under a legend or the layer control"
