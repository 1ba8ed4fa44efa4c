"""The Response page in AppTest on the demo data."""

from __future__ import annotations

import pandas as pd

from components.datasets import load_cut
from tests.conftest import DEMO_DIR, chart_figures, decode_array


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def _response_page(app_factory):
    at = app_factory().run()
    at.switch_page("pages/response.py").run()
    assert not at.exception, at.exception
    return at


def _waterfall(at) -> dict:
    return next(f for f in chart_figures(at) if "Best change from baseline" in f["layout"]["title"]["text"])


def test_page_runs_and_shows_the_primary_endpoint(app_factory):
    at = _response_page(app_factory)
    assert _metric(at, "ORR").endswith("%")
    assert "≥ 12 responders" in " ".join(m.value for m in at.markdown)
    assert not at.error


def test_waterfall_has_one_bar_per_patient_with_a_post_baseline_measurement(app_factory):
    """Counted from ADTR directly: evaluable subjects with a SUMDIAM row after the first dose."""
    cut = load_cut(DEMO_DIR)
    adsl, adtr = cut.tables["adsl"], cut.tables["adtr"]
    sd = adtr[(adtr["PARAMCD"] == "SUMDIAM") & (adtr["ABLFL"] != "Y")].merge(adsl[["USUBJID", "TRTSDT", "EFFFL"]])
    expected = set(sd.loc[(sd["ADT"] > sd["TRTSDT"]) & (sd["EFFFL"] == "Y"), "USUBJID"])
    at = _response_page(app_factory)
    fig = _waterfall(at)
    bars = [t for t in fig["data"] if t["type"] == "bar" and t.get("customdata")]
    subjects = [row[0] for t in bars for row in t["customdata"]]
    assert sorted(subjects) == sorted(expected)
    heights = [v for t in bars for v in decode_array(t["y"])]
    assert len(heights) == len(expected)
    # sorted from the largest increase (left) to the deepest shrinkage (right)
    xs = [x for t in bars for x in decode_array(t["x"])]
    order = [h for _, h in sorted(zip(xs, heights, strict=True))]
    assert order == sorted(order, reverse=True)
    # the reference lines are at +20 and -30 on the percent axis (not 0.2 / -0.3)
    lines = sorted(s["y0"] for s in fig["layout"]["shapes"] if s.get("line", {}).get("dash") == "dash")
    assert lines == [-30, 20]
    assert fig["layout"]["yaxis"]["ticksuffix"] == "%"


def test_filters_change_the_counts(app_factory):
    at = _response_page(app_factory)
    all_n = _metric(at, "Responders / patients")
    cut = load_cut(DEMO_DIR)
    site = cut.tables["adsl"]["SITEID"].value_counts().index[0]
    at.multiselect(key="flt_SITEID").set_value([site]).run()
    assert not at.exception
    n_site = int(((cut.tables["adsl"]["SITEID"] == site) & (cut.tables["adsl"]["EFFFL"] == "Y")).sum())
    filtered = _metric(at, "Responders / patients")
    assert filtered != all_n and filtered.endswith(f"/ {n_site}")
    fig = _waterfall(at)
    sites = {row[1] for t in fig["data"] if t["type"] == "bar" and t.get("customdata") for row in t["customdata"]}
    assert len(sites) == 1


def test_population_and_confirmation_switches(app_factory):
    at = _response_page(app_factory)
    confirmed = _metric(at, "Responders / patients")
    at.toggle(key="resp_confirmed").set_value(False).run()
    unconfirmed = _metric(at, "Responders / patients")
    k_c, k_u = int(confirmed.split("/")[0]), int(unconfirmed.split("/")[0])
    assert k_u >= k_c  # an unconfirmed count can only be larger
    at.radio(key="resp_pop").set_value("SAFFL").run()
    adsl = load_cut(DEMO_DIR).tables["adsl"]
    assert _metric(at, "Responders / patients").endswith(f"/ {int((adsl['SAFFL'] == 'Y').sum())}")


def test_derived_source_lists_disagreements(app_factory):
    at = _response_page(app_factory)
    at.radio(key="resp_source").set_value("derived").run()
    assert not at.exception
    frames = [df.value for df in at.dataframe]
    assert any(isinstance(f, pd.DataFrame) and "App (RECIST 1.1)" in f.columns for f in frames)
