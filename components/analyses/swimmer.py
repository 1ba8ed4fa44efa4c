"""The swimmer plot: time on treatment per treated patient with responses, progression, death, dose
changes and grade ≥3 adverse events."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, response_derivation, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.swimmer_plots import swimmer_figure
from components.i18n import _
from components.stats.exposure import drug_order
from components.stats.swimmer import EVENT_ORDER, sort_bars, swimmer_data

PAGE_SIZE = 50


def swimmer_drugs(config: StudyConfig, adex: pd.DataFrame | None) -> list[str]:
    """The drugs whose dose changes the swimmer marks: every drug of the regimen, then any other drug
    of the exposure table (issue 36: nine eribulin reductions were missing beside three neratinib ones)."""
    return drug_order([d.drug for d in config.regimen], adex)


@dataclass(frozen=True)
class SwimmerOptions(Options):
    color_by: str = "BOR"  # BOR, SITEID or P95STAT
    unit: str = "weeks"
    sort: str = "duration"  # duration, bor or enrollment
    layers: tuple[str, ...] = EVENT_ORDER
    page: int = 0  # pages of PAGE_SIZE patients, longest first
    page_size: int = PAGE_SIZE
    highlight: tuple[str, ...] = ()
    highlight_label: str = ""


@analysis("Swimmer")
def swimmer(cut: DataCut, config: StudyConfig, options: SwimmerOptions) -> Result:
    """One bar per treated patient from the first dose to the last dose (or the cut-off, with an
    arrow), follow-up after treatment, and the events on it (confirmed best response)."""
    v = view(cut, options)
    adsl = v.tables["adsl"]
    bor = None
    if cut.has("adrs"):
        rules = config.response
        bor = response_derivation(cut, rules, rules.confirmed_default, True).restrict(set(adsl["USUBJID"])).bor
    drug = swimmer_drugs(config, v.tables.get("adex"))
    bars, events = swimmer_data(adsl, bor, cut.cutoff, v.tables.get("adex"), v.tables.get("adae"), drug)
    if bars.empty:
        return Result(_("Swimmer"), {"Treated patients": 0}, {}, None, (_("No treated patient in this selection."),))
    ordered = sort_bars(bars, options.sort)
    size = max(int(options.page_size), 1)
    shown = ordered.iloc[options.page * size: (options.page + 1) * size]
    n_on = int(bars["ONGOING"].sum())
    ctx = figure_context(cut, config, options,
                         _("Treated patients (N = {n}; {on} on treatment at the cut)").format(n=len(bars), on=n_on),
                         _("Time on treatment (RECIST 1.1 confirmed best response)"))
    fig = swimmer_figure(shown, events[events["USUBJID"].isin(set(shown["USUBJID"]))], ctx, color_by=options.color_by,
                         unit=options.unit, layers=tuple(options.layers), drug=drug,
                         site_names={x.id: x.name for x in config.sites}, highlight=set(options.highlight) or None,
                         highlight_label=options.highlight_label, arm_order=list(config.arms))
    table = shown[["USUBJID", "SITEID", "BOR", "TRTSDT", "END", "DAYS", "ONGOING", "DCSREAS"]].rename(
        columns={"END": "Last dose or cut-off", "DAYS": "Days on treatment", "ONGOING": "On treatment"})
    numbers = {"Treated patients": len(bars), "On treatment at the cut": n_on,
               "Longest on treatment (days)": int(bars["DAYS"].max())}
    return Result(_("Swimmer"), numbers, {"shown": table, "order": ordered[["USUBJID", "LABEL"]]}, fig)
