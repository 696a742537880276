"""Otbasy planning: siting scenarios, the optimisation model, solving and results."""
