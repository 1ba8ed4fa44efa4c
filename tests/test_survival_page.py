"""The Survival page in AppTest on the demo data."""

from __future__ import annotations

import pytest

from components.data.datasets import load_cut
from tests.conftest import DEMO_DIR, chart_figures, decode_array


def _km(at) -> dict:
    return next(f for f in chart_figures(at) if any(t.get("mode") == "text" and t.get("yaxis") == "y2" for t in f["data"]))


def _table_rows(fig) -> list[tuple[list, list]]:
    return [(decode_array(t["x"]), t["text"]) for t in fig["data"] if t.get("mode") == "text" and t.get("yaxis") == "y2"]


def _risk_rows(fig) -> list[tuple[list, list]]:
    """The number-at-risk rows of the KMunicate table (each group: at risk, events, censored), after
    checking that each group's three rows add up to its N at every tick."""
    rows = _table_rows(fig)
    assert len(rows) % 3 == 0
    for i in range(0, len(rows), 3):
        sums = {sum(int(r[1][k]) for r in rows[i:i + 3]) for k in range(len(rows[i][1]))}
        assert sums == {int(rows[i][1][0])}, sums  # = N, the number at risk at 0
    return rows[0::3]


@pytest.mark.parametrize("endpoint", ["PFS", "OS", "DOR"])
def test_page_runs_for_each_endpoint_and_risk_table_starts_at_n(app_factory, endpoint):
    cut = load_cut(DEMO_DIR)
    adtte, adsl = cut.tables["adtte"], cut.tables["adsl"]
    treated = set(adsl.loc[adsl["SAFFL"] == "Y", "USUBJID"])
    n = int(adtte[(adtte["PARAMCD"] == endpoint) & adtte["USUBJID"].isin(treated)]["USUBJID"].nunique())
    at = app_factory().run()
    at.switch_page("pages/survival.py").run()
    at.segmented_control(key="surv_endpoint").set_value(endpoint).run()
    assert not at.exception, at.exception
    assert next(m.value for m in at.metric if m.label == "Patients") == str(n)
    ((xs, texts),) = _risk_rows(_km(at))
    assert xs[0] == 0 and texts[0] == str(n)
    # the risk table sits at exactly the x ticks (every 3 months, from 0)
    fig = _km(at)
    assert fig["layout"]["xaxis"]["dtick"] == 3 and fig["layout"]["xaxis"]["tick0"] == 0
    assert [round(x, 6) for x in xs] == [3.0 * i for i in range(len(xs))]
    assert fig["layout"]["yaxis"]["range"] == [0, 1.02]


def test_subgroups_give_one_curve_and_risk_row_each_and_a_logrank_test(app_factory):
    adsl = load_cut(DEMO_DIR).tables["adsl"]
    at = app_factory().run()
    at.switch_page("pages/survival.py").run()
    next(b for b in at.selectbox if b.label == "Compare").set_value("P95STAT").run()
    assert not at.exception
    rows = _risk_rows(_km(at))
    treated = adsl[adsl["SAFFL"] == "Y"]
    assert len(rows) == treated["P95STAT"].nunique()
    assert sorted(int(texts[0]) for _, texts in rows) == sorted(treated["P95STAT"].value_counts().tolist())
    assert any("Log-rank test" in m.value for m in at.markdown)
    assert any("Small groups" in w.value for w in at.warning)


def test_transforms_change_the_ci_not_the_estimate(app_factory):
    at = app_factory().run()
    at.switch_page("pages/survival.py").run()
    med_loglog = next(m.value for m in at.metric if m.label.startswith("Median, months"))
    at.selectbox(key="surv_conf").set_value("plain").run()
    med_plain = next(m.value for m in at.metric if m.label.startswith("Median, months"))
    assert med_loglog.split(" ")[0] == med_plain.split(" ")[0]


def test_survival_is_derived_when_adtte_is_missing(app_factory, cut_copy):
    (cut_copy / "adtte.csv").unlink()
    at = app_factory(cut_copy).run()
    at.switch_page("pages/survival.py").run()
    assert not at.exception
    assert any("derived" in i.value for i in at.info)
    for ep in ("OS", "DOR"):
        at.segmented_control(key="surv_endpoint").set_value(ep).run()
        assert not at.exception
