"""planning.highs_direct against scipy's own HiGHS interface (`scipy.optimize.milp`) on
random mixed-integer programmes, and its statuses (infeasible, start, time limit)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from planning.highs_direct import SparseModel, solve


def random_model(seed: int, n: int = 30, rows: int = 20) -> tuple[SparseModel, sparse.csr_matrix]:
    """A random bounded MIP (half the columns integer) with rows sum a_ij x_j <= b_i."""
    rng = np.random.default_rng(seed)
    a = sparse.random(rows, n, density=0.3, random_state=rng, format="csr",
                      data_rvs=lambda k: rng.integers(1, 9, k).astype(float))
    model = SparseModel(
        cost=rng.uniform(-5, 10, n), col_lower=np.zeros(n), col_upper=rng.integers(1, 4, n) * 1.0,
        integer=np.arange(n) % 2 == 0, start=a.indptr, index=a.indices, value=a.data,
        row_lower=np.full(rows, -np.inf), row_upper=rng.uniform(5, 20, rows),
        maximize=True, offset=3.5)
    return model, a


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_optimum_equals_scipy_milp(seed: int) -> None:
    model, a = random_model(seed)
    got = solve(model, time_limit=60, mip_gap=0.0)
    ref = milp(-model.cost, constraints=LinearConstraint(a, model.row_lower, model.row_upper),
               integrality=model.integer.astype(int),
               bounds=(model.col_lower, model.col_upper), options={"mip_rel_gap": 0.0})
    assert got.status == "optimal" and ref.status == 0
    assert got.objective == pytest.approx(-ref.fun + model.offset, rel=1e-7, abs=1e-7)
    assert got.values is not None
    x = got.values
    assert np.all(a @ x <= model.row_upper + 1e-7)
    assert np.allclose(x[model.integer], np.round(x[model.integer]))
    assert got.bound is not None and got.bound >= got.objective - 1e-6  # a maximum's bound


def test_infeasible_has_no_plan() -> None:
    model, _ = random_model(5)
    model.row_lower = model.row_upper + 1000.0  # every row above what its columns reach
    got = solve(model, time_limit=10, mip_gap=0.0)
    assert got.status == "infeasible" and not got.has_solution and got.bound is None


def test_start_is_kept_when_time_is_up() -> None:
    """With no time at all, the start handed in is the plan reported (feasible, not
    optimal): the start really reaches HiGHS."""
    model, a = random_model(6)
    start = np.zeros(model.num_col)  # all zero satisfies every row (b > 0)
    start[1] = 1.0
    got = solve(model, time_limit=0.0, mip_gap=0.0, start=start)
    assert got.status == "feasible"
    assert got.values is not None and np.all(a @ got.values <= model.row_upper + 1e-7)
    assert got.objective == pytest.approx(model.cost @ start + model.offset)
