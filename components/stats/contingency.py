"""Exact tests and estimates for small contingency tables, as R's ``fisher.test`` computes them.

- Fisher–Freeman–Halton exact test of independence for r×2 and 2×c tables (Freeman & Halton,
  Biometrika 1951;38:141–149): the p-value is the total probability, under the multivariate
  hypergeometric distribution with the observed margins, of every table no more probable than the
  observed one, with R's relative tolerance 1 + 1e-7 for ties. scipy's ``fisher_exact`` computes r×c
  tables by Monte Carlo only, so the exact sum is enumerated here (up to ``MAX_TABLES`` tables; a
  larger table falls back to Monte Carlo, and the result says so).
- Odds ratio of a 2×2 table as R reports it: the conditional maximum-likelihood estimate with its
  exact confidence interval (scipy ``contingency.odds_ratio(kind="conditional")``). With a zero cell
  the estimate is 0 or infinite: reported as not estimable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.special import gammaln

from components.i18n import N_, _

MAX_TABLES = 2_000_000
_REL_ERR = 1 + 1e-7  # R fisher.test: tables with probability ≤ p_obs · (1 + 1e-7) count as extreme


@dataclass(frozen=True)
class ExactTest:
    p_value: float
    method: str  # "Fisher's exact", "Fisher–Freeman–Halton exact", or "… (Monte Carlo)"
    exact: bool


def _log_choose(n: np.ndarray | int, k: np.ndarray | int) -> np.ndarray:
    return gammaln(np.asarray(n) + 1) - gammaln(np.asarray(k) + 1) - gammaln(np.asarray(n) - np.asarray(k) + 1)


def _enumerate_two_column(rows: np.ndarray, first_col: int) -> np.ndarray | None:
    """Log-probabilities (up to a constant) of every r×2 table with row sums ``rows`` and first-column
    sum ``first_col``; None when there are more than MAX_TABLES."""
    sums = np.array([0])
    logp = np.array([0.0])
    remaining = rows[::-1].cumsum()[::-1]  # row totals still to come, from each row on
    for i, r in enumerate(rows):
        later = remaining[i + 1] if i + 1 < len(rows) else 0
        if sums.size * (int(r) + 1) > MAX_TABLES:  # checked before the arrays are made
            return None
        x = np.arange(r + 1)
        s = sums[:, None] + x[None, :]
        lp = logp[:, None] + _log_choose(r, x)[None, :]
        ok = (s <= first_col) & (s + later >= first_col)  # the first column can still be met exactly
        sums, logp = s[ok], lp[ok]
    return logp[sums == first_col]


def fisher_freeman_halton(table: np.ndarray, rng_seed: int = 20261127) -> ExactTest:
    """Exact test of independence for an r×2 or 2×c table of counts (R ``fisher.test``); a 2×2
    table gives Fisher's exact test (two-sided)."""
    t = np.asarray(table, dtype=np.int64)
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]  # empty rows and columns carry no information
    if t.ndim != 2 or min(t.shape) < 2:
        return ExactTest(float("nan"), "—", False)
    if t.shape[1] != 2 and t.shape[0] == 2:
        t = t.T
    name = N_("Fisher's exact") if t.shape == (2, 2) else N_("Fisher–Freeman–Halton exact")
    if t.shape[1] == 2:
        rows = t.sum(axis=1)
        all_logp = _enumerate_two_column(rows, int(t[:, 0].sum()))
        if all_logp is not None:
            obs = float(_log_choose(rows, t[:, 0]).sum())
            total = np.logaddexp.reduce(all_logp)
            extreme = all_logp[all_logp <= obs + math.log(_REL_ERR)]
            p = float(np.exp(np.logaddexp.reduce(extreme) - total)) if extreme.size else 0.0
            return ExactTest(min(p, 1.0), name, True)
    method = stats.MonteCarloMethod(n_resamples=99_999, rng=np.random.default_rng(rng_seed))
    res = stats.fisher_exact(t, method=method)
    return ExactTest(float(res.pvalue), f"{name} (Monte Carlo, 99,999 tables)", False)


@dataclass(frozen=True)
class OddsRatio:
    estimate: float  # conditional MLE; NaN when not estimable
    lower: float
    upper: float
    estimable: bool
    note: str = ""

    def text(self, digits: int = 2) -> str:
        if not self.estimable:
            return _(self.note or N_("not estimable"))
        return f"{self.estimate:.{digits}f} (95% CI {self.lower:.{digits}f}–{self.upper:.{digits}f})"


def conditional_odds_ratio(table: np.ndarray, level: float = 0.95) -> OddsRatio:
    """Conditional MLE of the odds ratio of a 2×2 table with its exact CI, as R ``fisher.test``;
    "not estimable" when a cell is 0 (the estimate would be 0 or infinite) or the table is empty."""
    from scipy.stats.contingency import odds_ratio

    t = np.asarray(table, dtype=np.int64)
    if t.shape != (2, 2) or t.sum() == 0:
        return OddsRatio(float("nan"), float("nan"), float("nan"), False, N_("not estimable: no data"))
    if (t == 0).any():
        return OddsRatio(float("nan"), float("nan"), float("nan"), False,
                         N_("not estimable: a cell of the table is 0"))
    res = odds_ratio(t, kind="conditional")
    ci = res.confidence_interval(level)
    return OddsRatio(float(res.statistic), float(ci.low), float(ci.high), True)
