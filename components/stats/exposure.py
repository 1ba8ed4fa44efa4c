"""Exposure to each study drug: duration, cumulative dose, relative dose intensity, dose levels over
time, reductions and interruptions.

Relative dose intensity (RDI) = delivered cumulative dose / planned cumulative dose over the same
period (Hryniuk & Bush, J Clin Oncol 1984;2:1281; Longo et al., J Clin Oncol 1991;9:2042). For each
drug the period is that drug's own: from its first to its last dose (a drug stopped early while the
others go on is not charged with the doses planned after it stopped; ADSL's TRTEDT is the end of all
study treatment). A patient who never received the drug is measured from TRTSDT to TRTEDT (or the
cut-off) with nothing delivered. The planned doses are the study config's schedule (escalation steps
for a daily drug, cycle dose days, or fixed dose days then a repeat interval), day 1 = the drug's
first dose. A daily-dosing record without an end date (still running at the cut) runs to TRTEDT, or
to the cut-off for a patient on treatment; elsewhere a record without an end date is one day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.data.config import Drug
from components.i18n import N_


def administered(ex: pd.DataFrame) -> pd.Series:
    """Per exposure record: was something given? A positive dose; and a dose of 0 for a subject whose
    every record of the drug is 0 — a placebo (SDTM EX records placebo as EXDOSE 0, e.g. the CDISC
    pilot and admiral's ADEX): that is an administration, not a hold. A 0 among positive doses of the
    same subject is a hold (:func:`components.stats.swimmer.dose_changes`)."""
    dose = pd.to_numeric(ex["EXDOSE"], errors="coerce")
    placebo = dose.fillna(0).eq(0).groupby(ex["USUBJID"]).transform("all") & dose.notna()
    return (dose.gt(0) | placebo).fillna(False).astype(bool)


def delivered(adex: pd.DataFrame, drug: str) -> pd.DataFrame:
    """Per patient: cumulative delivered dose of one drug, first and last dosing date, administrations.
    A row spanning ASTDT..AENDT delivers EXDOSE on each of its days (daily oral dosing); a placebo's
    records (dose 0, :func:`administered`) are administrations of nothing."""
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()].copy()
    if ex.empty:
        return pd.DataFrame(columns=["USUBJID", "TOTAL", "FIRST", "LAST", "DOSING_DAYS"])
    end = ex["AENDT"].fillna(ex["ASTDT"])
    days = (end - ex["ASTDT"]).dt.days + 1
    given_mask = administered(ex)
    ex["DELIVERED"] = ex["EXDOSE"] * days
    ex["DOSING_DAYS"] = np.where(given_mask, days, 0)
    ex["END"] = end
    given = ex[given_mask]
    g = ex.groupby("USUBJID")
    out = pd.DataFrame({"TOTAL": g["DELIVERED"].sum(), "DOSING_DAYS": g["DOSING_DAYS"].sum()})
    out["FIRST"] = given.groupby("USUBJID")["ASTDT"].min()
    out["LAST"] = given.groupby("USUBJID")["END"].max()
    return out.reset_index()


def relative_dose_intensity(
    adex: pd.DataFrame, adsl: pd.DataFrame, drug: Drug, cutoff: pd.Timestamp
) -> pd.DataFrame:
    """Per treated patient: days on ``drug`` (its first to its last dose), delivered and planned
    cumulative dose of it, and RDI = delivered / planned (module docstring)."""
    t = adsl[adsl["TRTSDT"].notna()][["USUBJID", "TRTSDT", "TRTEDT"]].copy()
    if drug.daily and "AENDT" in adex:  # an open daily-dosing record runs to the last dose, or the cut-off
        end = adex["USUBJID"].map(t.set_index("USUBJID")["TRTEDT"]).fillna(cutoff)
        adex = adex.assign(AENDT=adex["AENDT"].fillna(end.where(adex["EXTRT"].str.lower() == drug.drug.lower())))
    d = delivered(adex, drug.drug)
    t = t.merge(d[["USUBJID", "TOTAL", "FIRST", "LAST"]], on="USUBJID", how="left")
    start = pd.to_datetime(t["FIRST"]).fillna(t["TRTSDT"])
    end = pd.to_datetime(t["LAST"]).fillna(t["TRTEDT"].fillna(cutoff))
    t["DAYS"] = ((end - start).dt.days + 1).clip(lower=1)
    t["TOTAL"] = pd.to_numeric(t["TOTAL"]).fillna(0.0)
    t["PLANNED"] = [sum(drug.planned_schedule(int(n))) for n in t["DAYS"]]
    t["RDI"] = np.where(t["PLANNED"] > 0, t["TOTAL"] / t["PLANNED"], np.nan)
    t["DRUG"] = drug.drug
    return t[["USUBJID", "DRUG", "DAYS", "TOTAL", "PLANNED", "RDI"]]


def dose_level_over_time(adex: pd.DataFrame, adsl: pd.DataFrame, drug: str, cutoff: pd.Timestamp,
                         step_days: int = 7) -> pd.DataFrame:
    """Share of patients on treatment at each dose level of a daily drug, by week since first dose."""
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
    ex = ex[ex["TRTSDT"].notna() & ex["ASTDT"].notna()]  # a record without a day since first dose has no week
    if ex.empty:
        return pd.DataFrame(columns=["DAY", "DOSE", "PATIENTS"])
    d0 = (ex["ASTDT"] - ex["TRTSDT"]).dt.days.clip(lower=0).to_numpy()
    d1 = (ex["AENDT"].fillna(ex["ASTDT"]) - ex["TRTSDT"]).dt.days.to_numpy()
    # each record covers the sampled days k·step with D0 <= k·step <= D1: one row per (record, day)
    k0 = -(-d0 // step_days)
    n = np.clip(d1 // step_days - k0 + 1, 0, None).astype(int)
    on = ex.loc[ex.index.repeat(n), ["USUBJID", "EXDOSE"]]
    on["DAY"] = (np.repeat(k0, n) + np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n)) * step_days
    counts = on.groupby(["DAY", "EXDOSE"])["USUBJID"].nunique().reset_index()
    return pd.DataFrame({"DAY": counts["DAY"].astype(int), "DOSE": counts["EXDOSE"].astype(float),
                         "PATIENTS": counts["USUBJID"].astype(int)})


def adjustments(adex: pd.DataFrame, drug: str) -> pd.DataFrame:
    """Reductions (dose below the previous non-zero dose) and interruptions (dose 0) of one drug with
    their reasons (EXADJ), one row per event."""
    from components.stats.swimmer import dose_changes

    dc = dose_changes(adex, drug)
    if dc.empty:
        return pd.DataFrame(columns=["USUBJID", "DRUG", "DATE", "KIND", "Reason", "DETAIL"])
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()]
    ex = ex.assign(EXADJ=ex["EXADJ"] if "EXADJ" in ex else "")[["USUBJID", "ASTDT", "EXADJ"]].rename(columns={"ASTDT": "DATE"})
    ex = ex.drop_duplicates(["USUBJID", "DATE"])
    dc = dc.merge(ex, on=["USUBJID", "DATE"], how="left")
    dc["DRUG"] = drug
    dc["Reason"] = dc["EXADJ"].fillna("").replace("", N_("Not given"))
    return dc[["USUBJID", "DRUG", "DATE", "KIND", "Reason", "DETAIL"]]


def exposure_summary(adex: pd.DataFrame) -> pd.DataFrame:
    """Per drug in the data, without a planned schedule: patients dosed, median days on the drug
    (first to last dose) and median dosing records per patient. What can be said without the plan
    (relative dose intensity needs the study config's schedule)."""
    rows = []
    for drug in sorted(adex["EXTRT"].dropna().astype(str).unique()):
        d = delivered(adex, drug)
        d = d[d["FIRST"].notna()]
        days = (pd.to_datetime(d["LAST"]) - pd.to_datetime(d["FIRST"])).dt.days + 1
        records = adex[adex["EXTRT"] == drug].groupby("USUBJID").size()
        rows.append({"Drug": drug, "Patients": int(len(d)),
                     "Median days on the drug": float(days.median()) if len(d) else np.nan,
                     "Median dosing records": float(records.median()) if len(records) else np.nan})
    return pd.DataFrame(rows, columns=["Drug", "Patients", "Median days on the drug", "Median dosing records"])


def drug_order(planned: list[str], adex: pd.DataFrame | None) -> list[str]:
    """The drugs of the regimen (in its order), then any other drug of the exposure table."""
    drugs = list(planned)
    if adex is not None and "EXTRT" in adex:
        known = {d.lower() for d in drugs}
        drugs += [str(x) for x in adex["EXTRT"].dropna().unique() if str(x).lower() not in known]
    return drugs


def modification_summary(adex: pd.DataFrame, adae: pd.DataFrame | None, drugs: list[str]) -> pd.DataFrame:
    """Dose modifications per drug (issue 36, item 1): patients dosed; patients with at least one
    reduction and with at least one interruption (:func:`components.stats.swimmer.dose_changes`: a dose
    below the previous non-zero dose; a run of 0-dose records); the events; and patients whose drug was
    withdrawn for an adverse event (ADAE ``AEACN`` = DRUG WITHDRAWN, the drug named in ``AEACNDRG``).
    Counts are integers; ``Withdrawn for an AE`` is NaN (not available) when ADAE cannot say which
    drug was withdrawn (no ``AEACN``, or no ``AEACNDRG`` with more than one drug)."""
    from components.stats.swimmer import dose_changes

    rows = []
    for drug in drugs:
        ex = adex[adex["EXTRT"].astype(str).str.lower() == drug.lower()]
        if ex.empty:
            continue
        dosed = set(ex.loc[administered(ex), "USUBJID"])
        dc = dose_changes(adex, drug)
        red, hold = dc[dc["KIND"] == "dose_reduction"], dc[dc["KIND"] == "dose_hold"]
        withdrawn: float = np.nan
        if adae is not None and "AEACN" in adae:
            stop = adae["AEACN"].astype(str).str.upper().eq("DRUG WITHDRAWN")
            if "AEACNDRG" in adae:
                stop &= adae["AEACNDRG"].astype(str).str.lower().eq(drug.lower())
                withdrawn = float(adae.loc[stop, "USUBJID"].nunique())
            elif len(drugs) == 1:
                withdrawn = float(adae.loc[stop, "USUBJID"].nunique())
        rows.append({"Drug": drug, "Patients dosed": len(dosed), "Reduced": int(red["USUBJID"].nunique()),
                     "Interrupted": int(hold["USUBJID"].nunique()), "Withdrawn for an AE": withdrawn,
                     "Reductions": len(red), "Interruptions": len(hold)})
    return pd.DataFrame(rows, columns=["Drug", "Patients dosed", "Reduced", "Interrupted", "Withdrawn for an AE",
                                       "Reductions", "Interruptions"])
