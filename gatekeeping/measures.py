"""Scopes: named sums of care measures, so each published figure is compared with its own scope.

Sources count different things as "institutions": all residential institutions including
general boarding schools (UNICEF 2005/2007), children's homes only (2009/2017), organisations
for orphans and children without parental care (2021/2023), or those plus social-protection
homes (2014/2024). Each is a scope here; `scope_values` adds its parts in a wide table.
"""

from __future__ import annotations

import pandas as pd

from geo.schema import CARE_MEASURES

ORPHAN_ORGS = ("res_baby_home", "res_childrens_home", "res_family_type_home")
FAMILY_BASED = ("stock_guardianship", "stock_foster", "stock_patronage")
EXITS_TO_FAMILY = ("exits_reunification", "exits_adoption", "exits_guardianship",
                   "exits_foster")
GK_OUTCOMES = ("gk_outcome_family_support", "gk_outcome_family_placement",
               "gk_outcome_residential")

SCOPES: dict[str, tuple[str, ...]] = {
    # organisations for orphans and children without parental care (inform.kz 2021, cabar 2023)
    "res_orphan_orgs": ORPHAN_ORGS,
    "inst_orphan_orgs": ("inst_baby_home", "inst_childrens_home", "inst_family_type_home"),
    # children's homes (orphanages) incl. family-type, without baby homes (seeds [002])
    "res_childrens_homes_all": ("res_childrens_home", "res_family_type_home"),
    "inst_childrens_homes_all": ("inst_childrens_home", "inst_family_type_home"),
    # organisations for orphans plus social-protection homes (strategy2050 2014, 24.kz 2024)
    "res_orgs_broad": ORPHAN_ORGS + ("res_social_protection",),
    "inst_orgs_broad": ("inst_baby_home", "inst_childrens_home", "inst_family_type_home",
                        "inst_social_protection"),
    # every residential institution incl. general boarding schools (UNICEF 2005, 2007)
    "res_all_residential": ORPHAN_ORGS + ("res_social_protection", "res_boarding_disability",
                                          "res_boarding_general"),
    "inst_all_residential": ("inst_baby_home", "inst_childrens_home", "inst_family_type_home",
                             "inst_social_protection", "inst_boarding_disability",
                             "inst_boarding_general"),
    "res_boarding": ("res_boarding_disability", "res_boarding_general"),
    # children without parental care (CLPC) by where they live
    "family_based": FAMILY_BASED,
    "clpc_residential": ORPHAN_ORGS + ("clpc_in_specialised",),
    "clpc_total": FAMILY_BASED + ORPHAN_ORGS + ("clpc_in_specialised",),
    # formal care = family-based formal care + residential care (organisations for orphans)
    "in_formal_care": FAMILY_BASED + ORPHAN_ORGS,
    "exits_to_family": EXITS_TO_FAMILY,
    "exits_residential": EXITS_TO_FAMILY + ("exits_independent",),
    "gk_outcomes": GK_OUTCOMES,
    "bank_placed": ("bank_placed_adoption", "bank_placed_guardianship", "bank_placed_foster"),
}

assert all(m in CARE_MEASURES for parts in SCOPES.values() for m in parts)


def scope_values(wide: pd.DataFrame, scope: str) -> pd.Series:
    """The value of a measure or scope in every row of a wide table (columns = measures).

    A missing part counts as 0 only when at least one part is present; all parts missing is NaN.
    """
    if scope in wide.columns:
        return wide[scope]
    parts = [p for p in SCOPES[scope] if p in wide.columns] if scope in SCOPES else []
    if scope not in SCOPES and scope not in CARE_MEASURES:
        raise KeyError(f"unknown measure or scope {scope!r}")
    if not parts:
        return pd.Series(float("nan"), index=wide.index)
    return wide[parts].sum(axis=1, min_count=1)
