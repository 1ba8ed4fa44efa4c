"""Laboratory toxicity: CTCAE v5.0 grades from ADLB, baseline-to-worst shifts, worst grade by cycle, and
the eDISH view of drug-induced liver injury (issue 36, item 2).

The sponsor's grade comes first: where ADLB has ``ATOXGR`` (ADaM IG 1.1, the analysis toxicity grade)
it is used; the grade is derived only where it is absent, and :func:`grade_labs` keeps both so that a
page can say where they differ.

Grades follow the Common Terminology Criteria for Adverse Events v5.0 (NCI, 27 Nov 2017), section
"Investigations":

- **Neutrophil count decreased**: 1 ``< LLN – 1.5 ×10⁹/L``; 2 ``< 1.5 – 1.0``; 3 ``< 1.0 – 0.5``; 4 ``< 0.5``.
- **Alanine / aspartate aminotransferase increased**: baseline normal — 1 ``> ULN – 3.0 × ULN``;
  2 ``> 3.0 – 5.0 × ULN``; 3 ``> 5.0 – 20.0 × ULN``; 4 ``> 20.0 × ULN``. Baseline abnormal (above the ULN)
  — the same cut-offs × baseline, grade 1 from 1.5 × baseline.
- **Blood bilirubin increased**: baseline normal — 1 ``> ULN – 1.5 × ULN``; 2 ``> 1.5 – 3.0 × ULN``;
  3 ``> 3.0 – 10.0 × ULN``; 4 ``> 10.0 × ULN``. Baseline abnormal — the same × baseline, grade 1 from
  ``> 1.0 × baseline``.
- **Creatinine increased**: 1 ``> ULN – 1.5 × ULN``; 2 ``> 1.5 – 3.0 × baseline; > 1.5 – 3.0 × ULN``;
  3 ``> 3.0 × baseline; > 3.0 – 6.0 × ULN``; 4 ``> 6.0 × ULN`` — the higher of the two readings.

A range's lower end belongs to the grade above it when CTCAE writes "> x" (3.0 × ULN exactly is grade 1
for ALT) and to the grade below when it writes "< x" (1.5 ×10⁹/L exactly is grade 1 for neutrophils).
A value that cannot be graded (no reference range, a unit the neutrophil rule cannot read) has no grade
(NaN), never 0.

eDISH (evaluation of drug-induced serious hepatotoxicity; Watkins et al., Drug Saf 2011;
FDA guidance "Drug-Induced Liver Injury: Premarketing Clinical Evaluation", 2009): per patient the peak
ALT (or AST, whichever is higher relative to its ULN) and the peak total bilirubin, each × ULN, on log
axes; the potential Hy's law quadrant is ALT > 3 × ULN with bilirubin > 2 × ULN (the peaks need not be
on the same day; a case in it needs review, not a verdict).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LabTest:
    """One graded laboratory test: its CTCAE term, the PARAMCDs that name it, its direction."""

    key: str
    term: str
    codes: tuple[str, ...]
    direction: str  # "high" (increased) or "low" (decreased)


#: The tests graded, each under the PARAMCDs producers use for it (CDISC controlled terminology first).
LAB_TESTS: tuple[LabTest, ...] = (
    LabTest("NEUT", "Neutrophil count decreased", ("NEUT", "ANC", "NEUTSG", "NEUTLE"), "low"),
    LabTest("ALT", "Alanine aminotransferase increased", ("ALT", "SGPT", "ALAT"), "high"),
    LabTest("AST", "Aspartate aminotransferase increased", ("AST", "SGOT", "ASAT"), "high"),
    LabTest("BILI", "Blood bilirubin increased", ("BILI", "TBILI", "BILTOT"), "high"),
    LabTest("CREAT", "Creatinine increased", ("CREAT", "CREA", "CREATSR"), "high"),
)
GRADES = (0, 1, 2, 3, 4)
#: Neutrophil counts in these units are × 1/1000 to 10⁹/L (cells/µL = cells/mm³ = 10⁶/L).
_PER_UL = {"/UL", "/MM3", "CELLS/UL", "CELLS/MM3", "10^6/L", "10E6/L", "/µL", "/ΜL"}
_PER_L9 = {"10^9/L", "10E9/L", "GI/L", "X10^9/L", "10*9/L", "X 10^9/L", "K/UL", "10^3/UL", "10E3/UL", "THOU/UL"}


def lab_test(paramcd: object) -> LabTest | None:
    """The graded test a PARAMCD names (case-insensitive), or None."""
    code = str(paramcd).strip().upper()
    return next((t for t in LAB_TESTS if code in t.codes), None)


def neutrophils_e9(value: float, unit: object) -> float:
    """A neutrophil count in 10⁹/L; NaN when the unit is not one the grading can read."""
    u = str(unit or "").strip().upper().replace(" ", "")
    if u in {x.upper().replace(" ", "") for x in _PER_L9}:
        return value
    if u in {x.upper() for x in _PER_UL}:
        return value / 1000.0
    return np.nan


def _by_cutoffs(ratio: float, cutoffs: tuple[float, float, float, float]) -> float:
    """Grade 0–4 of an increase by "> c1 – c2, > c2 – c3, > c3 – c4, > c4" (the grade's lower end is
    exclusive, the upper inclusive)."""
    if np.isnan(ratio):
        return np.nan
    for grade in (4, 3, 2, 1):
        if ratio > cutoffs[grade - 1]:
            return float(grade)
    return 0.0


def grade_value(test: LabTest, value: float, lln: float, uln: float, baseline: float = np.nan,
                unit: object = "10^9/L") -> float:
    """The CTCAE v5.0 grade (module docstring) of one result; NaN when it cannot be graded."""
    if value is None or np.isnan(value):
        return np.nan
    if test.key == "NEUT":
        x = neutrophils_e9(value, unit)
        lo = neutrophils_e9(lln, unit) if not np.isnan(lln) else np.nan
        if np.isnan(x):
            return np.nan
        if x < 0.5:
            return 4.0
        if x < 1.0:
            return 3.0
        if x < 1.5:
            return 2.0
        if np.isnan(lo):
            return np.nan if x < 2.0 else 0.0  # below 1.5 is graded without the LLN; 1.5–2.0 needs it
        return 1.0 if x < lo else 0.0
    if np.isnan(uln) or uln <= 0:
        return np.nan
    abnormal = not np.isnan(baseline) and baseline > uln
    if test.key in ("ALT", "AST"):
        if abnormal:
            r = value / baseline
            return 0.0 if r < 1.5 else _by_cutoffs(r, (1.0, 3.0, 5.0, 20.0)) if r > 3.0 else 1.0
        return _by_cutoffs(value / uln, (1.0, 3.0, 5.0, 20.0))
    if test.key == "BILI":
        return _by_cutoffs(value / (baseline if abnormal else uln), (1.0, 1.5, 3.0, 10.0))
    if test.key == "CREAT":
        by_uln = _by_cutoffs(value / uln, (1.0, 1.5, 3.0, 6.0))
        if np.isnan(baseline) or baseline <= 0:
            return by_uln
        r = value / baseline
        by_base = 3.0 if r > 3.0 else 2.0 if r > 1.5 else 0.0
        return max(by_uln, by_base)
    return np.nan


def grade_labs(adlb: pd.DataFrame) -> pd.DataFrame:
    """The graded results: one row per ADLB record of a test in :data:`LAB_TESTS`, with TEST (its key),
    BASE (the baseline value: ADLB's own BASE, else the record flagged ABLFL = Y, else the last value on
    or before day 1), BASE_GRADE, DERIVED_GRADE, SPONSOR_GRADE (ATOXGR, NaN when absent), GRADE (the
    sponsor's where given, else the derived one), POST (a post-baseline record) and R_ULN (× ULN)."""
    cols = ["USUBJID", "TEST", "PARAMCD", "ADT", "ADY", "AVAL", "ANRLO", "ANRHI", "BASE", "BASE_GRADE", "DERIVED_GRADE",
            "SPONSOR_GRADE", "GRADE", "POST", "R_ULN"]
    if adlb is None or adlb.empty or "PARAMCD" not in adlb or "AVAL" not in adlb:
        return pd.DataFrame(columns=cols)
    tests = adlb["PARAMCD"].map(lab_test)
    lb = adlb[tests.notna()].copy()
    if lb.empty:
        return pd.DataFrame(columns=cols)
    lb["TEST"] = tests[tests.notna()].map(lambda t: t.key)
    lb["AVAL"] = pd.to_numeric(lb["AVAL"], errors="coerce")
    for c in ("ANRLO", "ANRHI"):
        lb[c] = pd.to_numeric(lb[c], errors="coerce") if c in lb else np.nan
    lb["ADY"] = pd.to_numeric(lb["ADY"], errors="coerce") if "ADY" in lb else np.nan
    if "ADT" not in lb:
        lb["ADT"] = pd.NaT
    lb = lb.sort_values(["USUBJID", "TEST", "ADT", "ADY"], kind="mergesort")
    flagged = lb["ABLFL"].astype(str).str.upper().eq("Y") if "ABLFL" in lb else pd.Series(False, index=lb.index)
    pre = lb["ADY"].le(1) | flagged
    last_pre = lb[pre & lb["AVAL"].notna()].groupby(["USUBJID", "TEST"])["AVAL"].last()
    chosen = lb[flagged].groupby(["USUBJID", "TEST"])["AVAL"].last().combine_first(last_pre)
    keys = pd.MultiIndex.from_frame(lb[["USUBJID", "TEST"]])
    own = pd.to_numeric(lb["BASE"], errors="coerce") if "BASE" in lb else pd.Series(np.nan, index=lb.index)
    lb["BASE"] = own.where(own.notna(), pd.Series(chosen.reindex(keys).to_numpy(), index=lb.index))
    unit = lb["AVALU"] if "AVALU" in lb else pd.Series("10^9/L", index=lb.index)
    test_of = {t.key: t for t in LAB_TESTS}
    lb["DERIVED_GRADE"] = [grade_value(test_of[k], v, lo, hi, b, u) for k, v, lo, hi, b, u in
                           zip(lb["TEST"], lb["AVAL"], lb["ANRLO"], lb["ANRHI"], lb["BASE"], unit, strict=True)]
    base_rows = lb.assign(AVAL=lb["BASE"])
    lb["BASE_GRADE"] = [grade_value(test_of[k], v, lo, hi, np.nan, u) for k, v, lo, hi, u in
                        zip(base_rows["TEST"], base_rows["AVAL"], base_rows["ANRLO"], base_rows["ANRHI"], unit,
                            strict=True)]
    lb["SPONSOR_GRADE"] = pd.to_numeric(lb["ATOXGR"], errors="coerce") if "ATOXGR" in lb else np.nan
    lb["GRADE"] = lb["SPONSOR_GRADE"].where(lb["SPONSOR_GRADE"].notna(), lb["DERIVED_GRADE"])
    lb["POST"] = ~pre
    lb["R_ULN"] = lb["AVAL"] / lb["ANRHI"].where(lb["ANRHI"] > 0)
    return lb[cols].reset_index(drop=True)


def shift_table(graded: pd.DataFrame, test: str, patients: list[str] | None = None) -> pd.DataFrame:
    """Baseline grade (rows) × worst post-baseline grade (columns), patients, for one test: a patient
    with a baseline and at least one graded post-baseline value counts once. ``patients``: the
    denominator's patients (others are left out)."""
    g = graded[(graded["TEST"] == test)]
    if patients is not None:
        g = g[g["USUBJID"].isin(set(patients))]
    base = g.groupby("USUBJID")["BASE_GRADE"].first()
    worst = g[g["POST"]].groupby("USUBJID")["GRADE"].max()
    both = pd.DataFrame({"base": base, "worst": worst}).dropna()
    table = pd.crosstab(both["base"].astype(int), both["worst"].astype(int)).reindex(index=GRADES, columns=GRADES,
                                                                                       fill_value=0)
    table.index.name, table.columns.name = "Baseline grade", "Worst post-baseline grade"
    return table


def worst_by_cycle(graded: pd.DataFrame, test: str, cycle_days: int) -> pd.DataFrame:
    """Patients by their worst grade in each treatment cycle (cycle k = study days (k−1)·L+1 … k·L of
    ``cycle_days`` L), post-baseline values only; rows cycles, columns grades 0–4 and "Patients"."""
    g = graded[(graded["TEST"] == test) & graded["POST"] & graded["GRADE"].notna() & graded["ADY"].notna()]
    if g.empty:
        return pd.DataFrame(columns=["Cycle", *[f"Grade {k}" for k in GRADES], "Patients"])
    g = g.assign(Cycle=((g["ADY"] - 1) // max(int(cycle_days), 1) + 1).astype(int))
    worst = g.groupby(["Cycle", "USUBJID"])["GRADE"].max().astype(int).reset_index()
    table = pd.crosstab(worst["Cycle"], worst["GRADE"]).reindex(columns=GRADES, fill_value=0)
    table.columns = [f"Grade {k}" for k in GRADES]
    table["Patients"] = table.sum(axis=1)
    return table.reset_index()


def edish(graded: pd.DataFrame) -> pd.DataFrame:
    """Per patient: the peak post-baseline aminotransferase × ULN (ALT or AST, whichever is higher) and
    the peak total bilirubin × ULN, and the quadrant (Hy's law: > 3 × ULN and > 2 × ULN; Temple's
    corollary: aminotransferase > 3 × ULN alone; hyperbilirubinaemia: bilirubin > 2 × ULN alone; normal
    range otherwise). Patients without both are left out."""
    post = graded[graded["POST"] & graded["R_ULN"].notna()]
    at = post[post["TEST"].isin(["ALT", "AST"])].groupby("USUBJID")["R_ULN"].max()
    bili = post[post["TEST"] == "BILI"].groupby("USUBJID")["R_ULN"].max()
    df = pd.DataFrame({"PEAK_AT": at, "PEAK_BILI": bili}).dropna().reset_index(names="USUBJID")
    high_at, high_bili = df["PEAK_AT"] > 3, df["PEAK_BILI"] > 2
    df["QUADRANT"] = np.select([high_at & high_bili, high_at, high_bili],
                               ["Potential Hy's law", "Temple's corollary", "Hyperbilirubinaemia"], "Normal range")
    return df
