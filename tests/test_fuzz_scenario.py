"""Property-based fuzzing of planning.scenario.Scenario.from_toml: 1,000+ malformed scenarios
(wrong types, out-of-range values, unknown keys, broken TOML). Only `ScenarioError` escapes,
and every problem names the field (its dotted path) or the file as a whole."""

from __future__ import annotations

import dataclasses
import re
import typing

import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planning.scenario import Scenario, ScenarioError

FUZZ = settings(max_examples=1000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _paths(cls: type, prefix: str = "") -> dict[str, type]:
    """Every settable field as dotted path -> dataclass owning it (None for leaves)."""
    out: dict[str, typing.Any] = {}
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        tp = hints[f.name]
        path = prefix + f.name
        if dataclasses.is_dataclass(tp):
            out[path] = tp
            out.update(_paths(tp, path + "."))
        else:
            out[path] = None
    return out


PATHS = _paths(Scenario)
TOP = [p for p in PATHS if "." not in p]
scalars = st.one_of(
    st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10), st.sampled_from(["KZ", "kz", "road", "highs", "max_coverage",
                                           "KZ-10", "all_settlements", "list", "-1"]),
)
values = st.recursive(scalars, lambda c: st.lists(c, max_size=3)
                      | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=8)
keys = st.sampled_from([p.split(".")[-1] for p in PATHS]) | st.text(min_size=1, max_size=8)


@st.composite
def section(draw: st.DrawFn, cls: type) -> dict[str, object]:
    """A table for dataclass `cls`: some real fields with random values, some unknown keys."""
    table: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        if draw(st.booleans()):
            tp = typing.get_type_hints(cls)[f.name]
            table[f.name] = draw(section(tp) if dataclasses.is_dataclass(tp) and
                                 draw(st.booleans()) else values)
    extra = draw(st.dictionaries(keys, values, max_size=2))
    return {**extra, **table}


def _check(text: str) -> None:
    try:
        scenario = Scenario.from_toml(text, source="fuzz.toml")
    except ScenarioError as exc:
        assert exc.problems, "a rejection without reasons"
        for path, message in exc.problems:
            assert isinstance(message, str) and message.strip()
            if path == "(file)":
                continue
            bare = re.sub(r"\[\d+\]", "", path)
            # a known field, or an unknown key named as the user wrote it
            assert bare in PATHS or message.startswith("unknown setting"), \
                f"problem path {path!r} names no field ({message})"
        assert "fuzz.toml" in str(exc)
        return
    assert isinstance(scenario, Scenario)
    assert Scenario.from_toml(scenario.to_toml()) == scenario  # accepted means round-trips


def _dump(data: dict[str, object]) -> str | None:
    try:
        return tomli_w.dumps(data)
    except (TypeError, ValueError):  # NaN keys etc. that TOML cannot express
        return None


@FUZZ
@given(section(Scenario))
def test_structured_malformed_scenarios(data: dict[str, object]) -> None:
    text = _dump(data)
    if text is not None:
        _check(text)


BASE = Scenario.default().to_toml()


@FUZZ
@given(st.lists(st.tuples(st.integers(0, len(BASE)), st.integers(0, 12), st.text(max_size=6)),
                min_size=1, max_size=4))
def test_corrupted_scenario_files(edits: list[tuple[int, int, str]]) -> None:
    text = BASE
    for at, cut, insert in edits:
        text = text[:at] + insert + text[at + cut:]
    _check(text)


HOSTILE = settings(max_examples=300, deadline=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
hostile_numbers = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),  # beyond int32 and int64
    st.sampled_from([2**31, 2**31 - 1, -(2**31) - 1, 2**63, 2**64, 10**30]),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e308, max_value=1e308),
)
hostile_texts = st.one_of(
    st.text(min_size=900, max_size=3000), st.sampled_from([
        "/etc/passwd", "../../x", "a\x00b", "\u202e", "C:\\boot.ini", "~/.ssh/id_rsa"]))


@st.composite
def hostile_scenario(draw: st.DrawFn) -> str:
    """A scenario text with one hostile class per draw: numbers out of every machine range,
    very long or path-like texts, nesting hundreds or thousands deep, thousands of digits."""
    kind = draw(st.sampled_from(["number", "text", "nesting", "digits"]))
    leaf = draw(st.sampled_from([p for p, owner in PATHS.items() if owner is None]))
    if kind == "nesting":
        depth = draw(st.integers(50, 6000))
        key = draw(st.sampled_from([leaf.split(".")[-1], "x"]))
        return f"{key} = {'[' * depth}{']' * depth}\n"
    if kind == "digits":
        return f"coverage_target = {'7' * draw(st.integers(4301, 20000))}\n"
    value = draw(hostile_numbers if kind == "number" else hostile_texts)
    if "." in leaf:
        section_name, key = leaf.rsplit(".", 1)
        return tomli_w.dumps({section_name: {key: value}})
    return tomli_w.dumps({leaf: value})


@HOSTILE
@given(hostile_scenario())
def test_hostile_scenario_classes(text: str) -> None:
    """Only ScenarioError escapes, and its message stays short whatever the input size."""
    try:
        Scenario.from_toml(text, source="fuzz.toml").validate()
    except ScenarioError as exc:
        assert exc.problems
        assert all(len(line) < 700 for line in str(exc).splitlines())
        assert len(exc.one_line()) < 700
