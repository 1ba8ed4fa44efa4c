"""The subgroup forest plot of a randomized comparison: HR with 95% CI per subgroup level on a log
axis, the overall HR on top, the interaction p per subgroup (tern's g_forest, for plotly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, finish_figure
from components.figures.style import INK, NAVY, REFERENCE_LINE, TEXT_SOFT
from components.i18n import _


def forest_figure(rows: pd.DataFrame, ctx: FigureContext | None, title: str, experimental: str, reference: str) -> go.Figure:
    """``rows``: Label, HR, Lower, Upper, Overall (bool), in display order (top first)."""
    d = rows.iloc[::-1].reset_index(drop=True)
    ok = d["HR"].notna()
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=d.loc[ok, "HR"], y=d.loc[ok, "Label"], mode="markers", showlegend=False,
        marker={"symbol": np.where(d.loc[ok, "Overall"], "diamond", "square"), "size": np.where(d.loc[ok, "Overall"], 13, 9),
                "color": np.where(d.loc[ok, "Overall"], NAVY, INK)},
        error_x={"type": "data", "symmetric": False, "array": d.loc[ok, "Upper"] - d.loc[ok, "HR"],
                 "arrayminus": d.loc[ok, "HR"] - d.loc[ok, "Lower"], "color": INK, "thickness": 1.5, "width": 0},
        customdata=np.stack([d.loc[ok, "Lower"], d.loc[ok, "Upper"]], axis=-1),
        hovertemplate="%{y}: HR %{x:.2f} (%{customdata[0]:.2f}–%{customdata[1]:.2f})<extra></extra>"))
    lo = float(np.nanmin(d["Lower"])) if ok.any() else 0.5
    hi = float(np.nanmax(d["Upper"])) if ok.any() else 2.0
    lo, hi = min(lo, 0.5), max(hi, 2.0)
    Overlay().vline(1.0, REFERENCE_LINE).apply(fig)
    fig.update_xaxes(type="log", range=[np.log10(lo * 0.9), np.log10(hi * 1.1)], title_text=(
        _("← favours {experimental}      HR (95% CI), log scale      favours {reference} →").format(
            experimental=experimental, reference=reference)),
        tickvals=[0.1, 0.2, 0.5, 1, 2, 5, 10], ticktext=["0.1", "0.2", "0.5", "1", "2", "5", "10"], showgrid=True)
    fig.update_yaxes(categoryorder="array", categoryarray=list(d["Label"]), tickfont={"color": TEXT_SOFT})
    return finish_figure(fig, ctx, title, height=max(340, 200 + 30 * len(d)))  # one row still has a plot to read
