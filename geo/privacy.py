"""Small-number suppression for every public table, map popup and download.

Children's data is sensitive: a public output never shows a count of 1-4 (it shows "<5"),
and never a foster family or child as a point. `suppress_small` is the one function that
applies the rule; it also suppresses complementary cells so that a published column total
minus the visible cells cannot reveal a suppressed cell.

What a reader learns from an output, and what the rule guarantees against:
- a "<5" cell holds 1, 2, 3 or 4 (zeros are shown as 0);
- a "x" cell is withheld: any value from 0 upwards;
- each column's total row (when published, itself suppressed if 1-4) is the column sum;
- for a lower level (districts), each parent unit's value as the parent level publishes it
  (the oblast table) is the sum of its districts.
From these, no suppressed cell's value can be worked out exactly; across two levels, no
count of 1-4 can (a complement may, where it equals its published parent).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

WITHHELD = "x"
VISIBLE, SMALL, COMPLEMENT = 0, 1, 2

# Layers whose points may appear on a public map. Anything else (foster care, any layer of
# children or households, uploads) is shown to the public only aggregated per unit.
PUBLIC_POINT_LAYERS = frozenset({"boundaries", "settlements", "institutions", "centres"})


def public_points_allowed(layer: str) -> bool:
    """True when `layer`'s points may be drawn on a public view (closed by default)."""
    return layer in PUBLIC_POINT_LAYERS


def small_label(threshold: int = 5) -> str:
    """The text shown instead of a count from 1 to threshold-1."""
    return f"<{threshold}"


def suppress_small(table: pd.DataFrame, count_columns: Sequence[str], total_row: bool = True,
                   threshold: int = 5, total_label: str = "Total",
                   parents: Sequence[object] | None = None) -> pd.DataFrame:
    """A copy of `table` safe to publish: small counts as "<5", complements as "x".

    `count_columns` hold non-negative whole counts. With `total_row`, a row of true column
    totals is appended (labelled `total_label` in the first non-count column) and cells are
    withheld until no suppressed value follows from the visible cells and the total.
    Without it, only the small counts themselves are replaced. `parents` (one per row, e.g.
    each district's oblast) says the parent level is published too: cells are also withheld
    until none follows from its parent's published value minus its visible siblings.
    """
    counts, status = suppression_status(table, count_columns, total_row, threshold, parents)
    out = table.reset_index(drop=True).copy()
    if total_row:
        total = pd.DataFrame({c: [None] for c in out.columns})
        labels = [c for c in out.columns if c not in count_columns]
        if labels:
            total[labels[0]] = total_label
        out = pd.concat([out.astype(object), total.astype(object)], ignore_index=True)
    for j, column in enumerate(count_columns):
        out[column] = [
            int(v) if s == VISIBLE else small_label(threshold) if s == SMALL else WITHHELD
            for v, s in zip(counts[:, j], status[:, j], strict=True)
        ]
    return out


def suppression_status(table: pd.DataFrame, count_columns: Sequence[str], total_row: bool = True,
                       threshold: int = 5, parents: Sequence[object] | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """(counts, status) behind `suppress_small`: status VISIBLE, SMALL or COMPLEMENT per cell
    (rows of `table`, then the total row when `total_row`). With `parents`, the parent
    level's table (the sums per parent, suppressed by the same rule) is taken as published."""
    if threshold < 3:
        raise ValueError(f"threshold: must be at least 3, got {threshold}")
    counts = _counts(table, list(count_columns))
    if total_row:
        counts = np.vstack([counts, counts.sum(axis=0, keepdims=True)])
    status = np.where((counts >= 1) & (counts < threshold), SMALL, VISIBLE)
    groups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    if parents is not None:
        keys = pd.Series(list(parents), dtype=object)
        if len(keys) != len(table):
            raise ValueError(f"parents: {len(keys)} values for {len(table)} rows")
        upper = pd.DataFrame(counts[:len(table)], columns=list(count_columns)).groupby(
            keys.to_numpy(), dropna=True).sum()
        up_counts, up_status = suppression_status(upper.reset_index(drop=True),
                                                  list(count_columns), total_row, threshold)
        for g, key in enumerate(upper.index):
            groups.append((np.flatnonzero((keys == key).to_numpy()), up_counts[g], up_status[g]))
        if total_row:  # one grand total, published by both levels: shown as the parent shows it
            status[-1] = up_status[-1]
    fixed = parents is not None
    for j in range(counts.shape[1]):
        changed = True
        while changed:  # withholding for one equation can open another: repeat until none
            changed = False
            while total_row and _recoverable(counts[:, j], status[:, j], threshold):
                if not _withhold_one_more(counts[:, j], status[:, j], total_fixed=fixed):
                    break
                changed = True
            for rows, up_count, up_status in groups:
                values = np.append(counts[rows, j], up_count[j])
                sub = np.append(status[rows, j], up_status[j])
                while _recoverable(values, sub, threshold):
                    if not _withhold_one_more(values, sub, total_fixed=True):
                        break  # only a withheld zero of a zero parent is left: nothing to hide
                    changed = True
                status[rows, j] = sub[:-1]
            if groups and not changed:  # all equations together, as a reader combines them
                changed = _withhold_jointly(counts[:, j], status[:, j], total_row, threshold,
                                            [(rows, up[j], st[j]) for rows, up, st in groups])
    return counts, status


def _withhold_jointly(values: np.ndarray, status: np.ndarray, total_row: bool, threshold: int,
                      groups: list[tuple[np.ndarray, int, int]]) -> bool:
    """Bound every cell by all equations at once (the grand total, each parent = the sum of
    its rows); when a suppressed cell (or a suppressed parent) is pinned, withhold one more
    cell in its parent's rows, else in the whole column. True when something was withheld."""
    n = len(values) - (1 if total_row else 0)
    cells = [float(v) for v in values] + [float(up) for _, up, _ in groups]
    states = list(status) + [st for _, _, st in groups]
    lo = [c if s == VISIBLE else 1.0 if s == SMALL else 0.0 for c, s in zip(cells, states)]
    hi = [c if s == VISIBLE else float(threshold - 1) if s == SMALL else math.inf
          for c, s in zip(cells, states)]
    parent_cells = list(range(len(values), len(cells)))
    equations = [(list(range(n)), n), (parent_cells, n)] if total_row else []
    equations += [(list(rows), len(values) + g) for g, (rows, _, _) in enumerate(groups)]
    for _ in range(50):
        moved = False
        for members, total in equations:
            for k in [*members, total]:
                if k == total:
                    low, high = sum(lo[m] for m in members), sum(hi[m] for m in members)
                else:
                    rest = [m for m in members if m != k]
                    low = lo[total] - sum(hi[m] for m in rest)
                    high = hi[total] - sum(lo[m] for m in rest)
                low = max(lo[k], math.ceil(low - 1e-9) if math.isfinite(low) else low)
                high = min(hi[k], math.floor(high + 1e-9) if math.isfinite(high) else high)
                if (low, high) != (lo[k], hi[k]):
                    lo[k], hi[k], moved = low, high, True
        if not moved:
            break
    for k, state in enumerate(states):
        if state == VISIBLE or lo[k] != hi[k] or (total_row and k == n):
            continue
        g = next((g for g, (rows, _, _) in enumerate(groups) if k in rows),
                 k - len(values) if k >= len(values) else None)
        if g is not None:
            rows, up, up_state = groups[g]
            sub = np.append(status[rows], up_state)
            if _withhold_one_more(np.append(values[rows], up), sub, total_fixed=True):
                status[rows] = sub[:-1]
                return True
        if total_row and _withhold_one_more(values, status, total_fixed=True):
            return True
    return False


def is_label(value: object) -> bool:
    """True when a published cell is a suppression label ("<5" or "x"), not a number."""
    return isinstance(value, str)


def suppress_derived(shown: pd.DataFrame, derived: Mapping[str, str],
                     decimals: int = 1) -> pd.DataFrame:
    """Values derived from a count (rates, shares, the count's complement) take the count's
    label wherever the count is suppressed, so they cannot be inverted; the rest are rounded.

    shown: a table already through `suppress_small`; derived: derived column -> its count.
    """
    out = shown.copy()
    for column, source in derived.items():
        hidden = out[source].map(is_label)
        values = pd.to_numeric(out[column], errors="coerce").round(decimals)
        out[column] = [label if hide else (None if pd.isna(v) else
                                           int(v) if decimals == 0 else float(v))
                       for label, hide, v in zip(out[source], hidden, values, strict=True)]
    return out


def numeric_or_nan(shown: pd.Series) -> pd.Series:
    """A published column as numbers, suppressed labels as NaN (for colouring a map)."""
    return pd.to_numeric(shown.map(lambda v: np.nan if is_label(v) else v), errors="coerce")


# Marker radius (px) per size class of a published count: a marker shows the class, never
# the exact value, and every suppressed cell ("<5" or "x") gets the same radius.
SIZE_CLASSES: tuple[tuple[float, float], ...] = ((5, 5.0), (20, 7.0), (100, 9.0),
                                                 (500, 11.0), (math.inf, 13.0))
LABEL_RADIUS = 4.0
ZERO_RADIUS = 3.0


def class_radius(shown: pd.Series) -> pd.Series:
    """Marker radii of published counts by class: 0, suppressed, 5-19, 20-99, 100-499,
    500 and more. The radius reveals no more than the label does."""
    def radius(value: object) -> float:
        if is_label(value):
            return LABEL_RADIUS
        v = float(value)  # type: ignore[arg-type]
        if not v > 0:
            return ZERO_RADIUS
        return next(r for upper, r in SIZE_CLASSES[1:] if v < upper) if v >= 5 else LABEL_RADIUS
    return shown.map(radius).astype(float)


def aggregate_points(points: pd.DataFrame, units: pd.DataFrame, unit_column: str = "unit_code",
                     skip: Sequence[str] = ("year",)) -> pd.DataFrame:
    """One record per unit in place of the points: numeric columns summed (except `skip`),
    `demo` true when any record is, located at a point inside the unit (never a record's own
    location). Points without a unit are dropped."""
    import geopandas as gpd

    frame = pd.DataFrame(points.drop(columns="geometry", errors="ignore"))
    frame = frame[frame[unit_column].notna()]
    numeric = [c for c in frame.select_dtypes("number").columns
               if c not in skip and c != "demo"]
    out = frame.groupby(unit_column)[numeric].sum()
    if "demo" in frame.columns:
        out["demo"] = frame.groupby(unit_column)["demo"].agg(lambda d: bool(d.fillna(False)
                                                                              .astype(bool).any()))
    for column in ("country",):
        if column in frame.columns:
            out[column] = frame.groupby(unit_column)[column].first()
    where = units.set_index("code").geometry.representative_point()
    out = out[out.index.isin(where.index)].reset_index()
    return gpd.GeoDataFrame(out, geometry=where.reindex(out[unit_column]).to_numpy(),
                            crs=units.crs)


def public_summary(frame: pd.DataFrame, by: str, count_columns: Sequence[str],
                   threshold: int = 5, total_label: str = "Total") -> pd.DataFrame:
    """Sum `count_columns` per `by` (e.g. unit_code), drop geometry, then suppress."""
    data = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    grouped = data.groupby(by, dropna=False)[list(count_columns)].sum().reset_index()
    return suppress_small(grouped, count_columns, True, threshold, total_label)


def cell_bounds(values: np.ndarray, status: np.ndarray,
                threshold: int) -> list[tuple[float, float]]:
    """What a reader can infer about each cell of one column whose last entry is its total.

    Returns (low, high) per cell from the labels alone and the column equation.
    """
    lo, hi = _inferred(values, status, threshold)
    return list(zip(lo.tolist(), hi.tolist(), strict=True))


def _inferred(values: np.ndarray, status: np.ndarray,
              threshold: int) -> tuple[np.ndarray, np.ndarray]:
    """`cell_bounds` as two arrays (low, high), in O(n): each cell's bound from the total and
    the other cells is the total's bound minus the sum of the others', computed once as the
    column sum less the cell itself (an unbounded "x" among the others makes it unbounded)."""
    status = np.asarray(status)
    v = np.asarray(values, dtype=float)
    visible, small = status == VISIBLE, status == SMALL
    lo = np.where(visible, v, small * 1.0)  # "<5" at least 1, "x" at least 0
    hi = np.where(visible, v, np.where(small, threshold - 1.0, np.inf))
    body_lo, body_hi = lo[:-1], hi[:-1]
    unbounded = np.isinf(body_hi)
    n_unbounded = np.count_nonzero(unbounded)
    finite_hi = np.where(unbounded, 0.0, body_hi)
    sum_lo, sum_hi = body_lo.sum(), finite_hi.sum()
    low, high = np.empty_like(lo), np.empty_like(hi)
    low[:-1] = lo[-1] - np.where(n_unbounded - unbounded > 0, np.inf, sum_hi - finite_hi)
    high[:-1] = hi[-1] - (sum_lo - body_lo)
    low[-1], high[-1] = sum_lo, np.inf if n_unbounded else sum_hi
    return np.maximum(lo, low, out=low), np.minimum(hi, high, out=high)


def _recoverable(values: np.ndarray, status: np.ndarray, threshold: int) -> bool:
    """True when some suppressed cell of the column is pinned to one value."""
    lo, hi = _inferred(values, status, threshold)
    return bool(((np.asarray(status) != VISIBLE) & (lo == hi)).any())


def _withhold_one_more(values: np.ndarray, status: np.ndarray, total_fixed: bool = False) -> bool:
    """Withhold the next cell: smallest visible non-zero, then zero, then the total (unless
    `total_fixed`: published elsewhere), then widen a "<5" cell to "x". Changes `status` in
    place; False when no cell is left to withhold."""
    body = range(len(values) - 1)
    visible = [i for i in body if status[i] == VISIBLE]
    nonzero = sorted((values[i], i) for i in visible if values[i] > 0)
    if nonzero:
        status[nonzero[0][1]] = COMPLEMENT
    elif visible:
        status[visible[0]] = COMPLEMENT
    elif status[-1] != COMPLEMENT and not total_fixed:
        status[-1] = COMPLEMENT
    else:
        small = [i for i in body if status[i] == SMALL]
        if not small:
            return False
        status[small[0]] = COMPLEMENT
    return True


def _counts(table: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """The count columns as a whole-number matrix; ValueError naming column and row otherwise."""
    matrix = np.zeros((len(table), len(columns)), dtype=np.int64)
    for j, column in enumerate(columns):
        if column not in table.columns:
            raise ValueError(f"{column}: no such column")
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0) | (values != np.round(values)))
        if bad.size:
            raise ValueError(f"{column}: row {bad[0] + 1} is not a whole count "
                             f"({table[column].iloc[bad[0]]!r})")
        matrix[:, j] = values.astype(np.int64)
    return matrix


def withheld(column: Sequence[int] | np.ndarray, threshold: int = 5) -> np.ndarray:
    """Which cells of one count column whose last entry is its total `suppress_small` would
    not show ("<5" or "x"): the same rule on a bare array, for callers that mask thousands of
    small columns (the Monitor's districts) where building DataFrames would dominate."""
    values = np.asarray(column, dtype=np.int64)
    status = np.where((values >= 1) & (values < threshold), SMALL, VISIBLE)
    while _recoverable(values, status, threshold):
        _withhold_one_more(values, status)
    return status != VISIBLE
