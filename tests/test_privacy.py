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

from geo.privacy import WITHHELD, public_points_allowed, public_summary, suppress_small

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
