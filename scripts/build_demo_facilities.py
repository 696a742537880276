"""Build the demo facilities layers, calibrated exactly to the published totals.

No registry with facility locations is reachable offline, so Otbasy ships a demo dataset:
institutions, family support centres and family-based care placed in REAL Kazakh
settlements (GeoNames) in proportion to their children, with every total equal to a
figure in `geo.calibration`. Deterministic (fixed seed): the same inputs give the same bytes.

    python -m scripts.build_demo_facilities [--settlements PATH] [--out DIR]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import calibration as cal
from geo.allocation import largest_remainder
from geo.atomic import atomic_path
from geo.schema import CENTRES, FOSTER, INSTITUTIONS, LayerSchema
from geo.units import attach_units

ROOT = Path(__file__).resolve().parent.parent
SETTLEMENTS = ROOT / "data" / "settlements" / "settlements.geojson"
BOUNDARIES = ROOT / "data" / "boundaries" / "kz_2022_oblast.gpkg"
DISTRICTS = ROOT / "data" / "boundaries" / "kz_2022_district.gpkg"
OUT_DIR = ROOT / "data" / "facilities"
UNIT = "unit_2022"


class DemoDataError(RuntimeError):
    """The generated data misses a calibration target or fails validation."""


# --- allocation primitives -------------------------------------------------------------------

def bounded_allocation(total: int, weights: Sequence[float], lo: int, hi: int) -> np.ndarray:
    """Split `total` in proportion to `weights`, every part within [lo, hi].

    Items are given `lo`; the rest is shared by largest remainder among items below `hi`,
    re-sharing whatever an item at its cap cannot take.
    """
    w = np.asarray(weights, dtype=float)
    n = len(w)
    if not n * lo <= total <= n * hi:
        raise ValueError(f"cannot split {total} into {n} parts within [{lo}, {hi}]")
    parts = np.full(n, lo, dtype=int)
    while (left := total - int(parts.sum())) > 0:
        open_ = parts < hi
        extra = np.zeros(n, dtype=int)
        extra[open_] = largest_remainder(left, w[open_] + 1e-12)
        parts = np.minimum(parts + extra, hi)
    return parts


def systematic_pps(n: int, weights: Sequence[float], rng: np.random.Generator) -> np.ndarray:
    """Hits per item of `n` systematic draws with probability proportional to size.

    An item bigger than the sampling step is hit several times (a big city hosts several
    facilities); an item of weight zero never is.
    """
    w = np.asarray(weights, dtype=float)
    if n == 0:
        return np.zeros(len(w), dtype=int)
    cum = np.cumsum(w)
    step = cum[-1] / n
    points = rng.uniform(0, step) + step * np.arange(n)
    idx = np.minimum(np.searchsorted(cum, points, side="right"), np.flatnonzero(w > 0)[-1])
    return np.bincount(idx, minlength=len(w))


# --- inputs ----------------------------------------------------------------------------------

def load_kz_settlements(path: Path, boundaries: Path = BOUNDARIES,
                        districts: Path = DISTRICTS) -> gpd.GeoDataFrame:
    """Kazakh places (not dispersed demand) lying inside their 2022 unit, with their district
    (`geo.units.attach_units`), ordered by unit, population desc, id.

    Settlements snapped to a unit from just outside its outline are left out, so every facility
    lies inside its unit on the map.
    """
    settlements = gpd.read_file(path)
    estimated = settlements["estimated"].fillna(False).astype(bool) \
        if "estimated" in settlements else False
    kz = settlements[(settlements["country"] == cal.COUNTRY) & settlements[UNIT].notna()
                     & ~estimated]
    oblasts = gpd.read_file(boundaries)
    kz = kz.assign(district_code=attach_units(kz, oblasts, gpd.read_file(districts))[
        "district_code"])
    units = oblasts.set_index("code").geometry
    unknown = sorted(set(kz[UNIT]) - set(units.index))
    if unknown:
        raise DemoDataError(f"{path}: {UNIT} codes {unknown} are not units of {boundaries}")
    inside = gpd.GeoSeries(units.loc[kz[UNIT]].to_numpy(), index=kz.index,
                           crs=kz.crs).covers(kz.geometry)
    kz = kz[inside]
    if kz.empty:
        raise DemoDataError(f"{path}: no {cal.COUNTRY} settlements inside their {UNIT}")
    if kz["children"].isna().any():
        row = int(kz.index[kz["children"].isna()][0]) + 1
        raise DemoDataError(f"{path}: row {row}: field 'children' is empty")
    kz = kz.assign(children=kz["children"].astype(int), population=kz["population"].astype(int))
    return kz.sort_values([UNIT, "population", "settlement_id"],
                          ascending=[True, False, True]).reset_index(drop=True)


def unit_children(settlements: pd.DataFrame) -> pd.Series:
    """Children per 2022 unit (sorted by code)."""
    return settlements.groupby(UNIT)["children"].sum().sort_index()


def place(counts: pd.Series, settlements: pd.DataFrame, rng: np.random.Generator,
          first_at_largest: bool = False) -> list[int]:
    """Settlement row indices for `counts[unit]` facilities per unit, by systematic PPS.

    With `first_at_largest` a unit's first facility goes to its biggest settlement (a proxy
    for the regional centre) and the rest are drawn.
    """
    rows: list[int] = []
    for unit, n in counts.items():
        members = settlements.index[settlements[UNIT] == unit]
        if n and settlements.loc[members, "children"].sum() <= 0:
            raise DemoDataError(f"unit {unit} has no settlement with children to host "
                                f"{n} facilities")
        if first_at_largest and n:
            rows.append(int(members[0]))  # members are ordered by population, descending
            n -= 1
        hits = systematic_pps(int(n), settlements.loc[members, "children"].to_numpy(), rng)
        rows.extend(int(i) for i, h in zip(members, hits) for _ in range(h))
    return rows


def _label(kind: str, settlement: str, k: int) -> str:
    return f"{kind} No. {k} (demo), {settlement}"


def _points(settlements: gpd.GeoDataFrame, rows: list[int]) -> gpd.GeoSeries:
    return gpd.GeoSeries(settlements.geometry.loc[rows].to_numpy(), crs=settlements.crs)


# --- layers ----------------------------------------------------------------------------------

_TYPE_LABELS = {
    "baby_home": "Baby home",
    "childrens_home": "Children's home",
    "family_type_home": "Family-type children's home",
    "boarding_school_disability": "Boarding school for children with disabilities",
    "boarding_school_general": "Boarding school",
}


def build_institutions(settlements: gpd.GeoDataFrame,
                       rng: np.random.Generator) -> gpd.GeoDataFrame:
    """One record per institution; per type, counts and children equal the targets."""
    base = unit_children(settlements)
    hotspot = base.index.map(lambda c: cal.ORPHAN_HOTSPOTS.get(c, 1.0)).to_numpy()
    frames = []
    for target in cal.INSTITUTION_TARGETS:
        orphan = target.key in cal.ORPHAN_TYPES
        weights = base.to_numpy() * (hotspot if orphan else 1.0)
        counts = pd.Series(largest_remainder(target.records, weights), index=base.index)
        rows = place(counts, settlements, rng)
        children = largest_remainder(target.children, rng.uniform(*cal.SIZE_SPREAD, len(rows)))
        occupancy = rng.uniform(*(cal.ORPHAN_OCCUPANCY if orphan else cal.BOARDING_OCCUPANCY),
                                len(rows))
        hosts = settlements.loc[rows]
        frames.append(pd.DataFrame({
            "type": target.key,
            "children": children,
            "capacity": [math.ceil(c / o) for c, o in zip(children, occupancy)],
            "year": target.year,
            "settlement_name": hosts["name"].to_numpy(),
            "settlement_id": hosts["settlement_id"].to_numpy(),
            "unit_code": hosts[UNIT].to_numpy(),
            "district_code": hosts["district_code"].to_numpy(),
            "row": rows,
        }))
    df = pd.concat(frames, ignore_index=True)
    n_in_place = df.groupby(["type", "settlement_id"]).cumcount() + 1
    out = gpd.GeoDataFrame({
        "institution_id": [f"demo-inst-{i:03d}" for i in range(1, len(df) + 1)],
        "name": [_label(_TYPE_LABELS[t], s, k)
                 for t, s, k in zip(df["type"], df["settlement_name"], n_in_place)],
        "type": df["type"],
        "capacity": df["capacity"],
        "children": df["children"],
        "operator": "state",
        "year": df["year"],
        "country": cal.COUNTRY,
        "unit_code": df["unit_code"],
        "district_code": df["district_code"],
        "settlement_id": df["settlement_id"],
        "demo": True,
    }, geometry=_points(settlements, df["row"].tolist()))
    return out


def build_centres(settlements: gpd.GeoDataFrame, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Family support centres: one per unit at its largest settlement, the rest by children.

    Staff (1,006 in total, 3-12 per centre) follow the children a centre covers; capacity is
    staff x children per specialist (the legal norm), the default planning uses.
    """
    base = unit_children(settlements)
    target = cal.CENTRES
    extra = largest_remainder(target.records - len(base), base.to_numpy())
    counts = pd.Series(extra + 1, index=base.index)
    rows = place(counts, settlements, rng, first_at_largest=True)
    hosts = settlements.loc[rows].reset_index(drop=True)
    catchment = hosts[UNIT].map(base / counts).to_numpy()
    staff = bounded_allocation(cal.CENTRE_STAFF_TOTAL,
                               catchment * rng.uniform(0.8, 1.2, len(rows)),
                               *cal.CENTRE_STAFF_RANGE)
    operator = np.full(len(rows), "state", dtype=object)
    ngo = rng.choice(len(rows), size=round(len(rows) * cal.CENTRE_NGO_SHARE), replace=False)
    operator[ngo] = "ngo"
    n_in_place = hosts.groupby("settlement_id").cumcount() + 1
    return gpd.GeoDataFrame({
        "centre_id": [f"demo-centre-{i:03d}" for i in range(1, len(rows) + 1)],
        "name": [_label("Family support centre", s, k)
                 for s, k in zip(hosts["name"], n_in_place)],
        "kind": target.key,
        "staff": staff,
        "capacity": staff * cal.CHILDREN_PER_SPECIALIST,
        "operator": operator,
        "year": target.year,
        "country": cal.COUNTRY,
        "unit_code": hosts[UNIT],
        "district_code": hosts["district_code"],
        "settlement_id": hosts["settlement_id"],
        "demo": True,
    }, geometry=_points(settlements, rows))


def build_foster(settlements: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Family-based care per settlement (never a household), by settlement children.

    Families are shared first; foster children are then families plus the surplus shared in
    proportion to families, so a settlement has foster children only if it has families.
    """
    weights = settlements["children"].to_numpy()
    families = largest_remainder(cal.FOSTER_CARE.records, weights)
    surplus = cal.FOSTER_CARE.children - cal.FOSTER_CARE.records
    foster_children = families + largest_remainder(surplus, families)
    guardianship = largest_remainder(cal.GUARDIANSHIP.children, weights)
    out = gpd.GeoDataFrame({
        "settlement_id": settlements["settlement_id"],
        "country": cal.COUNTRY,
        "foster_families": families,
        "foster_children": foster_children,
        "guardianship_children": guardianship,
        "year": cal.FOSTER_CARE.year,
        "unit_code": settlements[UNIT],
        "district_code": settlements["district_code"],
        "demo": True,
    }, geometry=settlements.geometry)
    return out[(families > 0) | (guardianship > 0)].reset_index(drop=True)


# --- checks and output -----------------------------------------------------------------------

def check_calibration(layers: dict[str, gpd.GeoDataFrame],
                      settlements: gpd.GeoDataFrame) -> None:
    """Raise DemoDataError unless every total equals its target and every unit_code matches."""
    inst, centres, foster = layers["institutions"], layers["centres"], layers["foster"]
    found = {t.key: (int((inst["type"] == t.key).sum()),
                     int(inst.loc[inst["type"] == t.key, "children"].sum()))
             for t in cal.INSTITUTION_TARGETS}
    found[cal.CENTRES.key] = (len(centres), None)
    found[cal.FOSTER_CARE.key] = (int(foster["foster_families"].sum()),
                                  int(foster["foster_children"].sum()))
    found[cal.GUARDIANSHIP.key] = (None, int(foster["guardianship_children"].sum()))
    errors = [f"{t.key}: got {found[t.key]}, target {(t.records, t.children)}"
              for t in cal.ALL_TARGETS if found[t.key] != (t.records, t.children)]
    if int(centres["staff"].sum()) != cal.CENTRE_STAFF_TOTAL:
        errors.append(f"centre staff {centres['staff'].sum()} != {cal.CENTRE_STAFF_TOTAL}")
    by_id = settlements.set_index("settlement_id")
    for name, layer in layers.items():
        for column, what in ((UNIT, "unit_code"), ("district_code", "district_code")):
            wrong = layer[what].to_numpy() != layer["settlement_id"].map(by_id[column]).to_numpy()
            if wrong.any():
                errors.append(f"{name}: {int(wrong.sum())} records outside their settlement's "
                              f"{'unit' if what == 'unit_code' else 'district'}")
    if errors:
        raise DemoDataError("demo data misses its calibration: " + "; ".join(errors))


def write_layer(gdf: gpd.GeoDataFrame, schema: LayerSchema, path: Path) -> None:
    """Write GeoJSON atomically after validating the written file; nothing replaced on error."""
    from geo.validate import validate

    with atomic_path(path) as tmp:
        gdf.to_file(tmp, driver="GeoJSON", layer=schema.name)
        problems = [p for p in validate(gpd.read_file(tmp), schema.name, str(path))
                    if p.is_error]
        if problems:
            listing = "\n  ".join(str(p) for p in problems[:20])
            raise DemoDataError(f"{path}: {len(problems)} validation problems:\n  {listing}")


def build(settlements_path: Path = SETTLEMENTS, out_dir: Path = OUT_DIR,
          boundaries_path: Path = BOUNDARIES, seed: int = cal.SEED,
          districts_path: Path = DISTRICTS) -> dict[str, gpd.GeoDataFrame]:
    """Generate, check and write the three demo layers; return them."""
    settlements = load_kz_settlements(settlements_path, boundaries_path, districts_path)
    rng = np.random.default_rng(seed)
    layers = {
        "institutions": build_institutions(settlements, rng),
        "centres": build_centres(settlements, rng),
        "foster": build_foster(settlements),
    }
    check_calibration(layers, settlements)
    schemas = {"institutions": INSTITUTIONS, "centres": CENTRES, "foster": FOSTER}
    for name, layer in layers.items():
        write_layer(layer.set_crs(settlements.crs, allow_override=True), schemas[name],
                    Path(out_dir) / f"{name}.geojson")
    return layers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.build_demo_facilities",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--settlements", type=Path, default=SETTLEMENTS)
    parser.add_argument("--boundaries", type=Path, default=BOUNDARIES,
                        help="Kazakhstan's 2022 units (the facilities' unit_code version)")
    parser.add_argument("--districts", type=Path, default=DISTRICTS,
                        help="Kazakhstan's 2022 districts (the facilities' district_code)")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args(argv)
    try:
        layers = build(args.settlements, args.out, args.boundaries,
                       districts_path=args.districts)
    except (DemoDataError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for name, layer in layers.items():
        print(f"{args.out / (name + '.geojson')}: {len(layer)} records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
