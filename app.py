"""Otbasy web app: `streamlit run app.py` (or `make run`).

Thin shell: serve Leaflet locally, draw the sidebar (language, country, boundary version,
basemap, sign-in), and route to the page modules in `app_pages/` that the user's role may
open. Each page wires widgets to `geo/`, `planning/` and the builders in `ui/`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from access.guard import allowed_pages, auth_sidebar
from app_pages.common import sidebar
from ui.i18n import t
from ui.offline import use_local_assets

use_local_assets()
ROOT = Path(__file__).resolve().parent
st.set_page_config(page_title="Otbasy", page_icon=str(ROOT / "static" / "favicon.png"),
                   layout="wide")

HERE = ROOT / "app_pages"
# page key (access.roles.PAGES) -> (module, title key, url path, icon)
PAGES = {
    "explore": ("explore.py", "page_explore", "explore", ":material/map:"),
    "monitor": ("monitor.py", "page_monitor", "monitor", ":material/monitoring:"),
    "scenarios": ("scenarios.py", "page_scenarios", "scenarios", ":material/tune:"),
    "compare": ("compare.py", "page_compare", "compare", ":material/compare:"),
    "coverage_gaps": ("gaps.py", "page_gaps", "coverage_gaps", ":material/location_off:"),
    "data": ("data.py", "page_data", "data", ":material/upload_file:"),
    "admin": ("admin.py", "page_admin", "admin", ":material/admin_panel_settings:"),
}

ctx = sidebar()
user = auth_sidebar()
allowed = set(allowed_pages(user.role))
pages = [st.Page(HERE / module, title=t(title, ctx.lang), url_path=url, icon=icon,
                 default=key == "explore")
         for key, (module, title, url, icon) in PAGES.items() if key in allowed]
st.navigation(pages).run()
