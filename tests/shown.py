"""Tables as the browser shows them, for AppTest: `st.dataframe` of a Styler sends the data
and the Styler's texts; a cell the Styler writes as a label ("<5", "x", "–") holds only a
constant that sorts it underneath (`ui.tables.sort_key`), so tests read the label."""

from __future__ import annotations

import pandas as pd
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from geo.privacy import WITHHELD, small_label
from ui.tables import MISSING

LABELS = (small_label(), WITHHELD, MISSING)  # the product's own labels


def as_shown(element) -> pd.DataFrame:
    """An AppTest dataframe element's table with every labelled cell as its label."""
    data = element.value
    shown = element.proto.arrow_data.styler.display_values
    if not shown:
        return data
    text = convert_arrow_bytes_to_pandas_df(shown)
    assert text.shape == data.shape
    out = data.astype(object)
    for j in range(data.shape[1]):
        for i, value in enumerate(text.iloc[:, j]):
            if value in LABELS:
                out.iat[i, j] = value
    return out
