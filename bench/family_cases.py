"""The benchmark family's instances: seeded p-median / MCLP cases nobody tunes the model to
(run by bench/family.py).

A family case is (n settlements, m sites, p, point layout, weights, costs, seed):

- points `uniform` (uniform in the area) or `clustered` (settlements and sites around a few
  towns: Gaussian clusters of varied spread, 10% scattered uniformly);
- weights `uniform` (whole numbers 1-500) or `lognormal` (round(lognormal(5.5, 1.4)), at least
  1: a few cities and many villages, like real settlements);
- costs `planar` (Euclidean distance in a 100 x 100 square, in "minutes") or `geodesic`
  (haversine km x 1.3 circuity at 60 km/h, in minutes, points in an Almaty-region-sized box).

The MCLP radius is set so p discs of it would cover about half the area (the radius binds
for every p). Everything is a pure function of the case: two runs see identical instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np

from planning.instance import Instance

EARTH_KM = 6371.0088
BOX = (74.0, 42.5, 80.0, 46.5)  # lon/lat, about Almaty region's extent
SPEED_KMH, CIRCUITY = 60.0, 1.3
SIZES = ((350, 500), (1000, 1000), (2000, 500))
PS = (5, 10, 20, 50)
LAYOUTS = ("uniform", "clustered")
WEIGHTS = ("uniform", "lognormal")
COSTS = ("planar", "geodesic")


@dataclass(frozen=True)
class FamilyCase:
    """One instance of the family; `name` is how it is printed and passed on the command
    line (e.g. `350x500-p5-clustered-lognormal-geodesic-s1`)."""

    n: int
    m: int
    p: int
    layout: str
    weights: str
    costs: str
    seed: int

    @property
    def name(self) -> str:
        return (f"{self.n}x{self.m}-p{self.p}-{self.layout}-{self.weights}-{self.costs}"
                f"-s{self.seed}")

    @classmethod
    def parse(cls, name: str) -> FamilyCase:
        size, p, layout, weights, costs, seed = name.split("-")
        n, m = size.split("x")
        return cls(int(n), int(m), int(p[1:]), layout, weights, costs, int(seed[1:]))


def family(quick: bool = False) -> list[FamilyCase]:
    """The grid. Full: on 350 x 500 every p with four of the eight layout x weights x costs
    variants (the other four on the next p, so each p sees every kind and all eight appear
    twice; 16 cases, seed 1); on the two larger sizes every p with one variant, rotating
    (8 cases, seed 2). Quick: two 350 x 500 cases, the extreme p values with opposite
    variants (for development)."""
    variants = list(product(LAYOUTS, WEIGHTS, COSTS))
    if quick:
        return [FamilyCase(350, 500, 5, *variants[0], seed=1),
                FamilyCase(350, 500, 50, *variants[7], seed=1)]
    out = [FamilyCase(350, 500, p, *variants[v], seed=1)
           for k, p in enumerate(PS) for v in ((0, 3, 5, 6) if k % 2 == 0 else (1, 2, 4, 7))]
    k = 0
    for n, m in SIZES[1:]:
        for p in PS:
            out.append(FamilyCase(n, m, p, *variants[(3 * k + 1) % len(variants)], seed=2))
            k += 1
    return sorted(out, key=risk)


def risk(case: FamilyCase) -> tuple:
    """Run order, riskiest ratio first: few centres (long radii), geodesic, the larger
    sizes (1,000 x 1,000 first)."""
    return (case.p, case.costs != "geodesic", -case.n * case.m, case.n, case.name)


def _unit_points(rng: np.random.Generator, k: int, layout: str,
                 centres: np.ndarray, spread: np.ndarray) -> np.ndarray:
    """k points in the unit square (uniform, or clustered around `centres`)."""
    if layout == "uniform":
        return rng.uniform(0, 1, (k, 2))
    which = rng.integers(0, len(centres), k)
    pts = centres[which] + rng.normal(0, 1, (k, 2)) * spread[which, None]
    scatter = rng.uniform(0, 1, k) < 0.1
    pts[scatter] = rng.uniform(0, 1, (int(scatter.sum()), 2))
    return np.clip(pts, 0, 1)


def instance(case: FamilyCase) -> tuple[np.ndarray, np.ndarray, float]:
    """(n x m cost matrix in minutes, weights, MCLP radius in minutes) of a case."""
    rng = np.random.default_rng([case.seed, case.n, case.m, case.p,
                                 LAYOUTS.index(case.layout), WEIGHTS.index(case.weights),
                                 COSTS.index(case.costs)])
    centres = rng.uniform(0.1, 0.9, (8, 2))
    spread = rng.uniform(0.02, 0.08, 8)
    dp = _unit_points(rng, case.n, case.layout, centres, spread)
    sp = _unit_points(rng, case.m, case.layout, centres, spread)
    if case.weights == "uniform":
        w = rng.integers(1, 501, case.n).astype(float)
    else:
        w = np.maximum(1.0, np.round(rng.lognormal(5.5, 1.4, case.n)))
    if case.costs == "planar":
        cost = 100.0 * np.hypot(dp[:, None, 0] - sp[None, :, 0], dp[:, None, 1] - sp[None, :, 1])
        area = 100.0 ** 2
    else:
        lon = lambda u: BOX[0] + u * (BOX[2] - BOX[0])  # noqa: E731
        lat = lambda u: BOX[1] + u * (BOX[3] - BOX[1])  # noqa: E731
        cost = geodesic_minutes(lon(dp[:, 0]), lat(dp[:, 1]), lon(sp[:, 0]), lat(sp[:, 1]))
        mid = np.radians((BOX[1] + BOX[3]) / 2)
        km = np.radians(1.0) * EARTH_KM
        area = ((BOX[2] - BOX[0]) * km * np.cos(mid) * (BOX[3] - BOX[1]) * km
                * (CIRCUITY / SPEED_KMH * 60.0) ** 2)
    radius = float(np.sqrt(0.5 * area / (np.pi * case.p)))
    return cost, w, radius


def geodesic_minutes(dlon, dlat, slon, slat) -> np.ndarray:
    """Straight-line travel minutes (haversine x circuity / speed), dense n x m."""
    la1, lo1 = np.radians(dlat)[:, None], np.radians(dlon)[:, None]
    la2, lo2 = np.radians(slat)[None, :], np.radians(slon)[None, :]
    h = (np.sin((la2 - la1) / 2) ** 2
         + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2)
    km = 2 * EARTH_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
    return km * CIRCUITY / SPEED_KMH * 60.0


def plain_instance(weights: np.ndarray, m: int, rows, cols, minutes, *, standard: float,
                   cutoff: float, capacity: float = np.inf) -> Instance:
    """An Instance of m interchangeable new sites (no costs unless set by the caller)."""
    n = weights.size
    return Instance(
        demand_ids=np.array([f"d{i}" for i in range(n)]), weights=weights.astype(float),
        demand_unit=np.zeros(n, dtype=int), units=["U"],
        site_ids=np.array([f"s{j}" for j in range(m)]), site_kind=np.full(m, "new"),
        capex=np.zeros(m), opex=np.zeros(m), capacity=np.full(m, capacity),
        max_count=np.ones(m, dtype=int), min_count=np.zeros(m, dtype=int),
        site_unit=np.zeros(m, dtype=int), site_children=np.zeros(m),
        rows=rows.astype(int), cols=cols.astype(int), minutes=minutes.astype(float),
        standard=standard, cutoff=cutoff)
