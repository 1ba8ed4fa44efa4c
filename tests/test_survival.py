"""Kaplan–Meier, medians, log-rank and Cox against R's survival package.

Reference values: R 4.2.2, survival 3.5.3, on survival's ``aml`` data, printed by
``tests/reference/aml_reference.R`` (output committed as ``aml_reference.txt``). Survival
probabilities must agree to 1e-4 (they agree to 1e-9), medians and their CIs exactly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.stats.survival import (
    compare_groups,
    derive_pfs_os,
    kaplan_meier,
    landmark_table,
    logrank_test,
    reverse_km_followup,
)

# aml: Maintained 9, 13, 13+, 18, 23, 28+, 31, 34, 45+, 48, 161+; Nonmaintained 5, 5, 8, 8, 12, 16+,
# 23, 27, 30, 33, 43, 45.
MAINT = ([9, 13, 13, 18, 23, 28, 31, 34, 45, 48, 161], [1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 0])
NONMAINT = ([5, 5, 8, 8, 12, 16, 23, 27, 30, 33, 43, 45], [1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1])

# summary(survfit(Surv(time, status) ~ x, data = aml, conf.type = ...), censored = TRUE)
# rows: time, n.risk, n.event, surv, lower, upper
R_TABLES = {
    "log-log": {
        "Maintained": [
            (9, 11, 1, 0.9090909091, 0.5080802058, 0.9866738227),
            (13, 10, 1, 0.8181818182, 0.4474286147, 0.9511622286),
            (18, 8, 1, 0.7159090909, 0.3501903859, 0.8990239742),
            (23, 7, 1, 0.6136363636, 0.2657520400, 0.8352992433),
            (28, 6, 0, 0.6136363636, 0.2657520400, 0.8352992433),
            (31, 5, 1, 0.4909090909, 0.1673309098, 0.7533997904),
            (34, 4, 1, 0.3681818182, 0.0928295749, 0.6570408324),
            (45, 3, 0, 0.3681818182, 0.0928295749, 0.6570408324),
            (48, 2, 1, 0.1840909091, 0.0117384801, 0.5250148427),
            (161, 1, 0, 0.1840909091, 0.0117384801, 0.5250148427),
        ],
        "Nonmaintained": [
            (5, 12, 2, 0.8333333333, 0.4817149422, 0.9555093657),
            (8, 10, 2, 0.6666666667, 0.3370189325, 0.8597117991),
            (12, 8, 1, 0.5833333333, 0.2701389241, 0.8009401923),
            (16, 7, 0, 0.5833333333, 0.2701389241, 0.8009401923),
            (23, 6, 1, 0.4861111111, 0.1918766196, 0.7296715698),
            (27, 5, 1, 0.3888888889, 0.1262720122, 0.6498174083),
            (30, 4, 1, 0.2916666667, 0.0724016089, 0.5608860527),
            (33, 3, 1, 0.1944444444, 0.0311986429, 0.4614294762),
            (43, 2, 1, 0.0972222222, 0.0057463057, 0.3489038611),
            (45, 1, 1, 0.0, np.nan, np.nan),
        ],
    },
    "log": {
        "Maintained": [
            (9, 11, 1, 0.9090909091, 0.7541338451, 1.0),
            (13, 10, 1, 0.8181818182, 0.6192489874, 1.0),
            (18, 8, 1, 0.7159090909, 0.4884262874, 1.0),
            (23, 7, 1, 0.6136363636, 0.3768670595, 0.9991576002),
            (28, 6, 0, 0.6136363636, 0.3768670595, 0.9991576002),
            (31, 5, 1, 0.4909090909, 0.2548599512, 0.9455849552),
            (34, 4, 1, 0.3681818182, 0.1548771179, 0.8752606781),
            (45, 3, 0, 0.3681818182, 0.1548771179, 0.8752606781),
            (48, 2, 1, 0.1840909091, 0.0359178985, 0.9435257695),
            (161, 1, 0, 0.1840909091, 0.0359178985, 0.9435257695),
        ],
        "Nonmaintained": [
            (5, 12, 2, 0.8333333333, 0.6470369870, 1.0),
            (8, 10, 2, 0.6666666667, 0.4468460812, 0.9946253603),
            (12, 8, 1, 0.5833333333, 0.3616137052, 0.9409980122),
            (16, 7, 0, 0.5833333333, 0.3616137052, 0.9409980122),
            (23, 6, 1, 0.4861111111, 0.2675182489, 0.8833192253),
            (27, 5, 1, 0.3888888889, 0.1853965261, 0.8157357157),
            (30, 4, 1, 0.2916666667, 0.1148311502, 0.7408220185),
            (33, 3, 1, 0.1944444444, 0.0569215526, 0.6642236599),
            (43, 2, 1, 0.0972222222, 0.0152565272, 0.6195486291),
            (45, 1, 1, 0.0, np.nan, np.nan),
        ],
    },
    "plain": {
        "Maintained": [
            (9, 11, 1, 0.9090909091, 0.7392043331, 1.0),
            (13, 10, 1, 0.8181818182, 0.5902550588, 1.0),
            (18, 8, 1, 0.7159090909, 0.4421707787, 0.9896474031),
            (23, 7, 1, 0.6136363636, 0.3144824919, 0.9127902353),
            (28, 6, 0, 0.6136363636, 0.3144824919, 0.9127902353),
            (31, 5, 1, 0.4909090909, 0.1690962007, 0.8127219812),
            (34, 4, 1, 0.3681818182, 0.0493566606, 0.6870069758),
            (45, 3, 0, 0.3681818182, 0.0493566606, 0.6870069758),
            (48, 2, 1, 0.1840909091, 0.0, 0.4849311627),
            (161, 1, 0, 0.1840909091, 0.0, 0.4849311627),
        ],
        "Nonmaintained": [
            (5, 12, 2, 0.8333333333, 0.6224747814, 1.0),
            (8, 10, 2, 0.6666666667, 0.3999493513, 0.9333839820),
            (12, 8, 1, 0.5833333333, 0.3043936882, 0.8622729785),
            (16, 7, 0, 0.5833333333, 0.3043936882, 0.8622729785),
            (23, 6, 1, 0.4861111111, 0.1957815235, 0.7764406987),
            (27, 5, 1, 0.3888888889, 0.1008012621, 0.6769765157),
            (30, 4, 1, 0.2916666667, 0.0197899311, 0.5635434023),
            (33, 3, 1, 0.1944444444, 0.0, 0.4333140856),
            (43, 2, 1, 0.0972222222, 0.0, 0.2772769889),
            (45, 1, 1, 0.0, np.nan, np.nan),
        ],
    },
}
# summary(fit)$table: median, 0.95LCL, 0.95UCL (NA → nan)
R_MEDIANS = {
    "log-log": {"Maintained": (31, 13, np.nan), "Nonmaintained": (23, 5, 33)},
    "log": {"Maintained": (31, 18, np.nan), "Nonmaintained": (23, 8, np.nan)},
    "plain": {"Maintained": (31, 18, 48), "Nonmaintained": (23, 8, 33)},
}
# summary(fit, times = c(0, 10, 20, 30, 40, 48)) (48 is past the last Nonmaintained time: not reported)
R_AT_TIMES = {
    "log-log": {
        "Maintained": {0: (1, 1, 1), 10: (0.9090909091, 0.5080802058, 0.9866738227),
                       20: (0.7159090909, 0.3501903859, 0.8990239742), 30: (0.6136363636, 0.2657520400, 0.8352992433),
                       40: (0.3681818182, 0.0928295749, 0.6570408324), 48: (0.1840909091, 0.0117384801, 0.5250148427)},
        "Nonmaintained": {0: (1, 1, 1), 10: (0.6666666667, 0.3370189325, 0.8597117991),
                          20: (0.5833333333, 0.2701389241, 0.8009401923), 30: (0.2916666667, 0.0724016089, 0.5608860527),
                          40: (0.1944444444, 0.0311986429, 0.4614294762)},
    },
    "plain": {
        "Maintained": {48: (0.1840909091, 0.0, 0.4849311627)},
        "Nonmaintained": {30: (0.2916666667, 0.0197899311, 0.5635434023)},
    },
}


def _groups():
    return {"Maintained": MAINT, "Nonmaintained": NONMAINT}


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
@pytest.mark.parametrize("group", ["Maintained", "Nonmaintained"])
def test_step_table_matches_r_survfit(conf_type, group):
    km = kaplan_meier(*_groups()[group], conf_type=conf_type)
    ref = pd.DataFrame(R_TABLES[conf_type][group], columns=["time", "n_risk", "n_event", "surv", "lower", "upper"])
    tab = km.table
    np.testing.assert_array_equal(tab["time"], ref["time"])
    np.testing.assert_array_equal(tab["n_risk"], ref["n_risk"])
    np.testing.assert_array_equal(tab["n_event"], ref["n_event"])
    for col in ("surv", "lower", "upper"):
        np.testing.assert_allclose(tab[col], ref[col], atol=1e-4, equal_nan=True, err_msg=col)
        np.testing.assert_allclose(tab[col], ref[col], atol=5e-10, equal_nan=True, err_msg=col)


@pytest.mark.parametrize("conf_type", ["log-log", "log", "plain"])
@pytest.mark.parametrize("group", ["Maintained", "Nonmaintained"])
def test_median_and_ci_match_r_exactly(conf_type, group):
    km = kaplan_meier(*_groups()[group], conf_type=conf_type)
    med, lo, hi = R_MEDIANS[conf_type][group]
    got = (km.median, *km.median_ci)
    np.testing.assert_array_equal(np.array(got, float), np.array((med, lo, hi), float))


@pytest.mark.parametrize("conf_type", ["log-log", "plain"])
def test_survival_at_times_matches_r_summary(conf_type):
    for group, expected in R_AT_TIMES[conf_type].items():
        km = kaplan_meier(*_groups()[group], conf_type=conf_type)
        for t, ref in expected.items():
            np.testing.assert_allclose(km.survival_at(t), ref, atol=1e-9, err_msg=f"{group} t={t}")
    # beyond the last observed time R reports nothing: not estimable
    assert np.isnan(kaplan_meier(*NONMAINT).survival_at(48)).all()


def test_pooled_median_and_reverse_km_follow_up():
    """survfit(Surv(time, status) ~ 1, aml, conf.type = "log-log"): median 27 (13, 34); reverse KM
    survfit(Surv(time, 1 - status) ~ 1): median follow-up 161 (28, NA)."""
    t, e = MAINT[0] + NONMAINT[0], MAINT[1] + NONMAINT[1]
    km = kaplan_meier(t, e)
    assert (km.median, *km.median_ci) == (27, 13, 34) and km.n == 23 and km.events == 18
    med, lo, hi = reverse_km_followup(t, e)
    assert (med, lo) == (161, 28) and np.isnan(hi)


def test_number_at_risk_counts_time_at_least_t():
    """At t the number at risk is the number with time >= t (R summary n.risk, SAS)."""
    km = kaplan_meier(*MAINT)
    assert [km.n_at_risk(t) for t in (0, 9, 10, 13, 14, 161, 162)] == [11, 11, 10, 10, 8, 1, 0]


def test_logrank_matches_r_survdiff():
    """survdiff(Surv(time, status) ~ x, aml): chisq 3.396388699, p 0.06533932204."""
    t, e = MAINT[0] + NONMAINT[0], MAINT[1] + NONMAINT[1]
    g = ["Maintained"] * 11 + ["Nonmaintained"] * 12
    cmp = compare_groups(t, e, g, reference="Maintained")
    assert cmp.logrank_chisq == pytest.approx(3.396388699, abs=1e-8)
    assert cmp.logrank_p == pytest.approx(0.06533932204, abs=1e-10)
    p, chisq, dof = logrank_test(t, e, g)  # the test alone, as the biomarkers page calls it
    assert (p, chisq, dof) == (pytest.approx(0.06533932204, abs=1e-10), pytest.approx(3.396388699, abs=1e-8), 1)


def test_cox_hr_matches_r_coxph():
    """coxph(Surv(time, status) ~ x, aml) (Efron): HR 2.498105326 (0.9159072574, 6.813495766)."""
    t, e = MAINT[0] + NONMAINT[0], MAINT[1] + NONMAINT[1]
    g = ["Maintained"] * 11 + ["Nonmaintained"] * 12
    hr = compare_groups(t, e, g, reference="Maintained").hazard_ratios.iloc[0]
    assert hr["hr"] == pytest.approx(2.498105326, rel=1e-5)
    assert hr["lower"] == pytest.approx(0.9159072574, rel=1e-5)
    assert hr["upper"] == pytest.approx(6.813495766, rel=1e-5)


@pytest.mark.parametrize(
    "time,event,median,q50,q75",
    [
        # R print(fit) median 4: plateau at exactly 0.5 from 3 to the next drop at 5 (a censoring at
        # 3.5 inside); quantile(fit, c(.5, .75)) = 4, 5.5
        ([1, 2, 3, 3.5, 5, 6], [1, 1, 1, 0, 1, 1], 4.0, 4.0, 5.5),
        # plateau at 0.5 to the end of follow-up: print median 2 (its start), quantile 3 (midpoint to
        # the last time 4); 75% NA
        ([1, 2, 3, 4], [1, 1, 0, 0], 2.0, 3.0, np.nan),
        # tied events; plateau at 0.5 from 3 to 7: median 5; quantile 75% = 8 (0.25 from 7 to the end, 9)
        ([2, 2, 3, 5, 7, 9], [1, 1, 1, 0, 1, 0], 5.0, 5.0, 8.0),
        # all events 1..6: median 3.5 (midpoint of 3 and 4); quantile 75% = 5
        ([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1], 3.5, 3.5, 5.0),
        # the curve never reaches 0.5: NA ("NR")
        ([1, 2, 3, 4, 5], [1, 0, 0, 0, 0], np.nan, np.nan, np.nan),
    ],
)
def test_median_conventions_on_plateaus_match_r(time, event, median, q50, q75):
    """R 4.2.2 / survival 3.5.3: summary(survfit(...))$table["median"] and
    quantile(survfit(..., conf.type = "log-log"), probs = c(.5, .75))$quantile."""
    km = kaplan_meier(time, event)
    np.testing.assert_equal(km.median, median)
    np.testing.assert_equal(km.quantile(0.5)[0], q50)
    np.testing.assert_equal(km.quantile(0.75)[0], q75)


def test_landmarks_in_months():
    km = kaplan_meier(*MAINT)
    lm = landmark_table(km, [1, 2], days_per_month=10)  # 10-day "months": t = 10, 20
    np.testing.assert_allclose(lm["surv"], [0.9090909091, 0.7159090909], atol=1e-9)


def test_empty_input_is_not_an_error():
    km = kaplan_meier([], [])
    assert km.n == 0 and np.isnan(km.median)


def test_derived_pfs_and_os_follow_the_fda_rules():
    """A: PD on day 85 -> PFS event, AVAL 85. B: no PD, last adequate assessment day 127 ->
    censored there. C: death on day 300 long after the last adequate scan (day 43, > 2 x 42 + 7
    days) -> censored at day 43; OS event at death. D: no assessment, alive -> censored at day 1."""
    start = pd.Timestamp("2026-01-01")
    d = lambda k: start + pd.Timedelta(days=k - 1)  # noqa: E731  (study day k)
    adsl = pd.DataFrame({"USUBJID": list("ABCD"), "TRTSDT": [start] * 4,
                         "DTHDT": [pd.NaT, pd.NaT, d(300), pd.NaT],
                         "LSTALVDT": [d(200), d(150), d(300), d(20)]})
    bor = pd.DataFrame({"USUBJID": list("ABCD"), "PD_DATE": [d(85), pd.NaT, pd.NaT, pd.NaT],
                        "LAST_ADEQUATE": [d(85), d(127), d(43), pd.NaT]})
    tte = derive_pfs_os(adsl, bor, interval_days=42).set_index(["USUBJID", "PARAMCD"])
    assert tte.loc[("A", "PFS"), ["AVAL", "CNSR"]].tolist() == [85, 0]
    assert tte.loc[("B", "PFS"), ["AVAL", "CNSR"]].tolist() == [127, 1]
    assert tte.loc[("C", "PFS"), ["AVAL", "CNSR"]].tolist() == [43, 1]
    assert tte.loc[("C", "OS"), ["AVAL", "CNSR"]].tolist() == [300, 0]
    assert tte.loc[("D", "PFS"), ["AVAL", "CNSR"]].tolist() == [1, 1]
    assert tte.loc[("D", "OS"), ["AVAL", "CNSR"]].tolist() == [20, 1]


# --------------------------------------------------------------------------- issue 15 against R


def test_aalen_johansen_matches_r_survfit_and_cmprsk(r_reference):
    """Issue 15 (11): cumulative incidence with a competing event, ties between event types and with
    censorings, against R survfit(Surv(time, factor(status)) ~ 1) (and cmprsk::cuminc, equal in R)."""
    from components.stats.survival import cumulative_incidence

    ref = r_reference["aalen_johansen"]
    got = cumulative_incidence(ref["data"]["time"], ref["data"]["status"]).set_index("time")
    for row in ref["table"]:
        g = got.loc[row["time"]]
        assert g["n_risk"] == row["n_risk"] and g["n_event"] == row["n_event_1"] and g["n_competing"] == row["n_event_2"]
        assert g["cif"] == pytest.approx(row["cif_1"], abs=1e-12)
        assert g["cif_competing"] == pytest.approx(row["cif_2"], abs=1e-12)
        assert g["event_free"] == pytest.approx(row["event_free"], abs=1e-12)


def test_loglog_ci_is_undefined_where_s_is_one_as_in_r(r_reference):
    """Issue 15 (12): with log-log, R reports the CI as NA where S(t) = 1 after a censoring (not
    (1, 1)); before the first time summary() gives 1 and 1; log and plain give (1, 1)."""
    ref = r_reference["km_loglog"]
    for conf_type, fit in ref["fits"].items():
        km = kaplan_meier(ref["data"]["time"], ref["data"]["status"], conf_type)
        tab = km.table.set_index("time")
        for row in fit["table"]:
            for col in ("surv", "lower", "upper"):
                want, got = row[col], tab.loc[row["time"], col]
                if want is None:
                    assert np.isnan(got), (conf_type, row["time"], col)
                else:
                    assert got == pytest.approx(want, abs=1e-12), (conf_type, row["time"], col)
        for row in fit["at_times"]:
            got = km.survival_at(row["time"])
            for want, value in zip((row["surv"], row["lower"], row["upper"]), got, strict=True):
                assert np.isnan(value) if want is None else value == pytest.approx(want, abs=1e-12), (conf_type, row)
        assert km.median == fit["median"]


def test_hazard_ratio_with_no_events_in_a_group_is_not_estimable(r_reference):
    """Issue 15 (4): R's coxph gives HR 6e-10 (0–Inf) with "Ran out of iterations and did not
    converge" when group B has no events; the app says not estimable, with the reason; the log-rank
    test is still defined (R survdiff)."""
    from components.stats.survival import hr_text

    ref = r_reference["coxph_no_events"]
    assert ref["fits"]["reference_A"]["exp_coef"] < 1e-6 and ref["fits"]["reference_A"]["warnings"]
    d = ref["data"]
    cmp = compare_groups(d["time"], d["status"], d["group"], reference="A")
    row = cmp.hazard_ratios.iloc[0]
    assert not row["estimable"] and np.isnan(row["hr"]) and np.isnan(row["lower"])
    assert hr_text(row) == "not estimable: no events in B"
    assert cmp.logrank_chisq == pytest.approx(ref["fits"]["reference_A"]["survdiff"]["chisq"], rel=1e-9)
    assert cmp.logrank_p == pytest.approx(ref["fits"]["reference_A"]["survdiff"]["p"], rel=1e-9)


def test_estimable_hazard_ratio_matches_r_coxph(r_reference):
    from components.stats.survival import hr_text

    ref = r_reference["coxph_basic"]
    d = ref["data"]
    for name, fit in ref["fits"].items():
        cmp = compare_groups(d["time"], d["status"], d["group"], reference=fit["reference_level"])
        row = cmp.hazard_ratios.iloc[0]
        assert row["estimable"]
        assert row["hr"] == pytest.approx(fit["exp_coef"], rel=1e-6), name
        assert row["lower"] == pytest.approx(fit["exp_coef_lower95"], rel=1e-6)
        assert row["upper"] == pytest.approx(fit["exp_coef_upper95"], rel=1e-6)
        assert row["p"] == pytest.approx(fit["wald_p"], rel=1e-6)
        assert hr_text(row).startswith(f"{fit['exp_coef']:.2f} (")


def test_kmunicate_counts_add_up_to_n_at_every_tick():
    """Hand case (days): events at 2, 4 and 7, censored at 4 and 9. KMunicate (Morris et al. 2019):
    at risk = time ≥ t; events and censored = cumulative before t."""
    from components.stats.survival import kaplan_meier

    km = kaplan_meier([2, 4, 4, 7, 9], [1, 0, 1, 1, 0])
    assert km.counts_at(0) == (5, 0, 0)
    assert km.counts_at(4) == (4, 1, 0)
    assert km.counts_at(8) == (1, 3, 1)
    assert km.counts_at(10) == (0, 3, 2)
    assert all(sum(km.counts_at(t)) == 5 for t in range(0, 12))


def test_km_figure_has_the_kmunicate_table_under_the_ticks():
    import json

    from components.figures.km_plot import Curve, km_figure, risk_ticks
    from components.stats.survival import kaplan_meier
    from tests.conftest import decode_array

    km = kaplan_meier([30, 95, 120, 200, 260, 400], [1, 0, 1, 1, 0, 1])
    curves = [Curve("All", km, "#000000")]
    fig = json.loads(km_figure(curves, None, "PFS", tick_months=3).to_json())
    table = [t for t in fig["data"] if t.get("yaxis") == "y2"]
    assert len(table) == 3  # at risk, events, censored
    ticks = list(risk_ticks(curves, 30.4375, 3))
    for t in table:
        assert [round(x, 6) for x in decode_array(t["x"])] == [round(x, 6) for x in ticks]
    sums = [sum(int(t["text"][i]) for t in table) for i in range(len(ticks))]
    assert sums == [6] * len(ticks)
    assert fig["layout"]["yaxis2"]["ticktext"] == ["At risk", "Events", "Censored"]
    assert fig["layout"]["xaxis"]["matches"] == "x2"  # one x axis: zooming moves the table with the curves
