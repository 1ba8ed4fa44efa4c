"""Figures of the study-design page: power against the true response rate, and power against n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, finish_figure
from components.figures.style import GREY_87, GRID, GUIDE_LINE, OKABE_ITO, REFERENCE_LINE, WHITE, rgba
from components.i18n import _
from components.stats.design import oc_label

# the legend boxed in the lower right of the plot, where power curves leave room
LEGEND_INSIDE = {"orientation": "v", "x": 0.99, "xanchor": "right", "y": 0.04, "yanchor": "bottom",
                 "bgcolor": rgba(WHITE, 0.9), "bordercolor": GREY_87, "borderwidth": 1}


def power_curve_figure(oc: pd.DataFrame, p0: float, p1: float, alpha: float, power: float,
                       ctx: FigureContext | None) -> go.Figure:
    """P(declaring the treatment promising) against the true ORR, one line per design."""
    fig = go.Figure()
    designs = [c for c in oc.columns if c != "true ORR" and not c.endswith((": PET", ": EN"))]
    for i, col in enumerate(designs):
        label = oc_label(col)
        fig.add_trace(go.Scatter(x=oc["true ORR"], y=oc[col], mode="lines", name=label,
                                 line={"color": OKABE_ITO[(i + 4) % len(OKABE_ITO)], "width": 2.4,
                                       "dash": "solid" if i == 0 else ("dot" if i == 1 else "dash")},
                                 hovertemplate=_("True ORR") + " %{x:.0%}: %{y:.1%}<extra>" + label + "</extra>"))
    marks = Overlay()
    for x, label in ((p0, f"H0 {p0:.0%}"), (p1, f"H1 {p1:.0%}")):
        marks.vline(x, REFERENCE_LINE, label, "top")
    marks.hline(power, GUIDE_LINE, _("power {power}").format(power=f"{power:.0%}"), "bottom right")
    marks.hline(alpha, GUIDE_LINE, f"α {alpha:g}", "top left").apply(fig)
    fig.update_xaxes(title_text=_("True objective response rate"), tickformat=".0%", range=[0, float(oc["true ORR"].max())],
                     dtick=0.1, showgrid=True, gridcolor=GRID)
    fig.update_yaxes(title_text=_("Probability of declaring success"), tickformat=".0%", range=[0, 1.02], dtick=0.2,
                     showgrid=True, gridcolor=GRID)
    return finish_figure(fig, ctx, _("Power against the true response rate"), height=480, legend=LEGEND_INSIDE)


def power_vs_n_figure(exact: pd.DataFrame, normal_power: np.ndarray, target: float, chosen_n: int,
                      ctx: FigureContext | None) -> go.Figure:
    """Actual power of the exact single-stage test against n (saw-tooth) and the normal
    approximation's smooth curve, with the target power and the chosen n."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=exact["n"], y=exact["power"], mode="lines+markers", name=_("Exact test (actual power)"),
                             line={"color": OKABE_ITO[4], "width": 2, "shape": "linear"}, marker={"size": 5},
                             customdata=np.stack([exact["r"], exact["alpha"]], axis=-1),
                             hovertemplate=_("n %{x}: reject if > %{customdata[0]} responders; power %{y:.1%}, "
                                             "actual α %{customdata[1]:.4f}") + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=exact["n"], y=normal_power, mode="lines", name=_("Normal approximation"),
                             line={"color": OKABE_ITO[5], "width": 2, "dash": "dash"},
                             hovertemplate="n %{x}: %{y:.1%}<extra>" + _("normal") + "</extra>"))
    Overlay().hline(target, GUIDE_LINE, _("target {value}").format(value=f"{target:.0%}"), "bottom right") \
        .vline(chosen_n, REFERENCE_LINE, f"n = {chosen_n}", "top left").apply(fig)
    fig.update_xaxes(title_text=_("Evaluable patients (n)"), showgrid=True, gridcolor=GRID)
    fig.update_yaxes(title_text=_("Power at H1"), tickformat=".0%", range=[0, 1.02], dtick=0.2, showgrid=True,
                     gridcolor=GRID)
    return finish_figure(fig, ctx, _("Power against sample size (the saw-tooth of exact designs)"), height=440,
                         legend=LEGEND_INSIDE)


def monitoring_figure(planned: pd.DataFrame, looks: pd.DataFrame, sided: int, ctx: FigureContext | None,
                      title: str, experimental: str, reference: str) -> go.Figure:
    """Group-sequential monitoring: the efficacy boundary (z) against the information fraction at the
    planned looks (line), the boundary at each observed look, and the observed z-statistics (points).
    ``planned``: FRACTION, BOUND; ``looks``: FRACTION, BOUND, Z, LABEL. Positive z favours the
    experimental arm."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=planned["FRACTION"], y=planned["BOUND"], mode="lines+markers", name=_("Efficacy boundary (planned looks)"),
                             line={"color": OKABE_ITO[5], "width": 2.2}, marker={"size": 8},
                             hovertemplate=_("Information {x}: reject when z ≥ {y}").format(x="%{x:.0%}", y="%{y:.3f}")
                             + "<extra></extra>"))
    if sided == 2:
        fig.add_trace(go.Scatter(x=planned["FRACTION"], y=-planned["BOUND"], mode="lines", showlegend=True,
                                 name=_("Boundary for harm (two-sided)"),
                                 line={"color": OKABE_ITO[5], "width": 1.4, "dash": "dash"}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=looks["FRACTION"], y=looks["BOUND"], mode="markers", name=_("Boundary at the observed look"),
                             marker={"symbol": "line-ew-open", "size": 22, "color": OKABE_ITO[5],
                                     "line": {"width": 3, "color": OKABE_ITO[5]}},
                             hovertemplate=_("Information {x}: boundary {y}").format(x="%{x:.1%}", y="%{y:.3f}")
                             + "<extra></extra>"))
    fig.add_trace(go.Scatter(x=looks["FRACTION"], y=looks["Z"], mode="markers+text", name=_("Observed z"),
                             text=looks["LABEL"], textposition="top center",
                             marker={"size": 12, "color": OKABE_ITO[1], "line": {"width": 1.5, "color": WHITE}},
                             hovertemplate=_("Information {x}: z = {y}").format(x="%{x:.1%}", y="%{y:.3f}")
                             + "<extra></extra>"))
    Overlay().hline(0.0, REFERENCE_LINE).apply(fig)
    top = float(max(planned["BOUND"].max(), looks["Z"].max() if len(looks) else 0)) + 0.5
    bottom = -top if sided == 2 else float(min(-1.0, looks["Z"].min() - 0.5 if len(looks) else -1.0))
    fig.update_xaxes(title_text=_("Information fraction (events / planned events)"), tickformat=".0%", range=[0, 1.05],
                     dtick=0.25, showgrid=True, gridcolor=GRID)
    fig.update_yaxes(title_text=_("z (positive favours {experimental})").format(experimental=experimental),
                     range=[bottom, top + 0.4], showgrid=True, gridcolor=GRID)
    # the legend boxed in the lower left, below zero before the first look, where nothing is drawn
    legend = {**LEGEND_INSIDE, "x": 0.01, "xanchor": "left"}
    return finish_figure(fig, ctx, title, height=500, legend=legend)
