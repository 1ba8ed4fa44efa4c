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
    assert "/" in _metric(at, "Responders / assessed so far")
    assert _metric(at, "Predictive probability of success").endswith("%")
