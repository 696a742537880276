"""Otbasy web app: `make run` (`otbasy app`, which serves it through `otbasy/server.py`).

Thin shell: serve Leaflet locally, draw the sidebar (language, country, boundary version,
basemap, sign-in), and route to the page modules in `app_pages/` that the user's role may
open; every page keeps its URL, and one above the role says so instead. Each page wires
widgets to `geo/`, `planning/` and the builders in `ui/`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st

import app_pages
from access.guard import allowed_pages, auth_sidebar, require_page
from app_pages.common import page_menu, sidebar, upload_banner
from otbasy import logs
from otbasy.paths import STATIC_DIR
from ui.i18n import t
from ui.offline import use_local_assets

logs.configure()
use_local_assets()
st.set_page_config(page_title="Otbasy", page_icon=str(STATIC_DIR / "favicon.png"), layout="wide")

HERE = Path(app_pages.__file__).resolve().parent
# page key (access.roles.PAGES) -> (module, title key, url path, icon)
PAGES = {
    "explore": ("explore.py", "page_explore", "explore", ":material/map:"),
    "monitor": ("monitor.py", "page_monitor", "monitor", ":material/monitoring:"),
    "scenarios": ("scenarios.py", "page_scenarios", "scenarios", ":material/tune:"),
    "compare": ("compare.py", "page_compare", "compare", ":material/compare:"),
    "sweeps": ("sweeps.py", "page_sweeps", "sweeps", ":material/stacked_line_chart:"),
    "coverage_gaps": ("gaps.py", "page_gaps", "coverage_gaps", ":material/location_off:"),
    "data": ("data.py", "page_data", "data", ":material/upload_file:"),
    "admin": ("admin.py", "page_admin", "admin", ":material/admin_panel_settings:"),
}


def unavailable(page: str) -> Callable[[], None]:
    """What a link to a page the role may not open shows: `require_page`'s sentence (sign in,
    or not for your role) in the user's language, audited, instead of "Page not found"."""
    def show() -> None:
        require_page(page)
    return show


menu = st.sidebar.container(key="otbasy_nav")  # at the top of the sidebar, filled below
ctx = sidebar()
user = auth_sidebar(lambda key, **fmt: t(key, ctx.lang, **fmt))
upload_banner(ctx)  # an active uploaded layer is named on every page, with the way back
allowed = set(allowed_pages(user.role))
# Every page keeps its URL (/explore, /scenarios, ...); the menu lists only the role's pages.
pages = {key: st.Page(HERE / module if key in allowed else unavailable(key),
                      title=t(title, ctx.lang), url_path=url, icon=icon)
         for key, (module, title, url, icon) in PAGES.items()}
# `/` opens Explore too: Streamlit serves its default page only at the root and ignores that
# page's url_path (a link to /explore then said "Page not found"), so the root is a hidden
# page of its own running the same script, and /explore stays the menu's page.
home = st.Page(HERE / PAGES["explore"][0], title=t("page_explore", ctx.lang), url_path="",
               icon=PAGES["explore"][3], default=True, visibility="hidden")
current = st.navigation([home, *pages.values()], position="hidden")  # the menu: page_menu
page_menu(menu, [home if key == "explore" and current is home else page
                 for key, page in pages.items() if key in allowed])
try:
    current.run()
except Exception:  # any page failure: a sentence for the user, the traceback in the log
    logging.getLogger("otbasy.app").exception("page failed (user %s, country %s, version %s)",
                                              user.username, ctx.country, ctx.version)
    st.error(t("error_generic", ctx.lang))
