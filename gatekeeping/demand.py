"""Risk-weighted demand for planning: children weighted by their unit's entry rate.

A settlement's expected referrals are its children x its unit's entry rate into formal care.
Planning weights demand by children x (unit rate / national rate): the same national scale as
children (so centre capacities in children keep their meaning) with more weight where the
inflow is higher. Units whose rate is not computed (small denominator) take the national rate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from gatekeeping.indicators import indicator_table
from gatekeeping.series import load_series, rebase

RATE = "entry_rate_per_100k"


def entry_rates(country: str, version: int, year: int | None = None) -> tuple[pd.Series, float,
                                                                              int]:
    """(entry rate per 100,000 per unit code, national rate, year used) on `version`'s units."""
    table = indicator_table(rebase(load_series(country), version, country))
    years = sorted(table.index.get_level_values("year").unique())
    year = years[-1] if year is None else int(year)
    if year not in years:
        raise ValueError(f"demand.rate_year: no care series for {year}; the series covers "
                         f"{years[0]}-{years[-1]}")
    rates = table[RATE].xs(year, level="year")
    national = float(rates.pop("TOTAL"))
    return rates, national, year


def risk_weights(children: np.ndarray, unit_codes: pd.Series, rates: pd.Series,
                 national: float) -> np.ndarray:
    """Children x (unit entry rate / national rate); the national rate where a unit has none."""
    relative = unit_codes.map(rates / national).astype(float).fillna(1.0).to_numpy()
    return np.asarray(children, dtype=float) * relative
