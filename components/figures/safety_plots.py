"""Safety and exposure figures: the AE butterfly by worst CTCAE grade, the diarrhoea focus (cumulative
incidence over the first cycles, onset by dose level) and exposure (dose levels over time, RDI)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, finish_figure
from components.figures.style import (
    BLUE,
    BROWN,
    DRUG_COLORS,
    EXTENDED,
    GRADE_COLORS,
    GRADE_LABELS,
    GREY_73,
    GRID,
    INK,
    ORANGE,
    PANEL,
    TEXT,
    TEXT_SOFT,
    VERMILION,
    arm_colors,
    rgba,
)
from components.i18n import _
from components.stats.survival import cumulative_incidence


def butterfly_figure(counts: pd.DataFrame, ctx: FigureContext | None, n_safety: int) -> go.Figure:
    """Most frequent TEAEs: patients whose worst grade is 1–2 to the left, 3–5 to the right (% of the
    safety population), stacked by grade in CTCAE colours; any-grade totals in a column at the left."""
    c = counts.iloc[::-1]  # most frequent on top
    hover = _("%{{y}}: worst grade {g} in %{{customdata}} patients (%{{x:.1f}}%)") + "<extra></extra>"
    fig = go.Figure()
    for g in (2, 1):  # grade 2 next to the axis; the legend still reads Grade 1 … 5
        fig.add_trace(go.Bar(y=c["AEDECOD"], x=-c[f"pct_{g}"], orientation="h", name=_(GRADE_LABELS[g]),
                             marker_color=GRADE_COLORS[g], customdata=c[f"n_{g}"], legendrank=g,
                             hovertemplate=hover.format(g=g)))
    for g in (3, 4, 5):
        fig.add_trace(go.Bar(y=c["AEDECOD"], x=c[f"pct_{g}"], orientation="h", name=_(GRADE_LABELS[g]),
                             marker_color=GRADE_COLORS[g], customdata=c[f"n_{g}"], legendrank=g,
                             hovertemplate=hover.format(g=g)))
    left = (c["pct_1"] + c["pct_2"]).max() if len(c) else 50
    right = (c["pct_3"] + c["pct_4"] + c["pct_5"]).max() if len(c) else 50
    lim = max(left, right, 10) * 1.25
    # Any grade in a column of its own at the left edge, under a heading: next to the grade 1–2 bar it
    # read as the grade 1–2 rate.
    fig.add_trace(go.Scatter(x=[-lim * 1.19] * len(c), y=c["AEDECOD"], mode="text",
                             text=[f"{a:.0f}%" for a in c["pct_any"]], textposition="middle right",
                             textfont={"size": 11, "color": TEXT}, showlegend=False, hoverinfo="skip"))
    fig.add_annotation(x=-lim * 1.19, y=1.0, xref="x", yref="paper", text="<b>" + _("Any grade") + "</b>", showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": TEXT})
    ticks = np.arange(-100, 101, 20 if lim > 40 else 10)
    ticks = ticks[np.abs(ticks) <= lim]
    fig.update_xaxes(range=[-lim * 1.2, lim], tickvals=ticks, ticktext=[f"{abs(t):.0f}%" for t in ticks],
                     title_text=_("← worst grade 1–2      % of the safety population      worst grade ≥3 →"),
                     showgrid=True, gridcolor=GRID, zeroline=True, zerolinecolor=INK)
    fig.update_yaxes(automargin=True)
    fig.update_layout(barmode="relative", bargap=0.25)
    return finish_figure(fig, ctx, _("Most frequent adverse events by worst grade"), height=180 + 26 * len(c),
                         legend_title=_("Worst grade"))


def cumulative_incidence_figure(
    curves: dict[str, pd.DataFrame], ctx: FigureContext | None, horizon_days: int, cycle_days: int,
    steps: list[tuple[int, float]], term: str, unit: str = "mg",
) -> go.Figure:
    """Cumulative incidence of the first episode over the first cycles (Aalen–Johansen, with the end of
    treatment and death as competing events: :func:`components.stats.safety.time_to_first`), one curve per
    grade threshold, with the escalation steps shaded."""
    fig = go.Figure()
    shades = [rgba(ORANGE, a) for a in (0.08, 0.16, 0.26)]
    marks = Overlay()
    for i, (start, dose) in enumerate(steps):
        end = steps[i + 1][0] - 1 if i + 1 < len(steps) else horizon_days
        marks.vrect(start - 1, min(end, horizon_days), shades[min(i, 2)], label=f"{dose:g} {unit}",
                    font={"size": 11, "color": BROWN}, top=True)  # the curves start at the bottom
    for c in range(cycle_days, horizon_days + 1, cycle_days):
        marks.vline(c, {"color": GREY_73, "width": 1, "dash": "dot"})
    marks.apply(fig)
    colors = [GRADE_COLORS[2], GRADE_COLORS[3], GRADE_COLORS[4]]
    for (label, d), color in zip(curves.items(), colors, strict=False):
        aj = cumulative_incidence(d["DAYS"], d["STATUS"])
        tab = aj[aj["time"] <= horizon_days]
        x = np.concatenate([[0.0], tab["time"].to_numpy(), [horizon_days]])
        y = np.concatenate([[0.0], tab["cif"].to_numpy(), [tab["cif"].iloc[-1] if len(tab) else 0.0]])
        name = _(label)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=name, line={"shape": "hv", "width": 2.6, "color": color},
                                 hovertemplate=_("Day %{x}: %{y:.0%}") + "<extra>" + name + "</extra>"))
    fig.update_xaxes(title_text=_("Days since first dose"), range=[0, horizon_days], dtick=7, showgrid=False)
    fig.update_yaxes(title_text=_("Cumulative incidence"), tickformat=".0%", range=[0, 1.02], dtick=0.2,
                     showgrid=True, gridcolor=GRID)
    title = _("{term}: time to first episode (first {n} cycles)").format(term=term, n=horizon_days // cycle_days)
    return finish_figure(fig, ctx, title, height=420)


def onset_dose_figure(onsets: pd.DataFrame, ctx: FigureContext | None, drug: str, term: str, unit: str = "mg") -> go.Figure:
    """Episodes by the drug's daily dose on the onset day, stacked by grade."""
    held, off = _("held"), _("not on drug")
    d = onsets.assign(LEVEL=onsets["DOSE"].map(lambda v: off if pd.isna(v) else (held if v == 0 else f"{v:g} {unit}")))
    order = sorted([lv for lv in d["LEVEL"].unique() if lv not in (held, off)], key=lambda s: float(s.split()[0]))
    order += [lv for lv in (held, off) if lv in set(d["LEVEL"])]
    fig = go.Figure()
    for g in sorted(d["AETOXGR"].unique()):
        sub = d[d["AETOXGR"] == g]["LEVEL"].value_counts().reindex(order, fill_value=0)
        fig.add_trace(go.Bar(x=order, y=sub.to_numpy(), name=_(GRADE_LABELS[int(g)]), marker_color=GRADE_COLORS[int(g)]))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=_("{drug} daily dose on the day before onset").format(drug=drug))
    fig.update_yaxes(title_text=_("Episodes"), dtick=2, showgrid=True, gridcolor=GRID)
    return finish_figure(fig, ctx, _("{term} episodes by {drug} dose before onset").format(term=term, drug=drug),
                         height=380, legend_title=_("Grade"))


def dose_level_figure(levels: pd.DataFrame, ctx: FigureContext | None, drug: str, unit: str, target: float) -> go.Figure:
    """Patients on each dose level of a daily drug, by week since first dose (stacked)."""
    fig = go.Figure()
    doses = sorted(levels["DOSE"].unique(), reverse=True)
    palette = {dose: EXTENDED[i % len(EXTENDED)] for i, dose in enumerate(doses)}
    palette.update({target: BLUE, 0.0: VERMILION})
    for dose in doses:
        sub = levels[levels["DOSE"] == dose]
        name = _("held") if dose == 0 else f"{dose:g} {unit}"
        fig.add_trace(go.Scatter(x=sub["DAY"] / 7, y=sub["PATIENTS"], mode="lines", stackgroup="one",
                                 name=name, line={"width": 0.5, "color": palette[dose]},
                                 hovertemplate=_("Week %{x:.0f}: %{y} patients") + "<extra>" + name + "</extra>"))
    fig.update_xaxes(title_text=_("Weeks since first dose"), dtick=3, showgrid=True, gridcolor=PANEL)
    fig.update_yaxes(title_text=_("Patients on the drug"), showgrid=True, gridcolor=GRID)
    title = _("{drug} dose level over time (escalation to {dose} {unit})").format(drug=drug, dose=f"{target:g}", unit=unit)
    return finish_figure(fig, ctx, title, height=380, legend_title=_("Daily dose"))


def rdi_figure(rdi: pd.DataFrame, ctx: FigureContext | None, drugs: list[str], arms: list[str] | None = None) -> go.Figure:
    """Relative dose intensity per patient and drug (points with a box), 100% = as planned; with
    ``arms`` (an ARM column in ``rdi``), one box per arm beside each other for each drug."""
    fig = go.Figure()
    if arms:
        arms, colors = arm_colors(list(arms), list(arms))
        for a in arms:
            d = rdi[rdi["ARM"] == a]
            fig.add_trace(go.Box(x=d["DRUG"], y=100 * d["RDI"], name=a, boxpoints="all", jitter=0.35, pointpos=0,
                                 marker={"color": colors[a], "size": 5}, line={"width": 1.5}, customdata=d["USUBJID"],
                                 hovertemplate="%{customdata} (%{x}): %{y:.0f}%<extra>" + a + "</extra>"))
        fig.update_layout(boxmode="group", legend_title_text=_("Arm (actual)"))
        fig.update_xaxes(categoryorder="array", categoryarray=[d for d in drugs if d in set(rdi["DRUG"])])
    for i, drug in enumerate(drugs if not arms else ()):
        d = rdi[rdi["DRUG"] == drug]
        fig.add_trace(go.Box(y=100 * d["RDI"], name=drug, boxpoints="all", jitter=0.35, pointpos=0,
                             marker={"color": DRUG_COLORS[i % len(DRUG_COLORS)], "size": 6}, line={"width": 1.5},
                             customdata=d["USUBJID"], hovertemplate="%{customdata}: %{y:.0f}%<extra>" + drug + "</extra>"))
    Overlay().hline(100, {"color": TEXT_SOFT, "width": 1, "dash": "dash"}).apply(fig)
    fig.update_yaxes(title_text=_("Relative dose intensity (%)"), range=[0, 115], dtick=20, showgrid=True, gridcolor=GRID)
    return finish_figure(fig, ctx, _("Relative dose intensity per drug"), height=400)
