"""Streamlit-free builders for the Otbasy web app: maps, tables, view models, strings, storage."""
