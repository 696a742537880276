"""Streamlit entry of an installed Otbasy (`otbasy app`): runs the top-level `app` script.

It lives in the `otbasy` package so that Streamlit's static-file folder (`static/` beside the
main script) is the `otbasy/static` shipped in the wheel; in a checkout `app.py` is run directly.
"""

import runpy

runpy.run_module("app", run_name="__main__")
