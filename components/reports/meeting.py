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
from components.i18n import _
from components.reports.deck import build_deck, build_html
from components.reports.report import ReportItem, since_last_cut_item

SKIP = {"filters", "presentation", "highlight", "highlight_label", "previous", "title"}


def settings_text(options: Options | None) -> str:
    """The options that differ from the analysis' defaults, as 'name = value' ('' when none)."""
    if options is None:
        return ""
    default = type(options)()
    parts = []
    for f in fields(options):
        if f.name in SKIP:
            continue
        value = getattr(options, f.name)
        if value != getattr(default, f.name) and value not in (None, ()):
            parts.append(f"{f.name.replace('_', ' ')} = {value}")
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
