"""Time-to-event estimation as R's ``survival`` package (and SAS PROC LIFETEST) report it.

- Kaplan–Meier from lifelines' estimator; what lifelines lacks is added here to match R
  ``survfit`` exactly: Greenwood standard errors with the three confidence transforms of
  ``survfit(conf.type = "log-log" | "log" | "plain")`` (R's ``survfit_confint``), and quantiles
  (the median) with R's ``quantile.survfit`` rule: the first time S(t) ≤ p; on a plateau at exactly p
  the midpoint between its start and the next drop. The median's CI is the Brookmeyer–Crowley
  interval (Brookmeyer & Crowley, Biometrics 1982): the times where the confidence band crosses p.
- ``survival_at(t)`` as R's ``summary(fit, times = t)``.
- Number at risk at t: subjects with time ≥ t (R, SAS).
- Median follow-up by the reverse Kaplan–Meier method (Schemper & Smith, Control Clin Trials 1996).
- Log-rank test (R ``survdiff``) and Cox proportional-hazards HR with Efron ties (R ``coxph``),
  both from lifelines.
- PFS and OS derived from ADSL/ADRS when ADTTE is absent, by the basic rules of the FDA guidance
  "Clinical Trial Endpoints for the Approval of Cancer Drugs and Biologics" (2018).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from components.i18n import N_

CONF_TYPES = ("log-log", "log", "plain")
_TOL = float(np.sqrt(np.finfo(float).eps))


@dataclass(frozen=True)
class KMResult:
    """A Kaplan–Meier fit: the step table (one row per distinct time), the median and its CI."""

    table: pd.DataFrame
    conf_type: str
    conf_level: float
    n: int
    events: int
    median: float
    median_ci: tuple[float, float]
    times: np.ndarray  # every subject's time, sorted (for numbers at risk)

    def survival_at(self, t: float) -> tuple[float, float, float]:
        """(surv, lower, upper) at time t, as R's ``summary(fit, times = t)``: the step function's
        value at the last time ≤ t (with a log-log band undefined, NaN, while S = 1); 1 (1, 1) before
        the first time; NaN after the last time."""
        if self.n == 0 or t > self.times.max():
            return (np.nan, np.nan, np.nan)
        tab = self.table
        before = tab[tab["time"] <= t]
        if before.empty:
            return (1.0, 1.0, 1.0)
        row = before.iloc[-1]
        return (float(row["surv"]), float(row["lower"]), float(row["upper"]))

    def n_at_risk(self, t: float) -> int:
        """Subjects with time ≥ t (the count R and SAS print under a KM plot at time t)."""
        return int(len(self.times) - np.searchsorted(self.times, t, side="left"))

    def n_events_by(self, t: float) -> int:
        """Cumulative events up to and including time t."""
        tab = self.table
        return int(tab.loc[tab["time"] <= t, "n_event"].sum())

    def counts_at(self, t: float) -> tuple[int, int, int]:
        """(at risk, events, censored) at time t as the KMunicate table shows them (Morris et al.,
        BMJ Open 2019;9:e030215): at risk = time ≥ t; events and censored = cumulative, strictly
        before t. The three add up to n at every t."""
        tab = self.table
        before = tab["time"] < t
        return (self.n_at_risk(t), int(tab.loc[before, "n_event"].sum()), int(tab.loc[before, "n_censor"].sum()))

    def quantile(self, p: float = 0.5) -> tuple[float, float, float]:
        """(estimate, lower, upper) of the p-th quantile of the time, as R's
        ``quantile(fit, probs = p)`` (``findq``). It equals the printed median for p = 0.5 except on
        a plateau at exactly 0.5 that runs to the end of follow-up, where R's quantile takes the
        midpoint to the last time and ``print(fit)`` the plateau's start (``median`` above)."""
        tab = self.table
        t = tab["time"].to_numpy(float)
        last = float(t[-1]) if len(t) else np.nan
        return tuple(_findq(t, tab[c].to_numpy(float), p, last) for c in ("surv", "lower", "upper"))


def _first_crossing(time: np.ndarray, y: np.ndarray, p: float) -> float:
    """R ``survmean``'s ``minmin`` (what ``print(fit)`` and ``summary(fit)$table`` show): among the
    times where y < p + tolerance (NA skipped), the first; if y equals p (within tolerance) there and
    falls below that value later, the midpoint between that time and the first time it does; NaN if y
    never reaches p."""
    ok = ~np.isnan(y)
    time, y = time[ok], y[ok]
    keep = y < p + _TOL
    time, y = time[keep], y[keep]
    if len(y) == 0:
        return float("nan")
    if abs(y[0] - p) < _TOL:
        lower = np.nonzero(y < y[0])[0]
        if len(lower):
            return float((time[0] + time[lower[0]]) / 2.0)
    return float(time[0])


def _findq(time: np.ndarray, surv: np.ndarray, p: float, xmax: float) -> float:
    """R survival's ``findq`` (``quantile.survfit``) on the cumulative curve F = 1 − S, starting at
    (0, 0): the first time F ≥ p; on a plateau where F equals p, the midpoint to the next rise, or to
    the last time ``xmax`` when the plateau runs to the end. Like R's ``approx``, the points are taken in
    order of F (a confidence band's curve can rise again after a censoring)."""
    x = np.concatenate([[0.0], time])
    y = np.concatenate([[0.0], 1.0 - surv])
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return float("nan")
    _, first = np.unique(np.where(np.isnan(y), np.inf, y), return_index=True)
    keep = np.sort(first)
    x, y = x[keep], y[keep]
    ok = ~np.isnan(y)
    xv, idx = y[ok], np.nonzero(ok)[0]

    order = np.argsort(xv, kind="stable")  # approx() sorts its points: a band's curve need not be monotone
    xv, idx = xv[order], idx[order]

    def approx(shift: float) -> float:  # approx(y + shift, 1:n, p, method = "constant", f = 1)
        k = np.searchsorted(xv + shift, p, side="left")
        if p < xv[0] + shift or k >= len(xv):
            return float("nan")
        return float(x[idx[k]])

    q = (approx(_TOL) + approx(-_TOL)) / 2.0
    if not np.isnan(y[-1]) and abs(p - y[-1]) < _TOL:
        q = (approx(_TOL) + xmax) / 2.0
    return q


def quantile_time(table: pd.DataFrame, p: float) -> tuple[float, float, float]:
    """Time at which the survival curve (and its confidence band) falls to ``p``."""
    t = table["time"].to_numpy(float)
    est = _first_crossing(t, table["surv"].to_numpy(float), p)
    lo = _first_crossing(t, table["lower"].to_numpy(float), p)
    hi = _first_crossing(t, table["upper"].to_numpy(float), p)
    return est, lo, hi


def confidence_band(surv: np.ndarray, std_err: np.ndarray, conf_type: str, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI from the Greenwood standard error of −log S, as R's ``survfit_confint``.

    plain: S ± z·se·S (clipped to [0, 1]); log: exp(log S ± z·se), upper ≤ 1; log-log:
    exp(−exp(log(−log S) ∓ z·se/log S)) (lower with −, as log S < 0). Where S = 1 (no event yet)
    the band is (1, 1) for plain and log, and undefined (NaN) for log-log, whose transform has no
    value there (R ``survfit_confint`` sets it to NA); where S = 0 it is undefined for all three.
    """
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}")
    z = stats.norm.ppf(1 - (1 - level) / 2)
    s = np.asarray(surv, float)
    se = np.asarray(std_err, float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            lower = np.maximum(s - z * se * s, 0.0)
            upper = np.minimum(s + z * se * s, 1.0)
        elif conf_type == "log":
            lower = np.exp(np.log(s) - z * se)
            upper = np.minimum(np.exp(np.log(s) + z * se), 1.0)
        else:
            xx = np.where((s == 0) | (s == 1), np.nan, s)
            se2 = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - se2))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
    one = s >= 1.0 - 1e-15
    at_one = np.nan if conf_type == "log-log" else 1.0
    lower = np.where(one, at_one, lower)
    upper = np.where(one, at_one, upper)
    zero = s <= 0.0
    lower = np.where(zero, np.nan, lower)
    upper = np.where(zero, np.nan, upper)
    return lower, upper


def _at_risk(t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(distinct times, each observation's index among them, observations per time, number at risk
    just before each time, i.e. with time ≥ t)."""
    times, which, counts = np.unique(t, return_inverse=True, return_counts=True)
    return times, which, counts, len(t) - np.concatenate(([0], np.cumsum(counts)[:-1]))


def kaplan_meier(time, event, conf_type: str = "log-log", conf_level: float = 0.95) -> KMResult:
    """Kaplan–Meier estimate with R ``survfit``'s CIs, median and median CI.

    ``time`` in any unit; ``event`` 1 = event, 0 = censored. Returns a :class:`KMResult` whose
    ``table`` has one row per distinct time (events and censorings): time, n_risk, n_event,
    n_censor, surv, std_err (Greenwood SE of −log S), lower, upper.
    """
    t = np.asarray(time, float)
    e = np.asarray(event, int)
    ok = ~np.isnan(t)
    t, e = t[ok], e[ok]
    cols = ["time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"]
    if len(t) == 0:
        return KMResult(pd.DataFrame(columns=cols), conf_type, conf_level, 0, 0, np.nan, (np.nan, np.nan), t)
    # Product-limit estimator (Kaplan & Meier 1958): at each distinct time, S *= 1 - d/n, with n the
    # number still at risk just before it (times >= t), events before censorings at tied times.
    times, which, counts, n_risk = _at_risk(t)
    n_event = np.bincount(which, weights=e, minlength=len(times)).astype(int)
    tab = pd.DataFrame({"time": times, "n_risk": n_risk, "n_event": n_event, "n_censor": counts - n_event})
    tab["surv"] = np.cumprod(1.0 - n_event / n_risk)
    d, n = tab["n_event"].to_numpy(float), tab["n_risk"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inc = np.where(d > 0, d / (n * (n - d)), 0.0)
    tab["std_err"] = np.sqrt(np.cumsum(inc))
    lower, upper = confidence_band(tab["surv"].to_numpy(), tab["std_err"].to_numpy(), conf_type, conf_level)
    tab["lower"], tab["upper"] = lower, upper
    med, lo, hi = quantile_time(tab, 0.5)
    return KMResult(tab[cols], conf_type, conf_level, int(len(t)), int(e.sum()), med, (lo, hi), np.sort(t))


def cumulative_incidence(time, status) -> pd.DataFrame:
    """Aalen–Johansen cumulative incidence with competing risks (Aalen & Johansen, Scand J Stat 1978;
    as R ``survfit(Surv(time, factor(status)) ~ 1)`` and ``cmprsk::cuminc``).

    ``status``: 0 = censored, 1 = the event of interest, 2 = a competing event. One row per distinct
    time: n_risk (time ≥ t), n_event, n_competing, n_censor, cif (event of interest), cif_competing
    and event_free = 1 − cif − cif_competing. At each time, CIF_k(t) = CIF_k(t−) + S(t−)·d_k/n, with
    S the Kaplan–Meier of being free of either event; censorings at a tied time count as at risk.
    1 − Kaplan–Meier of the event alone (competing events censored) overstates the incidence.
    """
    t = np.asarray(time, float)
    st_ = np.asarray(status, int)
    ok = ~np.isnan(t)
    t, st_ = t[ok], st_[ok]
    cols = ["time", "n_risk", "n_event", "n_competing", "n_censor", "cif", "cif_competing", "event_free"]
    if len(t) == 0:
        return pd.DataFrame(columns=cols)
    times, which, counts, n_risk = _at_risk(t)
    d1 = np.bincount(which, weights=(st_ == 1), minlength=len(times))
    d2 = np.bincount(which, weights=(st_ == 2), minlength=len(times))
    free = np.cumprod(1.0 - (d1 + d2) / n_risk)
    before = np.concatenate(([1.0], free[:-1]))  # S(t−)
    cif1 = np.cumsum(before * d1 / n_risk)
    cif2 = np.cumsum(before * d2 / n_risk)
    return pd.DataFrame({"time": times, "n_risk": n_risk, "n_event": d1.astype(int), "n_competing": d2.astype(int),
                         "n_censor": (counts - d1 - d2).astype(int), "cif": cif1, "cif_competing": cif2,
                         "event_free": free})


def reverse_km_followup(time, event, conf_type: str = "log-log") -> tuple[float, float, float]:
    """Median follow-up by reverse Kaplan–Meier: censoring is the 'event', events are censored."""
    km = kaplan_meier(time, 1 - np.asarray(event, int), conf_type)
    return km.median, km.median_ci[0], km.median_ci[1]


@dataclass(frozen=True)
class GroupComparison:
    logrank_p: float
    logrank_chisq: float
    df: int
    hazard_ratios: pd.DataFrame  # level, reference, hr, lower, upper, p, n, events, estimable, note


def hr_text(row: pd.Series | dict, digits: int = 2) -> str:
    """"0.55 (0.21–1.44)", or "not estimable (no events in B)" — never a number for an HR that has
    none (a group without events gives R's coxph an HR of about 1e-8 with a 0–Inf CI and a warning)."""
    if not row.get("estimable", True) or pd.isna(row.get("hr")):
        note = row.get("note") or "not estimable"
        return note
    return f"{row['hr']:.{digits}f} ({row['lower']:.{digits}f}–{row['upper']:.{digits}f})"


# A Cox coefficient this far from 0, or this uncertain, comes from a monotone likelihood (R: "Loglik
# converged before variable 1; coefficient may be infinite"), not from data that estimate it.
_MAX_ABS_COEF = 10.0
_MAX_SE = 20.0


def _grouped(time, event, group) -> tuple[pd.DataFrame, list[str]]:
    df = pd.DataFrame({"t": np.asarray(time, float), "e": np.asarray(event, int), "g": pd.Series(group).astype(str).to_numpy()})
    df = df.dropna()
    return df, sorted(df["g"].unique())


def logrank_test(time, event, group) -> tuple[float, float, int]:
    """(p, chi-square, df) of the log-rank test across groups (R ``survdiff``; lifelines' implementation);
    NaNs and df 0 with fewer than two groups."""
    from lifelines.statistics import multivariate_logrank_test

    df, levels = _grouped(time, event, group)
    if len(levels) < 2:
        return np.nan, np.nan, 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lr = multivariate_logrank_test(df["t"], df["g"], df["e"])
    return float(lr.p_value), float(lr.test_statistic), len(levels) - 1


def compare_groups(time, event, group, reference: str | None = None, conf_level: float = 0.95) -> GroupComparison:
    """Log-rank test across groups (R ``survdiff``) and Cox HR of each level against the reference
    (R ``coxph``, Efron ties): lifelines' implementations.

    An HR is reported as not estimable (``estimable`` False, NaN numbers, the reason in ``note``) when
    either group has no events, when the fit fails, or when the likelihood is monotone (|log HR| >
    10 or its SE > 20: R warns that the coefficient may be infinite)."""
    from components.stats.comparative import fit_cox

    df, levels = _grouped(time, event, group)
    if len(levels) < 2:
        return GroupComparison(np.nan, np.nan, 0, pd.DataFrame())
    p_value, chisq, dof = logrank_test(time, event, group)
    ref = reference if reference in levels else levels[0]
    rows = []
    for lev in levels:
        if lev == ref:
            continue
        sub = df[df["g"].isin([ref, lev])].assign(x=lambda d, lev=lev: (d["g"] == lev).astype(float))
        hr = lo = hi = p = np.nan
        no_events = [g for g in (lev, ref) if sub.loc[sub["g"] == g, "e"].sum() == 0]
        note = ""
        if no_events:
            note = "not estimable: no events in " + " or ".join(no_events)
        else:
            try:
                cph = fit_cox(sub[["t", "e", "x"]], "t", "e", alpha=1 - conf_level)
                s = cph.summary.loc["x"]
                if abs(float(s["coef"])) > _MAX_ABS_COEF or not float(s["se(coef)"]) <= _MAX_SE:
                    note = "not estimable: monotone likelihood (the HR tends to 0 or infinity)"
                else:
                    hr, lo, hi, p = (float(s["exp(coef)"]), float(s[f"exp(coef) lower {conf_level:.0%}"]),
                                     float(s[f"exp(coef) upper {conf_level:.0%}"]), float(s["p"]))
            except Exception:  # the fit did not converge
                note = "not estimable: the Cox model did not converge"
        g = df[df["g"] == lev]
        rows.append({"level": lev, "reference": ref, "hr": hr, "lower": lo, "upper": hi, "p": p,
                     "n": len(g), "events": int(g["e"].sum()), "estimable": not note, "note": note})
    return GroupComparison(p_value, chisq, dof, pd.DataFrame(rows))


# --------------------------------------------------------------------------- ADaM time-to-event


def tte_from_adtte(adtte: pd.DataFrame, paramcd: str) -> pd.DataFrame:
    """USUBJID, AVAL (days), EVENT (1 − CNSR), STARTDT, ADT for one parameter of ADTTE."""
    rows = adtte[adtte["PARAMCD"] == paramcd]
    # the sponsor's AVAL and CNSR are the analysis; STARTDT and ADT only show dates (a cut without them is used)
    out = rows.reindex(columns=["USUBJID", "AVAL", "STARTDT", "ADT"]).copy()
    out["EVENT"] = (1 - rows["CNSR"].astype(int)).to_numpy()
    out["EVNTDESC"] = rows["EVNTDESC"] if "EVNTDESC" in rows else ""
    return out.reset_index(drop=True)


def derive_pfs_os(adsl: pd.DataFrame, bor: pd.DataFrame, interval_days: int, window_days: int = 7,
                  origin: str = "TRTSDT") -> pd.DataFrame:
    """PFS and OS rows (ADTTE-shaped) from ADSL and the per-subject response summary of
    :func:`components.stats.recist.best_overall_response` (FDA 2018 guidance, basic rules).

    PFS from the first dose to the first PD or death, whichever first. Censored at the last adequate
    assessment when neither occurred; when PD or death follows two or more missed assessments
    (later than 2 intervals + window after the last adequate assessment); and at the first dose when
    there is no adequate post-baseline assessment and no death within that span. OS from the first
    dose to death, censored at the last date known alive. AVAL = ADT − STARTDT + 1 days.
    ``origin = "RANDDT"`` (a randomized study's intention-to-treat analysis, ICH E9 §5.2.1): from
    randomization, for every randomized patient, treated or not.
    """
    treated = adsl[adsl[origin].notna()]
    b = bor.set_index("USUBJID")
    gap = pd.Timedelta(days=2 * interval_days + window_days)
    rows = []
    for r in treated.itertuples(index=False):
        start = getattr(r, origin)
        pdd = b["PD_DATE"].get(r.USUBJID, pd.NaT)
        last = b["LAST_ADEQUATE"].get(r.USUBJID, pd.NaT)
        dth = getattr(r, "DTHDT", pd.NaT)
        ref = last if pd.notna(last) else start
        candidates = [(d, why) for d, why in ((pdd, "Disease progression"), (dth, "Death")) if pd.notna(d)]
        if candidates:
            d, why = min(candidates, key=lambda c: c[0])
            if d - ref > gap:
                adt, cnsr, desc = ref, 1, "Event after two or more missed assessments: censored at the last adequate one"
            else:
                adt, cnsr, desc = d, 0, why
        else:
            adt, cnsr = ref, 1
            desc = ("Last adequate tumour assessment" if pd.notna(last) else
                    "First dose (no adequate assessment)" if origin == "TRTSDT" else
                    "Randomization (no adequate assessment)")
        rows.append({"USUBJID": r.USUBJID, "PARAMCD": "PFS", "STARTDT": start, "ADT": adt, "CNSR": cnsr,
                     "AVAL": float((adt - start).days + 1), "EVNTDESC": desc if cnsr == 0 else "",
                     "CNSDTDSC": desc if cnsr == 1 else ""})
        alive = getattr(r, "LSTALVDT", pd.NaT)
        if pd.notna(dth):
            adt, cnsr, desc = dth, 0, "Death"
        else:
            adt = alive if pd.notna(alive) else start
            cnsr, desc = 1, "Last known alive"
        rows.append({"USUBJID": r.USUBJID, "PARAMCD": "OS", "STARTDT": start, "ADT": adt, "CNSR": cnsr,
                     "AVAL": float((adt - start).days + 1), "EVNTDESC": desc if cnsr == 0 else "",
                     "CNSDTDSC": desc if cnsr == 1 else ""})
    cols = ["USUBJID", "PARAMCD", "STARTDT", "ADT", "CNSR", "AVAL", "EVNTDESC", "CNSDTDSC"]
    return pd.DataFrame(rows, columns=cols)  # nobody treated: no rows, the same columns


def landmark_table(km: KMResult, months: list[float], days_per_month: float) -> pd.DataFrame:
    """Survival (95% CI) at landmark months."""
    rows = []
    for m in months:
        s, lo, hi = km.survival_at(m * days_per_month)
        rows.append({"month": m, "surv": s, "lower": lo, "upper": hi, "n_risk": km.n_at_risk(m * days_per_month)})
    return pd.DataFrame(rows)


# names on screen: _(ENDPOINTS[code]) where shown
ENDPOINTS = {"PFS": N_("Progression-free survival"), "OS": N_("Overall survival"), "DOR": N_("Duration of response")}


def endpoint_data(
    adsl: pd.DataFrame,
    adtte: pd.DataFrame | None,
    bor: pd.DataFrame | None,
    paramcd: str,
    interval_days: int,
    window_days: int = 7,
) -> tuple[pd.DataFrame, str]:
    """USUBJID, AVAL (days), EVENT for one endpoint, and where it came from: "adtte" when ADTTE has
    the parameter, "derived" when it is derived from ADSL/ADRS, "" when neither is possible.

    DoR needs the (confirmed) best overall response table; PFS needs it for progression dates.
    """
    if adtte is not None and (adtte["PARAMCD"] == paramcd).any():
        d = tte_from_adtte(adtte, paramcd)
        return d[d["USUBJID"].isin(set(adsl["USUBJID"]))].reset_index(drop=True), "adtte"
    if paramcd == "DOR" and bor is not None:
        from components.stats.recist import duration_of_response_data

        d = duration_of_response_data(bor, adsl)
        d["EVENT"] = 1 - d["CNSR"]
        return d, "derived"
    if paramcd in ("PFS", "OS") and (bor is not None or paramcd == "OS"):
        if bor is None:
            bor = pd.DataFrame({"USUBJID": adsl["USUBJID"], "PD_DATE": pd.NaT, "LAST_ADEQUATE": pd.NaT})
        from components.data.vocabulary import time_origin_column

        d = derive_pfs_os(adsl, bor, interval_days, window_days, origin=time_origin_column(adsl))
        d = d[d["PARAMCD"] == paramcd].reset_index(drop=True)
        d["EVENT"] = 1 - d["CNSR"]
        return d, "derived"
    return pd.DataFrame(columns=["USUBJID", "AVAL", "EVENT"]), ""
