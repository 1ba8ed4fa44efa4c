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


def patient_link(usubjid: object) -> str:
    """The relative address of a patient's profile, the id percent-encoded (an '&' or '#' in an id must
    not change the query)."""
    from urllib.parse import quote

    return "patient?patient=" + quote(str(usubjid), safe="")


def plotly_text(value: object) -> object:
    """A data value for plotly text (hover, labels, tick text): '<' and '>' as entities, so no tag
    can be formed; non-text values unchanged."""
    if isinstance(value, str) and ("<" in value or ">" in value or "&" in value):
        return html.escape(value, quote=False)
    return value


def template_text(value: object) -> str:
    """A data value inside a plotly hovertemplate or other text our builders write markup around: no tag
    (as :func:`plotly_text`), and no ``%{…}`` placeholder of plotly's either."""
    return str(plotly_text(str(value))).replace("%{", "% {")


_TEXT_PROPS = ("text", "hovertext", "customdata", "x", "y", "labels", "ids", "name")
_EXTRA = re.compile(r"<extra>(.*?)</extra>", re.S)
_AXIS = re.compile(r"^[xy]axis\d*$")


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
    categorical x/y, labels, names, the hover's side label) and in categorical axis tick text of every
    subplot. The figure's own labels (titles, footnotes, which may use <b>, <br>) are left as built: a
    builder that puts a data value in one passes it through :func:`plotly_text` or :func:`template_text`."""
    for trace in fig.data:
        template = getattr(trace, "hovertemplate", None)
        if isinstance(template, str) and "<extra>" in template:  # the hover's side label is always a name, never markup
            trace.hovertemplate = _EXTRA.sub(lambda m: "<extra>" + template_text(html.unescape(m.group(1))) + "</extra>",
                                             template)
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
    for axis in [k for k in fig.layout.to_plotly_json() if _AXIS.match(k)]:  # every subplot's axes
        ax = getattr(fig.layout, axis, None)
        if ax is not None and ax.ticktext is not None:
            ax.ticktext = tuple(plotly_text(t) for t in ax.ticktext)
        if ax is not None and ax.categoryarray is not None:
            ax.categoryarray = tuple(plotly_text(t) for t in ax.categoryarray)
    return fig
