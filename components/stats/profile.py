"""One patient's rows from every table, and the facts shown beside the profile (the figure is
components.figures.profile_plots)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


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
    """The baseline and status facts shown beside the profile."""
    a = p.adsl

    def val(col: str, fmt=str) -> str:
        v = a.get(col)
        return "—" if v is None or (not isinstance(v, str) and pd.isna(v)) or v == "" else fmt(v)

    date = lambda v: f"{v:%Y-%m-%d}"  # noqa: E731
    return [
        ("Site", f"{val('SITEID')} · {site_name}"),
        ("Age / ECOG", f"{val('AGE')} years · ECOG {val('ECOGBL')}"),
        ("HR / HER2 / p95HER2", f"{val('HRSTAT')} / {val('HER2STAT')} / {val('P95STAT')}"),
        ("Prior lines (advanced)", val("PRIORLN")),
        ("Why T-DXd stopped", val("TDXDRSN")),
        ("Visceral disease", val("VISCFL")),
        ("Consent / first dose", f"{val('RFICDT', date)} / {val('TRTSDT', date)}"),
        ("Last dose", val("TRTEDT", date) if pd.notna(a.get("TRTEDT")) else "on treatment at the cut"),
        ("Discontinuation", val("DCSREAS")),
        ("Death", val("DTHDT", date)),
    ]
