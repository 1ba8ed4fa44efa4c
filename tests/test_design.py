"""Design calculations against the protocol, published tables and scipy's exact binomial."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from scipy import stats

from components.stats.design import (
    conditional_power,
    exact_single_stage,
    exact_single_stage_table,
    normal_sample_size,
    normal_sample_size_exact_value,
    posterior_prob_above,
    predictive_probability,
    simon_candidates,
    simon_reject_prob,
    simon_two_stage,
    with_dropout,
)


def test_protocol_numbers():
    """Study brief: [1.95996·√(0.21·0.79) + 0.84162·√(0.43·0.57)]² / 0.22² = 30.5 → 31; ceil(31/0.9) = 35."""
    assert normal_sample_size_exact_value(0.21, 0.43, 0.05, 0.80, sides=2) == pytest.approx(30.5, abs=0.01)
    assert normal_sample_size(0.21, 0.43, 0.05, 0.80, sides=2) == 31
    assert with_dropout(31, 0.10) == 35


def test_published_worked_example_one_sided():
    """Chow, Shao & Wang, Sample Size Calculations in Clinical Research, 2nd ed. (2008), p. 85, the
    same formula one-sided (reproduced by powerandsamplesize.com, 'Test 1 Proportion, 1-Sided'):
    p0 = 0.02, p1 = 0.05, α = 0.05, β = 0.20 → 191."""
    assert normal_sample_size(0.02, 0.05, 0.05, 0.80, sides=1) == 191


def test_changing_p1_changes_the_size():
    assert normal_sample_size(0.21, 0.40, 0.05, 0.80) > 31


# Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin Trials 1989;10:1-10,
# Table 1 (α = 0.05, β = 0.20): r1/n1, r/n, EN(p0), PET(p0).
SIMON_TABLE = [
    ((0.05, 0.25), ("optimal", 0, 9, 2, 17, 12.0, 0.63), ("minimax", 0, 12, 2, 16, 13.8, 0.54)),
    ((0.10, 0.30), ("optimal", 1, 10, 5, 29, 15.0, 0.74), ("minimax", 1, 15, 5, 25, 19.5, 0.55)),
    ((0.20, 0.40), ("optimal", 3, 13, 12, 43, 20.6, 0.75), ("minimax", 4, 18, 10, 33, 22.3, 0.72)),
    ((0.30, 0.50), ("optimal", 5, 15, 18, 46, 23.6, 0.72), ("minimax", 6, 19, 16, 39, 25.7, 0.67)),
]


@pytest.mark.parametrize("rates,optimal,minimax", SIMON_TABLE, ids=[f"{r[0]}-{r[1]}" for r, *_ in SIMON_TABLE])
def test_simon_designs_equal_the_published_table(rates, optimal, minimax):
    p0, p1 = rates
    cand = simon_candidates(p0, p1, 0.05, 0.80, n_max=60)
    for spec in (optimal, minimax):
        kind, r1, n1, r, n, en0, pet0 = spec
        d = simon_two_stage(p0, p1, 0.05, 0.80, kind, candidates=cand)
        assert (d.r1, d.n1, d.r, d.n) == (r1, n1, r, n), kind
        assert round(d.en0, 1) == en0 and round(d.pet0, 2) == pet0
        assert d.alpha <= 0.05 and d.power >= 0.80


def test_simon_operating_characteristics_full_precision():
    """PhIIdesign (IDDI-BE) tinytest test-simon2stage.R, optimal design for p0 0.1, p1 0.3,
    α 0.05, β 0.2: 1/10, 5/29 with EN.p0 15.0141203471, PET.p0 0.7360989291,
    α 0.0470863066438917, β 0.194937086849675."""
    d = simon_two_stage(0.1, 0.3, 0.05, 0.80, "optimal", n_max=60)
    assert d.en0 == pytest.approx(15.0141203471, abs=1e-9)
    assert d.pet0 == pytest.approx(0.7360989291, abs=1e-9)
    assert d.alpha == pytest.approx(0.0470863066438917, abs=1e-12)
    assert 1 - d.power == pytest.approx(0.194937086849675, abs=1e-12)


def test_simon_reject_probability_by_direct_summation():
    """Simon (1989) eq. 1 evaluated with scipy directly for 3/13, 12/43 at p0 = 0.2."""
    direct = sum(stats.binom.pmf(x1, 13, 0.2) * stats.binom.sf(12 - x1, 30, 0.2) for x1 in range(4, 14))
    assert simon_reject_prob(3, 13, 12, 43, 0.2)[0] == pytest.approx(direct, rel=1e-12)


@pytest.mark.parametrize("p0,p1,alpha,power", [(0.21, 0.43, 0.025, 0.80), (0.2, 0.4, 0.05, 0.8), (0.1, 0.3, 0.05, 0.9)])
def test_exact_single_stage_checked_with_scipy(p0, p1, alpha, power):
    d = exact_single_stage(p0, p1, alpha, power)
    actual_alpha = stats.binom.sf(d.r, d.n, p0)
    actual_power = stats.binom.sf(d.r, d.n, p1)
    assert actual_alpha <= alpha and actual_power >= power
    assert d.alpha == pytest.approx(actual_alpha) and d.power == pytest.approx(actual_power)
    # r is the smallest critical value keeping α, and no smaller n qualifies with any r
    assert stats.binom.sf(d.r - 1, d.n, p0) > alpha
    for m in range(1, d.n):
        assert not any(stats.binom.sf(r, m, p0) <= alpha and stats.binom.sf(r, m, p1) >= power for r in range(m + 1))


def test_exact_power_is_saw_toothed():
    """Power is not monotone in n for exact designs: some larger n has less power than a smaller one."""
    tab = exact_single_stage_table(0.21, 0.43, 0.025, 20, 45)
    assert (tab["power"].diff().dropna() < 0).any()


def test_posterior_probability():
    """Beta(1, 1) prior, 8/26 responders: posterior Beta(9, 19); P(p > 0.21) from scipy's beta."""
    assert posterior_prob_above(8, 26, 0.21, 1, 1) == pytest.approx(stats.beta.sf(0.21, 9, 19), rel=1e-12)


def test_predictive_probability_hand_case():
    """One patient to come (n = 5 of n_max = 6), Beta(1, 1) prior, 3 responders, success needs ≥ 4:
    PP = P(next responds) = (1 + 3) / (2 + 5) = 4/7 (beta-binomial with m = 1)."""
    assert predictive_probability(3, 5, 6, 0.2, 1, 1, needed=4) == pytest.approx(4 / 7)
    # already successful: PP = 1; impossible: PP = 0
    assert predictive_probability(4, 5, 6, 0.2, 1, 1, needed=4) == pytest.approx(1.0)
    assert predictive_probability(1, 5, 6, 0.2, 1, 1, needed=4) == 0.0


def test_predictive_probability_bayesian_criterion_against_direct_sum():
    """Lee & Liu (2008) PP with θ_T: Σ_y BetaBin(y; m, a+x, b+n−x)·1[P(p>p0 | x+y) > θ_T]."""
    x, n, n_max, p0, a, b, th = 7, 20, 31, 0.21, 0.42, 1.58, 0.95
    m = n_max - n
    direct = sum(stats.betabinom.pmf(y, m, a + x, b + n - x) for y in range(m + 1)
                 if stats.beta.sf(p0, a + x + y, b + n_max - x - y) > th)
    assert predictive_probability(x, n, n_max, p0, a, b, theta_t=th) == pytest.approx(direct, rel=1e-12)


def test_conditional_power_hand_case():
    """Two patients to come, one more responder needed, p = 0.5: 1 − 0.5² = 0.75."""
    assert conditional_power(3, 10, 12, 4, 0.5) == pytest.approx(0.75)
    assert conditional_power(4, 10, 12, 4, 0.5) == 1.0


# --------------------------------------------------------------------------- the protocol's test (issue 15)


def test_normal_and_exact_tests_match_r(r_reference):
    """proportion_test against R prop.test(k, n, p0, correct = FALSE) (z² = X², two-sided p) and
    binom.test(k, n, p0, alternative = "greater") for every k of two designs."""
    from components.stats.design import proportion_test

    for rec in r_reference["prop_test"]["records"]:
        k, n, p0 = rec["k"], rec["n"], rec["p0"]
        t = proportion_test(k, n, p0, "normal", 0.05, 2)
        assert t.statistic ** 2 == pytest.approx(rec["chisq"], rel=1e-9, abs=1e-12)
        assert t.p_value == pytest.approx(rec["p_two_sided"], rel=1e-9, abs=1e-15)
        assert proportion_test(k, n, p0, "exact", 0.05, 2).p_value == pytest.approx(rec["exact_greater_p"], rel=1e-9)


def test_decision_rule_thresholds_from_r(r_reference):
    """The protocol's rule at 31 evaluable: the smallest k above n·p0 whose R prop.test p ≤ 0.05 is
    11; the exact test at one-sided 0.025 needs the smallest k with binom.test p ≤ 0.025 (12)."""
    from components.stats.design import decision_rule

    recs = [r for r in r_reference["prop_test"]["records"] if r["n"] == 31]
    normal_k = min(r["k"] for r in recs if r["k"] / 31 > 0.21 and r["p_two_sided"] <= 0.05)
    exact_k = min(r["k"] for r in recs if r["exact_greater_p"] <= 0.025)
    rule = decision_rule(31, 0.21, 0.43, "normal", 0.05, 2)
    assert (rule.critical, rule.exact_critical) == (normal_k, exact_k) == (11, 12)
    assert rule.actual_alpha == pytest.approx(next(r["exact_greater_p"] for r in recs if r["k"] == 11), rel=1e-9)
    assert decision_rule(31, 0.21, 0.43, "exact", 0.05, 2).critical == 12


def test_at_11_of_31_the_protocol_test_rejects_and_the_exact_test_does_not():
    """Issue 15 (5): 11/31 — the protocol's normal test rejects (p = 0.0477 ≤ 0.05); the exact test,
    the sensitivity analysis, does not (p = 0.0451 > 0.025). The decision follows the config."""
    from components.analyses.decision import primary_endpoint
    from components.data.config import load_config

    cfg = load_config()
    assert cfg.design.method == "normal"
    adsl = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(31)], "EFFFL": "Y"})
    bor = pd.DataFrame({"USUBJID": adsl["USUBJID"], "BOR": ["PR"] * 11 + ["SD"] * 20})
    pe = primary_endpoint(adsl, bor, cfg.design)
    assert pe.test.reject and not pe.exact.reject
    assert pe.more_needed == 0 and "already reached" in pe.sentence()
    assert "≥ 11 responders" in pe.sentence() and "≥ 12 responders" in pe.sensitivity_sentence()
    exact_cfg = replace(cfg.design, method="exact")
    pe = primary_endpoint(adsl, bor, exact_cfg)
    assert not pe.test.reject and pe.more_needed == 1


def test_config_reads_the_test_method(tmp_path):
    from components.data.config import load_config

    text = (Path(__file__).parents[1] / "data" / "study.toml").read_text()
    for line, method in (('method = "exact"', "exact"), ("", "normal")):
        path = tmp_path / f"s{method}.toml"
        path.write_text(text.replace('method = "normal"', line))
        assert load_config(path).design.method == method
    path = tmp_path / "bad.toml"
    path.write_text(text.replace('method = "normal"', 'method = "bayes"'))
    with pytest.raises(ValueError, match="method"):
        load_config(path)
