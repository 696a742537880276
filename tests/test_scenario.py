"""Scenario files: defaults valid, lossless TOML/JSON round trips with every field changed,
atomic saves, and validation messages that name the field for each kind of bad value.

(tests/test_fuzz_scenario.py throws random malformed files at the loader; these are the
specific cases a planner meets, with the exact field and message.)
"""

from __future__ import annotations

import dataclasses
import json
import os
import typing
from pathlib import Path

import pytest

import geo.atomic
from geo.schema import COUNTRIES
from planning.scenario import Scenario, ScenarioError

NON_DEFAULT = {
    "name": "Отбасы — Қарағанды, 2027 \"pilot\"",
    "country": "KG", "boundary_version": 2018, "objective": "min_cost",
    "coverage_target": 0.95,
    "region": {"units": ["KG-B", "KG-GB"]},
    "travel": {"standard_minutes": 45.5, "cutoff_minutes": 90.25, "provider": "road",
               "speed_kmh": 47.3, "circuity": 1.45, "graph": "kz-roads"},
    "budget": {"total_kzt": 1.2345678901234567e10, "capex_kzt": 3e9,
               "opex_kzt_per_year": 0.1 + 0.2, "horizon_years": 7},
    "candidates": {"mode": "list", "min_population": 1234, "site_ids": ["gn:1", "gn:2"],
                   "capex_kzt": 1e-12, "opex_kzt_per_year": 10**15, "max_new": 12},
    "capacity": {"enabled": False, "social_workers": 9, "children_per_worker": 4000,
                 "max_centres_per_site": 3},
    "conversion": {"types": ["boarding_school_general"], "capex_kzt": 1.0,
                   "opex_kzt_per_year": 2.0, "social_workers": 2},
    "existing": {"keep": False, "opex_kzt_per_year": 5.5},
    "sites": {"must_open": ["demo-inst-001"], "excluded": ["gn:3", "demo-centre-002"]},
    "equity": {"min_unit_coverage": 0.75, "level": "district"},
    "family_care": {"enabled": False, "places_per_foster_family": 3,
                    "guardianship_growth": 0.125, "professional_family_children": 3,
                    "carer_kzt_per_month": 300000.5, "child_kzt_per_month": 40000.25,
                    "institution_kzt_per_child_year": 8e6, "credit_released": False},
    "demand": {"weighting": "expected_referrals", "rate_year": 2020},
    "solver": {"name": "cbc", "time_limit_seconds": 12.5, "mip_gap": 0.0, "threads": 2},
}


def _leaves(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_leaves(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


def test_defaults_are_valid_for_every_country() -> None:
    for country in COUNTRIES:
        s = Scenario.default(country)
        assert s.problems() == []
        assert s.country == country and s.budget.total_kzt > 0
    assert Scenario().problems() == []


def test_non_default_fixture_changes_every_field() -> None:
    """The round-trip fixture below really differs from the defaults in every setting."""
    default = _leaves(Scenario().to_dict() | {"boundary_version": None})
    mine = _leaves(NON_DEFAULT)
    assert set(mine) >= {k for k in default}, set(default) - set(mine)
    assert all(mine[k] != default.get(k) for k in mine), \
        [k for k in mine if mine[k] == default.get(k)]


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_round_trip_is_lossless(fmt: str) -> None:
    s = Scenario.from_dict(NON_DEFAULT)
    text = s.to_toml() if fmt == "toml" else s.to_json()
    back = Scenario.from_toml(text) if fmt == "toml" else Scenario.from_json(text)
    assert back == s
    assert back.to_dict() == NON_DEFAULT          # every value exactly, floats included
    assert back.budget.opex_kzt_per_year == 0.1 + 0.2
    assert isinstance(back.candidates.opex_kzt_per_year, float)
    assert isinstance(back.budget.horizon_years, int)


@pytest.mark.parametrize("suffix", [".toml", ".json", ".scenario"])
def test_save_and_load_files(tmp_path: Path, suffix: str) -> None:
    s = Scenario.from_dict(NON_DEFAULT)
    path = tmp_path / f"plan{suffix}"
    s.save(path)
    text = path.read_text(encoding="utf-8")
    if suffix == ".json":
        assert json.loads(text)["name"] == NON_DEFAULT["name"]
    else:
        assert text.startswith("name = ")                       # TOML for anything else
    assert Scenario.from_file(path) == s
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary left behind


def test_unset_optionals_stay_unset(tmp_path: Path) -> None:
    """TOML has no null: optional settings are dropped when unset, which is lossless only
    because every optional setting defaults to unset (None)."""
    def optionals(cls: type, prefix: str = "") -> list[str]:
        out = []
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            tp = hints[f.name]
            if dataclasses.is_dataclass(tp):
                out += optionals(tp, f"{prefix}{f.name}.")
            elif type(None) in typing.get_args(tp):
                default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
                assert default is None, f"{prefix}{f.name} defaults to {default!r}, not None"
                out.append(prefix + f.name)
        return out

    assert len(optionals(Scenario)) >= 8
    s = Scenario.default()
    s.budget.total_kzt = None                     # "no money limit" must survive a save
    s.save(tmp_path / "s.toml")
    assert Scenario.from_file(tmp_path / "s.toml").budget.total_kzt is None
    assert Scenario.from_json('{"budget": {"total_kzt": null}}').budget.total_kzt is None


def test_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that fails at the last step leaves the previous file intact and no debris."""
    path = tmp_path / "s.toml"
    old = Scenario.default()
    old.save(path)
    before = path.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(geo.atomic.os, "replace", boom)
    new = Scenario.from_dict(NON_DEFAULT)
    with pytest.raises(OSError):
        new.save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["s.toml"]


BAD = [
    ({"objective": "max_cover"}, "objective", "must be one of 'max_coverage', 'min_travel'"),
    ({"country": "RU"}, "country", "must be one of KZ, KG, TJ, TM, UZ"),
    ({"budget": {"total_kzt": -1.0}}, "budget.total_kzt", "must be >= 0"),
    ({"budget": {"capex_kzt": -5}}, "budget.capex_kzt", "must be >= 0"),
    ({"budget": {"opex_kzt_per_year": -0.5}}, "budget.opex_kzt_per_year", "must be >= 0"),
    ({"budget": {"horizon_years": 2.5}}, "budget.horizon_years", "whole number"),
    ({"budget": {"horizon_years": 0}}, "budget.horizon_years", "must be >= 1"),
    ({"region": {"units": ["KG-B"]}}, "region.units", "are oblasts 'KZ-..'"),
    ({"region": {"units": ["KZ10100"]}}, "region.units", "districts 'KZ' + 6 digits"),
    ({"equity": {"level": "raion"}}, "equity.level", "oblast"),
    ({"region": {"units": "KZ-10"}}, "region.units", "must be a list"),
    ({"region": {"units": ["KZ-10", 11]}}, "region.units[2]", "must be text"),
    ({"travel": {"standard_minutes": 0}}, "travel.standard_minutes", "must be > 0"),
    ({"travel": {"cutoff_minutes": 30}}, "travel.cutoff_minutes", "at least the travel standard"),
    ({"travel": {"provider": "road"}}, "travel.graph", "needs a road graph"),
    ({"travel": {"provider": "road", "graph": "../etc/passwd"}}, "travel.graph", "not a path"),
    ({"travel": {"provider": "ferry"}}, "travel.provider", "must be one of 'straight', 'road'"),
    ({"travel": {"circuity": 0.9}}, "travel.circuity", "must be >= 1"),
    ({"travel": {"speed_kmh": "fast"}}, "travel.speed_kmh", "must be a number"),
    ({"candidates": {"mode": "list"}}, "candidates.site_ids", "needs at least one"),
    ({"candidates": {"max_new": -1}}, "candidates.max_new", "must be >= 0"),
    ({"capacity": {"social_workers": 0}}, "capacity.social_workers", "must be >= 1"),
    ({"capacity": {"enabled": "yes"}}, "capacity.enabled", "true or false"),
    ({"conversion": {"types": ["orphanage"]}}, "conversion.types", "unknown type(s)"),
    ({"sites": {"must_open": ["gn:1"], "excluded": ["gn:1"]}}, "sites",
     "both must-open and excluded"),
    ({"equity": {"min_unit_coverage": 1.5}}, "equity.min_unit_coverage", "between 0 and 1"),
    ({"coverage_target": 0}, "coverage_target", "must be in (0, 1]"),
    ({"family_care": {"guardianship_growth": 2}}, "family_care.guardianship_growth",
     "between 0 and 1"),
    ({"solver": {"name": "gurobi"}}, "solver.name", "must be one of 'highs', 'cbc'"),
    ({"solver": {"mip_gap": 1}}, "solver.mip_gap", "must be in [0, 1)"),
    ({"solver": {"threads": 0}}, "solver.threads", "must be >= 1"),
    ({"boundary_version": 1900}, "boundary_version", "between 1991 and 2100"),
    ({"travle": {"speed_kmh": 50}}, "travle", "unknown setting; expected one of"),
    ({"travel": {"speeed_kmh": 50}}, "travel.speeed_kmh", "unknown setting"),
    ({"budget": 5}, "budget", "must be a table of settings"),
]


@pytest.mark.parametrize("patch,field,message", BAD, ids=[b[1] for b in BAD])
def test_bad_values_name_the_field(patch: dict, field: str, message: str) -> None:
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(patch, source="plan.toml")
    problems = dict(err.value.problems)
    assert field in problems, err.value.problems
    assert message in problems[field]
    text = str(err.value)
    assert "plan.toml" in text and f"{field}: " in text


def test_every_problem_is_reported_at_once() -> None:
    """Type errors and value rules together, one message per bad setting (a setting with
    the wrong type is not also blamed for the placeholder standing in for it)."""
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"objective": "x", "budget": {"total_kzt": -1, "horizon_years": 2.5},
                            "equity": {"min_unit_coverage": 2},
                            "region": {"units": ["KZ-10", 7]}})
    fields = [p for p, _ in err.value.problems]
    assert sorted(fields) == ["budget.horizon_years", "budget.total_kzt",
                              "equity.min_unit_coverage", "objective", "region.units[2]"]


def test_unreadable_files_are_scenario_errors(tmp_path: Path) -> None:
    cases = {
        "latin1.toml": "name = 'Almaty – Алматы'".encode("cp1251"),
        "broken.toml": b"name = 'x\n",
        "broken.json": b"{\"name\": ",
        "array.json": b"[1, 2]",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(ScenarioError) as err:
            Scenario.from_file(tmp_path / name)
        assert err.value.problems[0][0] == "(file)"
        assert name in str(err.value)
    with pytest.raises(ScenarioError, match="cannot read"):
        Scenario.from_file(tmp_path / "missing.toml")


def test_unknown_unit_code_is_named_when_the_data_is_loaded() -> None:
    """A code with the right prefix that the boundaries do not have (here a 2022 unit asked
    of the 2014 boundaries) is a scenario error on region.units, not a crash or an empty
    plan."""
    from planning.solve import run_scenario

    s = Scenario.default()
    s.boundary_version = 2014
    s.region.units = ["KZ-10", "KZ-59"]          # Abai region exists only since 2022
    with pytest.raises(ScenarioError) as err:
        run_scenario(s)
    (field, message), = err.value.problems
    assert field == "region.units" and "KZ-10" in message and "KZ-59" not in message.split(";")[0]
