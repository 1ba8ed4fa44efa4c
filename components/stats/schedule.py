"""The tumour-assessment schedule: which scans were due by the cut-off, which were done, which are
overdue, and which patients have not yet reached their first scan.

Rule (the protocol's schedule as the study config gives it, ``[response] assessment_interval_weeks``
and ``assessment_window_days``): scan k (k = 1, 2, …) is due on day ``TRTSDT + 7·interval·k`` and may
be done up to ``window`` days later. A patient is followed with scans from the first dose until the
earliest of first progression (RECIST 1.1 §4.3.4: assessments after PD do not count), death, the end
of study (ADSL EOSDT, when the cut has it) and the cut-off.

- **Expected scans**: the scheduled scans whose window closed before the end of that follow-up.
- **Done**: distinct post-baseline assessment dates (ADRS OVR, as :func:`post_baseline_assessments`
  reads them) up to that end; **missed** = expected − done, never below 0.
- **Overdue**: still followed at the cut-off, and the next scan (last scan, else the first dose,
  plus one interval) is past its window at the cut-off; days overdue count from the window's end.
- **Awaiting the first scan** (status, for data quality): no assessment, the first scan's window still
  open at the cut-off, and neither death nor the end of study before it.
- **Too early to assess** (:func:`too_early`, for the response rates): the first dose less than one
  interval plus the window before the cut-off, whatever the patient's scans show so far. A response
  rate at an interim cut is computed on the patients with this minimum follow-up (a landmark cohort,
  as an SAP defines an interim's analysis set): a patient who could not yet have had the first
  scheduled scan would otherwise count as NE and lower the ORR for the cut-off date alone. The rule
  depends on the calendar only — not on whether a scan was done, which an early scan for suspected
  progression would bias.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.data.config import ResponseRules
from components.i18n import N_
from components.stats.recist import post_baseline_assessments

NOT_YET = N_("not yet due")
ON_SCHEDULE = N_("on schedule")
OVERDUE = N_("overdue")
OFF = N_("follow-up ended")
NOT_TREATED = N_("not treated")
STATUSES = (OVERDUE, ON_SCHEDULE, NOT_YET, OFF, NOT_TREATED)


@dataclass(frozen=True)
class Schedule:
    """The scan schedule in days: ``interval`` between scans (the first at one interval after the
    first dose) and the ``window`` a scan may be late."""

    interval: int
    window: int

    @classmethod
    def from_rules(cls, rules: ResponseRules) -> Schedule:
        return cls(int(7 * rules.assessment_interval_weeks), int(rules.assessment_window_days))

    def text(self) -> str:
        return f"every {self.interval // 7} weeks from the first dose, {self.window}-day window"


def too_early(adsl: pd.DataFrame, cutoff: pd.Timestamp, schedule: Schedule) -> pd.Series:
    """True (by ADSL row) for a treated patient whose first scheduled scan's window had not closed by the
    cut-off: first dose + interval + window later than the cut-off (the module's "too early to assess")."""
    start = _dates(adsl, "TRTSDT")
    closes = start + pd.Timedelta(days=schedule.interval + schedule.window)
    return (start.notna() & (closes > pd.Timestamp(cutoff).normalize())).astype(bool)


def _dates(df: pd.DataFrame, column: str) -> pd.Series:
    if column not in df:
        return pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    return pd.to_datetime(df[column], errors="coerce")


def assessment_schedule(
    adsl: pd.DataFrame,
    adrs: pd.DataFrame,
    pd_dates: pd.Series,
    cutoff: pd.Timestamp,
    schedule: Schedule,
) -> pd.DataFrame:
    """One row per ADSL patient: USUBJID, SITEID (when ADSL has it), TRTSDT, FOLLOW_END (the end of
    scan follow-up), END_REASON ("progression", "death", "end of study", "cut-off"), SCANS (done),
    EXPECTED, MISSED, LAST_SCAN, NEXT_DUE, DAYS_OVERDUE (0 unless overdue), STATUS (one of
    :data:`STATUSES`) and NOT_YET (True: not yet assessed, see the module's rule).

    ``pd_dates`` maps USUBJID → the first progression (the BOR derivation's PD_DATE)."""
    cutoff = pd.Timestamp(cutoff).normalize()
    out = pd.DataFrame({"USUBJID": adsl["USUBJID"].to_numpy()})
    if "SITEID" in adsl:
        out["SITEID"] = adsl["SITEID"].to_numpy()
    out["TRTSDT"] = _dates(adsl, "TRTSDT").to_numpy()
    ends = pd.DataFrame({
        "progression": pd.to_datetime(out["USUBJID"].map(pd_dates), errors="coerce"),
        "death": _dates(adsl, "DTHDT").to_numpy(),
        "end of study": _dates(adsl, "EOSDT").to_numpy(),
        "cut-off": pd.Series(cutoff, index=out.index),
    }, index=out.index)
    ends = ends.apply(lambda c: c.where(c <= cutoff))  # an event after the cut-off is not known at it
    out["FOLLOW_END"] = ends.min(axis=1)
    out["END_REASON"] = ends.idxmin(axis=1)

    ovr = post_baseline_assessments(adrs, adsl)[["USUBJID", "ADT"]]
    ovr = ovr.assign(ADT=pd.to_datetime(ovr["ADT"], errors="coerce")).dropna().drop_duplicates()
    end_of = out.set_index("USUBJID")["FOLLOW_END"]
    ovr = ovr[ovr["ADT"] <= ovr["USUBJID"].map(end_of)]
    by = ovr.groupby("USUBJID")["ADT"]
    out["SCANS"] = out["USUBJID"].map(by.nunique()).fillna(0).astype(int)
    out["LAST_SCAN"] = pd.to_datetime(out["USUBJID"].map(by.max()))

    treated = out["TRTSDT"].notna()
    days = (out["FOLLOW_END"] - out["TRTSDT"]).dt.days
    # scan k's window closes on day interval·k + window: k ≤ (days − window) / interval
    expected = np.floor((days - schedule.window) / schedule.interval).clip(lower=0)
    out["EXPECTED"] = expected.where(treated, 0).fillna(0).astype(int)
    out["MISSED"] = (out["EXPECTED"] - out["SCANS"]).clip(lower=0)
    base = out["LAST_SCAN"].fillna(out["TRTSDT"])
    out["NEXT_DUE"] = base + pd.Timedelta(days=schedule.interval)
    followed = treated & out["END_REASON"].eq("cut-off")
    late = (cutoff - (out["NEXT_DUE"] + pd.Timedelta(days=schedule.window))).dt.days
    overdue = followed & (late > 0)
    out["DAYS_OVERDUE"] = late.where(overdue, 0).fillna(0).astype(int)
    not_yet = followed & (out["SCANS"] == 0) & ~overdue
    out["NOT_YET"] = not_yet.astype(bool)
    out["STATUS"] = np.select([~treated, ~followed, overdue, not_yet], [NOT_TREATED, OFF, OVERDUE, NOT_YET],
                              default=ON_SCHEDULE)
    out.loc[~followed | ~treated, "NEXT_DUE"] = pd.NaT
    return out
