"""The Response page in AppTest on the demo data."""

from __future__ import annotations

import pandas as pd

from components.data.datasets import load_cut
from tests.conftest import DEMO_DIR, chart_figures, decode_array


def _metric(at, label):
    return next(m.value for m in at.metric if m.label.startswith(label))


def _response_page(app_factory):
    at = app_factory().run()
    at.switch_page("pages/response.py").run()
    assert not at.exception, at.exception
    return at


def _not_yet_at_first_scan(cut) -> set[str]:
    """By hand, from the demo study's schedule (first scan at week 6, 7-day window): the patients whose
    first dose + 49 days falls after the cut-off (too early to assess, whatever their scans show)."""
    adsl = cut.tables["adsl"]
    waiting = adsl["TRTSDT"].notna() & (adsl["TRTSDT"] + pd.Timedelta(days=49) > cut.cutoff)
    return set(adsl.loc[waiting, "USUBJID"])


def _waterfall(at) -> dict:
    return next(f for f in chart_figures(at) if "Best change from baseline" in f["layout"]["title"]["text"])


def test_page_runs_and_shows_the_primary_endpoint(app_factory):
    at = _response_page(app_factory)
    assert _metric(at, "ORR").endswith("%")
    # the protocol's test (one-sample normal test, two-sided 0.05) decides: ≥ 11 of 31; the exact test
    # (≥ 12) is the sensitivity analysis
    text = " ".join(m.value for m in at.markdown)
    assert "≥ 11 responders" in text and "one-sample proportion test" in text
    assert any("≥ 12 responders" in c.value and "Sensitivity" in c.value for c in at.caption)
    assert not at.error


def _ten_of_27_responders(cut, edit_table):
    """The latest demo cut with 10 of its 27 response-evaluable patients responding (CBOR PR)."""
    adsl = pd.read_csv(cut / "adsl.csv", dtype=str)
    ev = list(adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"])
    assert len(ev) == 27
    responders = set(ev[:10])

    def set_cbor(df):
        is_cbor = df["PARAMCD"] == "CBOR"
        df.loc[is_cbor, "AVALC"] = ["PR" if u in responders else "SD" for u in df.loc[is_cbor, "USUBJID"]]
        return df

    edit_table(cut, "adrs", set_cbor)
    # a later cut-off, so that every patient's first scan's window has closed (none too early to assess):
    # the decision counts all 27
    meta = (cut / "cut.toml").read_text(encoding="utf-8")
    (cut / "cut.toml").write_text(meta.replace('cutoff = "2026-11-01"', 'cutoff = "2027-01-01"'), encoding="utf-8")

    def later(df):
        df["DCUTDT"] = "2027-01-01"
        return df

    edit_table(cut, "adsl", later)
    return ev


def test_the_decision_follows_the_protocols_test(app_factory, tmp_path, latest_cut, edit_table):
    """Issue 15 (5): 10/27 — R prop.test(10, 27, 0.21, correct = FALSE) p = 0.040767 (≤ 0.05, H0
    rejected by the protocol's test); binom.test(…, "greater") p = 0.041356 (> 0.025, not rejected by
    the exact test). The page shows the protocol's p and verdict, and the exact one as sensitivity."""
    import shutil

    cuts = tmp_path / "cuts"
    shutil.copytree(latest_cut, cuts / latest_cut.name)
    _ten_of_27_responders(cuts / latest_cut.name, edit_table)
    at = app_factory(cuts).run()
    at.switch_page("pages/response.py").run()
    assert not at.exception
    assert _metric(at, "Responders /") == "10 / 27"
    assert _metric(at, "p vs H0") == "0.041"  # the protocol's two-sided normal test
    text = " ".join(m.value for m in at.markdown)
    assert "H0 rejected" in text and "z = 2.05" in text and "1 more responder needed" in text
    assert any("p = 0.041 (one-sided, α = 0.025), H0 not rejected" in c.value for c in at.caption)


def test_with_filters_the_decision_stays_on_the_whole_study(app_factory, tmp_path, latest_cut, edit_table):
    """Issue 15 (6) and (9): a site filter changes the boxes (a subgroup analysis, so labelled) but
    not the decision sentence, which counts the whole study."""
    import shutil

    cuts = tmp_path / "cuts"
    shutil.copytree(latest_cut, cuts / latest_cut.name)
    _ten_of_27_responders(cuts / latest_cut.name, edit_table)
    at = app_factory(cuts).run()
    at.switch_page("pages/response.py").run()
    site = load_cut(cuts / latest_cut.name).tables["adsl"]["SITEID"].value_counts().index[0]
    at.multiselect(key="flt_SITEID").set_value([site]).run()
    assert not at.exception
    assert _metric(at, "Responders /") != "10 / 27"
    text = " ".join(m.value for m in at.markdown)
    assert "in the whole study: 10 responders among 27 response-evaluable" in text
    assert any(m.label.startswith("p vs H0") and "subgroup analysis" in m.label for m in at.metric)
    assert any("computed on the whole study" in c.value for c in at.caption)
    # the Design page's interim panel and the Since-last-cut page state the same threshold
    at.switch_page("pages/design.py").run()
    assert not at.exception
    assert any("≥ 11 of 31" in m.value for m in at.markdown)


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
    all_n = _metric(at, "Responders /")
    cut = load_cut(DEMO_DIR)
    site = cut.tables["adsl"]["SITEID"].value_counts().index[0]
    at.multiselect(key="flt_SITEID").set_value([site]).run()
    assert not at.exception
    adsl = cut.tables["adsl"]
    n_site = len(set(adsl.loc[(adsl["SITEID"] == site) & (adsl["EFFFL"] == "Y"), "USUBJID"]) - _not_yet_at_first_scan(cut))
    filtered = _metric(at, "Responders /")
    assert filtered != all_n and filtered.endswith(f"/ {n_site}")
    fig = _waterfall(at)
    sites = {row[1] for t in fig["data"] if t["type"] == "bar" and t.get("customdata") for row in t["customdata"]}
    assert len(sites) == 1


def test_population_and_confirmation_switches(app_factory):
    at = _response_page(app_factory)
    confirmed = _metric(at, "Responders /")
    at.toggle(key="resp_confirmed").set_value(False).run()
    unconfirmed = _metric(at, "Responders /")
    k_c, k_u = int(confirmed.split("/")[0]), int(unconfirmed.split("/")[0])
    assert k_u >= k_c  # an unconfirmed count can only be larger
    at.radio(key="resp_pop").set_value("SAFFL").run()
    cut = load_cut(DEMO_DIR)
    adsl = cut.tables["adsl"]
    treated = set(adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"])
    assert _metric(at, "Responders /").endswith(f"/ {len(treated - _not_yet_at_first_scan(cut))}")


def test_patients_too_early_to_assess_are_out_of_the_rates_and_said(app_factory):
    """Issue 36 item 3: a patient whose first scan's window is still open at the cut-off is too early to
    assess, not NE: out of the ORR's denominator on the Response page, the decision and the Design page
    alike (by the calendar alone, whatever the scans so far show), with the ORR counting every patient
    as ADRS does said beside it."""
    cut = load_cut(DEMO_DIR)
    adsl = cut.tables["adsl"]
    waiting = _not_yet_at_first_scan(cut) & set(adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"])
    n_eval = int((adsl["EFFFL"] == "Y").sum())
    assert waiting, "the demo's latest cut has patients treated within 7 weeks of its cut-off"
    at = _response_page(app_factory)
    k = int(_metric(at, "Responders /").split("/")[0])
    assert _metric(at, "Responders /") == f"{k} / {n_eval - len(waiting)}"
    info = " ".join(i.value for i in at.info).replace("\\", "")  # markdown escapes
    assert f"{len(waiting)} patient(s) started treatment too recently for their first scheduled scan" in info
    assert f"{k}/{n_eval}" in info  # the ORR counting them as NE, beside
    text = " ".join(m.value for m in at.markdown)
    assert f"{k} responders among {n_eval - len(waiting)} response-evaluable" in text
    at.switch_page("pages/design.py").run()
    assert not at.exception
    assert _metric(at, "Responders / evaluable so far") == f"{k} / {n_eval - len(waiting)}"


def test_derived_source_lists_disagreements(app_factory):
    at = _response_page(app_factory)
    at.radio(key="resp_source").set_value("derived")
    at.session_state["response_section"] = "Patient listing"
    at.run()
    assert not at.exception
    frames = [df.value for df in at.dataframe]
    assert any(isinstance(f, pd.DataFrame) and "App (RECIST 1.1)" in f.columns for f in frames)


def test_category_counts_that_differ_are_said_beside_the_orr(app_factory):
    """Issue 36 item 6: the sponsor's CBOR has no CR where the app derives confirmed CRs — the counts that
    differ are said in the box above the table, not only in the listing's third tab."""
    cut = load_cut(DEMO_DIR)
    adrs = cut.tables["adrs"]
    cbor_cr = int(((adrs["PARAMCD"] == "CBOR") & (adrs["AVALC"] == "CR")).sum())
    at = _response_page(app_factory)
    boxes = " ".join(b.value for b in [*at.info, *at.warning]).replace("\\", "")
    assert f"Counts that differ (CBOR / app): CR {cbor_cr} / " in boxes
