"""Sweep files: a base scenario, a grid of settings and seeded random draws, validated like a
scenario (every problem named by its field), and the runs they expand to.

A run is one grid point x one random draw. Draw `d` perturbs the data the same way at every
grid point (common random numbers), so differences between budgets or travel standards are
not blurred by different futures. Every draw comes from `numpy.random.default_rng([seed, d])`
alone, so a run's data is the same whichever process or machine computes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import tomllib
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np

from planning.scenario import Scenario, ScenarioError, build_dataclass, related_paths

MAX_RUNS = 10_000
"""Most runs one sweep may expand to (bounded time and memory for a mistyped grid)."""

SECTIONS = ("sweep", "base", "grid", "random")


class SweepError(ScenarioError):
    """A sweep file that cannot be used; `problems` lists (field path, message) pairs."""

    def __str__(self) -> str:
        head = f"invalid sweep{f' {self.source}' if self.source else ''}:"
        return "\n".join([head] + [f"  - {path}: {msg}" for path, msg in self.problems])


@dataclass
class SweepSettings:
    """The [sweep] table: name, base scenario file, seed, draws per grid point, limits."""

    name: str = "Sweep"
    base: str | None = None
    country: str = "KZ"
    seed: int = 0
    runs: int = 1
    time_limit_seconds: float = 60.0
    regret_plan: Literal["base", "frequent"] = "base"


@dataclass
class RandomDraws:
    """The [random] table: each figure is a +/- share; a draw multiplies by a factor drawn
    uniformly in [1 - share, 1 + share]."""

    children: float = 0.0
    children_by: Literal["settlement", "unit"] = "settlement"
    entry_rate: float = 0.0
    capex: float = 0.0
    opex: float = 0.0

    @property
    def any(self) -> bool:
        return any(v > 0 for v in (self.children, self.entry_rate, self.capex, self.opex))


@dataclass
class Run:
    """One run of a sweep: its id, grid point, draw and the grid settings it uses."""

    id: str
    point: int
    draw: int
    grid: dict[str, Any] = field(default_factory=dict)


@dataclass
class Sweep:
    """A validated sweep: settings, the resolved base scenario (as data), grid and draws."""

    settings: SweepSettings
    base: dict[str, Any]
    grid: dict[str, list[Any]]
    random: RandomDraws

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None,
                  folder: Path | None = None) -> Sweep:
        """Validate plain data; raise SweepError listing every problem. `folder` resolves a
        relative `sweep.base` file."""
        problems: list[tuple[str, str]] = []
        if not isinstance(data, dict):
            raise SweepError([("(file)", "a sweep must be a table of settings")], source)
        for key in data:
            if key not in SECTIONS:
                problems.append((key, f"unknown section; expected one of {', '.join(SECTIONS)}"))
        settings = build_dataclass(SweepSettings, data.get("sweep", {}), "sweep.", problems)
        rnd = build_dataclass(RandomDraws, data.get("random", {}), "random.", problems)
        base = _base_scenario(settings, data.get("base", {}), folder, problems)
        grid = _grid(data.get("grid", {}), base, problems) if base is not None else {}
        bad = {p for p, _ in problems}

        def need(ok: bool, path: str, msg: str) -> None:
            if not ok and not any(related_paths(path, b) for b in bad):
                problems.append((path, msg))

        need(settings.runs >= 1, "sweep.runs", "must be >= 1 (random draws per grid point)")
        need(settings.runs == 1 or rnd.any, "sweep.runs",
             "more than one run per grid point needs a [random] section with a share > 0")
        need(settings.time_limit_seconds > 0, "sweep.time_limit_seconds", "must be > 0")
        need(0 <= settings.seed < 2**63, "sweep.seed", "must be a whole number >= 0")
        need(bool(settings.name.strip()), "sweep.name", "must not be empty")
        for name in ("children", "entry_rate", "capex", "opex"):
            need(0 <= getattr(rnd, name) < 1, f"random.{name}",
                 "must be a share in [0, 1) (the +/- uncertainty)")
        points = math.prod(len(v) for v in grid.values()) if grid else 1
        need(points * max(settings.runs, 1) <= MAX_RUNS, "grid",
             f"{points} grid points x {settings.runs} runs exceeds {MAX_RUNS:,} runs")
        if problems:
            raise SweepError(problems, source)
        return cls(settings, base or {}, grid, rnd)

    @classmethod
    def from_toml(cls, text: str, source: str | None = None,
                  folder: Path | None = None) -> Sweep:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SweepError([("(file)", f"not valid TOML: {exc}")], source) from None
        return cls.from_dict(data, source, folder)

    @classmethod
    def from_file(cls, path: str | Path) -> Sweep:
        """Load a sweep TOML file (a relative `sweep.base` is read beside it)."""
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SweepError([("(file)", f"cannot read: {exc}")], str(p)) from None
        return cls.from_toml(text, str(p), p.parent)

    def to_dict(self) -> dict[str, Any]:
        """Self-contained plain data (the base scenario inline, no file reference)."""
        settings = {k: v for k, v in dataclasses.asdict(self.settings).items()
                    if v is not None and k != "base"}
        return {"sweep": settings, "base": self.base, "grid": self.grid,
                "random": dataclasses.asdict(self.random)}

    def digest(self) -> str:
        """Fingerprint of everything that decides the runs' results (resume safety)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    # -- runs ------------------------------------------------------------------------------
    @property
    def size(self) -> int:
        """Number of runs: grid points x draws per point."""
        return math.prod(len(v) for v in self.grid.values()) * self.settings.runs

    def run(self, k: int) -> Run:
        """Run number `k`: grid points in order (first axis slowest), `settings.runs` draws
        each (computed directly, so a 10,000-run sweep never lists its runs to find one)."""
        if not 0 <= k < self.size:
            raise KeyError(f"no run {k} in this sweep of {self.size}")
        point, draw = divmod(k, self.settings.runs)
        grid, rest = {}, point
        for axis in reversed(list(self.grid)):
            rest, i = divmod(rest, len(self.grid[axis]))
            grid[axis] = self.grid[axis][i]
        width = len(str(self.size - 1))
        return Run(f"r{k:0{width}d}", point, draw, {a: grid[a] for a in self.grid})

    def runs(self) -> list[Run]:
        """Every run in order."""
        return [self.run(k) for k in range(self.size)]

    def base_scenario(self) -> Scenario:
        """The base scenario as given (the 'base' plan of the regret table solves this)."""
        return self._scenario({})

    def run_scenario(self, run: Run) -> Scenario:
        """The scenario of one run: base + the run's grid settings + drawn unit costs; one
        solver thread and the sweep's time limit."""
        s = self._scenario(run.grid)
        f = self.factors(run.draw)
        for table, name in (("candidates", "capex_kzt"), ("conversion", "capex_kzt")):
            obj = getattr(s, table)
            setattr(obj, name, getattr(obj, name) * f["capex"])
        for table in ("candidates", "conversion", "existing"):
            obj = getattr(s, table)
            obj.opex_kzt_per_year = obj.opex_kzt_per_year * f["opex"]
        return s

    def _scenario(self, grid: dict[str, Any]) -> Scenario:
        data = json.loads(json.dumps(self.base))
        for path, value in grid.items():
            _set(data, path, value)
        s = Scenario.from_dict(data, source=f"sweep run {grid}" if grid else "sweep base")
        s.solver.threads = 1
        s.solver.time_limit_seconds = self.settings.time_limit_seconds
        return s

    def factors(self, draw: int) -> dict[str, float]:
        """The national factors of draw `draw` (1 for the base and for zero shares)."""
        r = self.random
        rng = np.random.default_rng([self.settings.seed, draw, 1])
        u = rng.uniform(-1.0, 1.0, size=3)
        return {"entry_rate": float(1 + r.entry_rate * u[0]),
                "capex": float(1 + r.capex * u[1]), "opex": float(1 + r.opex * u[2])}

    def children_factors(self, draw: int, settlement_units: np.ndarray,
                         unit_codes: list[str]) -> np.ndarray:
        """Factors for each settlement's children in draw `draw`: one per settlement, or one
        per unit (drawn in the order of the sorted `unit_codes`, so independent of row order
        of the units but not of the settlements' own order)."""
        r = self.random
        rng = np.random.default_rng([self.settings.seed, draw, 2])
        if r.children_by == "unit":
            per_unit = dict(zip(unit_codes, 1 + r.children * rng.uniform(-1, 1, len(unit_codes))))
            return np.array([per_unit.get(u, 1.0) for u in settlement_units], dtype=float)
        return 1 + r.children * rng.uniform(-1.0, 1.0, size=len(settlement_units))


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    """Set the dotted `path` in nested tables (a non-table on the way is replaced)."""
    keys = path.split(".")
    for k in keys[:-1]:
        if not isinstance(data.get(k), dict):
            data[k] = {}
        data = data[k]
    data[keys[-1]] = value


def _base_scenario(settings: SweepSettings, table: Any, folder: Path | None,
                   problems: list[tuple[str, str]]) -> dict[str, Any] | None:
    """The base scenario as validated plain data: the file `sweep.base` or the country's
    default, with the [base] table's settings on top."""
    if not isinstance(table, dict):
        problems.append(("base", "must be a table of scenario settings"))
        return None
    if settings.base:
        path = Path(settings.base)
        if not path.is_absolute() and folder is not None:
            path = folder / path
        try:
            data = Scenario.from_file(path).to_dict()
        except ScenarioError as exc:
            problems.extend((f"sweep.base ({p})", m) for p, m in exc.problems)
            return None
    else:
        try:
            data = Scenario.default(settings.country).to_dict()
        except ScenarioError:
            problems.append(("sweep.country", "must be a country code such as KZ"))
            return None
    data = _merge(data, table)
    try:
        return Scenario.from_dict(data).to_dict()
    except ScenarioError as exc:
        problems.extend((f"base.{p}", m) for p, m in exc.problems)
        return None


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _grid(table: Any, base: dict[str, Any], problems: list[tuple[str, str]]
          ) -> dict[str, list[Any]]:
    """Grid axes as {"budget.total_kzt": [values]}, each value checked on the base scenario."""
    if not isinstance(table, dict):
        problems.append(("grid", "must be a table of scenario settings and value lists"))
        return {}
    axes: dict[str, list[Any]] = {}
    nested: dict[str, Any] = {}
    for key, value in table.items():  # a quoted "budget.total_kzt" = [...] nests too
        _set(nested, key, value)
    _grid_walk(Scenario, nested, "", axes, problems)
    for path, values in axes.items():
        for k, value in enumerate(values):
            data = json.loads(json.dumps(base))
            _set(data, path, value)
            try:
                Scenario.from_dict(data)
            except ScenarioError as exc:
                for p, m in exc.problems:
                    where = f"grid.{path}[{k + 1}]"
                    problems.append((where, m if p == path else f"makes {p} invalid: {m}"))
    return axes


def _grid_walk(cls: type, table: dict[str, Any], prefix: str, axes: dict[str, list[Any]],
               problems: list[tuple[str, str]]) -> None:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key, value in table.items():
        path = f"{prefix}{key}"
        if key not in known:
            problems.append((f"grid.{path}", ("unknown scenario setting; expected one of "
                                              f"{', '.join(sorted(known))}")))
            continue
        tp = hints[key]
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            if not isinstance(value, dict):
                problems.append((f"grid.{path}", "must be a table of settings"))
            else:
                _grid_walk(tp, value, f"{path}.", axes, problems)
        elif not isinstance(value, list) or not value:
            problems.append((f"grid.{path}", "must be a non-empty list of values to try"))
        else:
            axes[path] = value
