"""Planning scenarios: a typed, validated spec loaded from TOML or JSON and saved losslessly.

A scenario says what to optimise (objective), where (country, boundary version, units), the
travel standard, the money (budget, costs), which sites may be used, the centre capacity, the
equity rule and the family-care transition for converted institutions. Every figure a planner
can change lives here, so a saved scenario is a complete log of an analysis's parameters.

Defaults come from published figures (see `docs/planning.md` and the comments printed by
`python -m planning example`); costs are in KZT.
"""

from __future__ import annotations

import json
import math
import tomllib
import types
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import tomli_w

from geo import graph_store
from geo.atomic import atomic_write_text
from geo.limits import limits, truncate
from geo.schema import COUNTRIES, INSTITUTION_TYPES, LEVELS
from geo.units import code_level

Objective = Literal["max_coverage", "min_travel", "min_cost", "max_min_coverage"]
OBJECTIVES: tuple[str, ...] = typing.get_args(Objective)
CandidateMode = Literal["all_settlements", "min_population", "list"]
SolverName = Literal["highs", "cbc"]

MCI_2025_KZT = 3932.0
"""Monthly calculation index (MCI) for 2025; professional foster family pay is set in MCI."""


MAX_SHOWN = 20  # problems listed in a message; a hostile file can have thousands


class ScenarioError(ValueError):
    """A scenario that cannot be used; `problems` lists (field path, message) pairs."""

    def __init__(self, problems: list[tuple[str, str]], source: str | None = None) -> None:
        self.problems = problems
        self.source = source
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"invalid scenario{f' {truncate(self.source)}' if self.source else ''}:"
        shown = self.problems[:MAX_SHOWN]
        more = len(self.problems) - len(shown)
        return "\n".join([head] + [f"  - {truncate(f'{path}: {msg}')}" for path, msg in shown]
                         + ([f"  - ... and {more:,} more problems"] if more > 0 else []))

    def one_line(self) -> str:
        """The problems on one line (for logs and one-line command-line errors)."""
        return truncate("; ".join(f"{path}: {msg}" for path, msg in self.problems) or str(self))

    def __reduce__(self):  # rebuilt with its problems in the app's solve worker
        return (type(self), (self.problems, self.source))


@dataclass
class Region:
    """Where to plan: the whole country (empty `units`) or a list of unit codes: oblasts
    (KZ-10) and/or districts (KZ101000)."""

    units: list[str] = field(default_factory=list)


@dataclass
class Travel:
    """Travel standard and travel-time model (see geo.travel.TravelParams)."""

    standard_minutes: float = 60.0
    cutoff_minutes: float | None = None
    provider: Literal["straight", "road"] = "straight"
    speed_kmh: float = 60.0
    circuity: float = 1.3
    graph: str | None = None  # a name in the server's graph store (geo.graph_store), not a path

    @property
    def cutoff(self) -> float:
        """Longest trip kept in the matrix: the cut-off, or the standard when none is set."""
        return max(self.cutoff_minutes or self.standard_minutes, self.standard_minutes)


@dataclass
class Budget:
    """Money. `total_kzt` bounds capex + horizon x annual opex; the others bound each part."""

    total_kzt: float | None = None
    capex_kzt: float | None = None
    opex_kzt_per_year: float | None = None
    horizon_years: int = 5


@dataclass
class Candidates:
    """Where new centres may open, what one costs and how many may open."""

    mode: CandidateMode = "min_population"
    min_population: int = 5000
    site_ids: list[str] = field(default_factory=list)
    capex_kzt: float = 60_000_000.0
    opex_kzt_per_year: float = 24_000_000.0
    max_new: int | None = None


@dataclass
class Capacity:
    """Centre capacity = social workers x children per worker (children 0-17 living in the
    settlements the centre serves, not a caseload). `enabled = false` ignores capacities."""

    enabled: bool = True
    social_workers: int = 6
    children_per_worker: int = 5000
    max_centres_per_site: int = 1

    @property
    def children(self) -> int:
        return self.social_workers * self.children_per_worker


@dataclass
class Conversion:
    """Which institution types may become centres, and at what cost."""

    types: list[str] = field(default_factory=lambda: ["childrens_home", "baby_home"])
    capex_kzt: float = 30_000_000.0
    opex_kzt_per_year: float = 24_000_000.0
    social_workers: int = 6


@dataclass
class Existing:
    """Existing centres: kept (fixed open, no capex) or ignored."""

    keep: bool = True
    opex_kzt_per_year: float = 24_000_000.0


@dataclass
class Sites:
    """Site rules: ids that must open and ids that may not (settlement, institution or
    centre ids)."""

    must_open: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)


@dataclass
class Equity:
    """Equity rule: every unit's covered share of children is at least this (0 = no rule).
    `level` says which units: oblasts or districts (it is also the unit of the family-care
    balance of converted institutions)."""

    min_unit_coverage: float = 0.0
    level: Literal["oblast", "district"] = "oblast"


@dataclass
class FamilyCare:
    """Family-care transition: children leaving a converted institution need family places
    in the same unit, from spare foster/guardianship capacity or recruited professional
    foster families (2025 rates)."""

    enabled: bool = True
    places_per_foster_family: int = 2
    guardianship_growth: float = 0.0
    professional_family_children: int = 4
    carer_kzt_per_month: float = 75 * MCI_2025_KZT
    child_kzt_per_month: float = 10 * MCI_2025_KZT
    institution_kzt_per_child_year: float = 7_500_000.0
    credit_released: bool = True

    @property
    def released_kzt_per_child_year(self) -> float:
        """Running cost a conversion releases per child moved to a family: the institution's
        cost per child net of the family placement's (0 when the credit is off)."""
        if not (self.enabled and self.credit_released):
            return 0.0
        return self.institution_kzt_per_child_year - self.child_kzt_per_year

    @property
    def carer_kzt_per_year(self) -> float:
        return 12.0 * self.carer_kzt_per_month

    @property
    def child_kzt_per_year(self) -> float:
        return 12.0 * self.child_kzt_per_month


@dataclass
class Demand:
    """What a settlement's demand is: its children, or its children weighted by its unit's
    entry rate into formal care relative to the national rate (expected referrals from the
    gatekeeping series, `gatekeeping.demand`), so centres go where the inflow is."""

    weighting: Literal["children", "expected_referrals"] = "children"
    rate_year: int | None = None


@dataclass
class Solver:
    """Solver choice and stopping rules."""

    name: SolverName = "highs"
    time_limit_seconds: float = 60.0
    mip_gap: float = 1e-4
    threads: int | None = None


@dataclass
class Scenario:
    """A complete planning scenario."""

    name: str = "Family support centres"
    country: str = "KZ"
    boundary_version: int | None = None
    objective: Objective = "max_coverage"
    coverage_target: float = 1.0
    region: Region = field(default_factory=Region)
    travel: Travel = field(default_factory=Travel)
    budget: Budget = field(default_factory=Budget)
    candidates: Candidates = field(default_factory=Candidates)
    capacity: Capacity = field(default_factory=Capacity)
    conversion: Conversion = field(default_factory=Conversion)
    existing: Existing = field(default_factory=Existing)
    sites: Sites = field(default_factory=Sites)
    equity: Equity = field(default_factory=Equity)
    family_care: FamilyCare = field(default_factory=FamilyCare)
    demand: Demand = field(default_factory=Demand)
    solver: Solver = field(default_factory=Solver)

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def default(cls, country: str = "KZ") -> Scenario:
        """The default scenario for `country`: money for the 208 family support centres
        planned by 2027 (Oct 2025: 131 open, so 77 new): 77 centres' capex plus 208 centres'
        running costs over the horizon. Kept existing centres' running costs count."""
        s = cls(country=country.upper())
        c, h = s.candidates, s.budget.horizon_years
        s.budget.total_kzt = 77 * c.capex_kzt + 208 * h * c.opex_kzt_per_year
        s.validate()
        return s

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str | None = None) -> Scenario:
        """Build and validate a scenario from plain data; raise ScenarioError listing every
        problem."""
        problems: list[tuple[str, str]] = []
        scenario = build_dataclass(cls, data, "", problems)
        # value rules too, except on settings already reported (they hold placeholders)
        bad = {path for path, _ in problems}
        problems.extend((path, msg) for path, msg in scenario.problems()
                        if not any(related_paths(path, b) for b in bad))
        if problems:
            raise ScenarioError(problems, source)
        return scenario

    @classmethod
    def from_toml(cls, text: str, source: str | None = None) -> Scenario:
        _check_size(len(text.encode("utf-8", errors="replace")), source)
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ScenarioError([("(file)", f"not valid TOML: {exc}")], source) from None
        except (RecursionError, ValueError) as exc:  # deep nesting, 5,000-digit numbers
            raise ScenarioError([("(file)", f"not usable TOML: {_why(exc)}")], source) from None
        return cls.from_dict(data, source)

    @classmethod
    def from_json(cls, text: str, source: str | None = None) -> Scenario:
        _check_size(len(text.encode("utf-8", errors="replace")), source)
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError([("(file)", f"not valid JSON: {exc}")], source) from None
        except (RecursionError, ValueError) as exc:  # deep nesting, 5,000-digit numbers
            raise ScenarioError([("(file)", f"not usable JSON: {_why(exc)}")], source) from None
        if not isinstance(data, dict):
            raise ScenarioError([("(file)", "a JSON scenario must be an object")], source)
        return cls.from_dict(data, source)

    @classmethod
    def from_file(cls, path: str | Path) -> Scenario:
        """Load a .toml or .json scenario file."""
        p = Path(path)
        cap = limits().scenario_max_bytes
        try:
            with p.open("rb") as fh:
                data = fh.read(cap + 1)
            if len(data) > cap:
                _check_size(len(data), str(p))  # raises: never read beyond the limit
            text = data.decode("utf-8-sig")
        except IsADirectoryError:
            raise ScenarioError([("(file)", "is a folder, not a scenario file")], str(p)) from None
        except FileNotFoundError:
            raise ScenarioError([("(file)", "cannot read: file not found")], str(p)) from None
        except OSError as exc:
            raise ScenarioError([("(file)", f"cannot read: {exc.strerror or exc}")],
                                str(p)) from None
        except UnicodeDecodeError as exc:
            raise ScenarioError([("(file)", f"not UTF-8 text (byte {exc.start})")],
                                str(p)) from None
        if p.suffix.lower() == ".json":
            return cls.from_json(text, str(p))
        return cls.from_toml(text, str(p))

    # -- output ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Plain data without None values (TOML has no null; None is every optional's default)."""
        return _drop_none(asdict(self))

    def to_toml(self) -> str:
        return tomli_w.dumps(self.to_dict())

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def save(self, path: str | Path) -> None:
        """Save atomically as JSON (.json) or TOML (anything else)."""
        p = Path(path)
        atomic_write_text(p, self.to_json() if p.suffix.lower() == ".json" else self.to_toml())

    # -- validation ------------------------------------------------------------------------
    def validate(self) -> None:
        problems = self.problems()
        if problems:
            raise ScenarioError(problems)

    def problems(self) -> list[tuple[str, str]]:
        """Every semantic problem as (field path, message)."""
        out: list[tuple[str, str]] = []

        def need(ok: bool, path: str, msg: str) -> None:
            if not ok:
                out.append((path, msg))

        need(self.country in COUNTRIES, "country", f"must be one of {', '.join(COUNTRIES)}")
        need(self.boundary_version is None or 1991 <= self.boundary_version <= 2100,
             "boundary_version", "must be a year between 1991 and 2100")
        need(0 < self.coverage_target <= 1, "coverage_target", "must be in (0, 1]")
        foreign = [u for u in self.region.units if code_level(u, self.country) is None]
        need(not foreign, "region.units",
             f"unit codes of {self.country} are oblasts '{self.country}-..' (ISO 3166-2) or "
             f"districts '{self.country}' + 6 digits (COD-AB PCODE), not "
             f"{', '.join(map(repr, foreign))}")
        need(self.equity.level in LEVELS, "equity.level", f"must be one of {', '.join(LEVELS)}")
        t = self.travel
        need(t.standard_minutes > 0, "travel.standard_minutes", "must be > 0")
        need(t.cutoff_minutes is None or t.cutoff_minutes >= t.standard_minutes,
             "travel.cutoff_minutes", "must be at least the travel standard")
        need(t.speed_kmh > 0, "travel.speed_kmh", "must be > 0")
        need(t.circuity >= 1, "travel.circuity", "must be >= 1 (road / straight distance)")
        need(t.provider != "road" or bool(t.graph), "travel.graph",
             "the road provider needs a road graph: the name of one of the server's graphs")
        need(t.graph is None or graph_store.valid_name(t.graph), "travel.graph",
             "must be the name of one of the server's road graphs (letters, digits, . _ -), "
             "not a path")
        b = self.budget
        for name in ("total_kzt", "capex_kzt", "opex_kzt_per_year"):
            v = getattr(b, name)
            need(v is None or v >= 0, f"budget.{name}", "must be >= 0")
        need(b.horizon_years >= 1, "budget.horizon_years", "must be >= 1")
        c = self.candidates
        need(c.min_population >= 0, "candidates.min_population", "must be >= 0")
        need(c.mode != "list" or bool(c.site_ids), "candidates.site_ids",
             "mode 'list' needs at least one settlement id")
        need(c.capex_kzt >= 0 and c.opex_kzt_per_year >= 0, "candidates",
             "costs must be >= 0")
        need(c.max_new is None or c.max_new >= 0, "candidates.max_new", "must be >= 0")
        k = self.capacity
        need(k.social_workers >= 1, "capacity.social_workers", "must be >= 1")
        need(k.children_per_worker >= 1, "capacity.children_per_worker", "must be >= 1")
        need(k.max_centres_per_site >= 1, "capacity.max_centres_per_site", "must be >= 1")
        v = self.conversion
        bad = [x for x in v.types if x not in INSTITUTION_TYPES]
        need(not bad, "conversion.types",
             f"unknown type(s) {bad}; allowed: {', '.join(INSTITUTION_TYPES)}")
        need(v.capex_kzt >= 0 and v.opex_kzt_per_year >= 0, "conversion", "costs must be >= 0")
        need(v.social_workers >= 1, "conversion.social_workers", "must be >= 1")
        need(self.existing.opex_kzt_per_year >= 0, "existing.opex_kzt_per_year", "must be >= 0")
        both = sorted(set(self.sites.must_open) & set(self.sites.excluded))
        need(not both, "sites", f"ids both must-open and excluded: {both}")
        need(0 <= self.equity.min_unit_coverage <= 1, "equity.min_unit_coverage",
             "must be a share between 0 and 1")
        f = self.family_care
        need(f.places_per_foster_family >= 0, "family_care.places_per_foster_family",
             "must be >= 0")
        need(0 <= f.guardianship_growth <= 1, "family_care.guardianship_growth",
             "must be a share between 0 and 1")
        need(f.professional_family_children >= 1, "family_care.professional_family_children",
             "must be >= 1")
        need(self.demand.rate_year is None or 1991 <= self.demand.rate_year <= 2100,
             "demand.rate_year", "must be a year between 1991 and 2100")
        s = self.solver
        need(s.time_limit_seconds > 0, "solver.time_limit_seconds", "must be > 0")
        need(0 <= s.mip_gap < 1, "solver.mip_gap", "must be in [0, 1)")
        need(s.threads is None or s.threads >= 1, "solver.threads", "must be >= 1")
        lim = limits()
        need(s.threads is None or s.threads <= lim.solver_max_threads, "solver.threads",
             f"must be at most {lim.solver_max_threads}, this server's limit "
             "(limits.solver_max_threads, at most the cores)")
        need(s.time_limit_seconds <= lim.solver_max_seconds, "solver.time_limit_seconds",
             f"must be at most {lim.solver_max_seconds:g} s, this server's limit "
             "(limits.solver_max_seconds)")
        return out


def _check_size(size: int, source: str | None) -> None:
    """Refuse a scenario of `size` bytes when larger than the server's limit (before parsing)."""
    cap = limits().scenario_max_bytes
    if size > cap:
        raise ScenarioError([("(file)", f"is larger than the limit of {cap:,} bytes for a "
                                        "scenario (limits.scenario_max_bytes)")], source)


def _why(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    return truncate(str(exc), 120)


# -- generic typed construction -----------------------------------------------------------

def related_paths(a: str, b: str) -> bool:
    """Whether field paths a and b are the same setting or one contains the other."""
    return a == b or any(x.startswith(y + c) for x, y in ((a, b), (b, a)) for c in ".[")


MAX_WHOLE = 1_000_000_000
"""Whole-number settings (people, years, counts) stay far below int32/int64 overflow."""


def _shown(value: Any) -> str:
    """A value quoted in a message, cut short (a hostile value can be megabytes)."""
    return truncate(repr(value), 80)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def build_dataclass(cls: type, data: Any, prefix: str, problems: list[tuple[str, str]]) -> Any:
    """Instantiate dataclass `cls` from `data`, checking names and types; problems collected."""
    if not isinstance(data, dict):
        problems.append((prefix.rstrip(".") or "(file)", "must be a table of settings"))
        return cls()
    hints = typing.get_type_hints(cls)
    known = {f.name for f in fields(cls)}
    for key in data:
        if key not in known:
            problems.append((f"{prefix}{key}", f"unknown setting; expected one of "
                                               f"{', '.join(sorted(known))}"))
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        path = f"{prefix}{f.name}"
        kwargs[f.name] = _coerce(hints[f.name], data[f.name], path, problems)
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        problems.append((prefix.rstrip(".") or "(file)", str(exc)))
        return cls()


def _coerce(tp: Any, value: Any, path: str, problems: list[tuple[str, str]]) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _coerce(inner, value, path, problems)
    if origin is Literal:
        if value not in args:
            problems.append((path, f"must be one of {', '.join(map(repr, args))}, "
                                   f"not {_shown(value)}"))
            return args[0]
        return value
    if origin is list:
        if not isinstance(value, list):
            problems.append((path, "must be a list"))
            return []
        if len(value) > limits().scenario_max_list:
            problems.append((path, f"has {len(value):,} entries; the limit is "
                                   f"{limits().scenario_max_list:,} (limits.scenario_max_list)"))
            return []
        return [_coerce(args[0], v, f"{path}[{n + 1}]", problems) for n, v in enumerate(value)]
    if isinstance(tp, type) and hasattr(tp, "__dataclass_fields__"):
        return build_dataclass(tp, value, f"{path}.", problems)
    if tp is bool:
        if not isinstance(value, bool):
            problems.append((path, f"must be true or false, not {value!r}"))
            return False
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value) or value != int(value):
            problems.append((path, f"must be a whole number, not {_shown(value)}"))
            return 0
        if abs(value) > MAX_WHOLE:
            problems.append((path, f"must be a whole number between {-MAX_WHOLE:,} and "
                                   f"{MAX_WHOLE:,}, not {_shown(value)}"))
            return 0
        return int(value)
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            problems.append((path, f"must be a number, not {_shown(value)}"))
            return 0.0
        cap = limits().scenario_max_number
        if abs(value) > cap:
            problems.append((path, f"must be a number between {-cap:g} and {cap:g} "
                                   f"(limits.scenario_max_number), not {_shown(value)}"))
            return 0.0
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            problems.append((path, f"must be text, not {_shown(value)}"))
            return ""
        if len(value) > limits().scenario_max_text:
            problems.append((path, f"is {len(value):,} characters; text settings are limited "
                                   f"to {limits().scenario_max_text:,} "
                                   "(limits.scenario_max_text)"))
            return ""
        return value
    raise TypeError(f"unsupported scenario field type {tp!r}")  # programming error
