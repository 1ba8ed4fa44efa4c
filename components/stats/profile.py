"""One patient's rows from every table, and the facts shown beside the profile (the figure is
components.figures.profile_plots)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.i18n import N_, _


@dataclass(frozen=True)
class PatientData:
    adsl: pd.Series
    adex: pd.DataFrame
    adrs: pd.DataFrame
    adtr: pd.DataFrame
    adae: pd.DataFrame
    ctdna: pd.DataFrame
    cutoff: pd.Timestamp


def patient_data(tables: dict, usubjid: str, cutoff: pd.Timestamp, ctdna_param: str) -> PatientData:
    """The rows of one subject from every table (empty frames where a table is absent)."""
    def rows(name: str) -> pd.DataFrame:
        df = tables.get(name)
        return df[df["USUBJID"] == usubjid].copy() if df is not None else pd.DataFrame()

    lb = rows("adlb")
    ct = lb[lb["PARAMCD"] == ctdna_param] if len(lb) else lb
    adsl = tables["adsl"].set_index("USUBJID").loc[usubjid]
    return PatientData(adsl, rows("adex"), rows("adrs"), rows("adtr"), rows("adae"), ct, cutoff)


def key_facts(p: PatientData, site_name: str) -> list[tuple[str, str]]:
    """The baseline and status facts shown beside the profile: (label, text); the labels are English
    keys (shown as ``_(label)``), the texts in the run's language."""
    a = p.adsl

    def val(col: str, fmt=str) -> str:
        v = a.get(col)
        return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else fmt(v)

    date = lambda v: f"{v:%Y-%m-%d}"  # noqa: E731
    return [
        (N_("Site"), f"{val('SITEID')} · {site_name}"),
        (N_("Age / ECOG"), _("{age} years · ECOG {ecog}").format(age=val("AGE"), ecog=val("ECOGBL"))),
        (N_("HR / HER2 / p95HER2"), f"{val('HRSTAT')} / {val('HER2STAT')} / {val('P95STAT')}"),
        (N_("Prior lines (advanced)"), val("PRIORLN")),
        (N_("Why T-DXd stopped"), val("TDXDRSN")),
        (N_("Visceral disease"), val("VISCFL")),
        (N_("Consent / first dose"), f"{val('RFICDT', date)} / {val('TRTSDT', date)}"),
        (N_("Last dose"), val("TRTEDT", date) if pd.notna(a.get("TRTEDT")) else _("on treatment at the cut")),
        (N_("Discontinuation"), val("DCSREAS")),
        (N_("Death"), val("DTHDT", date)),
    ]
