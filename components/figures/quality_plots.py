"""Data-quality figures: the funnel plot of site rates against the study rate."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, finish_figure
from components.figures.style import GREY_53, GRID, NAVY, ORANGE, REFERENCE_LINE, VERMILION
from components.i18n import _
from components.stats.quality import AMBER, RED, Funnel

#: marker colour by gsm flag (|flag| 2 red, 1 amber, 0 none): vermilion, orange, navy (Okabe–Ito)
FLAG_COLORS = {0: NAVY, 1: ORANGE, 2: VERMILION}


def funnel_figure(f: Funnel, labels: dict[str, str], metric: str, unit: str, ctx: FigureContext | None) -> go.Figure:
    """Each site's rate (``metric``, as shown) against its size (``unit`` counted), with the study rate and
    the funnel's limits at 2 and 3 standard errors (gsm's amber and red thresholds, over-dispersion
    included). Sites above the study rate or flagged carry their id; every site names itself on hover."""
    fig = go.Figure()
    s = f.sites
    if len(s):
        top = max(float(s["Denominator"].max()) * 1.08, 2.0)
        n = np.linspace(1, top, 200)
        for k, dash, name in ((AMBER, "dash", _("±2 SE (amber)")), (RED, "dot", _("±3 SE (red)"))):
            lo, hi = f.limits(n, k)
            lo = np.where(lo > 0, lo, np.nan)  # a lower limit clipped at 0 is no limit (it drew a line over the axis)
            for y, show in ((hi, True), (lo, False)):
                fig.add_trace(go.Scatter(x=n, y=100 * y, mode="lines", name=name, showlegend=show, legendgroup=name,
                                         line={"color": GREY_53, "width": 1.2, "dash": dash}, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=[1, top], y=[100 * f.rate] * 2, mode="lines",
                                 name=_("Study rate {rate}").format(rate=f"{f.rate:.0%}"), line=REFERENCE_LINE,
                                 hoverinfo="skip"))
        colors = [FLAG_COLORS[abs(int(v))] for v in s["Flag"]]
        # the site's id on its marker (names run into each other where sites lie close); the name on hover
        fig.add_trace(go.Scatter(
            x=s["Denominator"], y=100 * s["Metric"], mode="markers+text", name=_("Site"),
            # labelled where a reader looks: above the study rate or flagged (the rest on hover)
            text=[str(g) if (m > f.rate or flag) else "" for g, m, flag in zip(s["GroupID"], s["Metric"], s["Flag"],
                                                                                 strict=True)],
            textposition="top center", textfont={"size": 12},
            marker={"size": 13, "color": colors, "line": {"color": "white", "width": 1}},
            customdata=np.column_stack([[labels.get(str(g), str(g)) for g in s["GroupID"]], s["Numerator"],
                                        s["Score"].round(2)]),
            hovertemplate="%{customdata[0]}: %{customdata[1]} / %{x} = %{y:.0f}%<br>" + _("score %{customdata[2]}")
                          + "<extra></extra>"))
        _lo, hi3 = f.limits(n, RED)
        top_y = max(float(100 * s["Metric"].max()), float(100 * hi3[n >= s["Denominator"].min()].max()), 10.0)
    else:
        top_y = 100.0
    fig.update_xaxes(title_text=unit, showgrid=True, gridcolor=GRID, rangemode="tozero")
    # up to the highest site or the red limit where sites are (not always 100%: zero rates sat on the axis)
    fig.update_yaxes(title_text=_("{metric} (%)").format(metric=metric), showgrid=True, gridcolor=GRID,
                     range=[-0.04 * min(top_y * 1.12, 105), min(top_y * 1.12, 105)])
    return finish_figure(fig, ctx, _("{metric} by site against the study rate").format(metric=metric), height=460)
