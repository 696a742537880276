"""A planning instance: demand, candidate sites and the sparse travel matrix as plain arrays.

`Instance` is what the model sees; `build_instance` makes one from the layers and a scenario.
Keeping it array-only lets tests and the benchmark build instances directly (random or
synthetic) and lets the model stay independent of GeoPandas.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from gatekeeping.demand import entry_rates, risk_weights
from geo import graph_store
from geo.travel import TravelParams, travel_matrix
from geo.units import unit_column
from planning.scenario import Scenario, ScenarioError

KINDS = ("new", "convert", "existing")


@dataclass
class Instance:
    """Demand points i, candidate sites j and the pairs (i, j) within the cut-off.

    weights: children per demand point. capacity: children one centre at the site serves
    (inf = unlimited). max_count/min_count: bounds on centres at the site (min 1 = must open).
    site_children: children living in the institution (moved to family care on conversion).
    rows/cols/minutes: the sparse travel matrix, pairs within `cutoff` minutes.
    family_spare: existing spare family places per unit (index into `units`).
    """

    demand_ids: np.ndarray
    weights: np.ndarray
    demand_unit: np.ndarray
    units: list[str]
    site_ids: np.ndarray
    site_kind: np.ndarray
    capex: np.ndarray
    opex: np.ndarray
    capacity: np.ndarray
    max_count: np.ndarray
    min_count: np.ndarray
    site_unit: np.ndarray
    site_children: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    minutes: np.ndarray
    standard: float
    cutoff: float
    family_spare: np.ndarray = field(default_factory=lambda: np.zeros(0))
    demand_info: dict = field(default_factory=dict)
    demand: gpd.GeoDataFrame | None = None
    sites: gpd.GeoDataFrame | None = None

    def __post_init__(self) -> None:
        """Refuse a capacity that is not a number of children (NaN or negative): the model
        would read NaN as no capacity row and no link to the site's centres, covering
        children with the site closed. `build_instance` fills unknown capacities; this
        guards instances built by hand (the Python API, tests, benchmarks). A capacity
        above all the children cannot bind, so it is unlimited (inf): the solver refuses
        coefficients above 1e15, which a scenario's workers x children per worker reach."""
        capacity = np.asarray(self.capacity, dtype=float)
        bad = np.flatnonzero(np.isnan(capacity) | (capacity < 0))
        if bad.size:
            j = int(bad[0])
            more = f" (and {bad.size - 1} more sites)" if bad.size > 1 else ""
            raise ValueError(f"site {self.site_ids[j]} (row {j + 1}): field capacity is "
                             f"{capacity[j]}; it must be children per centre >= 0 "
                             f"(inf = unlimited){more}")
        total = float(np.asarray(self.weights, dtype=float).sum())
        self.capacity = np.where(capacity > total, np.inf, capacity)

    @property
    def n(self) -> int:
        return int(self.demand_ids.size)

    @property
    def m(self) -> int:
        return int(self.site_ids.size)

    def within_standard(self) -> np.ndarray:
        """Boolean mask of the pairs within the travel standard."""
        return self.minutes <= self.standard + 1e-9

    def cover_matrix(self):
        """Settlements x sites within the standard as a 0/1 scipy CSR matrix (the one
        coverage relation the heuristics, the max-flow and the dominance check share)."""
        from scipy import sparse  # imported here: the command line's start-up does without it

        keep = self.within_standard()
        return sparse.csr_matrix((np.ones(int(keep.sum())), (self.rows[keep], self.cols[keep])),
                                 shape=(self.n, self.m))

    def reachable(self) -> np.ndarray:
        """Demand points with at least one candidate within the standard."""
        out = np.zeros(self.n, dtype=bool)
        out[self.rows[self.within_standard()]] = True
        return out


def _in_region(frame: pd.DataFrame, chosen: set[str]) -> pd.Series:
    """Rows whose oblast or district is one of the region's codes (all rows when none)."""
    if not chosen:
        return pd.Series(True, index=frame.index)
    mask = frame["unit_code"].isin(chosen)
    if "district_code" in frame:
        mask |= frame["district_code"].isin(chosen)
    return mask


def _plan_layers(layers, scenario: Scenario):
    """The layers restricted to the region, with `unit_code` set to each point's unit at the
    scenario's planning level (`equity.level`: the unit of the equity rule and of the
    family-care balance), and that level's unit codes in the region."""
    level = scenario.equity.level
    chosen = set(scenario.region.units)
    table = layers.units(level) if hasattr(layers, "units") else layers.boundaries
    codes = sorted(map(str, table["code"]))
    if chosen:
        parents = dict(zip(table["code"], table["parent_code"])) if level == "district" else {}
        codes = [c for c in codes if c in chosen or parents.get(c) in chosen]
    column = unit_column(level)
    frames = {}
    for name in ("settlements", "institutions", "centres", "foster"):
        frame = getattr(layers, name)
        frame = frame[_in_region(frame, chosen)].copy()
        frame["unit_code"] = frame[column]
        frames[name] = frame
    if level == "oblast":  # a region naming districts plans in their oblasts
        codes = sorted(set(codes) | set(frames["settlements"]["unit_code"].dropna()))
    return dataclasses.replace(layers, **frames), codes


def units_of(layers, scenario: Scenario) -> list[str]:
    """The unit codes a scenario plans for at its planning level (its region's, or all)."""
    return _plan_layers(layers, scenario)[1]


def select_demand(settlements: gpd.GeoDataFrame, units: list[str]) -> gpd.GeoDataFrame:
    """Settlements of the chosen units with their children (0 when unknown)."""
    s = settlements[settlements["unit_code"].isin(units)].copy()
    s["children"] = pd.to_numeric(s.get("children"), errors="coerce").fillna(0).clip(lower=0)
    return s.reset_index(drop=True)


def candidate_sites(layers, scenario: Scenario, demand: gpd.GeoDataFrame,
                    units: list[str]) -> gpd.GeoDataFrame:
    """One row per candidate: new sites (settlements), convertible institutions and existing
    centres, with kind, costs, capacity, bounds and unit. Excluded ids are dropped."""
    sc = scenario
    cap_new = float(sc.capacity.children) if sc.capacity.enabled else np.inf
    c = sc.candidates
    estimated = (demand["estimated"].fillna(False).astype(bool) if "estimated" in demand
                 else pd.Series(False, index=demand.index))
    places = demand[~estimated]  # a dispersed-demand estimate is not a place to open a centre
    if c.mode == "all_settlements":
        new = places
    elif c.mode == "min_population":
        new = places[places["population"] >= c.min_population]
    else:
        new = places[places["settlement_id"].isin(c.site_ids)]
    parts = [gpd.GeoDataFrame({
        "site_id": new["settlement_id"].astype(str), "name": new["name"], "kind": "new",
        "capex": c.capex_kzt, "opex": c.opex_kzt_per_year, "capacity": cap_new,
        "max_count": sc.capacity.max_centres_per_site, "min_count": 0,
        "unit_code": new["unit_code"], "children_in_care": 0.0,
    }, geometry=new.geometry.values, crs=demand.crs)]
    inst = layers.institutions
    inst = inst[inst["unit_code"].isin(units) & inst["type"].isin(sc.conversion.types)]
    cap_conv = (float(sc.conversion.social_workers * sc.capacity.children_per_worker)
                if sc.capacity.enabled else np.inf)
    parts.append(gpd.GeoDataFrame({
        "site_id": inst["institution_id"].astype(str), "name": inst["name"], "kind": "convert",
        "capex": sc.conversion.capex_kzt, "opex": sc.conversion.opex_kzt_per_year,
        "capacity": cap_conv, "max_count": 1, "min_count": 0, "unit_code": inst["unit_code"],
        "children_in_care": pd.to_numeric(inst["children"], errors="coerce").fillna(0),
    }, geometry=inst.geometry.values, crs=demand.crs))
    if sc.existing.keep:
        cen = layers.centres[layers.centres["unit_code"].isin(units)]
        if sc.capacity.enabled:
            staff_cap = (pd.to_numeric(cen["staff"], errors="coerce").astype(float)
                         * float(sc.capacity.children_per_worker))  # int32 staff overflowed
            cap = pd.to_numeric(cen["capacity"], errors="coerce").astype(float).fillna(staff_cap)
            cap = cap.fillna(float(sc.capacity.children)).astype(float)
        else:
            cap = np.inf
        parts.append(gpd.GeoDataFrame({
            "site_id": cen["centre_id"].astype(str), "name": cen["name"], "kind": "existing",
            "capex": 0.0, "opex": sc.existing.opex_kzt_per_year, "capacity": cap,
            "max_count": 1, "min_count": 1, "unit_code": cen["unit_code"],
            "children_in_care": 0.0,
        }, geometry=cen.geometry.values, crs=demand.crs))
    sites = pd.concat([p for p in parts if len(p)], ignore_index=True)
    sites = gpd.GeoDataFrame(sites, geometry="geometry", crs=demand.crs)
    sites = sites[~sites["site_id"].isin(set(sc.sites.excluded))].reset_index(drop=True)
    must = sites["site_id"].isin(set(sc.sites.must_open))
    sites.loc[must, "min_count"] = 1
    return sites


def family_spare(foster: pd.DataFrame, units: list[str], scenario: Scenario) -> np.ndarray:
    """Spare family places per unit: foster families x places per family - foster children
    (never below 0 per settlement), plus guardianship growth x children under guardianship."""
    fc = scenario.family_care
    f = foster[foster["unit_code"].isin(units)]
    # floats: a large places_per_foster_family must not overflow the file's int32 column
    fam = pd.to_numeric(f["foster_families"], errors="coerce").fillna(0).astype(float)
    kids = pd.to_numeric(f.get("foster_children", 0), errors="coerce").fillna(0).astype(float)
    guard = pd.to_numeric(f.get("guardianship_children", 0), errors="coerce").fillna(0)
    spare = (fam * fc.places_per_foster_family - kids).clip(lower=0)
    spare = spare + np.floor(guard * fc.guardianship_growth)
    per_unit = spare.groupby(f["unit_code"]).sum()
    return np.array([float(per_unit.get(u, 0.0)) for u in units])


def demand_weights(demand: gpd.GeoDataFrame, scenario: Scenario, country: str,
                   version: int) -> tuple[np.ndarray, dict]:
    """Weight of each demand point and how it was made (recorded in summary.json)."""
    children = demand["children"].to_numpy(dtype=float)
    d = scenario.demand
    if d.weighting == "children":
        return children, {"weighting": "children"}
    rates, national, year = entry_rates(country, version, d.rate_year)
    weights = risk_weights(children, demand["unit_code"], rates, national)
    return weights, {"weighting": d.weighting, "rate_year": year,
                     "national_entry_rate_per_100k": round(national, 3),
                     "expected_referrals": round(float(children @ (
                         demand["unit_code"].map(rates).fillna(national).to_numpy() / 1e5)), 1)}


def _graph_file(name: str | None) -> str | None:
    """The store's file for the scenario's road graph (never a path from the scenario)."""
    if name is None:
        return None
    try:
        return str(graph_store.resolve(name))
    except graph_store.GraphNotFound as exc:
        raise ScenarioError([("travel.graph", str(exc))]) from None


def build_instance(layers, scenario: Scenario, *, matrix=travel_matrix) -> Instance:
    """Turn layers + scenario into an Instance (the travel matrix is computed here, by
    `matrix`: `geo.travel.travel_matrix` or a caching wrapper of it, as sweeps use)."""
    layers, units = _plan_layers(layers, scenario)
    demand = select_demand(layers.settlements, units)
    sites = candidate_sites(layers, scenario, demand, units)
    t = scenario.travel
    params = TravelParams(provider=t.provider, speed_kmh=t.speed_kmh, circuity=t.circuity,
                          max_minutes=t.cutoff, graph_path=_graph_file(t.graph))
    tm = matrix(demand, sites, params, origin_id="settlement_id", site_id="site_id")
    unit_index = {u: k for k, u in enumerate(units)}
    weights, info = demand_weights(demand, scenario, layers.country, layers.version)
    return Instance(
        demand_ids=demand["settlement_id"].astype(str).to_numpy(),
        weights=weights,
        demand_unit=demand["unit_code"].map(unit_index).fillna(-1).to_numpy(dtype=int),
        units=units,
        site_ids=sites["site_id"].to_numpy(dtype=str),
        site_kind=sites["kind"].to_numpy(dtype=str),
        capex=sites["capex"].to_numpy(dtype=float),
        opex=sites["opex"].to_numpy(dtype=float),
        capacity=sites["capacity"].to_numpy(dtype=float),
        max_count=sites["max_count"].to_numpy(dtype=int),
        min_count=sites["min_count"].to_numpy(dtype=int),
        site_unit=sites["unit_code"].map(unit_index).fillna(-1).to_numpy(dtype=int),
        site_children=sites["children_in_care"].to_numpy(dtype=float),
        rows=tm.rows, cols=tm.cols, minutes=tm.minutes,
        standard=t.standard_minutes, cutoff=t.cutoff,
        family_spare=family_spare(layers.foster, units, scenario),
        demand_info=info, demand=demand, sites=sites,
    )
