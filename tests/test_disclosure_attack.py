"""The differencing attack: collect everything a public session of Explore and Coverage gaps
receives (tables, metrics, downloads, every map's GeoJSON properties, legends and marker radii)
and try to pin down each suppressed cell by counting dots, inverting rates and shares with the
published denominators, reading marker radii and class colours, and subtracting visible cells
from published totals. Nothing may be recovered.

To show the attack is real, the same attack runs on what a ministry session receives with
every column of the protected counts removed: through rates, dots, radii and colours alone it
recovers cells. The true counts come from the raw data files, not from the app."""

from __future__ import annotations

import io
import json
import math
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import streamlit as st
from shapely.geometry import shape
from streamlit.testing.v1 import AppTest

from geo.coverage import nearest_centre
from geo.layers import load_layers
from geo.travel import TravelParams
from tests.shown import as_shown
from ui.i18n import t
from ui.offline import standalone_html

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "facilities"
INDICATORS = ("institution_rate", "foster_rate", "coverage_share", "children_per_centre")
Q_FOSTER, Q_INST = "foster_families", "children_in_institutions"
Q_SETT, Q_KIDS = "uncovered_settlements", "uncovered_children"
RATES = {"institution_rate": Q_INST, "foster_rate": Q_FOSTER}


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    monkeypatch.setenv("OTBASY_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("OTBASY_AUDIT", str(tmp_path / "audit.sqlite"))
    monkeypatch.setenv("OTBASY_CREDENTIALS", str(tmp_path / "credentials.yaml"))


# --- the truth, from the raw files ------------------------------------------------------------
@dataclass(frozen=True)
class Instance:
    """A public view to attack: country, travel standard, unit level chosen in the sidebar
    (the public sees oblast and district tables alike), and divisors applied to the registry
    counts (foster families per record; children per institution) to stand for registries
    with many small counts (1 = the bundled data as it is)."""

    country: str
    standard: int
    thin: int = 1
    thin_inst: int = 1
    level: str = "oblast"


# The bundled KZ data as it is has no oblast count of 1-4 (dispersed estimated demand puts
# children beyond the standard in every oblast), so it is attacked at district level, where
# it has many; the thinned registries keep small cells at oblast level.
INSTANCES = [Instance("KZ", 60, level="district"), Instance("KZ", 120, level="district"),
             Instance("KZ", 30, thin=12, thin_inst=150),
             Instance("KZ", 240, thin=40, thin_inst=200), Instance("UZ", 60)]
CODE_KEY = {"oblast": "unit_code", "district": "district_code"}


def _raw_sum(name: str, column: str, country: str, thin: int,
             level: str = "oblast") -> dict[str, int]:
    """Per-unit sums of `column` straight from the bundled GeoJSON file."""
    sums: dict[str, int] = defaultdict(int)
    key = CODE_KEY[level]
    for f in json.loads((DATA / f"{name}.geojson").read_text())["features"]:
        p = f["properties"]
        if p.get("country") == country and p.get(key):
            sums[p[key]] += int(p.get(column) or 0) // thin
    return dict(sums)


@pytest.fixture
def registry(monkeypatch):
    """Make the app read the registry counts of an instance (bundled layers are cached per
    process, so the cache is emptied before and after)."""
    import geo.layers as gl

    def use(inst: Instance) -> None:
        for name, column, thin in (("load_foster", Q_FOSTER, inst.thin),
                                   ("load_institutions", "children", inst.thin_inst)):
            original = getattr(gl, name)

            def thinned(country=None, _original=original, _column=column, _thin=thin):
                frame = _original(country)
                frame[_column] = frame[_column] // _thin
                return frame

            monkeypatch.setattr(gl, name, thinned)
        st.cache_resource.clear()
        st.cache_data.clear()

    yield use
    st.cache_resource.clear()
    st.cache_data.clear()


def _truth(inst: Instance) -> dict[tuple[str, str], int]:
    layers = load_layers(inst.country)
    codes = list(layers.units(inst.level)["code"])
    beyond = pd.Series(True, index=layers.settlements.index)
    if not layers.centres.empty:
        near = nearest_centre(layers.settlements, layers.centres,
                              TravelParams(max_minutes=inst.standard), minutes=inst.standard)
        beyond = ~(pd.Series(near["minutes"].to_numpy(), index=layers.settlements.index)
                   <= inst.standard)
    unit = layers.settlements[CODE_KEY[inst.level]]
    kids = pd.to_numeric(layers.settlements["children"]).fillna(0)
    truth = {}
    foster = _raw_sum("foster", Q_FOSTER, inst.country, inst.thin, inst.level)
    inst_children = _raw_sum("institutions", "children", inst.country, inst.thin_inst,
                             inst.level)
    for code in codes:
        here = unit == code
        truth[(code, Q_FOSTER)] = foster.get(code, 0)
        truth[(code, Q_INST)] = inst_children.get(code, 0)
        truth[(code, Q_SETT)] = int((beyond & here & (kids > 0)).sum())  # no children: no gap
        truth[(code, Q_KIDS)] = int(kids[beyond & here].sum())
        truth[(code, "children")] = int(kids[here].sum())
    return truth


# --- what a session receives --------------------------------------------------------------------
def _receive(monkeypatch, role: str, inst: Instance) -> dict:
    """Tables, downloads and map documents of Explore (every indicator) and Coverage gaps at
    the instance's level, and the tables and downloads at oblast level too (the public may
    switch levels, and an oblast value is the sum of its districts)."""
    from access.guard import SESSION_KEY
    from access.roles import User
    from access.session import Session

    downloads: list[bytes] = []
    original = st.download_button

    def spy(label, data, *args, **kwargs):
        downloads.append(data if isinstance(data, bytes) else str(data).encode())
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", spy)
    got: dict = {"tables": [], "maps": [], "texts": []}
    runs = [("explore.py", "explore_standard", ind) for ind in INDICATORS]
    runs.append(("gaps.py", "gaps_standard", None))
    levels = dict.fromkeys(("oblast", inst.level))
    for level, (script, key, indicator) in [(v, r) for v in levels for r in runs]:
        at = AppTest.from_file(str(ROOT / "app_pages" / script), default_timeout=180)
        at.session_state["lang"] = "en"
        at.session_state["country"] = inst.country
        at.session_state["level"] = level
        at.session_state[key] = inst.standard
        if indicator:
            at.session_state["explore_indicator"] = indicator
        if role != "public":
            now = time.time()
            at.session_state[SESSION_KEY] = Session(User("dana", role), now, now)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        got["tables"] += [as_shown(d) for d in at.dataframe]
        got["texts"] += [m.value for m in at.metric] + [m.value for m in at.markdown]
        if level == inst.level:
            got["maps"] += [json.loads(c.proto.json_args)["html"]
                            for c in at.get("component_instance")]
    got["tables"] += [pd.read_csv(io.BytesIO(d), encoding="utf-8-sig") for d in downloads
                      if d[:3] == b"\xef\xbb\xbf"]
    return got


def _map_layers(html: str) -> dict[str, list[dict]]:
    """Layer name -> GeoJSON features, read from the map document like a browser would."""
    names = {var: json.loads(key) for key, var in
             re.findall(r'("(?:[^"\\]|\\.)*")\s*:\s*(geo_json_[0-9a-f]+),', html)}
    out: dict[str, list[dict]] = {}
    decoder = json.JSONDecoder()
    for match in re.finditer(r"(geo_json_[0-9a-f]+)_add\(", html):
        data, _ = decoder.raw_decode(html, match.end())
        out[names.get(match.group(1), match.group(1))] = data["features"]
    return out


def _legend(html: str) -> dict[str, tuple[float, float]]:
    """Legend colour -> the value range it stands for."""
    found = {}
    for blob in re.findall(r'div\.innerHTML = ("(?:[^"\\]|\\.)*");', html):
        for colour, label in re.findall(r"background:(#[0-9a-f]{6})\"></i>([^<]*)<",
                                        json.loads(blob)):
            nums = re.findall(r"-?[\d,]+(?:\.\d+)?", label.replace("\u202f", ""))
            if len(nums) == 2:
                found[colour] = tuple(float(n.replace(",", "")) for n in nums)
    return found


def _number(value: object) -> float | None:
    if isinstance(value, (int, float)) and not (isinstance(value, float) and math.isnan(value)):
        return float(value)
    if isinstance(value, str):
        text = value.replace(",", "").replace("\u202f", "").strip()
        try:
            return float(text)
        except ValueError:
            return None
    return None


# --- the attack ------------------------------------------------------------------------------
class Attacker:
    """Interval knowledge [low, high] about every protected cell, tightened by each clue."""

    def __init__(self, labels: dict[tuple[str, str], str]) -> None:
        self.box = {cell: ((1.0, 4.0) if label.startswith("<") else (0.0, math.inf))
                    for cell, label in labels.items()}

    def learn(self, cell: tuple[str, str], low: float, high: float) -> None:
        if cell in self.box:
            lo, hi = self.box[cell]
            low = math.ceil(low - 1e-9) if math.isfinite(low) else low
            high = math.floor(high + 1e-9) if math.isfinite(high) else high
            self.box[cell] = (max(lo, low), min(hi, high))

    def recovered(self) -> dict[tuple[str, str], float]:
        return {c: lo for c, (lo, hi) in sorted(self.box.items()) if lo == hi}


def _unit_rows(got: dict, names: dict[str, str]) -> list[dict]:
    """Every table row that names a unit, as {canonical column: value, "code": code}."""
    header = {t(k, "en"): k for k in (
        "col_code", "col_unit", "col_children", "col_children_covered",
        "col_foster_families", "col_children_in_institutions", "col_uncovered_settlements",
        "col_uncovered_children", "ind_institution_rate", "ind_foster_rate",
        "ind_coverage_share")}
    canon = {"col_children": "children", "col_children_covered": "children_covered",
             "col_foster_families": Q_FOSTER, "col_children_in_institutions": Q_INST,
             "col_uncovered_settlements": Q_SETT, "col_uncovered_children": Q_KIDS,
             "ind_institution_rate": "institution_rate", "ind_foster_rate": "foster_rate",
             "ind_coverage_share": "coverage_share", "col_code": "code", "col_unit": "unit"}
    rows = []
    for table in got["tables"]:
        cols = {c: canon[header[c]] for c in table.columns if c in header}
        for record in table.to_dict("records"):
            row = {cols[c]: v for c, v in record.items() if c in cols}
            code = row.get("code") if row.get("code") in names else None
            code = code or {v: k for k, v in names.items()}.get(row.get("unit"))
            if code:
                rows.append({**row, "code": code})
    return rows


def attack(got: dict, labels: dict[tuple[str, str], str], units: gpd.GeoDataFrame,
           names: dict[str, str], parents: dict[str, str] | None = None
           ) -> dict[tuple[str, str], float]:
    """Everything an attacker can do with `got` (maps of the level of `units`; tables of
    every level, `parents` saying which oblast each district is in); returns the cells
    pinned to one value."""
    a = Attacker(labels)
    rows = _unit_rows(got, names)
    all_names, names = names, {c: n for c, n in names.items() if c in set(units["code"])}
    children = {r["code"]: _number(r.get("children")) for r in rows if _number(r.get("children"))}
    for r in rows:  # direct values, rates and complements in tables and downloads
        code = r["code"]
        for q in (Q_FOSTER, Q_INST, Q_SETT, Q_KIDS):
            if _number(r.get(q)) is not None:
                a.learn((code, q), _number(r[q]), _number(r[q]))
        kids = children.get(code)
        for rate, q in RATES.items():
            if kids and _number(r.get(rate)) is not None:
                v = _number(r[rate])
                a.learn((code, q), (v - 0.05) * kids / 1e4, (v + 0.05) * kids / 1e4)
        if kids and _number(r.get("children_covered")) is not None:
            covered = _number(r["children_covered"])
            a.learn((code, Q_KIDS), kids - covered, kids - covered)
        if kids and _number(r.get("coverage_share")) is not None:
            v = _number(r["coverage_share"])
            a.learn((code, Q_KIDS), kids * (1 - (v + 0.05) / 100), kids * (1 - (v - 0.05) / 100))
    layer_q = {t("layer_foster", "en"): (Q_FOSTER, "families_text"),
               t("layer_uncovered", "en"): (Q_SETT, "settlements_text"),
               t("col_uncovered_children", "en"): (Q_KIDS, "value_text")}
    for rate in RATES:
        layer_q[t(f"ind_{rate}", "en")] = (rate, "value_text")
    layer_q[t("ind_coverage_share", "en")] = ("coverage_share", "value_text")
    for html in got["maps"]:
        legend = _legend(html)
        for name, features in _map_layers(html).items():
            if name not in layer_q:
                continue
            q, text_key = layer_q[name]
            per_unit = [(_feature_unit(f, names, units), f) for f in features]
            if all(code is None for code, _ in per_unit):  # dots: count them per unit
                points = gpd.GeoDataFrame(geometry=[shape(f["geometry"]) for f in features],
                                          crs=4326)
                near = gpd.sjoin_nearest(points.to_crs(3857),  # a coastal dot counts too
                                         units[["code", "geometry"]].to_crs(3857))
                counts = near[~near.index.duplicated()]["code"].value_counts()
                for code in names:
                    a.learn((code, q), counts.get(code, 0), counts.get(code, 0))
                continue
            radii = {code: f["properties"].get("_r") for code, f in per_unit if code}
            for code, f in per_unit:
                if code is None:
                    continue
                props = f["properties"]
                value = _number(props.get(text_key))
                low = high = value
                if value is None and props.get("_fill") in legend:  # the class colour
                    low, high = legend[props["_fill"]]
                    low, high = low - 0.05, high + 0.05
                if low is None:
                    continue
                kids = children.get(code)
                if q in RATES and kids:
                    a.learn((code, RATES[q]), low * kids / 1e4, high * kids / 1e4)
                elif q == "coverage_share" and kids:
                    a.learn((code, Q_KIDS), kids * (1 - high / 100), kids * (1 - low / 100))
                elif q in (Q_FOSTER, Q_SETT, Q_KIDS):
                    a.learn((code, q), low, high)
            _invert_radii(a, q, radii)
    for _ in range(5):
        _difference_totals(a, got, rows, names)
        _difference_parents(a, rows, parents or {}, all_names)
    return a.recovered()


def _feature_unit(feature: dict, names: dict[str, str], units: gpd.GeoDataFrame) -> str | None:
    """The unit a map feature stands for: by its name, and where several units share that
    name (districts), the one of them nearest the feature's location."""
    name = feature["properties"].get("unit_name")
    codes = [c for c, n in names.items() if n == name]
    if len(codes) < 2:
        return codes[0] if codes else None
    where = gpd.GeoSeries([shape(feature["geometry"]).representative_point()], crs=4326)
    candidates = units[units["code"].isin(codes)].to_crs(3857)
    distance = candidates.geometry.distance(where.to_crs(3857).iloc[0])
    return str(candidates.loc[distance.idxmin(), "code"])


def _invert_radii(a: Attacker, q: str, radii: dict[str, float]) -> None:
    """Fit radius = c0 + c1*sqrt(value) on the markers whose value is known exactly; if it
    fits, read every other marker's value off its radius."""
    known = [(a.box[(c, q)][0], r) for c, r in radii.items()
             if (c, q) in a.box and a.box[(c, q)][0] == a.box[(c, q)][1] and r is not None]
    if len(known) < 3 or len({v for v, _ in known}) < 2:
        return
    xs = [math.sqrt(v) for v, _ in known]
    ys = [float(r) for _, r in known]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    c1 = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var
    c0 = my - c1 * mx
    misfit = max(abs(c0 + c1 * x - y) for x, y in zip(xs, ys, strict=True))
    if c1 <= 0 or misfit > 0.06:
        return  # radii are not a function of the value
    tol = 0.05 + misfit  # radii are rounded to 0.1 px, and the fit is not exact
    for code, r in radii.items():
        if r is not None:
            lo = max(0.0, (float(r) - tol - c0) / c1) ** 2
            hi = max(0.0, (float(r) + tol - c0) / c1) ** 2
            a.learn((code, q), lo, hi)


def _bounds(a: Attacker, rows: list[dict], cell: tuple[str, str]) -> tuple[float, float]:
    """What the attacker knows of `cell`: its box, its published value, or nothing."""
    if cell in a.box:
        return a.box[cell]
    value = _exact(rows, cell)
    return (0.0, math.inf) if value is None else (value, value)


def _solve(a: Attacker, rows: list[dict], total: tuple[float, float],
           cells: list[tuple[str, str]]) -> None:
    """total = sum(cells): each cell is the total minus the others."""
    lows = {c: _bounds(a, rows, c)[0] for c in cells}
    highs = {c: _bounds(a, rows, c)[1] for c in cells}
    for c in cells:
        a.learn(c, total[0] - sum(highs[o] for o in cells if o != c),
                total[1] - sum(lows[o] for o in cells if o != c))


def _difference_parents(a: Attacker, rows: list[dict], parents: dict[str, str],
                        names: dict[str, str]) -> None:
    """An oblast's value (its table at oblast level) minus its other districts, and the
    oblast as the sum of its districts."""
    for parent in set(parents.values()) & set(names):
        children = [c for c, p in parents.items() if p == parent]
        for q in (Q_FOSTER, Q_INST, Q_SETT, Q_KIDS):
            cells = [(c, q) for c in children]
            _solve(a, rows, _bounds(a, rows, (parent, q)), cells)
            a.learn((parent, q), sum(_bounds(a, rows, c)[0] for c in cells),
                    sum(_bounds(a, rows, c)[1] for c in cells))


def _difference_totals(a: Attacker, got: dict, rows: list[dict], names: dict) -> None:
    """Column total minus the other cells."""
    totals = {}
    for table in got["tables"]:
        for record in table.to_dict("records"):
            if "Total" in [str(v) for v in record.values()]:
                for q, key in ((Q_SETT, "col_uncovered_settlements"),
                               (Q_KIDS, "col_uncovered_children")):
                    if _number(record.get(t(key, "en"))) is not None:
                        totals[q] = _number(record[t(key, "en")])
    for q, total in totals.items():
        _solve(a, rows, (total, total), [(c, q) for c in names])


def _exact(rows: list[dict], cell: tuple[str, str]) -> float | None:
    for r in rows:
        if r["code"] == cell[0] and _number(r.get(cell[1])) is not None:
            return _number(r[cell[1]])
    return None


def _labels(got: dict, names: dict) -> dict[tuple[str, str], str]:
    """The protected cells: every count the public tables show as a label."""
    labels = {}
    for r in _unit_rows(got, names):
        for q in (Q_FOSTER, Q_INST, Q_SETT, Q_KIDS):
            if isinstance(r.get(q), str) and _number(r[q]) is None:
                labels[(r["code"], q)] = r[q]
    return labels


@pytest.mark.parametrize("inst", INSTANCES, ids=str)
def test_public_session_reveals_no_suppressed_cell(monkeypatch, registry, inst):
    registry(inst)
    units = load_layers(inst.country).units(inst.level).to_crs(4326)
    got = _receive(monkeypatch, "public", inst)
    names = _names(got)
    labels = _labels(got, names)
    truth = _truth(inst)
    small = [c for c, v in truth.items() if 1 <= v <= 4 and c[1] != "children"]
    assert small, "the instance must have small cells to protect"
    assert set(small) <= set(labels), "every true count of 1-4 is published as a label"
    assert all(labels[c] == "<5" for c in small)
    assert attack(got, labels, units, names, _parents(inst)) == {}


def _old_publication(public: dict, inst: Instance) -> dict:
    """What the pages published before the visibility step, for the same instance: the same
    suppressed labels in the table, but the map carried the rate to full precision, marker
    radii proportional to sqrt(count), and the uncovered settlements as dots."""
    import folium

    from ui import maps
    from ui import viewmodels as vm

    layers = load_layers(inst.country)
    units = vm.localise_units(layers.units(inst.level), "en")
    minutes = pd.Series(float("inf"), index=layers.settlements.index)
    if not layers.centres.empty:
        near = nearest_centre(layers.settlements, layers.centres,
                              TravelParams(max_minutes=inst.standard), minutes=inst.standard)
        minutes = pd.Series(near["minutes"].to_numpy(), index=layers.settlements.index)
    ind = vm.unit_indicators(units, layers.settlements, layers.institutions, layers.centres,
                             layers.foster, minutes, inst.standard)
    m = maps.base_map(units.total_bounds)
    for indicator in ("foster_rate", "institution_rate"):
        rate = units[["unit_name", "geometry"]].assign(value_text=ind[indicator].map(repr))
        folium.GeoJson(maps.to_geojson(rate, ["unit_name", "value_text"]),
                       name=t(f"ind_{indicator}", "en")).add_to(m)
    foster = vm.foster_by_unit(layers.foster, units)
    maps.point_layer(foster, t("layer_foster", "en"), colour="#000", size_field=Q_FOSTER,
                     tooltip_fields=["unit_name"]).add_to(m)
    dots = vm.uncovered_settlements(layers.settlements, minutes, inst.standard)
    maps.point_layer(dots, t("layer_uncovered", "en"), colour="#f00",
                     tooltip_fields=["name"]).add_to(m)
    return {"tables": public["tables"], "maps": [standalone_html(maps.finish(m))],
            "texts": []}


@pytest.mark.parametrize(("inst", "quantities"), [
    (INSTANCES[3], {Q_FOSTER, Q_INST, Q_SETT}),
    (INSTANCES[0], {Q_FOSTER, Q_SETT}),  # no district has 1-4 children in institutions
], ids=["KZ-240min-oblast-thinned", "KZ-60min-district"])
def test_the_attack_recovers_cells_from_the_old_publication(monkeypatch, registry, inst,
                                                            quantities):
    """The same attack on what the pages published before (full-precision rates in the map,
    radii by value, dots): it recovers the cells, each equal to the true count, so the attack
    above is a real one (at oblast level on thinned registries, at district level on the
    bundled data as it is)."""
    registry(inst)
    units = load_layers(inst.country).units(inst.level).to_crs(4326)
    public = _receive(monkeypatch, "public", inst)
    names = _names(public)
    labels = _labels(public, names)
    assert attack(public, labels, units, names, _parents(inst)) == {}
    recovered = attack(_old_publication(public, inst), labels, units, names, _parents(inst))
    truth = _truth(inst)
    hidden = [c for c in labels if c[1] in (Q_FOSTER, Q_INST, Q_SETT)]
    assert {q for _, q in hidden} == quantities and len(hidden) >= 20
    assert set(hidden) <= set(recovered), sorted(set(hidden) - set(recovered))
    assert {c: truth[c] for c in recovered} == recovered  # and what it finds is the truth


def _names(got: dict) -> dict[str, str]:
    """Unit code -> name as the tables show them."""
    col, name = t("col_code", "en"), t("col_unit", "en")
    names = {}
    for table in got["tables"]:
        if col in table.columns and name in table.columns:
            names |= {c: n for c, n in zip(table[col], table[name], strict=True)
                      if isinstance(c, str) and re.match(r"^[A-Z]{2}(-|\d)", c)}
    assert names, "no unit table"
    return names


def _parents(inst: Instance) -> dict[str, str] | None:
    """District code -> oblast code, as the public boundary files say (None at oblast level)."""
    if inst.level == "oblast":
        return None
    districts = load_layers(inst.country).units(inst.level)
    return dict(zip(districts["code"], districts["parent_code"], strict=True))
