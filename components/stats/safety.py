"""Adverse events (NCI-CTCAE v5.0) in the safety population: overview, incidence by system organ class
and preferred term at the worst grade per patient, and the diarrhoea focus.

Counting follows the convention of ICH E3 §12.2 / FDA safety tables: each patient counts once per
term (and once per SOC) at the worst grade reported; percentages use the safety population (SAFFL = Y)
as denominator.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from components.i18n import N_, _
from components.stats.summary import fatal_ae

GRADES = (1, 2, 3, 4, 5)


def safety_population(adsl: pd.DataFrame) -> pd.DataFrame:
    return adsl[adsl["SAFFL"] == "Y"]


def treatment_emergent(adae: pd.DataFrame, adsl: pd.DataFrame, lag_days: int = 30) -> pd.DataFrame:
    """TEAEs of the safety population: TRTEMFL = "Y" where the column exists; otherwise AEs starting
    on or after the first dose and no later than ``lag_days`` after the last dose."""
    saf = safety_population(adsl)
    ae = adae[adae["USUBJID"].isin(set(saf["USUBJID"]))]
    if "TRTEMFL" in ae and ae["TRTEMFL"].notna().any():
        return ae[ae["TRTEMFL"] == "Y"].reset_index(drop=True)
    if "ASTDT" not in ae or ae["ASTDT"].isna().all():  # nothing to judge by: every AE counts (the loader warns)
        return ae.reset_index(drop=True)
    m = ae.merge(saf[["USUBJID", "TRTSDT", "TRTEDT"]], on="USUBJID")
    end = m["TRTEDT"] + pd.Timedelta(days=lag_days)
    keep = (m["ASTDT"] >= m["TRTSDT"]) & (end.isna() | (m["ASTDT"] <= end))
    return m.loc[keep, adae.columns].reset_index(drop=True)


def _pct(n: int | None, denom: int) -> str:
    """n (%) of the denominator; a count that cannot be known (None) is "not available", never 0."""
    if n is None:
        return _("not available")
    return f"{n} ({100 * n / denom:.1f}%)" if denom else f"{n}"


def overview(teae: pd.DataFrame, n_safety: int, categories: list[str] | None = None) -> pd.DataFrame:
    """Patients with any TEAE, grade ≥3, serious, related, leading to dose reduction / interruption /
    discontinuation, and fatal (grade 5): n and % of the safety population.

    A row whose source column the cut lacks (AESER, AREL, AEACN) is left out, never shown as 0; AEs
    whose causality is unknown (blank or an unmapped coding) are counted in a row of their own.
    ``categories``: the rows to show, decided once on every arm's TEAEs, so each arm's table has the
    same rows (an arm with no AE of unknown causality shows 0 in that row, not a shorter table)."""
    if categories is not None:
        rows = categories
        own = overview(teae, n_safety).set_index("Category")
        def count(c: str) -> int | None:
            v = own["Patients"].get(c, 0)
            return None if v is None or v != v else int(v)

        return pd.DataFrame({"Category": rows, "Patients": [count(c) for c in rows],
                             "%": [round(100 * count(c) / n_safety, 1) if n_safety and count(c) is not None else np.nan
                                   for c in rows],
                             "n (%)": [_pct(count(c), n_safety) for c in rows]})
    def patients(mask: pd.Series) -> int:
        return int(teae.loc[mask, "USUBJID"].nunique())

    def col(name: str) -> pd.Series | None:
        return teae[name].fillna("").astype(str) if name in teae else None

    acn, rel, ser = col("AEACN"), col("AREL"), col("AESER")
    if acn is not None and not acn.str.strip().ne("").any():  # the column is there but nothing was recorded
        acn = None
    rows = [
        (N_("Any TEAE"), patients(pd.Series(True, index=teae.index))),
        (N_("Grade ≥3 TEAE"), patients(teae["AETOXGR"] >= 3)),
    ]
    if ser is not None:
        rows.append((N_("Serious TEAE"), patients(ser == "Y")))
    if rel is not None:
        rows += [
            (N_("Treatment-related TEAE"), patients(rel == "RELATED")),
            (N_("Treatment-related grade ≥3 TEAE"), patients((rel == "RELATED") & (teae["AETOXGR"] >= 3))),
        ]
        if (rel == "").any():
            rows.append((N_("TEAE with causality unknown"), patients(rel == "")))
    if acn is not None:
        rows += [
            (N_("TEAE leading to dose reduction"), patients(acn.isin(["DOSE REDUCED", "DOSE RATE REDUCED"]))),
            (N_("TEAE leading to interruption"), patients(acn == "DRUG INTERRUPTED")),
            (N_("TEAE leading to discontinuation"), patients(acn == "DRUG WITHDRAWN")),
        ]
    fatal = fatal_ae(teae)  # grade 5, or death as the AE's outcome (a severity scale has no grade 5)
    # severity read as grade records no death unless the cut says FATAL: without AESDTH or AEOUT a count
    # of 0 would be a guess, so the row says "not available"
    def recorded(c: str) -> bool:
        return c in teae and bool((teae[c].fillna("").astype(str).str.strip() != "").any())

    unknowable = (recorded("AEGRSRC") and not recorded("AESDTH") and not recorded("AEOUT") and not fatal.any())
    rows.append((N_("Fatal TEAE (grade 5)"), None if unknowable else patients(fatal)))
    if teae["AETOXGR"].isna().any():  # counted under any TEAE above; said, never dropped (ICH E3 §12.2)
        rows.append((N_("TEAE with grade missing"), patients(teae["AETOXGR"].isna())))
    return pd.DataFrame({"Category": [r[0] for r in rows], "Patients": [r[1] for r in rows],
                         "%": [round(100 * r[1] / n_safety, 1) if n_safety and r[1] is not None else np.nan
                               for r in rows],
                         "n (%)": [_pct(r[1], n_safety) for r in rows]})


def worst_grade(teae: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """One row per patient and grouping (e.g. term) with the worst grade recorded; NaN when no AE of
    the group has a grade (the patient still counts under any grade)."""
    return teae.groupby(["USUBJID", *by], as_index=False)["AETOXGR"].max()


def incidence_table(teae: pd.DataFrame, n_safety: int, min_pct: float = 0.0) -> pd.DataFrame:
    """Patients by worst grade per SOC and preferred term: columns any grade, grade 1–5 and grade ≥3
    (n and %), and "Grade missing" (patients none of whose AEs of the row has a grade: counted under any
    grade, in no grade column); SOC rows (worst grade within the SOC) followed by their terms, both by descending
    frequency. Terms below ``min_pct`` (any grade, % of the safety population) are left out as rows,
    never as patients: an SOC row counts every patient with any term in the SOC, shown or not (ICH E3
    §12.2 tables; the filter hides rows, not data). An SOC none of whose terms reaches ``min_pct`` is
    left out with them."""
    if teae.empty:
        return pd.DataFrame(columns=["Level", "SOC", "Term", "Any grade", "Any grade %", *[f"Grade {g}" for g in GRADES],
                                     "Grade missing", "Grade ≥3", "Grade ≥3 %"])

    def summarise(wg: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
        counts = wg.groupby(keys)["AETOXGR"].agg(
            **{"Any grade": "size"}, **{f"Grade {g}": (lambda s, g=g: int((s == g).sum())) for g in GRADES},
            **{"Grade missing": lambda s: int(s.isna().sum())}, **{"Grade ≥3": lambda s: int((s >= 3).sum())},
        ).reset_index()
        counts["Any grade %"] = 100 * counts["Any grade"] / n_safety
        counts["Grade ≥3 %"] = 100 * counts["Grade ≥3"] / n_safety
        return counts

    pt = summarise(worst_grade(teae, ["AEBODSYS", "AEDECOD"]), ["AEBODSYS", "AEDECOD"])
    pt = pt[pt["Any grade %"] >= min_pct]
    soc = summarise(worst_grade(teae, ["AEBODSYS"]), ["AEBODSYS"])
    soc = soc[soc["AEBODSYS"].isin(set(pt["AEBODSYS"]))]
    rows = []
    for d in soc.sort_values(["Any grade", "AEBODSYS"], ascending=[False, True]).to_dict("records"):
        rows.append({"Level": "SOC", "SOC": d["AEBODSYS"], "Term": d["AEBODSYS"], **{k: d[k] for k in d if k != "AEBODSYS"}})
        terms = pt[pt["AEBODSYS"] == d["AEBODSYS"]].sort_values(["Any grade", "AEDECOD"], ascending=[False, True])
        for t in terms.to_dict("records"):
            rows.append({"Level": "PT", "SOC": t["AEBODSYS"], "Term": t["AEDECOD"],
                         **{k: t[k] for k in t if k not in ("AEBODSYS", "AEDECOD")}})
    out = pd.DataFrame(rows)
    cols = ["Level", "SOC", "Term", "Any grade", "Any grade %", *[f"Grade {g}" for g in GRADES], "Grade missing",
            "Grade ≥3", "Grade ≥3 %"]
    return out[cols]


def term_worst_grade_counts(teae: pd.DataFrame, n_safety: int, top: int = 15) -> pd.DataFrame:
    """The most frequent terms with patients by worst grade (for the butterfly chart): n_1..n_5,
    n_any (every patient with the term, a grade recorded or not) and the same as % of the safety
    population (pct_*)."""
    wg = worst_grade(teae, ["AEDECOD"])
    tab = pd.crosstab(wg["AEDECOD"], wg["AETOXGR"]).reindex(index=sorted(wg["AEDECOD"].unique()), columns=list(GRADES),
                                                            fill_value=0)
    tab.columns = [f"n_{g}" for g in GRADES]
    tab["n_any"] = wg.groupby("AEDECOD").size().reindex(tab.index)  # a patient whose grades are all missing too
    tab = tab.sort_values(["n_any"], ascending=False).head(top)
    pct = tab.div(n_safety) * 100 if n_safety else tab * np.nan
    pct.columns = [c.replace("n_", "pct_") for c in pct.columns]
    return pd.concat([tab, pct], axis=1).reset_index()


# --------------------------------------------------------------------------- diarrhoea focus


def term_rows(teae: pd.DataFrame, term: str) -> pd.DataFrame:
    return teae[teae["AEDECOD"].str.lower() == term.lower()]


def worst_grade_distribution(teae: pd.DataFrame, term: str, n_safety: int) -> pd.DataFrame:
    """Patients by worst grade of one term (grades 1–5, and none)."""
    wg = worst_grade(term_rows(teae, term), ["AEDECOD"])
    rows = [{"Worst grade": f"Grade {g}", "Patients": int((wg["AETOXGR"] == g).sum())} for g in GRADES]
    if wg["AETOXGR"].isna().any():
        rows.append({"Worst grade": N_("Grade missing"), "Patients": int(wg["AETOXGR"].isna().sum())})
    rows.append({"Worst grade": N_("None"), "Patients": n_safety - len(wg)})
    out = pd.DataFrame(rows)
    out["%"] = 100 * out["Patients"] / n_safety if n_safety else np.nan
    return out


def time_to_first(teae: pd.DataFrame, adsl: pd.DataFrame, term: str, cutoff: pd.Timestamp, min_grade: int = 1,
                  lag_days: int = 30) -> pd.DataFrame:
    """Days from the first dose to the first episode of ``term`` (grade ≥ min_grade) per safety
    patient, with competing events, for the Aalen–Johansen cumulative incidence
    (:func:`components.stats.survival.cumulative_incidence`).

    STATUS 1: the first episode (DAYS to it). STATUS 2, competing: without an episode, the end of the
    treatment-emergent window (last dose + ``lag_days``: off treatment, no longer at risk of a
    treatment-emergent episode) or death, whichever comes first, on or before the cut-off. STATUS 0:
    neither, censored at the cut-off. AVAL-style days: event date − first dose + 1. EVENT = STATUS 1.
    """
    saf = safety_population(adsl)
    ep = term_rows(teae, term)
    ep = ep[ep["AETOXGR"] >= min_grade].groupby("USUBJID")["ASTDT"].min()
    cols = ["USUBJID", "TRTSDT", "TRTEDT"] + (["DTHDT"] if "DTHDT" in saf else [])
    out = saf[cols].copy()
    out["FIRST"] = out["USUBJID"].map(ep)
    off = out["TRTEDT"] + pd.Timedelta(days=lag_days)
    death = out["DTHDT"] if "DTHDT" in out else pd.Series(pd.NaT, index=out.index)
    competing = pd.concat([off, death], axis=1).min(axis=1)
    competing = competing.where(competing <= cutoff)
    has_event = out["FIRST"].notna() & (competing.isna() | (out["FIRST"] <= competing))
    out["STATUS"] = np.where(has_event, 1, np.where(competing.notna(), 2, 0))
    when = np.where(has_event, out["FIRST"], np.where(competing.notna(), competing, pd.Timestamp(cutoff)))
    out["DAYS"] = (pd.to_datetime(when) - out["TRTSDT"]).dt.days + 1
    out["EVENT"] = (out["STATUS"] == 1).astype(int)
    return out


def episodes(teae: pd.DataFrame, term: str, cutoff: pd.Timestamp) -> pd.DataFrame:
    """Episodes per patient, their durations (days, AENDT − ASTDT + 1; ongoing to the cut-off) and
    worst grade."""
    ep = term_rows(teae, term).copy()
    if ep.empty:
        return pd.DataFrame(columns=["USUBJID", "Episodes", "Median duration (days)", "Longest (days)", "Worst grade", "Ongoing"])
    ep["DUR"] = (ep["AENDT"].fillna(cutoff) - ep["ASTDT"]).dt.days + 1
    g = ep.groupby("USUBJID")
    return pd.DataFrame({
        "Episodes": g.size(), "Median duration (days)": g["DUR"].median(), "Longest (days)": g["DUR"].max(),
        "Worst grade": g["AETOXGR"].max(), "Ongoing": g["AENDT"].apply(lambda s: bool(s.isna().any())),
    }).reset_index()


def onset_by_dose(teae: pd.DataFrame, adex: pd.DataFrame, term: str, drug: str) -> pd.DataFrame:
    """Each episode of ``term`` with the daily dose of ``drug`` the patient took on the day before
    onset (the exposure that preceded it; on the first day of treatment, that day's dose). 0 = held;
    NaN = not on the drug then. A hold that starts on the onset day is the response to the episode,
    not its exposure."""
    ep = term_rows(teae, term)[["USUBJID", "ASTDT", "AETOXGR"]]
    ep = ep[ep["ASTDT"].notna()].reset_index(drop=True)  # an episode without a start date has no dose on it
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()][["USUBJID", "ASTDT", "AENDT", "EXDOSE"]].copy()
    if ep.empty:
        return ep.assign(DOSE=pd.Series(dtype=float))
    first = ex.groupby("USUBJID")["ASTDT"].min()
    day = ep["ASTDT"] - pd.Timedelta(days=1)
    start = ep["USUBJID"].map(first)
    ep["_DAY"] = day.where(~(start.notna() & (day < start)), ep["ASTDT"])
    ex["_END"] = ex["AENDT"].fillna(ex["ASTDT"])
    # the dosing period that started last on or before the day, if it still runs that day
    m = pd.merge_asof(ep.sort_values("_DAY").reset_index(), ex.sort_values("ASTDT"), left_on="_DAY",
                      right_on="ASTDT", by="USUBJID", direction="backward", suffixes=("", "_EX"))
    m = m.set_index("index").sort_index()
    ep["DOSE"] = np.where(m["_END"] >= m["_DAY"], m["EXDOSE"], np.nan)
    return ep.drop(columns="_DAY")
