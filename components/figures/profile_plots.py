"""One patient on one screen: study drugs, tumour burden and per-visit response, adverse events by
grade and ctDNA on a shared axis of days since the first dose (plotly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from components.figures.plotting import BASE_SIZE, FigureContext, Overlay, base_font_size, finish_figure
from components.figures.safe_text import template_text
from components.figures.style import (
    BLACK,
    BOR_COLORS,
    DRUG_COLORS,
    GRADE_COLORS,
    GRADE_LABELS,
    GREY_40,
    GREY_53,
    GRID,
    GUIDE_LINE,
    INK,
    PURPLE,
    REFERENCE_LINE,
    TEXT,
    TEXT_MUTED,
    TEXT_SOFT,
    VERMILION,
    WHITE,
)
from components.i18n import _
from components.stats.exposure import administered
from components.stats.profile import PatientData
from components.stats.swimmer import dose_changes

#: Height of a lane title (12 px text) above its lane: the reference-line labels go above it.
LANE_TITLE_PX = 20


def _day(dates: pd.Series, start: pd.Timestamp) -> pd.Series:
    return (pd.to_datetime(dates) - start).dt.days


def profile_figure(
    p: PatientData,
    drug_order: list[str],
    ctx: FigureContext | None,
    lod: float = 0.1,
    title: str | None = None,
    bor: str | None = None,
) -> go.Figure:
    """Rows: continuous drug doses (step lines), discrete administrations (markers), sum of target
    diameters with the visit responses, adverse events (bars coloured by CTCAE grade), ctDNA."""
    start = p.adsl.get("TRTSDT")
    if start is None or pd.isna(start):
        start = p.adsl.get("RFICDT")
    has_ct = len(p.ctdna) > 0
    ae_terms = list(dict.fromkeys(p.adae.sort_values("ASTDT")["AEDECOD"])) if len(p.adae) else []
    daily = []
    if len(p.adex):
        spans = p.adex.assign(_span=p.adex["AENDT"].fillna(p.adex["ASTDT"]) > p.adex["ASTDT"])
        for drug, g in spans.groupby("EXTRT", sort=False):
            if g["_span"].any():
                unit = g["EXDOSU"].dropna().iloc[0] if "EXDOSU" in g and g["EXDOSU"].notna().any() else ""
                daily.append(_("{drug} ({unit}/day)").format(drug=drug, unit=unit) if unit else str(drug))
    rows_spec = [(", ".join(daily) or _("Daily dose"), 0.16), (_("Administrations"), 0.12),
                 (_("Sum of target lesions (mm)"), 0.24), (_("Adverse events"), max(0.12, 0.035 * len(ae_terms)))]
    if has_ct:
        rows_spec.append((_("ctDNA VAF (%)"), 0.18))
    heights = [h for _t, h in rows_spec]
    fig = make_subplots(rows=len(rows_spec), cols=1, shared_xaxes=True, vertical_spacing=0.045,
                        row_heights=heights, subplot_titles=[t for t, _h in rows_spec])
    colors = {d.lower(): DRUG_COLORS[i % len(DRUG_COLORS)] for i, d in enumerate(drug_order)}
    marks = Overlay()
    axes = ["" if i == 1 else str(i) for i in range(1, len(rows_spec) + 1)]  # each row's axis suffix

    # drugs: spanning periods as step lines, single-day administrations as markers
    ex = p.adex
    if len(ex):
        ex = ex.assign(D0=_day(ex["ASTDT"], start), D1=_day(ex["AENDT"].fillna(ex["ASTDT"]), start))
        lanes = []
        for drug, g in ex.groupby("EXTRT", sort=False):
            color = colors.get(str(drug).lower(), TEXT_MUTED)
            unit = g["EXDOSU"].dropna().iloc[0] if "EXDOSU" in g and g["EXDOSU"].notna().any() else ""
            if (g["D1"] > g["D0"]).any():
                xs, ys = [], []
                for r in g.sort_values("D0").itertuples(index=False):
                    xs += [r.D0, r.D1 + 1, None]
                    ys += [r.EXDOSE, r.EXDOSE, None]
                fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines",
                                         name=_("{drug} ({unit}/day)").format(drug=drug, unit=unit),
                                         line={"color": color, "width": 3}, connectgaps=False,
                                         hovertemplate=f"{template_text(drug)}: %{{y}} "
                                         + _("{unit}/day").format(unit=template_text(unit))
                                         + "<extra></extra>"), row=1, col=1)
                held = g[~administered(g)]
                for r in held.itertuples(index=False):
                    marks.vrect(r.D0, r.D1 + 1, VERMILION, opacity=0.12)
            else:
                lanes.append(str(drug))
                gave = administered(g)  # a placebo's 0 dose is given, not skipped
                given, skipped = g[gave], g[~gave]
                fig.add_trace(go.Scatter(
                    x=given["D0"], y=[str(drug)] * len(given), mode="markers", name=str(drug),
                    marker={"symbol": "diamond", "size": 9, "color": color},
                    customdata=np.stack([given["EXDOSE"], given["ASTDT"].dt.strftime("%Y-%m-%d")], axis=-1),
                    hovertemplate=_("{drug} {dose} {unit} on {date}").format(
                        drug=template_text(drug), dose="%{customdata[0]}", unit=template_text(unit),
                        date="%{customdata[1]}") + "<extra></extra>"),
                    row=2, col=1)
                # a reduced dose: the administration marked ▼ with the change (1.4 → 1.1), as on the swimmer
                reduced = dose_changes(g, str(drug))
                reduced = reduced[reduced["KIND"] == "dose_reduction"]
                if len(reduced):
                    at = given.drop_duplicates("ASTDT").set_index("ASTDT")["D0"]
                    fig.add_trace(go.Scatter(
                        x=reduced["DATE"].map(at), y=[str(drug)] * len(reduced), mode="markers",
                        name=_("{drug} dose reduced").format(drug=drug),
                        marker={"symbol": "triangle-down", "size": 13, "color": color, "line": {"width": 1.5, "color": INK}},
                        customdata=np.stack([reduced["DETAIL"], reduced["DATE"].dt.strftime("%Y-%m-%d")], axis=-1),
                        hovertemplate="%{customdata[0]} (%{customdata[1]})<extra></extra>"), row=2, col=1)
                if len(skipped):
                    fig.add_trace(go.Scatter(
                        x=skipped["D0"], y=[str(drug)] * len(skipped), mode="markers",
                        name=_("{drug} skipped").format(drug=drug),
                        marker={"symbol": "x-thin-open", "size": 13, "color": VERMILION, "line": {"width": 3}},
                        hovertemplate=_("{drug} skipped on day {day}").format(drug=template_text(drug), day="%{x}")
                        + "<extra></extra>"), row=2, col=1)
        fig.update_yaxes(row=2, col=1, categoryorder="array", categoryarray=lanes[::-1])
    fig.update_yaxes(row=1, col=1, rangemode="tozero")

    # tumour burden and visit responses
    tr = p.adtr[p.adtr["PARAMCD"] == "SUMDIAM"] if len(p.adtr) else p.adtr
    if len(tr):
        tr = tr[[c for c in ("ADT", "AVAL", "ABLFL") if c in tr]]  # ADTR's own AVALC (teal's) is not the visit response
        tr = tr.sort_values("ADT").assign(D=lambda d: _day(d["ADT"], start))
        ovr = p.adrs[p.adrs["PARAMCD"] == "OVR"][["ADT", "AVALC"]] if len(p.adrs) else pd.DataFrame(columns=["ADT", "AVALC"])
        tr = tr.merge(ovr, on="ADT", how="left")
        text = tr["AVALC"].fillna("BL" if "ABLFL" not in tr else tr["ABLFL"].map({"Y": "BL"})).fillna("")
        fig.add_trace(go.Scatter(
            x=tr["D"], y=tr["AVAL"], mode="lines+markers+text", name=_("Sum of diameters"), text=text,
            textposition="top center", line={"color": TEXT_SOFT, "width": 2},
            marker={"size": 10, "color": [BOR_COLORS.get(v, WHITE) for v in tr["AVALC"].fillna("")],
                    "line": {"color": TEXT_SOFT, "width": 1.5}},
            hovertemplate=_("Day {day}").format(day="%{x}") + ": %{y} mm %{text}<extra></extra>", showlegend=False),
            row=3, col=1)
        base = tr["AVAL"].iloc[0]
        marks.hline(0.7 * base, REFERENCE_LINE, "−30%", "bottom right", axis=axes[2])
        fig.update_yaxes(row=3, col=1, range=[0, float(tr["AVAL"].max()) * 1.25 + 5])
    ne_only = p.adrs[(p.adrs["PARAMCD"] == "OVR") & ~p.adrs["ADT"].isin(tr["ADT"] if len(tr) else [])] if len(p.adrs) else p.adrs
    if len(ne_only):
        fig.add_trace(go.Scatter(x=_day(ne_only["ADT"], start), y=[0] * len(ne_only), mode="markers+text",
                                 text=ne_only["AVALC"], textposition="top center", showlegend=False,
                                 marker={"symbol": "circle-open", "size": 9, "color": GREY_53},
                                 hovertemplate=_("Day {day}").format(day="%{x}") + ": %{text} ("
                                 + _("no measurement") + ")<extra></extra>"), row=3, col=1)
    if not len(tr):
        fig.update_yaxes(row=3, col=1, rangemode="tozero")

    # adverse events
    if len(p.adae):
        ae = p.adae.assign(D0=_day(p.adae["ASTDT"], start),
                           D1=_day(p.adae["AENDT"].fillna(p.cutoff), start))
        ae["GRADE"] = ae["AETOXGR"].astype(int)
        hover = _("{term} grade {grade}<br>day {start} to {end}")
        serious = np.where(ae.get("AESER", pd.Series("N", index=ae.index)) == "Y", " · " + _("serious"), "")
        ae["HOVER"] = [hover.format(term=t, grade=g, start=d0, end=_("ongoing") if pd.isna(e) else d1) + sr
                       for t, g, d0, d1, e, sr in zip(ae["AEDECOD"], ae["GRADE"], ae["D0"], ae["D1"], ae["AENDT"], serious,
                                                      strict=True)]
        for g, rows in ae.groupby("GRADE", sort=True):  # one trace per grade: segments split by gaps
            n = len(rows)
            xs = np.full(3 * n, None, dtype=object)
            ys, hover = xs.copy(), xs.copy()
            xs[0::3], xs[1::3] = rows["D0"].to_numpy(), rows["D1"].to_numpy()
            ys[0::3] = ys[1::3] = rows["AEDECOD"].to_numpy()
            hover[0::3] = hover[1::3] = rows["HOVER"].to_numpy()
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": GRADE_COLORS[g], "width": 9},
                                     name=_(GRADE_LABELS[g]), legendgroup=f"g{g}", customdata=hover, connectgaps=False,
                                     hovertemplate="%{customdata}<extra></extra>"), row=4, col=1)
        fig.update_yaxes(row=4, col=1, categoryorder="array", categoryarray=ae_terms[::-1], tickfont={"size": 10})

    # ctDNA
    if has_ct:
        ct = p.ctdna.sort_values("ADT").assign(D=lambda d: _day(d["ADT"], start))
        undetected = ct["AVAL"].fillna(0) <= 0
        yv = np.where(undetected, lod / 2, ct["AVAL"])
        fig.add_trace(go.Scatter(
            x=ct["D"], y=yv, mode="lines+markers", name=_("ctDNA VAF"), line={"color": PURPLE, "width": 2},
            marker={"symbol": np.where(undetected, "circle-open", "circle"), "size": 9, "color": PURPLE},
            customdata=np.where(undetected, _("not detected"), ct["AVAL"].astype(str) + " %"),
            hovertemplate=_("Day {day}").format(day="%{x}") + ": %{customdata}<extra></extra>", showlegend=False), row=len(rows_spec), col=1)
        marks.hline(lod, GUIDE_LINE, axis=axes[-1])
        # at the left edge: the data cut-off line runs down the right one and crossed the label there
        marks.annotations.append({"x": 0, "xref": f"x{axes[-1]} domain", "y": np.log10(lod), "yref": f"y{axes[-1]}",
                                  "text": _("limit of detection"), "showarrow": False, "xanchor": "left",
                                  "yanchor": "bottom", "font": {"size": 10, "color": GREY_40}})  # log axis: log10
        # a third of a decade of room below the limit of detection (and above the highest value): the
        # dotted limit line and a not-detected point never sit on the axis line
        low, high = np.log10(min(float(np.nanmin(yv)), lod)) - 0.33, np.log10(max(float(np.nanmax(yv)), lod)) + 0.33
        fig.update_yaxes(row=len(rows_spec), col=1, type="log", dtick=1, tickformat="~g", range=[low, high])

    # treatment end, progression, death, cut-off as vertical references on every row
    refs = []
    if pd.notna(p.adsl.get("TRTEDT")):
        refs.append((p.adsl["TRTEDT"], _("last dose"), TEXT_SOFT))
    pd_rows = p.adrs[(p.adrs["PARAMCD"] == "OVR") & (p.adrs["AVALC"] == "PD")] if len(p.adrs) else p.adrs
    if len(pd_rows):
        refs.append((pd_rows["ADT"].min(), "PD", VERMILION))
    if pd.notna(p.adsl.get("DTHDT")):
        refs.append((p.adsl["DTHDT"], _("death"), BLACK))
    refs.append((p.cutoff, _("data cut-off"), GREY_53))
    last = max((pd.Timestamp(d) - start).days for d, _, _ in refs) + 10
    prev_x, level = None, 0
    for date, label, color in sorted(refs, key=lambda r: pd.Timestamp(r[0])):
        x = (pd.Timestamp(date) - start).days
        for axis in axes:
            marks.vline(x, {"color": color, "width": 1.2, "dash": "dash"}, axis=axis)
        # labels of nearby lines are stacked instead of printed over each other
        level = level + 1 if prev_x is not None and x - prev_x < 0.08 * (last + 28) else 0
        prev_x = x
        # above the first lane's title (which sits on the same top edge), stacked when lines are close
        marks.annotations.append({"x": x, "y": 1.0, "xref": "x", "yref": "paper", "text": label, "showarrow": False,
                                  "yanchor": "bottom", "yshift": LANE_TITLE_PX + 13 * level,
                                  "font": {"size": 10, "color": color}})
    # the subplot titles (make_subplots' annotations) left-aligned as lane labels
    fig.layout.annotations = [{**a.to_plotly_json(), "x": 0, "xanchor": "left", "font": {"size": 12, "color": TEXT}}
                              for a in fig.layout.annotations]
    marks.apply(fig)
    fig.update_xaxes(range=[-28, last], dtick=42, showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text=_("Days since first dose"), row=len(rows_spec), col=1)
    height = 300 + int(900 * sum(heights))
    from components.stats.swimmer import short_id

    # the short id (as on the swimmer axis): a full USUBJID made the title run off a 1024-px screen
    title = title or _("Patient {patient}").format(patient=short_id(p.adsl.name)) + (f" · BOR {bor}" if bor else "")
    # room under the plot for the legend: in the page's narrow column it wraps after ~4 entries
    entries = len({t.legendgroup or t.name for t in fig.data if t.showlegend is not False})
    scale = base_font_size(ctx) / BASE_SIZE  # the presentation theme's larger legend: fewer entries a row, taller rows
    legend_room = round((40 + 24 * (max(entries - 1, 0) // (4 if scale == 1 else 3))) * scale)
    fig = finish_figure(fig, ctx, title, height=height + legend_room,
                        legend={"orientation": "h", "x": 0.0, "y": -0.075, "yanchor": "top", "xanchor": "left"})
    top = 125 + LANE_TITLE_PX
    for note in fig.layout.annotations:  # the SYNTHETIC tag stays under the title (finish_figure placed it
        # a fixed distance above the plot, which the lane titles push down)
        if note.yref == "paper" and note.y == 1.0 and note.yshift == fig.layout.margin.t - 34:
            note.yshift = top - 34
    fig.update_layout(margin={"t": top, "b": fig.layout.margin.b + legend_room})
    if ctx is not None:  # the footnote (finish_figure's last annotation) below the legend
        fig.layout.annotations[-1].update(yshift=fig.layout.annotations[-1].yshift - legend_room)
    return fig
