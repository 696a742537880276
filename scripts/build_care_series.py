"""Build the demo care series 2003-2025 for every oblast of Kazakhstan, calibrated to FACTS.

No ministry series is reachable offline, so Otbasy ships a demo one (`demo=True` on every row):
national values follow anchor points (published figures of `gatekeeping.calibration`, the
snapshot layers in data/facilities/ at their year, and stated assumptions), interpolated
linearly between anchors, and are split over the 20 units of 2022 ("atoms") in proportion to
children and to the demo facilities, then summed into the boundary version valid in each year
(2014 until 2017, 2018 until 2021, 2022 from 2022). Deterministic (fixed seed).

    python -m scripts.build_care_series [--out data/care/kz_oblast_care.csv]
                                        [--districts data/care/kz_district_care.parquet]

The district series splits each oblast value (re-based onto the 2022 oblasts) over the 2022
districts of that oblast by children and by the facilities lying in each district, so it sums
to the oblast series exactly. A part (under-3 entries) is split in proportion to its whole's
district values, so no district's part exceeds its whole.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from gatekeeping import calibration as cal
from gatekeeping.measures import SCOPES, scope_values
from geo import layers as geo_layers
from geo.allocation import largest_remainder
from geo.atomic import atomic_path, atomic_write_text
from geo.schema import CARE_MEASURES

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "care" / "kz_oblast_care.csv"
DISTRICTS_OUT = ROOT / "data" / "care" / "kz_district_care.parquet"
YEARS = range(2003, 2026)
SEED = 20_051_231
COUNTRY = "KZ"
FILLED = "otbasy demo: interpolated between anchors (filled)"

# National anchors: measure -> {year: value}. Published figures and snapshot values are
# marked in PUBLISHED / SNAPSHOT below; every other anchor is an assumption (docs/gatekeeping.md).
ANCHORS: dict[str, dict[int, int]] = {
    "children_0_17": {2003: 4_870_000, 2009: 4_850_000, 2016: 5_900_000, 2023: 6_841_527,
                      2025: 7_020_000},
    "res_baby_home": {2003: 2_600, 2005: 2_300, 2007: 2_000, 2010: 1_700, 2014: 1_200,
                      2017: 1_050, 2019: 880, 2021: 747, 2022: 747, 2023: 711, 2025: 650},
    "inst_baby_home": {2003: 30, 2005: 30, 2007: 29, 2010: 28, 2014: 26, 2017: 23, 2021: 20,
                       2024: 20, 2025: 20},
    "res_childrens_home": {2003: 15_700, 2005: 15_150, 2007: 14_580, 2009: 14_216,
                           2014: 7_299, 2017: 5_523, 2019: 3_195, 2021: 3_102, 2023: 2_646,
                           2025: 2_300},
    "inst_childrens_home": {2003: 200, 2005: 200, 2007: 183, 2009: 168, 2014: 98, 2017: 88,
                            2021: 49, 2024: 49, 2025: 47},
    "res_family_type_home": {2003: 800, 2005: 850, 2007: 880, 2009: 900, 2014: 780, 2017: 700,
                             2019: 500, 2021: 405, 2023: 370, 2025: 340},
    "inst_family_type_home": {2003: 38, 2005: 40, 2007: 42, 2009: 45, 2014: 47, 2017: 49,
                              2021: 27, 2024: 26, 2025: 25},
    "res_social_protection": {2003: 700, 2005: 640, 2007: 630, 2014: 600, 2021: 550,
                              2025: 500},
    "inst_social_protection": {2003: 20, 2005: 20, 2007: 19, 2014: 17, 2024: 20, 2025: 20},
    "res_boarding_disability": {2003: 21_000, 2005: 20_750, 2007: 20_500, 2018: 18_000,
                                2025: 15_000},
    "inst_boarding_disability": {2003: 110, 2005: 108, 2007: 105, 2018: 100, 2025: 95},
    "res_boarding_general": {2003: 33_000, 2005: 34_310, 2007: 37_718, 2018: 17_294,
                             2025: 14_000},
    "inst_boarding_general": {2003: 210, 2005: 216, 2007: 332, 2018: 85, 2025: 80},
    "clpc_in_specialised": {2003: 45, 2007: 40, 2019: 25, 2021: 20, 2023: 30, 2025: 30},
    "stock_guardianship": {2003: 30_000, 2008: 28_113, 2019: 17_120, 2021: 16_539,
                           2023: 15_668, 2025: 15_000},
    "stock_foster": {2003: 1_300, 2004: 2_400, 2005: 2_900, 2008: 3_000, 2019: 2_100,
                     2021: 1_900, 2023: 1_660, 2025: 1_620},
    "stock_patronage": {2003: 600, 2008: 500, 2019: 380, 2021: 350, 2023: 302, 2025: 280},
    "foster_families": {2003: 900, 2004: 1_700, 2005: 2_250, 2008: 2_005, 2021: 1_250,
                        2023: 1_107, 2025: 1_080},
    "entries_formal": {2003: 11_000, 2007: 10_000, 2015: 6_000, 2025: 3_400},
    "entries_residential": {2003: 2_400, 2007: 2_000, 2015: 1_100, 2025: 450},
    "entries_residential_under3": {2003: 900, 2007: 750, 2015: 380, 2025: 100},
    "adoptions_all": {2003: 3_800, 2008: 3_519, 2017: 1_300, 2025: 800},
    "gk_specialists": {2003: 250, 2024: 305, 2025: 1_006},
    "bank_children_available": {2017: 6_000, 2025: 3_200},
    "bank_families_waiting": {2017: 1_400, 2025: 2_300},
    "bank_placed_adoption": {2017: 394, 2025: 300},
    "bank_placed_guardianship": {2017: 2_437, 2025: 1_900},
    "bank_placed_foster": {2017: 219, 2025: 260},
}
# South Kazakhstan (2014 unit KZ-51 = 2022 atoms KZ-61 + KZ-79) foster families: 2003 and 2004
# published, then an assumed decline back to its share of the 2023 snapshot.
SOUTH = {"KZ-61", "KZ-79"}
SOUTH_FOSTER = {2003: 400, 2004: 950, 2005: 1_000, 2006: 900, 2007: 800}
# Gatekeeping (family support) centres: year each atom's first centre opened (assumption:
# Almaty and Astana first, FACTS "Family Support Centres in Almaty and Astana"; the three
# oblasts created in 2022 in that year) and national counts (131 in 2025; 33 before).
CENTRE_OPENED = {
    "KZ-75": 2017, "KZ-71": 2017, "KZ-79": 2018, "KZ-35": 2018, "KZ-55": 2018,
    "KZ-61": 2019, "KZ-19": 2019, "KZ-39": 2019, "KZ-63": 2019, "KZ-11": 2020, "KZ-15": 2020,
    "KZ-31": 2020, "KZ-59": 2020, "KZ-23": 2021, "KZ-27": 2021, "KZ-43": 2021, "KZ-47": 2021,
    "KZ-10": 2022, "KZ-33": 2022, "KZ-62": 2022,
}
CENTRES = {2017: 2, 2018: 5, 2019: 9, 2020: 14, 2021: 19, 2022: 26, 2023: 33, 2024: 80,
           2025: 131}
PROF_FOSTER = {2022: 5, 2023: 8, 2024: 12, 2025: 60}  # Akmola pilot (FACTS), then national
PILOT = "KZ-11"
# Child population drift per year relative to the 2022 shares (south and cities grow).
GROWING = {"KZ-61", "KZ-79", "KZ-47", "KZ-31", "KZ-71", "KZ-75"}
SHRINKING = {"KZ-59", "KZ-39", "KZ-55", "KZ-35", "KZ-63", "KZ-11", "KZ-62", "KZ-10"}
CENTRE_EFFECT = 0.75  # entries after a unit's first centre opens, relative to before


class SeriesError(RuntimeError):
    """The generated series misses a published figure or breaks a consistency rule."""


def interpolate(anchors: dict[int, int], years=YEARS) -> pd.Series:
    """Integer values for `years`: anchors exactly, linear between them, flat outside."""
    xs = sorted(anchors)
    values = np.interp(list(years), xs, [anchors[x] for x in xs])
    out = pd.Series(np.rint(values).astype(int), index=list(years))
    for x in xs:
        if x in out.index:
            out[x] = anchors[x]
    return out


def national() -> dict[str, pd.Series]:
    """National value per measure and year (derived measures computed from the anchored)."""
    nat = {m: interpolate(a) for m, a in ANCHORS.items()}
    years = list(YEARS)
    for m in ("bank_children_available", "bank_families_waiting", "bank_placed_adoption",
              "bank_placed_guardianship", "bank_placed_foster"):
        nat[m] = nat[m].where(nat[m].index >= 2017, 0)  # the Bank was launched in 2017
    nat["gk_centres"] = pd.Series([CENTRES.get(y, 0) for y in years], index=years)
    nat["prof_foster_families"] = pd.Series([PROF_FOSTER.get(y, 0) for y in years], index=years)
    orgs = sum(nat[m] for m in SCOPES["res_orphan_orgs"])
    boarding = nat["res_boarding_disability"] + nat["res_boarding_general"]
    nat["res_boarding_with_parents"] = np.rint(0.82 * boarding).astype(int)
    share = np.interp(years, [2003, 2021, 2025], [0.18, 0.24, 0.26])
    nat["res_orgs_disability"] = pd.Series(np.rint(share * orgs.to_numpy()).astype(int),
                                           index=years)
    nat["res_orgs_disability"][2021] = round(0.24 * int(orgs[2021]))
    # exits balance the stock nationally: previous stock + entries - this year's stock
    prev = orgs.shift(1).fillna(orgs.iloc[0] + 500).astype(int)
    total_exits = prev + nat["entries_residential"] - orgs
    if (total_exits < 0).any():
        negative = list(total_exits.index[total_exits < 0])
        raise SeriesError(f"negative exits from residential care in {negative}")
    t = (np.array(years) - 2003) / 22
    shares = np.column_stack([0.25 + 0.10 * t, 0.25 - 0.15 * t, 0.25 + 0.05 * t,
                              0.10 + 0.02 * t, 0.15 - 0.02 * t])
    names = ("exits_reunification", "exits_adoption", "exits_guardianship", "exits_foster",
             "exits_independent")
    parts = np.array([largest_remainder(int(n), s) for n, s in zip(total_exits, shares)])
    for k, name in enumerate(names):
        nat[name] = pd.Series(parts[:, k], index=years)
    return nat


def atoms_and_parents() -> tuple[list[str], dict[int, dict[str, str]]]:
    """The 2022 units and, per boundary version, the unit each lies in."""
    atoms = sorted(geo_layers.load_boundaries(COUNTRY, 2022)["code"])
    cw = geo_layers.load_crosswalk(COUNTRY)
    parents: dict[int, dict[str, str]] = {2022: {a: a for a in atoms}}
    for v in (2014, 2018):
        pair = cw[(cw["from_version"] == 2022) & (cw["to_version"] == v)]
        best = pair.sort_values("area_share").groupby("from_code")["to_code"].last()
        parents[v] = best.to_dict()
    return atoms, parents


def snapshot_weights(atoms: list[str]) -> dict[str, pd.Series]:
    """Per-atom weights from the settlements (children) and the snapshot facility layers."""
    s = geo_layers.load_settlements(COUNTRY)
    out = {"children": s.groupby("unit_2022")["children"].sum()}
    inst = geo_layers.load_institutions(COUNTRY)
    for t in ("baby_home", "childrens_home", "family_type_home", "boarding_school_disability",
              "boarding_school_general"):
        sub = inst[inst["type"] == t]
        out[f"res_{t}"] = sub.groupby("unit_code")["children"].sum()
        out[f"inst_{t}"] = sub.groupby("unit_code").size()
    f = geo_layers.load_foster(COUNTRY)
    for col in ("foster_families", "foster_children", "guardianship_children"):
        out[col] = f.groupby("unit_code")[col].sum()
    c = geo_layers.load_centres(COUNTRY)
    out["centres"] = c.groupby("unit_code").size()
    out["staff"] = c.groupby("unit_code")["staff"].sum()
    return {k: v.reindex(atoms, fill_value=0).astype(float) for k, v in out.items()}


SNAPSHOT_OF = {  # measure -> (weight key, snapshot year)
    "res_baby_home": ("res_baby_home", 2021), "inst_baby_home": ("inst_baby_home", 2021),
    "res_childrens_home": ("res_childrens_home", 2021),
    "inst_childrens_home": ("inst_childrens_home", 2021),
    "res_family_type_home": ("res_family_type_home", 2021),
    "inst_family_type_home": ("inst_family_type_home", 2021),
    "res_boarding_disability": ("res_boarding_school_disability", 2018),
    "inst_boarding_disability": ("inst_boarding_school_disability", 2018),
    "res_boarding_general": ("res_boarding_school_general", 2018),
    "inst_boarding_general": ("inst_boarding_school_general", 2018),
    "stock_guardianship": ("guardianship_children", 2023),
    "stock_foster": ("foster_children", 2023),
    "foster_families": ("foster_families", 2023),
    "gk_specialists": ("staff", 2025),
}


def allocate(nat: dict[str, pd.Series], atoms: list[str], w: dict[str, pd.Series],
             rng: np.random.Generator) -> dict[str, pd.DataFrame]:
    """Atom x year integer values per measure; each year's atoms sum to the national value."""
    years = list(YEARS)
    n = len(atoms)
    drift = pd.Series(rng.uniform(-0.3, 0.3, n), index=atoms)
    child_drift = pd.Series([0.012 if a in GROWING else -0.008 if a in SHRINKING else 0.0
                             for a in atoms], index=atoms)
    out: dict[str, pd.DataFrame] = {}

    def split(measure: str, weights_by_year) -> pd.DataFrame:
        cols = {}
        for y in years:
            total = int(nat[measure][y])
            wy = np.asarray(weights_by_year(y), dtype=float)
            cols[y] = largest_remainder(total, wy) if total else np.zeros(n, dtype=int)
        return pd.DataFrame(cols, index=atoms)

    children = w["children"]
    out["children_0_17"] = split("children_0_17",
                                 lambda y: children * (1 + child_drift * (y - 2022)))
    for m, (key, year) in SNAPSHOT_OF.items():
        base = w[key]
        out[m] = split(m, lambda y, base=base, year=year:
                       base * (1 + drift * (y - year) / 22) if base.sum() else children)
    # South Kazakhstan's published foster families in 2003-2004 (and the decline after)
    ff = out["foster_families"]
    for y, south in SOUTH_FOSTER.items():
        base = w["foster_families"]
        in_south = base.index.isin(SOUTH)
        ff.loc[in_south, y] = largest_remainder(south, base[in_south] + 1e-9)
        ff.loc[~in_south, y] = largest_remainder(int(nat["foster_families"][y]) - south,
                                                 base[~in_south])
    out["inst_social_protection"] = split("inst_social_protection", lambda y: children)
    out["res_social_protection"] = split(
        "res_social_protection", lambda y: out["inst_social_protection"][y] * children)
    out["clpc_in_specialised"] = split("clpc_in_specialised",
                                       lambda y: out["res_social_protection"][y])
    out["stock_patronage"] = split("stock_patronage", lambda y: children)
    orgs = sum(out[m] for m in SCOPES["res_orphan_orgs"])
    boarding = out["res_boarding_disability"] + out["res_boarding_general"]
    out["res_orgs_disability"] = split("res_orgs_disability", lambda y: orgs[y])
    out["res_boarding_with_parents"] = split("res_boarding_with_parents", lambda y: boarding[y])
    # centres: open atoms get one, the rest follow the 2025 snapshot
    opened = pd.Series(CENTRE_OPENED).reindex(atoms)
    centres = {}
    for y in years:
        is_open = (opened <= y).to_numpy()
        extra = int(nat["gk_centres"][y]) - int(is_open.sum())
        wy = np.where(is_open, w["centres"] - 1, 0) + 1e-9 * is_open
        centres[y] = is_open.astype(int) + (largest_remainder(extra, wy) if extra > 0
                                            else np.zeros(n, dtype=int))
    out["gk_centres"] = pd.DataFrame(centres, index=atoms)
    # flows: risk from children and residential density, a yearly random walk, centre effect
    orgs_share = orgs[2021] / orgs[2021].sum()
    child_share = children / children.sum()
    risk = (orgs_share / child_share).clip(0.5, 2.5) ** 0.5
    walk = pd.DataFrame(np.exp(np.cumsum(rng.normal(0, 0.07, (n, len(years))), axis=1)),
                        index=atoms, columns=years)
    effect = pd.DataFrame({y: np.where(opened <= y, CENTRE_EFFECT, 1.0) for y in years},
                          index=atoms)
    flow = out["children_0_17"] * risk.to_numpy()[:, None] * walk * effect
    out["entries_formal"] = split("entries_formal", lambda y: flow[y])
    out["entries_residential"] = split("entries_residential",
                                       lambda y: flow[y] * orgs_share.to_numpy() ** 0.5)
    out["entries_residential_under3"] = split("entries_residential_under3",
                                              lambda y: out["entries_residential"][y])
    for m in ("exits_reunification", "exits_adoption", "exits_guardianship", "exits_foster",
              "exits_independent"):
        out[m] = split(m, lambda y: orgs[y - 1] if y - 1 in orgs else orgs[y])
    out["adoptions_all"] = split("adoptions_all", lambda y: children)
    out["prof_foster_families"] = split(
        "prof_foster_families",
        lambda y: (children if y >= 2025 else children.where(children.index == PILOT, 0)))
    for m in ("bank_children_available",):
        out[m] = split(m, lambda y: orgs[2021] + 1)
    for m in ("bank_families_waiting", "bank_placed_adoption", "bank_placed_guardianship",
              "bank_placed_foster"):
        out[m] = split(m, lambda y: children)
    # gatekeeping activity per atom (national values are their sums: filled)
    t = (np.array(years) - 2003) / 22
    coverage = pd.DataFrame(np.where(effect < 1, 0.6 + 0.3 * t, 0.2 + 0.1 * t),
                            index=atoms, columns=years)
    out["entries_assessed"] = np.floor(out["entries_formal"] * coverage).astype(int)
    referrals = np.rint(out["gk_centres"] * 60 * walk).astype(int)
    out["gk_referrals"] = referrals
    out["gk_assessments"] = np.floor(referrals * 0.9).astype(int)
    support = np.floor(out["gk_assessments"] * (0.50 + 0.2 * t)).astype(int)
    placement = np.floor(out["gk_assessments"] * 0.18).astype(int)
    out["gk_outcome_family_support"] = support
    out["gk_outcome_family_placement"] = placement
    out["gk_outcome_residential"] = out["gk_assessments"] - support - placement
    return out


def basis_of() -> dict[tuple[str, int], tuple[str, str]]:
    """(basis, source) of each national measure-year that a published figure fixes."""
    out: dict[tuple[str, int], tuple[str, str]] = {}
    for f in cal.FIGURES:
        parts = (f.scope,) if f.scope in CARE_MEASURES else SCOPES[f.scope]
        kind = "published" if f.scope in CARE_MEASURES and f.denominator is None else "derived"
        for p in parts:
            if out.get((p, f.year), ("",))[0] != "published":
                out[(p, f.year)] = (kind, f.source)
    snap = "data/facilities snapshot (geo.calibration)"
    for m, (_, year) in SNAPSHOT_OF.items():
        out.setdefault((m, year), ("derived", snap))
    return out


def to_long(values: dict[str, pd.DataFrame], parents: dict[int, dict[str, str]]) -> pd.DataFrame:
    """Sum atoms into the units of the version valid in each year; one row per value."""
    basis = basis_of()
    frames = []
    for measure, table in values.items():
        for y in YEARS:
            version = 2022 if y >= 2022 else 2018 if y >= 2018 else 2014
            col = table[y].groupby(table.index.map(parents[version])).sum()
            b, src = basis.get((measure, y), ("filled", FILLED))
            frames.append(pd.DataFrame({
                "country": COUNTRY, "unit_code": col.index, "version": version, "year": y,
                "measure": measure, "value": col.to_numpy().astype(int), "demo": True,
                "source": src, "basis": b}))
    long = pd.concat(frames, ignore_index=True)
    return long.sort_values(["year", "unit_code", "measure"]).reset_index(drop=True)


def check(long: pd.DataFrame) -> list[str]:
    """Every published figure missed and every consistency rule broken (empty when fine)."""
    misses = []
    nat = long.pivot_table(index="year", columns="measure", values="value", aggfunc="sum")
    by_unit = long.set_index(["unit_code", "year", "measure"])["value"]
    for f in cal.FIGURES:
        if f.unit:
            got = float(by_unit.get((f.unit, f.year, f.scope), np.nan))
            ok = f.matches(got)
        else:
            got = float(scope_values(nat, f.scope)[f.year])
            base = float(scope_values(nat, f.denominator)[f.year]) if f.denominator else None
            ok = f.matches(got, base)
        if not ok:
            misses.append(f"{f.scope} {f.year}{' ' + f.unit if f.unit else ''}: got {got:g}, "
                          f"published {f.value:g}")
    if (long["value"] < 0).any():
        misses.append("negative values")
    return misses


# district weights: measure -> facility layer and column (children where None); parts -> whole
_DISTRICT_WEIGHT = {
    "res_baby_home": ("institutions", "baby_home"), "inst_baby_home": ("institutions", "baby_home"),
    "res_childrens_home": ("institutions", "childrens_home"),
    "inst_childrens_home": ("institutions", "childrens_home"),
    "res_family_type_home": ("institutions", "family_type_home"),
    "inst_family_type_home": ("institutions", "family_type_home"),
    "res_boarding_disability": ("institutions", "boarding_school_disability"),
    "inst_boarding_disability": ("institutions", "boarding_school_disability"),
    "res_boarding_general": ("institutions", "boarding_school_general"),
    "inst_boarding_general": ("institutions", "boarding_school_general"),
    "stock_guardianship": ("foster", "guardianship_children"),
    "stock_foster": ("foster", "foster_children"), "foster_families": ("foster", "foster_families"),
    "gk_centres": ("centres", None), "gk_specialists": ("centres", "staff"),
}
_DISTRICT_PARTS = {
    "entries_residential_under3": ("entries_residential",),
    "entries_assessed": ("entries_formal",),
    "gk_assessments": ("gk_referrals",),
    "gk_outcome_family_support": ("gk_assessments",),
    "gk_outcome_family_placement": ("gk_assessments",),
    "gk_outcome_residential": ("gk_assessments",),
    "res_orgs_disability": SCOPES["res_orphan_orgs"],
    "res_boarding_with_parents": SCOPES["res_boarding"],
    "clpc_in_specialised": ("res_social_protection",),
    "res_social_protection": ("inst_social_protection",),
}


def district_weights() -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """(2022 districts with parent_code, weight per district for each weighted measure)."""
    districts = geo_layers.load_boundaries(COUNTRY, 2022, "district")
    s = geo_layers.load_settlements(COUNTRY)
    from geo.units import assign_units
    s["district"] = assign_units(s, districts)[0]
    codes = districts["code"]
    children = s.groupby("district")["children"].sum().reindex(codes, fill_value=0)
    layers = {"institutions": geo_layers.load_institutions(COUNTRY),
              "foster": geo_layers.load_foster(COUNTRY),
              "centres": geo_layers.load_centres(COUNTRY)}
    out = {"children": children.astype(float)}
    for measure, (layer, what) in _DISTRICT_WEIGHT.items():
        f = layers[layer]
        if layer == "institutions":
            f = f[f["type"] == what]
            col = "children" if measure.startswith("res_") else None
        else:
            col = what
        g = f.groupby("district_code")
        w = g.size() if col is None else g[col].sum()
        out[measure] = w.reindex(codes, fill_value=0).astype(float)
    return districts[["code", "parent_code"]].reset_index(drop=True), out


def build_districts(oblast_long: pd.DataFrame, out: Path = DISTRICTS_OUT) -> pd.DataFrame:
    """Split the oblast series (re-based to 2022) over the 2022 districts; write Parquet."""
    from gatekeeping.series import rebase

    districts, weights = district_weights()
    oblast = rebase(oblast_long, 2022, COUNTRY)
    members = {o: g.index.to_numpy() for o, g in districts.groupby("parent_code")}
    codes = districts["code"].to_numpy()
    children = weights["children"].to_numpy()
    measures = list(dict.fromkeys([m for m in CARE_MEASURES if m not in _DISTRICT_PARTS]
                                  + [m for m in _DISTRICT_PARTS if m == "res_social_protection"]
                                  + list(_DISTRICT_PARTS)))
    table = oblast.set_index(["year", "measure", "unit_code"])["value"].sort_index()
    meta = oblast.drop_duplicates(["year", "measure"]).set_index(["year", "measure"])
    frames = []
    for year in YEARS:
        done: dict[str, np.ndarray] = {}
        for m in measures:
            values = np.zeros(len(codes), dtype=np.int64)
            for o, idx in members.items():
                v = int(table.get((year, m, o), 0))
                if v == 0:
                    continue
                if m in _DISTRICT_PARTS:
                    w = sum(done[p][idx] for p in _DISTRICT_PARTS[m]).astype(float)
                else:
                    w = weights.get(m, weights["children"]).to_numpy()[idx]
                if w.sum() <= 0:
                    w = children[idx] + 1e-9
                values[idx] = largest_remainder(v, w)
            done[m] = values
            b, src = meta.loc[(year, m), ["basis", "source"]]
            frames.append(pd.DataFrame({"country": COUNTRY, "unit_code": codes, "version": 2022,
                                        "year": year, "measure": m, "value": values,
                                        "demo": True, "source": src, "basis": b}))
    long = pd.concat(frames, ignore_index=True).sort_values(["year", "unit_code", "measure"])
    long = long.reset_index(drop=True)
    sums = long.assign(unit_code=long["unit_code"].map(dict(zip(codes, districts["parent_code"]))))
    got = sums.groupby(["year", "measure", "unit_code"])["value"].sum()
    if not got.reindex(table.index, fill_value=0).equals(table):
        raise SeriesError("district series does not add up to the oblast series")
    with atomic_path(Path(out)) as tmp:
        long.to_parquet(tmp, index=False)
    return long


def build(out: Path = OUT, seed: int = SEED) -> pd.DataFrame:
    """Generate, check and write the series; return it."""
    atoms, parents = atoms_and_parents()
    rng = np.random.default_rng(seed)
    values = allocate(national(), atoms, snapshot_weights(atoms), rng)
    missing = sorted(set(CARE_MEASURES) - set(values))
    if missing:
        raise SeriesError(f"no values for measures {missing}")
    long = to_long(values, parents)
    misses = check(long)
    if misses:
        raise SeriesError("demo care series misses its calibration:\n  " + "\n  ".join(misses))
    atomic_write_text(Path(out), long.to_csv(index=False, lineterminator="\n"))
    return long


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_care_series",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--districts", type=Path, default=DISTRICTS_OUT)
    args = parser.parse_args(argv)
    try:
        long = build(args.out)
        districts = build_districts(long, args.districts)
    except SeriesError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.out}: {len(long)} rows, {long['year'].min()}-{long['year'].max()}, "
          f"{long['measure'].nunique()} measures")
    print(f"{args.districts}: {len(districts)} rows, {districts['unit_code'].nunique()} districts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
