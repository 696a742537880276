"""`python -m planning example | solve` run as a user runs them (a subprocess), on the real
bundled data with a small region: the files, their contents cross-checked against each other
and the data, and the exit codes (0 plan, 2 bad scenario, 3 infeasible with the reason)."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest

from geo.layers import load_settlements
from planning.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
REGION = '["KZ-59", "KZ-62"]'
SUMMARY_KEYS = {"status", "objective", "gap", "solver", "build_seconds", "solve_seconds",
                "children_total", "children_covered", "coverage_pct", "cost_capex",
                "cost_opex", "budget", "travel_minutes_standard", "opened", "converted",
                "by_unit"}


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "planning", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def example() -> str:
    run = cli("example")
    assert run.returncode == 0, run.stderr
    return run.stdout


def set_line(text: str, section: str | None, line: str) -> str:
    """Set `key = value` (from `line`) in [section] (None: the top level) of a TOML text,
    replacing the key's line there or adding it under the header."""
    key = line.split(" = ")[0]
    lines = text.splitlines()
    start = lines.index(f"[{section}]") + 1 if section else 0
    end = next((k for k in range(start, len(lines)) if lines[k].startswith("[")), len(lines))
    hit = [k for k in range(start, end) if lines[k].startswith(f"{key} = ")]
    if hit:
        lines[hit[0]] = line
    else:
        lines.insert(start if section else end, line)
    return "\n".join(lines) + "\n"


def scenario_file(tmp: Path, text: str, name: str = "s.toml", **sections: str) -> Path:
    """The example limited to the small region, with `sections` (section -> one TOML line)
    set."""
    text = set_line(text, "region", f"units = {REGION}")
    for section, line in sections.items():
        text = set_line(text, section, line)
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_parses_to_the_default_and_round_trips(example: str) -> None:
    assert example.lstrip().startswith("#")           # commented
    assert example.count("#") > 40                    # every setting explained
    s = Scenario.from_toml(example)
    assert s == Scenario.default()
    assert Scenario.from_toml(s.to_toml()) == s
    assert Scenario.from_json(s.to_json()) == s
    assert "zakon.kz" in example and "ASSUMPTION" in example  # sources and assumptions


@pytest.fixture(scope="module")
def solved(tmp_path_factory, example: str) -> tuple[Path, subprocess.CompletedProcess]:
    tmp = tmp_path_factory.mktemp("cli")
    path = scenario_file(tmp, example, sites='must_open = ["demo-inst-064"]')  # a home
    run = cli("solve", str(path), "--out", str(tmp / "out"), "--map")
    return tmp / "out", run


def test_solve_writes_every_file(solved) -> None:
    out, run = solved
    assert run.returncode == 0, run.stderr
    assert "Children covered" in run.stdout and "Status: optimal" in run.stdout
    for name in ("summary.json", "sites.geojson", "assignments.csv", "gaps.geojson",
                 "conversions.csv", "map.html", "report.html", "scenario.toml"):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] == "optimal" and summary["solver"] == "highs"
    assert set(summary["by_unit"]) == {"KZ-59", "KZ-62"}
    for unit in summary["by_unit"].values():
        assert {"children", "covered", "coverage_pct"} <= set(unit)
    html = (out / "map.html").read_text()
    assert "leaflet" in html.lower() and summary["scenario"] in html
    assert html.count("L.map(") == 1, "the map is in the file once"
    report = (out / "report.html").read_text()
    assert summary["scenario"] in report and "Demo data" in report
    assert "<script" not in report.lower()
    # the parameters used are saved beside the results, losslessly
    assert Scenario.from_file(out / "scenario.toml").to_dict() == summary["parameters"]


def test_solve_files_agree(solved) -> None:
    out, _ = solved
    summary = json.loads((out / "summary.json").read_text())
    sites = gpd.read_file(out / "sites.geojson")
    gaps = gpd.read_file(out / "gaps.geojson")
    with open(out / "assignments.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["settlement_id", "centre_id", "minutes"]
    settlements = load_settlements("KZ")
    region = settlements[settlements["unit_2022"].isin(["KZ-59", "KZ-62"])]
    assert {r["settlement_id"] for r in rows} == set(region["settlement_id"])
    assert set(sites["decision"]) <= {"open", "convert", "existing"}
    assert {"open", "convert", "existing"} <= set(sites["decision"])
    assert sorted(sites.loc[sites["decision"] == "open", "site_id"]) == summary["opened"]
    assert sorted(sites.loc[sites["decision"] == "convert", "site_id"]) == summary["converted"]
    assert "demo-inst-064" in summary["converted"]  # must-open
    # every assignment is to a site in sites.geojson, within the cut-off
    centres = {r["centre_id"] for r in rows if r["centre_id"]}
    assert centres <= set(sites["site_id"])
    assert all(float(r["minutes"]) <= summary["travel_minutes_standard"] + 0.01
               for r in rows if r["centre_id"])
    covered = summary["children_covered"]
    assert sites["children_served"].sum() == pytest.approx(covered, abs=0.1 * len(sites))
    assert summary["children_total"] == pytest.approx(float(region["children"].sum()))
    assert summary["children_total"] - gaps["children_uncovered"].sum() == \
        pytest.approx(covered, abs=0.5 * len(region))
    assert summary["coverage_pct"] == pytest.approx(100 * covered / summary["children_total"],
                                                    abs=1e-3)
    assert sum(u["covered"] for u in summary["by_unit"].values()) == pytest.approx(covered,
                                                                                  abs=0.2)
    capex = (sites["capex"] * sites["centres"]).sum()
    assert summary["cost_capex"] == pytest.approx(capex)
    assert (sites["children_served"] <= sites["capacity"] * sites["centres"] + 0.05).all()


def test_uncapacitated_coverage_is_the_children_assigned_within_the_standard(
        tmp_path: Path, example: str) -> None:
    path = scenario_file(tmp_path, example, capacity="enabled = false")
    run = cli("solve", str(path), "--out", str(tmp_path / "out"), "--json")
    assert run.returncode == 0, run.stderr
    out = tmp_path / "out"
    assert not (out / "map.html").exists(), "map.html is written only with --map"
    summary = json.loads((out / "summary.json").read_text())
    assert json.loads(run.stdout) == summary  # --json prints exactly the summary written
    assert (out / "assignments.csv").read_bytes().startswith("\ufeff".encode())  # BOM: Excel
    with open(out / "assignments.csv", newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    children = load_settlements("KZ").set_index("settlement_id")["children"]
    within = sum(float(children[r["settlement_id"]]) for r in rows
                 if r["centre_id"] and float(r["minutes"]) <= summary["travel_minutes_standard"])
    assert summary["children_covered"] == pytest.approx(within, abs=0.1)
    assert 0 < within < summary["children_total"]


@pytest.mark.parametrize("line,field", [
    ('objective = "max_cover"', "objective"),
    ("total_kzt = -5.0", "budget.total_kzt"),
    ('country = "RU"', "country"),
    ('units = ["KZ-99"]', "region.units"),
    ('units = ["Astana"]', "region.units"),
    ("boundary_version = 2015", "boundary_version"),
    ("standard_minutes = \"sixty\"", "travel.standard_minutes"),
    ("speeed_kmh = 50", "travel.speeed_kmh"),
])
def test_bad_scenario_exits_2_naming_the_field(tmp_path: Path, example: str, line: str,
                                               field: str) -> None:
    section = field.split(".")[0] if "." in field else None
    text = set_line(set_line(example, "region", f"units = {REGION}"), section, line)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    run = cli("solve", str(path), "--out", str(tmp_path / "out"))
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert field in run.stderr and "bad.toml" in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()


def test_unreadable_and_broken_files_exit_2(tmp_path: Path) -> None:
    run = cli("solve", str(tmp_path / "missing.toml"), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and "missing.toml" in run.stderr
    broken = tmp_path / "broken.toml"
    broken.write_text('objective = "max_coverage\n', encoding="utf-8")
    run = cli("solve", str(broken), "--out", str(tmp_path / "out"))
    assert run.returncode == 2 and "not valid TOML" in run.stderr
    assert "Traceback" not in run.stderr


def test_must_open_site_that_is_not_a_candidate_exits_3(tmp_path: Path, example: str) -> None:
    # Astana is a real settlement, but outside the region
    path = scenario_file(tmp_path, example, sites='must_open = ["gn:1526273"]')
    run = cli("solve", str(path), "--out", str(tmp_path / "out"))
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert "INFEASIBLE" in run.stderr and "gn:1526273" in run.stderr
    assert "not candidates" in run.stderr
    assert not (tmp_path / "out").exists()


def test_budget_below_the_equity_rule_exits_3_with_the_cheapest_cost(
        tmp_path: Path, example: str) -> None:
    text = set_line(example, "budget", "total_kzt = 100000000.0")
    path = scenario_file(tmp_path, text, equity="min_unit_coverage = 0.6",
                         existing="keep = false",  # gross prices: paying conversions would fit
                         family_care="credit_released = false")
    run = cli("solve", str(path), "--out", str(tmp_path / "out"))
    assert run.returncode == 3, (run.stdout, run.stderr)
    assert "equity rule" in run.stderr
    match = re.search(r"which costs ([\d,.]+) (m|bn) KZT", run.stderr)
    assert match, run.stderr
    cost = float(match.group(1).replace(",", "")) * (1e6 if match.group(2) == "m" else 1e9)
    assert cost > 100e6
    assert "100.0 m KZT" in run.stderr


def test_example_for_another_country_and_bad_arguments() -> None:
    run = cli("example", "--country", "KG")
    assert run.returncode == 0 and Scenario.from_toml(run.stdout).country == "KG"
    run = cli("solve")
    assert run.returncode == 2 and "usage" in run.stderr
