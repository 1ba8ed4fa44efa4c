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
from components.data.validation import Joined, Msg, msg
from components.data.vocabulary import planned_arm_column, randomized_by_data
from components.i18n import N_

ERROR, WARNING, INFO = "error", "warning", "info"

#: SAS dates between 1990 and 2100 (days since 1960-01-01): numbers in this span in a date column of a
#: text file are read as SAS dates; anything else in a date column stays a bad date.
SAS_EPOCH = pd.Timestamp("1960-01-01")
_SAS_MIN, _SAS_MAX = (pd.Timestamp("1990-01-01") - SAS_EPOCH).days, (pd.Timestamp("2100-12-31") - SAS_EPOCH).days
_INTEGER_TEXT = re.compile(r"^-?\d{1,11}(\.0+)?$")
_GRADE_TEXT = re.compile(r"^\s*(?:CTCAE\s+)?GRADE\s*", re.IGNORECASE)

#: ADSL columns that drive a filter or a panel; absent, those are hidden (one note names them).
PANEL_COLUMNS = {
    "ECOGBL": N_("the ECOG filter and subgroup"),
    "HRSTAT": N_("the HR-status subgroup"),
    "HER2STAT": N_("the HER2-status subgroup"),
    "P95STAT": N_("the p95HER2 filter, colouring and panels"),
    "PRIORLN": N_("the prior-lines filter and subgroup"),
    "TDXDRSN": N_("the prior T-DXd subgroup"),
    "VISCFL": N_("the visceral-disease subgroup"),
    "BSABL": N_("body-surface-area dosing"),
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
    """Rows of every variant code get PARAMCD = target, also when some rows already have the target
    code (a cut mixing codings: each subject's rows count whichever code they carry; a subject with
    both on one date then has duplicate rows, which the contract check reports)."""
    if "PARAMCD" not in df.columns:
        return []
    codes = _text(df["PARAMCD"])
    had_target = bool((codes == target).any())
    out = []
    for code in variants:
        if code == target:
            continue
        hit = (codes == code).fillna(False)
        if hit.any():
            df.loc[hit.to_numpy(), "PARAMCD"] = target
            problem = (msg(N_("{what} is coded {code} in this cut (the cut also has {target} rows: both are used)"),
                           what=msg(what), code=code, target=target) if had_target
                       else msg(N_("{what} is coded {code} in this cut"), what=msg(what), code=code))
            out.append(_finding(table, "PARAMCD", INFO if not had_target else WARNING, problem,
                                action=msg(N_("Its {n} rows are read as {target} ([mapping] in the study config)."),
                                           n=int(hit.sum()), target=target)))
    return out


def _choose_param(table: str, df: pd.DataFrame, target: str, variants: tuple[str, ...], what: str) -> list:
    """The first of ``variants`` present (``target`` itself first) is read as ``target``; any other
    variant present is not used and said so (a cut with an investigator's and a committee's BOR is
    not mixed). The choice is a finding naming the code read and the key of ``[mapping]``."""
    if "PARAMCD" not in df.columns:
        return []
    codes = _text(df["PARAMCD"])
    present = [c for c in dict.fromkeys((target, *variants)) if (codes == c).any()]
    if not present:
        return []
    chosen, others = present[0], present[1:]
    out = []
    if chosen != target:
        hit = (codes == chosen).fillna(False)
        df.loc[hit.to_numpy(), "PARAMCD"] = target
        out.append(_finding(table, "PARAMCD", INFO, msg(N_("{what} is coded {code} in this cut"), what=msg(what),
                                                        code=chosen),
                            action=msg(N_("Its {n} rows are read as {target} ([mapping] in the study config)."),
                                       n=int(hit.sum()), target=target)))
    if others:
        out.append(_finding(table, "PARAMCD", WARNING,
                            msg(N_("{what}: the cut has {codes} as well as {code}"), what=msg(what),
                                codes=", ".join(others), code=chosen),
                            action=msg(N_("{code} is used (the first of [mapping] in the study config); the others are "
                                          "not."), code=chosen)))
    return out


def _date_sources(table: str, df: pd.DataFrame, codings: Codings) -> list:
    out = []
    for t, column, sources in codings.date_sources:
        if t != table or column in df.columns:
            continue
        src = next((s for s in sources if s in df.columns), None)
        if src is None:
            continue
        df[column] = df[src]
        out.append(_finding(table, column, INFO, msg(N_("absent; taken from {source}"), source=src),
                            action=N_("Its date part is used (ISO 8601).")))
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
        num = pd.to_numeric(text)
        if num.min() >= _SAS_MIN and num.max() <= _SAS_MAX:
            days, read_as = num.round(), N_("Read as SAS dates (days since 1960-01-01).")
        elif num.min() >= _SAS_MIN * 86400 and num.max() <= (_SAS_MAX + 1) * 86400:
            days, read_as = np.floor(num / 86400), N_("Read as SAS date-times (seconds since 1960-01-01), date part.")
        else:
            continue
        iso = (SAS_EPOCH + pd.to_timedelta(days, unit="D")).dt.strftime("%Y-%m-%d")
        df.loc[iso.index, rule.column] = iso
        out.append(_finding(table, rule.column, INFO, N_("dates written as numbers"), action=read_as))
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
            out.append(_finding("adrs", "AVALC", INFO, msg(N_("response coded {code}"), code=repr(code)), _rows(hit),
                                action=msg(N_("Read as {target} ([mapping] response_codes in the study config)."),
                                           target=target)))
    return out


def _tumour_sum(df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    out = _rename_param("adtr", df, "SUMDIAM", codings.tumour_sum_params, N_("The sum of target-lesion diameters"))
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
    rows["_LESION"] = rows["LESIONID"] if "LESIONID" in rows and rows["LESIONID"].notna().all() else codes[lesion]
    # One assessment = one visit (its lesions may be scanned on different days), else one date.
    by_visit = "AVISIT" in rows and rows["AVISIT"].notna().all() and (rows["AVISIT"].astype(str).str.strip() != "").all()
    rows["_KEY"] = rows["AVISIT"].astype(str) if by_visit else rows["ADT"].astype(str)
    rows["_DATE"] = pd.to_datetime(rows["ADT"], errors="coerce")
    grouped = rows.groupby(["USUBJID", "_KEY"], sort=False)
    summed = grouped.agg(AVAL=("_AVAL", lambda v: v.sum(min_count=1)), _DATE=("_DATE", "max"),
                         _N=("_AVAL", "size"), _MISSING=("_AVAL", lambda v: v.isna().any()),
                         _SET=("_LESION", lambda v: frozenset(v.astype(str)))).reset_index()
    # RECIST 1.1 §4.3: the sum is of every target lesion. A visit that lacks a lesion measured at the
    # subject's first assessment (baseline), or has one unmeasured, has no known sum.
    summed = summed.sort_values(["USUBJID", "_DATE"], kind="mergesort")
    baseline_set = summed.groupby("USUBJID")["_SET"].transform("first")
    lacking = pd.Series([not b <= v for b, v in zip(baseline_set, summed["_SET"], strict=True)], index=summed.index)
    incomplete = summed["_MISSING"].astype(bool) | lacking
    n_groups = len(summed)
    summed = summed[~incomplete.to_numpy()]
    summed["ADT"] = summed["_DATE"].dt.strftime("%Y-%m-%d")
    if by_visit:
        summed["AVISIT"] = summed["_KEY"]
    summed["PARAMCD"] = "SUMDIAM"
    summed["PARAM"] = "Sum of diameters of target lesions (summed from lesion rows)"
    first = grouped.first()
    for col in ("STUDYID", "AVISITN"):
        if col in rows.columns:
            summed[col] = summed.set_index(["USUBJID", "_KEY"]).index.map(first[col])
    if "ABLFL" in rows.columns:
        abl = grouped["ABLFL"].apply(lambda v: "Y" if (_text(v) == "Y").any() else "N")
        summed["ABLFL"] = summed.set_index(["USUBJID", "_KEY"]).index.map(abl)
    summed["AVAL"] = summed["AVAL"].map(lambda v: "" if pd.isna(v) else f"{v:g}")
    summed_as = (N_("{rows} lesion rows are summed per subject and visit into {sums} sums; {incomplete} with a lesion "
                    "missing or unmeasured have no sum. The lesion rows themselves are not loaded.") if by_visit
                 else N_("{rows} lesion rows are summed per subject and date into {sums} sums; {incomplete} with a "
                         "lesion missing or unmeasured have no sum. The lesion rows themselves are not loaded."))
    out.append(_finding("adtr", "PARAMCD", INFO,
                        msg(N_("no tumour-sum rows; lesion-level diameters given ({codes})"),
                            codes=", ".join(sorted(set(codes[lesion])))[:60]),
                        action=msg(summed_as, rows=int(lesion.sum()), sums=n_groups, incomplete=int(incomplete.sum()))))
    keep = [c for c in df.columns if c in summed.columns]
    return pd.concat([df[~lesion.to_numpy()], summed[keep]], ignore_index=True), out


def _grade(df: pd.DataFrame, codings: Codings) -> list:
    out = []
    if "AETOXGR" not in df.columns:
        src = next((c for c in codings.grade_columns if c in df.columns), None)
        if src is not None:
            df["AETOXGR"] = df[src]
            out.append(_finding("adae", "AETOXGR", INFO, msg(N_("absent; the grade is taken from {source}"), source=src)))
        else:
            sev = next((c for c in ("AESEV", "ASEV") if c in df.columns), None)
            if sev is not None and codings.severity_as_grade:
                scale = dict(codings.severity_as_grade)
                df["AETOXGR"] = _text(df[sev]).map(lambda v: str(scale[v]) if v in scale else (v or ""))
                df["AEGRSRC"] = sev  # the grade is a severity: a fatal AE is then known only from AESDTH/AEOUT
                words = ", ".join(f"{k.lower()} = {v}" for k, v in codings.severity_as_grade)
                out.append(_finding("adae", "AETOXGR", WARNING,
                                    msg(N_("no CTCAE grade in the cut; severity ({column}) is read as grade ({scale})"),
                                        column=sev, scale=words),
                                    action=N_("Severity is not a CTCAE grade: 'grade ≥ 3' means severe or worse, and "
                                              "a fatal AE is counted only where AESDTH or AEOUT records it.")))
    if "AETOXGR" in df.columns and df["AETOXGR"].dtype == object:
        text = df["AETOXGR"].astype("string")
        worded = text.str.match(_GRADE_TEXT).fillna(False)
        if worded.any():
            df.loc[worded.to_numpy(), "AETOXGR"] = text[worded].str.replace(_GRADE_TEXT, "", regex=True)
            out.append(_finding("adae", "AETOXGR", INFO, N_("grades written as words ('Grade 3')"), _rows(worded),
                                action=N_("The number is used.")))
    return out


def _relatedness(df: pd.DataFrame, codings: Codings) -> list:
    out = []
    if "AREL" not in df.columns:
        src = next((c for c in codings.relatedness_columns if c in df.columns), None)
        if src is None:
            return [_finding("adae", "AREL", INFO, N_("absent"),
                             action=N_("Treatment-related counts are not shown (not shown as zero)."))]
        df["AREL"] = df[src]
        out.append(_finding("adae", "AREL", INFO, msg(N_("absent; causality is taken from {source}"), source=src)))
    vals = _text(df["AREL"])
    related = vals.isin(codings.related_values).fillna(False)
    not_related = vals.isin(codings.not_related_values).fillna(False)
    blank = vals.isna() | (vals == "")
    unknown = ~related & ~not_related & ~blank
    scale = sorted(set(vals[(related | not_related) & ~vals.isin(["RELATED", "NOT RELATED"])].dropna()))
    if scale:
        rel = sorted(set(vals[related].dropna()) - {"RELATED"})
        out.append(_finding("adae", "AREL", INFO, msg(N_("causality coded {codes}"), codes=", ".join(scale)),
                            action=msg(N_("Read as RELATED: {related}; the others as NOT RELATED ([mapping] "
                                          "related_values in the study config)."), related=", ".join(rel) or "—")))
    if unknown.any():
        out.append(_finding("adae", "AREL", WARNING, N_("causality value not in the [mapping] lists"), _rows(unknown),
                            action=N_("Counted as 'causality unknown', neither related nor unrelated; add the value "
                                      "to related_values or not_related_values."),
                            values=tuple(dict.fromkeys(df.loc[unknown.to_numpy(), "AREL"].astype(str)))))
    df["AREL"] = np.where(related, "RELATED", np.where(not_related, "NOT RELATED", ""))
    return out


def _arm(df: pd.DataFrame, codings: Codings) -> list:
    """The actual arm TRT01A (from ACTARM …, :attr:`Codings.arm_columns`) and the planned arm TRT01P
    (from ARM when ADSL has only ARM and ACTARM: efficacy is by planned arm, and without TRT01P it
    would fall to the actual arm)."""
    out = []
    if "TRT01P" not in df.columns and "ARM" in df.columns:
        planned = df["ARM"].astype("string").str.strip()
        no_arm = _text(df["ARM"]).isin(codings.no_arm_values).fillna(True)
        df["TRT01P"] = planned.where(~no_arm, "")
        out.append(_finding("adsl", "TRT01P", INFO, N_("absent; the planned arm is taken from ARM"),
                            action=N_("Efficacy is shown by it (ICH E9: as randomized).")))
    return out + _actual_arm(df, codings)


def _actual_arm(df: pd.DataFrame, codings: Codings) -> list:
    if "TRT01A" in df.columns:
        none = _text(df["TRT01A"]).isin([v for v in codings.no_arm_values if v]).fillna(False)
        if none.any():
            df.loc[none.to_numpy(), "TRT01A"] = ""
            return [_finding("adsl", "TRT01A", INFO, N_("values meaning 'no arm' (e.g. Not Treated)"), _rows(none),
                             action=N_("Read as no arm."))]
        return []
    src = next((c for c in codings.arm_columns if c in df.columns), None)
    if src is None:
        return []
    vals = df[src].astype("string").str.strip()
    none = _text(df[src]).isin(codings.no_arm_values).fillna(True)
    df["TRT01A"] = vals.where(~none, "")
    return [_finding("adsl", "TRT01A", INFO, msg(N_("absent; the arm is taken from {source}"), source=src),
                     action=(msg(N_("{n} subjects without an arm ({values}) are kept without one."), n=int(none.sum()),
                                 values=", ".join(sorted(set(vals[none].dropna())))) if none.any() else ""))]


def _enrollment_date(df: pd.DataFrame, codings: Codings) -> list:
    """The enrollment date: RFICDT (or RFICDTC), else the first fallback of ``[mapping]`` present — also
    when RFICDT is present but empty in every row (the CDISC pilot's RFICDTC), and row by row where it
    is empty in some."""
    def filled(col: str) -> pd.Series:
        return (_text(df[col]).fillna("") != "") if col in df.columns else pd.Series(False, index=df.index)

    if "RFICDT" in df.columns:
        empty = ~filled("RFICDT")
        if not empty.any():
            return []
        src = next((c for c in codings.enrollment_date_fallbacks if filled(c).any()), None)
        if src is None:
            return []  # nothing to fall back on: the date check reports the missing values
        if not empty.all():
            use = empty & filled(src)
            if not use.any():
                return []
            df.loc[use.to_numpy(), "RFICDT"] = df.loc[use.to_numpy(), src]
            return [_finding("adsl", "RFICDT", WARNING, N_("empty in some rows"), _rows(use),
                             action=msg(N_("Those patients' enrollment date is their {source}."), source=src))]
        df["RFICDT"] = df[src]
        return [_finding("adsl", "RFICDT", INFO, msg(N_("empty in every row; the enrollment date is {source}"),
                                                    source=src),
                         action=N_("The Enrollment page counts patients by that date."))]
    src = next((c for c in codings.enrollment_date_fallbacks if c in df.columns), None)
    if src is None:
        return [_finding("adsl", "RFICDT", WARNING, N_("no consent, randomization or first-dose date"),
                         action=N_("Enrollment over time cannot be shown."))]
    df["RFICDT"] = df[src]
    return [_finding("adsl", "RFICDT", INFO, msg(N_("absent (no consent date); the enrollment date is {source}"), source=src),
                     action=N_("The Enrollment page counts patients by that date."))]


def _upper_codes(table: str, df: pd.DataFrame) -> list:
    """Parameter codes compared as the dashboard writes them (upper case)."""
    if "PARAMCD" not in df.columns or df["PARAMCD"].dtype != object:
        return []
    text = df["PARAMCD"].astype("string").str.strip()
    lower = (text != text.str.upper()).fillna(False)
    if not lower.any():
        return []
    df["PARAMCD"] = text.str.upper().astype(object).where(text.notna(), np.nan)
    return [_finding(table, "PARAMCD", INFO, msg(N_("parameter codes in lower or mixed case ({codes})"),
                                                codes=", ".join(sorted(set(text[lower])))[:80]),
                     _rows(lower), action=N_("Read in upper case."))]


def _analysis_flag(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """ADaM's ANL01FL: where a parameter flags the records used for analysis, only those are read —
    and the baseline record (ABLFL = Y), which the IG keeps as the reference of every change whether or
    not it is itself an analysis record (ADaM IG 1.3 §4.5.1: ANLzzFL selects records within a
    parameter for an analysis; ABLFL identifies the baseline)."""
    if "ANL01FL" not in df.columns or "PARAMCD" not in df.columns:
        return df, []
    flag = _text(df["ANL01FL"]) == "Y"
    flagged_params = set(df.loc[flag.fillna(False).to_numpy(), "PARAMCD"])
    drop = (~flag.fillna(False)) & df["PARAMCD"].isin(flagged_params)
    if "ABLFL" in df.columns:
        drop &= ~(_text(df["ABLFL"]) == "Y").fillna(False)
    if not drop.any():
        return df, []
    return df[~drop.to_numpy()].reset_index(drop=True), [
        _finding(table, "ANL01FL", INFO, N_("records not flagged for analysis (ANL01FL ≠ Y)"), _rows(drop),
                 action=N_("Not used: only the analysis records of those parameters are read (ADaM IG)."))]


def _derived_records(table: str, df: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """Records a sponsor derived from other records (DTYPE given: MINIMUM, LOV, AVERAGE …, ADaM IG 1.3
    §4.5.2) summarise assessments and are not one: a post-baseline minimum read as a visit would be
    counted twice. They are not read, and said so."""
    if "DTYPE" not in df.columns:
        return df, []
    dtype = _text(df["DTYPE"]).fillna("")
    derived = dtype != ""
    if not derived.any():
        return df, []
    return df[~derived.to_numpy()].reset_index(drop=True), [
        _finding(table, "DTYPE", INFO, msg(N_("derived records ({types})"), types=", ".join(sorted(set(dtype[derived])))),
                 _rows(derived), action=N_("Not read: they summarise other records (ADaM IG DTYPE) and are not "
                                           "assessments."))]


def _baseline_value(table: str, df: pd.DataFrame) -> list:
    """A baseline record (ABLFL = Y) whose AVAL is empty while BASE holds the value (teal's sample
    ADTR): AVAL is BASE, the same record's own baseline by definition (ADaM IG: BASE = AVAL of the
    baseline record)."""
    if not {"ABLFL", "AVAL", "BASE"} <= set(df.columns):
        return []
    blank = df["AVAL"].isna() | (df["AVAL"].astype("string").str.strip() == "")
    base = ~(df["BASE"].isna() | (df["BASE"].astype("string").str.strip() == ""))
    use = ((_text(df["ABLFL"]) == "Y").fillna(False) & blank & base).astype(bool)
    if not use.any():
        return []
    df.loc[use.to_numpy(), "AVAL"] = df.loc[use.to_numpy(), "BASE"]
    return [_finding(table, "AVAL", INFO, N_("empty on baseline records (ABLFL = Y) that give BASE"), _rows(use),
                     action=N_("AVAL is taken from BASE on those records."))]


ADRS_USED = ("OVR", "BOR", "CBOR", "NEWLIND")


def _unused_response_params(df: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    if "PARAMCD" not in df.columns:
        return df, []
    other = ~_text(df["PARAMCD"]).isin(ADRS_USED).fillna(False)
    if not other.any():
        return df, []
    codes = ", ".join(sorted(set(df.loc[other.to_numpy(), "PARAMCD"].astype(str))))[:120]
    return df[~other.to_numpy()].reset_index(drop=True), [
        _finding("adrs", "PARAMCD", INFO, msg(N_("parameters the dashboard does not use ({codes})"), codes=codes),
                 action=msg(N_("Their {n} rows are not loaded (it derives response, progression and death from OVR, "
                               "BOR/CBOR, ADSL and ADTTE)."), n=int(other.sum())))]


UNIT_DAYS = {"DAYS": 1.0, "DAY": 1.0, "D": 1.0, "WEEKS": 7.0, "WEEK": 7.0, "WK": 7.0, "WKS": 7.0,
              "MONTHS": 30.4375, "MONTH": 30.4375, "MO": 30.4375, "MOS": 30.4375, "YEARS": 365.25, "YEAR": 365.25,
              "YR": 365.25, "YRS": 365.25, "Y": 365.25}


def _time_units(df: pd.DataFrame) -> tuple[pd.DataFrame, list]:
    """ADTTE AVAL in the unit AVALU says (weeks, months, years) read in days. A parameter whose unit is
    not a time (teal's sample TNE, "Total Number of Exacerbations", AVALU = COUNT) is no time-to-event
    endpoint: its rows are not read, and the finding names it."""
    if "AVALU" not in df.columns or "AVAL" not in df.columns:
        return df, []
    unit = _text(df["AVALU"])
    factor = unit.map(UNIT_DAYS)
    convert = factor.notna() & (factor != 1.0)
    unknown = (unit.notna() & (unit != "") & factor.isna()).fillna(False)
    out = []
    if convert.any():
        vals = pd.to_numeric(df.loc[convert.to_numpy(), "AVAL"], errors="coerce") * factor[convert].astype(float)
        df.loc[convert.to_numpy(), "AVAL"] = vals.map(lambda v: "" if pd.isna(v) else f"{v:.6g}")
        out.append(_finding("adtte", "AVAL", INFO, msg(N_("times in {units} (AVALU)"),
                                                      units=", ".join(sorted(set(unit[convert])))),
                            _rows(convert), action=N_("Converted to days (month = 30.4375 days, year = 365.25).")))
    if unknown.any():
        params = sorted(set(df.loc[unknown.to_numpy(), "PARAMCD"].astype(str))) if "PARAMCD" in df.columns else []
        out.append(_finding("adtte", "AVALU", WARNING, msg(N_("not a unit of time ({params})"),
                                                          params=", ".join(params)[:120]), _rows(unknown),
                            action=N_("Those rows are not read: a time-to-event endpoint needs a time."),
                            values=tuple(sorted(set(unit[unknown].astype(str))))))
        df = df[~unknown.to_numpy()].reset_index(drop=True)
    return df, out


def _exposure_records(df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    """A BDS-shaped ADEX (PARAMCD/AVAL rows beside the administrations): only the dose records."""
    if "PARAMCD" not in df.columns:
        return df, []
    codes = _text(df["PARAMCD"])
    dose = codes.isin(codings.exposure_dose_params).fillna(False)
    if not dose.any():
        return df, [_finding("adex", "PARAMCD", WARNING,
                             msg(N_("a parameter column without a dose parameter ({codes})"),
                                 codes=", ".join(codings.exposure_dose_params)),
                             action=N_("All rows are read as administrations; set [mapping] exposure_dose_params."))]
    if dose.all():
        return df, []
    other = ", ".join(sorted(set(codes[~dose].dropna())))[:120]
    return df[dose.to_numpy()].reset_index(drop=True), [
        _finding("adex", "PARAMCD", INFO, msg(N_("exposure data set with parameters ({other} beside {dose})"), other=other,
                                               dose=", ".join(sorted(set(codes[dose])))),
                 action=msg(N_("Only the {n} dose records are read as administrations."), n=int(dose.sum())))]


def _screen_failures(df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    """ADSL rows of people never enrolled (ARM/ACTARM "Screen Failure", CDISC pilot convention)."""
    col = next((c for c in ("ARM", "ACTARM") if c in df.columns), None)
    if col is None:
        return df, []
    sf = (_text(df[col]) == "SCREEN FAILURE").fillna(False)
    if not sf.any():
        return df, []
    return df[~sf.to_numpy()].reset_index(drop=True), [
        _finding("adsl", col, INFO, N_("screen failures in ADSL (ARM = Screen Failure)"), _rows(sf),
                 action=msg(N_("The {n} are not counted as enrolled subjects."), n=int(sf.sum())))]


def harmonise_raw(table: str, df: pd.DataFrame, codings: Codings) -> tuple[pd.DataFrame, list]:
    """Map one raw table's variants to the contract (see the module docstring). Returns a new table
    and the findings (one per mapping applied)."""
    df = df.copy()
    findings: list = []
    if df.columns.duplicated().any():  # repeated columns are the contract check's to report
        return df, findings
    findings += _date_sources(table, df, codings)
    findings += _sas_numbers_as_dates(table, df)
    findings += _upper_codes(table, df)
    if table in ("adrs", "adtr"):
        df, f = _derived_records(table, df)
        findings += f
        findings += _baseline_value(table, df)
    if table in ("adrs", "adtte", "adtr"):
        df, f = _analysis_flag(table, df)
        findings += f
    if table == "adsl":
        df, f = _screen_failures(df, codings)
        findings += f
        findings += _arm(df, codings)
        findings += _enrollment_date(df, codings)
    elif table == "adrs":
        findings += _rename_param("adrs", df, "OVR", codings.overall_response_params,
                                  N_("The overall response at each assessment"))
        findings += _choose_param("adrs", df, "CBOR", codings.confirmed_bor_params,
                                  N_("The sponsor's confirmed best overall response"))
        findings += _choose_param("adrs", df, "BOR", codings.bor_params,
                                  N_("The sponsor's best overall response (unconfirmed)"))
        df, f = _unused_response_params(df)
        findings += f
        findings += _response_codes(df, codings)
    elif table == "adtr":
        df, f = _tumour_sum(df, codings)
        findings += f
    elif table == "adtte":
        names = {"PFS": N_("Progression-free survival (PFS)"), "OS": N_("Overall survival (OS)"),
                 "DOR": N_("Duration of response (DOR)")}
        for target, variants in codings.tte_params:
            findings += _rename_param("adtte", df, target, variants, names.get(target, target))
        df, f = _time_units(df)
        findings += f
    elif table == "adex":
        df, f = _exposure_records(df, codings)
        findings += f
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
        return when, [_finding("adsl", "DCUTDT", INFO, N_("absent (not an ADaM IG variable)"),
                               action=msg(N_("The data cut-off is the cut's date, {date}."), date=f"{when:%Y-%m-%d}"))]
    latest = _latest_date(tables)
    if latest is not None:
        return latest, [_finding("adsl", "DCUTDT", WARNING, N_("absent, and the cut has no date"),
                                 action=msg(N_("The data cut-off is taken as the latest date in the data, {date}; add "
                                               "DCUTDT to ADSL, or name the cut folder by its date (YYYY-MM-DD)."),
                                            date=f"{latest:%Y-%m-%d}"))]
    return None, [_finding("adsl", "DCUTDT", WARNING, N_("absent, and no date in the data"),
                           action=N_("The data cut-off is unknown."))]


def derive_subject_level(tables: dict[str, pd.DataFrame], raw_adsl_columns: set[str]) -> tuple[dict, list]:
    """Derive the ADSL columns the ADaM IG does not define but the dashboard uses, when absent
    (``raw_adsl_columns``: the columns the file had). Each derivation is a finding."""
    findings: list = []
    adsl = tables["adsl"].copy()
    if "TRTSDT" not in raw_adsl_columns:
        adex = tables.get("adex")
        if adex is not None and len(adex) and {"ASTDT", "EXDOSE"} <= set(adex.columns):
            # an administration: a dose > 0, or placebo (recorded with dose 0 by the CDISC pilot convention)
            given = (adex["EXDOSE"] > 0) | adex["EXTRT"].astype(str).str.contains("PLACEBO", case=False)
            first = adex[given].groupby("USUBJID")["ASTDT"].min()
            adsl["TRTSDT"] = adsl["USUBJID"].map(first)
            findings.append(_finding("adsl", "TRTSDT", WARNING, N_("absent; the first dose is taken from the "
                                     "exposure table (first ADEX.ASTDT with a dose > 0, or of placebo)"),
                                     action=msg(N_("{n} of {total} subjects treated. Add TRTSDT to ADSL to be sure."),
                                                n=int(adsl['TRTSDT'].notna().sum()), total=len(adsl))))
        else:
            adsl["TRTSDT"] = pd.Series(pd.NaT, index=adsl.index, dtype="datetime64[ns]")
            findings.append(_finding("adsl", "TRTSDT", WARNING, N_("absent (no first-dose date), and no exposure table"),
                                     action=N_("Nobody counts as treated: treatment-based views (safety population, "
                                               "swimmer, response-evaluable) are empty.")))
    planned = planned_arm_column(adsl)
    if not {"ITTFL", "FASFL", "RANDFL"} & raw_adsl_columns and randomized_by_data(adsl):
        # a randomized study without an efficacy population flag: the randomized are the subjects with a
        # planned arm (screen failures are already gone), analysed by it (ICH E9 intention to treat)
        has_arm = adsl[planned].notna() & (adsl[planned].astype(str).str.strip() != "")
        adsl["RANDFL"] = np.where(has_arm, "Y", "N")
        findings.append(_finding("adsl", "RANDFL", INFO, msg(N_("absent, as are ITTFL and FASFL; derived: Y for every "
                                                               "subject with a planned arm ({column})"), column=planned),
                                 action=msg(N_("{n} subjects randomized: efficacy is shown in them by planned arm."),
                                            n=int(has_arm.sum()))))
    if "SAFFL" not in raw_adsl_columns:
        adsl["SAFFL"] = np.where(adsl["TRTSDT"].notna(), "Y", "N")
        findings.append(_finding("adsl", "SAFFL", INFO, N_("absent; derived: Y when a first dose (TRTSDT) is known"),
                                 action=msg(N_("{n} subjects in the safety population."),
                                            n=int((adsl['SAFFL'] == 'Y').sum()))))
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
        findings.append(_finding("adsl", "LSTALVDT", INFO, N_("absent; derived as each subject's latest date in the "
                                 "cut (ADSL, ADRS, ADTR, ADAE, ADEX, ADLB dates)"),
                                 action=N_("Used only where no ADTTE overall survival is given.")))
    if "EFFFL" not in raw_adsl_columns:
        adsl["EFFFL"], note = derive_efffl(adsl, tables.get("adrs"), tables.get("adtr"))
        findings.append(_finding("adsl", "EFFFL", INFO, N_("absent; the response-evaluable population is derived"),
                                 action=note))
    absent = [c for c in PANEL_COLUMNS if c not in adsl.columns]
    if absent:
        what = Joined("; ", tuple(msg(N_("{column}: {use}"), column=c, use=msg(PANEL_COLUMNS[c])) for c in absent))
        findings.append(_finding("adsl", ", ".join(absent), INFO, N_("optional columns absent"),
                                 action=msg(N_("What needs them is hidden ({what})."), what=what)))
    return {**tables, "adsl": adsl}, findings


def derive_efffl(adsl: pd.DataFrame, adrs: pd.DataFrame | None, adtr: pd.DataFrame | None) -> tuple[pd.Series, Msg]:
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
        m_note = msg(N_("measurable disease = a tumour sum > 0 on or before the first dose (ADTR)"))
    else:
        measurable = pd.Series(True, index=adsl.index)
        m_note = msg(N_("measurable disease assumed (no tumour measurements to check it)"))
    if adrs is None or adrs.empty:  # nothing to tell an assessment by: treated with measurable disease
        flag = treated & measurable
        return (pd.Series(np.where(flag, "Y", "N"), index=adsl.index),
                msg(N_("EFFFL = Y for {n} of {total} subjects: treated, {measurable} (no ADRS, so post-baseline "
                       "assessments cannot be checked). Add EFFFL to ADSL to use the study's own definition."),
                    n=int(flag.sum()), total=len(adsl), measurable=m_note))
    assessed = pd.Series(False, index=adsl.index)
    if adrs is not None and len(adrs) and {"PARAMCD", "ADT"} <= set(adrs.columns):
        ovr = adrs[adrs["PARAMCD"].astype(str).str.upper() == "OVR"].merge(adsl[["USUBJID", "TRTSDT"]], on="USUBJID")
        assessed = ids.isin(set(ovr.loc[ovr["ADT"] > ovr["TRTSDT"], "USUBJID"]))
    died = adsl["DTHDT"].notna() if "DTHDT" in adsl.columns else pd.Series(False, index=adsl.index)
    flag = treated & measurable & (assessed | died)
    note = msg(N_("EFFFL = Y for {n} of {total} subjects: treated, {measurable}, and a post-baseline assessment or "
                  "death. Add EFFFL to ADSL to use the study's own definition."),
               n=int(flag.sum()), total=len(adsl), measurable=m_note)
    return pd.Series(np.where(flag, "Y", "N"), index=adsl.index), note


#: Optional columns kept absent when the files lack them: their absence hides a filter or panel, or
#: a row of counts (a filled, empty column would show "0 patients" where the truth is "not recorded").
KEEP_ABSENT = {
    "adsl": {*PANEL_COLUMNS, "TRT01A", "TRT01P", "ARM", "ACTARM", "ITTFL", "RANDDT"},
    "adae": {"AESER", "AREL", "AEACN", "AEACNDRG", "TRTEMFL", "AEDECOD_CN", "AEBODSYS_CN"},
}
#: Absent columns whose absence changes what the numbers mean: a warning says how (its action).
MEANING = {
    ("adsl", "TRTEDT"): N_("No last-dose dates: every treated patient counts as still on treatment."),
    ("adsl", "DTHDT"): N_("No death dates in ADSL: deaths are counted from the death flag (DTHFL), the "
                          "disposition, fatal AEs or ADTTE's OS events, whichever the cut has; an overall "
                          "survival is taken from ADTTE only."),
    ("adae", "ASTDT"): N_("No AE start dates: treatment emergence is judged by TRTEMFL only (all AEs "
                          "of the safety population count when TRTEMFL is absent too); time to onset "
                          "cannot be shown."),
    ("adex", "AENDT"): N_("No end dates of dosing periods: each record counts as one day of dosing."),
    ("adsl", "EOTSTT"): N_("No end-of-treatment status: a patient counts as on treatment only without"
                           " a last-dose date (TRTEDT); where TRTEDT is filled for ongoing patients "
                           "too (common in ADaM), 'on treatment' is undercounted."),
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
                findings.append(_finding(name, col, WARNING, N_("absent"), action=MEANING[(name, col)]))
        if add:
            out[name] = df.assign(**add)
            out[name].attrs["absent_columns"] = tuple(add)  # empty here because the file lacked them
    return out, findings
