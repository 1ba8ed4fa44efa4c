"""Key numbers of a data cut, as the Overview page and the slide deck show them."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.data.config import StudyConfig
from components.i18n import N_, _


@dataclass(frozen=True)
class KeyNumbers:
    enrolled: int
    target_enrolled: int
    treated: int
    on_treatment: int | None  # None: no last-dose date and no status in the cut (not available)
    discontinued: int | None  # ended treatment early: a completer (EOTSTT, else EOSSTT or DCDECOD = COMPLETED) is not
    evaluable: int
    target_evaluable: int
    deaths: int | None  # None: the cut records deaths nowhere (no DTHDT, no DTHFL): not available, not 0
    screened: int | None
    screen_failures: int | None
    sites_with_patients: int
    sites_planned: int
    completed: int | None = 0
    #: subjects who died by each source the cut has (ADSL, disposition, fatal AE, ADTTE OS events)
    death_sources: tuple[tuple[str, int], ...] = ()
    #: a source records a death ADSL does not (or ADTTE's OS events are not ADSL's deaths), or ADSL records
    #: none and the count is the other sources': the page says where the number comes from
    deaths_differ: bool = False
    #: sites with patients that the study config does not plan (a SITEID typo, or a site never added)
    sites_unplanned: tuple[str, ...] = ()


def key_numbers(adsl: pd.DataFrame, config: StudyConfig, screening: pd.DataFrame | None = None,
                tables: dict[str, pd.DataFrame] | None = None) -> KeyNumbers:
    """Counts of the cut's subjects. On treatment: treated with no last-dose date (TRTEDT) at the
    cut; discontinued: treated with a last-dose date who did not complete (EOTSTT; without it, the
    sponsor's EOSSTT or DCDECOD: 110 completers read as discontinued in the CDISC pilot's cut)."""
    treated = adsl["TRTSDT"].notna() if "TRTSDT" in adsl else pd.Series(False, index=adsl.index)
    ended, completed = treatment_end(adsl)
    # without a last-dose date and any status, who is on treatment is unknown: "not available", not 0
    absent = set(adsl.attrs.get("absent_columns", ()))
    knows_end = any(c in adsl and c not in absent and adsl[c].notna().any()
                    for c in ("TRTEDT", "EOTSTT", "EOSSTT", "DCDECOD"))
    sources = death_sources(adsl, tables or {})
    deaths = _deaths(adsl)
    differ = False
    if deaths is None and sources:  # ADSL records no death: the other sources' subjects, together
        deaths = len(set().union(*(ids for _name, ids in sources)))
        differ = True
    elif sources and sources[0][0] == "ADSL (DTHDT/DTHFL)":
        # a death from progression is no fatal AE: a source falls short of ADSL without contradicting it
        in_adsl = sources[0][1]
        differ = any(ids - in_adsl or (name == "ADTTE OS (events)" and ids != in_adsl) for name, ids in sources[1:])
    scr = sf = None
    if screening is not None:
        scr = len(screening)
        sf = int((screening["SCRNOUT"] == "SCREEN FAILURE").sum())
    return KeyNumbers(
        enrolled=len(adsl),
        target_enrolled=config.design.n_enrolled if config.design else None,
        treated=int(treated.sum()),
        on_treatment=int((treated & ~ended).sum()) if knows_end else None,
        discontinued=int((treated & ended & ~completed).sum()) if knows_end else None,
        completed=int((treated & ended & completed).sum()) if knows_end else None,
        evaluable=int((adsl["EFFFL"] == "Y").sum()),
        target_evaluable=config.design.n_evaluable if config.design else None,
        deaths=deaths,
        screened=scr,
        screen_failures=sf,
        sites_with_patients=int(adsl["SITEID"].nunique()),
        sites_unplanned=tuple(sorted(set(adsl["SITEID"].dropna().astype(str)) - {s.id for s in config.sites}))
        if config.sites else (),
        sites_planned=len(config.sites),
        death_sources=tuple((name, len(ids)) for name, ids in sources),
        deaths_differ=differ,
    )


def _upper(col: pd.Series) -> pd.Series:
    return col.astype("string").str.strip().str.upper()


def treatment_end(adsl: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(ended, completed) per subject. With EOTSTT (end-of-treatment status) given, it decides: a
    standard ADaM TRTEDT is filled for ongoing patients too (the last dose so far), so a last-dose date
    alone does not end treatment. Without it, a last-dose date ends treatment, as does leaving the study
    (EOSSTT = COMPLETED or DISCONTINUED), and the sponsor's end-of-study status or disposition term
    (EOSSTT, DCDECOD = COMPLETED) says who completed."""
    ended = adsl["TRTEDT"].notna() if "TRTEDT" in adsl else pd.Series(False, index=adsl.index)
    completed = pd.Series(False, index=adsl.index)
    if "EOTSTT" in adsl and adsl["EOTSTT"].notna().any():
        status = _upper(adsl["EOTSTT"])
        ended = status.isin(["COMPLETED", "DISCONTINUED"]).fillna(False) | (status.isna() & ended)
        completed = status.eq("COMPLETED").fillna(False)
    else:
        for col in ("EOSSTT", "DCDECOD"):
            if col in adsl:
                completed |= _upper(adsl[col]).eq("COMPLETED").fillna(False)
        if "EOSSTT" in adsl:  # out of the study (completed or discontinued) is off treatment, last dose or not
            ended |= _upper(adsl["EOSSTT"]).isin(["COMPLETED", "DISCONTINUED"]).fillna(False)
    return ended.astype(bool), completed.astype(bool)


def discontinuation_reason(adsl: pd.DataFrame) -> pd.Series:
    """Why each subject stopped treatment: DCTREAS (ADaM: reason for discontinuation of treatment) where
    given, else DCSREAS (of the study, which this study's cuts use for both), else the disposition term
    DCDECOD (CDISC pilot, admiral's ADSL), else "Reason not given"."""
    reason = pd.Series(pd.NA, index=adsl.index, dtype="string")
    for col in ("DCTREAS", "DCSREAS", "DCDECOD"):
        if col in adsl:
            vals = adsl[col].astype("string").str.strip()
            vals = vals.where(vals != "").where(_upper(adsl[col]) != "COMPLETED")
            reason = reason.fillna(vals)
    return reason.fillna("Reason not given")


def died(adsl: pd.DataFrame) -> pd.Series:
    """Per subject: a death date (DTHDT) or the death flag (DTHFL = Y)."""
    out = adsl["DTHDT"].notna() if "DTHDT" in adsl else pd.Series(False, index=adsl.index)
    if "DTHFL" in adsl:
        out |= _upper(adsl["DTHFL"]).eq("Y").fillna(False)
    return out.astype(bool)


def death_sources(adsl: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> list[tuple[str, set]]:
    """The subjects who died by each source the cut has, of ADSL's subjects: ADSL's death date or flag
    (DTHDT, DTHFL), the disposition (DCDECOD or DCSREAS = DEATH), a fatal AE (AESDTH = Y, AEOUT = FATAL
    or grade 5) and the events of the sponsor's overall survival (ADTTE OS, CNSR = 0). Only the sources
    present; each may miss what another records, so they are shown side by side where they differ."""
    ids = set(adsl["USUBJID"])
    out: list[tuple[str, set]] = []
    absent = set(adsl.attrs.get("absent_columns", ()))
    if ("DTHDT" in adsl and "DTHDT" not in absent) or "DTHFL" in adsl:
        out.append((N_("ADSL (DTHDT/DTHFL)"), set(adsl.loc[died(adsl).to_numpy(), "USUBJID"])))
    disp = [c for c in ("DCDECOD", "DCSREAS") if c in adsl]
    if disp:
        hit = pd.Series(False, index=adsl.index)
        for c in disp:
            hit |= _upper(adsl[c]).eq("DEATH").fillna(False)
        if hit.any():
            out.append((N_("ADSL disposition (DEATH)"), set(adsl.loc[hit.to_numpy(), "USUBJID"])))
    adae = tables.get("adae")
    if adae is not None and len(adae) and any(c in adae for c in ("AESDTH", "AEOUT", "AETOXGR")):
        fatal = fatal_ae(adae)
        out.append((N_("ADAE (fatal AE)"), set(adae.loc[fatal.to_numpy(), "USUBJID"]) & ids))
    adtte = tables.get("adtte")
    if adtte is not None and "PARAMCD" in adtte and (adtte["PARAMCD"] == "OS").any():
        os_rows = adtte[(adtte["PARAMCD"] == "OS") & (pd.to_numeric(adtte["CNSR"], errors="coerce") == 0)]
        out.append((N_("ADTTE OS (events)"), set(os_rows["USUBJID"]) & ids))
    return out


def fatal_ae(adae: pd.DataFrame) -> pd.Series:
    """Per AE record: fatal — CTCAE grade 5, AESDTH = Y (SDTM: results in death) or AEOUT = FATAL."""
    out = pd.Series(False, index=adae.index)
    if "AETOXGR" in adae:
        out |= pd.to_numeric(adae["AETOXGR"], errors="coerce").eq(5).fillna(False)
    if "AESDTH" in adae:
        out |= _upper(adae["AESDTH"]).eq("Y").fillna(False)
    if "AEOUT" in adae:
        out |= _upper(adae["AEOUT"]).isin(["FATAL", "DEATH"]).fillna(False)
    return out.astype(bool)


def _deaths(adsl: pd.DataFrame) -> int | None:
    """Subjects who died: a death date (DTHDT) or the death flag (DTHFL = "Y"; a cut may carry the flag
    without the date). None when the cut has neither column: the count is not available."""
    absent = set(adsl.attrs.get("absent_columns", ()))  # added empty by the loader: the file had none
    has_date = "DTHDT" in adsl and "DTHDT" not in absent
    if not has_date and "DTHFL" not in adsl:
        return None
    return int(died(adsl).sum())


def regimen_table(config: StudyConfig) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"Drug": d.drug, "Dose": f"{d.dose:g} {d.unit}", "Route": d.route, "Schedule": d.schedule}
            for d in config.regimen
        ]
    )


def design_sentence(config: StudyConfig) -> str:
    d = config.design
    if d is None:
        return _("No single-arm response design is given in the study config for {study}.").format(study=config.id)
    text = (_("{test}: H0 ORR {p0} vs H1 ORR {p1}, two-sided α = {alpha}, power {power} → {n} evaluable patients; "
              "with {dropout} dropout → {enrolled} enrolled.") if d.sides == 2 else
            _("{test}: H0 ORR {p0} vs H1 ORR {p1}, one-sided α = {alpha}, power {power} → {n} evaluable patients; "
              "with {dropout} dropout → {enrolled} enrolled."))
    return text.format(test=_(d.test), p0=f"{d.p0:.0%}", p1=f"{d.p1:.0%}", alpha=f"{d.alpha:g}", power=f"{d.power:.0%}",
                       n=d.n_evaluable, dropout=f"{d.dropout:.0%}", enrolled=d.n_enrolled)
