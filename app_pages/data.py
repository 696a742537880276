"""Data: upload a file for any layer, see every problem (row, field, message) before anything
is replaced; an accepted upload becomes this session's active layer and can be saved."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from access import views
from access.guard import audit, require_page
from app_pages import common
from geo import merge
from geo.io import ACCEPTED
from ui import tables
from ui.i18n import t
from ui.uploads import check_upload
from ui.workspace import NameTaken

PAGE = "data"
user = require_page(PAGE)
ctx = common.context()
lang = ctx.lang
st.title(t("page_data", lang))

layer = st.selectbox(t("layer", lang), common.LAYER_NAMES, key="data_layer",
                     format_func=lambda k: t(f"layer_{k}", lang))
mode = st.radio(t("upload_mode", lang), merge.MODES, key="data_mode", horizontal=True,
                format_func=lambda m: t(f"upload_mode_{m}", lang))
upload = st.file_uploader(t("upload_file", lang), type=[e.lstrip(".") for e in ACCEPTED],
                          key="data_upload")


def show_preview(frame, source: str) -> None:
    """What applying `frame` as `layer` in `mode` changes, and the button that applies it."""
    change = common.preview_change(user, ctx, layer, frame, mode)
    st.subheader(t("preview_title", lang))
    st.write(t("preview_counts", lang, before=change.rows_before, after=change.rows_after,
               **change.counts()))
    if not change.ok:
        st.error(t("preview_bad_ids", lang,
                   dups=", ".join(str(r) for r, _ in change.duplicates) or "–",
                   missing=", ".join(map(str, change.missing_ids)) or "–"))
    table = change.table()
    table["change"] = [t(f"change_{c}", lang) for c in table["change"]]
    st.dataframe(tables.on_screen(tables.localise_columns(table, lang), lang), hide_index=True,
                 width="stretch")
    if st.button(t("apply_upload", lang), key="data_apply", type="primary",
                 disabled=not change.ok):
        common.activate_layer(common.new_active(layer, frame, source, mode))
        audit("upload_layer", layer=layer, file=source, records=len(frame), mode=mode)
        st.session_state["data_applied"] = (st.session_state.get("data_checked"), mode)
        st.rerun()
    if st.session_state.get("data_applied") == (st.session_state.get("data_checked"), mode):
        st.success(t("upload_ok", lang, n=change.rows_after, layer=layer,
                     mode=t(f"mode_{mode}", lang)))


if upload is not None:
    token = (upload.name, upload.size, layer)
    if st.session_state.get("data_checked") != token:
        gdf, problems = check_upload(upload.name, upload.getvalue(), layer, ctx.country)
        if gdf is None:
            st.session_state["data_result"] = ("problems", problems)
            audit("upload_refused", layer=layer, file=upload.name, bytes=upload.size,
                  problems=len(problems))
        else:
            st.session_state["data_result"] = ("ok", gdf)
        st.session_state["data_checked"] = token
    kind, payload = st.session_state.get("data_result", (None, None))
    if kind == "problems":
        st.error(t("problems_found", lang, n=len(payload)))
        st.dataframe(tables.problems_table(payload, lang), hide_index=True,
                     width="stretch")
    elif kind == "ok":
        st.info(t("upload_checked", lang, n=len(payload)))
        show_preview(payload, upload.name)
        with st.form("save_layer"):
            name = st.text_input(t("save_name", lang), value=Path(upload.name).stem)
            note = st.text_input(t("save_note", lang))
            if st.form_submit_button(t("save_layer", lang)):
                try:  # a planner saves the rows of their own units only
                    rows = payload
                    if layer != "boundaries":
                        rows = views.visible_frame(user, common.with_units(rows, ctx))
                    common.workspace().save_layer(name, layer, rows,
                                                  note=note, author=common.author(),
                                                  source=upload.name)
                except NameTaken:
                    st.error(t("name_taken", lang, name=common.plain(name.strip())))
                except ValueError:
                    st.error(t("name_required", lang))
                else:
                    audit("save_layer", layer=layer, name=name)
                    st.success(t("layer_saved", lang, name=common.plain(name.strip())))

st.subheader(t("active_layers", lang))
active = common.session_layers()
shown_layers, _ = common.visible_data(user, ctx)
st.dataframe(tables.on_screen(pd.DataFrame(
    [{t("layer", lang): t(f"layer_{name}", lang),
      t("source", lang): t("source_session" if name in active else "source_bundled", lang),
      t("col_records", lang): len(getattr(shown_layers, name))}
     for name in common.LAYER_NAMES]), lang), hide_index=True, width="stretch")
if active:
    reset = st.selectbox(t("reset_layer", lang), sorted(active), key="data_reset_layer",
                         format_func=lambda k: t(f"layer_{k}", lang))
    if st.button(t("reset_layer", lang), key="data_reset"):
        common.reset_layer(reset)
        st.rerun()

st.subheader(t("saved_layers", lang))
saved = common.saved_layers(user, ctx)  # a planner's: those with rows in their units
if not saved.empty:
    st.dataframe(tables.on_screen(tables.localise_columns(saved, lang), lang), hide_index=True,
                 width="stretch")
    pick = st.selectbox(t("saved_layers", lang), saved["name"], key="data_saved_pick")
    if st.button(t("use_saved_layer", lang), key="data_use_saved"):
        kind, gdf = common.load_saved_layer(user, ctx, pick)
        common.activate_layer(common.new_active(kind, gdf, pick, mode))
        st.rerun()
else:
    st.caption(t("no_saved_layers", lang))
