"""Swimmer plot: time on treatment per patient with response, progression, death, dose changes and
grade ≥3 adverse events, an arrow for every patient still on treatment at the cut (plotly)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, finish_figure
from components.figures.style import (
    BLACK,
    BOR_COLORS,
    BOR_LABELS,
    BOR_ORDER,
    EVENT_MARKERS,
    GREY_62,
    GRID,
    INK,
    MISSING_COLOR,
    P95_COLORS,
    P95_ORDER,
    SWIMMER_DRUG_COLORS,
    TEXT_SOFT,
    WHITE,
    arm_colors,
    categorical_colors,
)
from components.i18n import N_, _
from components.stats.swimmer import EVENT_ORDER, UNITS


def swimmer_figure(
    bars: pd.DataFrame,
    events: pd.DataFrame,
    ctx: FigureContext | None,
    color_by: str = "BOR",
    unit: str = "weeks",
    layers: tuple[str, ...] = EVENT_ORDER,
    drug: str | Sequence[str] = "",
    site_names: dict[str, str] | None = None,
    highlight: set[str] | None = None,
    highlight_label: str = N_("new since the comparison cut"),
    tick_every: float | None = None,
    title: str = N_("Time on treatment and events"),
    arm_order: list[str] | None = None,
) -> go.Figure:
    """Bars in the given (top-to-bottom) order; one legend entry for every marker shown (a dose change
    per drug: ``drug`` gives the drugs' order, hence their colours)."""
    drugs = [d for d in ([drug] if isinstance(drug, str) else drug) if d]
    div = UNITS[unit]
    fig = go.Figure()
    order = list(bars["LABEL"])
    n = len(bars)
    names = site_names or {}
    if color_by == "BOR":
        cats = [c for c in BOR_ORDER if c in set(bars["BOR"])]
        colors, labels = BOR_COLORS, {c: _(BOR_LABELS[c]) for c in cats}
    elif color_by == "P95STAT":
        cats = [c for c in P95_ORDER if c in set(bars["P95STAT"])]
        colors, labels = P95_COLORS, {c: _("p95HER2 {status}").format(status=_(c).lower()) for c in cats}
    elif color_by == "TRT01P":
        cats, colors = arm_colors(list(bars["TRT01P"].dropna().astype(str)), arm_order)
        labels = {c: c for c in cats}
    else:
        cats = sorted(set(bars["SITEID"]))
        colors, labels = categorical_colors(cats), {c: names.get(c, _("Site {site}").format(site=c)) for c in cats}
    for cat in cats:
        sub = bars[bars[color_by] == cat]
        width = [2.5 if highlight and u in highlight else 0 for u in sub["USUBJID"]]
        custom = np.stack([
            sub["USUBJID"], sub["SITEID"].map(lambda s: names.get(s, s)), sub["TRTSDT"].dt.strftime("%Y-%m-%d"),
            np.where(sub["ONGOING"], _("ongoing at the cut"), sub["END"].dt.strftime("%Y-%m-%d")), sub["BOR"],
            sub["DCSREAS"].fillna("") if "DCSREAS" in sub else [""] * len(sub), sub["DAYS"],
        ], axis=-1)
        fig.add_trace(go.Bar(
            x=sub["DAYS"] / div, y=sub["LABEL"], orientation="h", name=labels[cat], legendgroup="bars",
            marker={"color": colors.get(cat, MISSING_COLOR), "line": {"color": BLACK, "width": width}},
            customdata=custom, width=0.65,
            hovertemplate=("<b>%{customdata[0]}</b><br>" + _("Site") + ": %{customdata[1]}<br>"
                           + _("First dose {first}, last {last} ({days} days)").format(
                               first="%{customdata[2]}", last="%{customdata[3]}", days="%{customdata[6]}")
                           + "<br>" + _("Best response") + ": %{customdata[4]}<br>" + _("Discontinuation")
                           + ": %{customdata[5]}<extra></extra>"),
        ))
    if highlight and any(u in highlight for u in bars["USUBJID"]):
        fig.add_trace(go.Bar(x=[None], y=[None], name=_("Outlined: {what}").format(what=_(highlight_label)),
                             marker={"color": WHITE, "line": {"color": BLACK, "width": 2.5}}))
    fu = bars[bars["FU_END"].notna()]
    if len(fu):
        xs, ys = [], []
        for r in fu.itertuples(index=False):
            xs += [r.DAYS / div, ((r.FU_END - r.TRTSDT).days + 1) / div, None]
            ys += [r.LABEL, r.LABEL, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=_("Follow-up after treatment"),
                                 line={"color": GREY_62, "width": 1.5, "dash": "dot"}, hoverinfo="skip"))
    on = bars[bars["ONGOING"]]
    if len(on):
        m = EVENT_MARKERS["ongoing"]
        fig.add_trace(go.Scatter(
            x=on["DAYS"] / div + 0.6 * (7 / div), y=on["LABEL"], mode="markers", name=_(m["label"]),
            marker={"symbol": m["symbol"], "size": m["size"], "color": m["color"], "line": {"width": 1.5, "color": m["color"]}},
            hovertemplate="%{y}: " + _("on treatment at the cut") + "<extra></extra>",
        ))
    for kind in EVENT_ORDER:
        if kind not in layers:
            continue
        sub = events[events["KIND"] == kind]
        if sub.empty:
            continue
        m = EVENT_MARKERS[kind]
        dosing = kind in ("dose_reduction", "dose_hold")
        # a dose change per drug: the kind's symbol in the drug's colour (the profile's), one legend entry each
        groups = ([(d, g, SWIMMER_DRUG_COLORS[drugs.index(d) % len(SWIMMER_DRUG_COLORS)] if d in drugs else m["color"])
                   for d, g in sub.groupby(sub["DRUG"].fillna(""), sort=False)]
                  if dosing and "DRUG" in sub else [("", sub, m["color"])])
        groups.sort(key=lambda x: drugs.index(x[0]) if x[0] in drugs else len(drugs))
        for name, g, color in groups:
            label = _(m["label"]) + (f" ({_(name)})" if dosing and name else "")
            open_mark = "line" in m["symbol"] or "open" in m["symbol"]
            fig.add_trace(go.Scatter(
                x=(g["DAY"] + 1) / div, y=g["LABEL"], mode="markers", name=label,
                marker={"symbol": m["symbol"], "size": m["size"], "color": color,
                        "line": {"width": 2.5 if open_mark else 1, "color": color if open_mark else INK}},
                customdata=np.stack([g["USUBJID"], g["DATE"].dt.strftime("%Y-%m-%d"), g["DETAIL"], g["DAY"]], axis=-1),
                hovertemplate=("<b>%{customdata[0]}</b><br>%{customdata[2]}<br>%{customdata[1]} ("
                               + _("day {day}").format(day="%{customdata[3]}") + ")<extra></extra>"),
            ))
    xmax = float(((bars["FU_END"].fillna(bars["END"]) - bars["TRTSDT"]).dt.days.max() + 1) / div) if n else 1.0
    dtick = tick_every or (6 if unit == "weeks" else 3)
    fig.update_xaxes(title_text=_("Weeks since first dose") if unit == "weeks" else _("Months since first dose"), range=[0, xmax * 1.05 + 1], dtick=dtick,
                     showgrid=True, gridcolor=GRID, zeroline=True, zerolinecolor=TEXT_SOFT, side="bottom")
    fig.update_yaxes(title_text="", categoryorder="array", categoryarray=order[::-1], tickfont={"size": 11},
                     automargin=True)
    fig.update_layout(barmode="overlay", bargap=0.3)
    height = 170 + 24 * max(n, 4)
    inside = {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1.0, "yanchor": "top", "font": {"size": 11},
              "tracegroupgap": 4}
    fig = finish_figure(fig, ctx, _(title), height=height, legend=inside)
    fig.update_layout(margin={"r": 230})
    return fig
