"""The commented example sweep printed by `python -m planning example --sweep`: 24 national
runs (3 capital budgets x 2 travel standards x 4 random draws) around the default scenario.

The budget axis is the capital budget: with the released-cost credit on (the default),
conversions release more running cost than the plan spends, so budgets count its running
cost as zero, its whole-life cost is about its capital cost, well under the default
whole-life budget, and a sweep over that budget would show the same coverage at every
budget; the credit does not reduce capital costs."""

from __future__ import annotations

from planning.scenario import Scenario

EXAMPLE = """\
# Otbasy sweep (TOML). Run: python -m planning sweep THIS_FILE --out DIR [--workers N]
#   [--scheduler tcp://HOST:PORT]. Rerun the same command to resume an interrupted sweep.
# Runs = every combination of the [grid] values x `runs` random draws. Draw k perturbs the
# data the same way at every grid point, so the grid's effects are compared on equal futures.

[sweep]
name = "National robustness sweep"
# base = "scenario.toml"   # a scenario file (relative to this file); omit for the default
country = "{country}"      # whose default scenario is the base when `base` is omitted
seed = 2026                # same seed, same draws, same results on any machine
runs = 4                   # random draws per grid point: 3 x 2 x 4 = 24 runs
time_limit_seconds = 60    # per run (each run uses one solver thread)
regret_plan = "base"       # plan evaluated under every run: "base" (the base scenario's
                           # plan) or "frequent" (sites most runs choose)

[base]                     # settings changed in the base scenario (any scenario setting)
objective = "max_coverage"

[grid]                     # scenario settings and the values to try
# capital budget (KZT): 1/6, 1/4 and 1/3 of the default whole-life budget. Not the
# whole-life budget: the released-cost credit (family_care.credit_released, on by default)
# brings the plans' running cost to zero, so that budget does not bind; capital costs do.
"budget.capex_kzt" = [{budgets}]
"travel.standard_minutes" = [45, 60]

[random]                   # +/- shares: each draw multiplies by a factor in [1-s, 1+s]
children = 0.10            # children per settlement (census-based estimates)
children_by = "settlement" # "settlement": one factor each; "unit": one per oblast
entry_rate = 0.20          # children in institutions when converted (entries to care vary)
capex = 0.20               # capital unit costs (ASSUMPTION figures in the scenario)
opex = 0.10                # running unit costs
"""


def example_sweep_toml(country: str = "KZ") -> str:
    """The example sweep for `country`, capital budgets scaled to its default scenario's
    whole-life budget (they bind on the bundled KZ data: 69-76 % coverage at 1/6)."""
    total = Scenario.default(country).budget.total_kzt or 0.0
    budgets = ", ".join(f"{round(total * f / 1e7) * 1e7:.0f}" for f in (1 / 6, 1 / 4, 1 / 3))
    return EXAMPLE.format(country=country.upper(), budgets=budgets)
