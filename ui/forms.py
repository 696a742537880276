"""The scenario form as data: one `FieldSpec` per editable scenario field.

The planning engine's `Scenario` is a (possibly nested) dataclass; the form follows its
fields instead of repeating them, so a new scenario field appears on the page without a
UI change. `apply_values` writes edited values back with `dataclasses.replace`.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

from ui.i18n import STRINGS, t

SITE_FIELD_HINTS = ("must_open", "exclude", "site_ids")
UNIT_FIELDS = ("units",)
INSTITUTION_TYPE_FIELDS = ("types",)
SIDEBAR_FIELDS = ("country", "boundary_version")  # chosen in the sidebar, not in the form


@dataclass(frozen=True)
class FieldSpec:
    """One form widget: where the value lives, which widget, its value and options."""

    path: tuple[str, ...]
    kind: str  # bool | int | float | choice | text | sites | units | types | list
    value: Any
    options: tuple[Any, ...] = ()

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _unwrap_optional(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _spec(path: tuple[str, ...], tp: Any, value: Any) -> list[FieldSpec]:
    tp = _unwrap_optional(tp)
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return form_fields(value, path)
    if origin is Literal:
        return [FieldSpec(path, "choice", value, tuple(typing.get_args(tp)))]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return [FieldSpec(path, "choice", value, tuple(tp))]
    if tp is bool or isinstance(value, bool):
        return [FieldSpec(path, "bool", bool(value))]
    if tp is int or (isinstance(value, int) and tp is not float):
        return [FieldSpec(path, "int", value)]
    if tp is float or isinstance(value, float):
        return [FieldSpec(path, "float", value)]
    if origin in (list, tuple, set, frozenset) or isinstance(value, (list, tuple)):
        name = path[-1]
        kind = ("sites" if any(h in name for h in SITE_FIELD_HINTS) else
                "units" if name in UNIT_FIELDS else
                "types" if name in INSTITUTION_TYPE_FIELDS else "list")
        return [FieldSpec(path, kind, list(value or []))]
    if tp is str or isinstance(value, str) or value is None:
        return [FieldSpec(path, "text", value)]  # None stays None (an unset optional)
    return []  # dicts and other structures are kept as they are (edit them in the TOML)


def form_fields(obj: Any, prefix: tuple[str, ...] = ()) -> list[FieldSpec]:
    """Every editable field of the dataclass `obj`, nested dataclasses flattened by path."""
    hints = typing.get_type_hints(type(obj))
    specs: list[FieldSpec] = []
    for f in dataclasses.fields(obj):
        if not f.init or f.name.startswith("_") or (not prefix and f.name in SIDEBAR_FIELDS):
            continue
        specs += _spec((*prefix, f.name), hints.get(f.name, Any), getattr(obj, f.name))
    return specs


def apply_values(obj: Any, values: dict[tuple[str, ...], Any]) -> Any:
    """A copy of `obj` with each path in `values` set (nested dataclasses rebuilt)."""
    direct: dict[str, Any] = {}
    nested: dict[str, dict[tuple[str, ...], Any]] = {}
    for path, value in values.items():
        if len(path) == 1:
            direct[path[0]] = value
        else:
            nested.setdefault(path[0], {})[path[1:]] = value
    for name, sub in nested.items():
        direct[name] = apply_values(getattr(obj, name), sub)
    for name, value in list(direct.items()):
        current = getattr(obj, name)
        if isinstance(current, tuple) and isinstance(value, list):
            direct[name] = tuple(value)
    return dataclasses.replace(obj, **direct)


def field_label(path: str | tuple[str, ...], lang: str) -> str:
    """A scenario field's form label from its path ("budget.total_kzt" or a tuple): the
    label of the full path when one exists (solver.name is not the scenario's name), else of
    its last part, else the name in words. Errors name fields by this label."""
    parts = tuple(path.split(".")) if isinstance(path, str) else tuple(path)
    for key in (f"fld_{'_'.join(parts)}", f"fld_{parts[-1]}"):
        if key in STRINGS:
            return t(key, lang)
    return parts[-1].replace("_", " ").capitalize()


def default_name(name: str, lang: str) -> str:
    """The default scenario name in `lang` when `name` is the default in any language (the
    engine's English `Scenario.name`, or the name another language gave it), else `name`
    unchanged: a name the user typed is never replaced."""
    defaults = STRINGS["scenario_default_name"]
    return defaults[lang] if str(name).strip() in defaults.values() else name
