"""What changed between two data cuts: new events since the comparison cut, how the key numbers moved,
and records of the older part of the data that were edited, added late or removed (retroactive
changes, which data managers need to see separately)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from components.data.datasets import DataCut
from components.i18n import N_


@dataclass(frozen=True)
class CutChanges:
    new_patients: pd.DataFrame
    new_responses: pd.DataFrame
    new_progressions: pd.DataFrame
    new_deaths: pd.DataFrame
    stopped_treatment: pd.DataFrame
    new_ae: pd.DataFrame
    metrics: pd.DataFrame
    retro: pd.DataFrame


def _adsl(cut: DataCut) -> pd.DataFrame:
    return cut.tables["adsl"]


def new_patients(cur: pd.DataFrame, old: pd.DataFrame) -> pd.DataFrame:
    added = cur[~cur["USUBJID"].isin(set(old["USUBJID"]))]
    return added[[c for c in ("USUBJID", "SITEID", "RFICDT", "TRTSDT", "P95STAT") if c in added]].reset_index(drop=True)


def new_responses(bor_cur: pd.DataFrame, bor_old: pd.DataFrame) -> pd.DataFrame:
    """Subjects whose best response is CR/PR now and was not (or who were not there) before."""
    old = bor_old.set_index("USUBJID")["BOR"]
    cur = bor_cur[bor_cur["BOR"].isin(["CR", "PR"])].copy()
    cur["BEFORE"] = cur["USUBJID"].map(old).fillna("—")
    out = cur[~cur["BEFORE"].isin(["CR", "PR"]) | (cur["BEFORE"] != cur["BOR"])]
    return out[["USUBJID", "BEFORE", "BOR", "RESP_DATE", "CONF_DATE"]].rename(columns={"BOR": "NOW"}).reset_index(drop=True)


def new_progressions(bor_cur: pd.DataFrame, bor_old: pd.DataFrame) -> pd.DataFrame:
    had = set(bor_old.loc[bor_old["PD_DATE"].notna(), "USUBJID"])
    pdx = bor_cur[bor_cur["PD_DATE"].notna() & ~bor_cur["USUBJID"].isin(had)]
    return pdx[["USUBJID", "PD_DATE", "BOR"]].reset_index(drop=True)


def _new_dated(cur: pd.DataFrame, old: pd.DataFrame, col: str, extra: list[str]) -> pd.DataFrame:
    if col not in cur:
        return pd.DataFrame(columns=["USUBJID", col, *extra])
    had = set(old.loc[old[col].notna(), "USUBJID"]) if col in old else set()
    rows = cur[cur[col].notna() & ~cur["USUBJID"].isin(had)]
    return rows[["USUBJID", col, *[c for c in extra if c in rows]]].reset_index(drop=True)


def _ae_key(df: pd.DataFrame) -> list[str]:
    return ["USUBJID", "AESEQ"] if "AESEQ" in df and df["AESEQ"].notna().all() else ["USUBJID", "AEDECOD", "ASTDT"]


def new_serious_or_severe_ae(cur: pd.DataFrame | None, old: pd.DataFrame | None) -> pd.DataFrame:
    """Grade ≥3 or serious AE records in the current cut that the comparison cut did not have, or
    that were not grade ≥3/serious there."""
    cols = ["USUBJID", "AEDECOD", "AETOXGR", "AESER", "ASTDT"]
    if cur is None or cur.empty:
        return pd.DataFrame(columns=cols)
    serious = cur["AESER"].eq("Y") if "AESER" in cur else False
    flagged = cur[(cur["AETOXGR"] >= 3) | serious]
    if old is None or old.empty:
        return flagged[[c for c in cols if c in flagged]].reset_index(drop=True)
    key = _ae_key(cur)
    old_serious = old["AESER"].eq("Y") if "AESER" in old else False
    old_flagged = old[(old["AETOXGR"] >= 3) | old_serious]
    seen = set(map(tuple, old_flagged[key].astype(str).to_numpy()))
    keep = [tuple(r) not in seen for r in flagged[key].astype(str).to_numpy()]
    return flagged.loc[keep, [c for c in cols if c in flagged]].reset_index(drop=True)


# --------------------------------------------------------------------------- retroactive changes

# table → (key columns, compared columns, the date that places a record in time)
RETRO_SPEC = {
    "adsl": (["USUBJID"], ["SITEID", "AGE", "SEX", "ECOGBL", "RFICDT", "TRTSDT", "TRTEDT", "DTHDT", "DCSREAS",
                           "P95STAT", "PRIORLN", "TDXDRSN", "VISCFL", "HRSTAT", "HER2STAT"], None),
    "adrs": (["USUBJID", "PARAMCD", "AVISIT"], ["ADT", "AVALC"], "ADT"),
    "adtr": (["USUBJID", "PARAMCD", "AVISIT"], ["ADT", "AVAL"], "ADT"),
    "adae": (["USUBJID", "AESEQ"], ["AEDECOD", "ASTDT", "AENDT", "AETOXGR", "AESER", "AREL", "AEACN"], "ASTDT"),
    "adex": (["USUBJID", "EXTRT", "ASTDT"], ["EXDOSE", "AENDT"], "ASTDT"),
}
SUMMARY_PARAMS = {"BOR", "CBOR"}  # derived summaries: they are expected to change


def _fmt(col: pd.Series) -> pd.Series:
    """Values as the text compared and shown: dates as YYYY-MM-DD, whole numbers without '.0',
    missing as ''."""
    if pd.api.types.is_datetime64_any_dtype(col):
        return col.dt.strftime("%Y-%m-%d").fillna("")
    if pd.api.types.is_numeric_dtype(col):
        num = col.astype(float)
        whole = num.notna() & (num == np.floor(num.fillna(0)))
        text = num.astype(str).where(num.notna(), "")  # shortest repr, as Python prints a float
        return text.where(~whole, num.where(whole).astype("Int64").astype(str))
    return col.astype(object).where(col.notna(), "").astype(str)


def _differs(va: pd.Series, vb: pd.Series) -> pd.Series:
    """Whether two aligned columns differ as :func:`_fmt` shows them (a value against a missing one
    differs): compared as dates or numbers when both columns are, as text otherwise."""
    dt = pd.api.types.is_datetime64_any_dtype
    num = pd.api.types.is_numeric_dtype
    if dt(va) and dt(vb):
        return ~(va == vb)
    if num(va) and num(vb) and not (pd.api.types.is_bool_dtype(va) or pd.api.types.is_bool_dtype(vb)):
        return ~(va.astype(float) == vb.astype(float))
    return _fmt(va) != _fmt(vb)


def _record(m: pd.DataFrame, key: list[str], mask: pd.Series) -> pd.Series:
    """The record's key as text ("USUBJID | PARAMCD | AVISIT"), for the reported rows only."""
    return m.loc[mask, key].astype(str).agg(" | ".join, axis=1)


def retroactive_changes(cur: DataCut, old: DataCut) -> pd.DataFrame:
    """Records of the older part of the data (dated on or before the comparison cut-off) that were
    changed, entered late (for a patient already in the older cut) or removed between the two cuts.
    A value filled in for the first time (an end date, a first dose after the old cut), or a date that
    equalled the old cut-off (a period truncated at the cut) and now lies later, is progress, not a
    change. Vectorised: one outer merge per table on the record key."""
    out_cols = ["Table", "Record", "Column", "Before", "Now", "Kind", "USUBJID"]
    parts: list[pd.DataFrame] = []
    old_cut = old.cutoff
    old_subjects = set(old.tables["adsl"]["USUBJID"]) if "adsl" in old.tables else set()
    for table, (key, compared, date_col) in RETRO_SPEC.items():
        a, b = old.tables.get(table), cur.tables.get(table)
        if a is None or b is None:
            continue
        if table == "adae":  # AESEQ when both cuts have it for every record, else term + onset
            key = _ae_key(a) if _ae_key(a) == _ae_key(b) else ["USUBJID", "AEDECOD", "ASTDT"]
        if not all(k in a and k in b for k in key):
            continue
        if table == "adrs":
            a, b = a[~a["PARAMCD"].isin(SUMMARY_PARAMS)], b[~b["PARAMCD"].isin(SUMMARY_PARAMS)]
        cols = [c for c in compared if c in a and c in b and c not in key]
        extra = [date_col] if date_col and date_col not in key and date_col not in cols else []
        a = a.drop_duplicates(key)[key + cols + extra]
        b = b.drop_duplicates(key)[key + cols + extra]
        m = a.merge(b, on=key, how="outer", suffixes=("_old", "_new"), indicator=True)
        both = m["_merge"] == "both"
        for c in cols:
            va, vb = m[f"{c}_old"], m[f"{c}_new"]
            changed = both & va.notna() & _differs(va, vb)
            if pd.api.types.is_datetime64_any_dtype(va) and old_cut is not None:
                changed &= ~((va == old_cut) & (vb > old_cut))  # truncated at the old cut, then went on
            if changed.any():
                parts.append(pd.DataFrame({"Table": table, "Record": _record(m, key, changed), "Column": c,
                                           "Before": _fmt(va[changed]), "Now": _fmt(vb[changed]), "Kind": N_("changed"),
                                           "USUBJID": m.loc[changed, "USUBJID"]}))
        if date_col:
            dcol = date_col if date_col in key else f"{date_col}_new"
            dated_new = m[dcol] if dcol in m else pd.Series(pd.NaT, index=m.index)
            known = m["USUBJID"].isin(old_subjects)  # patients new since the old cut have no late entries
            late = (m["_merge"] == "right_only") & dated_new.notna() & (dated_new <= old_cut) & known
            gone = m["_merge"] == "left_only"
            for mask, kind, before, now in ((late, N_("entered late"), "", N_("record added")),
                                            (gone, N_("removed"), N_("record"), "")):
                if mask.any():
                    parts.append(pd.DataFrame({"Table": table, "Record": _record(m, key, mask), "Column": "", "Before": before,
                                               "Now": now, "Kind": kind, "USUBJID": m.loc[mask, "USUBJID"]}))
    if not parts:
        return pd.DataFrame(columns=out_cols)
    return pd.concat(parts, ignore_index=True)[out_cols]


# --------------------------------------------------------------------------- key numbers


def metrics_table(cur: dict[str, float], old: dict[str, float]) -> pd.DataFrame:
    """Key numbers before and now, with the change (NaN where either is missing)."""
    rows = []
    for k in cur:
        a, b = old.get(k, np.nan), cur[k]
        a = np.nan if a is None else a
        b = np.nan if b is None else b
        diff = b - a if not (pd.isna(a) or pd.isna(b)) else np.nan
        rows.append({"Measure": k, "Before": a, "Now": b, "Change": diff})
    return pd.DataFrame(rows)


def compare_events(cur: DataCut, old: DataCut, bor_cur: pd.DataFrame | None, bor_old: pd.DataFrame | None,
                   metrics: pd.DataFrame) -> CutChanges:
    """Everything new since ``old`` in ``cur`` (given each cut's BOR table) and retroactive changes;
    ``metrics`` are the key numbers before and now (:func:`metrics_table`)."""
    a_cur, a_old = _adsl(cur), _adsl(old)
    empty_bor = pd.DataFrame(columns=["USUBJID", "BOR", "RESP_DATE", "CONF_DATE", "PD_DATE"])
    b_cur = bor_cur if bor_cur is not None else empty_bor
    b_old = bor_old if bor_old is not None else empty_bor
    return CutChanges(
        new_patients=new_patients(a_cur, a_old),
        new_responses=new_responses(b_cur, b_old),
        new_progressions=new_progressions(b_cur, b_old),
        new_deaths=_new_dated(a_cur, a_old, "DTHDT", ["DTHCAUS"]),
        stopped_treatment=_new_dated(a_cur, a_old, "TRTEDT", ["DCSREAS"]),
        new_ae=new_serious_or_severe_ae(cur.tables.get("adae"), old.tables.get("adae")),
        metrics=metrics,
        retro=retroactive_changes(cur, old),
    )
