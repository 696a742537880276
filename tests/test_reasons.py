"""Why a scenario has no plan reaches a Russian or Kazakh reader in their language: every
reason code has all three languages, and a real infeasible national scenario explains itself
in each, with the same money figures as the English the command line writes."""

from __future__ import annotations

import pickle
import re
import string

import pytest

from planning.reasons import EN, Reason, text
from ui.i18n import LANGUAGES, STRINGS
from ui.tables import reason_text


def _sample(template: str) -> dict[str, object]:
    """Values for every placeholder of an English template."""
    values: dict[str, object] = {}
    for _, name, _, _ in string.Formatter().parse(template):
        if name is None:
            continue
        if name.endswith("_kzt"):
            values[name] = 1.5e9
        elif name.endswith("_pct"):
            values[name] = 42.5
        elif name == "limits":
            values[name] = [Reason("limit_total", {"budget_kzt": 1000.0})]
        elif name == "what":
            values[name] = Reason("what_rules")
        elif name == "credit":
            values[name] = Reason("credit_note")
        elif name in ("names", "sites", "unit"):
            values[name] = "Aral"
        else:
            values[name] = 7
    return values


@pytest.mark.parametrize("code", sorted(EN))
@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_every_reason_renders_in_every_language(code: str, lang: str) -> None:
    assert set(STRINGS[f"reason_{code}"]) == set(LANGUAGES), code
    reason = Reason(code, _sample(EN[code]))
    out = reason_text(reason, lang)
    assert "{" not in out and "}" not in out, out
    if lang != "en" and code != "and_more":
        assert re.search("[А-Яа-яӘәҒғҚқҢңӨөҰұҮүІі]", out), (code, lang, out)


def _infeasible(total_kzt: float):
    from planning.example import example_toml
    from planning.scenario import Scenario
    from planning.solve import InfeasibleScenario, run_scenario

    s = Scenario.from_toml(example_toml())
    s.budget.total_kzt = total_kzt
    with pytest.raises(InfeasibleScenario) as err:
        run_scenario(s)
    return err.value


def test_a_real_infeasible_scenario_explains_itself_in_each_language() -> None:
    """The national default with a budget of 1,000 KZT (released running costs cannot pay
    for buildings): the cheapest plan's cost is quoted in en, ru and kk alike."""
    exc = _infeasible(1000.0)
    assert exc.reasons and exc.cheapest_cost and exc.cheapest_cost > 1000.0
    assert [text(r) for r in exc.reasons] == exc.explanations
    assert "1,000 KZT" in exc.explanations[0]
    millions = f"{exc.cheapest_cost / 1e6:,.0f}"
    ru = [reason_text(r, "ru") for r in exc.reasons]
    kk = [reason_text(r, "kk") for r in exc.reasons]
    assert "тенге" in ru[0] and "теңге" in kk[0]
    assert "budget" not in " ".join(ru + kk).lower()
    assert millions.replace(",", "\u00a0") in ru[0] or millions in ru[0], (millions, ru[0])
    back = pickle.loads(pickle.dumps(exc))  # nosec B301 - our own object, as the worker sends it
    assert back.reasons == exc.reasons and back.explanations == exc.explanations
