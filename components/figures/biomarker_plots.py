"""Biomarker figures: ORR by group with exact CIs, ctDNA trajectories (log axis) and early change,
and the automatic panels of other markers by response."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, axis_room, finish_figure, footnote_height
from components.figures.safe_text import plotly_text
from components.figures.style import (
    BLUE,
    BOR_COLORS,
    BOR_LABELS,
    BOR_ORDER,
    GREEN,
    GREY_40,
    GRID,
    GUIDE_LINE,
    MISSING_COLOR,
    ORANGE,
    P95_COLORS,
    PANEL,
    PURPLE,
    SKY,
    TEXT,
    TEXT_SOFT,
    ZERO_LINE,
)
from components.i18n import _
from components.stats.biomarkers import MarkerPanel
from components.stats.pvalues import p_relation


def orr_by_group_figure(tab: pd.DataFrame, ctx: FigureContext | None, title: str, colors: dict[str, str] | None = None) -> go.Figure:
    """ORR per group as points with exact 95% CI bars, n per group in the labels."""
    colors = colors or P95_COLORS
    fig = go.Figure()
    for r in tab.to_dict("records"):
        if r["N"] == 0:
            continue
        group = _(str(r["Group"]))
        fig.add_trace(go.Scatter(
            x=[r["ORR"]], y=[f"{group} (n = {r['N']})"], mode="markers", showlegend=False,
            marker={"size": 13, "color": colors.get(r["Group"], MISSING_COLOR), "line": {"color": TEXT, "width": 1}},
            error_x={"type": "data", "symmetric": False, "array": [r["95% CI high"] - r["ORR"]],
                     "arrayminus": [r["ORR"] - r["95% CI low"]], "color": TEXT, "thickness": 1.5, "width": 6},
            hovertemplate=f"{group}: {r['Responders']}/{r['N']} = %{{x:.0%}}<extra></extra>"))
    fig.update_xaxes(title_text=_("Objective response rate (95% CI, exact)"), tickformat=".0%", range=[0, 1], dtick=0.2,
                     showgrid=True, gridcolor=GRID)
    fig.update_yaxes(autorange="reversed", automargin=True)
    # the plot keeps its height when the footnote and axis take more room (presentation theme)
    below = axis_room(ctx) + footnote_height(ctx, narrow=True) - 104
    return finish_figure(fig, ctx, title, height=140 + 60 * max(len(tab), 2) + below, narrow=True)  # beside a table


def ctdna_figure(series: pd.DataFrame, bor: pd.DataFrame, ctx: FigureContext | None, lod: float, unit: str = "%") -> go.Figure:
    """VAF over weeks since the first dose on a log axis, one line per patient coloured by BOR (the
    patients of one response share a trace); undetectable samples drawn as open circles at half the
    limit of detection."""
    from components.figures.response_plots import HOVER_LIMIT, _joined

    d = series.merge(bor[["USUBJID", "BOR"]], on="USUBJID", how="left").fillna({"BOR": "NE"})
    d = d.assign(LABEL=np.where(d["DETECTED"], d["VAF"].round(2).astype(str) + f" {unit}", _("not detected")))
    hover = d["USUBJID"].nunique() <= HOVER_LIMIT
    trace = go.Scatter if d["USUBJID"].nunique() <= 1000 else go.Scattergl
    d = d.assign(WEEK=d["WEEK"].round(2), PLOT=d["PLOT"].round(3)).sort_values(["USUBJID", "WEEK"], kind="mergesort")
    fig = go.Figure()
    week = _("Week %{x:.1f}")
    for b in [c for c in BOR_ORDER if c in set(d["BOR"])]:
        arr = _joined(d[d["BOR"] == b], "WEEK", "PLOT", ["USUBJID", "LABEL"])
        fig.add_trace(trace(
            x=arr["x"], y=arr["y"], mode="lines+markers", name=_(BOR_LABELS.get(b, b)), connectgaps=False,
            line={"color": BOR_COLORS.get(b, MISSING_COLOR), "width": 1.8},
            marker={"size": 7, "color": BOR_COLORS.get(b, MISSING_COLOR)},
            customdata=np.stack([arr["USUBJID"], arr["LABEL"]], axis=-1) if hover else None,
            hovertemplate="<b>%{customdata[0]}</b><br>" + week + ": %{customdata[1]}<extra></extra>" if hover
            else week + ": %{y}<extra>" + _(BOR_LABELS.get(b, b)) + "</extra>"))
    und = d[~d["DETECTED"]]
    if len(und):  # undetectable samples: open circles over the lines
        fig.add_trace(go.Scatter(x=und["WEEK"], y=und["PLOT"], mode="markers", name=_("Not detected (at ½ LOD)"),
                                 marker={"symbol": "circle-open", "size": 8, "color": TEXT_SOFT,
                                         "line": {"width": 1.5}}, hoverinfo="skip"))
    Overlay().hline(lod, GUIDE_LINE).apply(fig)  # shapes take data coordinates on a log axis,
    # annotations log10 ones
    # at the left, where every series starts detected at baseline: at the right, late points sat on it
    fig.add_annotation(x=0, xref="x domain", y=np.log10(lod), yref="y", text=_("limit of detection"), showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": GREY_40})
    fig.update_yaxes(type="log", title_text=_("ctDNA variant allele fraction ({unit})").format(unit=unit), dtick=1, tickformat="~g",
                     showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text=_("Weeks since first dose"), dtick=6, showgrid=True, gridcolor=PANEL)
    return finish_figure(fig, ctx, _("ctDNA over time"), height=460)


def early_change_figure(early: pd.DataFrame, bor: pd.DataFrame, ctx: FigureContext | None, day: int) -> go.Figure:
    """Waterfall of the log10 fold change from baseline to the early time point, coloured by BOR;
    cleared patients marked."""
    d = early.merge(bor[["USUBJID", "BOR"]], on="USUBJID", how="left").fillna({"BOR": "NE"})
    d = d[d["BASE_DETECTED"]].sort_values("LOG10_FOLD", ascending=False).reset_index(drop=True)
    fig = go.Figure()
    for b in [c for c in BOR_ORDER if c in set(d["BOR"])]:
        sub = d[d["BOR"] == b]
        fig.add_trace(go.Bar(x=sub.index, y=sub["LOG10_FOLD"], name=_(BOR_LABELS[b]), marker_color=BOR_COLORS[b], width=0.8,
                             customdata=np.stack([sub["USUBJID"], sub["PCT_CHANGE"].round(0)], axis=-1),
                             hovertemplate="<b>%{customdata[0]}</b><br>" + _("log10 fold %{y:.2f} (%{customdata[1]}%)")
                             + "<extra></extra>"))
    cl = d[d["CLEARED"]]
    if len(cl):
        fig.add_trace(go.Scatter(x=cl.index, y=cl["LOG10_FOLD"] - 0.15, mode="markers", name=_("Cleared (undetectable)"),
                                 marker={"symbol": "star", "size": 11, "color": GREEN}, hoverinfo="skip"))
    # labelled at the left, under the rises (sorted high to low): at the right, the falls crossed it
    Overlay().hline(np.log10(0.5), {"color": TEXT_SOFT, "dash": "dash", "width": 1}, "−50%", "bottom left") \
        .hline(0, ZERO_LINE).apply(fig)
    fig.update_yaxes(title_text=_("Change in VAF, log10 fold"), showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text=_("Patients detectable at baseline (n = {n})").format(n=len(d)), showticklabels=False)
    return finish_figure(fig, ctx, _("Early ctDNA change: baseline to day {day}").format(day=day), height=420)


def marker_panel_figure(panel: MarkerPanel, ctx: FigureContext | None) -> go.Figure:
    """Continuous: values by response (box with points); categorical: stacked counts by response."""
    colors = {"Responder": BOR_COLORS["PR"], "Non-responder": BOR_COLORS["SD"]}
    fig = go.Figure()
    if panel.kind == "continuous":
        for g in ("Responder", "Non-responder"):
            sub = panel.data[panel.data["RESPONDER"] == g]
            fig.add_trace(go.Box(y=sub["VALUE"], name=f"{_(g)} (n = {len(sub)})", boxpoints="all", jitter=0.35,
                                 pointpos=0, marker={"color": colors[g], "size": 6}, line={"width": 1.5},
                                 customdata=sub["USUBJID"], hovertemplate="%{customdata}: %{y}<extra></extra>"))
        fig.update_yaxes(title_text=plotly_text(panel.name + (f" ({panel.unit})" if panel.unit else "")), showgrid=True,
                         gridcolor=GRID)
        fig.update_layout(showlegend=False)
    else:
        tab = pd.crosstab(panel.data["RESPONDER"], panel.data["VALUE"])
        for j, col in enumerate(tab.columns):
            fig.add_trace(go.Bar(x=[f"{_(i)} (n = {int(tab.loc[i].sum())})" for i in tab.index], y=tab[col], name=str(col),
                                 marker_color=[BLUE, ORANGE, GREEN, PURPLE, SKY][j % 5]))
        fig.update_layout(barmode="stack")
        fig.update_yaxes(title_text=_("Patients"), dtick=2)
    subtitle = _("by response · {p_label} {p} ({test})").format(p_label=ctx.p_label("p"), p=p_relation(panel.p_value),
                                                                 test=_(panel.test))
    return finish_figure(fig, ctx, panel.name, height=400, subtitle=subtitle, narrow=True)  # two to a row
