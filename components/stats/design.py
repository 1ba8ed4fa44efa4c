"""Single-arm phase II design calculations: sample size, exact and two-stage designs, power,
operating characteristics and interim monitoring.

References
- Normal approximation for one proportion (the protocol's formula): Chow S, Shao J, Wang H.
  Sample Size Calculations in Clinical Research, 2nd ed., 2008, §4.1 (p. 85):
  n = [z(1−α/s)·√(p0(1−p0)) + z(1−β)·√(p1(1−p1))]² / (p1 − p0)², s = number of sides.
- Exact single-stage binomial design: A'Hern RP. Stat Med 2001;20:859–866 (as clinfun::ph2single):
  reject H0 when responders > r.
- Two-stage designs: Simon R. Optimal two-stage designs for phase II clinical trials. Control Clin
  Trials 1989;10:1–10 (as clinfun::ph2simon and PASS): stop after stage 1 when responders ≤ r1 of
  n1; reject H0 at the end when responders > r of n. α is one-sided.
- Predictive probability monitoring: Lee JJ, Liu DD. A predictive probability design for phase II
  cancer clinical trials. Clin Trials 2008;5:93–106.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from components.i18n import N_, _
from components.stats.pvalues import p_value_text


def normal_sample_size(p0: float, p1: float, alpha: float, power: float, sides: int = 2) -> int:
    """Evaluable patients for the one-sample proportion test by the normal approximation, with
    p0's variance under H0 and p1's under H1 (Chow et al. 2008, §4.1), rounded up."""
    if not (0 < p0 < 1 and 0 < p1 < 1) or p0 == p1:
        raise ValueError("p0 and p1 must differ and lie strictly between 0 and 1")
    za = stats.norm.ppf(1 - alpha / sides)
    zb = stats.norm.ppf(power)
    n = (za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) ** 2 / (p1 - p0) ** 2
    return int(math.ceil(n - 1e-9))


def normal_sample_size_exact_value(p0: float, p1: float, alpha: float, power: float, sides: int = 2) -> float:
    """The unrounded n of :func:`normal_sample_size` (30.5 for the protocol)."""
    za = stats.norm.ppf(1 - alpha / sides)
    zb = stats.norm.ppf(power)
    return (za * math.sqrt(p0 * (1 - p0)) + zb * math.sqrt(p1 * (1 - p1))) ** 2 / (p1 - p0) ** 2


def with_dropout(n: int, dropout: float) -> int:
    """Patients to enroll so that n remain evaluable: ceil(n / (1 − dropout))."""
    return int(math.ceil(n / (1 - dropout) - 1e-9))


def normal_test_power(n: int, p0: float, p: float, alpha: float, sides: int = 2) -> float:
    """Approximate power of the normal test at true rate p (the protocol's calculation, inverted)."""
    za = stats.norm.ppf(1 - alpha / sides)
    num = abs(p - p0) * math.sqrt(n) - za * math.sqrt(p0 * (1 - p0))
    return float(stats.norm.cdf(num / math.sqrt(p * (1 - p))))


def normal_test_critical(n: int, p0: float, alpha: float, sides: int = 2) -> int:
    """Smallest number of responders for which the normal (Wald, p0 variance) test rejects H0 in
    favour of a higher rate: (k/n − p0)/√(p0(1−p0)/n) ≥ z(1−α/s)."""
    za = stats.norm.ppf(1 - alpha / sides)
    return int(math.ceil(n * p0 + za * math.sqrt(n * p0 * (1 - p0)) - 1e-9))


# --------------------------------------------------------------------------- the protocol's test

TEST_METHODS = {
    "normal": N_("one-sample proportion test (normal approximation)"),
    "exact": N_("exact binomial test"),
}


@dataclass(frozen=True)
class ProportionTest:
    """One test of H0: ORR = p0 against a higher rate, at the design's α and sides.

    ``statistic`` is z for the normal test and the number of responders for the exact one;
    ``p_value`` is two-sided for the normal test when ``sides`` = 2 (as R ``prop.test(k, n, p0,
    correct = FALSE)``) and one-sided P(X ≥ k | n, p0) for the exact test (R ``binom.test(k, n, p0,
    alternative = "greater")``), which is then compared with α / sides. ``reject`` means H0 is
    rejected in favour of a higher rate."""

    method: str
    k: int
    n: int
    p0: float
    alpha: float
    sides: int
    statistic: float
    p_value: float
    reject: bool

    @property
    def name(self) -> str:
        return _(TEST_METHODS[self.method])

    @property
    def level(self) -> float:
        """The α the p-value is compared with."""
        return self.alpha if self.method == "normal" else self.alpha / self.sides

    @property
    def p_text(self) -> str:
        two = self.sides == 2 and self.method == "normal"
        kind = _("two-sided") if two else _("one-sided")
        return _("{p} ({kind}, α = {alpha})").format(p=p_value_text(self.p_value), kind=kind, alpha=f"{self.level:g}")

    @property
    def verdict(self) -> str:
        return _("H0 rejected") if self.reject else _("H0 not rejected")


def proportion_test(k: int, n: int, p0: float, method: str, alpha: float, sides: int = 2) -> ProportionTest:
    """The one-sample test of an ORR against p0 (see :class:`ProportionTest`).

    normal: z = (k/n − p0) / √(p0(1−p0)/n) with p0's variance (Chow et al. 2008, §4.1; the protocol's
    test); it rejects when z > 0 and p ≤ α, i.e. z ≥ z(1−α/sides). exact: P(X ≥ k | n, p0) ≤ α/sides.
    """
    if method not in TEST_METHODS:
        raise ValueError(f"unknown test method {method!r}: one of {', '.join(TEST_METHODS)}")
    if n <= 0:
        return ProportionTest(method, k, n, p0, alpha, sides, float("nan"), float("nan"), False)
    if method == "normal":
        z = (k / n - p0) / math.sqrt(p0 * (1 - p0) / n)
        p = float(2 * stats.norm.sf(abs(z))) if sides == 2 else float(stats.norm.sf(z))
        reject = z > 0 and z >= stats.norm.ppf(1 - alpha / sides) - 1e-12
        return ProportionTest(method, k, n, p0, alpha, sides, float(z), p, bool(reject))
    p = float(stats.binom.sf(k - 1, n, p0))
    return ProportionTest(method, k, n, p0, alpha, sides, float(k), p, p <= alpha / sides)


def critical_responders(n: int, p0: float, method: str, alpha: float, sides: int = 2) -> int:
    """Smallest number of responders among n with which the test rejects H0 (n + 1 if none does)."""
    if method == "normal":
        return min(normal_test_critical(n, p0, alpha, sides), n + 1)
    return int(exact_critical(n, p0, alpha / sides)[0]) + 1


@dataclass(frozen=True)
class DecisionRule:
    """The protocol's decision rule at the final analysis, and its exact sensitivity analysis."""

    method: str
    n: int
    p0: float
    p1: float
    alpha: float
    sides: int
    critical: int  # reject H0 with ≥ critical responders of n (the protocol's test)
    actual_alpha: float  # its one-sided size on the binomial distribution
    actual_power: float
    exact_critical: int  # the exact binomial test at α / sides
    exact_alpha: float
    exact_power: float

    @property
    def name(self) -> str:
        return _(TEST_METHODS[self.method])

    @property
    def alpha_text(self) -> str:
        text = _("two-sided α = {alpha}") if self.sides == 2 else _("one-sided α = {alpha}")
        return text.format(alpha=f"{self.alpha:g}")

    @property
    def text(self) -> str:
        """"reject H0 with ≥ 11 of 31 responders (one-sample proportion test …, two-sided α = 0.05)"."""
        return _("H0 is rejected with ≥ {k} responders of {n} ({test}, {alpha})").format(
            k=self.critical, n=self.n, test=self.name, alpha=self.alpha_text)


def decision_rule(n: int, p0: float, p1: float, method: str, alpha: float, sides: int = 2) -> DecisionRule:
    """The rule at n evaluable patients with the size and power each rule really has (binomial)."""
    crit = critical_responders(n, p0, method, alpha, sides)
    ex = critical_responders(n, p0, "exact", alpha, sides)
    sf = lambda r, p: float(stats.binom.sf(r - 1, n, p))  # noqa: E731  P(X ≥ r)
    return DecisionRule(method, n, p0, p1, alpha, sides, crit, sf(crit, p0), sf(crit, p1), ex, sf(ex, p0), sf(ex, p1))


# --------------------------------------------------------------------------- exact single stage


@dataclass(frozen=True)
class ExactDesign:
    n: int
    r: int  # reject H0 when responders > r
    alpha: float  # actual, one-sided
    power: float  # actual


def exact_critical(n: int | np.ndarray, p0: float, alpha: float) -> np.ndarray:
    """Smallest r with P(X > r | n, p0) ≤ α, for each n.

    Starts from scipy's inverse survival function and steps to the exact boundary, so a tail
    probability equal to α up to rounding is decided by the same ``sf(r) <= α`` comparison."""
    ns = np.atleast_1d(np.asarray(n, int))
    r = np.clip(np.nan_to_num(stats.binom.isf(alpha, ns, p0), nan=0.0).astype(int), -1, ns)
    while True:  # down while the next smaller r also keeps the tail within α
        down = (r >= 0) & (stats.binom.sf(r - 1, ns, p0) <= alpha)
        if not down.any():
            break
        r = r - down
    while True:  # up while the tail exceeds α
        up = stats.binom.sf(r, ns, p0) > alpha
        if not up.any():
            break
        r = r + up
    return r.astype(int)


def exact_single_stage_table(p0: float, p1: float, alpha: float, n_from: int = 1, n_to: int = 100) -> pd.DataFrame:
    """For each n: the critical r, actual α and power (the saw-tooth of exact designs)."""
    ns = np.arange(n_from, n_to + 1)
    r = exact_critical(ns, p0, alpha)
    return pd.DataFrame({"n": ns, "r": r, "alpha": stats.binom.sf(r, ns, p0), "power": stats.binom.sf(r, ns, p1)})


def exact_single_stage(p0: float, p1: float, alpha: float, power: float, n_max: int = 500) -> ExactDesign:
    """The smallest n (and its r) whose exact one-sided binomial test keeps α and reaches the power."""
    tab = exact_single_stage_table(p0, p1, alpha, 1, n_max)
    ok = tab[tab["power"] >= power]
    if ok.empty:
        raise ValueError(f"no exact design with n ≤ {n_max}")
    row = ok.iloc[0]
    return ExactDesign(int(row["n"]), int(row["r"]), float(row["alpha"]), float(row["power"]))


# --------------------------------------------------------------------------- Simon two-stage


@dataclass(frozen=True)
class SimonDesign:
    r1: int
    n1: int
    r: int
    n: int
    en0: float
    pet0: float
    alpha: float
    power: float
    design: str

    @property
    def text(self) -> str:
        return f"{self.r1}/{self.n1}, {self.r}/{self.n}"


def simon_reject_prob(r1: int, n1: int, r: int, n: int, p: float | np.ndarray) -> np.ndarray:
    """P(declare the drug promising) = Σ_{x1>r1} P(X1 = x1)·P(X2 > r − x1) (Simon 1989, eq. 1)."""
    p = np.atleast_1d(np.asarray(p, float))
    x1 = np.arange(r1 + 1, n1 + 1)
    out = np.zeros(len(p))
    for i, q in enumerate(p):
        out[i] = float(np.sum(stats.binom.pmf(x1, n1, q) * stats.binom.sf(r - x1, n - n1, q)))
    return out


def simon_pet(r1: int, n1: int, p: float | np.ndarray) -> np.ndarray:
    """Probability of early termination: P(X1 ≤ r1)."""
    return stats.binom.cdf(r1, n1, np.atleast_1d(np.asarray(p, float)))


def _binomial_tables(p: float, n_max: int) -> tuple[np.ndarray, np.ndarray]:
    """PMF[m, k] = P(X = k) and SFX[m, k + n_max] = P(X > k) (1 for k < 0) for X ~ Bin(m, p),
    m, k ≤ n_max."""
    m = np.arange(n_max + 1)[:, None]
    k = np.arange(n_max + 1)[None, :]
    pmf = np.where(k <= m, stats.binom.pmf(k, m, p), 0.0)
    kk = np.arange(-n_max, n_max + 1)[None, :]
    sfx = np.where(kk < 0, 1.0, stats.binom.sf(np.maximum(kk, 0), m, p))
    return pmf, sfx


def simon_candidates(p0: float, p1: float, alpha: float, power: float, n_max: int = 100) -> pd.DataFrame:
    """Every feasible two-stage design: for each n, n1 < n and r1 < n1, the smallest r whose
    rejection probability under p0 is ≤ α, kept when its power under p1 reaches the target
    (exhaustive search, Simon 1989). Vectorised over (n1, r1, r) for each n; r is searched up to
    the single-stage critical value, which bounds it (the two-stage rejection event is contained in
    {X > r})."""
    pmf0, sfx0 = _binomial_tables(p0, n_max)
    pmf1, sfx1 = _binomial_tables(p1, n_max)
    cdf0 = np.cumsum(pmf0, axis=1)
    rows = []
    tol = 1e-12
    for n in range(2, n_max + 1):
        r_single = int(np.argmax(sfx0[n, n_max : n_max + n + 1] <= alpha + tol))
        r_top = min(r_single, n - 1)
        n1 = np.arange(1, n)[:, None, None]
        x1 = np.arange(n)[None, :, None]
        r = np.arange(r_top + 1)[None, None, :]
        idx = r - x1 + n_max
        n2 = (n - n1)
        t0 = pmf0[n1, x1] * sfx0[n2, idx]
        t1 = pmf1[n1, x1] * sfx1[n2, idx]
        # M[n1, r1, r] = Σ_{x1 > r1} t[n1, x1, r]: reverse cumulative sum over x1, shifted by one
        m0 = np.cumsum(t0[:, ::-1, :], axis=1)[:, ::-1, :]
        m1 = np.cumsum(t1[:, ::-1, :], axis=1)[:, ::-1, :]
        m0 = np.concatenate([m0[:, 1:, :], np.zeros_like(m0[:, :1, :])], axis=1)
        m1 = np.concatenate([m1[:, 1:, :], np.zeros_like(m1[:, :1, :])], axis=1)
        r1 = np.arange(n)[None, :, None]
        valid = (m0 <= alpha + tol) & (r >= r1) & (r1 < n1)
        has = valid.any(axis=2)
        if not has.any():
            continue
        first = np.argmax(valid, axis=2)
        i_n1, i_r1 = np.nonzero(has)
        i_r = first[i_n1, i_r1]
        pw = m1[i_n1, i_r1, i_r]
        keep = pw >= power - tol
        if not keep.any():
            continue
        i_n1, i_r1, i_r, pw = i_n1[keep], i_r1[keep], i_r[keep], pw[keep]
        n1v = i_n1 + 1
        pet0 = cdf0[n1v, i_r1]
        rows.append(pd.DataFrame({
            "r1": i_r1, "n1": n1v, "r": i_r, "n": n, "pet0": pet0, "en0": n1v + (1 - pet0) * (n - n1v),
            "alpha": m0[i_n1, i_r1, i_r], "power": pw,
        }))
    if not rows:
        return pd.DataFrame(columns=["r1", "n1", "r", "n", "pet0", "en0", "alpha", "power"])
    return pd.concat(rows, ignore_index=True)


def simon_two_stage(
    p0: float, p1: float, alpha: float, power: float, design: str = "optimal", n_max: int = 100,
    candidates: pd.DataFrame | None = None,
) -> SimonDesign:
    """Simon's optimal (smallest expected size under H0) or minimax (smallest maximum size, then
    smallest EN0) two-stage design."""
    cand = candidates if candidates is not None else simon_candidates(p0, p1, alpha, power, n_max)
    if cand.empty:
        raise ValueError(f"no two-stage design with n ≤ {n_max}")
    if design == "optimal":
        best = cand.sort_values(["en0", "n"], kind="mergesort").iloc[0]
    elif design == "minimax":
        best = cand.sort_values(["n", "en0"], kind="mergesort").iloc[0]
    else:
        raise ValueError("design must be 'optimal' or 'minimax'")
    return SimonDesign(int(best["r1"]), int(best["n1"]), int(best["r"]), int(best["n"]), float(best["en0"]),
                       float(best["pet0"]), float(best["alpha"]), float(best["power"]), design)


# --------------------------------------------------------------------------- operating characteristics


def operating_characteristics(
    rates: np.ndarray, n_normal: int, p0: float, alpha: float, sides: int,
    exact: ExactDesign | None = None, simon: list[SimonDesign] | None = None,
) -> pd.DataFrame:
    """P(declaring success) at each true ORR for the protocol's normal test (evaluated exactly on the
    binomial), the exact single-stage design and Simon designs (with their EN and PET)."""
    rates = np.asarray(rates, float)
    k = normal_test_critical(n_normal, p0, alpha, sides)
    out = pd.DataFrame({"true ORR": rates, f"Normal test, n={n_normal} (≥{k} responders)":
                        stats.binom.sf(k - 1, n_normal, rates)})
    if exact is not None:
        out[f"Exact single-stage, n={exact.n} (>{exact.r})"] = stats.binom.sf(exact.r, exact.n, rates)
    for d in simon or []:
        label = f"Simon {d.design} {d.text}"
        out[label] = simon_reject_prob(d.r1, d.n1, d.r, d.n, rates)
        pet = simon_pet(d.r1, d.n1, rates)
        out[f"{label}: PET"] = pet
        out[f"{label}: EN"] = d.n1 + (1 - pet) * (d.n - d.n1)
    return out


_OC_LABELS = (
    (re.compile(r"^Normal test, n=(?P<n>\d+) \(≥(?P<k>\d+) responders\)$"), N_("Normal test, n={n} (≥{k} responders)")),
    (re.compile(r"^Exact single-stage, n=(?P<n>\d+) \(>(?P<r>\d+)\)$"), N_("Exact single-stage, n={n} (>{r})")),
    (re.compile(r"^Simon optimal (?P<rule>.+)$"), N_("Simon optimal {rule}")),
    (re.compile(r"^Simon minimax (?P<rule>.+)$"), N_("Simon minimax {rule}")),
)


def oc_label(column: str) -> str:
    """A column of :func:`operating_characteristics` as shown (a header, a legend entry) in the run's
    language; the column names themselves stay English."""
    base, _sep, suffix = column.partition(": ")
    if base == "true ORR":
        return _("true ORR")
    for pattern, template in _OC_LABELS:
        m = pattern.match(base)
        if m:
            base = _(template).format(**m.groupdict())
            break
    return f"{base}: {suffix}" if suffix else base


# --------------------------------------------------------------------------- interim monitoring


@dataclass(frozen=True)
class Monitoring:
    responders: int
    evaluable: int
    posterior_prob: float  # P(ORR > p0 | data)
    predictive_prob: float  # P(success at the final analysis | data)
    conditional_power_h1: float
    conditional_power_observed: float
    needed: int  # responders needed at the final analysis
    remaining: int


def posterior_prob_above(x: int, n: int, p0: float, a: float, b: float) -> float:
    """P(p > p0 | x responders of n) under a Beta(a, b) prior (posterior Beta(a + x, b + n − x))."""
    return float(stats.beta.sf(p0, a + x, b + n - x))


def predictive_probability(
    x: int, n: int, n_max: int, p0: float, a: float, b: float, theta_t: float | None = None,
    needed: int | None = None,
) -> float:
    """Lee & Liu (2008): PP = Σ_y P(Y = y | x) · 1[success with x + y of n_max], Y the responders among
    the m = n_max − n patients to come, beta-binomial(m, a + x, b + n − x). Success is
    P(p > p0 | x + y, n_max) > θ_T when ``theta_t`` is given, else x + y ≥ ``needed`` (the final
    exact test)."""
    m = max(n_max - n, 0)
    y = np.arange(m + 1)
    prob = stats.betabinom.pmf(y, m, a + x, b + n - x) if m > 0 else np.array([1.0])
    if theta_t is not None:
        win = stats.beta.sf(p0, a + x + y, b + n_max - x - y) > theta_t
    else:
        if needed is None:
            raise ValueError("give theta_t or needed")
        win = (x + y) >= needed
    return float(np.sum(prob[win]))


def conditional_power(x: int, n: int, n_max: int, needed: int, p: float) -> float:
    """P(at least needed − x responders among the n_max − n patients to come | true rate p)."""
    m = max(n_max - n, 0)
    k = needed - x
    if k <= 0:
        return 1.0
    return float(stats.binom.sf(k - 1, m, p))


def monitor(
    x: int, n: int, n_max: int, p0: float, p1: float, needed: int, prior: tuple[float, float],
    theta_t: float | None = None,
) -> Monitoring:
    a, b = prior
    return Monitoring(
        responders=x, evaluable=n,
        posterior_prob=posterior_prob_above(x, n, p0, a, b),
        predictive_prob=predictive_probability(x, n, n_max, p0, a, b, theta_t, needed),
        conditional_power_h1=conditional_power(x, n, n_max, needed, p1),
        conditional_power_observed=conditional_power(x, n, n_max, needed, x / n if n else p0),
        needed=needed, remaining=max(n_max - n, 0),
    )
