"""Swimmer data: time on treatment per patient with response, progression, death, dose changes and
grade ≥3 adverse events (the figure is components.figures.swimmer_plots)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from components.i18n import _
from components.stats.recist import BOR_CATEGORIES as BOR_ORDER

EVENT_ORDER = ("response", "confirmation", "progression", "death", "dose_reduction", "dose_hold", "ae_g3")
UNITS = {"weeks": 7.0, "months": 30.4375}


def short_id(usubjid: str) -> str:
    """The part of USUBJID a clinician reads (site-number), e.g. 'NCT07333937-01-004' → '01-004'."""
    parts = str(usubjid).split("-")
    return "-".join(parts[-2:]) if len(parts) >= 3 else str(usubjid)


def dose_changes(adex: pd.DataFrame, drug: str) -> pd.DataFrame:
    """Reductions (a dose below the previous non-zero dose) and holds (dose 0) of one drug, per
    subject: USUBJID, DATE, KIND ("dose_reduction" | "dose_hold"), DETAIL. Escalation steps are
    increases and a paused escalation keeps the dose: neither is a reduction. A run of consecutive
    zero-dose rows is one hold. A subject whose every dose of the drug is 0 received a placebo (SDTM
    EXDOSE 0): nothing is held."""
    cols = ["USUBJID", "DATE", "KIND", "DETAIL"]
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()].sort_values(["USUBJID", "ASTDT"], kind="mergesort")
    if ex.empty:
        return pd.DataFrame(columns=cols)
    dose = ex["EXDOSE"].astype(float)
    subj = ex["USUBJID"]
    same = subj.eq(subj.shift())
    prev_nonzero = dose.where(dose > 0).groupby(subj).shift().groupby(subj).ffill()
    prev_zero = same & dose.shift().eq(0)
    reason = ex["EXADJ"].fillna("").astype(str) if "EXADJ" in ex else pd.Series("", index=ex.index)
    why = np.where(reason != "", " (" + reason + ")", "")
    active = dose.gt(0).groupby(subj).transform("any")  # all zeros: a placebo's records, not holds
    hold = dose.eq(0) & ~prev_zero & active
    red = dose.gt(0) & prev_nonzero.notna() & dose.lt(prev_nonzero)
    held = pd.DataFrame({"USUBJID": subj[hold], "DATE": ex.loc[hold, "ASTDT"], "KIND": "dose_hold",
                         "DETAIL": _("{drug} held").format(drug=drug) + pd.Series(why, index=ex.index)[hold]})
    reduced = pd.DataFrame({
        "USUBJID": subj[red], "DATE": ex.loc[red, "ASTDT"], "KIND": "dose_reduction",
        "DETAIL": (f"{drug} " + prev_nonzero[red].map("{:g}".format).astype(object) + " → "
                   + dose[red].map("{:g}".format).astype(object) + pd.Series(why, index=ex.index)[red]),
    })
    return pd.concat([held, reduced]).sort_values(["USUBJID", "DATE"], kind="mergesort").reset_index(drop=True)[cols]


def swimmer_data(
    adsl: pd.DataFrame,
    bor: pd.DataFrame | None,
    cutoff: pd.Timestamp,
    adex: pd.DataFrame | None = None,
    adae: pd.DataFrame | None = None,
    drug: str | Sequence[str] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bars, events). One bar per treated patient from the first dose to the last dose, or to the
    cut-off when still on treatment (ONGOING); follow-up after treatment up to death or the last
    date known alive (FU_END). Events in days since the first dose (day 0). ``drug``: the drug, or
    drugs, whose reductions and holds are events (DRUG names the drug of each; issue 36: an eribulin
    reduction is as much a dose modification as a neratinib one)."""
    t = adsl[adsl["TRTSDT"].notna()].copy()
    ongoing = t["TRTEDT"].isna() if "TRTEDT" in t else pd.Series(True, index=t.index)
    t["ONGOING"] = ongoing.to_numpy()
    t["END"] = t["TRTEDT"].where(~t["ONGOING"], cutoff) if "TRTEDT" in t else cutoff
    t["DAYS"] = (t["END"] - t["TRTSDT"]).dt.days + 1
    fu = t["DTHDT"].fillna(t["LSTALVDT"]) if "DTHDT" in t else t.get("LSTALVDT")
    t["FU_END"] = fu.where(fu > t["END"]) if fu is not None else pd.NaT
    cols = ["USUBJID", "SUBJID", "SITEID", "P95STAT", "TRT01P", "RFICDT", "TRTSDT", "TRTEDT", "END", "DAYS", "ONGOING",
            "FU_END", "DCSREAS", "DTHDT"]
    bars = t[[c for c in cols if c in t]].copy()
    if bor is not None:
        bars = bars.merge(bor[["USUBJID", "BOR"]], on="USUBJID", how="left")
    bars["BOR"] = bars.get("BOR", pd.Series(index=bars.index, dtype=object)).fillna("NE")
    bars["P95STAT"] = bars["P95STAT"].fillna("Missing") if "P95STAT" in bars else "Missing"
    bars["LABEL"] = bars["USUBJID"].map(short_id)

    ev = []
    if bor is not None:
        b = bor.set_index("USUBJID")
        for kind, col, txt in (("response", "RESP_DATE", _("First response")),
                               ("confirmation", "CONF_DATE", _("Response confirmed")),
                               ("progression", "PD_DATE", _("Progression"))):
            if col in b:
                s = b[col].dropna()
                ev += [(u, d, kind, f"{txt} ({b.loc[u, 'BOR']})" if kind != "progression" else txt) for u, d in s.items()]
    if "DTHDT" in adsl:
        ev += [(u, d, "death", _("Death")) for u, d in adsl.set_index("USUBJID")["DTHDT"].dropna().items()]
    drugs = [d for d in ([drug] if isinstance(drug, str) else drug or ()) if d]
    for name in drugs if adex is not None else []:
        dc = dose_changes(adex, name)
        ev += [(*row, name) for row in dc[["USUBJID", "DATE", "KIND", "DETAIL"]].itertuples(index=False, name=None)]
    if adae is not None and "ASTDT" in adae:
        g3 = adae[(adae["AETOXGR"] >= 3) & adae["ASTDT"].notna()]
        grade = _("{term} grade {grade}")
        ev += [(r.USUBJID, r.ASTDT, "ae_g3", grade.format(term=r.AEDECOD, grade=int(r.AETOXGR)))
               for r in g3.itertuples(index=False)]
    events = pd.DataFrame([e if len(e) == 5 else (*e, None) for e in ev],
                          columns=["USUBJID", "DATE", "KIND", "DETAIL", "DRUG"])
    events = events.merge(bars[["USUBJID", "TRTSDT", "LABEL"]], on="USUBJID", how="inner")
    events["DAY"] = (events["DATE"] - events["TRTSDT"]).dt.days
    return bars.reset_index(drop=True), events.drop(columns="TRTSDT").reset_index(drop=True)


def sort_bars(bars: pd.DataFrame, by: str = "duration") -> pd.DataFrame:
    """Top-to-bottom order: longest first; or by best response (CR first), then duration; or by
    enrollment date (earliest first)."""
    if by == "bor":
        rank = bars["BOR"].map({c: i for i, c in enumerate(BOR_ORDER)}).fillna(9)
        return bars.assign(_r=rank).sort_values(["_r", "DAYS"], ascending=[True, False]).drop(columns="_r")
    if by == "enrollment":
        return bars.sort_values(["RFICDT", "USUBJID"])
    return bars.sort_values(["DAYS", "USUBJID"], ascending=[False, True])


