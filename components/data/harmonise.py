"""Other studies' ADaM cuts in the dashboard's terms: variant codings mapped, absent non-standard
columns derived, and every mapping reported.

Two steps around the contract's type checks (:mod:`components.data.validation`):

* :func:`harmonise_raw` runs on each table as read (text), before the checks: variant column names
  and parameter codes are renamed to the contract's (ADTR ``SDIAM`` → ``SUMDIAM``, ADRS ``OVRLRESP``
  → ``OVR``, ADTTE ``RSD`` → ``DOR``, ADAE ``ATOXGR`` → ``AETOXGR``), codings are mapped (``MISSING``
  → ``NE``, a causality scale → RELATED / NOT RELATED), ISO 8601 ``--DTC`` strings stand in for
  absent dates, and lesion-level diameters are summed when no sum is given.
* :func:`derive_subject_level` runs on the checked tables: the columns the CDISC ADaM IG does not
  define but the dashboard uses are derived when absent (data cut-off, safety and response-evaluable
  flags, date last known alive, first dose from exposure), each with a finding saying from what.

The mappings are the study config's ``[mapping]`` (:class:`~components.data.config.Codings`). A
coding that no mapping covers is never guessed: it stays as it is, and the contract check reports it
(table, column, rows, values).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from components.data.config import Codings
from components.data.contract import rules_for

ERROR, WARNING, INFO = "error", "warning", "info"

#: SAS dates between 1990 and 2100 (days since 1960-01-01): numbers in this span in a date column of a
#: text file are read as SAS dates; anything else in a date column stays a bad date.
SAS_EPOCH = pd.Timestamp("1960-01-01")
_SAS_MIN, _SAS_MAX = (pd.Timestamp("1990-01-01") - SAS_EPOCH).days, (pd.Timestamp("2100-12-31") - SAS_EPOCH).days
_INTEGER_TEXT = re.compile(r"^-?\d{1,6}(\.0+)?$")
_GRADE_TEXT = re.compile(r"^\s*(?:CTCAE\s+)?GRADE\s*", re.IGNORECASE)

#: ADSL columns that drive a filter or a panel; absent, those are hidden (one note names them).
PANEL_COLUMNS = {
    "ECOGBL": "the ECOG filter and subgroup",
    "HRSTAT": "the HR-status subgroup",
    "HER2STAT": "the HER2-status subgroup",
    "P95STAT": "the p95HER2 filter, colouring and panels",
    "PRIORLN": "the prior-lines filter and subgroup",
    "TDXDRSN": "the prior T-DXd subgroup",
    "VISCFL": "the visceral-disease subgroup",
    "BSABL": "body-surface-area dosing",
}


def _finding(table: str, column: str | None, severity: str, problem: str, rows: tuple[int, ...] = (),
             action: str = "", values: tuple[str, ...] = ()):
    from components.data.validation import Finding

    return Finding(table, column, severity, problem, rows, action=action, values=values)


def _rows(mask: pd.Series) -> tuple[int, ...]:
    """Spreadsheet rows (header = row 1) of a raw table's mask (raw tables are 0-indexed)."""
    return tuple(int(i) + 2 for i in np.flatnonzero(mask.to_numpy(dtype=bool)))


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.upper()


def _rename_param(table: str, df: pd.DataFrame, target: str, variants: tuple[str, ...], what: str) -> list:
    """Rows of the first variant present get PARAMCD = target, when no row has the target code."""
    if "PARAMCD" not in df.columns:
        return []
    codes = _text(df["PARAMCD"])
    if (codes == target).any():
        return []
    for code in variants:
        if code == target:
            continue
        hit = codes == code
        if hit.any():
            df.loc[hit.to_numpy(), "PARAMCD"] = target
            return [_finding(table, "PARAMCD", INFO, f"{what} is coded {code} in this cut",
                             action=f"Its {int(hit.sum())} rows are read as {target} ([mapping] in the study "
                                    "config).")]
    return []


def _date_sources(table: str, df: pd.DataFrame, codings: Codings) -> list:
    out = []
    for t, column, sources in codings.date_sources:
        if t != table or column in df.columns:
            continue
        src = next((s for s in sources if s in df.columns), None)
        if src is None:
            continue
        df[column] = df[src]
        out.append(_finding(table, column, INFO, f"absent; taken from {src}",
                            action="Its date part is used (ISO 8601)."))
    return out


def _sas_numbers_as_dates(table: str, df: pd.DataFrame) -> list:
    """A date column of a text file holding only whole numbers in the SAS span: SAS dates."""
    out = []
    for rule in rules_for(table):
        if rule.type != "date" or rule.column not in df.columns:
            continue
        col = df[rule.column]
        if col.dtype != object:
            continue
        text = col.dropna().astype(str).str.strip()
        text = text[text != ""]
        if text.empty or not text.str.match(_INTEGER_TEXT).all():
            continue
        days = pd.to_numeric(text).round()
        if days.min() < _SAS_MIN or days.max() > _SAS_MAX:
            continue
        iso = (SAS_EPOCH + pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d")
        df.loc[iso.index, rule.column] = iso
        out.append(_finding(table, rule.column, INFO, "dates written as numbers",
                            action="Read as SAS dates (days since 1960-01-01)."))
    return out


def _response_codes(df: pd.DataFrame, codings: Codings) -> list:
    if "AVALC" not in df.columns or "PARAMCD" not in df.columns:
        return []
    rows = _text(df["PARAMCD"]).isin(["OVR", "BOR", "CBOR"]).fillna(False)
    vals = _text(df["AVALC"])
    out = []
    for code, target in codings.response_codes:
        if code == target:
            continue
        hit = rows & (vals == code).fillna(False)
        if hit.any():
            df.loc[hit.to_numpy(), "AVALC"] = target
            out.append(_finding("adrs", "AVALC", INFO, f"response coded {code!r}", _rows(hit),
                                action=f"Read as {target} ([mapping] response_codes in the study config)."))
    return out


def _tumour_sum(df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    out = _rename_param("adtr", df, "SUMDIAM", codings.tumour_sum_params, "The sum of target-lesion diameters")
    if out or "PARAMCD" not in df.columns or (_text(df["PARAMCD"]) == "SUMDIAM").any():
        return df, out
    codes = _text(df["PARAMCD"]).fillna("")
    lesion = pd.Series(False, index=df.index)
    for code in codings.lesion_params:
        lesion |= codes.str.fullmatch(rf"{re.escape(code)}\d*")
    if not lesion.any() or not {"USUBJID", "ADT", "AVAL"} <= set(df.columns):
        return df, out
    rows = df[lesion.to_numpy()].copy()
    rows["_AVAL"] = pd.to_numeric(rows["AVAL"], errors="coerce")
    keys = ["USUBJID", "ADT"]
    grouped = rows.groupby(keys, sort=False, dropna=False)
    sums = grouped["_AVAL"].sum(min_count=1)
    # A sum with any lesion unmeasured is unknown (RECIST 1.1 §4.3: all target lesions are measured).
    incomplete = grouped["_AVAL"].apply(lambda s: s.isna().any())
    sums[incomplete] = np.nan
    summed = sums.reset_index().rename(columns={"_AVAL": "AVAL"})
    summed["PARAMCD"] = "SUMDIAM"
    summed["PARAM"] = "Sum of diameters of target lesions (summed from lesion rows)"
    for col in ("STUDYID", "AVISIT", "AVISITN"):
        if col in rows.columns:
            summed[col] = grouped[col].first().to_numpy()
    if "ABLFL" in rows.columns:
        summed["ABLFL"] = grouped["ABLFL"].apply(lambda s: "Y" if (_text(s) == "Y").any() else "N").to_numpy()
    summed["AVAL"] = summed["AVAL"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    out.append(_finding("adtr", "PARAMCD", INFO, "no tumour-sum rows; lesion-level diameters given "
                        f"({', '.join(sorted(set(codes[lesion])))[:60]})",
                        action=f"{int(lesion.sum())} lesion rows are summed per subject and date into "
                               f"{len(summed)} sums (a date with an unmeasured lesion has no sum)."))
    return pd.concat([df, summed[[c for c in summed.columns if c in df.columns or c == "PARAMCD"]]],
                     ignore_index=True), out


def _grade(df: pd.DataFrame, codings: Codings) -> list:
    out = []
    if "AETOXGR" not in df.columns:
        src = next((c for c in codings.grade_columns if c in df.columns), None)
        if src is not None:
            df["AETOXGR"] = df[src]
            out.append(_finding("adae", "AETOXGR", INFO, f"absent; the grade is taken from {src}"))
        else:
            sev = next((c for c in ("AESEV", "ASEV") if c in df.columns), None)
            if sev is not None and codings.severity_as_grade:
                scale = dict(codings.severity_as_grade)
                df["AETOXGR"] = _text(df[sev]).map(lambda v: str(scale[v]) if v in scale else (v or ""))
                words = ", ".join(f"{k.lower()} = {v}" for k, v in codings.severity_as_grade)
                out.append(_finding("adae", "AETOXGR", WARNING, f"no CTCAE grade in the cut; severity ({sev}) "
                                    f"is read as grade ({words})",
                                    action="Severity is not a CTCAE grade: grade 4–5 cannot be told apart, and "
                                           "'grade ≥ 3' means 'severe'."))
    if "AETOXGR" in df.columns and df["AETOXGR"].dtype == object:
        text = df["AETOXGR"].astype("string")
        worded = text.str.match(_GRADE_TEXT).fillna(False)
        if worded.any():
            df.loc[worded.to_numpy(), "AETOXGR"] = text[worded].str.replace(_GRADE_TEXT, "", regex=True)
            out.append(_finding("adae", "AETOXGR", INFO, "grades written as words ('Grade 3')", _rows(worded),
                                action="The number is used."))
    return out


def _relatedness(df: pd.DataFrame, codings: Codings) -> list:
    out = []
    if "AREL" not in df.columns:
        src = next((c for c in codings.relatedness_columns if c in df.columns), None)
        if src is None:
            return [_finding("adae", "AREL", INFO, "absent",
                             action="Treatment-related counts are not shown (not shown as zero).")]
        df["AREL"] = df[src]
        out.append(_finding("adae", "AREL", INFO, f"absent; causality is taken from {src}"))
    vals = _text(df["AREL"])
    related = vals.isin(codings.related_values).fillna(False)
    not_related = vals.isin(codings.not_related_values).fillna(False)
    blank = vals.isna() | (vals == "")
    unknown = ~related & ~not_related & ~blank
    scale = sorted(set(vals[(related | not_related) & ~vals.isin(["RELATED", "NOT RELATED"])].dropna()))
    if scale:
        rel = sorted(set(vals[related].dropna()) - {"RELATED"})
        out.append(_finding("adae", "AREL", INFO, f"causality coded {', '.join(scale)}",
                            action=f"Read as RELATED: {', '.join(rel) or '—'}; the others as NOT RELATED "
                                   "([mapping] related_values in the study config)."))
    if unknown.any():
        out.append(_finding("adae", "AREL", WARNING, "causality value not in the [mapping] lists", _rows(unknown),
                            action="Counted as 'causality unknown', neither related nor unrelated; add the value "
                                   "to related_values or not_related_values.",
                            values=tuple(dict.fromkeys(df.loc[unknown.to_numpy(), "AREL"].astype(str)))))
    df["AREL"] = np.where(related, "RELATED", np.where(not_related, "NOT RELATED", ""))
    return out


def _arm(df: pd.DataFrame, codings: Codings) -> list:
    if "TRT01A" in df.columns:
        return []
    src = next((c for c in codings.arm_columns if c in df.columns), None)
    if src is None:
        return []
    vals = df[src].astype("string").str.strip()
    none = _text(df[src]).isin(codings.no_arm_values).fillna(True)
    df["TRT01A"] = vals.where(~none, "")
    return [_finding("adsl", "TRT01A", INFO, f"absent; the arm is taken from {src}",
                     action=(f"{int(none.sum())} subjects without an arm ({', '.join(sorted(set(vals[none].dropna())))}) "
                             "are kept without one." if none.any() else ""))]


def _enrollment_date(df: pd.DataFrame, codings: Codings) -> list:
    if "RFICDT" in df.columns:
        return []
    src = next((c for c in codings.enrollment_date_fallbacks if c in df.columns), None)
    if src is None:
        return [_finding("adsl", "RFICDT", WARNING, "no consent, randomization or first-dose date",
                         action="Enrollment over time cannot be shown.")]
    df["RFICDT"] = df[src]
    return [_finding("adsl", "RFICDT", INFO, f"absent (no consent date); the enrollment date is {src}",
                     action="The Enrollment page counts patients by that date.")]


def harmonise_raw(table: str, df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    """Map one raw table's variants to the contract (see the module docstring). Returns a new table
    and the findings (one per mapping applied)."""
    df = df.copy()
    findings: list = []
    if df.columns.duplicated().any():  # repeated columns are the contract check's to report
        return df, findings
    findings += _date_sources(table, df, codings)
    findings += _sas_numbers_as_dates(table, df)
    if table == "adsl":
        findings += _arm(df, codings)
        findings += _enrollment_date(df, codings)
    elif table == "adrs":
        findings += _rename_param("adrs", df, "OVR", codings.overall_response_params,
                                  "The overall response at each assessment")
        findings += _response_codes(df, codings)
    elif table == "adtr":
        df, f = _tumour_sum(df, codings)
        findings += f
    elif table == "adtte":
        for target, variants in codings.tte_params:
            findings += _rename_param("adtte", df, target, variants, f"{target}")
    elif table == "adae":
        findings += _grade(df, codings)
        findings += _relatedness(df, codings)
    return df, findings


# --------------------------------------------------------------------------- after the checks


def _latest_date(tables: dict[str, pd.DataFrame]) -> pd.Timestamp | None:
    latest = []
    for name, df in tables.items():
        for rule in rules_for(name):
            if rule.type == "date" and rule.column in df.columns and rule.column != "DCUTDT":
                v = df[rule.column].max()
                if pd.notna(v):
                    latest.append(v)
    return max(latest) if latest else None


def cutoff_fallback(tables: dict[str, pd.DataFrame], hint: str | None) -> tuple[pd.Timestamp | None, list]:
    """The data cut-off when ADSL has no DCUTDT: the cut's own date (``cut.toml`` cutoff or a folder
    named YYYY-MM-DD), else the latest date in the data."""
    when = pd.to_datetime(hint, format="%Y-%m-%d", errors="coerce") if hint else pd.NaT
    if pd.notna(when):
        return when, [_finding("adsl", "DCUTDT", INFO, "absent (not an ADaM IG variable)",
                               action=f"The data cut-off is the cut's date, {when:%Y-%m-%d}.")]
    latest = _latest_date(tables)
    if latest is not None:
        return latest, [_finding("adsl", "DCUTDT", WARNING, "absent, and the cut has no date",
                                 action=f"The data cut-off is taken as the latest date in the data, {latest:%Y-%m-%d}; "
                                        "add DCUTDT to ADSL, or name the cut folder by its date (YYYY-MM-DD).")]
    return None, [_finding("adsl", "DCUTDT", WARNING, "absent, and no date in the data",
                           action="The data cut-off is unknown.")]


def derive_subject_level(tables: dict[str, pd.DataFrame], raw_adsl_columns: set[str]) -> tuple[dict, list]:
    """Derive the ADSL columns the ADaM IG does not define but the dashboard uses, when absent
    (``raw_adsl_columns``: the columns the file had). Each derivation is a finding."""
    findings: list = []
    adsl = tables["adsl"].copy()
    if "TRTSDT" not in raw_adsl_columns:
        adex = tables.get("adex")
        if adex is not None and len(adex) and {"ASTDT", "EXDOSE"} <= set(adex.columns):
            first = adex[adex["EXDOSE"] > 0].groupby("USUBJID")["ASTDT"].min()
            adsl["TRTSDT"] = adsl["USUBJID"].map(first)
            findings.append(_finding("adsl", "TRTSDT", WARNING, "absent; the first dose is taken from the "
                                     "exposure table (first ADEX.ASTDT with a dose > 0)",
                                     action=f"{int(adsl['TRTSDT'].notna().sum())} of {len(adsl)} subjects treated. "
                                            "Add TRTSDT to ADSL to be sure."))
        else:
            adsl["TRTSDT"] = pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
            findings.append(_finding("adsl", "TRTSDT", WARNING, "absent (no first-dose date), and no exposure table",
                                     action="Nobody counts as treated: treatment-based views (safety population, "
                                            "swimmer, response-evaluable) are empty."))
    if "SAFFL" not in raw_adsl_columns:
        adsl["SAFFL"] = np.where(adsl["TRTSDT"].notna(), "Y", "N")
        findings.append(_finding("adsl", "SAFFL", INFO, "absent; derived: Y when a first dose (TRTSDT) is known",
                                 action=f"{int((adsl['SAFFL'] == 'Y').sum())} subjects in the safety population."))
    if "LSTALVDT" not in raw_adsl_columns:
        dates = [adsl.set_index("USUBJID")[c] for c in ("RFICDT", "TRTSDT", "TRTEDT", "DTHDT") if c in adsl.columns]
        for name, cols in (("adrs", ("ADT",)), ("adtr", ("ADT",)), ("adae", ("ASTDT", "AENDT")),
                           ("adex", ("ASTDT", "AENDT")), ("adlb", ("ADT",))):
            df = tables.get(name)
            if df is None:
                continue
            for c in cols:
                if c in df.columns:
                    dates.append(df.groupby("USUBJID")[c].max())
        if dates:
            last = pd.concat(dates, axis=1).max(axis=1)
            adsl["LSTALVDT"] = adsl["USUBJID"].map(last)
        findings.append(_finding("adsl", "LSTALVDT", INFO, "absent; derived as each subject's latest date in the "
                                 "cut (ADSL, ADRS, ADTR, ADAE, ADEX, ADLB dates)",
                                 action="Used only where no ADTTE overall survival is given."))
    if "EFFFL" not in raw_adsl_columns:
        adsl["EFFFL"], note = derive_efffl(adsl, tables.get("adrs"), tables.get("adtr"))
        findings.append(_finding("adsl", "EFFFL", INFO, "absent; the response-evaluable population is derived",
                                 action=note))
    absent = [c for c in PANEL_COLUMNS if c not in adsl.columns]
    if absent:
        what = "; ".join(f"{c}: {PANEL_COLUMNS[c]}" for c in absent)
        findings.append(_finding("adsl", ", ".join(absent), INFO, "optional columns absent",
                                 action=f"What needs them is hidden ({what})."))
    return {**tables, "adsl": adsl}, findings


def derive_efffl(adsl: pd.DataFrame, adrs: pd.DataFrame | None, adtr: pd.DataFrame | None) -> tuple[pd.Series, str]:
    """Response-evaluable when EFFFL is absent: treated, with measurable disease at baseline (a
    tumour-sum baseline on or before the first dose, RECIST 1.1 §3.1), and at least one
    post-baseline overall response or an early progression or death (which make BOR PD/NE, not
    unknown). Without ADTR, measurability cannot be checked and is assumed (said in the note)."""
    treated = adsl["TRTSDT"].notna()
    ids = adsl["USUBJID"]
    if adtr is not None and len(adtr) and {"PARAMCD", "ADT"} <= set(adtr.columns):
        sums = adtr[adtr["PARAMCD"].astype(str).str.upper() == "SUMDIAM"].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
        base = sums["ADT"] <= sums["TRTSDT"]
        if "ABLFL" in sums.columns:
            base |= sums["ABLFL"].astype(str).str.upper() == "Y"
        measurable = ids.isin(set(sums.loc[base & (sums["AVAL"] > 0), "USUBJID"]))
        m_note = "measurable disease = a tumour sum > 0 on or before the first dose (ADTR)"
    else:
        measurable = pd.Series(True, index=adsl.index)
        m_note = "measurable disease assumed (no tumour measurements to check it)"
    assessed = pd.Series(False, index=adsl.index)
    if adrs is not None and len(adrs) and {"PARAMCD", "ADT"} <= set(adrs.columns):
        ovr = adrs[adrs["PARAMCD"].astype(str).str.upper() == "OVR"].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
        assessed = ids.isin(set(ovr.loc[ovr["ADT"] > ovr["TRTSDT"], "USUBJID"]))
    died = adsl["DTHDT"].notna() if "DTHDT" in adsl.columns else pd.Series(False, index=adsl.index)
    flag = treated & measurable & (assessed | died)
    note = (f"EFFFL = Y for {int(flag.sum())} of {len(adsl)} subjects: treated, {m_note}, and a post-baseline "
            "assessment or death. Add EFFFL to ADSL to use the study's own definition.")
    return pd.Series(np.where(flag, "Y", "N"), index=adsl.index), note


#: Optional columns kept absent when the files lack them: their absence hides a filter or panel, or
#: a row of counts (a filled, empty column would show "0 patients" where the truth is "not recorded").
KEEP_ABSENT = {
    "adsl": {*PANEL_COLUMNS, "TRT01A", "TRT01P", "ARM", "ACTARM", "ITTFL", "RANDDT"},
    "adae": {"AESER", "AREL", "AEACN", "AEACNDRG", "TRTEMFL"},
}
#: Absent columns whose absence changes what the numbers mean: a warning says how.
MEANING = {
    ("adsl", "TRTEDT"): "no last-dose dates: every treated patient counts as still on treatment",
    ("adsl", "DTHDT"): "no death dates in ADSL: deaths are not counted (overall survival comes from ADTTE only)",
    ("adae", "ASTDT"): "no AE start dates: treatment emergence is judged by TRTEMFL only (all AEs of the safety "
                       "population count when TRTEMFL is absent too); time to onset cannot be shown",
    ("adex", "AENDT"): "no end dates of dosing periods: each record counts as one day of dosing",
}


def fill_absent(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, pd.DataFrame], list]:
    """Optional contract columns the files lack are added as empty columns of their type (so every
    view can read them), except :data:`KEEP_ABSENT`; the ones whose absence changes the numbers'
    meaning are reported as warnings (:data:`MEANING`)."""
    findings: list = []
    out = dict(tables)
    for name, df in tables.items():
        add = {}
        for rule in rules_for(name):
            col = rule.column
            if col in df.columns or col in add or rule.required or col in KEEP_ABSENT.get(name, ()):
                continue
            if rule.type == "date":
                add[col] = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
            elif rule.type in ("number", "integer"):
                add[col] = pd.Series(np.nan, index=df.index, dtype=float)
            else:
                add[col] = pd.Series(np.nan, index=df.index, dtype=object)
            if (name, col) in MEANING:
                findings.append(_finding(name, col, WARNING, "absent", action=MEANING[(name, col)][0].upper()
                                         + MEANING[(name, col)][1:] + "."))
        if add:
            out[name] = df.assign(**add)
    return out, findings
