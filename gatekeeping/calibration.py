"""Published figures the demo care series must meet, each at its year and in its own scope.

One entry per figure of FACTS.md (project notes) with the scope it is matched against
(`gatekeeping.measures.SCOPES`), how exactly ("exact", rounded to a published precision, or a
share to published decimals) and its source. `scripts/build_care_series.py` refuses to write a
series that misses one; the tests check the bundled file against the same figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """A published figure: `scope` (measure or scope) in `year` equals `value`.

    precision: the figure was published rounded to this (100 for "24.2 thousand").
    denominator: the figure is the share scope / denominator, published to `decimals`.
    unit: a unit-level figure (code in the boundary version of the year) instead of national.
    """

    scope: str
    year: int
    value: float
    source: str
    precision: int = 1
    denominator: str | None = None
    decimals: int = 2
    unit: str | None = None
    note: str = ""

    def matches(self, got: float, base: float | None = None) -> bool:
        """Whether `got` (and `base`, for shares) reproduce the published figure."""
        if self.denominator is not None:
            return base is not None and base > 0 and round(got / base, self.decimals) == \
                round(self.value, self.decimals)
        if self.precision == 1:
            return got == self.value
        return round(got / self.precision) * self.precision == round(self.value)


S000 = "seeds [000] (2005)"
UNICEF07 = "UNICEF fact sheet (mafiadoc.com/kazakhstan-unicef_59cf693f1723ddeceeef8b14.html)"
S002 = "seeds [002] (2009 -> 2017)"
CABAR = "cabar.asia/?p=69659 (2023)"
INFORM21 = "inform.kz/en/number-of-foster-homes-declines-each-year-in-kazakhstan_a3795271"
ANEWS = "anews.asia/news/amp/10714489"

FIGURES: tuple[Figure, ...] = (
    Figure("res_all_residential", 2005, 74_000, S000, note="~74,000 children in residential "
           "institutions"),
    Figure("inst_all_residential", 2005, 614, S000),
    Figure("res_all_residential", 2007, 76_308, UNICEF07, note="incl. ordinary boarding schools"),
    Figure("inst_all_residential", 2007, 710, UNICEF07),
    Figure("clpc_residential", 2007, 17_500, UNICEF07, note="children without parental care "
           "in institutions"),
    Figure("entries_formal", 2007, 10_000, UNICEF07, note="about 10,000 a year identified as "
           "deprived of parental care (each enters formal care)"),
    Figure("entries_residential", 2007, 2_000, UNICEF07, note="about 2,000 a year enter "
           "institutions"),
    Figure("stock_guardianship", 2008, 28_113, UNICEF07),
    Figure("foster_families", 2008, 2_005, UNICEF07),
    Figure("adoptions_all", 2008, 3_519, UNICEF07),
    Figure("res_childrens_homes_all", 2009, 15_116, S002),
    Figure("inst_childrens_homes_all", 2009, 213, S002),
    Figure("inst_baby_home", 2010, 28, "dknews.kz (28 baby homes in 2010)"),
    Figure("res_orgs_broad", 2014, 9_879, "strategy2050.kz/content/news/1062/172083/"),
    Figure("inst_orgs_broad", 2014, 188, "strategy2050.kz/content/news/1062/172083/",
           note="145 education + 43 health/social protection"),
    Figure("inst_childrens_homes_all", 2014, 145, "strategy2050.kz (145 education)"),
    Figure("res_childrens_homes_all", 2017, 6_223, S002),
    Figure("inst_childrens_homes_all", 2017, 137, S002),
    Figure("inst_family_type_home", 2017, 49, S002),
    Figure("bank_placed_adoption", 2017, 394, S002),
    Figure("bank_placed_guardianship", 2017, 2_437, S002),
    Figure("bank_placed_foster", 2017, 219, S002),
    Figure("res_boarding_disability", 2018, 18_000, "seeds [004] (2018)"),
    Figure("res_boarding_disability", 2018, 0.51, "seeds [004]: >51% of boarding-school pupils",
           denominator="res_boarding"),
    Figure("res_boarding_with_parents", 2018, 0.82, "seeds [004]: 82% have parents",
           denominator="res_boarding"),
    Figure("clpc_total", 2019, 24_200, ANEWS, precision=100, note="24.2 thousand"),
    Figure("clpc_residential", 2019, 4_600, ANEWS, precision=100, note="4.6 thousand in state "
           "residential and specialised institutions"),
    Figure("res_orphan_orgs", 2021, 4_254, INFORM21),
    Figure("inst_orphan_orgs", 2021, 96, INFORM21),
    Figure("clpc_total", 2021, 23_063, INFORM21),
    Figure("family_based", 2021, 0.815, INFORM21 + ": 81.5% in families",
           denominator="clpc_total", decimals=3),
    Figure("res_orgs_disability", 2021, 0.24, "astanatimes.com/2024/08 (UNICEF): 24% of "
           "children in residential care have disabilities", denominator="res_orphan_orgs"),
    Figure("res_baby_home", 2022, 747, "liter.kz (end 2022)"),
    Figure("res_baby_home", 2023, 711, "liter.kz; anews.asia (end 2023)"),
    Figure("clpc_total", 2023, 21_387, CABAR),
    Figure("stock_guardianship", 2023, 15_668, CABAR),
    Figure("stock_foster", 2023, 1_660, CABAR),
    Figure("res_orphan_orgs", 2023, 3_727, CABAR, note="'institutions'"),
    Figure("clpc_total", 2023, 21_400, ANEWS + " (early 2024)", precision=100),
    Figure("clpc_residential", 2023, 3_800, ANEWS + " (early 2024)", precision=100),
    Figure("children_0_17", 2023, 6_841_527, "kznews.kz/?p=248086 (1 Jan 2024)"),
    Figure("gk_centres", 2023, 33, "zakon.kz/obshestvo/6493416: 33 -> 131",
           note="year of the 33 not given; assumed 2023"),
    Figure("inst_baby_home", 2024, 20, "dknews.kz (20 baby homes in 2024)"),
    Figure("inst_orgs_broad", 2024, 115, "24.kz/amp/ru/news/social/654974 (Jun 2024)"),
    Figure("gk_centres", 2025, 131, "zakon.kz/obshestvo/6493416 (Oct 2025)"),
    Figure("gk_specialists", 2025, 1_006, "inform.kz/ru/...-d11087 (Sep 2025)"),
    Figure("foster_families", 2003, 400, S000, unit="KZ-51",
           note="South Kazakhstan oblast; the series starts in 2003 for this figure"),
    Figure("foster_families", 2004, 950, S000, unit="KZ-51"),
)
