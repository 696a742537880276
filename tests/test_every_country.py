"""No dead ends: every page opens for every bundled country and boundary version without an
exception or an error box, and says which layers are missing where a country has none."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.layers import boundary_levels, boundary_versions, countries
from ui.i18n import t

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGES = ("explore", "gaps", "scenarios", "compare", "data", "admin")
CASES = [(cc, v, level) for cc in countries() for v in boundary_versions(cc)
         for level in boundary_levels(cc, v)
         if (cc, v, level) != ("KZ", 2022, "oblast")]  # the default: test_app_pages


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))


def test_every_bundled_country_is_tried() -> None:
    assert {cc for cc, _, _ in CASES} == {"KG", "TJ", "TM", "UZ", "KZ"}
    assert ("KZ", 2022, "district") in CASES


def _app(lang: str, role: str | None, **state: object) -> AppTest:
    """The app, run once, in `lang`, signed in as `role` (None: public), with sidebar state."""
    from access.guard import SESSION_KEY
    from access.roles import User
    from access.session import Session

    at = AppTest.from_file(APP, default_timeout=240)
    at.session_state["lang"] = lang
    if role is not None:
        now = time.time()
        at.session_state[SESSION_KEY] = Session(User("tester", role), now, now)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    return at


@pytest.mark.parametrize("country,version,level", CASES)
def test_every_page_opens(country: str, version: int, level: str) -> None:
    at = _app("en", "admin", country=country, version=version, level=level)
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py")
        at.run()
        assert not at.exception, (page, [e.value for e in at.exception])
        assert not at.error, (page, [e.value for e in at.error])
        shown = " ".join(str(i.value) for i in [*at.info, *at.warning])
        if country != "KZ" and page == "explore":
            names = ", ".join(t(f"layer_{n}", "en") for n in ("institutions", "centres",
                                                               "foster"))
            assert t("layers_missing", "en", layers=names) in shown
        if country != "KZ" and page == "gaps":
            assert t("gaps_no_centres", "en") in shown


@pytest.mark.parametrize("role", ["public", "ministry"])
@pytest.mark.parametrize("indicator", ["institution_rate", "foster_rate", "coverage_share"])
def test_explore_without_facility_data_says_no_data_not_zero(role: str, indicator: str) -> None:
    """QA: Kyrgyzstan has no bundled institutions, centres or foster data, yet Explore shaded
    every oblast in one dark class "0.0 – 1.0" and listed 0 per unit, which reads as a
    measured absence. The map says "no data" and the table "–" instead."""
    import json

    at = _app("ru", None if role == "public" else role, country="KG",
              explore_indicator=indicator)
    assert not at.exception, [e.value for e in at.exception]
    html = json.loads(at.get("component_instance")[0].proto.json_args)["html"]
    no_data = json.dumps(t("no_data", "ru"))[1:-1]
    assert no_data in html or t("no_data", "ru") in html
    assert "0,0 – 1,0" not in html and "0.0 – 1.0" not in html and "\"nan\"" not in html
    from tests.shown import as_shown
    from ui.viewmodels import INDICATOR_LABEL_KEYS

    # on screen a missing value reads "–" (it read "None" until the session-21 tour)
    values = as_shown(at.dataframe[0])[t(INDICATOR_LABEL_KEYS[indicator], "ru")]
    assert (values == "–").all(), list(values)
