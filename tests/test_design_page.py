"""The Study design page in AppTest."""

from __future__ import annotations


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _design(app_factory, query=None):
    at = app_factory(query=query).run()
    at.switch_page("pages/design.py").run()
    assert not at.exception, at.exception
    return at


def test_protocol_numbers_on_first_load(app_factory):
    at = _design(app_factory)
    assert _metric(at, "Evaluable patients") == "31"
    assert _metric(at, "Enrolled (with dropout)") == "35"
    assert any("These are the protocol's numbers" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert "Simon optimal" in set(table["Design"]) and "Simon minimax" in set(table["Design"])


def test_changing_p1_changes_the_numbers_and_reset_restores_them(app_factory):
    at = _design(app_factory)
    at.number_input(key="design_p1").set_value(0.40).run()
    assert (_metric(at, "Evaluable patients"), _metric(at, "Enrolled (with dropout)")) == ("41", "46")
    at.button(key="design_reset").click().run()
    assert (_metric(at, "Evaluable patients"), _metric(at, "Enrolled (with dropout)")) == ("31", "35")


def test_a_shared_link_opens_its_scenario(app_factory):
    at = _design(app_factory, query={"design_p1": "0.4", "design_dropout": "0.15"})
    assert _metric(at, "Evaluable patients") == "41"
    assert _metric(at, "Enrolled (with dropout)") == "49"  # ceil(41 / 0.85)


def test_interim_monitoring_uses_the_cut(app_factory):
    at = _design(app_factory)
    assert "/" in _metric(at, "Responders / evaluable so far")
    assert _metric(at, "Predictive probability of success").endswith("%")


def test_power_curve_data_shows_probabilities_as_percentages(app_factory):
    """The data behind the power curve: probabilities as 99.99 %, not 0.9999; the expected sample sizes
    (EN) stay numbers; the data themselves (CSV) keep full precision."""
    import json

    at = _design(app_factory)
    at.session_state["_keep_data_power_curve"] = True  # open "Data behind the figure"
    at.run()
    frame = next(d for d in at.dataframe if "true ORR" in d.value.columns and len(d.value) > 50)
    formats = {k: v.get("type_config", {}).get("format") for k, v in json.loads(frame.proto.columns).items()}
    shares = [c for c in frame.value.columns if not c.endswith(": EN")]
    assert all(formats.get(c) == "percent" for c in shares), formats
    assert not any(formats.get(c) == "percent" for c in frame.value.columns if c.endswith(": EN"))
    assert frame.value["true ORR"].max() <= 1  # the data are fractions; only the display is in percent


def test_reset_clears_a_scenario_opened_from_a_link_and_a_scenario_is_labelled(app_factory):
    """Issue 36 (5): "Reset to protocol values" after a shared link (p0 = 0.25 in the address) left p0 at
    0.25. Reset now clears the address too; while a scenario is on, the page, the design table and the
    slide's table say it is one, and a slide's numbers are rounded as on screen."""
    from components.analyses.design import DesignOptions, designs
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.conftest import ROOT

    at = _design(app_factory, query={"design_p0": "0.25"})
    assert _metric(at, "Evaluable patients") != "31"
    assert any("What-if scenario" in w.value and "25%" in w.value and "21%" in w.value for w in at.warning)
    assert "Normal test (what-if)" in set(at.dataframe[0].value["Design"])
    at.button(key="design_reset").click().run()
    assert at.number_input(key="design_p0").value == 0.21
    assert "design_p0" not in at.query_params
    assert (_metric(at, "Evaluable patients"), _metric(at, "Enrolled (with dropout)")) == ("31", "35")
    assert not any("What-if scenario" in w.value for w in at.warning)
    assert "Normal test (protocol)" in set(at.dataframe[0].value["Design"])
    at.run()  # and it stays reset on the next run
    assert at.number_input(key="design_p0").value == 0.21

    config = load_config()
    res = designs(load_cut(ROOT / "data" / "demo"), config, DesignOptions(p0=0.25))
    shown = res.tables["designs_shown"]
    assert res.title.startswith("What-if scenario") and "Normal test (what-if)" in set(shown["Design"])
    for col, places in (("Actual α (one-sided)", 4), ("Actual power", 3), ("EN(p0)", 1), ("PET(p0)", 2)):
        assert all(round(v, places) == v for v in shown[col]), col
