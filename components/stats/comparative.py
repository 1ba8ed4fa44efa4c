"""Two-arm comparisons for randomized trials: hazard ratio (Cox, Efron ties, optionally stratified),
stratified log-rank test, Cochran–Mantel–Haenszel test of response, the difference in response rates
with the Miettinen–Nurminen CI, and sample sizes (two proportions; events by Schoenfeld).

Each is checked against R on stored output (tests/reference/issue19_reference.R → .json):
``coxph(Surv(t, e) ~ arm (+ strata()))``, ``survdiff``, ``mantelhaen.test``, ``power.prop.test``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats

from components.i18n import _

#: Newton–Raphson settings for every Cox fit, R ``coxph.control()``'s: full Newton steps from β = 0 until
#: the log-likelihood changes by less than 1e-9 (relative). lifelines' defaults (steps of 0.95, and a stop
#: on the step's size too) left estimates up to 3.4e-4 (relative) from R's; with R's rule the iterates are
#: R's, equal to about 1e-14 (tests/reference/issue31_reference.R).
COX_FIT = {"step_size": 1.0, "precision": 1e-30, "r_precision": 1e-9, "max_steps": 50}


def fit_cox(df: pd.DataFrame, duration: str, event: str, strata: list[str] | None = None, alpha: float = 0.05):
    """A Cox model fitted by lifelines (Efron ties, as R ``coxph``'s default) to convergence; the fitted
    ``CoxPHFitter``. Raises when the fit fails."""
    from lifelines import CoxPHFitter

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter(alpha=alpha).fit(df, duration, event, strata=strata, fit_options=dict(COX_FIT))


def missing_value(values) -> np.ndarray:
    """True where a grouping value is missing: NA, or a blank or whitespace-only text (R reads "" as a
    level of its own; a blank label is never shown, so it counts as missing here)."""
    v = pd.Series(np.asarray(values, object))
    return (v.isna() | v.map(lambda x: isinstance(x, str) and not x.strip())).to_numpy()


def _missing_strata(strata: pd.DataFrame | None, n: int) -> np.ndarray:
    """True where any stratification factor is missing (:func:`missing_value`)."""
    missing = np.zeros(n, bool)
    for c in strata.columns if strata is not None else ():
        missing |= missing_value(strata[c])
    return missing


@dataclass(frozen=True)
class HazardRatio:
    """Experimental against reference: HR = exp(β) with its Wald CI and p (R ``summary(coxph)``)."""

    hr: float
    lower: float
    upper: float
    p_value: float
    coef: float
    se: float
    stratified_by: tuple[str, ...] = ()
    note: str = ""  # why not estimable, when it is not
    n_missing_strata: int = 0  # patients left out for a missing stratification value (as R's na.omit)

    @property
    def estimable(self) -> bool:
        return not self.note

    def text(self) -> str:
        if not self.estimable:
            return self.note
        return f"{self.hr:.2f} (95% CI {self.lower:.2f}–{self.upper:.2f})"


def _arm_frame(time, event, arm, experimental: str, reference: str, strata: pd.DataFrame | None
               ) -> tuple[pd.DataFrame, int]:
    """The two arms' rows (t, e, arm, x = 1 for the experimental arm, s_<factor> …) and how many of them
    were left out for a missing stratification value: R's default ``na.action`` (na.omit) drops them."""
    df = pd.DataFrame({"t": np.asarray(time, float), "e": np.asarray(event, int), "arm": np.asarray(arm, object)})
    if strata is not None:
        for c in strata.columns:
            df[f"s_{c}"] = np.asarray(strata[c], object)
    missing = _missing_strata(strata, len(df))
    keep = df["arm"].isin([experimental, reference]).to_numpy() & df["t"].notna().to_numpy()
    dropped = int((keep & missing).sum())
    df = df[keep & ~missing].copy()
    df["x"] = (df["arm"] == experimental).astype(float)
    return df, dropped


def hazard_ratio(time, event, arm, experimental: str, reference: str, strata: pd.DataFrame | None = None,
                 conf_level: float = 0.95) -> HazardRatio:
    """Cox proportional hazards, Efron ties (lifelines, as R ``coxph``), of ``experimental`` against
    ``reference``; with ``strata`` (one column per stratification factor) a stratified model, each
    combination of levels its own baseline hazard (R ``+ strata(A, B)``)."""
    df, dropped = _arm_frame(time, event, arm, experimental, reference, strata)
    names = tuple(strata.columns) if strata is not None else ()
    nan = float("nan")
    for a in (experimental, reference):
        if df.loc[df["arm"] == a, "e"].sum() == 0:
            return HazardRatio(nan, nan, nan, nan, nan, nan, names, f"not estimable: no events in {a}", dropped)
    cols = ["t", "e", "x"]
    strata_cols = None
    if names:
        df["_stratum"] = df[[f"s_{c}" for c in names]].astype(str).agg(" | ".join, axis=1)
        cols.append("_stratum")
        strata_cols = ["_stratum"]
    try:
        cph = fit_cox(df[cols], "t", "e", strata_cols, alpha=1 - conf_level)
    except Exception:
        return HazardRatio(nan, nan, nan, nan, nan, nan, names, "not estimable: the Cox model did not converge",
                           dropped)
    s = cph.summary.loc["x"]
    coef, se = float(s["coef"]), float(s["se(coef)"])
    if abs(coef) > 10 or not se <= 20:
        return HazardRatio(nan, nan, nan, nan, coef, se, names,
                           "not estimable: monotone likelihood (the HR tends to 0 or infinity)", dropped)
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    return HazardRatio(float(np.exp(coef)), float(np.exp(coef - z * se)), float(np.exp(coef + z * se)),
                       float(2 * stats.norm.sf(abs(coef / se))), coef, se, names, "", dropped)


@dataclass(frozen=True)
class LogRank:
    """(Stratified) log-rank test of two arms (R ``survdiff``): chi-square on 1 df, observed and
    expected events of each arm."""

    chisq: float
    p_value: float
    observed: dict[str, float]
    expected: dict[str, float]
    stratified_by: tuple[str, ...] = ()
    n_missing_strata: int = 0  # patients left out for a missing stratification value (as R's na.omit)


def logrank(time, event, arm, experimental: str, reference: str, strata: pd.DataFrame | None = None) -> LogRank:
    """Within each stratum, at each distinct event time: O − E and the hypergeometric variance of the
    experimental arm's events; summed over times and strata, χ² = (ΣO − ΣE)² / ΣV (Mantel 1966;
    stratified: Peto & Peto 1972; R ``survdiff(... + strata())``). Rows with a missing stratification
    value are left out (R's default) and counted in ``n_missing_strata``."""
    df, dropped = _arm_frame(time, event, arm, experimental, reference, strata)
    names = tuple(strata.columns) if strata is not None else ()
    key = df[[f"s_{c}" for c in names]].astype(str).agg(" | ".join, axis=1) if names else pd.Series("", index=df.index)
    o_minus_e = var = 0.0
    expected = {experimental: 0.0, reference: 0.0}
    for _key, d in df.groupby(key):
        t = d["t"].to_numpy()
        e = d["e"].to_numpy()
        x = d["x"].to_numpy()
        for u in np.unique(t[e == 1]):
            at_risk = t >= u
            n = at_risk.sum()
            n1 = (at_risk & (x == 1)).sum()
            dead = (t == u) & (e == 1)
            dd = dead.sum()
            d1 = (dead & (x == 1)).sum()
            e1 = dd * n1 / n
            o_minus_e += d1 - e1
            expected[experimental] += e1
            expected[reference] += dd - e1
            if n > 1:
                var += dd * (n1 / n) * (1 - n1 / n) * (n - dd) / (n - 1)
    observed = {experimental: float(df.loc[df["x"] == 1, "e"].sum()), reference: float(df.loc[df["x"] == 0, "e"].sum())}
    chisq = o_minus_e ** 2 / var if var > 0 else float("nan")
    return LogRank(float(chisq), float(stats.chi2.sf(chisq, 1)) if var > 0 else float("nan"), observed, expected, names,
                   dropped)


@dataclass(frozen=True)
class CMHTest:
    """Cochran–Mantel–Haenszel test of response by arm across strata (R ``mantelhaen.test``): the
    statistic (1 df), p, and the Mantel–Haenszel common odds ratio (experimental vs reference) with
    the Robins–Breslow–Greenland 95% CI. ``note`` says why it was not computed (then NaN numbers)."""

    statistic: float
    p_value: float
    odds_ratio: float
    lower: float
    upper: float
    correct: bool
    note: str = ""
    n_missing_strata: int = 0  # patients left out for a missing stratification value (as R's table())

    @property
    def estimable(self) -> bool:
        return not self.note


def cmh_test(responder, arm, strata: pd.DataFrame, experimental: str, reference: str,
             correct: bool = True, conf_level: float = 0.95) -> CMHTest:
    """One 2×2 table per stratum (each combination of the factors' levels present in the data): rows
    experimental, reference; columns responder, non-responder. As R ``mantelhaen.test``:
    Δ = Σ_k x_k − Σ_k m_k·r_k/n_k (x the experimental responders, m the experimental patients, r the
    responders, n the patients of stratum k); with ``correct`` (R's default) the continuity correction
    ½ applies only when |Δ| ≥ ½; statistic = (|Δ| − correction)² / Σ_k m_k(n_k − m_k)·r_k(n_k − r_k) /
    (n_k²(n_k − 1)), χ² on 1 df. Like R, it refuses fewer than two strata and a stratum of fewer than two
    patients (the note says which), and leaves out patients with a missing stratification value."""
    from statsmodels.stats.contingency_tables import StratifiedTable

    nan = float("nan")
    df = pd.DataFrame({"r": np.asarray(responder, int), "arm": np.asarray(arm, object)})
    missing = _missing_strata(strata, len(df))
    df["k"] = strata.astype(str).agg(" | ".join, axis=1).to_numpy()
    two = df["arm"].isin([experimental, reference]).to_numpy()
    dropped = int((two & missing).sum())
    df = df[two & ~missing]

    def refused(why: str) -> CMHTest:
        return CMHTest(nan, nan, nan, nan, nan, correct, why, dropped)

    groups = dict(tuple(df.groupby("k")))
    if len(groups) < 2:
        return refused(_("not computed: fewer than two strata with patients (R's mantelhaen.test refuses)"))
    small = [k for k, d in groups.items() if len(d) < 2]
    if small:
        return refused(_("not computed: a stratum has one patient ({strata}); R's mantelhaen.test refuses").format(
            strata=", ".join(small)))
    tables = [np.array([[((d["arm"] == a) & (d["r"] == r)).sum() for r in (1, 0)] for a in (experimental, reference)],
                       dtype=float) for d in groups.values()]
    t = np.stack(tables)
    n = t.sum(axis=(1, 2))
    m = t[:, 0, :].sum(axis=1)
    r = t[:, :, 0].sum(axis=1)
    delta = float(t[:, 0, 0].sum() - (m * r / n).sum())
    var = float((m * (n - m) * r * (n - r) / (n ** 2 * (n - 1))).sum())
    if var <= 0:
        return refused(_("not computed: no variation in response or arm within any stratum"))
    yates = 0.5 if correct and abs(delta) >= 0.5 else 0.0
    statistic = (abs(delta) - yates) ** 2 / var
    st = StratifiedTable(tables)
    with np.errstate(divide="ignore", invalid="ignore"):
        odds = float(st.oddsratio_pooled)
        lo, hi = st.oddsratio_pooled_confint(alpha=1 - conf_level)
    if not (np.isfinite(odds) and odds > 0):  # a zero margin makes the common odds ratio 0 or infinite
        odds, lo, hi = nan, nan, nan
    return CMHTest(float(statistic), float(stats.chi2.sf(statistic, 1)), odds, float(lo), float(hi), correct, "",
                   dropped)


@dataclass(frozen=True)
class RateDifference:
    """p_experimental − p_reference with the Miettinen–Nurminen score CI."""

    k1: int
    n1: int
    k2: int
    n2: int
    difference: float
    lower: float
    upper: float

    def text(self) -> str:
        return _("{d} points (95% CI {lo} to {hi})").format(d=f"{100 * self.difference:+.1f}", lo=f"{100 * self.lower:+.1f}",
                                                            hi=f"{100 * self.upper:+.1f}")


def _mn_restricted(p1: float, p2: float, n1: int, n2: int, delta: float) -> tuple[float, float]:
    """Maximum-likelihood p1, p2 under p1 − p2 = delta: the closed-form root of the cubic of
    Miettinen & Nurminen (1985, appendix; also Farrington & Manning 1990)."""
    theta = n2 / n1
    a = 1 + theta
    b = -(1 + theta + p1 + theta * p2 + delta * (theta + 2))
    c = delta ** 2 + delta * (2 * p1 + theta + 1) + p1 + theta * p2
    d = -p1 * delta * (1 + delta)
    v = b ** 3 / (27 * a ** 3) - b * c / (6 * a ** 2) + d / (2 * a)
    u2 = b ** 2 / (9 * a ** 2) - c / (3 * a)
    u = np.sign(v) * np.sqrt(max(u2, 0.0)) if v != 0 else np.sqrt(max(u2, 0.0))
    ratio = 0.0 if u == 0 else np.clip(v / u ** 3, -1.0, 1.0)
    w = (np.pi + np.arccos(ratio)) / 3
    r1 = float(np.clip(2 * u * np.cos(w) - b / (3 * a), 0.0, 1.0))
    r2 = float(np.clip(r1 - delta, 0.0, 1.0))
    return r1, r2


def _mn_score(k1: int, n1: int, k2: int, n2: int, delta: float) -> float:
    """The Miettinen–Nurminen score statistic for H: p1 − p2 = delta (variance × N/(N−1))."""
    p1, p2 = k1 / n1, k2 / n2
    r1, r2 = _mn_restricted(p1, p2, n1, n2, delta)
    var = (r1 * (1 - r1) / n1 + r2 * (1 - r2) / n2) * (n1 + n2) / (n1 + n2 - 1)
    diff = p1 - p2 - delta
    if var <= 0:
        return 0.0 if abs(diff) < 1e-15 else float(np.sign(diff) * np.inf)
    return float(diff / np.sqrt(var))


def rate_difference(k1: int, n1: int, k2: int, n2: int, conf_level: float = 0.95) -> RateDifference:
    """Miettinen & Nurminen (1985) score interval for p1 − p2: the differences δ whose score statistic
    (restricted MLE variance × N/(N−1)) stays within ±z. The score is monotone in δ; each bound is
    found by bisection to 1e-12 on (−1, d̂] and [d̂, 1), so zero cells and small n (where statsmodels'
    solver fails) are handled; a bound that the data cannot move is −1 or 1."""
    k1, n1, k2, n2 = int(k1), int(n1), int(k2), int(n2)
    z = stats.norm.ppf(1 - (1 - conf_level) / 2)
    d = k1 / n1 - k2 / n2

    def bound(lo: float, hi: float, target: float) -> float:
        f = lambda x: _mn_score(k1, n1, k2, n2, x) - target  # noqa: E731
        if f(lo) * f(hi) > 0:
            return lo if abs(f(lo)) < abs(f(hi)) else hi
        return float(optimize.brentq(f, lo, hi, xtol=1e-13, maxiter=500))

    eps = 1e-12
    lower = -1.0 if _mn_score(k1, n1, k2, n2, -1 + eps) <= z else bound(-1 + eps, d, z)
    upper = 1.0 if _mn_score(k1, n1, k2, n2, 1 - eps) >= -z else bound(d, 1 - eps, -z)
    return RateDifference(k1, n1, k2, n2, d, lower, upper)


def two_proportions_n(p1: float, p2: float, alpha: float = 0.05, power: float = 0.8, sides: int = 2) -> float:
    """Patients per arm to detect p1 against p2 (R ``power.prop.test``, its power function solved
    for n: power = Φ((√n·|p1−p2| − z·√(2p̄q̄)) / √(p1q1 + p2q2)))."""
    z = stats.norm.ppf(1 - alpha / sides)
    pbar = (p1 + p2) / 2
    diff = abs(p1 - p2)

    def gap(n: float) -> float:
        return stats.norm.cdf((np.sqrt(n) * diff - z * np.sqrt(2 * pbar * (1 - pbar)))
                              / np.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) - power

    return float(optimize.brentq(gap, 2, 1e7, xtol=1e-10))


def schoenfeld_events(hr: float, alpha: float = 0.05, power: float = 0.8, sides: int = 2,
                      allocation: float = 0.5) -> float:
    """Events needed for a log-rank test of ``hr`` (Schoenfeld 1983): (z_α + z_β)² / (π(1−π)·log² HR),
    π the share of patients on the experimental arm."""
    za, zb = stats.norm.ppf(1 - alpha / sides), stats.norm.ppf(power)
    return float((za + zb) ** 2 / (allocation * (1 - allocation) * np.log(hr) ** 2))


def event_probability(control_median: float, hr: float, accrual: float, followup: float,
                      allocation: float = 0.5) -> float:
    """Probability that a patient has had an event by the analysis, exponential survival in each arm
    (median ``control_median`` and ``control_median / hr``), uniform accrual over ``accrual`` then
    ``followup`` more (same time unit): P = 1 − [e^{−λF} − e^{−λ(A+F)}] / (λA), averaged over the arms
    (Lachin & Foulkes 1986, uniform entry)."""
    lam_c = np.log(2) / control_median
    lam_e = lam_c * hr

    def p(lam: float) -> float:
        return 1 - (np.exp(-lam * followup) - np.exp(-lam * (accrual + followup))) / (lam * accrual)

    return float((1 - allocation) * p(lam_c) + allocation * p(lam_e))


@dataclass(frozen=True)
class Interaction:
    """Likelihood-ratio test of the arm × subgroup interaction in a Cox model (R ``anova(coxph(~ arm +
    g), coxph(~ arm * g))``): does the treatment effect differ between the subgroup's levels?
    ``note`` says why there is no p-value; ``n_missing`` patients had no subgroup value."""

    chisq: float
    df: int
    p_value: float
    note: str = ""
    n_missing: int = 0


def _independent_columns(x: pd.DataFrame, tol: float = 1e-7) -> list[str]:
    """The columns of ``x`` that are not linear combinations of the columns before them and of a
    constant (a Cox model has no intercept: the baseline hazard absorbs it), as R ``coxph`` keeps them
    (an aliased column gets an NA coefficient there and no degree of freedom)."""
    kept: list[str] = []
    basis = np.ones((len(x), 1))
    for c in x.columns:
        v = x[c].to_numpy(float)
        coef, *_ = np.linalg.lstsq(basis, v, rcond=None)
        resid = v - basis @ coef
        if np.linalg.norm(resid) > tol * max(1.0, np.linalg.norm(v)):
            kept.append(c)
            basis = np.column_stack([basis, v])
    return kept


def interaction_test(time, event, arm, experimental: str, reference: str, subgroup) -> Interaction:
    """Cox models with and without the arm × subgroup terms (Efron ties); χ² = 2 (ℓ₁ − ℓ₀) on the
    difference in estimable coefficients (R ``anova.coxphlist``): a term aliased with the others (a level
    with one arm only) adds none. Patients without a subgroup value are left out of both models, as R's
    default ``na.action``. NaN, with the reason, when no interaction term can be estimated or a model
    cannot be fitted."""
    g = pd.Series(np.asarray(subgroup, object))
    missing = missing_value(g)
    groups = pd.DataFrame({"g": g.where(~missing).to_numpy()})
    df, _dropped = _arm_frame(time, event, arm, experimental, reference, None)
    df = df.join(groups)  # both indexed by position
    n_missing = int(df["g"].isna().sum())
    df = df[df["g"].notna()]
    levels = sorted(df["g"].astype(str).unique())
    nan = float("nan")
    if len(levels) < 2:
        return Interaction(nan, 0, nan, _("not testable: fewer than two subgroup levels"), n_missing)
    dummies = pd.get_dummies(df["g"].astype(str), prefix="g", dtype=float).drop(columns=f"g_{levels[0]}")
    main = pd.concat([df[["x"]], dummies], axis=1)
    full = main.copy()
    for c in dummies.columns:
        full[f"x:{c}"] = main["x"] * main[c]
    keep0, keep1 = _independent_columns(main), _independent_columns(full)
    k = len(keep1) - len(keep0)
    if k == 0:
        return Interaction(nan, 0, nan, _("not testable: no arm × subgroup term can be estimated (a level has "
                                          "one arm only)"), n_missing)
    try:
        l0 = fit_cox(pd.concat([df[["t", "e"]], main[keep0]], axis=1), "t", "e").log_likelihood_
        l1 = fit_cox(pd.concat([df[["t", "e"]], full[keep1]], axis=1), "t", "e").log_likelihood_
    except Exception:
        return Interaction(nan, k, nan, _("not testable: a Cox model did not converge"), n_missing)
    chisq = max(2 * (l1 - l0), 0.0)
    return Interaction(float(chisq), k, float(stats.chi2.sf(chisq, k)), "", n_missing)
