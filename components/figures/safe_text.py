"""Data values shown as text must stay text: never Markdown (a value `![x](http://…)` would become an
external image request — a tracking beacon — and `[link](javascript:…)` a clickable link) and never
plotly's HTML-like markup (`<a href=…>`). Every page and figure passes data values through here.
"""

from __future__ import annotations

import html
import re

import numpy as np
import plotly.graph_objects as go

# Markdown (CommonMark), Streamlit's extensions ($ for LaTeX, :color[…] directives, :emoji: codes) and
# HTML: each character that starts markup is escaped with a backslash.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def md(value: object) -> str:
    """A data value as Markdown that shows exactly its text."""
    text = "" if value is None else str(value)
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")


def plotly_text(value: object) -> object:
    """A data value for plotly text (hover, labels, tick text): '<' and '>' as entities, so no tag
    can be formed; non-text values unchanged."""
    if isinstance(value, str) and ("<" in value or ">" in value or "&" in value):
        return html.escape(value, quote=False)
    return value


_TEXT_PROPS = ("text", "hovertext", "customdata", "x", "y", "labels", "ids")


def _clean(values: object) -> object:
    if isinstance(values, str):
        return plotly_text(values)
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufcmM":
        return values  # numbers and dates carry no markup
    if isinstance(values, (list, tuple, np.ndarray)):
        arr = np.asarray(values, dtype=object)
        if arr.dtype == object and any(isinstance(v, str) and ("<" in v or ">" in v or "&" in v) for v in arr.ravel()):
            return np.vectorize(plotly_text, otypes=[object])(arr)
    return values


def sanitise_figure(fig: go.Figure) -> go.Figure:
    """Escape markup in the data-bearing properties of every trace (text, hover text, custom data,
    categorical x/y, labels) and in categorical axis tick text. The figure's own labels (titles,
    footnotes, which may use <b>, <br>) are left as built."""
    for trace in fig.data:
        for prop in _TEXT_PROPS:
            try:
                value = trace[prop]
            except (KeyError, ValueError):
                continue
            if value is None:
                continue
            cleaned = _clean(value)
            if cleaned is not value:
                trace[prop] = cleaned
    for axis in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        ax = getattr(fig.layout, axis, None)
        if ax is not None and ax.ticktext is not None:
            ax.ticktext = tuple(plotly_text(t) for t in ax.ticktext)
        if ax is not None and ax.categoryarray is not None:
            ax.categoryarray = tuple(plotly_text(t) for t in ax.categoryarray)
    return fig
