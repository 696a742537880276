"""Why a scenario has no plan, as codes with values, so each reader gets it in their words.

A `Reason` is a code and the values its sentence needs (money in KZT under keys ending
`_kzt`, shares in percent under keys ending `_pct`, names already joined). `text` writes it
in English for the command line; the app renders the same reason in Russian or Kazakh from
its own catalogue (`ui.i18n`), which takes the English templates from `EN`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

EN: dict[str, str] = {
    "must_open_missing": "Must-open site(s) {sites} are not candidates in this scenario (not a "
                         "candidate settlement, a convertible institution or a kept existing "
                         "centre in the chosen region).",
    "unassignable": "{count} settlement(s) with {children} children have no candidate site "
                    "within {cutoff} minutes, so not every child can be assigned ({names}). "
                    "Raise the cut-off, add candidate sites or use the max_coverage objective.",
    "target_unreachable": "Only {share_pct} of children live within {standard} minutes of any "
                          "candidate site, below the coverage target {target_pct} ({names} "
                          "cannot be reached).",
    "unit_below_equity": "Unit {unit}: only {share_pct} of its children live within {standard} "
                         "minutes of any candidate site, below the equity minimum {equity_pct}.",
    "too_many_forced": "{forced} must-open sites exceed the limit of {limit} new centres.",
    "kept_over_total": "Kept and must-open centres ({count}) alone cost {cost_kzt} over {years} "
                       "years{credit}, above the budget of {budget_kzt}.",
    "forced_over_capex": "Must-open centres need {cost_kzt} of capital spending, above the "
                         "capital budget of {budget_kzt}.",
    "kept_over_opex": "Kept and must-open centres cost {cost_kzt} a year to run{credit}, above "
                      "the annual budget of {budget_kzt}.",
    "credit_note": " (net of the running costs paying conversions release)",
    "cheapest_costs": "The cheapest plan {what} costs {cost_kzt} over {years} years.",
    "no_plan_at_all": "No plan meets the rules even with unlimited money: the equity rule, "
                      "coverage target, capacities and must-open sites cannot all hold together.",
    "budget_below_cheapest": "The budget of {budget_kzt} is below the cheapest plan {what}, "
                             "which costs {cost_kzt} over {years} years.",
    "limits_together": "No plan meets all the limits together ({limits}); the cheapest plan "
                       "{what} without the money and count limits costs {cost_kzt}.",
    "limits_none": "none set",
    "limit_total": "total budget {budget_kzt}",
    "limit_capex": "capital budget {budget_kzt}",
    "limit_opex": "annual budget {budget_kzt}",
    "limit_new": "at most {limit} new centres",
    "limit_equity": "equity rule {equity_pct} per unit",
    "what_assign": "assigning every child a centre within the cut-off",
    "what_equity": "meeting the equity rule",
    "what_target": "meeting the coverage target",
    "what_rules": "meeting the rules",
    "and_more": "{names} and {more} more",
}


@dataclass(frozen=True)
class Reason:
    """One reason: a code of `EN` and its values. Values that are themselves reasons
    (`what`, `credit`, the `limits` list) are rendered first, in the same language."""

    code: str
    values: Mapping[str, object] = field(default_factory=dict)


Template = Callable[[str], str]
Format = Callable[[float], str]


def money_en(kzt: float) -> str:
    """Money in English: bn or m KZT, or whole tenge below 100,000 (never '0.0 m KZT')."""
    if abs(kzt) >= 1e9:
        return f"{kzt / 1e9:,.2f} bn KZT"
    return f"{kzt / 1e6:,.1f} m KZT" if abs(kzt) >= 1e5 else f"{kzt:,.0f} KZT"


def render(reason: Reason, template: Template, money: Format, pct: Format,
           number: Format) -> str:
    """`reason` in the language of `template` (code -> template text), money, percent and
    plain numbers written by the given formatters."""
    out: dict[str, object] = {}
    for key, value in reason.values.items():
        if isinstance(value, Reason):
            out[key] = render(value, template, money, pct, number)
        elif isinstance(value, list | tuple):
            parts = [render(v, template, money, pct, number) for v in value]
            out[key] = "; ".join(parts) if parts else template("limits_none")
        elif key.endswith("_kzt") and isinstance(value, int | float):
            out[key] = money(float(value))
        elif key.endswith("_pct") and isinstance(value, int | float):
            out[key] = pct(float(value))
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = number(float(value))
        else:
            out[key] = value
    if int(reason.values.get("more", 0) or 0) > 0:  # type: ignore[call-overload]
        out["names"] = template("and_more").format(names=out["names"], more=out["more"])
    return template(reason.code).format(**out)


def text(reason: Reason) -> str:
    """`reason` in English, as the command line writes it."""
    return render(reason, EN.__getitem__, money_en, lambda v: f"{v:.1f}%",
                  lambda v: f"{v:,.0f}" if v >= 1000 else f"{v:g}")
