"""Issue 19: the two-arm statistics against R (tests/reference/issue19_reference.R → .json: R 4.2.2,
survival 3.5.3, rpact 3.3.4) to 1e-6, and the Miettinen–Nurminen interval against the published values
of Newcombe (1998), Table II (as reproduced in WUSS 2016 paper 127)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from components.stats.comparative import (
    cmh_test,
    event_probability,
    hazard_ratio,
    logrank,
    rate_difference,
    schoenfeld_events,
    two_proportions_n,
)

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "issue19_reference.json").read_text())
DATA = pd.read_csv(REF / "issue19_data.csv")
EXP, CTRL = "Experimental", "Control"
STRATA = DATA[["STRAT1", "STRAT2"]]


@pytest.mark.parametrize("key,strata", [("cox_unstratified", None), ("cox_stratified", STRATA)])
def test_cox_hazard_ratio_efron_matches_r(key, strata):
    h = hazard_ratio(DATA["AVAL"], DATA["EVENT"], DATA["ARM"], EXP, CTRL, strata)
    r = R[key]
    assert h.coef == pytest.approx(r["coef"], abs=1e-6)
    assert h.se == pytest.approx(r["se"], abs=1e-6)
    assert (h.hr, h.lower, h.upper) == pytest.approx((r["hr"], r["hr_lower_95"], r["hr_upper_95"]), abs=1e-6)
    assert h.p_value == pytest.approx(r["wald_p"], abs=1e-6)


@pytest.mark.parametrize("key,strata", [("logrank_unstratified", None), ("logrank_stratified", STRATA)])
def test_logrank_matches_r_survdiff(key, strata):
    lr = logrank(DATA["AVAL"], DATA["EVENT"], DATA["ARM"], EXP, CTRL, strata)
    r = R[key]
    assert lr.chisq == pytest.approx(r["chisq"], abs=1e-6)
    assert lr.p_value == pytest.approx(r["p"], abs=1e-6)
    for arm in (EXP, CTRL):
        assert lr.observed[arm] == r["observed"][arm]
        assert lr.expected[arm] == pytest.approx(r["expected"][arm], abs=1e-6)


@pytest.mark.parametrize("key,correct", [("cmh_correct", True), ("cmh_uncorrected", False)])
def test_cmh_matches_r_mantelhaen(key, correct):
    t = cmh_test(DATA["RESP"], DATA["ARM"], STRATA, EXP, CTRL, correct=correct)
    r = R[key]
    assert t.statistic == pytest.approx(r["statistic"], abs=1e-6)
    assert t.p_value == pytest.approx(r["p"], abs=1e-9)
    assert (t.odds_ratio, t.lower, t.upper) == pytest.approx(
        (r["common_odds_ratio_mh"], r["or_lower_95"], r["or_upper_95"]), abs=1e-6)


def test_orr_difference_miettinen_nurminen_matches_r():
    r = R["orr_difference"]
    d = rate_difference(r["x_experimental"], r["n_experimental"], r["x_control"], r["n_control"])
    assert (d.difference, d.lower, d.upper) == pytest.approx((r["estimate"], r["lower"], r["upper"]), abs=1e-7)


@pytest.mark.parametrize("k1,n1,k2,n2,lower,upper", [
    (56, 70, 48, 80, 0.0528, 0.3382), (9, 10, 3, 10, 0.1700, 0.8406), (10, 10, 0, 20, 0.7156, 1.0000),
])
def test_miettinen_nurminen_reproduces_newcombe_table_ii(k1, n1, k2, n2, lower, upper):
    """Newcombe (1998), Table II, method 6 (the values the R script also checks); a zero cell and small n
    included (statsmodels' score interval fails to converge on 9/10 vs 3/10 and 10/10 vs 0/20)."""
    d = rate_difference(k1, n1, k2, n2)
    assert (round(d.lower, 4), round(d.upper, 4)) == (lower, upper)


def test_sample_sizes_match_r_and_rpact():
    s = R["sample_sizes"]
    assert two_proportions_n(0.42, 0.25, 0.05, 0.80) == pytest.approx(s["power_prop_test"]["n_per_group"], abs=1e-6)
    assert schoenfeld_events(0.7, 0.05, 0.80) == pytest.approx(s["schoenfeld_events"]["power_0.80"]["events"], abs=1e-6)
    assert schoenfeld_events(0.7, 0.05, 0.90) == pytest.approx(s["schoenfeld_events"]["power_0.90"]["events"], abs=1e-6)
    assert schoenfeld_events(0.7, 0.05, 0.80) == pytest.approx(
        s["rpact_getSampleSizeSurvival"]["events_power_0.80"], abs=1e-6)


def test_event_probability_by_hand():
    """Uniform accrual over A then follow-up F, exponential λ: P = 1 − (e^{−λF} − e^{−λ(A+F)})/(λA).
    Hand case: median 6 (λ = ln2/6), A = 12, F = 6, HR 1: 1 − (0.5 − 0.125)/(12·0.115525) = 0.729500."""
    assert event_probability(6.0, 1.0, 12.0, 6.0) == pytest.approx(1 - (0.5 - 0.125) / (12 * 0.6931471805599453 / 6),
                                                                   abs=1e-12)
    assert event_probability(6.0, 1.0, 12.0, 6.0) == pytest.approx(0.7295, abs=1e-4)


FOREST = json.loads((REF / "issue19_forest.json").read_text())


@pytest.mark.parametrize("var", ["STRAT1", "STRAT2"])
def test_subgroup_hazard_ratios_and_interaction_match_r(var):
    """tests/reference/issue19_forest.R: coxph within each level, and anova(coxph(~ARM + V), coxph(~ARM * V))."""
    from components.stats.comparative import interaction_test

    ref = FOREST[var]
    for level, r in ref["levels"].items():
        sub = DATA[DATA[var] == level]
        h = hazard_ratio(sub["AVAL"], sub["EVENT"], sub["ARM"], EXP, CTRL)
        assert (h.hr, h.lower, h.upper, h.p_value) == pytest.approx(
            (r["hr"], r["hr_lower_95"], r["hr_upper_95"], r["wald_p"]), abs=1e-6)
    it = interaction_test(DATA["AVAL"], DATA["EVENT"], DATA["ARM"], EXP, CTRL, DATA[var])
    assert it.df == ref["interaction_lr"]["df"]
    assert it.chisq == pytest.approx(ref["interaction_lr"]["chisq"], abs=1e-6)
    assert it.p_value == pytest.approx(ref["interaction_lr"]["p"], abs=1e-6)
