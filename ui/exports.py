"""Downloads of a plan that stand alone: a GeoPackage with named layers (`sites`, `units` with
their KPIs as polygons, `gaps`, `settlements`), the non-spatial tables `assignments`, `provenance`
and `metadata` (scenario, demo flag, data sources, creation time, also GDAL dataset metadata) and
a QGIS `layer_styles` table in the web map's colours; RFC 7946 GeoJSON, one layer per file, zipped;
CSV and TOML carrying `demo` and the provenance of each layer; the map as one self-contained HTML
file (title, scenario, date, KPIs, legend, demo notice); and a one-page HTML report for a memo.

Every user-supplied string (scenario and site names, notes) is escaped in the HTML.
"""

from __future__ import annotations

import html
import io
import tempfile
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import folium
import geopandas as gpd
import pandas as pd
import pyogrio

from geo.csvsafe import frame_csv_bytes
from otbasy import __version__
from ui import maps, numbers, tables
from ui.i18n import t, unit_name
from ui.offline import standalone_html
from ui.qgis_styles import layer_styles

DEMO_NOTE = "DEMO DATA: invented records calibrated to published totals, not real facilities."

PROVENANCE_COLUMNS = ("file", "source", "licence", "year", "status")
SITE_REPORT_COLUMNS = ("name", "decision", "children_served", "settlements_assigned",
                       "median_minutes", "worst_minutes", "capex_kzt", "opex_kzt_per_year",
                       "released_kzt_per_year", "why")
CONVERSION_REPORT_COLUMNS = ("name", "unit_code", "converted_flag", "children_in_care",
                             "coverage_gain", "net_cost_kzt", "why")


class PlanLike(Protocol):
    """What the exports need from `planning.results.PlanResult`."""

    summary: dict
    sites: gpd.GeoDataFrame
    assignments: pd.DataFrame
    settlements: gpd.GeoDataFrame
    gaps: gpd.GeoDataFrame
    by_unit: pd.DataFrame
    boundaries: gpd.GeoDataFrame | None
    conversions: pd.DataFrame | None


def is_demo(summary: Mapping[str, object]) -> bool:
    """Whether the plan was made on demo records (missing flag: assume so, never hide it)."""
    return bool(summary.get("demo", True))


def provenance_table(summary: Mapping[str, object]) -> pd.DataFrame:
    """The provenance rows the plan's summary carries (file, source, licence, year, status)."""
    rows = summary.get("provenance") or []
    return pd.DataFrame(list(rows), columns=list(PROVENANCE_COLUMNS))


def _sources_text(summary: Mapping[str, object]) -> str:
    return "; ".join(f"{r['file']}: {r['source']} ({r['licence']}, {r['year']}, {r['status']})"
                     for r in provenance_table(summary).to_dict("records"))


def with_demo(frame: pd.DataFrame, summary: Mapping[str, object]) -> pd.DataFrame:
    """`frame` with a `demo` column (the plan's flag), the demo notice (`demo_note`, empty
    when no demo record was used) and a `data_sources` column, so a table that leaves the app
    still says whether and on what demo data it was made."""
    out = frame.copy()
    out["demo"] = is_demo(summary)
    out["demo_note"] = DEMO_NOTE if out["demo"].all() else ""
    out["data_sources"] = _sources_text(summary)
    return out


def _plain(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns as text (GeoPackage needs one type per column)."""
    out = frame.copy()
    for col in out.columns:
        if col != out.geometry.name and out[col].dtype == object:
            out[col] = out[col].map(lambda v: None if v is None else str(v))
    return out


def metadata(result: PlanLike, demo: bool | None = None,
             created: datetime | None = None) -> dict[str, str]:
    """Scenario, demo flag (default: the plan's own), data sources and creation time, as text
    (GDAL metadata items)."""
    s = result.summary
    demo = is_demo(s) if demo is None else demo
    return {
        "scenario": str(s.get("scenario", "")), "objective": str(s.get("objective", "")),
        "country": str(s.get("country", "")), "status": str(s.get("status", "")),
        "demo": "true" if demo else "false", "demo_note": DEMO_NOTE if demo else "",
        "provenance": _sources_text(s), "generator": f"otbasy {__version__}",
        "created": (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def units_layer(result: PlanLike) -> gpd.GeoDataFrame | None:
    """Per-unit KPIs on the unit polygons (None without boundaries)."""
    if result.boundaries is None:
        return None
    shapes = result.boundaries[["code", "geometry"]].rename(columns={"code": "unit_code"})
    kpis = pd.DataFrame(result.by_unit).drop(columns=["geometry"], errors="ignore")
    units = shapes.merge(kpis, on="unit_code", how="inner")
    return gpd.GeoDataFrame(units, geometry="geometry", crs=result.boundaries.crs)


def spatial_layers(result: PlanLike, demo: bool) -> dict[str, gpd.GeoDataFrame]:
    """The plan's spatial layers by name, in WGS 84, each record carrying `demo`."""
    layers = {"sites": result.sites, "units": units_layer(result), "gaps": result.gaps,
              "settlements": result.settlements}
    return {name: _plain(frame.to_crs(4326)).assign(demo=demo)
            for name, frame in layers.items() if frame is not None}


def result_gpkg(result: PlanLike, *, demo: bool | None = None,
                created: datetime | None = None) -> bytes:
    """The plan as one GeoPackage (layers, tables, metadata and QGIS styles), as bytes."""
    meta = metadata(result, demo, created)
    demo = meta["demo"] == "true"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "result.gpkg"
        geometry_columns = {}
        for name, frame in spatial_layers(result, demo).items():
            pyogrio.write_dataframe(frame, path, layer=name, driver="GPKG",
                                    layer_metadata={"demo": meta["demo"],
                                                    "scenario": meta["scenario"]},
                                    dataset_metadata=meta)
            geometry_columns[name] = "geom"
        tables = {"assignments": pd.DataFrame(result.assignments).assign(demo=demo),
                  "provenance": provenance_table(result.summary).assign(demo=demo),
                  "metadata": pd.DataFrame({"key": list(meta), "value": list(meta.values())}),
                  "layer_styles": layer_styles(geometry_columns)}
        for name, table in tables.items():
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG",
                                    layer_options={"FID": "id"} if name == "layer_styles"
                                    else None)
        return path.read_bytes()


def layer_geojson(frame: gpd.GeoDataFrame, name: str) -> bytes:
    """One layer as RFC 7946 GeoJSON (WGS 84, no `crs` member), written by GDAL."""
    buffer = io.BytesIO()
    frame.to_file(buffer, driver="GeoJSON", engine="pyogrio", layer=name, RFC7946="YES")
    return buffer.getvalue()


def result_geojson_zip(result: PlanLike, *, demo: bool | None = None,
                       created: datetime | None = None) -> bytes:
    """A zip of one RFC 7946 GeoJSON file per layer (each record carrying `demo`), the
    assignments CSV and a README with the metadata and data sources."""
    meta = metadata(result, demo, created)
    demo = meta["demo"] == "true"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in spatial_layers(result, demo).items():
            archive.writestr(f"{name}.geojson", layer_geojson(frame, name))
        assignments = pd.DataFrame(result.assignments).assign(demo=demo)
        archive.writestr("assignments.csv", frame_csv_bytes(assignments))
        archive.writestr("README.txt", "\n".join(f"{k}: {v}" for k, v in meta.items() if v))
    return buffer.getvalue()


def scenario_toml(toml: str, summary: Mapping[str, object]) -> str:
    """The scenario TOML headed by comments stating demo data and the data sources (still a
    valid scenario file)."""
    head = [f"# Otbasy scenario; demo data: {'yes' if is_demo(summary) else 'no'}"]
    head += [f"# source {r['file']}: {r['source']} ({r['licence']}, {r['year']}, "
             f"{r['status']})".replace("\n", " ")
             for r in provenance_table(summary).to_dict("records")]
    return "\n".join(head) + "\n" + toml


def display_units(result: PlanLike, lang: str) -> gpd.GeoDataFrame:
    """The plan's boundaries simplified for display with names in `lang` (the settlements'
    extent when the plan has none)."""
    units = result.boundaries
    if units is None:
        units = gpd.GeoDataFrame({"code": [""], "name_en": [""]},
                                 geometry=[result.settlements.union_all().envelope],
                                 crs=result.settlements.crs)
    out = maps.simplify_for_display(units)
    out["unit_name"] = [unit_name(row, lang) for row in out.to_dict("records")]
    return out


def kpi_rows(summary: Mapping[str, object], lang: str) -> list[tuple[str, str]]:
    """(label, formatted value) of every headline KPI, budget included."""
    def num(key: str) -> float:
        value = summary.get(key)
        if isinstance(value, list | tuple):
            return float(len(value))
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return float("nan")

    budget = summary.get("budget") or {}
    total = budget.get("total_kzt") if isinstance(budget, Mapping) else None
    rows = [("kpi_coverage", "coverage_pct"), ("kpi_children_covered", "children_covered"),
            ("kpi_capex", "cost_capex"), ("kpi_opex", "cost_opex"),
            ("kpi_released", "cost_released"), ("kpi_whole_life", "cost_whole_life"),
            ("kpi_opened", "opened"), ("kpi_converted", "converted")]
    values = {**{k: num(k) for _, k in rows}, "cost_released": num("released_opex")}
    out = [(t(label, lang), tables.kpi_value(key, values[key], lang)) for label, key in rows]
    out.append((t("kpi_budget", lang),
                tables.kpi_value("cost_budget", float(total), lang) if total else "–"))
    out.append((t("kpi_status", lang), tables.code_label("status", summary.get("status"), lang)))
    return out


def plan_map(result: PlanLike, lang: str, *, osm: bool = False, site_id: str = "site_id",
             height: str = "100%") -> folium.Map:
    """A fresh result map of the plan (never reuse a rendered map: folium renders its
    children again, which doubled the whole map in the export)."""
    return maps.result_map(display_units(result, lang), result.sites, result.settlements,
                           lang, osm=osm, site_id=site_id, height=height)


def _header(result: PlanLike, lang: str, created: datetime) -> str:
    s = result.summary
    kpis = "".join(f"<span><b>{html.escape(label)}</b> {html.escape(value)}</span>"
                   for label, value in kpi_rows(s, lang))
    demo = (f'<div class="otbasy-demo">⚠ {html.escape(t("demo_notice", lang))}</div>'
            if is_demo(s) else "")
    return (f'<div class="otbasy-head"><div class="otbasy-title">'
            f'{html.escape(t("app_title", lang))}: {html.escape(str(s.get("scenario", "")))}'
            f'</div><div>{html.escape(t("report_date", lang))}: '
            f'{created.strftime("%Y-%m-%d %H:%M UTC")}</div>'
            f'<div class="otbasy-kpis">{kpis}</div>{demo}</div>')


HEAD_CSS = """<style>
.otbasy-head {font: 13px/1.4 sans-serif; padding: 6px 10px; background: #fff;
  border-bottom: 1px solid #ccc;}
.otbasy-title {font-size: 17px; font-weight: bold;}
.otbasy-kpis span {display: inline-block; margin-right: 14px;}
.otbasy-demo {background: #fff3cd; border: 1px solid #d4a017; padding: 3px 6px; margin-top: 4px;}
</style>"""


def plan_map_html(result: PlanLike, lang: str, created: datetime | None = None) -> str:
    """The plan's map as one self-contained HTML file (Leaflet inlined, opens offline) with
    a header: title, scenario name, date, every KPI and the demo notice; one map only."""
    created = created or datetime.now(UTC)
    m = plan_map(result, lang, height="82vh")
    root = m.get_root()
    root.header.add_child(folium.Element(HEAD_CSS))
    root.html.add_child(folium.Element(_header(result, lang, created)), index=0)
    root.title = html.escape(f"Otbasy: {result.summary.get('scenario', '')}")
    return standalone_html(m)


def _table_html(frame: pd.DataFrame, lang: str) -> str:
    shown = tables.plain_table(frame, lang)
    return tables.as_text(shown, lang).to_html(index=False, escape=True, na_rep="–", border=0,
                                               classes="otbasy-table")


MONEY_COLUMNS = ("capex_kzt", "opex_kzt_per_year", "released_kzt_per_year", "net_cost_kzt")
COUNT_COLUMNS = ("children_served", "children_in_care", "coverage_gain", "coverage_gained",
                 "settlements_assigned")


def _formatted(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Money in m / bn, counts grouped, minutes to one decimal, as display text."""
    out = frame.copy()
    for col in out.columns:
        if col in MONEY_COLUMNS:
            out[col] = [tables.kpi_value("cost", float(v), lang) for v in out[col]]
        elif col in COUNT_COLUMNS:
            out[col] = [tables.kpi_value("children", float(v), lang) for v in out[col]]
        elif col.endswith("_minutes"):
            out[col] = [numbers.number(v, lang, 1) for v in out[col]]
    return out


def site_table(result: PlanLike, lang: str) -> pd.DataFrame:
    """Every site of the plan with what it serves, costs and why (localised reasons)."""
    sites = pd.DataFrame(result.sites.drop(columns="geometry", errors="ignore"))
    if sites.empty:
        return pd.DataFrame(columns=list(SITE_REPORT_COLUMNS))
    sites["why"] = [tables.site_reason(row, lang) for row in sites.to_dict("records")]
    sites["decision"] = tables.decision_labels(sites["decision"], lang)
    keep = [c for c in SITE_REPORT_COLUMNS if c in sites.columns]
    return _formatted(sites[keep], lang)


def conversion_table(result: PlanLike, lang: str) -> pd.DataFrame:
    """Every convertible institution, converted or not, with the localised reason."""
    conv = result.conversions
    if conv is None or conv.empty:
        return pd.DataFrame(columns=list(CONVERSION_REPORT_COLUMNS))
    out = conv.copy()
    out["why"] = [tables.conversion_reason(row, lang) for row in out.to_dict("records")]
    out["converted_flag"] = out["converted"].map(lambda v: t("yes" if v else "no", lang))
    return _formatted(out[list(CONVERSION_REPORT_COLUMNS)], lang)


def conversions_sentence(result: PlanLike, lang: str) -> str:
    """How many institutions were converted, or that none was."""
    conv = result.conversions
    done = conv[conv["converted"]] if conv is not None and len(conv) else pd.DataFrame()
    if done.empty:
        return t("conversions_none", lang)
    return t("conversions_some", lang, n=len(done), m=len(conv),
             children=tables.kpi_value("children", float(done["children_in_care"].sum()), lang))


def credit_sentence(summary: Mapping[str, object], lang: str) -> str:
    """Whether released running costs are credited, and how much."""
    fc = summary.get("family_care") or {}
    params = (summary.get("parameters") or {}).get("family_care", {})
    if not params.get("credit_released", False) or not params.get("enabled", True):
        return t("credit_off", lang)
    per_child = float(fc.get("institution_kzt_per_child_year", 0)) - float(
        fc.get("family_kzt_per_child_year", 0))
    return t("credit_on", lang,
             per_child=tables.kpi_value("cost", per_child, lang),
             total=tables.kpi_value("cost", float(summary.get("released_opex") or 0), lang))


def plan_report_html(result: PlanLike, lang: str, created: datetime | None = None,
                     by_unit: pd.DataFrame | None = None) -> str:
    """A one-page HTML report of a scenario: header with KPIs and demo notice, the credit
    and conversions stated, every site and why, every convertible institution and why,
    the per-unit table and the data sources. No script, no external request."""
    created = created or datetime.now(UTC)
    s = result.summary
    units = by_unit if by_unit is not None else pd.DataFrame(result.by_unit)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        (f"<title>{html.escape(t('report_title', lang))}: "
         f"{html.escape(str(s.get('scenario', '')))}</title>"), HEAD_CSS,
        ("<style>body{margin:0;font:12px/1.4 sans-serif} main{padding:6px 10px}"
         ".otbasy-table{border-collapse:collapse;margin-bottom:10px}"
         ".otbasy-table td,.otbasy-table th{border:1px solid #ccc;padding:2px 5px}</style>"),
        "</head><body>", _header(result, lang, created), "<main>",
        f"<p>{html.escape(credit_sentence(s, lang))}</p>",
        f"<p>{html.escape(conversions_sentence(result, lang))}</p>",
        f"<h3>{html.escape(t('sites_title', lang))}</h3>",
        _table_html(site_table(result, lang), lang),
        f"<h3>{html.escape(t('conversions_title', lang))}</h3>",
        _table_html(conversion_table(result, lang), lang),
        f"<h3>{html.escape(t('per_unit', lang))}</h3>", _table_html(units, lang),
        f"<h3>{html.escape(t('report_sources', lang))}</h3>",
        _table_html(provenance_table(s).rename(columns={"status": "data_status"}), lang),
        "</main></body></html>",
    ]
    return "".join(parts)


def documents(result: PlanLike, lang: str = "en") -> dict[str, str]:
    """The map and the report as files, for `PlanResult.write` (the command line)."""
    created = datetime.now(UTC)
    return {"map.html": plan_map_html(result, lang, created),
            "report.html": plan_report_html(result, lang, created)}
