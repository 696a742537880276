"""Bugs found by attacking the capacitated coverage path (`planning/capacitated.py`), which
its owner was changing then; each test failed on the code it was written against.

The path is taken for capacitated `max_coverage` with more than
`capacitated.RELAXATION_PAIRS` pairs within the standard; the threshold is lowered here so
that small instances, priced by brute force (`test_planning_bruteforce.check`), take it.
"""

from __future__ import annotations

from test_planning_bruteforce import check, random_instance, scenario_for

from planning import capacitated
from planning.solve import model_options


def test_cbc_at_scale_solves_instead_of_crashing(monkeypatch) -> None:
    """`solver.name = "cbc"` is allowed for every objective. On the bundled data
    (`candidates.mode = "all_settlements"`, `travel.standard_minutes = 150`: 13,992 pairs
    within the standard) `python -m planning solve --solver cbc` ended after 27 s with
    "could not be solved (AttributeError: 'LpVariable' object has no attribute 'index')":
    the path works on the model held in HiGHS. Here the same on an instance small enough
    for brute force: CBC keeps the plain model, and the plan must be the brute-force
    optimum."""
    monkeypatch.setattr(capacitated, "RELAXATION_PAIRS", 0)
    inst = random_instance(0, m=6, n=24, capacitated=True)
    s = scenario_for("max_coverage", capacitated=True, family_care=False)
    s.solver.name = "cbc"
    assert not capacitated.applies(inst, model_options(s), s.solver)
    s.solver.name = "highs"
    assert capacitated.applies(inst, model_options(s), s.solver)
    s.solver.name = "cbc"
    check(inst, s)
