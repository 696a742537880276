"""Sweeps on the bundled data: validation naming fields, seeded draws, the CLI's files and their
agreement, regret checked by an independent max-flow computation, and a killed sweep resumed
with no run lost or duplicated."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from planning.instance import build_instance
from planning.scenario import Scenario
from planning.sweep_compare import compare_records
from planning.sweep_example import example_sweep_toml
from planning.sweep_exec import execute
from planning.sweep_results import evaluate_plan, plan_coverage, write_outputs
from planning.sweep_run import BASE_ID, run_data, solve_run
from planning.sweep_spec import Sweep, SweepError

ROOT = Path(__file__).resolve().parent.parent

# Two oblasts (Akmola, North Kazakhstan), budgets that bind, 3 x 2 grid x 2 draws = 12 runs
SMALL = """
[sweep]
name = "Two oblasts"
seed = 11
runs = 2
regret_plan = "{plan}"

[base]
region.units = ["KZ-11", "KZ-59"]
budget.total_kzt = 2.0e9
family_care.credit_released = false  # released running costs would unbind the budgets

[grid]
"budget.total_kzt" = [1.6e9, 2.0e9, 2.6e9]
travel.standard_minutes = [45, 60]

[random]
children = 0.15
entry_rate = 0.3
capex = 0.2
opex = 0.1
"""


# The same with the released-cost credit on (the default): conversions can pay for themselves,
# so the total budget is slack; the capital budget, which the credit does not reduce, binds.
SMALL_CREDIT = SMALL.replace(
    "family_care.credit_released = false  # released running costs would unbind the budgets\n",
    "").replace('"budget.total_kzt" = [1.6e9, 2.0e9, 2.6e9]',
                '"budget.capex_kzt" = [0.4e9, 0.8e9, 1.6e9]')
assert SMALL_CREDIT.count("credit_released") == 0 and "capex_kzt" in SMALL_CREDIT


def small(plan: str = "base") -> Sweep:
    return Sweep.from_toml(SMALL.format(plan=plan))


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planning", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False, **kw)


# -- the sweep file ------------------------------------------------------------------------

def test_bad_sweep_names_every_field():
    bad = """
[sweep]
runs = 0
seed = -1
regret_plan = "best"
bogus = 1
[base]
travel.speed_kmh = -3
[grid]
budget.total_kzt = [-5, "a"]
travel.speeed = [1]
capacity = 3
"travel.standard_minutes" = []
"equity.min_unit_coverage" = 0.5
[random]
children = 1.5
children_by = "oblast"
[other]
"""
    with pytest.raises(SweepError) as err:
        Sweep.from_toml(bad, "bad.toml")
    paths = {p for p, _ in err.value.problems}
    assert {"other", "sweep.bogus", "sweep.regret_plan", "sweep.runs", "sweep.seed",
            "base.travel.speed_kmh", "random.children", "random.children_by"} <= paths
    assert "bad.toml" in str(err.value)
    # the base is invalid, so the grid is not checked against it; with a good base it is
    fixed = bad.replace("travel.speed_kmh = -3", "")
    with pytest.raises(SweepError) as err:
        Sweep.from_toml(fixed)
    paths = {p for p, _ in err.value.problems}
    assert {"grid.budget.total_kzt[1]", "grid.budget.total_kzt[2]", "grid.travel.speeed",
            "grid.capacity", "grid.travel.standard_minutes",
            "grid.equity.min_unit_coverage"} <= paths
    msgs = dict(err.value.problems)
    assert msgs["grid.budget.total_kzt[1]"] == "must be >= 0"
    assert "list" in msgs["grid.equity.min_unit_coverage"]


def test_grid_value_breaking_another_setting_is_named_and_limits_hold():
    with pytest.raises(SweepError) as err:
        Sweep.from_toml('[base]\ntravel.cutoff_minutes = 90\n'
                        '[grid]\n"travel.standard_minutes" = [60, 120]\n')
    assert err.value.problems == [("grid.travel.standard_minutes[2]",
                                   ("makes travel.cutoff_minutes invalid: must be at least "
                                    "the travel standard"))]
    with pytest.raises(SweepError) as err:  # bounded: a mistyped grid is refused at once
        Sweep.from_toml('[sweep]\nruns = 50\n[random]\nchildren = 0.1\n[grid]\n'
                        f'"budget.total_kzt" = {list(range(1, 300))}\n')
    assert err.value.problems[0][0] == "grid"
    with pytest.raises(SweepError) as err:
        Sweep.from_toml("[sweep]\nruns = 3\n")
    assert err.value.problems[0][0] == "sweep.runs"


def test_base_file_is_read_beside_the_sweep(tmp_path):
    s = Scenario.default("KZ")
    s.budget.total_kzt = None  # unlimited: must stay unlimited, not fall back to the default
    s.region.units = ["KZ-59"]
    s.save(tmp_path / "base.toml")
    (tmp_path / "sweep.toml").write_text('[sweep]\nbase = "base.toml"\n')
    sweep = Sweep.from_file(tmp_path / "sweep.toml")
    assert sweep.base_scenario().budget.total_kzt is None
    assert sweep.base_scenario().region.units == ["KZ-59"]
    (tmp_path / "sweep.toml").write_text('[sweep]\nbase = "missing.toml"\n')
    with pytest.raises(SweepError) as err:
        Sweep.from_file(tmp_path / "sweep.toml")
    assert err.value.problems[0][0].startswith("sweep.base")


def test_example_sweep_is_24_national_runs_around_the_default():
    sweep = Sweep.from_toml(example_sweep_toml("KZ"))
    runs = sweep.runs()
    assert len(runs) == 24 and len({r.id for r in runs}) == 24
    default = Scenario.default("KZ")
    capex = sweep.grid["budget.capex_kzt"]  # the credit leaves the whole-life budget slack
    assert capex == sorted(capex) and capex[-1] < default.budget.total_kzt
    assert sweep.base_scenario().region.units == []  # national
    s = sweep.run_scenario(runs[5])
    assert s.solver.threads == 1
    assert s.budget.capex_kzt == runs[5].grid["budget.capex_kzt"]
    assert s.budget.total_kzt == default.budget.total_kzt


def test_example_cli_prints_the_sweep():
    proc = _cli("example", "--sweep")
    assert proc.returncode == 0
    assert proc.stdout == example_sweep_toml("KZ")


# -- draws -----------------------------------------------------------------------------------

def test_draws_are_seeded_shared_across_grid_points_and_within_bounds():
    sweep = small()
    runs = sweep.runs()
    a, b = runs[0], runs[2]  # same draw (0), different grid point
    assert a.draw == b.draw == 0 and a.grid != b.grid
    _, la = run_data(sweep, a)
    _, lb = run_data(sweep, b)
    _, lc = run_data(sweep, runs[1])  # draw 1
    assert la.settlements["children"].equals(lb.settlements["children"])
    assert not la.settlements["children"].equals(lc.settlements["children"])
    _, base = run_data(sweep, None)
    orig = base.settlements["children"].to_numpy(float)
    drawn = la.settlements["children"].to_numpy(float)
    ok = orig > 100
    ratio = drawn[ok] / orig[ok]
    assert ratio.min() >= 0.85 - 0.01 and ratio.max() <= 1.15 + 0.01
    assert np.all(drawn == np.round(drawn))  # whole children
    f = sweep.factors(0)
    assert 0.7 <= f["entry_rate"] <= 1.3 and 0.8 <= f["capex"] <= 1.2
    inst = base.institutions["children"].to_numpy(float)
    assert np.allclose(la.institutions["children"], np.round(inst * f["entry_rate"]))
    s = sweep.run_scenario(a)
    assert s.candidates.capex_kzt == pytest.approx(60e6 * f["capex"])
    assert s.existing.opex_kzt_per_year == pytest.approx(24e6 * f["opex"])
    # the same sweep parsed again gives the same draws; another seed does not
    again = small()
    assert again.factors(1) == sweep.factors(1)
    other = Sweep.from_toml(SMALL.format(plan="base").replace("seed = 11", "seed = 12"))
    assert other.factors(1) != sweep.factors(1)


def test_children_by_unit_draws_one_factor_per_unit():
    sweep = Sweep.from_toml(SMALL.format(plan="base").replace(
        "children = 0.15", 'children = 0.15\nchildren_by = "unit"'))
    _, base = run_data(sweep, None)
    _, drawn = run_data(sweep, sweep.runs()[0])
    s, d = base.settlements, drawn.settlements
    big = s["children"] > 2000
    ratio = (d["children"][big] / s["children"][big]).groupby(s["unit_code"][big])
    assert (ratio.max() - ratio.min()).max() < 1e-3  # one factor per unit (up to rounding)
    assert ratio.mean().nunique() > 1


# -- regret: independent evaluation -------------------------------------------------------

def _maxflow_coverage(inst, counts: dict[str, int]) -> float:
    """Children a plan covers, by max flow (networkx) on source -> settlement -> centre ->
    sink, with whole-children capacities: an algorithm independent of the LP evaluator."""
    g = nx.DiGraph()
    y = {j: counts.get(str(sid), 0) for j, sid in enumerate(inst.site_ids)}
    for i, w in enumerate(inst.weights):
        if w > 0:
            g.add_edge("s", ("i", i), capacity=int(w))
    for r, c, m in zip(inst.rows, inst.cols, inst.minutes):
        if m <= inst.standard + 1e-9 and y[c] > 0 and inst.weights[r] > 0:
            g.add_edge(("i", int(r)), ("j", int(c)))  # no capacity attribute = unbounded
    for j, n in y.items():
        if n > 0:
            cap = inst.capacity[j]
            g.add_edge(("j", j), "t", **({} if np.isinf(cap) else {"capacity": int(cap * n)}))
    if "s" not in g or "t" not in g:
        return 0.0
    return float(nx.maximum_flow_value(g, "s", "t"))


@pytest.mark.parametrize("capacitated", [True, False])
def test_plan_coverage_equals_max_flow_on_real_data(capacitated):
    sweep = small()
    rng = np.random.default_rng(5)
    for run in sweep.runs()[:4]:
        scenario, layers = run_data(sweep, run)
        scenario.capacity.enabled = capacitated
        scenario.capacity.social_workers = 1  # 5,000 children: capacity binds in cities
        inst = build_instance(layers, scenario)
        for _ in range(3):
            pick = rng.random(inst.m) < 0.3
            plan = {str(s): 1 for s in inst.site_ids[pick]}
            assert plan_coverage(inst, plan) == pytest.approx(_maxflow_coverage(inst, plan),
                                                              abs=1e-6)
        if not capacitated:  # uncapacitated: the children within the standard of a site
            plan = {str(s): 1 for s in inst.site_ids}
            assert plan_coverage(inst, plan) == pytest.approx(
                inst.weights[inst.reachable()].sum())


@pytest.fixture(scope="module")
def sequential(tmp_path_factory):
    """The small sweep solved in this process, one run after another (the reference)."""
    out = tmp_path_factory.mktemp("seq")
    sweep = small("frequent")
    records = execute(sweep, out, workers=1)
    write_outputs(sweep, records, out)
    return sweep, records, out


@pytest.fixture(scope="module")
def sequential_credit(tmp_path_factory):
    """The small sweep with the released-cost credit on and binding capital budgets."""
    out = tmp_path_factory.mktemp("seqc")
    sweep = Sweep.from_toml(SMALL_CREDIT.format(plan="frequent"))
    records = execute(sweep, out, workers=1)
    write_outputs(sweep, records, out)
    return sweep, records, out


def _independent_costs(inst, scenario, counts: dict[str, int]) -> tuple[float, float, float]:
    """(capex, annual running cost as budgets count it, whole-life cost) of a plan, written
    out from the rules in docs/planning.md: gross running costs less, when the credit is on,
    (institution cost per child - family cost per child) for every child a conversion moves,
    plus the carers of the professional foster families each unit must recruit beyond its
    spare places, never below zero."""
    y = np.array([counts.get(str(s), 0) for s in inst.site_ids], dtype=float)
    fc, h = scenario.family_care, scenario.budget.horizon_years
    conv = (inst.site_kind == "convert") & (y > 0)
    credit = (fc.institution_kzt_per_child_year - 12 * fc.child_kzt_per_month
              if fc.enabled and fc.credit_released else 0.0)
    opex = float((y * inst.opex).sum()) - credit * float(inst.site_children[conv].sum())
    if fc.enabled:
        for u in set(inst.site_unit[conv & (inst.site_children > 0)]):
            moved = float(inst.site_children[conv & (inst.site_unit == u)].sum())
            families = np.ceil(max(0.0, moved - float(inst.family_spare[u]))
                               / fc.professional_family_children - 1e-9)
            opex += families * 12 * fc.carer_kzt_per_month
    opex = max(0.0, opex)  # released money offsets running costs, never pays for buildings
    capex = float((y * inst.capex).sum())
    return capex, opex, capex + h * opex


@pytest.mark.parametrize("fixture", ["sequential", "sequential_credit"])
def test_sweep_outputs_agree_with_runs_and_an_independent_regret(fixture, request):
    sweep, records, out = request.getfixturevalue(fixture)
    axis = next(k for k in sweep.grid if k.startswith("budget."))
    runs = pd.read_csv(out / "runs.csv")
    assert list(runs["run"]) == [r.id for r in sweep.runs()]
    assert set(runs["status"]) == {"optimal"} and not runs["time_limited"].any()
    assert runs["demo_data"].all()  # the bundled facilities are demo records: said so
    # coverage falls with a smaller budget (the budgets bind) and a shorter standard
    for d in (0, 1):
        one = runs[(runs["draw"] == d) & (runs["grid.travel.standard_minutes"] == 60)]
        cov = one.sort_values(f"grid.{axis}")["coverage_pct"]
        assert cov.is_monotonic_increasing and cov.iloc[0] < cov.iloc[-1]
    spent = {"budget.total_kzt": "cost_whole_life", "budget.capex_kzt": "cost_capex"}[axis]
    assert (runs[spent] <= runs[f"grid.{axis}"] + 1e-3).all()
    if fixture == "sequential_credit":  # the credit is in play: some plans convert and gain
        net = runs["cost_capex"] + 5 * runs["cost_opex"] - runs["cost_whole_life"]
        assert (net > 1e6).any()

    regret = pd.read_csv(out / "regret.csv")
    plan_sites = {}
    ok = [records[r.id] for r in sweep.runs()]
    for site in {s for r in ok for s in r["sites"]}:
        chosen = sum(site in r["sites"] for r in ok)
        if 2 * chosen > len(ok):
            plan_sites[site] = 1
    assert plan_sites, "some sites are chosen by most runs"
    assert len(regret) == 12
    for row in regret.itertuples():
        run = next(r for r in sweep.runs() if r.id == row.run)
        scenario, layers = run_data(sweep, run)
        inst = build_instance(layers, scenario)
        flow = _maxflow_coverage(inst, plan_sites)
        assert row.plan_covered == pytest.approx(flow, abs=0.1)
        assert row.children_lost == pytest.approx(records[row.run]["children_covered"] - flow,
                                                  abs=0.2)
        capex, opex, whole = _independent_costs(inst, scenario, plan_sites)
        assert row.plan_cost_capex == pytest.approx(capex, rel=1e-9)
        assert row.plan_cost_opex_net == pytest.approx(opex, rel=1e-9, abs=1e-3)
        assert row.plan_cost_whole_life == pytest.approx(whole, rel=1e-9, abs=1e-3)
        b = scenario.budget
        assert row.plan_within_budget == all(
            lim is None or v <= lim for v, lim in ((whole, b.total_kzt), (capex, b.capex_kzt),
                                                   (opex, b.opex_kzt_per_year)))
        # the run's own optimal plan evaluated on its own data reproduces its coverage and
        # costs (the model's objective) and keeps within its budgets
        own = evaluate_plan(inst, scenario, records[row.run]["sites"])
        assert own.covered == pytest.approx(records[row.run]["children_covered"], abs=0.5)
        assert plan_coverage(inst, records[row.run]["sites"]) == pytest.approx(
            _maxflow_coverage(inst, records[row.run]["sites"]), abs=1e-6)
        assert own.capex == pytest.approx(records[row.run]["cost_capex"], rel=1e-9)
        assert own.whole_life == pytest.approx(records[row.run]["cost_whole_life"], rel=1e-9)
        assert (own.capex, own.opex, own.whole_life) == pytest.approx(
            _independent_costs(inst, scenario, records[row.run]["sites"]), rel=1e-9)
        assert own.within_budget
    assert regret["children_lost"].max() > 0  # a fixed plan does lose children somewhere

    robust = json.loads((out / "robust_sites.geojson").read_text())
    props = pd.DataFrame([f["properties"] for f in robust["features"]])
    counts = pd.Series([s for r in ok for s in r["sites"]]).value_counts()
    for sid, n in counts.items():
        row = props[props["site_id"] == sid].iloc[0]
        assert row["runs_chosen"] == n and row["share_chosen"] == pytest.approx(n / 12, abs=1e-4)
    existing = props[props["kind"] == "existing"]
    assert (existing["share_chosen"] == 1).all()  # kept centres are in every plan
    assert "children_in_care" not in props.columns
    summary = json.loads((out / "summary.json").read_text())
    assert summary["runs"] == 12 and summary["succeeded"] == 12 and summary["demo_data"]
    assert summary["regret_plan"]["sites"] == len(plan_sites)
    assert summary["time_limited"] == 0


def test_failed_runs_are_recorded_and_the_sweep_goes_on(tmp_path):
    """A budget below the kept centres' cost is infeasible; a 1e-9 s time limit stops the
    solver before any plan. Both are recorded with a reason; the other runs still solve."""
    text = SMALL.format(plan="base").replace("[1.6e9, 2.0e9, 2.6e9]", "[1e8, 2.0e9]")
    (tmp_path / "s.toml").write_text(text)
    proc = _cli("sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out"),
                "--workers", "2")
    assert proc.returncode == 1, proc.stderr
    runs = pd.read_csv(tmp_path / "out" / "runs.csv")
    bad = runs[runs["grid.budget.total_kzt"] == 1e8]
    assert set(bad["status"]) == {"infeasible"}
    assert bad["reason"].str.contains("above the budget").all()
    assert set(runs[runs["grid.budget.total_kzt"] == 2.0e9]["status"]) == {"optimal"}
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert len(summary["failed"]) == 4 and summary["succeeded"] == 4
    # the base scenario (1.5 bn) is not solved by presolve alone: no plan within 1e-9 s
    record = solve_run(Sweep.from_toml(text.replace("[sweep]",
                                                    "[sweep]\ntime_limit_seconds = 1e-9")),
                       BASE_ID)
    assert record["status"] == "time_limit" and record["sites"] == {}
    assert record["reason"] == "solver time limit of 1e-09 s reached before any plan"
    proven = solve_run(Sweep.from_toml(text), BASE_ID)
    assert record["time_limited"] and not proven["time_limited"]
    # comparing executions: a time-limited run is reported apart, not as a difference
    verdict = compare_records({BASE_ID: proven}, {BASE_ID: record})
    assert verdict.ok and [u["run"] for u in verdict.unproven] == [BASE_ID]
    assert not runs["time_limited"].any()


def test_worker_errors_are_retried_on_restart_and_no_scheduler_exits_5(tmp_path):
    sweep = Sweep.from_toml(SMALL.format(plan="base").replace("runs = 2", "runs = 1")
                            .replace("[1.6e9, 2.0e9, 2.6e9]", "[2.0e9]"))
    from planning.sweep_run import RunStore

    store = RunStore(tmp_path / "out", sweep)
    store.claim(sweep)
    lost = {"run": "r0", "sweep": sweep.digest(), "status": "worker_error",
            "reason": "worker failed: KilledWorker", "sites": {}}
    infeasible = {**lost, "run": "r1", "status": "infeasible", "reason": "kept"}
    store.write(lost)
    store.write(infeasible)
    records = execute(sweep, tmp_path / "out", workers=1)
    assert records["r0"]["status"] == "optimal"  # the lost run was solved again
    assert records["r1"] == infeasible  # a run's own outcome is kept
    (tmp_path / "s.toml").write_text(SMALL.format(plan="base"))
    proc = _cli("sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "o2"),
                env={**os.environ, "OTBASY_DASK_SCHEDULER": "tcp://127.0.0.1:9"})
    assert proc.returncode == 5 and "cannot run the sweep" in proc.stderr


def test_other_sweep_in_the_folder_is_refused(tmp_path, sequential):
    sweep, _, out = sequential
    other = Sweep.from_toml(SMALL.format(plan="base"))
    proc_dir = tmp_path / "x"
    proc_dir.mkdir()
    (proc_dir / "s.toml").write_text(SMALL.format(plan="base"))
    proc = _cli("sweep", str(proc_dir / "s.toml"), "--out", str(out))
    assert proc.returncode == 2 and "--out" in proc.stderr
    assert other.digest() != sweep.digest()


def test_bad_sweep_file_exits_2_naming_the_field(tmp_path):
    (tmp_path / "s.toml").write_text('[grid]\n"budget.total_kzt" = [-1]\n')
    proc = _cli("sweep", str(tmp_path / "s.toml"), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "grid.budget.total_kzt[1]: must be >= 0" in proc.stderr
    assert not (tmp_path / "out").exists()


# -- interruption ----------------------------------------------------------------------------

def test_killed_sweep_resumes_without_losing_or_duplicating_runs(tmp_path, sequential):
    sweep_ref, records_ref, _ = sequential
    (tmp_path / "s.toml").write_text(SMALL.format(plan="frequent"))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "planning", "sweep", str(tmp_path / "s.toml"), "--out",
           str(out), "--workers", "1"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 300
    while len(list((out / "runs").glob("r*.json"))) < 4:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    def stored() -> dict[str, int]:  # whole records (a killed write leaves only a .tmp)
        return {p.stem: p.stat().st_mtime_ns for p in (out / "runs").glob("*.json")
                if not p.name.startswith(".")}

    before = stored()
    assert 4 <= len(before) < 13, "killed mid-way"
    assert not (out / "summary.json").exists()

    done = _cli("sweep", str(tmp_path / "s.toml"), "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    after = stored()
    assert set(after) == {BASE_ID} | {r.id for r in sweep_ref.runs()}
    assert all(after[k] == v for k, v in before.items()), "finished runs were not redone"
    assert not list((out / "runs").glob(".*")), "no temporary files left"
    runs = pd.read_csv(out / "runs.csv")
    assert sorted(runs["run"]) == sorted(r.id for r in sweep_ref.runs())  # each once
    for rid, ref in records_ref.items():
        rec = json.loads((out / "runs" / f"{rid}.json").read_text())
        for key in ("status", "children_covered", "coverage_pct", "cost_whole_life", "sites"):
            assert rec[key] == ref[key], (rid, key)


def test_ctrl_c_stops_a_pool_sweep_cleanly_and_a_rerun_finishes_it(tmp_path, sequential):
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) during a pooled sweep:
    exit 130 with a one-line message, whole records only, and the rerun completes."""
    _, records_ref, _ = sequential
    (tmp_path / "s.toml").write_text(SMALL.format(plan="frequent"))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "planning", "sweep", str(tmp_path / "s.toml"),
                             "--out", str(out), "--workers", "2"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.time() + 300
    while len(list((out / "runs").glob("*.json"))) < 3:
        assert proc.poll() is None and time.time() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again" in err.splitlines()[-1]
    stored = {p.stem for p in (out / "runs").glob("*.json")}
    assert 3 <= len(stored) < 13 and not (out / "summary.json").exists()
    done = _cli("sweep", str(tmp_path / "s.toml"), "--out", str(out), "--workers", "2")
    assert done.returncode == 0, done.stderr
    for rid, ref in records_ref.items():
        rec = json.loads((out / "runs" / f"{rid}.json").read_text())
        assert compare_records({rid: ref}, {rid: rec}).identical == [rid]
