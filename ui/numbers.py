"""Locale-aware numbers, money, percentages and plural forms for en / ru / kk, by Babel (CLDR).

Russian and Kazakh write "1,23 млрд" and "4 536 813" (decimal comma, non-breaking-space
groups), English "1.23B" and "4,536,813"; Russian has three plural forms ("1 пункт", "2
пункта", "5 пунктов"), English and Kazakh two. Hand-written rules got these wrong.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from babel import Locale
from babel.numbers import (
    format_compact_decimal,
    format_decimal,
    format_percent,
    get_decimal_symbol,
    get_group_symbol,
)

LOCALES = ("en", "ru", "kk")


def _locale(lang: str) -> str:
    return lang if lang in LOCALES else "en"


def number(value: float, lang: str = "en", decimals: int = 0) -> str:
    """`value` grouped and rounded to `decimals` the way `lang` writes numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=_locale(lang))


def percent(value_pct: float, lang: str = "en", decimals: int = 1) -> str:
    """A percentage given in percent (87.46 -> "87.5%" in en, "87,5 %"-style per locale)."""
    if value_pct is None or (isinstance(value_pct, float) and math.isnan(value_pct)):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value_pct / 100, format=pattern, locale=_locale(lang))


def compact(value: float, lang: str = "en") -> str:
    """Large amounts shortened for a card: 1.23B / 1,23 млрд (2 decimals), 45.6M / 45,6 млн."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits = 2 if abs(value) >= 1e9 else 1
    return format_compact_decimal(value, locale=_locale(lang), fraction_digits=digits)


def plural_form(n: float, lang: str = "en") -> str:
    """CLDR plural category of `n` in `lang`: "one", "few", "many" or "other"."""
    return Locale.parse(_locale(lang)).plural_form(n)


def plural(n: float, forms: Mapping[str, str], lang: str = "en") -> str:
    """The word form for `n` from `forms` (category -> form; "other" is the fallback)."""
    return forms.get(plural_form(n, lang), forms["other"])


def d3_locale(lang: str = "en") -> dict[str, object]:
    """The number locale of `lang` for Vega charts (`config.locale.number`, d3-format), from
    the same CLDR symbols, so axes, legends and tooltips write "12 345,6" in ru/kk."""
    code = _locale(lang)
    return {"decimal": get_decimal_symbol(code), "thousands": get_group_symbol(code),
            "grouping": [3], "currency": ["", ""]}
