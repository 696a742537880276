"""Parse coordinates as people type them into registries.

Decimal degrees with a point or a comma (`43.2389`, `43,2389`), degrees-minutes-seconds with
a hemisphere in Latin or Russian (`43°14'20" N`, `76°53′ в.д.`), and a latitude/longitude pair
in one cell as copied from a web map (`43.2389, 76.8897`).
"""

from __future__ import annotations

import math
import re

from geo.validate import to_float

# Single "lat, lon" columns (matched case-insensitively, trimmed).
PAIR_ALIASES = ("coordinates", "coords", "lat/lon", "lat,lon", "latlon", "координаты",
                "координаттар", "географические координаты")

_NUMBER = r"\d+(?:[.,]\d+)?"
_DMS = re.compile(
    rf"^\s*(?P<sign>-)?\s*(?P<deg>{_NUMBER})\s*°\s*"
    rf"(?:(?P<min>{_NUMBER})\s*['′’]\s*)?"
    rf"(?:(?P<sec>{_NUMBER})\s*(?:\"|″|''|”)\s*)?"
    r"(?P<hemi>[NSEW]|с\.?\s*ш\.?|ю\.?\s*ш\.?|в\.?\s*д\.?|з\.?\s*д\.?)?\s*$",
    re.IGNORECASE,
)
_PAIR = re.compile(rf"^\s*(-?{_NUMBER})\s*[,;\s]\s*(-?{_NUMBER})\s*$")
_NEGATIVE = ("s", "w", "ю", "з")


def coordinate(value: object) -> float:
    """One coordinate in degrees; ValueError when it is not one."""
    try:
        number = to_float(value)
    except (ValueError, TypeError):
        number = _dms(str(value))
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _dms(text: str) -> float:
    m = _DMS.match(text)
    if not m:
        raise ValueError(text)
    minutes, seconds = (to_float(m.group(k)) if m.group(k) else 0.0 for k in ("min", "sec"))
    if minutes >= 60 or seconds >= 60:
        raise ValueError(text)
    degrees = to_float(m.group("deg")) + minutes / 60 + seconds / 3600
    hemi = (m.group("hemi") or "").strip().lower()
    negative = bool(m.group("sign")) != (hemi[:1] in _NEGATIVE)
    return -degrees if negative else degrees


def pair(value: object) -> tuple[float, float]:
    """(latitude, longitude) from one 'lat, lon' cell; ValueError when it is not one.

    A comma is the separator when both numbers use decimal points (`43.25, 76.95`); with
    decimal commas, use a semicolon or a space between them (`43,25; 76,95`).
    """
    text = str(value).strip()
    m = _PAIR.match(text)
    if m is None:
        raise ValueError(text)
    return coordinate(m.group(1)), coordinate(m.group(2))
