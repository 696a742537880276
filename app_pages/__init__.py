"""Streamlit page modules of the Otbasy app (run through `st.navigation` in app.py)."""
