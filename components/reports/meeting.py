"""The meeting deck the PI builds from the screen: what each added figure or table becomes on a slide
(its title, the figure or table, and a footnote with the settings and filters it was made with), and
the deck and report built from the list. The list itself lives in the app's session
(:mod:`components.ui.deck_builder`); this module is pure.
"""

from __future__ import annotations

from dataclasses import fields

import pandas as pd
import plotly.graph_objects as go

from components.analyses.base import Filters, Options, Result
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.i18n import N_, _
from components.reports.deck import build_deck, build_html
from components.reports.report import ReportItem, since_last_cut_item

SKIP = {"filters", "presentation", "highlight", "highlight_label", "previous", "title", "page_size", "usubjid"}


def _flag(on: str, off: str):
    return lambda v: _(on) if v else _(off)


def _label(v: object) -> str:
    """A value a setting names: a population flag, a column or a code, as a reader knows it."""
    from components.analyses.arms import POPULATION_FLAGS
    from components.data.contract import column_header
    from components.figures.response_plots import COLOR_BY

    text = str(v)
    if text in POPULATION_FLAGS:
        return _(POPULATION_FLAGS[text])
    if text in COLOR_BY:
        return _(COLOR_BY[text])
    header = column_header(text)
    return _(header) if header else text


#: each setting in words ("confirmed = True, cap = 100.0" read as code on a committee's slide)
WORDS = {
    "population": lambda v: _("population: {label}").format(label=_label(v)),
    "confirmed": _flag(N_("confirmed responses"), N_("unconfirmed responses")),
    "source": lambda v: _("best response as ADRS gives it") if v == "adrs" else _("best response derived by the app"),
    "color_by": lambda v: _("coloured by {label}").format(label=_label(v).lower()),
    "cap": lambda v: _("bars capped at {cap}%").format(cap=f"{v:g}"),
    "letters": _flag(N_("best-response letters on the bars"), N_("no letters on the bars")),
    "ids": _flag(N_("patient labels shown"), N_("no patient labels")),
    "per_arm": _flag(N_("by arm"), N_("arms pooled")),
    "per_site": _flag(N_("one line per site"), N_("sites pooled")),
    "endpoint": lambda v: str(v),
    "group_by": lambda v: _("by {label}").format(label=_label(v).lower()),
    "conf_type": lambda v: _("{kind} confidence intervals").format(kind=v),
    "show_ci": _flag(N_("confidence bands shown"), N_("no confidence bands")),
    "y_percent": _flag(N_("survival in %"), N_("survival as a proportion")),
    "risk_table": lambda v: _("numbers at risk only") if v == "at_risk" else _("numbers at risk, events and censored"),
    "tick_months": lambda v: _("ticks every {n} months").format(n=f"{v:g}"),
    "landmarks": lambda v: _("landmarks at {months} months").format(months=", ".join(f"{m:g}" for m in v)),
    "window_days": lambda v: _("rate over the last {n} days").format(n=v),
    "by": lambda v: _("counted by {label}").format(label=_label(v).lower()),
    "freq": lambda v: _("per month") if v == "M" else _("per week"),
    "min_pct": lambda v: _("terms reaching {pct}% in an arm").format(pct=f"{v:g}"),
    "top": lambda v: _("the {n} most frequent terms").format(n=v),
    "unit": lambda v: _("time in {unit}").format(unit=_(v)),
    "sort": lambda v: _("sorted by {key}").format(key=_(v)),
    "page": lambda v: _("page {n}").format(n=v + 1),
    "experimental": lambda v: _("{arm} against the reference").format(arm=v),
    "theta": lambda v: _("posterior threshold {theta}").format(theta=f"{v:g}"),
}


def settings_text(options: Options | None) -> str:
    """The options that differ from the analysis' defaults, in words ('' when none): 'confirmed responses,
    bars capped at 100%', not 'confirmed = True, cap = 100.0'."""
    if options is None:
        return ""
    default = type(options)()
    parts = []
    for f in fields(options):
        if f.name in SKIP:
            continue
        value = getattr(options, f.name)
        if value != getattr(default, f.name) and value not in (None, ()):
            words = WORDS.get(f.name)
            try:
                parts.append(words(value) if words else f"{_(f.name.replace('_', ' '))}: {_(str(value))}")
            except (TypeError, ValueError):
                parts.append(f"{f.name.replace('_', ' ')}: {value}")
    return ", ".join(parts)


def footnote(result: Result | None, filter_text: str) -> str:
    """'Settings: …; filters: …' for a slide (the figure's own footnote says the population)."""
    settings = settings_text(result.call.options if result is not None and result.call else None)
    filters = _("Filters: {filters}").format(filters=filter_text) if filter_text else _("No filters (all patients)")
    if settings:
        return _("Settings: {settings}. {filters}.").format(settings=settings, filters=filters)
    return _("{filters}.").format(filters=filters)


def deck_entry(key: str, title: str, filter_text: str, result: Result | None = None,
               figure: go.Figure | None = None, table: pd.DataFrame | None = None) -> ReportItem:
    """One item added from the screen: a figure (the result's, or given) or a table."""
    fig = figure if figure is not None else (result.figure if result is not None and table is None else None)
    if filter_text:  # a subgroup says so where it is read first, not only in the footnote
        title = _("{title} — {filters}").format(title=title, filters=filter_text)
    return ReportItem(key, title, fig, table, footnote(result, filter_text), result)


def meeting_items(entries: list[ReportItem], cut: DataCut, config: StudyConfig, compare: DataCut | None,
                  filters: Filters = (), summary: bool = True) -> list[ReportItem]:
    items = list(entries)
    if summary:
        first = since_last_cut_item(cut, config, compare, filters)
        if first is not None:
            items.insert(0, first)
    return items


def meeting_deck(entries: list[ReportItem], cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
                 filters: Filters = (), title_slide: bool = True, summary: bool = True) -> bytes:
    """The PPTX of the items added on screen, in their order, after the title and summary slides."""
    return build_deck(cut, config, compare, meeting_items(entries, cut, config, compare, filters, summary), filters,
                      title_slide=title_slide)


def meeting_html(entries: list[ReportItem], cut: DataCut, config: StudyConfig, compare: DataCut | None = None,
                 filters: Filters = (), summary: bool = True) -> str:
    return build_html(cut, config, compare, meeting_items(entries, cut, config, compare, filters, summary), filters)
