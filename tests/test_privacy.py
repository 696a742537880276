"""Small-number suppression: no public cell shows 1-4, and no suppressed cell can be
recovered from the visible cells and totals (checked by linear programming, independently
of the interval reasoning inside geo.privacy)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from geo.privacy import (
    COMPLEMENT,
    SMALL,
    VISIBLE,
    WITHHELD,
    cell_bounds,
    public_points_allowed,
    public_summary,
    suppress_small,
)

counts = st.integers(min_value=0, max_value=60) | st.integers(min_value=0, max_value=6)
tables = st.integers(min_value=1, max_value=8).flatmap(
    lambda n: st.lists(st.lists(counts, min_size=n, max_size=n), min_size=1, max_size=3))


def _frame(columns: list[list[int]]) -> pd.DataFrame:
    data = {"unit": [f"KZ-{i}" for i in range(len(columns[0]))]}
    data.update({f"c{j}": col for j, col in enumerate(columns)})
    return pd.DataFrame(data)


def _attacker_range(shown: list[object], threshold: int) -> list[tuple[float, float]]:
    """Min and max of every suppressed cell (body rows then the total row) by LP."""
    hidden = [i for i, v in enumerate(shown) if isinstance(v, str)]
    if not hidden:
        return []
    bounds = [(1, threshold - 1) if shown[i] != WITHHELD else (0, None) for i in hidden]
    # sum(body) - total = 0: visible cells move to the right-hand side
    a = [[-1.0 if i == len(shown) - 1 else 1.0 for i in hidden]]
    b = [sum(-v if i == len(shown) - 1 else v for i, v in enumerate(shown)
             if not isinstance(v, str)) * -1.0]
    out = []
    for k in range(len(hidden)):
        c = np.zeros(len(hidden))
        c[k] = 1
        low = linprog(c, A_eq=a, b_eq=b, bounds=bounds)
        high = linprog(-c, A_eq=a, b_eq=b, bounds=bounds)
        assert low.status == 0, "the published table must be consistent"
        out.append((low.fun, -high.fun if high.status == 0 else np.inf))
    return out


@settings(max_examples=300, deadline=None)
@given(tables, st.sampled_from([3, 5, 10]))
def test_no_suppressed_value_is_recoverable(columns: list[list[int]], threshold: int) -> None:
    table = _frame(columns)
    out = suppress_small(table, [f"c{j}" for j in range(len(columns))], threshold=threshold)
    assert len(out) == len(table) + 1 and out["unit"].iloc[-1] == "Total"
    for j, original in enumerate(columns):
        shown = list(out[f"c{j}"])
        truth = original + [sum(original)]
        for value, true in zip(shown, truth, strict=True):
            if isinstance(value, str):
                assert value in (f"<{threshold}", WITHHELD)
                if value != WITHHELD:
                    assert 1 <= true < threshold
            else:
                assert value == true, "visible cells are the true counts"
                assert not 1 <= value < threshold, "no small count is ever visible"
        for low, high in _attacker_range(shown, threshold):
            assert high - low > 0.5, f"a suppressed cell is pinned in column {shown}"


def test_single_small_cell_gets_a_complement() -> None:
    table = pd.DataFrame({"unit": ["A", "B", "C"], "families": [3, 40, 12]})
    out = suppress_small(table, ["families"])
    assert list(out["families"]) == ["<5", 40, WITHHELD, 55]


def test_zero_is_shown_and_no_complement_needed_for_two_small_cells() -> None:
    table = pd.DataFrame({"unit": ["A", "B", "C", "D"], "n": [0, 2, 3, 40]})
    out = suppress_small(table, ["n"])
    assert list(out["n"]) == [0, "<5", "<5", 40, 45]


def test_small_total_is_suppressed_and_all_ones_are_not_revealed() -> None:
    out = suppress_small(pd.DataFrame({"unit": list("ABCD"), "n": [1, 1, 1, 1]}), ["n"])
    # four "<5" cells and a "<5" total of 4 would pin every cell to 1: the total is withheld
    assert list(out["n"]) == ["<5", "<5", "<5", "<5", WITHHELD]


def test_without_total_row_only_small_cells_change() -> None:
    table = pd.DataFrame({"unit": ["A", "B"], "n": [4, 5]})
    out = suppress_small(table, ["n"], total_row=False)
    assert list(out["n"]) == ["<5", 5] and len(out) == 2


@pytest.mark.parametrize("bad", [[1, -2], [1.5, 2], [None, 3], ["many", 2]])
def test_bad_counts_name_column_and_row(bad: list[object]) -> None:
    with pytest.raises(ValueError, match=r"n: row [12] "):
        suppress_small(pd.DataFrame({"unit": ["A", "B"], "n": bad}), ["n"])


def test_public_summary_aggregates_points_per_unit() -> None:
    foster = pd.DataFrame({"unit_code": ["KZ-10", "KZ-10", "KZ-11", "KZ-15"],
                           "foster_families": [1, 2, 30, 9], "geometry": [None] * 4})
    out = public_summary(foster, "unit_code", ["foster_families"])
    assert "geometry" not in out.columns
    assert list(out["unit_code"]) == ["KZ-10", "KZ-11", "KZ-15", "Total"]
    assert list(out["foster_families"]) == ["<5", 30, WITHHELD, 42]


def test_public_points_closed_by_default() -> None:
    assert not public_points_allowed("foster")
    assert not public_points_allowed("children")
    assert not public_points_allowed("my_upload")
    assert public_points_allowed("centres") and public_points_allowed("boundaries")


def _two_level_ranges(district: list[object], oblast: list[object], parent: list[int],
                      threshold: int) -> list[tuple[int, float, float]]:
    """(row, min, max) by LP of every suppressed district cell, given both published tables (each
    with its total row last) and each oblast = the sum of its districts."""
    cells = [*district, *oblast]
    hidden = [i for i, v in enumerate(cells) if isinstance(v, str)]
    if not hidden:
        return []
    var = {i: k for k, i in enumerate(hidden)}
    rows, rhs = [], []

    def equation(members: list[int], total: int) -> None:
        coef, right = np.zeros(len(hidden)), 0.0
        for i, sign in [(m, 1.0) for m in members] + [(total, -1.0)]:
            if i in var:
                coef[var[i]] += sign
            else:
                right -= sign * float(cells[i])
        rows.append(coef)
        rhs.append(right)

    n, m = len(district) - 1, len(oblast) - 1
    equation(list(range(n)), n)
    equation([n + 1 + g for g in range(m)], n + 1 + m)
    for g in range(m):
        equation([i for i in range(n) if parent[i] == g], n + 1 + g)
    bounds = [(1, threshold - 1) if cells[i] != WITHHELD else (0, None) for i in hidden]
    out = []
    for i in hidden:
        if i >= len(district) - 1:
            continue
        c = np.zeros(len(hidden))
        c[var[i]] = 1
        low = linprog(c, A_eq=rows, b_eq=rhs, bounds=bounds)
        high = linprog(-c, A_eq=rows, b_eq=rhs, bounds=bounds)
        assert low.status == 0, "the published tables must be consistent"
        out.append((i, low.fun, -high.fun if high.status == 0 else np.inf))
    return out


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), counts), min_size=1, max_size=12))
def test_district_cells_survive_the_oblast_values(rows: list[tuple[int, int]]) -> None:
    """A district table published with `parents` reveals no suppressed district count even
    of 1-4 next to the oblast table (oblast = sum of its districts), whether shown as "<5" or
    widened to "x". (A complement of 0 or of 5 and more may follow, e.g. a lone district
    equal to its published oblast: it hides no small count.)"""
    parent = [p for p, _ in rows]
    table = pd.DataFrame({"unit": [f"D{i}" for i in range(len(rows))],
                          "n": [v for _, v in rows]})
    groups = sorted(set(parent))
    oblast = table.groupby(pd.Series(parent).map(groups.index))["n"].sum().reset_index()
    shown_oblast = list(suppress_small(oblast.rename(columns={"index": "unit"}), ["n"])["n"])
    shown = list(suppress_small(table, ["n"], parents=[f"O{p}" for p in parent])["n"])
    for i, low, high in _two_level_ranges(shown, shown_oblast,
                                          [groups.index(p) for p in parent], 5):
        if not 1 <= rows[i][1] <= 4:
            continue
        assert np.floor(high + 1e-9) > np.ceil(low - 1e-9), (shown, shown_oblast)


def test_district_cell_recoverable_without_parents() -> None:
    """The reason for `parents`: a lone small district next to visible siblings is its
    oblast's published value minus the siblings."""
    table = pd.DataFrame({"unit": ["a", "b", "c", "d"], "n": [1, 30, 40, 50]})
    parents = ["A", "A", "B", "B"]
    oblast = pd.DataFrame({"unit": ["A", "B"], "n": [31, 90]})
    shown_oblast = list(suppress_small(oblast, ["n"])["n"])
    plain = list(suppress_small(table, ["n"], total_row=False)["n"])
    assert plain[:2] == ["<5", 30] and shown_oblast[0] == 31  # 31 - 30 = 1
    guarded = list(suppress_small(table, ["n"], parents=parents)["n"])
    assert guarded[:2] == ["<5", WITHHELD]
    ranges = _two_level_ranges(guarded, shown_oblast, [0, 0, 1, 1], 5)
    assert all(np.floor(h + 1e-9) > np.ceil(lo - 1e-9) for _, lo, h in ranges)
    with pytest.raises(ValueError, match="parents: 3 values for 4 rows"):
        suppress_small(table, ["n"], parents=parents[:3])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=40), st.integers(0, 2)),
                min_size=1, max_size=12), st.integers(0, 2), st.sampled_from([3, 5, 10]))
def test_cell_bounds_match_the_attackers_lp(cells: list[tuple[int, int]], total_state: int,
                                            threshold: int) -> None:
    """The O(n) bounds behind every suppression decision equal what a reader gets by linear
    programming from the labels and the column total, for any labelling of the cells."""
    values = [v for v, _ in cells] + [sum(v for v, _ in cells)]
    status = [s if s != SMALL or 1 <= v < threshold else COMPLEMENT
              for v, s in zip(values, [s for _, s in cells] + [total_state], strict=True)]
    shown: list[object] = [v if s == VISIBLE else f"<{threshold}" if s == SMALL else WITHHELD
                           for v, s in zip(values, status, strict=True)]
    bounds = cell_bounds(np.array(values), np.array(status), threshold)
    hidden = [x for b, s in zip(bounds, status, strict=True) if s != VISIBLE for x in b]
    assert hidden == pytest.approx([x for b in _attacker_range(shown, threshold) for x in b])
    assert all(lo == hi == v for (lo, hi), v, s in zip(bounds, values, status, strict=True)
               if s == VISIBLE)
