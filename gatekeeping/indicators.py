"""Gatekeeping indicators computed from the care measures, per unit and year.

Each `Indicator` names its numerator and denominator (measures or scopes of
`gatekeeping.measures`), so the definition lives in one place and docs/gatekeeping.md can
list it. A rate or share whose denominator is below `MIN_DENOMINATOR` (or `MIN_CHILDREN` for
rates per 100,000 children) is not computed: the value is missing and `flags` says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from gatekeeping.measures import scope_values
from gatekeeping.series import national, to_wide

MIN_CHILDREN = 1_000  # a rate per 100,000 children on fewer children is noise
MIN_DENOMINATOR = 20  # a share of fewer than 20 children or cases is noise


@dataclass(frozen=True)
class Indicator:
    """One indicator: value = numerator / denominator x scale (a count when no denominator)."""

    key: str
    numerator: str
    denominator: str | None
    scale: float
    definition: str
    source: str
    worse_when: str = "higher"  # "higher" | "lower": which direction an alert watches


BCN = ("UNICEF / Better Care Network, Manual for the Measurement of Indicators for Children in "
       "Formal Care (2009)")
TME = "UNICEF TransMonEE database"
LOCAL = "Otbasy local definition (no international indicator)"

INDICATORS: tuple[Indicator, ...] = (
    Indicator("entry_rate_per_100k", "entries_formal", "children_0_17", 1e5,
              "children entering formal care during the year per 100,000 children 0-17",
              BCN + ", core indicator 1"),
    Indicator("formal_care_rate_per_100k", "in_formal_care", "children_0_17", 1e5,
              "children in formal care (residential + family-based) on 31 December per "
              "100,000 children", BCN + ", core indicator 2"),
    Indicator("exits_to_family", "exits_to_family", None, 1,
              "children leaving residential care for a family (reunification, adoption, "
              "guardianship, foster) during the year", BCN + ", core indicator 3",
              worse_when="lower"),
    Indicator("exits_to_family_share", "exits_to_family", "exits_residential", 1,
              "share of exits from residential care that went to a family", BCN +
              ", core indicator 3 as a share", worse_when="lower"),
    Indicator("residential_family_ratio", "res_orphan_orgs", "family_based", 1,
              "children in residential care per child in family-based formal care",
              BCN + ", core indicator 4"),
    Indicator("residential_rate_per_100k", "res_orphan_orgs", "children_0_17", 1e5,
              "children in residential care (organisations for orphans) on 31 December per "
              "100,000 children", TME + " (children in residential care, rate)"),
    Indicator("family_based_share", "family_based", "in_formal_care", 1,
              "share of children in formal care who live in families", TME,
              worse_when="lower"),
    Indicator("entries_residential_rate_per_100k", "entries_residential", "children_0_17", 1e5,
              "children entering residential care during the year per 100,000 children",
              TME + " (inflow into residential care)"),
    Indicator("under3_entries_residential", "entries_residential_under3", None, 1,
              "children under 3 entering residential care during the year",
              BCN + "; UNICEF: no child under 3 in residential care"),
    Indicator("disability_share", "res_orgs_disability", "res_orphan_orgs", 1,
              "share of children in residential care who have a disability", TME),
    Indicator("gatekeeping_coverage", "entries_assessed", "entries_formal", 1,
              "share of entries into formal care preceded by a gatekeeping assessment",
              BCN + " (use of assessment on entry)", worse_when="lower"),
    Indicator("diversion_share", "family_outcomes", "gk_outcomes", 1,
              "referrals whose outcome was family support or a family-based placement, of all "
              "referrals with an outcome", LOCAL, worse_when="lower"),
    Indicator("families_per_child_waiting", "bank_families_waiting", "bank_children_available",
              1, "candidate families registered per child available for family placement in "
              "the Republican Bank on 31 December", LOCAL + " (Republican Bank balance)",
              worse_when="lower"),
)
BY_KEY = {i.key: i for i in INDICATORS}

# counts shown beside the indicators (CLI keys -> measure or scope)
COUNTS = {
    "children": "children_0_17",
    "entries": "entries_formal",
    "in_residential": "res_orphan_orgs",
    "in_guardianship": "stock_guardianship",
    "in_foster_care": "stock_foster",
    "in_formal_care": "in_formal_care",
    "entries_residential": "entries_residential",
    "gk_centres": "gk_centres",
}
COUNT_KEYS = tuple(COUNTS)


def _values(wide: pd.DataFrame, name: str) -> pd.Series:
    if name == "family_outcomes":
        return scope_values(wide, "gk_outcome_family_support") + \
            scope_values(wide, "gk_outcome_family_placement")
    return scope_values(wide, name).astype(float)


def compute(wide: pd.DataFrame) -> pd.DataFrame:
    """Counts, indicators and `flags` for every row of a wide table (columns = measures)."""
    out = pd.DataFrame(index=wide.index)
    for key, measure in COUNTS.items():
        out[key] = _values(wide, measure)
    flags: list[list[str]] = [[] for _ in range(len(wide))]
    for ind in INDICATORS:
        num = _values(wide, ind.numerator)
        out[f"n_{ind.key}"] = num  # the children counted: what public masking protects
        if ind.denominator is None:
            out[ind.key] = num
            continue
        den = _values(wide, ind.denominator)
        floor = MIN_CHILDREN if ind.denominator == "children_0_17" else MIN_DENOMINATOR
        small = den.notna() & (den < floor)
        value = num / den.where(~small & (den > 0)) * ind.scale
        out[ind.key] = value
        for i in np.flatnonzero(small.to_numpy() & num.notna().to_numpy()):
            flags[i].append(f"{ind.key}: denominator {ind.denominator} = {int(den.iloc[i])} "
                            f"is below {floor}")
    out["flags"] = ["; ".join(f) for f in flags]
    return out


def change_since(table: pd.DataFrame, key: str, base_year: int, year: int) -> pd.Series:
    """Per unit: value in `year` minus value in `base_year` (table indexed by unit, year)."""
    values = table[key].unstack("year")
    if base_year not in values.columns or year not in values.columns:
        return pd.Series(np.nan, index=values.index)
    return values[year] - values[base_year]


def opening_years(wide: pd.DataFrame) -> pd.Series:
    """Per unit: the first year with a gatekeeping centre open (units never opening omitted)."""
    centres = scope_values(wide, "gk_centres").unstack("year")
    has = centres.gt(0)
    first = has.idxmax(axis=1)
    return first[has.any(axis=1)].astype(int)


def before_after(table: pd.DataFrame, unit: str, year: int, key: str = "entry_rate_per_100k",
                 window: int = 3) -> tuple[float, float] | None:
    """Mean of `key` in the `window` years before `year` and in `year` and the years after."""
    series = table[key].xs(unit, level="unit_code").dropna()
    before = series[(series.index < year) & (series.index >= year - window)]
    after = series[(series.index >= year) & (series.index < year + window)]
    if before.empty or after.empty:
        return None
    return float(before.mean()), float(after.mean())


def alerts(table: pd.DataFrame, year: int) -> list[dict]:
    """Plain-language alerts for `year`: (key, unit, values) dicts, worst first.

    - `rose_twice`: entries into residential care rose two years in a row;
    - `under3`: children under 3 still entered residential care;
    - `coverage_low`: fewer than half of entries into formal care were assessed;
    - `family_share_fell`: the share of children in formal care living in families fell.
    """
    out: list[dict] = []
    units = table.index.get_level_values("unit_code").unique()
    for unit in units:
        t = table.xs(unit, level="unit_code")
        if year not in t.index:
            continue
        e = t["entries_residential"]
        if {year - 2, year - 1}.issubset(e.index) and \
                e[year] > e[year - 1] > e[year - 2]:
            out.append({"key": "rose_twice", "unit": unit, "before": int(e[year - 2]),
                        "now": int(e[year]), "rank": 0})
        u3 = t.at[year, "under3_entries_residential"]
        if pd.notna(u3) and u3 >= 5:
            out.append({"key": "under3", "unit": unit, "now": int(u3), "rank": 2})
        cov = t.at[year, "gatekeeping_coverage"]
        if pd.notna(cov) and cov < 0.5:
            out.append({"key": "coverage_low", "unit": unit, "pct": round(100 * cov),
                        "rank": 1})
        fam = t["family_based_share"]
        if year - 1 in fam.index and pd.notna(fam[year]) and pd.notna(fam[year - 1]) \
                and fam[year] < fam[year - 1] - 0.005:
            out.append({"key": "family_share_fell", "unit": unit,
                        "before": round(100 * fam[year - 1], 1), "now": round(100 * fam[year], 1),
                        "rank": 3})
    return sorted(out, key=lambda a: (a["rank"], a["unit"]))


def indicator_table(long: pd.DataFrame) -> pd.DataFrame:
    """Indicators per (unit_code, year), plus a 'TOTAL' unit computed from national sums."""
    per_unit = compute(to_wide(long))
    nat = national(long)
    nat.index = pd.MultiIndex.from_product([["TOTAL"], nat.index], names=["unit_code", "year"])
    return pd.concat([per_unit, compute(nat)])
