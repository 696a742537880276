"""Streamlit glue shared by the pages: sidebar context, cached layers, the map fragment.

Everything that can be tested without Streamlit lives in `ui/`; this module only wires
widgets and caches to it.
"""

from __future__ import annotations

import dataclasses
import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime

import geopandas as gpd
import pandas as pd
import streamlit as st
import streamlit.components.v1 as components
from streamlit.delta_generator import DeltaGenerator
from streamlit.navigation.page import StreamlitPage
from streamlit.runtime.scriptrunner import get_script_run_ctx

from access import views
from access.guard import current_user
from access.roles import User
from geo import layers as geo_layers
from geo import merge
from geo.coverage import nearest_centre
from geo.provenance import has_demo, layer_provenance, upload_rows, with_uploads
from geo.schema import INSTITUTION_TYPES
from geo.travel import TravelParams
from geo.units import DEFAULT_LEVEL, attach_units
from ui import forms, maps, tables
from ui import viewmodels as vm
from ui.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    STRINGS,
    browser_language,
    country_name,
    linked_language,
    t,
)
from ui.offline import STATIC_DIR, standalone_html
from ui.uploads import display_name
from ui.workspace import ActiveLayer, Workspace

_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character


def plain(text: object) -> str:
    """User text (names, notes, file names) made inert for Streamlit's Markdown elements
    (title, caption, success, error...): every ASCII punctuation backslash-escaped, so no
    link, image, HTML, emoji code or formula is formed; line breaks become spaces."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


LAYER_NAMES = ("boundaries", "settlements", "institutions", "centres", "foster")
MAP_HEIGHT = 560


@dataclass(frozen=True)
class Context:
    """What the sidebar chose: language, country, boundary version, unit level, basemap."""

    lang: str
    country: str
    version: int
    osm: bool
    level: str = DEFAULT_LEVEL


def _kept_choice(key: str, options: list, default: object) -> int:
    """Index in `options` of the choice kept under the plain session-state key `key`
    (`default` when none or no longer offered)."""
    kept = st.session_state.get(key)
    return options.index(kept if kept in options else default)


def _sidebar_choice(widget, label: str, options: list, key: str, default: object,
                    **kwargs) -> object:
    """A sidebar selector whose choice lives under the plain key `key`, never a widget's.

    Streamlit may drop a widget's state between pages, and the browser redraws a widget at
    the index it was created with: a box created at index 0 while the session held 2022
    showed 2014 after a page switch while every page used 2022. Here the widget (key
    `sidebar_<key>`) is always created at the kept choice's index and its value is copied
    back, so the box and the data agree on every page."""
    box = f"sidebar_{key}"

    def keep() -> None:  # before the rerun, so the index drawn is the new choice's
        st.session_state[key] = st.session_state[box]

    value = widget(label, options, index=_kept_choice(key, options, default), key=box,
                   on_change=keep, **kwargs)
    st.session_state[key] = value
    return value


def sidebar() -> Context:
    """Draw the sidebar selectors; their choices are kept across pages under the plain
    session-state keys lang, country, version, level and osm (see `_sidebar_choice`)."""
    side = st.sidebar
    browser = browser_language(st.context.locale)
    linked = linked_language(st.query_params.get("lang"))
    if linked and "lang" not in st.session_state:  # a reload or a shared link: its language
        st.session_state["lang"] = linked
    lang = str(_sidebar_choice(side.selectbox, "Language / Язык / Тіл", list(LANGUAGES), "lang",
                               browser, format_func=LANGUAGES.__getitem__))
    keep_language_in_url(lang, browser)
    redraw_after_language_change(lang)
    countries = geo_layers.countries()
    country = str(_sidebar_choice(side.selectbox, t("country", lang), countries, "country",
                                  "KZ" if "KZ" in countries else countries[0],
                                  format_func=lambda code: country_name(code, lang)))
    versions = geo_layers.boundary_versions(country)
    version = _sidebar_choice(side.selectbox, t("boundary_version", lang), versions, "version",
                              geo_layers.default_version(country))
    levels = geo_layers.boundary_levels(country, version)
    level = str(_sidebar_choice(side.radio, t("unit_level", lang), levels, "level",
                                DEFAULT_LEVEL if DEFAULT_LEVEL in levels else levels[0],
                                horizontal=True, format_func=lambda v: t(f"opt_{v}", lang)))
    osm = side.toggle(t("basemap_osm", lang), key="sidebar_osm",
                      value=bool(st.session_state.get("osm", False)))
    st.session_state["osm"] = osm
    side.caption(t("attribution", lang))
    return Context(lang, country, int(version), bool(osm), level)


def keep_language_in_url(lang: str, browser: str) -> None:
    """Keep a language other than the browser's in the page URL (`?lang=ru`), so a reload, a
    page switch or a shared link opens in it; with the browser's own language (nothing
    chosen) the URL carries none, and an unknown value is dropped from it."""
    if lang == browser:
        if "lang" in st.query_params:
            del st.query_params["lang"]
    elif st.query_params.get("lang") != lang:
        st.query_params["lang"] = lang


def page_menu(box: DeltaGenerator, pages: list[StreamlitPage]) -> None:
    """The page menu in `box`: one link per page whose href carries the language the URL
    carries (`?lang=kk`, validated by `linked_language`, URL-encoded by Streamlit), so a page
    opened in a new tab (middle-click) opens in it; Streamlit's own menu links bare paths,
    which only its in-page routing followed by `keep_language_in_url` made right."""
    lang = linked_language(st.query_params.get("lang"))
    for page in pages:
        box.page_link(page, query_params={"lang": lang} if lang else None, width="stretch")


def redraw_after_language_change(lang: str) -> None:
    """On the run where the language changed, hand every widget its value again so the
    browser redraws it with the new language's labels: Streamlit otherwise keeps showing a
    keyed select box's old-language choice and drops a keyed radio's selection. Only plain
    values (text, numbers, lists of them) are handed back; buttons, uploads and toggles
    are left alone."""
    state = st.session_state
    if state.get("_shown_lang") not in (None, lang):
        for key in [k for k in list(state) if k not in ("lang", "sidebar_lang", "_shown_lang")]:
            value = state[key]
            plain_list = isinstance(value, list) and all(isinstance(v, str | int | float)
                                                         for v in value)
            if plain_list or (isinstance(value, str | int | float)
                              and not isinstance(value, bool)):
                state[key] = value
    state["_shown_lang"] = lang


def context() -> Context:
    """The current sidebar choices (defaults before the sidebar has drawn)."""
    s = st.session_state
    country = s.get("country", "KZ")
    return Context(s.get("lang", DEFAULT_LANGUAGE), country,
                   int(s.get("version") or geo_layers.default_version(country)),
                   bool(s.get("osm", False)), s.get("level") or DEFAULT_LEVEL)


@st.cache_resource(show_spinner=False)
def bundled_layers(country: str, version: int) -> geo_layers.Layers:
    """The bundled layers of a country and boundary version (read once per process)."""
    return geo_layers.load_layers(country, version)


def session_layers() -> dict[str, ActiveLayer]:
    """This account's active uploaded layers by kind: kept in the session and restored from
    the workspace after a reload; another account in the same browser starts from its own."""
    owner = author()
    if st.session_state.get("session_layers_owner") != owner:
        st.session_state["session_layers"] = workspace().active_layers(owner)
        st.session_state["session_layers_owner"] = owner
    return st.session_state["session_layers"]


def activate_layer(active: ActiveLayer) -> None:
    """Make an accepted upload (or saved layer) this account's active layer of its kind,
    saved in the workspace first so it survives a reload."""
    workspace().set_active(author(), active)
    session_layers()[active.layer] = active


def reset_layer(layer: str) -> None:
    """Back to the bundled layer of this kind (in the session and the workspace)."""
    workspace().clear_active(author(), layer)
    session_layers().pop(layer, None)


def new_active(layer: str, frame: gpd.GeoDataFrame, file_name: str, mode: str) -> ActiveLayer:
    """An active-layer record of an upload made now."""
    return ActiveLayer(layer, frame, display_name(file_name), mode,
                       datetime.now(UTC).isoformat(timespec="seconds"))


def upload_banner(ctx: Context) -> None:
    """On every page: which uploaded layers are in use (layer, file name escaped, records,
    replace or merge, when), each with a one-click way back to the bundled layer."""
    active = session_layers()
    if not active:
        return
    lang = ctx.lang
    box = st.sidebar.container(border=True)
    box.markdown(f"**{t('uploads_active', lang)}**")
    for name, layer in sorted(active.items()):
        box.warning(t("upload_banner", lang, layer=t(f"layer_{name}", lang),
                      file=plain(layer.file_name), n=layer.records,
                      mode=t(f"mode_{layer.mode}", lang),
                      when=layer.created.replace("T", " ").replace("+00:00", " UTC")),
                    icon="📄")
        if box.button(t("reset_layer", lang), key=f"banner_reset_{name}"):
            reset_layer(name)
            st.rerun()


def with_upload_provenance(rows: list[dict[str, str]], ctx: Context) -> list[dict[str, str]]:
    """A plan's provenance rows with this account's active uploads in them (the bundled file
    of a replaced layer left out), so every export says what the plan was made from."""
    active = session_layers()
    uploads = upload_rows([(a.layer, a.file_name, a.mode, a.created, a.records, ctx.country)
                           for a in active.values()])
    return with_uploads(list(rows), uploads,
                        [name for name, a in active.items() if a.mode == "replace"])


def data_summary(layers: geo_layers.Layers, ctx: Context) -> dict[str, object]:
    """What a page's table was made from, in the form of a plan's summary (`demo`,
    `provenance`: the bundled files of the country and version and the active uploads), so
    its CSV carries them the way a plan's does (`ui.exports.with_demo`)."""
    return {"demo": has_demo(layers.institutions, layers.centres, layers.foster),
            "provenance": with_upload_provenance(layer_provenance(ctx.country, ctx.version),
                                                 ctx)}


def visible_data(user: User, ctx: Context) -> tuple[geo_layers.Layers, gpd.GeoDataFrame]:
    """The layers and display units of the page as `user` may see them (the visibility
    step, `access.views`): every page takes its data from here."""
    layers = views.visible(user, active_layers(ctx), ctx.level)
    units = views.visible_units(user, display_units(ctx.country, ctx.version, ctx.lang,
                                                    ctx.level))
    return layers, units


def active_layers(ctx: Context) -> geo_layers.Layers:
    """Bundled layers with this account's active uploads applied: replacing the layer or
    merged into it by id (`geo.merge`), filtered to the country (an uploaded layer may
    cover several countries)."""
    base = bundled_layers(ctx.country, ctx.version)
    overrides = {name: merge.apply(getattr(base, name), with_units(a.frame, ctx), name, a.mode)
                 for name, a in session_layers().items()
                 if name != "boundaries"}  # boundaries follow country/version; uploads: Data
    return dataclasses.replace(base, **overrides) if overrides else base


def preview_change(user: User, ctx: Context, layer: str, frame: gpd.GeoDataFrame,
                   mode: merge.Mode) -> merge.MergePreview:
    """What applying `frame` as `layer` in `mode` would change, counted over the rows `user`
    may see (a planner's preview says nothing about other units)."""
    base = bundled_layers(ctx.country, ctx.version)
    if layer == "boundaries":
        return merge.preview(views.visible_units(user, base.boundaries),
                             views.visible_units(user, frame), layer, mode)
    return merge.preview(views.visible_frame(user, getattr(base, layer)),
                         views.visible_frame(user, with_units(frame, ctx)), layer, mode)


def with_units(gdf: gpd.GeoDataFrame, ctx: Context) -> gpd.GeoDataFrame:
    """An uploaded or saved layer's rows of the country, each with the `unit_code` (oblast)
    and `district_code` of the boundary version on screen (`geo.units.attach_units`)."""
    frame = gdf[gdf["country"] == ctx.country] if "country" in gdf.columns else gdf
    base = bundled_layers(ctx.country, ctx.version)
    return attach_units(frame.drop(columns=["unit_code", "district_code"], errors="ignore"),
                        base.boundaries, base.districts)


def saved_scenarios(user: User) -> pd.DataFrame:
    """The saved scenarios `user` may list, open and compare (`access.views`)."""
    ws = workspace()
    saved = ws.list_scenarios()
    return views.visible_scenarios(user, saved, [ws.load_scenario(n).scenario_toml
                                                 for n in saved["name"]])


def saved_layers(user: User, ctx: Context) -> pd.DataFrame:
    """The saved layers `user` may list: for a planner, those with rows in their units."""
    saved = workspace().list_layers()
    if user.role != "planner" or saved.empty:
        return saved
    return saved[[not load_saved_layer(user, ctx, name)[1].empty for name in saved["name"]]]


def load_saved_layer(user: User, ctx: Context, name: str) -> tuple[str, gpd.GeoDataFrame]:
    """(layer kind, the rows of saved layer `name` that `user` may see)."""
    kind, gdf = workspace().load_layer(name)
    if kind == "boundaries":
        return kind, views.visible_units(user, gdf)
    return kind, views.visible_frame(user, with_units(gdf, ctx))


@st.cache_data(show_spinner=False, max_entries=32)
def display_units(country: str, version: int, lang: str,
                  level: str = DEFAULT_LEVEL) -> gpd.GeoDataFrame:
    """The bundled browser copy of the units at `level` (coverage-simplified, shared borders
    kept) with names in `lang`."""
    return vm.localise_units(geo_layers.load_display_boundaries(country, version, level), lang)


def minutes_to_centres(settlements: gpd.GeoDataFrame, centres: gpd.GeoDataFrame,
                       standard: float) -> pd.Series:
    """Minutes from each settlement to its nearest centre (inf if none), indexed like
    `settlements`."""
    if centres.empty:
        return pd.Series(float("inf"), index=settlements.index)
    near = nearest_centre(settlements, centres, TravelParams(max_minutes=standard),
                          minutes=standard)
    return pd.Series(near["minutes"].to_numpy(), index=settlements.index)


def missing_layers_notice(lang: str, layers: geo_layers.Layers,
                          names: tuple[str, ...] = ("institutions", "centres", "foster")) -> None:
    """Say which layers have no records for this country (the page shows what it can)."""
    empty = [t(f"layer_{name}", lang) for name in names if getattr(layers, name).empty]
    if empty:
        st.info(t("layers_missing", lang, layers=", ".join(empty)), icon="ℹ️")


def demo_notice(lang: str, *frames: pd.DataFrame) -> None:
    """The visible "Demo data" notice whenever a shown frame holds demo records."""
    if vm.has_demo(*frames):
        st.warning(t("demo_notice", lang), icon="⚠️")


# The map host (static/map_frame): the map runs in an inner frame sandboxed without
# allow-same-origin and under a strict CSP (streamlit-folium evaluates the map's script in
# Streamlit's same-origin component frame, where injected script would reach the app).
_map_frame = components.declare_component("otbasy_map", path=str(STATIC_DIR / "map_frame"))


def show_map(m, key: str, clicks: bool = False, height: int = MAP_HEIGHT) -> dict[str, str]:
    """Render a Folium map in the sandboxed map frame. With `clicks`, a click on a feature
    reruns the caller's fragment and this returns the feature's properties (as text);
    otherwise, and before any click, {}."""
    value = _map_frame(html=standalone_html(m), height=height, clicks=clicks, key=key,
                       default=None)
    clicked = value.get("clicked") if clicks and isinstance(value, dict) else None
    if not isinstance(clicked, dict):
        return {}
    return {str(k): html.unescape(str(v)) for k, v in clicked.items()}


def workspace() -> Workspace:
    """The shared workspace (directory from OTBASY_WORKSPACE)."""
    return Workspace()


def author() -> str:
    """Who saves: the signed-in user when access control provides one, else the session id."""
    name = current_user().username
    if name:
        return name
    ctx = get_script_run_ctx()
    return f"session:{ctx.session_id[:8]}" if ctx is not None else "session"


SITE_ID = "site_id"


def site_options(layers: geo_layers.Layers, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Candidate sites a scenario can force open or exclude: id -> "name (kind, id)"."""
    options: dict[str, str] = {}
    for frame, id_col, kind in ((layers.centres, "centre_id", "site_centre"),
                                (layers.institutions, "institution_id", "site_institution"),
                                (layers.settlements, "settlement_id", "site_settlement")):
        if id_col in frame.columns:
            for sid, name in zip(frame[id_col].astype(str), frame["name"].astype(str)):
                options[sid] = f"{name} ({t(kind, lang)}, {sid})"
    return options


def site_pick_map(layers: geo_layers.Layers, units: gpd.GeoDataFrame, ctx: Context,
                  lang: str):
    """A light map of candidate sites whose tooltip is the site id (a click returns it as
    the feature's `site` property)."""
    m = maps.base_map(units.total_bounds, osm=ctx.osm, basemap_label=t("layer_basemap", lang))
    maps.unit_outline_layer(units, t("layer_units", lang)).add_to(m)
    for frame, id_col, colour, name in (
            (layers.settlements, "settlement_id", maps.SETTLEMENT_COLOUR, "layer_settlements"),
            (layers.institutions, "institution_id", "#984ea3", "layer_institutions"),
            (layers.centres, "centre_id", maps.CENTRE_COLOUR, "layer_centres")):
        if id_col in frame.columns and not frame.empty:
            maps.point_layer(frame.assign(site=frame[id_col].astype(str)), t(name, lang),
                             colour=colour, fixed_radius=5, tooltip_fields=["site"],
                             stroke="#000000").add_to(m)
    return maps.finish(m)


def field_label(spec, lang: str) -> str:
    """A scenario field's label (`ui.forms.field_label` of its path)."""
    return forms.field_label(spec.path, lang)


def scenario_form(scenario, site_options: dict[str, str], unit_codes: list[str],
                  lang: str) -> dict:
    """Draw one widget per scenario field (inside the caller's st.form); returns
    {path: value} for `ui.forms.apply_values`."""
    values: dict[tuple[str, ...], object] = {}
    specs = forms.form_fields(scenario)
    groups: dict[str, list] = {}
    for spec in specs:
        groups.setdefault(spec.path[0] if len(spec.path) > 1 else "", []).append(spec)
    for group, members in groups.items():
        box = st.expander(field_label(forms.FieldSpec((group,), "text", None), lang),
                          expanded=False) if group else st.container()
        cols = box.columns(3)
        for i, spec in enumerate(members):
            col = cols[i % 3] if spec.kind not in ("sites", "list") else box
            values[spec.path] = _widget(col, spec, site_options, unit_codes, lang)
    return values


def _widget(where, spec, site_options: dict[str, str], unit_codes: list[str], lang: str):
    key = f"scn.{spec.key}"
    label = field_label(spec, lang)
    if key not in st.session_state:
        st.session_state[key] = spec.value
    if spec.kind == "bool":
        return where.checkbox(label, key=key)
    if spec.kind == "int":
        value = where.number_input(label, step=1, key=key)
        return None if value is None else int(value)
    if spec.kind == "float":
        value = where.number_input(label, key=key, format="%g", step=None)
        return None if value is None else float(value)
    if spec.kind == "choice":
        return where.selectbox(label, spec.options, key=key, format_func=lambda v: (
            t(f"opt_{v}", lang) if f"opt_{v}" in STRINGS else str(v)))
    if spec.kind == "sites":
        options = list(dict.fromkeys([*site_options, *st.session_state[key]]))
        return where.multiselect(label, options, key=key, placeholder=t("choose", lang),
                                 format_func=lambda s: site_options.get(s, s))
    if spec.kind == "units":  # only the units this user may see are offered
        st.session_state[key] = [u for u in st.session_state[key] if u in unit_codes]
        return where.multiselect(label, unit_codes, key=key, placeholder=t("choose", lang))
    if spec.kind == "types":
        return where.multiselect(label, list(INSTITUTION_TYPES), key=key,
                                 placeholder=t("choose", lang),
                                 format_func=lambda v: tables.code_label("type", v, lang))
    if spec.kind == "list":
        text = where.text_input(label, value=", ".join(map(str, spec.value)),
                                key=f"{key}.text")
        return [v.strip() for v in text.split(",") if v.strip()]
    return where.text_input(label, key=key)
