"""Enrollment figures: cumulative accrual against plan with the projection band, per-site bars, the
CONSORT-style flow (Sankey) and enrollments per period."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, finish_figure, wrap
from components.figures.safe_text import plotly_text
from components.figures.style import (
    BLACK,
    BLUE,
    BLUE_TINT,
    GREEN,
    GREEN_TINT,
    GREY_53,
    GREY_62,
    GREY_85,
    GREY_95,
    GRID,
    INK,
    NAVY,
    NAVY_TINT,
    OKABE_ITO,
    ORANGE,
    ORANGE_TINT,
    PANEL,
    PANEL_LIGHT,
    REFERENCE_LINE,
    SKY,
    TEXT_SOFT,
    VERMILION,
    WHITE,
    categorical_colors,
    rgba,
)
from components.i18n import N_, _
from components.stats.enrollment import Flow

#: Month ticks (d3 time format), per language: "Mar 2026" in English, "2026-03" in Chinese.
MONTH_FORMAT = N_("%b %Y")


def accrual_figure(
    actual: pd.DataFrame, planned: pd.DataFrame, band: pd.DataFrame, target: int | None, target_evaluable: int | None,
    cutoff: pd.Timestamp, ctx: FigureContext | None, by_site: dict[str, pd.DataFrame] | None = None,
    site_names: dict[str, str] | None = None, label: str = "Enrolled (consent)",
) -> go.Figure:
    """Cumulative enrollment (``label``: the line's legend entry, as shown) against the planned line,
    the projection and the targets."""
    fig = go.Figure()
    if not planned.empty:
        fig.add_trace(go.Scatter(x=planned["DATE"], y=planned["N"], mode="lines", name=_("Planned accrual"),
                                 line={"color": GREY_53, "width": 2, "dash": "dash"}))
    if not band.empty:
        start = pd.DataFrame({"N": [actual["N"].iloc[-1] if len(actual) else 0], "EXPECTED": [cutoff],
                              "LOW": [cutoff], "HIGH": [cutoff]})
        b = pd.concat([start, band], ignore_index=True)
        fig.add_trace(go.Scatter(x=b["HIGH"], y=b["N"], mode="lines", line={"width": 0}, showlegend=False,
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=b["LOW"], y=b["N"], mode="lines", line={"width": 0}, fill="tonextx",
                                 fillcolor=rgba(BLUE, 0.15), name=_("Projection, 90% prediction band"),
                                 hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=b["EXPECTED"], y=b["N"], mode="lines", name=_("Projection (current rate)"),
                                 line={"color": OKABE_ITO[4], "width": 2, "dash": "dot"},
                                 hovertemplate=_("%{y} patients expected by %{x|%Y-%m-%d}") + "<extra></extra>"))
    if by_site:
        colors = categorical_colors(sorted(by_site))
        for sid in sorted(by_site):
            d = by_site[sid]
            fig.add_trace(go.Scatter(x=d["DATE"], y=d["N"], mode="lines", line={"shape": "hv", "color": colors[sid], "width": 1.8},
                                     name=(site_names or {}).get(sid, _("Site {id}").format(id=sid)),
                                     hovertemplate="%{x|%Y-%m-%d}: %{y}<extra>" + sid + "</extra>"))
    if len(actual):
        x = pd.concat([actual["DATE"], pd.Series([cutoff])], ignore_index=True)
        y = pd.concat([actual["N"], pd.Series([actual["N"].iloc[-1]])], ignore_index=True)
        fig.add_trace(go.Scatter(x=x, y=y, mode="lines", name=label, line={"color": NAVY, "width": 3, "shape": "hv"},
                                 hovertemplate=_("%{x|%Y-%m-%d}: %{y} patients") + "<extra></extra>"))
    overlay = Overlay()
    if target is not None:
        overlay.hline(target, {"color": VERMILION, "width": 1.5, "dash": "dash"},
                      _("target {n} enrolled").format(n=target), "top left")
    if target_evaluable is not None:
        overlay.hline(target_evaluable, {"color": VERMILION, "width": 1, "dash": "dot"},
                      _("{n} evaluable").format(n=target_evaluable),
                      "bottom left")
    overlay.vline(cutoff, REFERENCE_LINE).apply(fig)
    fig.add_annotation(x=cutoff, y=0.02, yref="paper", text=" " + _("cut-off {date}").format(date=f"{cutoff:%Y-%m-%d}"),
                       showarrow=False,
                       xanchor="left", yanchor="bottom", font={"size": 11, "color": TEXT_SOFT})
    top = target if target is not None else (int(actual["N"].max()) if len(actual) else 1)
    fig.update_yaxes(title_text=_("Patients"), rangemode="tozero", range=[0, top * 1.12], showgrid=True, gridcolor=GRID)
    # as many month ticks as fit, level: a fixed step rotated the labels at 1024 px into the footnote
    fig.update_xaxes(title_text=_("Calendar date"), showgrid=True, gridcolor=PANEL, nticks=5, tickangle=0,
                     tickformat=_(MONTH_FORMAT))
    title = _("Cumulative enrollment against plan") if target is not None else _("Cumulative enrollment")
    return finish_figure(fig, ctx, title, height=500)


def site_figure(sites: pd.DataFrame, ctx: FigureContext | None) -> go.Figure:
    """Enrolled and screen-failed patients per site, sorted; idle sites marked."""
    s = sites.sort_values(["Enrolled", "SITEID"], ascending=[True, False])
    labels = [f"{r.SITEID} · {r.Site}" + ("  ⚠ " + _("idle") if r.Idle else "") for r in s.itertuples()]
    fig = go.Figure()
    fig.add_trace(go.Bar(y=labels, x=s["Enrolled"], orientation="h", name=_("Enrolled"), marker_color=BLUE,
                         text=s["Enrolled"], textposition="auto", textangle=0,  # never turned on its side
                         customdata=s[["Patients / month", "Weeks without a patient"]].to_numpy(),
                         hovertemplate="%{y}<br>" + _("%{x} enrolled; %{customdata[0]} per month; "
                                                      "%{customdata[1]} weeks since the last") + "<extra></extra>"))
    if s["Screen failures"].notna().any():
        fig.add_trace(go.Bar(y=labels, x=s["Screen failures"], orientation="h", name=_("Screen failures"),
                             marker_color=GREY_85,
                             hovertemplate="%{y}: " + _("%{x} screen failures") + "<extra></extra>"))
    fig.update_layout(barmode="stack")
    fig.update_xaxes(title_text=_("Patients"), showgrid=True, gridcolor=GRID, dtick=2)
    fig.update_yaxes(automargin=True)
    return finish_figure(fig, ctx, _("Patients per site"), height=160 + 34 * len(s))


def _reasons(flow: Flow, prefix: str, limit: int = 6, width: int = 38) -> list[str]:
    """The reasons (data values) with their counts, most frequent first, each wrapped at ``width``
    columns: a long reason ran out of its box on a 1024-px screen (plotly does not wrap annotations)."""
    items = [(k[len(prefix):], v) for k, v in flow.counts.items() if k.startswith(prefix)]
    items.sort(key=lambda kv: -kv[1])
    lines = []
    for k, v in items[:limit]:
        lines += wrap(f"{plotly_text(k)}: {v}", width).split("<br>")
    if len(items) > limit:
        lines.append(_("other reasons: {n}").format(n=sum(v for _k, v in items[limit:])))
    return lines


#: Height of one 12-px text line in the flow chart's units (60 px each): a box holds its lines. The
#: presentation theme's type is larger and a Chinese line taller: :func:`_line_units`.
LINE = 0.3
PX_PER_UNIT = 60


def _line_units(ctx: FigureContext | None) -> float:
    """One line of the boxes' text in chart units: 12 px type grown with the theme (12 → 16 px in the
    presentation theme), 1.3 lines high in Latin text and 1.5 in Chinese (taller glyphs), at
    :data:`PX_PER_UNIT` px a unit. The Chinese deck's flow ran out of its boxes at a fixed 0.3."""
    from components.figures.plotting import BASE_SIZE, base_font_size
    from components.i18n import language

    px = 12 * base_font_size(ctx) / BASE_SIZE
    return max(LINE, px * (1.5 if language() == "zh" else 1.3) / PX_PER_UNIT)


def flow_figure(flow: Flow, ctx: FigureContext | None) -> go.Figure:
    """A CONSORT-style flow chart: the main flow down the middle, exclusions (with reasons) to the
    right, the split into on treatment / discontinued (with reasons) and alive / died at the bottom."""
    c = flow.counts
    fig = go.Figure()
    line = _line_units(ctx)

    def tall(n: int, least: float) -> float:  # a box of n lines, at least as tall as drawn before
        return max(least, line * n + 0.3)

    marks = Overlay()  # boxes, arrows and connectors, added in one layout update
    boxes: dict[str, tuple[float, float, float, float]] = {}

    def box(key: str, x: float, y: float, w: float, h: float, lines: list[str], fill: str = WHITE,
            border: str = TEXT_SOFT) -> None:
        boxes[key] = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        marks.shapes.append({"type": "rect", "x0": x - w / 2, "x1": x + w / 2, "y0": y - h / 2, "y1": y + h / 2,
                             "line": {"color": border, "width": 1.6}, "fillcolor": fill})
        marks.annotations.append({"x": x, "y": y, "text": "<br>".join(lines), "showarrow": False, "align": "center",
                                  "font": {"size": 12, "color": INK}})

    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        marks.annotations.append({"x": x1, "y": y1, "ax": x0, "ay": y0, "xref": "x", "yref": "y", "axref": "x",
                                  "ayref": "y", "text": "", "showarrow": True, "arrowhead": 2, "arrowsize": 1.2,
                                  "arrowwidth": 1.4, "arrowcolor": TEXT_SOFT})

    def connector(y: float) -> None:
        marks.shapes.append({"type": "line", "x0": main_x, "x1": side_x - 2.3, "y0": y, "y1": y,
                             "line": {"color": TEXT_SOFT, "width": 1.4}})

    main_x, side_x = 3.0, 7.4
    ymax = 9.9
    if "Screened" in c:
        box("screened", main_x, 9.3, 3.2, tall(1, 0.8), [_("<b>Screened</b> (n = {n})").format(n=c["Screened"])], GREY_95)
        excluded = c.get("Screen failures", 0) + c.get("In screening at the cut", 0)
        lines = [_("<b>Not enrolled</b> (n = {n})").format(n=excluded),
                 _("Screen failures: {n}").format(n=c.get("Screen failures", 0))]
        lines += ["  " + r for r in _reasons(flow, "SF: ")]
        if c.get("In screening at the cut"):
            lines.append(_("In screening at the cut: {n}").format(n=c["In screening at the cut"]))
        h = line * len(lines) + 0.3
        centre = max(8.35, 7.05 + h / 2)  # a long list of reasons grows the box (and the chart) upwards
        box("excluded", side_x, centre, 4.6, h, lines, PANEL_LIGHT, GREY_62)
        ymax = max(ymax, centre + h / 2 + 0.15)
        arrow(main_x, 8.9, main_x, 7.75)
        connector(8.35)
    box("enrolled", main_x, 7.35, 3.2, 0.8, [_("<b>Enrolled</b> (n = {n})").format(n=c["Enrolled"])], NAVY_TINT, NAVY)
    arrow(main_x, 6.95, main_x, 5.85)
    if c.get("Not treated"):
        box("untreated", side_x, 6.4, 4.6, tall(1, 0.6), [_("<b>Not treated</b> (n = {n})").format(n=c["Not treated"])],
            PANEL_LIGHT, GREY_62)
        connector(6.4)
    box("treated", main_x, 5.35, 3.6, tall(2, 0.9), [_("<b>Treated</b> (n = {n})").format(n=c["Treated"]),
                                            _("response-evaluable: {n}").format(n=c["Response-evaluable"])],
        BLUE_TINT, BLUE)
    box("on", 1.6, 3.45, 2.8, tall(2, 0.8), ["<b>" + _("On treatment at the cut") + "</b>", f"(n = {c['On treatment']})"],
        GREEN_TINT, GREEN)
    below = boxes["treated"][1]  # arrows from the boxes' edges, whatever their text made them
    arrow(main_x - 0.6, below, 1.6, boxes["on"][3])
    arrow(main_x + 0.6, below, 5.4, 3.85)
    if c.get("Completed"):  # ended treatment as planned: a box of its own, apart from the discontinued
        arrow(main_x + 0.9, 5.0, 8.9, 4.3)
        box("completed", 8.9, 3.75, 1.9, tall(3, 1.1), ["<b>" + _("Completed") + "</b>", _("treatment"),
                                                f"(n = {c['Completed']})"], WHITE, GREEN)
    off = [_("<b>Discontinued</b> (n = {n})").format(n=c["Discontinued"])] + _reasons(flow, "Off: ")
    h_off = line * len(off) + 0.3
    box("off", 5.6, 3.85 - h_off / 2, 3.8, h_off, off, ORANGE_TINT, ORANGE)
    y_last = 3.85 - h_off - 0.55
    arrow(5.0, 3.85 - h_off, 4.3, y_last + 0.35)
    arrow(6.2, 3.85 - h_off, 6.9, y_last + 0.35)
    box("alive", 4.3, y_last, 2.4, tall(1, 0.7), [_("<b>Alive in follow-up</b> (n = {n})").format(n=c["Alive in follow-up"])],
        WHITE, SKY)
    box("died", 7.2, y_last, 1.9, tall(1, 0.7), [_("<b>Died</b> (n = {n})").format(n=c["Died"])], WHITE, BLACK)
    ymin = y_last - 0.6
    marks.apply(fig)
    fig.update_xaxes(visible=False, range=[0, 10])
    fig.update_yaxes(visible=False, range=[ymin, ymax], scaleanchor=None)
    # tall enough for 60 px a unit between the margins finish_figure sets (title above; axis room and the
    # footnote below): a fixed 150 px of margin gave the presentation theme's chart ~45 px a unit
    from components.figures.plotting import axis_room, footnote_height

    margins = 110 + axis_room(ctx) + footnote_height(ctx)
    return finish_figure(fig, ctx, _("Patient flow: screening to follow-up (CONSORT)"),
                         height=int(PX_PER_UNIT * (ymax - ymin)) + max(margins, 150))


#: The axis title and the title of :func:`period_figure`, by period ("month", "week").
PERIOD_TEXTS = {"month": (N_("Patients per month"), N_("Enrollments per month")),
                "week": (N_("Patients per week"), N_("Enrollments per week"))}


def period_figure(counts: pd.DataFrame, ctx: FigureContext | None, freq_label: str) -> go.Figure:
    axis, title = PERIOD_TEXTS.get(freq_label, (f"Patients per {freq_label}", f"Enrollments per {freq_label}"))
    fig = go.Figure(go.Bar(x=counts["PERIOD"], y=counts["N"], marker_color=BLUE, name=_("Enrolled"),
                           hovertemplate="%{x|%Y-%m-%d}: %{y}<extra></extra>"))
    fig.update_yaxes(title_text=_(axis), dtick=1, showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text="", tickformat=_(MONTH_FORMAT), nticks=5, tickangle=0)
    return finish_figure(fig, ctx, _(title), height=340)
