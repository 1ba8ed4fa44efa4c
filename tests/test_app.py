"""The app as AppTest sees it: every page runs on the demo data; global filters change the counts."""

from __future__ import annotations

import pytest

from components.data.datasets import load_cut
from tests.conftest import DEMO_DIR, PAGES, chart_figures


def _metric(at, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}: {[m.label for m in at.metric]}")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_the_demo(app_factory, page):
    at = app_factory().run()
    if page != PAGES[0]:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    # demo data are labelled SYNTHETIC on every page
    assert any("SYNTHETIC" in w.value for w in at.warning)


def test_overview_key_numbers_and_filter(app_factory):
    adsl = load_cut(DEMO_DIR).tables["adsl"]
    at = app_factory().run()
    assert _metric(at, "Enrolled / target") == f"{len(adsl)} / 35"
    assert _metric(at, "Response-evaluable") == f"{(adsl.EFFFL == 'Y').sum()} / 31"
    assert any("no validation findings" in s.value for s in at.success)

    site = adsl["SITEID"].value_counts().index[0]
    at.multiselect(key="flt_SITEID").set_value([site]).run()
    n_site = int((adsl["SITEID"] == site).sum())
    assert _metric(at, "Enrolled / target") == f"{n_site} / 35"
    assert n_site < len(adsl)

    # the filter applies on every page the same way, and survives page changes
    at.switch_page("pages/overview.py").run()
    assert _metric(at, "Enrolled / target") == f"{n_site} / 35"

    at.multiselect(key="flt_P95STAT").set_value(["Positive"]).run()
    both = int(((adsl["SITEID"] == site) & (adsl["P95STAT"] == "Positive")).sum())
    assert _metric(at, "Enrolled / target") == f"{both} / 35"


def test_earlier_cut_can_be_chosen(app_factory):
    at = app_factory().run()
    at.selectbox(key="cut_Demo data (SYNTHETIC)").set_value("2026-08-01").run()
    adsl_old = load_cut(DEMO_DIR / "2026-08-01").tables["adsl"]
    assert _metric(at, "Enrolled / target") == f"{len(adsl_old)} / 35"
    assert "2026-08-01" in at.caption[0].value


def test_an_error_in_one_section_leaves_the_rest_of_the_page(app_factory, monkeypatch):
    """An unexpected error in one figure is a short message naming the section (no traceback, no
    path); the other sections are still drawn. An error outside any section is caught by app.py."""
    import components.analyses.response as response

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/server/path")

    monkeypatch.setattr(response, "waterfall", broken)
    at = app_factory().run()
    at.switch_page("pages/response.py").run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith("The waterfall could not be shown (RuntimeError)") for e in errors)
    assert not any("/secret/server/path" in e for e in errors)
    assert any(m.label == "ORR" for m in at.metric)  # the section before it is drawn
    assert any(h.value == "Best overall response" for h in at.subheader)  # and the one after it
    at.session_state["response_section"] = "Spider plot"  # the other tabs still open and draw
    at.run()
    assert not at.error and chart_figures(at)

    monkeypatch.setattr(response, "response_overview", broken)
    at.run()
    assert not at.exception
    assert any("could not be shown (RuntimeError)" in e.value for e in at.error)
