"""QGIS styles (QML) for the exported GeoPackage layers, in the web map's colours.

QGIS loads a layer's default style from the GeoPackage's `layer_styles` table (the table QGIS
itself writes with "Save as default"), so an exported plan opens in QGIS looking like the map in
the app: sites by decision, gaps in red, settlements in grey, units shaded by coverage.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from itertools import pairwise

import pandas as pd

from ui.maps import (
    DECISION_COLOURS,
    PALETTE,
    SETTLEMENT_COLOUR,
    UNCOVERED_COLOUR,
)


def _rgba(hex_colour: str, alpha: int = 255) -> str:
    h = hex_colour.lstrip("#")
    return ",".join(str(int(h[i:i + 2], 16)) for i in (0, 2, 4)) + f",{alpha}"


def _symbol(parent: ET.Element, name: str, kind: str, colour: str, size: float = 2.4,
            outline: str = "#ffffff", alpha: int = 217) -> None:
    symbol = ET.SubElement(parent, "symbol", type=kind, name=name, alpha="1",
                           clip_to_extent="1", force_rhr="0")
    layer = ET.SubElement(symbol, "layer", {
        "class": "SimpleMarker" if kind == "marker" else "SimpleFill", "enabled": "1",
        "pass": "0", "locked": "0"})
    options = ET.SubElement(layer, "Option", type="Map")
    values = {"color": _rgba(colour, alpha), "outline_color": _rgba(outline),
              "outline_width": "0.26", "outline_width_unit": "MM", "style": "solid",
              "outline_style": "solid"}
    if kind == "marker":
        values |= {"name": "circle", "size": f"{size:g}", "size_unit": "MM"}
    for key, value in values.items():
        ET.SubElement(options, "Option", name=key, type="QString", value=value)


def _qml(renderer: ET.Element) -> str:
    root = ET.Element("qgis", version="3.28.0", styleCategories="Symbology")
    root.append(renderer)
    body = ET.tostring(root, encoding="unicode")
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body


def single(kind: str, colour: str, size: float = 2.4, outline: str = "#ffffff") -> str:
    """One symbol for every feature (gaps, settlements)."""
    renderer = ET.Element("renderer-v2", type="singleSymbol", symbollevels="0",
                          enableorderby="0", forceraster="0")
    _symbol(ET.SubElement(renderer, "symbols"), "0", kind, colour, size, outline)
    return _qml(renderer)


def categorized(field: str, colours: dict[str, str], kind: str = "marker",
                size: float = 3.2) -> str:
    """One colour per value of `field` (sites by decision)."""
    renderer = ET.Element("renderer-v2", type="categorizedSymbol", attr=field,
                          symbollevels="0", enableorderby="0", forceraster="0")
    categories = ET.SubElement(renderer, "categories")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (value, colour) in enumerate(colours.items()):
        ET.SubElement(categories, "category", value=value, symbol=str(i), label=value,
                      render="true")
        _symbol(symbols, str(i), kind, colour, size, outline="#000000")
    return _qml(renderer)


def graduated(field: str, breaks: list[float], colours: tuple[str, ...]) -> str:
    """Polygons shaded in `colours` between consecutive `breaks` (units by coverage)."""
    renderer = ET.Element("renderer-v2", type="graduatedSymbol", attr=field,
                          graduatedMethod="GraduatedColor", symbollevels="0",
                          enableorderby="0", forceraster="0")
    ranges = ET.SubElement(renderer, "ranges")
    symbols = ET.SubElement(renderer, "symbols")
    for i, (low, high) in enumerate(pairwise(breaks)):
        ET.SubElement(ranges, "range", lower=f"{low:g}", upper=f"{high:g}", symbol=str(i),
                      label=f"{low:g} - {high:g}", render="true")
        _symbol(symbols, str(i), "fill", colours[i], outline="#555555", alpha=191)
    return _qml(renderer)


# layer -> QML, matching ui.maps (sites, gaps and settlements as on the result map)
COVERAGE_BREAKS = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
STYLES: dict[str, str] = {
    "sites": categorized("decision", DECISION_COLOURS),
    "gaps": single("marker", UNCOVERED_COLOUR, 2.0),
    "settlements": single("marker", SETTLEMENT_COLOUR, 1.4),
    "units": graduated("coverage_pct", COVERAGE_BREAKS, PALETTE),
}


def layer_styles(geometry_columns: dict[str, str]) -> pd.DataFrame:
    """The `layer_styles` rows (default style) for each layer in `geometry_columns`.

    Written into the GeoPackage as an ordinary attribute table (id as its key), the table QGIS
    itself creates with "Save as default in database".
    """
    now = datetime.now(UTC).replace(microsecond=0)
    return pd.DataFrame([{
        "f_table_catalog": "", "f_table_schema": "", "f_table_name": layer,
        "f_geometry_column": column, "styleName": f"otbasy {layer}", "styleQML": STYLES[layer],
        "styleSLD": "", "useAsDefault": True, "description": "Otbasy web-map style",
        "owner": "", "ui": None, "update_time": now} for layer, column in geometry_columns.items()])
