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
import shapely

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


def _missing(v: object) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _compared(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame, key: str) -> list[str]:
    """Fields both layers have, id and derived unit columns left out (geometry apart)."""
    return [c for c in upload.columns if c in base.columns
            and c not in (key, upload.geometry.name, base.geometry.name, *DERIVED)]


def _changed(old: pd.Series, new: pd.Series) -> np.ndarray:
    """Per row: the upload fills the field with a value other than the bundled one (missing
    equals missing, 5 equals 5.0, text compared stripped)."""
    old, new = old.reset_index(drop=True).astype(object), new.reset_index(drop=True).astype(object)
    old_na, new_na = old.map(_missing).to_numpy(bool), new.map(_missing).to_numpy(bool)
    old_num = pd.to_numeric(old, errors="coerce")
    new_num = pd.to_numeric(new, errors="coerce")
    numeric = (old_num.notna() & new_num.notna()).to_numpy()
    same = np.where(numeric, (old_num == new_num).to_numpy(),
                    (old.astype(str).str.strip() == new.astype(str).str.strip()).to_numpy())
    return ~new_na & (old_na | ~same.astype(bool))


def _moved(old: gpd.GeoSeries, new: gpd.GeoSeries) -> np.ndarray:
    """Per row: the upload has a geometry more than the tolerance away from the bundled one."""
    old, new = old.reset_index(drop=True), new.reset_index(drop=True)
    has_new = (new.notna() & ~new.is_empty).to_numpy()
    no_old = (old.isna() | old.is_empty).to_numpy()
    far = np.zeros(len(new), dtype=bool)
    both = has_new & ~no_old
    if both.any():
        far[both] = shapely.distance(old[both].to_numpy(), new[both].to_numpy()) \
            > GEOMETRY_TOLERANCE_DEG  # in the layer's degrees: a tolerance, not a length
    return has_new & (no_old | far)


def _id_problems(ids: list[str | None]) -> tuple[list[tuple[int, str]], list[int]]:
    """(row, id) of every repeated id after its first use, and the rows without an id
    (1-based record numbers)."""
    seen: set[str] = set()
    duplicates, missing = [], []
    for row, i in enumerate(ids, start=1):
        if i is None:
            missing.append(row)
        elif i in seen:
            duplicates.append((row, i))
        else:
            seen.add(i)
    return duplicates, missing


def preview(base: gpd.GeoDataFrame, upload: gpd.GeoDataFrame, layer: str,
            mode: Mode) -> MergePreview:
    """What `apply(base, upload, layer, mode)` would change (both frames in the same CRS)."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    key = id_field(layer)
    new_ids = _ids(upload, key).tolist()
    duplicates, missing = _id_problems(new_ids)
    base_ids = _ids(base, key)
    base_pos = {i: p for p, i in enumerate(base_ids) if i is not None}
    first = {i: p for p, i in reversed(list(enumerate(new_ids))) if i is not None}
    order = sorted(first.items(), key=lambda kv: kv[1])
    added = [i for i, _ in order if i not in base_pos]
    known = [(i, p) for i, p in order if i in base_pos]
    old_rows = [base_pos[i] for i, _ in known]
    new_rows = [p for _, p in known]
    masks = {f: _changed(base[f].iloc[old_rows], upload[f].iloc[new_rows])
             for f in _compared(base, upload, key)}
    masks["geometry"] = _moved(base.geometry.iloc[old_rows], upload.geometry.iloc[new_rows])
    unchanged, updated = [], {}
    for n, (i, _) in enumerate(known):
        diff = [f for f, mask in masks.items() if mask[n]]
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
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    key = id_field(layer)
    new_ids = _ids(upload, key)
    duplicates, missing = _id_problems(new_ids.tolist())
    if duplicates or missing:
        parts = [f"row {r}: duplicate id '{i}'" for r, i in duplicates[:5]]
        parts += [f"row {r}: no {key}" for r in missing[:5]]
        more = len(duplicates) + len(missing) - len(parts)
        raise MergeError("; ".join(parts) + (f"; and {more} more" if more > 0 else ""))
    if mode == "replace":
        return upload.copy()
    upload = upload.to_crs(base.crs) if upload.crs != base.crs else upload
    positions = pd.Series(np.arange(len(base)), index=_ids(base, key).to_numpy())
    hits = new_ids.isin(positions.index).to_numpy()
    at = positions.loc[new_ids[hits]].to_numpy()  # bundled row of each known id
    known = upload[hits]
    out = base.copy()
    geom = out.geometry.name
    for column in (c for c in upload.columns if c not in (key, upload.geometry.name)):
        values = known[column].astype(object).reset_index(drop=True)
        fill = ~values.map(_missing).to_numpy(bool)
        if column not in out.columns:
            out[column] = None
        if fill.any():
            target = np.array(out[column].astype(object), dtype=object)  # a writable copy
            target[at[fill]] = values[fill].to_numpy()
            out[column] = pd.Series(target, index=out.index).infer_objects()
    moved = (known.geometry.notna() & ~known.geometry.is_empty).to_numpy()
    if moved.any():
        shapes = np.array(out.geometry.to_numpy(), dtype=object)
        shapes[at[moved]] = known.geometry.to_numpy()[moved]
        out[geom] = gpd.GeoSeries(shapes, index=out.index, crs=base.crs)
    fresh = upload[~hits]
    if fresh.geometry.name != geom:
        fresh = fresh.rename_geometry(geom)
    merged = pd.concat([out, fresh], ignore_index=True)
    return gpd.GeoDataFrame(merged, geometry=geom, crs=base.crs)
