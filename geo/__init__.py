"""Otbasy geo: layers, schemas, validation, travel costs and coverage."""
