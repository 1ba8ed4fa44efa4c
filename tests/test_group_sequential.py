"""Issue 35 (2): group-sequential efficacy boundaries by Lan–DeMets alpha spending, against R's rpact
3.3.4 (tests/reference/group_sequential_reference.R → .json), and the monitoring of the phase III demo."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from components.stats.group_sequential import alpha_spent, boundaries
from tests.conftest import ROOT

REFERENCE = json.loads((ROOT / "tests" / "reference" / "group_sequential_reference.json").read_text())


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["name"] for c in REFERENCE["cases"]])
def test_boundaries_equal_rpact(case):
    b = boundaries(case["information_rates"], case["alpha"], case["sided"], case["type"])
    assert b.critical_values == pytest.approx(case["critical_values"], abs=1e-6)
    assert b.alpha_spent == pytest.approx(case["alpha_spent"], abs=1e-7)


def test_a_single_look_is_the_fixed_design_and_hand_values():
    """One look spends all of α: the boundary is Φ⁻¹(1 − α/sides). O'Brien–Fleming type at t = 1/4 (hand):
    one-sided α 0.025 → 2 − 2Φ(Φ⁻¹(0.9875)/0.5) = 2 − 2Φ(4.4826) ≈ 7.4e-6."""
    assert boundaries([1.0], 0.025, 1, "asOF").critical_values[0] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)
    assert boundaries([1.0], 0.05, 2, "asP").critical_values[0] == pytest.approx(stats.norm.isf(0.025), abs=1e-9)
    assert alpha_spent(0.25, 0.025, "asOF") == pytest.approx(2 - 2 * stats.norm.cdf(stats.norm.ppf(0.9875) / 0.5))
    assert alpha_spent(0.5, 0.05, "asP") == pytest.approx(0.05 * 0.6201145069582775)  # ln(1 + (e − 1)/2)


def test_simulated_type_one_error_is_alpha():
    """Under H0 the design rejects with probability α: 200 000 simulated Brownian paths (seeded)."""
    import numpy as np

    t = [0.3, 0.74, 1.0]
    b = boundaries(t, 0.025, 1, "asOF")
    rng = np.random.default_rng(7)
    inc = rng.normal(size=(200_000, 3)) * np.sqrt(np.diff([0.0, *t]))
    z = np.cumsum(inc, axis=1) / np.sqrt(t)
    reject = (z >= np.array(b.critical_values)).any(axis=1).mean()
    assert reject == pytest.approx(0.025, abs=3 * np.sqrt(0.025 * 0.975 / 200_000))


def test_the_phase3_demo_is_monitored_against_its_boundaries():
    """The phase III demo (looks 50%, 75%, final; two-sided 0.05, OBF type): at the cut the observed
    fraction is events / 247, the boundary there is rpact's for looks (0.5, fraction, 1), and the
    observed z is the stratified log-rank's, signed for benefit."""
    from components.analyses.base import Options
    from components.analyses.design import interim_boundaries
    from components.data.config import load_config
    from components.data.datasets import load_cut

    config = load_config(ROOT / "data" / "phase3_demo.toml")
    cut = load_cut(ROOT / "data" / "demo-phase3")
    res = interim_boundaries(cut, config, Options())
    now = res.tables["looks"].iloc[-1]
    fraction = now["EVENTS"] / 247
    assert now["FRACTION"] == pytest.approx(fraction)
    expected = boundaries([0.5, fraction, 1.0], 0.05, 2, "asOF").critical_values[1]
    assert now["BOUND"] == pytest.approx(expected)
    observed = next(c for c in REFERENCE["cases"] if c["name"] == "phase3-demo-observed")
    if now["EVENTS"] == 182:  # the reference's look (R: informationRates c(0.5, 182/247, 1))
        assert now["BOUND"] == pytest.approx(observed["critical_values"][1], abs=1e-6)
    assert res.figure is not None and "boundaries" in res.tables
    planned = next(c for c in REFERENCE["cases"] if c["name"] == "phase3-demo")
    shown = [float(x) for x in res.tables["boundaries"]["Efficacy boundary (z)"]]
    assert shown == pytest.approx(planned["critical_values"], abs=1e-3)  # as shown, to three decimals
