"""The commented default scenario printed by `python -m planning example`.

Values come from `Scenario.default()`; the comments cite where each default comes from
(figures from the source documents, with their year) or say that it is an assumption.
"""

from __future__ import annotations

import tomli_w

from planning.scenario import Scenario

HEADER = """\
# Otbasy planning scenario (TOML). Run: python -m planning solve THIS_FILE --out DIR
# Money in KZT. Omit a setting to use its default; omit a budget line for no limit.
"""

COMMENTS: dict[str, str] = {
    "name": "Label shown in reports",
    "country": "KZ, KG, TJ, TM or UZ",
    "boundary_version": "Boundary year (KZ: 2014, 2018, 2022); omit for the country's default",
    "objective": ("max_coverage | min_travel (p-median) | min_cost (set covering) | "
                  "max_min_coverage (worst unit first)"),
    "coverage_target": "min_cost only: share of children to cover (1.0 = all)",
    "region.units": "Oblast codes such as \"KZ-61\" and/or district codes such as "
                    "\"KZ611000\"; empty = the whole country",
    "travel.standard_minutes": ("A child is covered if a centre is within this many minutes. "
                                "No public standard exists; 60 min suits a rural outreach "
                                "service"),
    "travel.cutoff_minutes": ("Longest trip considered (min_travel may assign beyond the "
                              "standard); omit = the standard"),
    "travel.provider": ("straight (geodesic x circuity / speed, offline) or road (travel.graph: "
                        "a road graph of the server, `python -m geo graphs list`)"),
    "travel.speed_kmh": "Average road speed",
    "travel.circuity": "Road distance / straight-line distance (1.3 rural; higher in mountains)",
    "budget.total_kzt": ("Capex + horizon x annual opex, kept centres included. Default: 208 "
                         "family support centres planned by 2027 (131 open in Oct 2025, "
                         "zakon.kz): 77 new centres' capex + 208 centres' opex over 5 years. "
                         "Kazakhstan's figures: set your own for another country"),
    "budget.capex_kzt": "Optional capital-spending limit",
    "budget.opex_kzt_per_year": "Optional annual running-cost limit",
    "budget.horizon_years": "Years of running costs counted in the total",
    "candidates.mode": "all_settlements | min_population | list (site_ids)",
    "candidates.min_population": "Settlements at least this large may host a new centre",
    "candidates.capex_kzt": "ASSUMPTION: fitting out premises for a new centre",
    "candidates.opex_kzt_per_year": ("ASSUMPTION: 6 social workers + rent and transport "
                                     "(~4 m KZT per worker per year)"),
    "candidates.max_new": "Optional limit on new + converted centres (p in the p-median)",
    "capacity.enabled": "false = uncapacitated (classic MCLP / p-median)",
    "capacity.social_workers": "Social workers per centre",
    "capacity.children_per_worker": ("Children 0-17 living in the catchment per worker: legal "
                                     "norm 1 guardianship specialist per 5,000 children (Dec "
                                     "2024 law, inform.kz). Capacity counts catchment children, "
                                     "not open cases"),
    "capacity.max_centres_per_site": "Centres one settlement may host (large cities need more)",
    "conversion.types": ("Institution types that may become centres (centres for support of "
                         "children in difficult situations can be created in large orphanages, "
                         "2017)"),
    "conversion.capex_kzt": "ASSUMPTION: refitting an institution's building",
    "conversion.opex_kzt_per_year": "ASSUMPTION: as a new centre",
    "conversion.social_workers": "Social workers in a converted centre",
    "demand.weighting": ("children (every child counts the same) | expected_referrals (children "
                         "x the unit's entry rate into formal care / the national rate, from the "
                         "gatekeeping series: centres go where the inflow is)"),
    "demand.rate_year": "Year of the entry rates; omit = the latest year of the series",
    "existing.keep": "Keep existing centres open (no capex; opex counted)",
    "existing.opex_kzt_per_year": "ASSUMPTION: as a new centre",
    "sites.must_open": "Site ids (settlement, institution or centre ids) that must open",
    "sites.excluded": "Site ids that may not be used",
    "equity.min_unit_coverage": "Every unit covers at least this share of its children (0 = none)",
    "equity.level": "Units of the equity rule and of the family-care balance: oblast or district",
    "family_care.enabled": ("Children leaving a converted institution need family places in "
                            "the same unit"),
    "family_care.places_per_foster_family": ("ASSUMPTION: places per existing foster family; "
                                             "spare = families x places - foster children"),
    "family_care.guardianship_growth": ("ASSUMPTION: extra kin-guardianship places as a share of "
                                        "children under guardianship today"),
    "family_care.professional_family_children":
        "Professional foster family: up to 4 children (2025)",
    "family_care.carer_kzt_per_month":
        "75 MCI per carer per month = 294,900 KZT (1 Jul 2025, alau.kz)",
    "family_care.child_kzt_per_month": "10 MCI per child per month = 39,320 KZT (2025)",
    "family_care.institution_kzt_per_child_year": ("Children's home ~7.5 m KZT per child per "
                                                   "year vs foster family ~0.46 m (2024, "
                                                   "ulysmedia.kz; 13-16x)"),
    "family_care.credit_released": ("Credit what a conversion releases (children moved x "
                                    "(institution - family cost per child)) against running "
                                    "costs and budgets"),
    "solver.name": "highs (default, faster in bench/solve.py) or cbc",
    "solver.time_limit_seconds": "Stop after this long; the status then says so",
    "solver.mip_gap": "Relative optimality gap accepted as optimal",
    "solver.threads": "Solver threads; omit for the solver's default",
}


def _line(key: str, value, comment: str | None) -> str:
    text = tomli_w.dumps({key: value}).strip()
    return f"{text}  # {comment}" if comment else text


def example_toml(country: str = "KZ") -> str:
    """The default scenario as commented TOML (parses back to `Scenario.default(country)`)."""
    data = Scenario.default(country).to_dict()
    out = [HEADER]
    for key, value in data.items():
        if not isinstance(value, dict):
            out.append(_line(key, value, COMMENTS.get(key)))
    for section, table in data.items():
        if isinstance(table, dict):
            out.append(f"\n[{section}]")
            for key, value in table.items():
                out.append(_line(key, value, COMMENTS.get(f"{section}.{key}")))
            for key, comment in COMMENTS.items():
                sec, _, name = key.partition(".")
                if sec == section and name not in table:
                    out.append(f"# {name} = ...  # {comment}")
    for key, comment in COMMENTS.items():
        if "." not in key and key not in data:
            out.insert(1, f"# {key} = ...  # {comment}")
    return "\n".join(out) + "\n"
