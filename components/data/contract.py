"""The data contract: which ADaM tables and columns the dashboard reads, as declared in
``data/data_dictionary.csv`` (one row per column rule).

The dictionary is the single source: the loader enforces it, the Overview page shows it, and the
README points to it. Columns: table, column, type (text, integer, number, date, flag), required (Y: the
column and a value in every row; ``column``: the column, but a row with a blank or invalid value is kept
with the value missing; N: neither),
allowed (values separated by ``|``; compared case-insensitively and normalised to this spelling),
min, max, condition (``PARAMCD in OVR|BOR``: the rule applies only to those rows), label, header (the
short column header on screen).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from components.data.config import PROJECT_ROOT
from components.i18n import N_

DICTIONARY_PATH = PROJECT_ROOT / "data" / "data_dictionary.csv"
TYPES = ("text", "integer", "number", "date", "flag")

#: Tables of the contract, in the order they are loaded and shown. adsl is the only one every
#: page needs; the others are optional and disable only what uses them when absent.
TABLES = ("adsl", "adrs", "adtr", "adtte", "adae", "adex", "screening", "adlb")
#: English: translate where shown, ``_(TABLE_LABELS[name])``.
TABLE_LABELS = {
    "adsl": N_("Subject level (ADSL)"),
    "adrs": N_("Tumour response (ADRS)"),
    "adtr": N_("Tumour measurements (ADTR)"),
    "adtte": N_("Time to event (ADTTE)"),
    "adae": N_("Adverse events (ADAE)"),
    "adex": N_("Exposure (ADEX)"),
    "screening": N_("Screening log"),
    "adlb": N_("Biomarkers (ADLB)"),
}


@dataclass(frozen=True)
class ColumnRule:
    table: str
    column: str
    type: str
    required: bool  # the table is not loaded without the column
    allowed: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    condition: tuple[str, tuple[str, ...]] | None = None  # (column, values)
    label: str = ""
    header: str = ""  # the short column header on screen
    value_required: bool | None = None  # a row without a valid value is excluded; None: as ``required``

    def __post_init__(self) -> None:
        if self.value_required is None:
            object.__setattr__(self, "value_required", self.required)


def _parse_condition(text: str) -> tuple[str, tuple[str, ...]] | None:
    text = text.strip()
    if not text:
        return None
    column, _, values = text.partition(" in ")
    if not values:
        raise ValueError(f"data dictionary: cannot read condition {text!r} (use 'COLUMN in A|B')")
    return column.strip().upper(), tuple(v.strip() for v in values.split("|"))


def _num(text: str) -> float | None:
    return float(text) if text.strip() else None


@lru_cache(maxsize=4)
def load_dictionary(path: Path = DICTIONARY_PATH) -> tuple[ColumnRule, ...]:
    """Read the data dictionary into column rules (cached)."""
    rules = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            kind = row["type"].strip()
            if kind not in TYPES:
                raise ValueError(f"data dictionary: unknown type {kind!r} for {row['column']}")
            req = row["required"].strip().upper()
            if req not in ("Y", "N", "", "COLUMN"):
                raise ValueError(f"data dictionary: required must be Y, N or column, not {req!r} ({row['column']})")
            rules.append(
                ColumnRule(
                    table=row["table"].strip().lower(),
                    column=row["column"].strip().upper(),
                    type=kind,
                    required=req in ("Y", "COLUMN"),
                    value_required=req == "Y",
                    allowed=tuple(v for v in row["allowed"].split("|") if v),
                    min=_num(row["min"]),
                    max=_num(row["max"]),
                    condition=_parse_condition(row["condition"]),
                    label=row["label"].strip(),
                    header=(row.get("header") or "").strip(),
                )
            )
    return tuple(rules)


def rules_for(table: str) -> tuple[ColumnRule, ...]:
    return tuple(r for r in load_dictionary() if r.table == table)


def required_columns(table: str) -> list[str]:
    seen: dict[str, None] = {}
    for r in rules_for(table):
        if r.required:
            seen[r.column] = None
    return list(seen)


def column_types(table: str) -> dict[str, str]:
    return {r.column: r.type for r in rules_for(table)}


def column_header(column: str) -> str | None:
    """The short header the dictionary gives a column (the first table that has one), else None."""
    return _headers().get(column)


@lru_cache(maxsize=1)
def _headers() -> dict[str, str]:
    out: dict[str, str] = {}
    for r in load_dictionary():
        if r.header:
            out.setdefault(r.column, r.header)
    return out


def column_label(table: str, column: str) -> str:
    for r in rules_for(table):
        if r.column == column and r.label:
            return r.label
    return column
