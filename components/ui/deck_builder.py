"""The meeting deck built from the screen: an "Add to meeting deck" button under each figure and key
table, and the sidebar panel that shows the deck being built (reorder, remove, title and since-last-
cut slides) and downloads it as PPTX and as the HTML report. The slides come from
:mod:`components.reports.meeting`; the list lives in the session only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.analyses.base import Result
from components.i18n import _, language, n_, using
from components.ui import widgets

if TYPE_CHECKING:  # the reports floor (and scipy with it) is imported on a click, not on every first visit
    from components.reports.report import ReportItem

DECK_KEY = "_meeting_deck"
DECK_ROLE_KEY = "_meeting_deck_role"


def entries() -> list[ReportItem]:
    """The session's slides. They belong to the role that made them: when the session's role changes
    (the access settings were edited, a role revoked), the slides of the former role are dropped, never
    offered to the new one."""
    state = st.session_state.get(widgets.STATE_KEY)
    role = getattr(state, "role", None)
    if st.session_state.get(DECK_ROLE_KEY, role) != role:
        st.session_state[DECK_KEY] = []
    st.session_state[DECK_ROLE_KEY] = role
    return st.session_state.setdefault(DECK_KEY, [])


def in_language(lang: str, fn, *args):
    """``fn(*args)`` in ``lang``: a download rendered on a click may run outside the page's run."""
    with using(lang):
        return fn(*args)


def _add(key: str, title: str, filter_text: str, result: Result | None, figure: go.Figure | None,
         table: pd.DataFrame | Callable[[], pd.DataFrame] | None, lang: str) -> None:
    """The click: the slide's item is made now, not on every run of the page (a page has many buttons)."""
    from components.reports.meeting import deck_entry

    deck = entries()
    if any(e.key == key for e in deck):
        return
    with using(lang):
        item = deck_entry(key, title, filter_text, result, figure, table() if callable(table) else table)
        deck.append(item)
        st.toast(_("Added to the meeting deck: {title}").format(title=item.title))


def add_button(key: str, title: str, result: Result | None = None, figure: go.Figure | None = None,
               table: pd.DataFrame | Callable[[], pd.DataFrame] | None = None, filter_text: str = "") -> None:
    """'Add to meeting deck' for one figure or table (or a function that makes the table, called only
    on a click); the slide keeps the settings and filters in force."""
    item_key = f"{key}:{filter_text}"
    added = any(e.key == item_key for e in entries())
    st.button(_("Added to the meeting deck") if added else _("Add to meeting deck"), key=f"deck_add_{key}",
              icon=":material/playlist_add_check:" if added else ":material/playlist_add:", disabled=added,
              on_click=_add, args=(item_key, title, filter_text, result, figure, table, language()),
              help=_("A slide of this, with the settings and filters in force; the deck is in the sidebar."))


def _move(i: int, step: int) -> None:
    deck = entries()
    j = i + step
    if 0 <= j < len(deck):
        deck[i], deck[j] = deck[j], deck[i]


def _remove(i: int) -> None:
    entries().pop(i)


def sidebar_panel(state) -> None:
    """The deck being built, in the sidebar."""
    deck = entries()
    sb = st.sidebar
    lang = language()  # the deck is made in the language on screen, also when rendered on a click
    label = n_("Meeting deck ({n} slide added)", "Meeting deck ({n} slides added)", len(deck)).format(n=len(deck))
    # drawn only while open (every page's sidebar carries it); its two choices outlive a closed panel
    widgets.lazy_expander(label, "deck_panel", lambda: _panel(state, deck, lang), parent=sb)


def _panel(state, deck: list, lang: str) -> None:
    """The panel's content: title and summary choices, the slides (reorder, remove), the downloads."""
    # the sidebar's own keep-and-restore (widgets.kept): the choices outlive a closed panel
    title = st.checkbox(_("Title slide"), **widgets.kept("deck_title", True))
    summary = st.checkbox(_("'Since last cut' summary"), **widgets.kept("deck_summary", True),
                          disabled=state.compare_path is None,
                          help=_("Needs a comparison cut ('Compare with' above)."))
    if not deck:
        st.caption(_("Add figures and tables with 'Add to meeting deck' under them."))
    for i, item in enumerate(deck):
        c = st.columns([6, 1, 1, 1], vertical_alignment="center")
        c[0].markdown(f"{i + 1}. {item.title}")
        c[1].button("", key=f"deck_up_{i}", icon=":material/arrow_upward:", on_click=_move, args=(i, -1),
                    disabled=i == 0, help=_("Move up"))
        c[2].button("", key=f"deck_down_{i}", icon=":material/arrow_downward:", on_click=_move, args=(i, 1),
                    disabled=i == len(deck) - 1, help=_("Move down"))
        c[3].button("", key=f"deck_del_{i}", icon=":material/close:", on_click=_remove, args=(i,), help=_("Remove"))
    filters = tuple((k, tuple(v)) for k, v in state.selection.items() if v)
    with_summary = bool(summary and state.compare_path)
    stamp = f"{state.config.id}_{state.cut.cutoff_text}".replace(" ", "_")

    def compare():  # the comparison cut is read on the click, not on every page's first visit
        return state.compare if with_summary else None

    from components.ui.audit import audited

    # how many slides, not their titles: a patient's slide is titled with their id, and the trail keeps none
    slides = {"slides": len(deck), "title slide": bool(title), "summary": with_summary}
    st.download_button(_("Download PPTX"), audited(lambda: in_language(lang, _meeting_deck, deck, state.cut,
                                                                       state.config, compare(), filters, title,
                                                                       with_summary),
                                                   "deck", f"meeting_deck_{stamp}.pptx", state, slides),
                       file_name=f"meeting_deck_{stamp}.pptx", key="deck_pptx", icon=":material/slideshow:",
                       mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
                       disabled=not deck and not title)
    st.download_button(_("Download HTML report"), audited(lambda: in_language(lang, _meeting_html, deck, state.cut,
                                                                              state.config, compare(), filters,
                                                                              with_summary),
                                                          "report", f"meeting_report_{stamp}.html", state, slides),
                       file_name=f"meeting_report_{stamp}.html", key="deck_html", icon=":material/description:",
                       mime="text/html", disabled=not deck)
    if deck:
        st.button(_("Clear the deck"), key="deck_clear", on_click=deck.clear)


def _meeting_deck(*args):
    from components.reports.meeting import meeting_deck as build

    return build(*args)


def _meeting_html(*args):
    from components.reports.meeting import meeting_html as build

    return build(*args)
