"""The scenario form follows planning.scenario.Scenario and writes edits back losslessly."""

from __future__ import annotations

from planning.scenario import OBJECTIVES, Scenario
from ui import forms


def test_every_scenario_field_gets_a_widget_except_sidebar_ones():
    scenario = Scenario.default()
    specs = {s.path: s for s in forms.form_fields(scenario)}
    assert ("country",) not in specs and ("boundary_version",) not in specs
    assert specs[("objective",)].kind == "choice"
    assert specs[("objective",)].options == OBJECTIVES
    assert specs[("travel", "standard_minutes")].kind == "float"
    assert specs[("travel", "provider")].options == ("straight", "road")
    assert specs[("budget", "horizon_years")].kind == "int"
    assert specs[("budget", "total_kzt")].value == scenario.budget.total_kzt
    assert specs[("sites", "must_open")].kind == "sites"
    assert specs[("sites", "excluded")].kind == "sites"
    assert specs[("candidates", "site_ids")].kind == "sites"
    assert specs[("region", "units")].kind == "units"
    assert specs[("conversion", "types")].kind == "types"
    assert specs[("capacity", "enabled")].kind == "bool"


def test_apply_values_round_trips_through_toml():
    scenario = Scenario.default()
    edited = forms.apply_values(scenario, {
        ("objective",): "min_cost",
        ("travel", "standard_minutes"): 45.0,
        ("sites", "must_open"): ["gn:1526384"],
        ("budget", "total_kzt"): 1.5e9,
    })
    assert scenario.travel.standard_minutes == 60.0  # the original is untouched
    again = Scenario.from_toml(edited.to_toml())
    assert again.objective == "min_cost" and again.travel.standard_minutes == 45.0
    assert again.sites.must_open == ["gn:1526384"] and again.budget.total_kzt == 1.5e9
    assert again.capacity == scenario.capacity  # fields not edited keep their values


def test_unedited_form_values_reproduce_the_scenario():
    scenario = Scenario.default()
    values = {s.path: s.value for s in forms.form_fields(scenario)}
    assert forms.apply_values(scenario, values).to_toml() == scenario.to_toml()


def test_every_form_field_and_section_has_a_label_in_every_language():
    """No label falls back to the field's name in words: QA found the "Demand" section, its
    "Weighting" and "Rate year" fields and the equity rule's "Level" in English in ru and kk
    (and as bare words in en)."""
    from ui.i18n import LANGUAGES, STRINGS

    paths = {spec.path[:n] for spec in forms.form_fields(Scenario.default())
             for n in range(1, len(spec.path) + 1)}
    missing = [p for p in sorted(paths)
               if not any(key in STRINGS for key in (f"fld_{'_'.join(p)}", f"fld_{p[-1]}"))]
    assert missing == []
    for path in paths:
        labels = {lang: forms.field_label(path, lang) for lang in LANGUAGES}
        assert labels["ru"] != labels["en"] and labels["kk"] != labels["en"], (path, labels)
