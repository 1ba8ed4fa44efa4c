"""Laboratory figures: the eDISH plot of peak aminotransferase against peak bilirubin (issue 36)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, finish_figure
from components.figures.style import GREY_62, GUIDE_LINE, NAVY, ORANGE, TEXT_SOFT, VERMILION, WHITE, arm_colors
from components.i18n import N_, _

#: The quadrants, their colours and names on screen (FDA DILI guidance 2009; Watkins et al. 2011).
QUADRANTS = {"Potential Hy's law": (VERMILION, N_("Potential Hy's law")),
             "Temple's corollary": (ORANGE, N_("Temple's corollary")),
             "Hyperbilirubinaemia": (NAVY, N_("Hyperbilirubinaemia")),
             "Normal range": (GREY_62, N_("Normal range"))}


def edish_figure(df: pd.DataFrame, ctx: FigureContext | None, arm_column: str | None = None,
                 arm_order: list[str] | None = None) -> go.Figure:
    """Peak ALT or AST (× ULN, x, log) against peak total bilirubin (× ULN, y, log), one point per patient,
    coloured by quadrant (or by arm for an unblinded randomized study); lines at 3 × ULN and 2 × ULN."""
    fig = go.Figure()
    x_lo = min(0.1, float(df["PEAK_AT"].min()) / 1.5) if len(df) else 0.1
    y_lo = min(0.1, float(df["PEAK_BILI"].min()) / 1.5) if len(df) else 0.1
    x_hi = max(30.0, float(df["PEAK_AT"].max()) * 1.5) if len(df) else 30.0
    y_hi = max(20.0, float(df["PEAK_BILI"].max()) * 1.5) if len(df) else 20.0
    if arm_column and arm_column in df:
        cats, colors = arm_colors(list(df[arm_column].dropna().astype(str)), arm_order)
        groups = [(c, df[df[arm_column].astype(str) == c], colors[c], c) for c in cats]
    else:
        groups = [(q, df[df["QUADRANT"] == q], color, _(label)) for q, (color, label) in QUADRANTS.items()]
    for _key, g, color, name in groups:
        if g.empty:
            continue
        fig.add_trace(go.Scatter(
            x=g["PEAK_AT"], y=g["PEAK_BILI"], mode="markers", name=f"{name} (n = {len(g)})",
            marker={"size": 10, "color": color, "line": {"width": 1, "color": WHITE}},
            customdata=np.stack([g["USUBJID"], g["PEAK_AT"].round(2), g["PEAK_BILI"].round(2)], axis=-1),
            hovertemplate=("<b>%{customdata[0]}</b><br>" + _("Peak ALT/AST") + ": %{customdata[1]} × ULN<br>"
                           + _("Peak bilirubin") + ": %{customdata[2]} × ULN<extra></extra>")))
    fig.add_vline(x=3, line=GUIDE_LINE)
    fig.add_hline(y=2, line=GUIDE_LINE)
    for x, y, text, anchor in ((x_hi, y_hi, _("Potential Hy's law"), "right"), (x_lo, y_hi, _("Hyperbilirubinaemia"), "left"),
                               (x_hi, y_lo, _("Temple's corollary"), "right")):
        fig.add_annotation(x=np.log10(x), y=np.log10(y), text=text, showarrow=False, xanchor=anchor,
                           yanchor="top" if y == y_hi else "bottom", font={"size": 12, "color": TEXT_SOFT})
    ticks = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 20, 50, 100]  # the multiples a hepatologist reads
    fig.update_xaxes(type="log", range=[np.log10(x_lo), np.log10(x_hi)], title_text=_("Peak ALT or AST (× ULN)"),
                     tickvals=[t for t in ticks if x_lo <= t <= x_hi], ticktext=[f"{t:g}" for t in ticks if x_lo <= t <= x_hi])
    fig.update_yaxes(type="log", range=[np.log10(y_lo), np.log10(y_hi)], title_text=_("Peak total bilirubin (× ULN)"),
                     tickvals=[t for t in ticks if y_lo <= t <= y_hi], ticktext=[f"{t:g}" for t in ticks if y_lo <= t <= y_hi])
    return finish_figure(fig, ctx, _("eDISH: peak aminotransferase and bilirubin"), height=520,
                         subtitle=_("Lines at 3 × ULN (ALT/AST) and 2 × ULN (bilirubin); peaks need not be on the same day"))
