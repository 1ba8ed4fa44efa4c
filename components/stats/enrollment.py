"""Enrollment: accrual against plan, sites, the screening-to-analysis flow (CONSORT) and the
projected date of reaching the target.

The projection treats enrollment as a Poisson process. The expected date uses the current rate, the
number of patients enrolled in the last ``window`` days (k) divided by the window (w): m remaining
patients take m·w/k days. The 90% band is predictive: it carries the uncertainty of the rate as well
as the randomness of arrivals. With the rate's posterior Gamma(k, w) (shape, rate; the reference prior
1/λ) and the time to m more arrivals Gamma(m, λ) given the rate, the time is w·X with X ~ BetaPrime(m,
k) (a gamma–gamma / beta-prime mixture; Gelman et al., Bayesian Data Analysis, 3rd ed., §2.6; for
accrual, Anisimov & Fedorov, Stat Med 2007;26:4958–4975 and Carter RE, Contemp Clin Trials
2004;25:141–151). A plug-in Gamma(m, k/w) band ignores the rate's uncertainty and covers far fewer
true dates than it claims (tests/test_enrollment.py simulates the coverage of both).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from scipy import stats

from components.data.config import StudyConfig
from components.i18n import N_, _
from components.stats.summary import died, discontinuation_reason, treatment_end

DAYS_PER_MONTH = 30.4375


def cumulative(dates: pd.Series) -> pd.DataFrame:
    """Cumulative count by date (one row per date with an event): DATE, N."""
    d = pd.to_datetime(dates.dropna()).sort_values()
    counts = d.value_counts().sort_index()
    return pd.DataFrame({"DATE": counts.index, "N": counts.cumsum().to_numpy()})


def planned_line(config: StudyConfig) -> pd.DataFrame:
    """The planned accrual: linear from the first to the last planned patient, reaching the target."""
    e = config.enrollment
    if e.first_patient_planned is None or e.last_patient_planned is None or config.design is None:
        return pd.DataFrame(columns=["DATE", "N"])
    return pd.DataFrame({"DATE": pd.to_datetime([e.first_patient_planned, e.last_patient_planned]),
                         "N": [0, config.design.n_enrolled]})


def planned_by(config: StudyConfig, when: pd.Timestamp) -> float:
    """Patients the plan expected by a date."""
    line = planned_line(config)
    if line.empty:
        return float("nan")
    t0, t1 = line["DATE"]
    frac = (when - t0) / (t1 - t0)
    return float(np.clip(frac, 0, 1) * config.design.n_enrolled)


@dataclass(frozen=True)
class Projection:
    enrolled: int
    target: int | None  # None: the study config gives no enrollment target
    remaining: int
    window_days: int
    in_window: int
    rate_per_month: float  # NaN when there is too little to estimate a rate
    expected: pd.Timestamp | None  # date of reaching the target at the current rate (cut-off + m·w/k)
    low: pd.Timestamp | None  # 5th percentile of the predictive distribution (90% band)
    high: pd.Timestamp | None  # 95th percentile
    since_first: pd.Timestamp | None = None  # the window was cut back to this first enrollment (not counted)

    def window_text(self) -> str:
        """The rate's window in words: the last w days, or the days since the first enrollment."""
        if self.since_first is None:
            return _("last {days} days").format(days=self.window_days)
        return _("the {days} days since the first enrollment on {date}, not counting that patient").format(
            days=self.window_days, date=f"{self.since_first:%Y-%m-%d}")

    def sentence(self) -> str:
        """The projection in one sentence, in the run's language."""
        if self.since_first is not None and (self.window_days < 1 or self.in_window == 0):
            return _("{n} patient(s) enrolled, all since {date}: too few to estimate an enrollment rate (the first "
                     "enrollment starts the clock and is not counted), so no completion date is projected.").format(
                n=self.enrolled, date=f"{self.since_first:%Y-%m-%d}")
        if self.target is None:
            return _("{n} patients; {k} in the {window} ({rate} patients/month). No enrollment target in the "
                     "study config, so no completion date is projected.").format(
                n=self.enrolled, k=self.in_window, window=self.window_text(), rate=f"{self.rate_per_month:.1f}")
        if self.remaining <= 0:
            return _("The target of {target} patients has been reached ({n} enrolled).").format(target=self.target,
                                                                                             n=self.enrolled)
        if self.in_window == 0:
            return _("No patient was enrolled in the last {days} days: the date of reaching {target} patients cannot be "
                     "projected from the recent rate.").format(days=self.window_days, target=self.target)
        if self.expected is None:
            return _("At the current rate of {rate} patients/month ({window}), the {m} remaining patients would "
                     "take more than a century.").format(rate=f"{self.rate_per_month:.2f}", window=self.window_text(),
                                                         m=self.remaining)
        high = f"{self.high:%Y-%m}" if self.high is not None else _("more than a century away")
        return _("At the current rate of {rate} patients/month ({window}), {target} patients by {expected} (90% "
                 "prediction interval, allowing for the uncertainty of the rate: {low} to {high}).").format(
            rate=f"{self.rate_per_month:.1f}", window=self.window_text(), target=self.target,
            expected=f"{self.expected:%Y-%m}", low=f"{self.low:%Y-%m}", high=high)


def completion_time_distribution(remaining: int | np.ndarray, in_window: int, window_days: float):
    """Predictive distribution of the days from the cut-off to ``remaining`` more enrollments, given
    ``in_window`` enrollments in the last ``window_days``: w · BetaPrime(m, k) (module docstring)."""
    return stats.betaprime(a=remaining, b=in_window, scale=window_days)


def project_completion(enroll_dates: pd.Series, target: int | None, cutoff: pd.Timestamp,
                       window_days: int = 120) -> Projection:
    """Projected date of reaching ``target`` from the Poisson rate over the last ``window_days``, with
    its 90% predictive band (the rate only, without a target).

    Early in a study the window would reach back before the first enrollment, which would understate
    the rate. It is then cut back to the first enrollment, and that patient is not counted: the first
    arrival only starts the clock (the arrivals after it are a Poisson process over the days since),
    while counting it overstated the rate and the band missed late about twice as often as it should
    (7–10 % instead of 5 %; tests/test_statistics_round3.py simulates it). With no patient after the
    first, or no day since it, there is no rate to project from."""
    d = pd.to_datetime(enroll_dates.dropna()).sort_values()
    enrolled = int(len(d))
    remaining = max(target - enrolled, 0) if target is not None else 0
    since_first = None
    if enrolled and (cutoff - d.iloc[0]).days < window_days:
        since_first = d.iloc[0]
        window_days = int((cutoff - since_first).days)
        k = int((d <= cutoff).sum()) - 1
    else:
        k = int(((d > cutoff - pd.Timedelta(days=window_days)) & (d <= cutoff)).sum())
    rate = k / window_days if window_days > 0 else float("nan")  # per day
    if remaining == 0 or k <= 0 or window_days <= 0:
        return Projection(enrolled, target, remaining, window_days, max(k, 0), rate * DAYS_PER_MONTH, None, None, None,
                          since_first)
    g = completion_time_distribution(remaining, k, window_days)
    return Projection(enrolled, target, remaining, window_days, k, rate * DAYS_PER_MONTH,
                      _to_date(cutoff, remaining / rate), _to_date(cutoff, g.ppf(0.05)), _to_date(cutoff, g.ppf(0.95)),
                      since_first)


MAX_PROJECTION_DAYS = 100 * 365.25  # beyond a century a date says nothing (and pandas dates end in 2262)


def _to_date(cutoff: pd.Timestamp, days: float) -> pd.Timestamp | None:
    """cut-off + days, or None when that is more than a century away."""
    if not np.isfinite(days) or days > MAX_PROJECTION_DAYS:
        return None
    return cutoff + pd.Timedelta(days=float(days))


def projection_band(p: Projection, cutoff: pd.Timestamp) -> pd.DataFrame:
    """For each further patient j = 1..remaining: the date at the current rate and the 5/95%
    predictive dates of the j-th enrollment."""
    if p.expected is None or p.remaining <= 0:
        return pd.DataFrame(columns=["N", "EXPECTED", "LOW", "HIGH"])
    rate = p.in_window / p.window_days
    j = np.arange(1, p.remaining + 1)
    dist = completion_time_distribution(j, p.in_window, p.window_days)
    cap = lambda days: cutoff + pd.to_timedelta(np.minimum(days, MAX_PROJECTION_DAYS), unit="D")  # noqa: E731
    q = lambda prob: list(cap(dist.ppf(prob)))  # noqa: E731
    mean = list(cap(j / rate))
    return pd.DataFrame({"N": p.enrolled + j, "EXPECTED": mean, "LOW": q(0.05), "HIGH": q(0.95)})


def site_table(adsl: pd.DataFrame, screening: pd.DataFrame | None, config: StudyConfig, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Per site: activation, screened, screen failures, enrolled, patients per month since activation,
    weeks since the last enrollment, and an idle flag (no patient for ``site_idle_weeks``)."""
    ids = [s.id for s in config.sites]
    extra = sorted(set(adsl["SITEID"]) - set(ids))
    rows = []
    for sid in ids + extra:
        site = next((s for s in config.sites if s.id == sid), None)
        act = pd.Timestamp(site.activated) if site and site.activated else None
        planned = pd.Timestamp(site.planned_activation) if site and site.planned_activation else None
        enr = adsl[adsl["SITEID"] == sid]
        scr = screening[screening["SITEID"] == sid] if screening is not None else None
        n = len(enr)
        active = act is not None and act <= cutoff
        months = max((cutoff - act).days / DAYS_PER_MONTH, 0.0) if active else 0.0
        last = enr["RFICDT"].max() if n else pd.NaT
        since = (last if pd.notna(last) else act) if active else None
        idle_weeks = (cutoff - since).days / 7 if since is not None else np.nan
        rows.append({
            "SITEID": sid,
            # a site the study config does not plan is named as such: a typo in SITEID, or a site added
            # without amending the config (both worth a data manager's query)
            "Site": site.name if site else (f"Site {sid}" if not ids else f"Site {sid} (not in the plan)"),
            N_("In the plan"): bool(site is not None) if ids else True,
            "Planned activation": planned,
            "Activated": act,
            "Screened": len(scr) if scr is not None else np.nan,
            "Screen failures": int((scr["SCRNOUT"] == "SCREEN FAILURE").sum()) if scr is not None else np.nan,
            "Enrolled": n,
            "Months active": round(months, 1),
            "Patients / month": round(n / months, 2) if months > 0 else np.nan,
            "Last enrollment": last,
            "Weeks without a patient": round(idle_weeks, 1) if not np.isnan(idle_weeks) else np.nan,
            "Idle": bool(active and idle_weeks >= config.enrollment.site_idle_weeks),
        })
    out = pd.DataFrame(rows)
    out["Screen-failure rate"] = np.where(out["Screened"] > 0, out["Screen failures"] / out["Screened"], np.nan)
    return out


# --------------------------------------------------------------------------- CONSORT flow


@dataclass(frozen=True)
class Flow:
    """Counts of the screening-to-analysis flow; links (source, target, count) draw the diagram."""

    counts: dict[str, int]
    links: list[tuple[str, str, int]]

    def checks(self) -> list[str]:
        """Each box equals the sum of the boxes it splits into, and the sum of what flows into it; an
        empty list means the flow adds up."""
        problems = []
        out_of: dict[str, int] = {}
        into: dict[str, int] = {}
        for src, dst, n in self.links:
            out_of[src] = out_of.get(src, 0) + n
            into[dst] = into.get(dst, 0) + n
        for box, total in out_of.items():
            if box in self.counts and self.counts[box] != total:
                problems.append(_("{box}: {n} but its branches add up to {total}").format(box=_(box), n=self.counts[box],
                                                                                           total=total))
        for box, total in into.items():
            if box in self.counts and self.counts[box] != total:
                problems.append(_("{box}: {n} but {total} arrive from the box before it").format(
                    box=_(box), n=self.counts[box], total=total))
        return problems


def consort_flow(adsl: pd.DataFrame, screening: pd.DataFrame | None) -> Flow:
    """Screened → screen failures (by reason) / still in screening / enrolled → treated / not treated
    → response-evaluable / not → on treatment / completed / discontinued (by reason: DCSREAS, else the
    disposition term) → alive in follow-up / died (DTHDT or DTHFL). A completer is not discontinued
    (:func:`components.stats.summary.treatment_end`)."""
    c: dict[str, int] = {}
    links: list[tuple[str, str, int]] = []
    enrolled = len(adsl)
    if screening is not None and len(screening):
        c["Screened"] = len(screening)
        sf = screening[screening["SCRNOUT"] == "SCREEN FAILURE"]
        c["Screen failures"] = len(sf)
        pending = int((screening["SCRNOUT"] == "IN SCREENING").sum())
        enrolled_scr = int((screening["SCRNOUT"] == "ENROLLED").sum())
        links.append(("Screened", "Screen failures", len(sf)))
        if pending:
            c["In screening at the cut"] = pending
            links.append(("Screened", "In screening at the cut", pending))
        links.append(("Screened", "Enrolled", enrolled_scr))
        for reason, n in sf["SFREAS"].fillna("Reason not given").value_counts().items():
            c[f"SF: {reason}"] = int(n)
            links.append(("Screen failures", f"SF: {reason}", int(n)))
    c["Enrolled"] = enrolled
    treated = adsl["TRTSDT"].notna()
    c["Treated"] = int(treated.sum())
    c["Not treated"] = int((~treated).sum())
    links += [("Enrolled", "Treated", c["Treated"]), ("Enrolled", "Not treated", c["Not treated"])]
    t = adsl[treated]
    evaluable = t["EFFFL"] == "Y"
    c["Response-evaluable"] = int(evaluable.sum())
    c["Not response-evaluable"] = int((~evaluable).sum())
    ended, completed = (x[treated] for x in treatment_end(adsl))
    c["On treatment"] = int((~ended).sum())
    c["Completed"] = int((ended & completed).sum())
    c["Discontinued"] = int((ended & ~completed).sum())
    links += [("Treated", "On treatment", c["On treatment"]), ("Treated", "Completed", c["Completed"]),
              ("Treated", "Discontinued", c["Discontinued"])]
    disc = t[ended & ~completed]
    reasons = discontinuation_reason(disc)
    for reason, n in reasons.value_counts().items():
        c[f"Off: {reason}"] = int(n)
        links.append(("Discontinued", f"Off: {reason}", int(n)))
    dead = died(disc)
    c["Died"] = int(dead.sum())
    c["Alive in follow-up"] = int((~dead).sum())
    for reason, g in dead.groupby(reasons):
        d = int(g.sum())
        if d:
            links.append((f"Off: {reason}", "Died", d))
        if len(g) - d:
            links.append((f"Off: {reason}", "Alive in follow-up", len(g) - d))
    return Flow(c, [link for link in links if link[2] > 0])


def consort_by_arm(adsl: pd.DataFrame, planned: str, actual: str | None) -> pd.DataFrame:
    """CONSORT 2010 for a randomized study, one column per arm as randomized (``planned``): allocated,
    received the allocated treatment (``actual`` equals it), received another or none, then of the
    treated: on treatment at the cut, completed, discontinued (with each reason), and analysed — in the
    intention-to-treat analysis every randomized patient, in the safety analysis those treated. Counts
    as n; the reasons as indented rows. Arms in the order of ``adsl[planned]``'s values as given."""
    arms = [a for a in pd.unique(adsl[planned].dropna().astype(str)) if a.strip()]
    treated_all = adsl["TRTSDT"].notna() if "TRTSDT" in adsl else pd.Series(False, index=adsl.index)
    ended_all, completed_all = treatment_end(adsl)
    reasons_all = discontinuation_reason(adsl)
    stopped = treated_all & ended_all & ~completed_all
    reason_order = list(reasons_all[stopped].value_counts().index)
    cols = []
    for a in arms:
        m = adsl[planned].astype(str) == a
        got = (adsl[actual].astype(str) == a) & treated_all if actual and actual in adsl else treated_all
        cols.append((m, got))
    rows: dict[str, list] = {
        N_("Randomized (allocated)"): [int(m.sum()) for m, _g in cols],
        N_("Received the allocated treatment"): [int((m & g).sum()) for m, g in cols],
        N_("Received another or no treatment"): [int((m & ~g).sum()) for m, g in cols],
        N_("On treatment at the cut"): [int((m & treated_all & ~ended_all).sum()) for m, _g in cols],
        N_("Completed treatment"): [int((m & treated_all & ended_all & completed_all).sum()) for m, _g in cols],
        N_("Discontinued treatment"): [int((m & stopped).sum()) for m, _g in cols]}
    for r in reason_order:  # indented: the reasons of the row above, as the data writes them
        rows[f"  {r}"] = [int((m & stopped & (reasons_all == r)).sum()) for m, _g in cols]
    rows[N_("Analysed, intention to treat")] = [int(m.sum()) for m, _g in cols]
    rows[N_("Analysed, safety (treated)")] = [int((m & treated_all).sum()) for m, _g in cols]
    out = pd.DataFrame(rows, index=arms).T.reset_index().rename(columns={"index": "Stage"})
    return out


def period_counts(dates: pd.Series, freq: str = "M", cutoff: date | None = None) -> pd.DataFrame:
    """Enrollments per calendar month ("M") or ISO week ("W"), with empty periods as zero."""
    d = pd.to_datetime(dates.dropna())
    if d.empty:
        return pd.DataFrame(columns=["PERIOD", "N"])
    per = d.dt.to_period(freq)
    end = pd.Period(cutoff, freq) if cutoff is not None else per.max()
    idx = pd.period_range(per.min(), end, freq=freq)
    counts = per.value_counts().reindex(idx, fill_value=0)
    return pd.DataFrame({"PERIOD": idx.to_timestamp(), "N": counts.to_numpy()})
