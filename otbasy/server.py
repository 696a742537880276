"""What `otbasy app` serves: the Otbasy Streamlit script as an `st.App` (Streamlit's supported
ASGI entry, `streamlit run` detects the `app` object) plus the session-cookie route of
`access.web`, so a sign-in survives reloads and page links (docs/security.md, "Sessions")."""

import streamlit as st

from access.web import routes
from otbasy.paths import APP_SCRIPT

app = st.App(APP_SCRIPT, routes=routes())
