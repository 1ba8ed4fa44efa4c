"""Kaplan–Meier figure in the conventions of oncology publications (NEJM/Lancet, ggsurvfit):
step curves from S(0) = 1 with censor ticks, optional CI bands, dashed median lines, y from 0 to
100 % (fixed), x in months with ticks at a fixed step, and the number-at-risk table directly below
at exactly those ticks, sharing the x axis so it stays aligned on zoom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures.plotting import (
    FigureContext,
    Overlay,
    axis_room,
    base_font_size,
    finish_figure,
    footnote_height,
    set_layout,
)
from components.figures.safe_text import template_text
from components.figures.style import BLUE, GREY_53, GREY_80, GREY_94, P95_LABELS, TEXT_SOFT, WHITE, rgba
from components.i18n import N_, _
from components.stats.survival import KMResult


@dataclass(frozen=True)
class Curve:
    label: str
    km: KMResult
    color: str


def fmt_time(x: float) -> str:
    return "NR" if np.isnan(x) else f"{x:.1f}"


def median_text(km: KMResult, days_per_month: float) -> str:
    """'8.3 (5.1–NR)' in months; NR where the curve or a bound does not reach 0.5."""
    m, (lo, hi) = km.median, km.median_ci
    return f"{fmt_time(m / days_per_month)} ({fmt_time(lo / days_per_month)}–{fmt_time(hi / days_per_month)})"


def risk_ticks(curves: list[Curve], days_per_month: float, tick_months: float, max_months: float | None = None) -> np.ndarray:
    """The x ticks (months) of the plot, also the times of the number-at-risk table."""
    last = max((float(c.km.times.max()) for c in curves if c.km.n), default=0.0) / days_per_month
    end = max_months if max_months else last
    return np.arange(0.0, end + 1e-9, tick_months)


def at_risk_table(curves: list[Curve], ticks_months: np.ndarray, days_per_month: float) -> list[dict]:
    """Rows per group and tick: at risk (time ≥ t), events and censored before t (KMunicate:
    they add up to N)."""
    rows = []
    for c in curves:
        for m in ticks_months:
            at_risk, events, censored = c.km.counts_at(m * days_per_month)
            rows.append({"group": c.label, "month": float(m), "at_risk": at_risk, "events": events,
                         "censored": censored, "N": c.km.n})
    return rows


RISK_ROWS = {"kmunicate": (N_("At risk"), N_("Events"), N_("Censored")), "at_risk": (N_("At risk"),)}  # _() where shown


def km_figure(
    curves: list[Curve],
    ctx: FigureContext | None,
    title: str,
    days_per_month: float = 30.4375,
    tick_months: float = 3.0,
    y_percent: bool = True,
    show_ci: bool = True,
    show_censor: bool = True,
    show_median: bool = True,
    risk_table: str = "kmunicate",
    max_months: float | None = None,
    stats_lines: list[str] | None = None,
    x_title: str = N_("Months since first dose"),
    y_title: str = N_("Probability"),
) -> go.Figure:
    """The KM plot with its table under it, aligned with the x ticks (also after zoom: one shared x
    axis). ``risk_table``: "kmunicate" (at risk, events and censored per group, Morris et al. BMJ Open
    2019) or "at_risk" (number at risk only). ``stats_lines`` (n, events, median (95% CI) per group;
    log-rank p and HR when groups are compared) go into the footnote, where they never cover a curve
    (a box in the plot did on a narrow screen); without a context, into the plot's upper right."""
    kinds = RISK_ROWS.get(risk_table, RISK_ROWS["kmunicate"])
    n_groups = max(len(curves), 1)
    n_rows = n_groups * len(kinds)
    if stats_lines and ctx is not None:
        plain = [re.sub(r"</?b>", "", line) for line in stats_lines]  # the note is escaped text, not markup
        ctx = ctx.with_(note=" · ".join([*plain, ctx.note] if ctx.note else plain))
    # the footnote (finish_figure's bottom margin: 72 px + 16 per line) is added to the height, so the
    # plot and table keep their size and the gap below the x axis stays what it was computed to be
    foot = footnote_height(ctx)
    height = 600 + 22 * n_rows + foot
    plot_px = height - 100 - axis_room(ctx) - foot  # the drawing area: height less the top and bottom margins
    table_px = 30 + 21 * n_rows
    gap_px = 78 + axis_room(ctx) - 72  # tick labels, the x-axis title and the table's heading
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True,
                        row_heights=[plot_px - table_px - gap_px, table_px], vertical_spacing=gap_px / plot_px)
    ticks = risk_ticks(curves, days_per_month, tick_months, max_months)
    xmax = float(ticks[-1]) if len(ticks) else 1.0
    last_time = max((float(c.km.times.max()) for c in curves if c.km.n), default=0.0) / days_per_month
    xmax = max(xmax, last_time)
    traces: list[go.Scatter] = []  # added at once; row 1 on x/y, the table (row 2) on x2/y2
    month, at_risk, so_far, censored_at = _("Month"), _("At risk"), _("events so far"), _("censored at month")
    for c in curves:
        tab = c.km.table
        x = np.concatenate([[0.0], tab["time"].to_numpy(float) / days_per_month])
        y = np.concatenate([[1.0], tab["surv"].to_numpy(float)])
        # Drawn: where the log-log band is undefined (S = 1, nothing has happened yet) it is drawn
        # closed at 1; the numbers (tables, CSV) keep it undefined, as R reports it.
        flat = np.concatenate([[True], tab["surv"].to_numpy(float) >= 1.0])
        lo = np.where(flat, 1.0, np.concatenate([[1.0], tab["lower"].to_numpy(float)]))
        hi = np.where(flat, 1.0, np.concatenate([[1.0], tab["upper"].to_numpy(float)]))
        if show_ci and len(tab):
            traces.append(go.Scatter(x=x, y=hi, mode="lines", line={"width": 0, "shape": "hv"}, hoverinfo="skip",
                                     showlegend=False, legendgroup=c.label))
            traces.append(go.Scatter(x=x, y=lo, mode="lines", line={"width": 0, "shape": "hv"}, fill="tonexty",
                                     fillcolor=rgba(c.color, 0.15), hoverinfo="skip", showlegend=False,
                                     legendgroup=c.label))
        custom = np.stack([
            np.concatenate([[c.km.n], tab["n_risk"].to_numpy()]),
            np.concatenate([[0], np.cumsum(tab["n_event"].to_numpy())]),
            lo,
            hi,
        ], axis=-1)
        traces.append(go.Scatter(
            x=x, y=y, mode="lines", name=c.label, legendgroup=c.label,
            line={"color": c.color, "width": 2.4, "shape": "hv"}, customdata=custom,
            hovertemplate=(f"<b>{template_text(c.label)}</b><br>{month} %{{x:.1f}}<br>S(t) %{{y:.1%}} "
                           f"(95% CI %{{customdata[2]:.1%}}–%{{customdata[3]:.1%}})<br>{at_risk} %{{customdata[0]}}, "
                           f"{so_far} %{{customdata[1]}}<extra></extra>"),
        ))
        if show_censor:
            cens = tab[tab["n_censor"] > 0]
            if len(cens):
                traces.append(go.Scatter(
                    x=cens["time"] / days_per_month, y=cens["surv"], mode="markers", name=_("Censored"),
                    legendgroup=c.label, showlegend=False,
                    marker={"symbol": "line-ns-open", "size": 11, "color": c.color, "line": {"width": 2, "color": c.color}},
                    hovertemplate=f"{template_text(c.label)}: {censored_at} %{{x:.1f}}<extra></extra>",
                ))
        if show_median and not np.isnan(c.km.median):
            med = c.km.median / days_per_month
            traces.append(go.Scatter(x=[0, med, med], y=[0.5, 0.5, 0], mode="lines", showlegend=False,
                                     line={"color": c.color, "width": 1.2, "dash": "dash"}, hoverinfo="skip"),
                          )
    # the table: per group, one row per kind (at risk; events; censored), at exactly the x ticks
    row_labels = []
    for i, c in enumerate(curves):
        counts = [c.km.counts_at(m * days_per_month) for m in ticks]
        for j, kind in enumerate(kinds):
            ypos = n_rows - 1 - (i * len(kinds) + j)
            traces.append(go.Scatter(x=ticks, y=[ypos] * len(ticks), mode="text", text=[str(x[j]) for x in counts],
                                     showlegend=False, hoverinfo="skip", xaxis="x2", yaxis="y2",
                                     textfont={"color": c.color if j == 0 else TEXT_SOFT,
                                               "size": base_font_size(ctx) - 1}))
            short = c.label.rsplit(" (N=", 1)[0]
            short = short if len(short) <= 16 else short[:15] + "…"
            shown = _(kind)
            name = shown if n_groups == 1 else (f"{short}: {shown.lower()}" if j == 0 else shown.lower())
            row_labels.append((ypos, name))
    fig.add_traces(traces)
    grid = {"showgrid": True, "gridcolor": GREY_94}
    set_layout(
        fig,
        xaxis={"title": {"text": _(x_title)}, "tickmode": "linear", "tick0": 0, "dtick": tick_months,
               "range": [-0.02 * xmax, xmax * 1.02], "showticklabels": True, **grid},
        yaxis={"title": {"text": _(y_title)}, "range": [0, 1.02], "dtick": 0.2, "fixedrange": True,
               "tickformat": ".0%" if y_percent else ".1f", **grid},
        xaxis2={"showticklabels": False, "showline": False, "ticks": "", "showgrid": False, "tickmode": "linear",
                "tick0": 0, "dtick": tick_months},
        yaxis2={"range": [-0.6, n_rows - 0.4], "showgrid": False, "zeroline": False, "showline": False, "ticks": "",
                "tickvals": [y for y, _ in row_labels], "ticktext": [t for _, t in row_labels],
                "tickfont": {"size": 11}},
    )
    label = (_("Number at risk") if len(kinds) == 1
             else _("At risk, events and censored (events and censored: cumulative)"))
    notes = Overlay()
    notes.annotations.append({"text": f"<b>{label}</b>", "xref": "paper", "yref": "y2 domain", "x": 0, "y": 1.0,
                              "yshift": 2, "xanchor": "left", "yanchor": "bottom", "showarrow": False,
                              "font": {"size": 12}})
    if stats_lines and ctx is None:  # no footnote to hold them: the upper right, where a curve has fallen
        notes.annotations.append({"text": "<br>".join(stats_lines), "xref": "x domain", "yref": "y domain",
                                  "x": 0.99, "y": 0.98, "xanchor": "right", "yanchor": "top", "showarrow": False,
                                  "align": "right", "bgcolor": rgba(WHITE, 0.85), "bordercolor": GREY_80,
                                  "borderwidth": 1, "font": {"size": 12}})
    notes.apply(fig)
    return finish_figure(fig, ctx, title, height=height)


#: Group levels that are codes with a label in the catalogs rather than free data values.
CODED_LEVELS = frozenset({*P95_LABELS, "(missing)"})


def km_curves(data, group_col: str | None, conf_type: str, palette: dict[str, str] | None = None,
              single_color: str = BLUE, levels: list[str] | None = None) -> list[Curve]:
    """One Kaplan–Meier curve for all (``group_col`` None) or one per group level, labelled with n."""
    from components.figures.style import categorical_colors
    from components.stats.survival import kaplan_meier

    if group_col is None:
        return [Curve(_("All (N={n})").format(n=len(data)), kaplan_meier(data["AVAL"], data["EVENT"], conf_type), single_color)]
    labels = data[group_col].astype("string").fillna("(missing)")
    levels = [lv for lv in (levels or []) if lv in set(labels)] or sorted(labels.unique())
    colors = palette or categorical_colors(levels)
    # coded levels the app knows (p95HER2 status, "(missing)") in the language on screen; other levels
    # are the data's own values, shown as they are
    return [Curve(f"{_(lev) if lev in CODED_LEVELS else lev} (N={int((labels == lev).sum())})",
                  kaplan_meier(data.loc[labels == lev, "AVAL"], data.loc[labels == lev, "EVENT"], conf_type),
                  colors.get(lev, GREY_53)) for lev in levels]


def stats_lines(curves: list[Curve], days_per_month: float) -> list[str]:
    """The figure's per-curve annotation: events and median (95% CI) in months."""
    line = _("<b>{group}</b>: {events} events; median {median} mo")
    return [line.format(group=c.label, events=c.km.events, median=median_text(c.km, days_per_month)) for c in curves]
