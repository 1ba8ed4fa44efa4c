"""The tumour-assessment schedule (components/stats/schedule.py) on hand-worked patients.

Schedule: a scan every 42 days from the first dose (6 weeks), each with a 7-day window; cut-off
2026-11-01. Every expected value below is worked by hand in its comment."""

from __future__ import annotations

import pandas as pd
import pytest

from components.stats.schedule import NOT_TREATED, NOT_YET, OFF, ON_SCHEDULE, OVERDUE, Schedule, assessment_schedule

CUT = pd.Timestamp("2026-11-01")
S = Schedule(interval=42, window=7)
T = pd.Timestamp


def _case():
    adsl = pd.DataFrame({
        "USUBJID": list("ABCDEFGHIJ"),
        "SITEID": ["01"] * 5 + ["02"] * 5,
        "TRTSDT": [T("2026-10-01"), T("2026-09-01"), T("2026-06-01"), T("2026-05-01"), T("2026-09-20"),
                   T("2026-09-25"), pd.NaT, T("2026-10-01"), T("2026-03-01"), T("2026-06-01")],
        "DTHDT": [pd.NaT] * 4 + [T("2026-10-10"), T("2026-11-15")] + [pd.NaT] * 4,
        "EOSDT": [pd.NaT] * 9 + [T("2026-08-01")],
    })
    rows = [("C", "2026-07-13", "SD"), ("C", "2026-08-24", "PR"), ("C", "2026-10-05", "PR"),
            ("D", "2026-06-12", "PD"),
            ("H", "2026-09-28", "NE"),  # before the first dose: a baseline, not an assessment
            ("I", "2026-04-12", "PD"), ("I", "2026-05-24", "PD"),  # the second is after PD
            ("J", "2026-07-13", "SD"), ("J", "2026-09-01", "SD")]  # the second is after the end of study
    adrs = pd.DataFrame([{"USUBJID": u, "PARAMCD": "OVR", "ADT": T(d), "AVALC": r} for u, d, r in rows])
    pd_dates = pd.Series({"D": T("2026-06-12"), "I": T("2026-04-12")})
    return assessment_schedule(adsl, adrs, pd_dates, CUT, S).set_index("USUBJID")


@pytest.fixture(scope="module")
def sched():
    return _case()


def test_not_yet_at_the_first_scan(sched):
    # A: 31 days on treatment, first scan due on day 42 (2026-11-12): not yet due, out of the rates
    a = sched.loc["A"]
    assert (a.STATUS, a.NOT_YET, a.EXPECTED, a.MISSED, a.SCANS) == (NOT_YET, True, 0, 0, 0)
    assert a.NEXT_DUE == T("2026-11-12")
    # F: died on 2026-11-15, after the cut-off — not known at it: still waiting for the first scan
    assert sched.loc["F", "NOT_YET"] and sched.loc["F", "STATUS"] == NOT_YET
    # H: its only OVR row is before the first dose (a baseline): no assessment yet, window open
    assert sched.loc["H", "NOT_YET"] and sched.loc["H", "SCANS"] == 0


def test_overdue_first_scan(sched):
    # B: 61 days; scan 1 due 2026-10-13, window closed 2026-10-20, cut-off 12 days later
    b = sched.loc["B"]
    assert (b.STATUS, b.NOT_YET, b.EXPECTED, b.MISSED, b.DAYS_OVERDUE) == (OVERDUE, False, 1, 1, 12)


def test_on_schedule(sched):
    # C: 153 days: (153 − 7) / 42 = 3.5 → 3 scans expected, 3 done; next due 2026-10-05 + 42
    c = sched.loc["C"]
    assert (c.STATUS, c.EXPECTED, c.SCANS, c.MISSED, c.DAYS_OVERDUE) == (ON_SCHEDULE, 3, 3, 0, 0)
    assert c.NEXT_DUE == T("2026-11-16") and c.LAST_SCAN == T("2026-10-05")


def test_follow_up_ends_at_progression_death_or_end_of_study(sched):
    # D: PD at its first scan on day 42 (window to day 49): nothing more expected
    d = sched.loc["D"]
    assert (d.STATUS, d.END_REASON, d.EXPECTED, d.SCANS, d.MISSED) == (OFF, "progression", 0, 1, 0)
    # E: died before the first scan: NE in the denominator, not "not yet"
    e = sched.loc["E"]
    assert (e.STATUS, e.END_REASON, e.NOT_YET) == (OFF, "death", False)
    # I: the assessment after PD is not counted
    assert sched.loc["I", "SCANS"] == 1
    # J: end of study on 2026-08-01 (61 days: 1 expected); the scan after it is not counted
    j = sched.loc["J"]
    assert (j.END_REASON, j.EXPECTED, j.SCANS, j.MISSED) == ("end of study", 1, 1, 0)


def test_not_treated(sched):
    g = sched.loc["G"]
    assert (g.STATUS, g.EXPECTED, g.NOT_YET) == (NOT_TREATED, 0, False)
