"""The study's vocabulary of time-to-event endpoints, built once per (config, cut): which endpoints a
cut offers, by what name, from where, and from which time origin.

The sponsor's ADTTE is the analysis (ADaM IG 1.3 §4.2: AVAL and CNSR of the BDS time-to-event
structure): every PARAMCD in it is an endpoint, named by its PARAM label. The app derives only what is
absent — PFS and DoR from ADRS with the RECIST rules of the config, OS from ADSL's death and last-known-
alive dates — and says so. Pages, analyses, the deck and the report iterate :func:`endpoints`; none of
them lists endpoint codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.i18n import N_, _

#: The endpoints the app knows by name (and can derive when ADTTE lacks them), in display order.
KNOWN = {"PFS": (N_("Progression-free survival"), "PFS", N_("Progression or death")),
         "OS": (N_("Overall survival"), "OS", N_("Deaths")),
         "DOR": (N_("Duration of response"), "DoR", N_("Progression or death"))}

#: The time origins a sponsor's STARTDT can be recognised as (ADSL column → what the axis says).
ORIGINS = (("RANDDT", N_("Months since randomization")), ("TRTSDT", N_("Months since first dose")))


@dataclass(frozen=True)
class Endpoint:
    """One time-to-event endpoint of a cut."""

    code: str  # PARAMCD as the app reads it (PFS, OS, DOR after the mapping of [mapping] tte_params; else the sponsor's)
    name: str  # the English name: a catalog msgid for the known ones, the sponsor's PARAM otherwise
    short: str  # the button's label: PFS, OS, DoR, or the sponsor's code
    source: str  # "adtte" (the sponsor's) or "derived" (by the app)
    known: bool  # name is a catalog msgid (translated on screen); a sponsor's PARAM is shown as written
    events_are: str  # what an event is (msgid), for the "Events" metric's help
    axis: str  # the x axis's title (msgid), from the time origin
    sponsor_param: str = ""  # the sponsor's PARAM of a known endpoint read from ADTTE (it may be coded otherwise)

    @property
    def label(self) -> str:
        """The name on screen, in the session's language."""
        return _(self.name) if self.known else self.name

    @property
    def x_title(self) -> str:
        return _(self.axis)


def variable_label(config, column: str) -> str:
    """A study variable's readable name on screen (never the programmer's column name where a label is
    known): the config's ``[randomization] strata_labels``, else the data dictionary's header, else the
    column as named."""
    from components.data.contract import column_header

    labels = getattr(config, "strata_labels", {}) or {}
    if column in labels:
        return labels[column]
    header = column_header(column)
    return _(header) if header else column


def variable_labels(config, columns) -> str:
    """:func:`variable_label` of each column, joined with commas."""
    return ", ".join(variable_label(config, c) for c in columns)


def _param_label(rows: pd.DataFrame, code: str) -> str:
    """The sponsor's PARAM for ``code`` (its most frequent value), else the code itself."""
    if "PARAM" not in rows:
        return code
    labels = rows["PARAM"].dropna().astype(str).str.strip()
    labels = labels[labels != ""]
    return str(labels.mode().iloc[0]) if len(labels) else code


def time_origin(rows: pd.DataFrame, adsl: pd.DataFrame | None) -> str:
    """The x axis's title (msgid) for a sponsor's endpoint: "since randomization" or "since first dose" when its
    STARTDT equals ADSL's RANDDT or TRTSDT for at least 95% of the rows that have both, else plain
    "Months" (the origin is the sponsor's and not named)."""
    if adsl is None or "STARTDT" not in rows or rows["STARTDT"].notna().sum() == 0:
        return N_("Months")
    for col, title in ORIGINS:
        if col not in adsl:
            continue
        both = rows[["USUBJID", "STARTDT"]].merge(adsl[["USUBJID", col]], on="USUBJID", how="inner").dropna()
        if len(both) and (both["STARTDT"] == both[col]).mean() >= 0.95:
            return title
    return N_("Months")


def planned_arm_column(adsl: pd.DataFrame | None) -> str | None:
    """ADSL's planned-arm column: TRT01P, else ARM; None without either."""
    return next((c for c in ("TRT01P", "ARM") if adsl is not None and c in adsl), None)


def randomized_by_data(adsl: pd.DataFrame | None) -> bool:
    """More than one planned arm in the data (blank values are no arm)."""
    col = planned_arm_column(adsl)
    if col is None:
        return False
    values = adsl[col].dropna().astype(str).str.strip()
    return values[values != ""].nunique() > 1


def time_origin_column(adsl: pd.DataFrame | None) -> str:
    """Where a derived PFS or OS counts from: RANDDT for a randomized cut (a randomization date and more
    than one planned arm: every randomized patient, treated or not, from randomization — ICH E9 §5.2.1
    intention to treat), else the first dose (TRTSDT)."""
    if adsl is None or "RANDDT" not in adsl or not adsl["RANDDT"].notna().any():
        return "TRTSDT"
    return "RANDDT" if randomized_by_data(adsl) else "TRTSDT"


def _derivable(code: str, tables: dict[str, pd.DataFrame]) -> bool:
    """Can the app derive a known endpoint from this cut? PFS and DoR need ADRS's overall responses;
    OS needs ADSL's death dates (a cut with only a death flag has no time of death: OS would show no
    events, a wrong number, so it is not offered)."""
    if code == "OS":
        adsl = tables.get("adsl")
        return (adsl is not None and "DTHDT" in adsl
                and "DTHDT" not in set(adsl.attrs.get("absent_columns", ())))
    adrs = tables.get("adrs")
    return adrs is not None and "PARAMCD" in adrs and bool((adrs["PARAMCD"] == "OVR").any())


def endpoints(tables: dict[str, pd.DataFrame]) -> tuple[Endpoint, ...]:
    """The cut's endpoints: the sponsor's first — the known ones (PFS, OS, DoR) ADTTE has, then every
    other PARAMCD of ADTTE in its order of appearance, by its PARAM label — then the known ones the app
    can derive from this cut (:func:`_derivable`)."""
    adtte = tables.get("adtte")
    adsl = tables.get("adsl")
    present: list[str] = []
    if adtte is not None and "PARAMCD" in adtte:
        present = [str(c) for c in pd.unique(adtte["PARAMCD"].dropna().astype(str)) if str(c).strip()]
    out = []
    for code, (name, short, events) in KNOWN.items():
        if code in present:
            rows = adtte[adtte["PARAMCD"] == code]
            axis = N_("Months since first response") if code == "DOR" else time_origin(rows, adsl)
            out.append(Endpoint(code, name, short, "adtte", True, events, axis, _param_label(rows, "")))
    for code in present:
        if code in KNOWN:
            continue
        rows = adtte[adtte["PARAMCD"] == code]
        out.append(Endpoint(code, _param_label(rows, code), code, "adtte", False, N_("Events"),
                            time_origin(rows, adsl)))
    since = dict(ORIGINS)[time_origin_column(adsl)]
    for code, (name, short, events) in KNOWN.items():
        if code not in present and _derivable(code, tables):
            axis = N_("Months since first response") if code == "DOR" else since
            out.append(Endpoint(code, name, short, "derived", True, events, axis))
    return tuple(out)


def endpoint(tables: dict[str, pd.DataFrame], code: str) -> Endpoint | None:
    """One endpoint of the cut by its code, None when the cut has no such endpoint."""
    return next((e for e in endpoints(tables) if e.code == code), None)
