"""Per-unit summary of the layers: settlements, people, institutions, family care, centres.

`summarise(layers, level)` is a pure function on a `geo.layers.Layers` bundle; `python -m geo
summary [--level oblast|district]` prints it as an aligned table or JSON. Every point layer is
placed in its oblast and district of the chosen boundary version by `geo.units.attach_units`
(the one assignment rule; a code stored in a file is not trusted), so the same facilities can be
summarised on the 2014, 2018 or 2022 map, per oblast or per district. `children` counts every
child: GeoNames places and the modelled dispersed demand (`estimated_children` says how many
of them are estimates).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Protocol

import geopandas as gpd
import pandas as pd

from geo import layers as geo_layers
from geo.units import DEFAULT_LEVEL, LEVELS, attach_units, unit_column

TOTAL = "TOTAL"
COUNT_COLUMNS = ("settlements", "population", "children", "estimated_children",
                 "institutions",
                 "children_in_institutions", "foster_families", "centres")
COLUMNS = ("code", "name", *COUNT_COLUMNS, "demo")
DEMO_FOOTER = ("Demo data: facility figures are a demo dataset calibrated to published totals "
               "(see data/facilities/README.md)")


class LayerBundle(Protocol):
    """What `summarise` needs from `geo.layers.Layers`."""

    boundaries: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame | None
    settlements: gpd.GeoDataFrame
    institutions: gpd.GeoDataFrame
    centres: gpd.GeoDataFrame
    foster: gpd.GeoDataFrame

    def units(self, level: str) -> gpd.GeoDataFrame: ...


def _is_demo(layer: gpd.GeoDataFrame) -> pd.Series:
    if "demo" not in layer:
        return pd.Series(False, index=layer.index)
    return layer["demo"].fillna(False).astype(bool)


def _per_unit(layer: gpd.GeoDataFrame, layers: LayerBundle, level: str) -> pd.DataFrame:
    """The layer's attribute columns plus `code` (its unit at `level`) and `is_demo`."""
    if layer.empty:
        return pd.DataFrame({"code": pd.Series(dtype=object), "is_demo": pd.Series(dtype=bool)})
    placed = attach_units(layer, layers.boundaries, layers.districts)
    frame = pd.DataFrame(placed.drop(columns=placed.geometry.name))
    return frame.assign(code=placed[unit_column(level)], is_demo=_is_demo(layer))


def summarise(layers: LayerBundle, level: str = DEFAULT_LEVEL) -> pd.DataFrame:
    """One row per unit of `layers.units(level)` (sorted by code) plus a TOTAL row.

    Columns: code, name, settlements (GeoNames places, not dispersed demand), population,
    children, estimated_children (the dispersed-demand part of children), institutions,
    children_in_institutions, foster_families, centres (integers) and demo (True when any
    demo record is counted in the row). Points outside every unit (another country, a typo
    in coordinates) are not counted; `attrs["outside"]` gives how many per layer.
    """
    b = layers.units(level)
    settlements = _per_unit(layers.settlements, layers, level)
    institutions = _per_unit(layers.institutions, layers, level)
    foster = _per_unit(layers.foster, layers, level)
    centres = _per_unit(layers.centres, layers, level)
    estimated = (settlements["estimated"].fillna(False).astype(bool)
                 if "estimated" in settlements else pd.Series(False, index=settlements.index))
    out = pd.DataFrame({"code": b["code"].to_numpy(), "name": b["name_en"].to_numpy()})
    out = out.sort_values("code", ignore_index=True).set_index("code", drop=False)

    def count(frame: pd.DataFrame) -> pd.Series:
        return frame.groupby("code").size()

    def total(frame: pd.DataFrame, column: str) -> pd.Series:
        if column not in frame:  # an empty layer may come without its columns
            return pd.Series(dtype="int64")
        return pd.to_numeric(frame[column], errors="coerce").fillna(0).groupby(frame["code"]).sum()

    parts = {
        "settlements": count(settlements[~estimated]),
        "population": total(settlements, "population"),
        "children": total(settlements, "children"),
        "estimated_children": total(settlements[estimated], "children"),
        "institutions": count(institutions),
        "children_in_institutions": total(institutions, "children"),
        "foster_families": total(foster, "foster_families"),
        "centres": count(centres),
    }
    for column, values in parts.items():
        out[column] = values.reindex(out.index).fillna(0).astype("int64")
    demo = pd.concat([f.loc[f["is_demo"], "code"] for f in (institutions, foster, centres)])
    out["demo"] = out["code"].isin(demo)
    totals = {"code": TOTAL, "name": "Total", **{c: int(out[c].sum()) for c in COUNT_COLUMNS},
              "demo": bool(out["demo"].any())}
    out = pd.concat([out, pd.DataFrame([totals])], ignore_index=True)[list(COLUMNS)]
    frames = {"settlements": settlements, "institutions": institutions, "foster": foster,
              "centres": centres}
    out.attrs["outside"] = {name: int(f["code"].isna().sum()) for name, f in frames.items()
                            if f["code"].isna().any()}
    return out


def outside_note(summary: pd.DataFrame) -> str | None:
    """'Not counted: ...' naming the records that lie outside every unit, or None."""
    outside = summary.attrs.get("outside") or {}
    if not outside:
        return None
    return "Not counted (outside every unit): " + ", ".join(
        f"{n:,} {name}" for name, n in outside.items())


def to_records(summary: pd.DataFrame) -> list[dict]:
    """JSON-ready rows with plain Python ints and bools."""
    return [{"code": str(r["code"]), "name": str(r["name"]),
             **{c: int(r[c]) for c in COUNT_COLUMNS}, "demo": bool(r["demo"])}
            for _, r in summary.iterrows()]


def format_table(summary: pd.DataFrame, caption: str | None = None) -> str:
    """Aligned text: names left, numbers right with thousands separators; demo footer if any.

    `caption` (e.g. which boundary version the units are) goes on the first line.
    """
    headers = [c for c in COLUMNS if c != "demo"]
    rows = [[str(r["code"]), str(r["name"]), *(f"{int(r[c]):,}" for c in COUNT_COLUMNS)]
            for _, r in summary.iterrows()]
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(cells, widths))).rstrip()

    text = ([caption] if caption else []) + [line(headers), line(["-" * w for w in widths])]
    text += [line(r) for r in rows[:-1]] + [line(["-" * w for w in widths]), line(rows[-1])]
    note = outside_note(summary)
    if note:
        text += ["", note]
    if summary["demo"].any():
        text += ["", DEMO_FOOTER]
    return "\n".join(text)


def configure(parser: argparse.ArgumentParser) -> None:
    """Arguments of `python -m geo summary`."""
    parser.description = "Per-unit totals of settlements, institutions, family care and centres."
    parser.add_argument("--country", default="KZ", type=str.upper,
                        help="ISO2 country code: KZ, KG, TJ, TM or UZ (default KZ)")
    parser.add_argument("--boundary-year", type=int, default=None, metavar="YEAR",
                        help="boundary version, e.g. 2014, 2018 or 2022 for KZ "
                             "(default: the country's latest)")
    parser.add_argument("--boundaries", type=int, dest="boundary_year",
                        help=argparse.SUPPRESS)  # deprecated alias of --boundary-year
    parser.add_argument("--level", choices=LEVELS, default=DEFAULT_LEVEL,
                        help="units to summarise: oblast (default) or district")
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows")


def run(args: argparse.Namespace) -> int:
    """Print the summary; 2 for a bad country or version, 1 when the data cannot be read."""
    from geo.validate import LayerError

    if args.country not in geo_layers.countries():
        print(f"error: unknown country '{args.country}'; choose one of: "
              + ", ".join(geo_layers.countries()), file=sys.stderr)
        return 2
    versions = geo_layers.boundary_versions(args.country)
    if args.boundary_year is not None and args.boundary_year not in versions:
        print(f"error: no {args.boundary_year} boundaries for {args.country}; available: "
              + ", ".join(str(v) for v in versions), file=sys.stderr)
        return 2
    if args.level not in geo_layers.boundary_levels(args.country, args.boundary_year):
        print(f"error: no {args.level} boundaries for {args.country}; available: "
              + ", ".join(geo_layers.boundary_levels(args.country, args.boundary_year)),
              file=sys.stderr)
        return 2
    try:
        bundle = geo_layers.load_layers(args.country, args.boundary_year)
    except (OSError, ValueError, LayerError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    summary = summarise(bundle, args.level)
    if args.json:
        print(json.dumps(to_records(summary), ensure_ascii=False, indent=1))
        note = outside_note(summary)
        if note:
            print(f"warning: {note}", file=sys.stderr)
    else:
        print(format_table(summary, f"{bundle.country}: {args.level} units of the "
                                    f"{bundle.version} boundary version (every point placed by "
                                    "point-in-polygon)"))
    return 0
