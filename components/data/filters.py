"""Global filters: one selection of ADSL values applied the same way to every table of a cut.

A selection maps an ADSL column to the values kept (an empty or absent list keeps everything).
Subjects are filtered in adsl; every subject-level table keeps only those subjects; the screening
log, which has people who never became subjects, is filtered by site only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from components.data.contract import column_label
from components.data.datasets import DataCut
from components.i18n import N_, _

MISSING_LABEL = N_("(missing)")  # an option value: translate where shown (format_func)

#: Filter labels (English): translate where shown, ``_(FILTER_LABELS[col])``.
FILTER_LABELS = {
    "SITEID": N_("Site"),
    "P95STAT": N_("p95HER2 status"),
    "ECOGBL": N_("ECOG at baseline"),
    "PRIORLN": N_("Prior lines (advanced)"),
    "TRT01A": N_("Arm"),
}


@dataclass(frozen=True)
class FilterSpec:
    column: str
    label: str
    options: tuple[str, ...]


def value_labels(series: pd.Series) -> pd.Series:
    """Values as the strings the filter widgets show (missing → "(missing)")."""
    def one(v: object) -> str:
        if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
            return MISSING_LABEL
        return str(v)

    return series.map(one)


def filter_specs(adsl: pd.DataFrame, columns: Sequence[str]) -> list[FilterSpec]:
    specs = []
    for col in columns:
        if col not in adsl.columns:
            continue
        values = adsl[col].dropna()
        try:
            ordered = sorted(values.unique())
        except TypeError:
            ordered = sorted(values.astype(str).unique())
        opts = [str(v) for v in ordered]
        if adsl[col].isna().any():
            opts.append(MISSING_LABEL)
        label = FILTER_LABELS.get(col) or column_label("adsl", col)
        specs.append(FilterSpec(col, label, tuple(opts)))
    return specs


def selected_subjects(adsl: pd.DataFrame, selection: Mapping[str, Sequence[str]]) -> pd.Series:
    keep = pd.Series(True, index=adsl.index)
    for col, values in selection.items():
        if not values or col not in adsl.columns:
            continue
        keep &= value_labels(adsl[col]).isin([str(v) for v in values])
    return adsl.loc[keep, "USUBJID"]


def apply_filters(cut: DataCut, selection: Mapping[str, Sequence[str]]) -> DataCut:
    """The cut restricted to the selected subjects (all tables, the same way)."""
    active = {k: list(v) for k, v in selection.items() if v}
    if not active or not cut.has("adsl"):
        return cut
    adsl = cut.tables["adsl"]
    subjects = set(selected_subjects(adsl, active))
    tables = {}
    for name, df in cut.tables.items():
        if name == "screening":
            sites = active.get("SITEID")
            tables[name] = df[df["SITEID"].astype(str).isin(sites)] if sites else df
        elif "USUBJID" in df.columns:
            tables[name] = df[df["USUBJID"].isin(subjects)]
        else:
            tables[name] = df
    return cut.with_tables(tables)


def describe(selection: Mapping[str, Sequence[str]]) -> str:
    """A short text of the active filters for captions and figure footnotes ('' when none), in the
    run's language (the values as they are, "(missing)" translated)."""
    parts = []
    for col, values in selection.items():
        if values:
            shown = ", ".join(_(v) if v == MISSING_LABEL else str(v) for v in values)
            parts.append(f"{_(FILTER_LABELS.get(col, col))}: {shown}")
    return "; ".join(parts)
