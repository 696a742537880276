"""Every child counted once: calibrate Kazakh demand to official child totals per oblast.

Reference date: 1 Jan 2024 (6,841,527 children aged 0-17, data/population/children_by_oblast.csv).
Per oblast: population from one consistent 20-unit release (the "2022" set, sum 19,691,858,
oblast_population_alt.csv) scaled to the national population of 1 Jan 2024 (20,033,546), times
the published child share where there is one (Turkistan 43.3%, Mangystau 41.9%, Shymkent
40.6%); the rest of the national total is shared by the other 17 units in proportion to their
population. Settlements keep their GeoNames population at the oblast's child rate; what the
oblast total leaves over (dispersed rural population, villages GeoNames lacks) becomes dispersed
demand points on a regular grid inside each district, flagged `estimated=True`.
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
POPULATION_DIR = ROOT / "data" / "population"
CHILDREN_2024 = 6_841_527  # children 0-17, 1 Jan 2024 (kznews.kz/?p=248086)
POPULATION_2024 = 20_033_546  # 1 Jan 2024 (turanews.kz, FACTS.md)
PUBLISHED_SHARES = {"KZ-61": 0.433, "KZ-47": 0.419, "KZ-79": 0.406}  # 1 Jan 2024, same source
GRID_KM = 50.0  # spacing of the dispersed-demand grid
LOCAL_CRS = "+proj=laea +lat_0=48 +lon_0=68 +datum=WGS84 +units=m"  # equal-area, Kazakhstan
_CONSISTENT_SET = "complete 20-unit set"


def oblast_targets(population_dir: Path = POPULATION_DIR) -> pd.DataFrame:
    """Children 0-17 per 2022 oblast at 1 Jan 2024, indexed by code, with the population used,
    the child share and how the share was obtained."""
    alt = pd.read_csv(population_dir / "oblast_population_alt.csv", dtype=str)
    rows = alt[alt["date"].str.contains(_CONSISTENT_SET, na=False)]
    pop = pd.Series(rows["population"].astype(int).to_numpy(),
                    index="KZ-" + rows["code"].str[:2], name="population_2022")
    if len(pop) != 20 or not pop.index.is_unique:
        raise ValueError("oblast_population_alt.csv: the consistent 20-unit set is incomplete")
    pop_2024 = pop * (POPULATION_2024 / pop.sum())
    children = pd.Series(np.nan, index=pop.index)
    for code, share in PUBLISHED_SHARES.items():
        children[code] = pop_2024[code] * share
    rest = children.isna()
    children[rest] = (CHILDREN_2024 - children[~rest].sum()) * pop_2024[rest] / pop_2024[rest].sum()
    out = pd.DataFrame({"population_2022": pop, "population_2024": pop_2024.round().astype(int),
                        "children": children})
    out["child_share"] = out["children"] / out["population_2024"]
    out["share_method"] = np.where(rest, "national remainder shared by population",
                                   "published share (1 Jan 2024)")
    out["children"] = _round_to_total(out["children"], CHILDREN_2024)
    return out.sort_index()


def district_population(population_dir: Path = POPULATION_DIR) -> pd.Series:
    """Known district populations by 2022 district code (KZ + first 6 KATO digits): one figure
    per district, the 1 Jan 2023 estimate where given, else the latest other; rows describing
    an older boundary ("pre-2024 boundary") or without a KATO code are left out."""
    df = pd.read_csv(population_dir / "district_population.csv", dtype={"kato": str})
    df = df[df["kato"].notna() & ~df["date"].str.contains("pre-2024 boundary", na=False)]
    rank = np.where(df["date"].str.startswith("2023-01-01"), 0, 1)
    year = df["date"].map(lambda d: int(m.group(0)) if (m := re.search(r"20\d\d", d)) else 0)
    df = df.assign(rank=rank, year=-year).sort_values(["kato", "rank", "year"])
    first = df.drop_duplicates("kato")
    return pd.Series(first["population"].astype(int).to_numpy(),
                     index="KZ" + first["kato"].str[:6], name="population")


def _round_to_total(values: pd.Series, total: int) -> pd.Series:
    """Whole numbers summing exactly to `total` (largest remainders get the extra units)."""
    values = values.astype(float)
    if total <= 0 or values.sum() <= 0:
        return pd.Series(0, index=values.index, dtype="int64")
    scaled = values * total / values.sum()
    base = np.floor(scaled).astype("int64")
    extra = int(total - base.sum())
    order = np.argsort(-(scaled - base).to_numpy(), kind="stable")[:extra]
    base.iloc[order] += 1
    return base


def calibrate(settlements: pd.DataFrame, districts: pd.DataFrame, targets: pd.DataFrame,
              known: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Children of each settlement and dispersed children of each district.

    settlements: population, unit_code, district_code (2022). districts: code, parent_code.
    Settlements get population x the oblast's child share, scaled down where they exceed the
    oblast total or a district whose population is known; the rest of each oblast goes to its
    districts: known ones get their expected children minus their settlements', the others
    share what is left equally (no district figure: an equal share per district, since
    districts are drawn around people rather than area). Returns (settlement children indexed
    like `settlements`, dispersed children indexed by district code); totals per oblast equal
    `targets["children"]` exactly.
    """
    share = settlements["unit_code"].map(targets["child_share"]).fillna(0.0)
    kids = settlements["population"].astype(float) * share
    dispersed = pd.Series(0.0, index=districts["code"].to_numpy())
    for code, target in targets["children"].items():
        in_o = settlements["unit_code"] == code
        if kids[in_o].sum() > target:
            kids[in_o] *= target / kids[in_o].sum()
        own = districts.loc[districts["parent_code"] == code, "code"]
        expected = known.reindex(own).dropna() * targets.loc[code, "child_share"]
        for d, e in expected.items():
            in_d = in_o & (settlements["district_code"] == d)
            if kids[in_d].sum() > e:
                kids[in_d] *= e / kids[in_d].sum()
        kids[in_o] = _round_to_total(kids[in_o], int(round(kids[in_o].sum())))
        rest = target - int(kids[in_o].sum())
        by_d = kids[in_o].groupby(settlements.loc[in_o, "district_code"]).sum()
        residual = (expected - by_d.reindex(expected.index).fillna(0)).clip(lower=0)
        unknown = [d for d in own if d not in expected.index]
        left = rest - residual.sum()
        if left < 0 or not unknown:  # known districts take all (scaled to fit)
            weights = residual if residual.sum() > 0 else expected
            shares = weights if len(weights) else pd.Series(1.0, index=own)
        else:
            shares = pd.concat([residual, pd.Series(left / len(unknown), index=unknown)])
        dispersed[shares.index] = _round_to_total(shares, rest).to_numpy()
    return kids.round().astype("int64"), dispersed.astype("int64")


def grid_points(district: gpd.GeoDataFrame, spacing_km: float = GRID_KM) -> gpd.GeoSeries:
    """Regular grid points (spacing_km apart, equal-area plane) inside one district; its
    representative point when the grid misses it (a small district or a city)."""
    local = district.to_crs(LOCAL_CRS)
    geom = local.geometry.iloc[0]
    step = spacing_km * 1000.0
    minx, miny, maxx, maxy = geom.bounds
    xs = np.arange(np.floor(minx / step) * step + step / 2, maxx, step)
    ys = np.arange(np.floor(miny / step) * step + step / 2, maxy, step)
    grid = gpd.GeoSeries(gpd.points_from_xy(*[a.ravel() for a in np.meshgrid(xs, ys)]),
                         crs=LOCAL_CRS)
    inside = grid[grid.within(geom)]
    if inside.empty:
        inside = gpd.GeoSeries([geom.representative_point()], crs=LOCAL_CRS)
    return inside.to_crs("EPSG:4326").reset_index(drop=True)


def dispersed_points(districts: gpd.GeoDataFrame, children: pd.Series,
                     targets: pd.DataFrame) -> gpd.GeoDataFrame:
    """One estimated demand point per grid cell of each district with dispersed children,
    the district's children split evenly (whole numbers, exact total; a point that would
    get none is left out)."""
    frames = []
    for row in districts.itertuples():
        total = int(children.get(row.code, 0))
        if total <= 0:
            continue
        pts = grid_points(districts[districts["code"] == row.code])
        kids = _round_to_total(pd.Series(1.0, index=pts.index), total)
        pts, kids = pts[kids.to_numpy() > 0], kids[kids > 0]
        share = float(targets.loc[row.parent_code, "child_share"])
        frames.append(gpd.GeoDataFrame({
            "settlement_id": [f"est:{row.code}:{i + 1:02d}" for i in pts.index],
            "name": f"Dispersed demand, {row.name_en}",
            "name_ru": f"Рассредоточенный спрос, {row.name_ru}",
            "country": "KZ",
            "population": (kids / share).round().astype("int64").to_numpy(),
            "child_share": share,
            "children": kids.to_numpy(),
            "estimated": True,
        }, geometry=pts.to_numpy(), crs="EPSG:4326"))
    return pd.concat(frames, ignore_index=True)
