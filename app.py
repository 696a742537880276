"""Otbasy web app: `streamlit run app.py` (or `make run`).

Thin shell: serve Leaflet locally, draw the sidebar, and route to the page modules in
`app_pages/`. Each page wires widgets to `geo/`, `planning/` and the builders in `ui/`.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app_pages.common import sidebar
from ui.i18n import t
from ui.offline import use_local_assets

use_local_assets()
st.set_page_config(page_title="Otbasy", page_icon=":material/family_restroom:", layout="wide")

ctx = sidebar()
HERE = Path(__file__).resolve().parent / "app_pages"
PAGES = [
    st.Page(HERE / "explore.py", title=t("page_explore", ctx.lang), url_path="explore",
            icon=":material/map:", default=True),
    st.Page(HERE / "scenarios.py", title=t("page_scenarios", ctx.lang), url_path="scenarios",
            icon=":material/tune:"),
    st.Page(HERE / "compare.py", title=t("page_compare", ctx.lang), url_path="compare",
            icon=":material/compare:"),
    st.Page(HERE / "gaps.py", title=t("page_gaps", ctx.lang), url_path="coverage_gaps",
            icon=":material/location_off:"),
    st.Page(HERE / "data.py", title=t("page_data", ctx.lang), url_path="data", icon=":material/upload_file:"),
]
st.navigation(PAGES).run()
