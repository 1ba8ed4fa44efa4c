"""The left margin a figure's y-axis labels and title will need, estimated on the server.

Every y axis keeps plotly's ``automargin``: the browser measures the tick labels and the axis title
and widens the margin to fit them, so nothing is ever clipped. But when the margin the figure arrives
with is narrower than what the labels need, plotly.js draws the whole figure, finds the labels too
wide, grows the margin and draws it all again (``Plots.doAutoMargin`` → a second ``_doPlot``):
every figure whose labels are wider than the default 70 px (a site list, AE terms, a two-line
axis title) cost the browser two draws. Measured in Debian's Chromium on the demo's figures
(plotly.js from the installed plotly package), presetting the margin to what automargin ends with
halves the draw (waterfall 36 → 18 ms, AE bar chart 38 → 21 ms, patient profile 58 → 29 ms).

So :func:`preset_left_margin` sets ``margin.l`` to an estimate of what automargin will end with:
the widest tick label (text widths from Helvetica/Arial metrics, which Liberation Sans shares, a wide
East Asian character one em), the tick length and plotly's padding, and the axis title's lines. The
estimate leans wide by a few per cent (a browser with Inter is wider than Arial); where it is still too
narrow (another font, an axis shape it does not read), automargin grows the margin as before: slower,
never clipped. ``tests/test_margins.py`` checks the estimate against the margin plotly.js draws.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import plotly.graph_objects as go

# Advance widths of ASCII 32..126 in thousandths of an em: Helvetica's AFM metrics, which Arial and
# Liberation Sans share (the fonts the figures' font stack lands on where Inter is not installed).
_ASCII = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # space .. /
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0 .. ?
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # @ .. O
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # P .. _
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # ` .. o
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,  # p .. ~
)
_OTHER = {"\u00b7": 278, "\u2212": 584, "\u2013": 556, "\u2014": 1000, "\u2265": 549, "\u2264": 549,
          "\u00d7": 584, "\u00b1": 584, "\u00a0": 278, "\u2026": 1000, "\u2019": 222, "\u2018": 222}
LEAN = 1.03  # the labels' estimate leans wide (Helvetica Neue and Inter run wider than Arial) ...
SLACK = 2  # ... and so does the margin, by 2 px
# Plotly's automargin, fitted on plotly.js in Chromium (tick and title font sizes 11-17 px, one and
# two title lines; tests/test_margins.py keeps the fit honest): the depth of a y axis left of the plot
# is the widest tick label plus TICK_BASE + TICK_PER_PX × tick font size, plus the tick length and 1.6 px
# where ticks are drawn outside; with a title (an empty one counts) TITLE_BASE + TITLE_PER_PX × its
# font size, plus LINE_PER_PX × font size per further line.
TICK_BASE, TICK_PER_PX, TICK_GAP = 10.4, 0.275, 1.6
TITLE_BASE, TITLE_PER_PX, LINE_PER_PX = 17.75, 0.65, 1.55
_TAG = re.compile(r"<[^>]*>")


_WIDTH = {chr(32 + i): w for i, w in enumerate(_ASCII)} | _OTHER


def _char_width(ch: str) -> int:
    if unicodedata.east_asian_width(ch) in "WF" or unicodedata.category(ch) == "So":
        return 1000
    return 600


def text_px(text: str, size: float) -> float:
    """Width in px of one line of plain text at ``size`` px: Helvetica metrics for ASCII (and a few
    common signs: · − – ≥ ×), one em for a wide East Asian character (Chinese) or a symbol (⚠), 0.6 em
    for anything else (an accented letter)."""
    get = _WIDTH.get
    return sum(get(ch) or _char_width(ch) for ch in text) * size / 1000


def label_px(label: object, size: float) -> float:
    """Width of a plotly label (``<br>`` breaks lines; tags such as ``<b>`` draw nothing; entities
    are one character): its widest line."""
    text = str(label)
    if "<" not in text and "&" not in text:
        return text_px(text, size)
    lines = re.split(r"<br\s*/?>", text, flags=re.IGNORECASE)
    return max(text_px(html.unescape(_TAG.sub("", line)), size) for line in lines)


def _lines(text: str | None) -> int:
    return 0 if not text else 1 + len(re.findall(r"<br\s*/?>", text, flags=re.IGNORECASE))


def _axis_traces(fig: go.Figure, ref: str) -> list:
    """The traces drawn against y axis ``ref`` ("y", "y2", ...)."""
    return [t for t in fig.data if (getattr(t, "yaxis", None) or "y") == ref]


def _values(trace: object) -> np.ndarray:
    """The values a trace puts on its y axis (its categories for a horizontal bar or box) as an array;
    a typed array in plotly's JSON form (``{"dtype", "bdata"}``, as a figure read back from JSON
    holds) decoded."""
    y = getattr(trace, "y", None)
    if y is None:
        return np.array([])
    if isinstance(y, dict):
        if "bdata" not in y:
            return np.array([])
        import base64

        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y.get("dtype", "f8")))
    return np.asarray(y, dtype=object) if not isinstance(y, np.ndarray) else y


def _numbers(trace: object) -> np.ndarray:
    """A trace's finite numeric y values as floats (strings, dates and None left out)."""
    v = _values(trace)
    if v.dtype.kind in "iuf":
        v = v.astype(float)
    else:
        v = np.array([x for x in v if _is_number(x)], dtype=float)
    return v[np.isfinite(v)]


def _has_text(trace: object) -> bool:
    v = _values(trace)
    return v.dtype.kind in "US" or (v.dtype.kind == "O" and any(isinstance(x, str) for x in v[:50]))


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)


def _nice_step(span: float, ticks: int = 6) -> float:
    """A 1-2-5 step for about ``ticks`` ticks over ``span`` (as plotly's auto ticks)."""
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)


def _format(v: float, fmt: str | None, step: float) -> str:
    """A tick value as plotly writes it: ``tickformat`` (d3-format, the subset Python's format shares,
    ``~`` trimming zeros), else with the decimals the step needs; minus as U+2212."""
    if fmt:
        trim = "~" in fmt
        spec = fmt.replace("~", "")
        try:
            s = format(v, spec)
        except ValueError:
            s = f"{v:g}"
        if trim and "." in s and "e" not in s:  # d3's "~": trailing zeros (and a bare point) dropped
            percent = s.endswith("%")
            s = s.removesuffix("%").rstrip("0").rstrip(".") + ("%" if percent else "")
    else:
        decimals = max(0, -math.floor(math.log10(step))) if step and step < 1 else 0
        s = f"{v:.{decimals}f}"
        if abs(v) >= 10_000:  # plotly's default exponent format "B": 10k, 1.5M
            for div, suf in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
                if abs(v) >= div:
                    s = f"{v / div:g}{suf}"
                    break
    return s.replace("-", "\u2212")


def _number_labels(axis: object, traces: Sequence, stacked: bool = False) -> list[str]:
    """The tick labels of a numeric (linear or log) axis: its range (set, or the data's, a bar's from 0)
    at its ``dtick`` (or a 1-2-5 step), formatted as plotly would."""
    rng = list(axis.range) if axis.range is not None and None not in axis.range else None
    log = axis.type == "log"
    if rng is None:
        numbers = [_numbers(t) for t in traces]
        vals = [float(v.min()) for v in numbers if v.size] + [float(v.max()) for v in numbers if v.size]
        bars = [v for t, v in zip(traces, numbers, strict=True) if t.type == "bar"]
        if bars:
            vals.append(0.0)
            if stacked:  # the stack's top is at most the sum of each trace's largest bar
                vals.append(sum(max(float(v.max()), 0.0) for v in bars if v.size))
        if not vals:
            return []
        if log:
            vals = [math.log10(v) for v in vals if v > 0] or [0.0]
        lo, hi = min(vals), max(vals)
        pad = 0.05 * (hi - lo) if hi > lo else 1.0
        rng = [lo - pad, hi + pad]
    lo, hi = sorted(float(v) for v in rng)
    if log:
        ks = range(math.ceil(lo - 1e-9), math.floor(hi + 1e-9) + 1)
        return [_format(10.0**k, axis.tickformat or "~g", 1) + (axis.ticksuffix or "") for k in ks]
    dtick = axis.dtick if _is_number(axis.dtick) and axis.dtick > 0 else _nice_step(hi - lo if hi > lo else 1.0)
    if (hi - lo) / dtick > 200:  # a dtick far too fine for the range: plotly thins it; read the ends
        dtick = _nice_step(hi - lo)
    first = math.ceil(lo / dtick - 1e-9)
    ticks = [k * dtick for k in range(first, math.floor(hi / dtick + 1e-9) + 1)] or [lo, hi]
    prefix, suffix = axis.tickprefix or "", axis.ticksuffix or ""
    return [prefix + _format(v if abs(v) > 1e-12 * dtick else 0.0, axis.tickformat, dtick) + suffix for v in ticks]


def tick_labels(fig: go.Figure, name: str) -> list[str]:
    """The tick labels plotly will draw on layout axis ``name`` ("yaxis", "yaxis2", ...)."""
    axis = fig.layout[name]
    if axis.showticklabels is False:
        return []
    if axis.ticktext is not None:
        return [str(t) for t in axis.ticktext]
    traces = _axis_traces(fig, "y" + name[len("yaxis"):])
    if axis.type in ("category", "multicategory") or (axis.type in (None, "-") and any(map(_has_text, traces))):
        labels = dict.fromkeys(str(v) for v in (axis.categoryarray or ()))
        for t in traces:
            labels.update(dict.fromkeys(str(v) for v in _values(t) if v is not None))
        return list(labels)
    if axis.type == "date":
        return ["Mmm 00, 0000"]
    return _number_labels(axis, traces, stacked=fig.layout.barmode in ("stack", "relative"))


def _left_axes(fig: go.Figure) -> Iterable[str]:
    """The y axes drawn at the figure's left edge: on the left side of a plot area that starts at 0."""
    for name in [k for k in fig.layout if k.startswith("yaxis")]:
        axis = fig.layout[name]
        if axis.visible is False or axis.side == "right" or axis.overlaying:
            continue
        anchor = axis.anchor if axis.anchor not in (None, "free") else "x"
        xaxis = fig.layout["xaxis" + anchor[1:]] if anchor.startswith("x") else None
        start = (xaxis.domain[0] if xaxis is not None and xaxis.domain is not None else 0.0)
        if start <= 0.01:
            yield name


def axis_depth(fig: go.Figure, name: str) -> float:
    """Pixels from the plot's left edge to the far side of axis ``name``'s labels and title, as plotly's
    automargin measures them (the fit above)."""
    axis = fig.layout[name]
    base = fig.layout.font.size or 12
    size = (axis.tickfont.size if axis.tickfont is not None else None) or base
    widest = max((label_px(x, size) for x in tick_labels(fig, name)), default=0.0) * LEAN
    depth = widest + TICK_BASE + TICK_PER_PX * size
    if (axis.ticks if axis.ticks is not None else "outside") == "outside":
        depth += (axis.ticklen if axis.ticklen is not None else 5) + TICK_GAP
    title = axis.title.text if axis.title is not None else None
    if title is not None:
        tsize = (axis.title.font.size if axis.title.font is not None else None) or base
        depth += TITLE_BASE + TITLE_PER_PX * tsize + LINE_PER_PX * tsize * max(_lines(title) - 1, 0)
        if axis.title.standoff is not None:
            depth += axis.title.standoff - 15  # the fit is at the template's standoff
    return depth + SLACK


def preset_left_margin(fig: go.Figure, floor: int = 70) -> go.Figure:
    """Set ``margin.l`` to what the left y axes' labels and titles need (at least ``floor``), so
    plotly.js draws the figure once instead of twice; ``automargin`` stays on as the safety net."""
    pad = fig.layout.margin.pad or 0  # the axes sit this far off the plot area
    need = max((axis_depth(fig, name) + pad for name in _left_axes(fig)), default=0.0)
    current = fig.layout.margin.l if fig.layout.margin.l is not None else floor
    fig.layout.margin.l = max(floor, current, math.ceil(need))
    return fig
