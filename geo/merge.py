"""Replace or merge an uploaded layer into the bundled one, by the layer's id field.

An upload either replaces the layer (the bundled records it does not hold are removed) or
is merged into it by id: a record whose id is new is added, a record whose id exists
updates that record's fields (only the fields the upload fills: a blank or missing column
never erases a bundled value), every other bundled record stays as it is. `preview` says
what either choice would change before anything is applied; `apply` does it. Pure
functions of GeoDataFrames, so the Data page, the tests and any script share one rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.schema import LAYERS

Mode = Literal["replace", "merge"]
MODES: tuple[Mode, ...] = ("replace", "merge")
DERIVED = ("unit_code", "district_code")  # recomputed from the geometry, never compared
GEOMETRY_TOLERANCE_DEG = 1e-6  # about 0.1 m: a re-saved file's rounding is no change
PREVIEW_ROWS = 20


class MergeError(ValueError):
    """The upload cannot be merged: ids repeated or missing (rows listed in the message)."""


@dataclass(frozen=True)
class MergePreview:
    """What replacing or merging an upload would change, by record id.

    `updated` maps each changed id to its changed fields; `removed` is only filled when
    replacing. `duplicates` are (row, id) of repeated ids after their first use and
    `missing_ids` the rows without an id (rows: 1-based record numbers of the upload).
    """

    layer: str
    mode: Mode
    added: list[str]
    updated: dict[str, list[str]]
    unchanged: list[str]
    removed: list[str]
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    missing_ids: list[int] = field(default_factory=list)
    rows_before: int = 0
    rows_after: int = 0

    @property
    def ok(self) -> bool:
        """True when the upload can be applied (every row has one distinct id)."""
        return not self.duplicates and not self.missing_ids

    def counts(self) -> dict[str, int]:
        """added / updated / unchanged / removed counts."""
        return {"added": len(self.added), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "removed": len(self.removed)}

    def table(self, limit: int = PREVIEW_ROWS) -> pd.DataFrame:
        """The first `limit` changes: id, change (added / updated / removed) and the changed
        fields, in that order."""
        rows = ([(i, "added", "") for i in self.added]
                + [(i, "updated", ", ".join(f)) for i, f in self.updated.items()]
                + [(i, "removed", "") for i in self.removed])
        return pd.DataFrame(rows[:limit], columns=["id", "change", "fields"])


def id_field(layer: str) -> str:
    """The id column records are matched by (the layer schema's `id_field`)."""
    name = LAYERS[layer].id_field
    if name is None:
        raise KeyError(f"layer '{layer}' has no id field")
    return name


def _ids(frame: pd.DataFrame, column: str) -> pd.Series:
    """Ids as stripped text; blank or missing ids as None."""
    if column not in frame.columns:
        return pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return pd.Series([None if _missing(v) or str(v).strip() == "" else str(v).strip()
                      for v in frame[column]], index=frame.index, dtype=object)


def _same(a: object, b: object) -> bool:
    """Equal values, treating missing as equal to missing and 5 as equal to 5.0."""
    a_na, b_na = _missing(a), _missing(b)
    if a_na or b_na:
        return a_na and b_na
    try:
        return bool(float(a) == float(b))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def _missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _compared(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame, key: str) -> list[str]:
    """Fields both layers have, id and derived unit columns left out, geometry last."""
    geom = upload.geometry.name
    shared = [c for c in upload.columns
              if c in base.columns and c not in (key, geom, base.geometry.name, *DERIVED)]
    return [*shared, "geometry"]


def _changes(old: pd.Series, new: pd.Series, fields: list[str], geom_old, geom_new) -> list[str]:
    changed = [f for f in fields[:-1] if not _missing(new[f]) and not _same(old[f], new[f])]
    if geom_new is not None and not geom_new.is_empty and (
            geom_old is None or geom_old.is_empty
            or geom_old.distance(geom_new) > GEOMETRY_TOLERANCE_DEG):
        changed.append("geometry")
    return changed


def preview(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame, layer: str,
            mode: Mode) -> MergePreview:
    """What `apply(base, upload, layer, mode)` would change (both frames in the same CRS)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    key = id_field(layer)
    new_ids = _ids(upload, key).tolist()
    missing = [row for row, i in enumerate(new_ids, start=1) if i is None]
    seen: set[str] = set()
    duplicates = []
    for row, i in enumerate(new_ids, start=1):
        if i is not None and i in seen:
            duplicates.append((row, i))
        elif i is not None:
            seen.add(i)
    base_ids = _ids(base, key)
    base_pos = {i: p for p, i in enumerate(base_ids) if i is not None}
    fields = _compared(base, upload, key)
    added, unchanged, updated = [], [], {}
    first = {i: p for p, i in reversed(list(enumerate(new_ids))) if i is not None}
    for i, p in sorted(first.items(), key=lambda kv: kv[1]):
        if i not in base_pos:
            added.append(i)
            continue
        b = base_pos[i]
        diff = _changes(base.iloc[b], upload.iloc[p], fields,
                        base.geometry.iloc[b], upload.geometry.iloc[p])
        if diff:
            updated[i] = diff
        else:
            unchanged.append(i)
    removed = ([i for i in base_ids if i is not None and i not in first]
               if mode == "replace" else [])
    after = len(upload) if mode == "replace" else len(base) + len(added)
    return MergePreview(layer, mode, added, updated, unchanged, removed, duplicates, missing,
                        len(base), after)


def apply(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame, layer: str,
          mode: Mode) -> gpd.GeoDataFrame:
    """The layer after replacing it by `upload` or merging `upload` into it by id (see the
    module docstring). Raises MergeError when ids repeat or are missing."""
    check = preview(base, upload, layer, mode)
    if not check.ok:
        parts = [f"row {r}: duplicate id '{i}'" for r, i in check.duplicates[:5]]
        parts += [f"row {r}: no {id_field(layer)}" for r in check.missing_ids[:5]]
        more = len(check.duplicates) + len(check.missing_ids) - len(parts)
        raise MergeError("; ".join(parts) + (f"; and {more} more" if more > 0 else ""))
    if mode == "replace":
        return upload.copy()
    key = id_field(layer)
    upload = upload.to_crs(base.crs) if upload.crs != base.crs else upload
    new_ids = _ids(upload, key)
    base_ids = _ids(base, key)
    out = base.copy()
    columns = [c for c in upload.columns if c != key]
    for column in columns:
        if column not in out.columns:
            out[column] = None
    positions = pd.Series(np.arange(len(out)), index=base_ids.values)
    hits = new_ids.isin(base_ids)
    for row, i in zip(upload.index[hits], new_ids[hits], strict=True):
        p = int(positions[i])
        for column in columns:
            value = upload.at[row, column]
            if not _missing(value) and not (column == upload.geometry.name and value.is_empty):
                out.iat[p, out.columns.get_loc(column)] = value
    fresh = upload[~hits.to_numpy()]
    merged = pd.concat([out, fresh.rename_geometry(out.geometry.name)
                        if fresh.geometry.name != out.geometry.name else fresh],
                       ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry=out.geometry.name, crs=base.crs)
