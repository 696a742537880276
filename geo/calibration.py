"""Published totals the demo facilities are calibrated to, with year and source.

One place for the figures, read by `scripts/build_demo_facilities.py` (which must hit every
target exactly) and by the tests (which check the bundled files against the same numbers),
so the data and its documentation cannot drift apart. Figures that are assumptions rather
than published numbers say so in `note`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    """One calibrated total: how many records, how many children, where the figure comes from."""

    key: str
    records: int | None  # facilities (or families) to create; None when not a record count
    children: int | None
    year: int
    source: str
    note: str = ""


def _n(count: int | None) -> int:
    """A count these published totals always give (None only for other kinds of target)."""
    if count is None:
        raise ValueError("a calibration total is missing its count")
    return count


# --- Residential institutions for orphans and children without parental care (2021) ---------
ORPHAN_INSTITUTIONS_TOTAL = Target(
    "orphan_institutions", 96, 4_254, 2021,
    "inform.kz/en/number-of-foster-homes-declines-each-year-in-kazakhstan_a3795271 (Jun 2021)",
    "96 institutions for orphans and children without parental care with 4,254 children",
)
BABY_HOMES = Target(
    "baby_home", 20, 747, 2021,
    "dknews.kz (20 baby homes in 2024); liter.kz (747 children at end 2022, 711 at end 2023)",
    "nearest published figures to the 2021 snapshot: 20 homes (2024), 747 children (2022)",
)
FAMILY_TYPE_HOMES = Target(
    "family_type_home", 27, 405, 2021,
    "seeds [002]: 49 of 137 orphanages were family-type in 2017",
    "assumption: the 2017 share 49/137 applied to the 76 non-baby homes (27.2 -> 27); "
    "15 children per family-type home on average (small family-like groups)",
)
CHILDRENS_HOMES = Target(
    "childrens_home",
    _n(ORPHAN_INSTITUTIONS_TOTAL.records) - _n(BABY_HOMES.records)
    - _n(FAMILY_TYPE_HOMES.records),
    _n(ORPHAN_INSTITUTIONS_TOTAL.children) - _n(BABY_HOMES.children)
    - _n(FAMILY_TYPE_HOMES.children),
    2021, ORPHAN_INSTITUTIONS_TOTAL.source,
    "the remainder of the 2021 total after baby homes and family-type homes",
)

# Occupancy (children / capacity) of orphan institutions: buildings emptied by the reform.
ORPHAN_OCCUPANCY = (0.55, 0.85)

# Oblasts with the most organisations for orphans (24.kz/amp/ru/news/social/654974, Jun 2024):
# their child population is weighted up when orphan institutions are allocated to units.
ORPHAN_HOTSPOTS = {"KZ-39": 3.0, "KZ-35": 3.0, "KZ-55": 3.0}  # Kostanay, Karaganda, Pavlodar
ORPHAN_HOTSPOT_SOURCE = "24.kz/amp/ru/news/social/654974 (Jun 2024)"

# --- Boarding schools (2018) -------------------------------------------------------------------
BOARDING_DISABILITY = Target(
    "boarding_school_disability", 100, 18_000, 2018,
    "seeds [004]: 18,000 children with special needs, >51% of boarding-school pupils (2018)",
    "assumption: 100 schools, about 180 pupils each",
)
BOARDING_GENERAL = Target(
    "boarding_school_general", 85, 17_294, 2018,
    "seeds [004]: derived, 18,000 / 0.51 = 35,294 boarding-school pupils in total (2018)",
    "assumption: 85 schools, about 203 pupils each",
)
BOARDING_OCCUPANCY = (0.75, 0.95)
SIZE_SPREAD = (0.6, 1.4)  # one institution's size relative to its type's average

INSTITUTION_TARGETS = (BABY_HOMES, CHILDRENS_HOMES, FAMILY_TYPE_HOMES,
                       BOARDING_DISABILITY, BOARDING_GENERAL)
ORPHAN_TYPES = ("baby_home", "childrens_home", "family_type_home")

# --- Family support centres (2025) ------------------------------------------------------------
CENTRES = Target(
    "family_support_centre", 131, None, 2025,
    "zakon.kz/obshestvo/6493416 (Oct 2025): 33 -> 131 family support centres, 208 by 2027",
    "at least one per oblast and city of republican significance, the rest by children",
)
CENTRE_STAFF_TOTAL = 1_006
CENTRE_STAFF_SOURCE = ("inform.kz/ru/chislennost-sotrudnikov-organov-opeki-v-kazahstane-"
                       "uvelichili-v-33-raza-d11087 (Sep 2025): 1,006 guardianship specialists")
CENTRE_STAFF_RANGE = (3, 12)  # social workers per centre
# Legal norm (Dec 2024 law): one specialist per 5,000 children. A centre's capacity is the
# children its staff can cover under that norm, the same default planning uses for new centres.
CHILDREN_PER_SPECIALIST = 5_000
CENTRE_NGO_SHARE = 0.2  # assumption: one centre in five run by an NGO

# --- Family-based care (2023) -----------------------------------------------------------------
GUARDIANSHIP = Target(
    "guardianship", None, 15_668, 2023, "cabar.asia/?p=69659 (2023)",
    "children under guardianship (custody), aggregated per settlement",
)
FOSTER_CHILDREN_PER_FAMILY = 1.5  # assumption, stated in data/facilities/README.md
FOSTER_CARE = Target(
    "foster_care", round(1_660 / FOSTER_CHILDREN_PER_FAMILY), 1_660, 2023,
    "cabar.asia/?p=69659 (2023)",
    "1,660 children in foster care; families = children / 1.5 (assumption) = 1,107",
)

SEED = 20_211_023  # fixed seed of the demo generator
COUNTRY = "KZ"

ALL_TARGETS = INSTITUTION_TARGETS + (CENTRES, GUARDIANSHIP, FOSTER_CARE)
