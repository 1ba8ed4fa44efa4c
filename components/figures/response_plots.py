"""Waterfall and spider plots of tumour response (plotly), following clinicians' conventions:
best % change sorted from largest increase to deepest shrinkage, coloured by best overall response,
dashed reference lines at +20 % and −30 % (RECIST 1.1 progression and partial-response thresholds),
percent axis with ticks every 20 %, very tall bars capped with the true value on hover, new lesions
marked, and the patients not shown listed on the figure.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.figures.plotting import FigureContext, Overlay, finish_figure
from components.figures.safe_text import plotly_text
from components.figures.style import (
    BLACK,
    BOR_COLORS,
    BOR_LABELS,
    BOR_ORDER,
    EVENT_MARKERS,
    GRID,
    INK,
    MISSING_COLOR,
    NAVY,
    P95_COLORS,
    P95_ORDER,
    PANEL,
    REFERENCE_LINE,
    TEXT,
    TEXT_SOFT,
    WHITE,
    ZERO_LINE,
    arm_colors,
    categorical_colors,
)
from components.i18n import N_, _

PD_LINE, PR_LINE = 20.0, -30.0


def recist_lines(axis: str = "") -> Overlay:
    """The RECIST 1.1 thresholds on a %-change axis: +20% (progression), −30% (partial response), and zero.
    Labels inside the plot, where a waterfall leaves room (+20% at the right above the zero line, −30%
    at the left under it), so nothing is clipped at the edge or collides with the legend beside it."""
    marks = Overlay()
    for yv, label, where in ((PD_LINE, "+20%", "bottom right"), (PR_LINE, "−30%", "bottom left")):
        marks.hline(yv, REFERENCE_LINE, label, where, font={"size": 11, "color": TEXT_SOFT}, axis=axis)
    return marks.hline(0, ZERO_LINE, axis=axis)


#: bars in one panel above which an outline would cover the bar: highlighted patients get a marker instead
DENSE_BARS = 60

# shown as _(COLOR_BY[code])
COLOR_BY = {"BOR": N_("Best overall response"), "TRT01P": N_("Arm"), "P95STAT": N_("p95HER2 status"), "SITEID": N_("Site")}


def waterfall_data(
    best: pd.DataFrame, bor: pd.DataFrame, adsl: pd.DataFrame, new_lesions: set[str], arm: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bars, not shown): one bar per subject with a post-baseline measurement, sorted from the
    largest increase to the deepest shrinkage; the subjects without one, listed separately. ``arm``: the
    arm column of ADSL to carry (for one panel per arm)."""
    cols = list(dict.fromkeys(["USUBJID", "SITEID"] + [c for c in ("P95STAT", "TRT01P", arm) if c and c in adsl]))
    extra = ["UNCONFIRMED_RESP"] if "UNCONFIRMED_RESP" in bor else []
    df = best.merge(bor[["USUBJID", "BOR", *extra]], on="USUBJID", how="left").merge(adsl[cols], on="USUBJID", how="left")
    df["BOR"] = df["BOR"].fillna("NE")
    df["UNCONFIRMED_RESP"] = df["UNCONFIRMED_RESP"].fillna(False).astype(bool) if extra else False
    if "P95STAT" not in df:
        df["P95STAT"] = np.nan
    df["P95STAT"] = df["P95STAT"].fillna("Missing")
    df["NEW_LESION"] = df["USUBJID"].isin(new_lesions)
    shown = df[df["BEST_PCHG"].notna()].sort_values(["BEST_PCHG", "USUBJID"], ascending=[False, True])
    missing = df[df["BEST_PCHG"].isna()][["USUBJID", "SITEID", "BOR"]]
    return shown.reset_index(drop=True), missing.reset_index(drop=True)


def _category_colors(values: pd.Series, color_by: str, site_names: dict[str, str] | None,
                     arm_order: list[str] | None = None) -> tuple[list[str], dict[str, str], dict[str, str]]:
    """Categories in display order, their colours and legend labels."""
    if color_by == "BOR":
        cats = [c for c in BOR_ORDER if c in set(values)]
        return cats, BOR_COLORS, {c: _(BOR_LABELS[c]) for c in cats}
    if color_by == "P95STAT":
        cats = [c for c in P95_ORDER if c in set(values)]
        return cats, P95_COLORS, {c: _("p95HER2 {status}").format(status=_(c).lower()) for c in cats}
    if color_by == "TRT01P":  # arms in the study's order, the colours of every other figure
        cats, colors = arm_colors(list(values.dropna().astype(str)), arm_order)
        return cats, colors, {c: c for c in cats}
    cats = sorted(set(values))
    names = site_names or {}
    return cats, categorical_colors(cats), {c: names.get(c, _("Site {site}").format(site=c)) for c in cats}


def waterfall_figure(
    bars: pd.DataFrame,
    missing: pd.DataFrame,
    ctx: FigureContext | None,
    color_by: str = "BOR",
    cap: float = 100.0,
    show_letters: bool = False,
    show_ids: bool = False,
    confirmed: bool = True,
    site_names: dict[str, str] | None = None,
    highlight: set[str] | None = None,
    highlight_label: str = N_("new since the comparison cut"),
    title: str = N_("Best change from baseline in target lesions"),
    arm_order: list[str] | None = None,
    panel_by: str | None = None,
) -> go.Figure:
    """The waterfall plot. ``highlight``: subjects outlined (e.g. new since the comparison cut).
    ``panel_by``: a column of ``bars`` (the arm) drawn as one panel per value, each sorted on its own
    (the convention of a randomized study's waterfall: arms are not mixed in one panel). In a panel of
    more than :data:`DENSE_BARS` bars an outline would cover the bar (249 bars turned black), so the
    highlighted patients are marked with a triangle at the bar's end instead."""
    from plotly.subplots import make_subplots

    site, change, lesion = _("Site"), _("Best change"), _("New lesion")
    n = len(bars)
    panels: list[str | None] = [None]
    if n and panel_by and panel_by in bars and bars[panel_by].dropna().nunique() > 1:
        panels, _c = arm_colors(list(bars[panel_by].dropna().astype(str)), arm_order)
    if len(panels) > 1:
        counts = bars[panel_by].astype(str).value_counts()
        fig = make_subplots(rows=len(panels), cols=1, vertical_spacing=0.12 / len(panels) + 0.05,
                            subplot_titles=[plotly_text(f"{p} (n = {counts.get(p, 0)})") for p in panels])
    else:
        fig = go.Figure()
    cats, colors, labels = _category_colors(bars[color_by], color_by, site_names, arm_order) if n else ([], {}, {})
    shown: set[str] = set()
    top = 40.0

    def legend(key: str) -> bool:  # one legend entry per category, whatever the panels
        first = key not in shown
        shown.add(key)
        return first

    for row, panel in enumerate(panels, start=1):
        pb = bars if panel is None else bars[bars[panel_by].astype(str) == panel]
        pb = pb.reset_index(drop=True)
        pb = pb.assign(X=np.arange(len(pb)), Y=np.minimum(pb["BEST_PCHG"], cap))
        dense = len(pb) > DENSE_BARS
        where = {"row": row, "col": 1} if len(panels) > 1 else {}
        for cat in cats:
            sub = pb[pb[color_by] == cat]
            if sub.empty:
                continue
            outline = [2.5 if highlight and not dense and u in highlight else 0 for u in sub["USUBJID"]]
            hatch = ["/" if u else "" for u in sub["UNCONFIRMED_RESP"]]
            fig.add_trace(
                go.Bar(
                    x=sub["X"], y=sub["Y"], name=labels[cat], legendgroup=str(cat), showlegend=legend(str(cat)),
                    marker={"color": colors.get(cat, MISSING_COLOR),
                            "line": {"color": BLACK, "width": outline},
                            "pattern": {"shape": hatch, "fgcolor": NAVY, "size": 6, "solidity": 0.35}},
                    customdata=np.stack(
                        [sub["USUBJID"], sub["SITEID"].map(lambda s: (site_names or {}).get(s, s)),
                         sub["BOR"], sub["BEST_PCHG"].round(1), sub["P95STAT"],
                         np.where(sub["NEW_LESION"], _("yes"), _("no"))], axis=-1),
                    hovertemplate=(
                        f"<b>%{{customdata[0]}}</b><br>{site}: %{{customdata[1]}}<br>BOR: %{{customdata[2]}}"
                        f"<br>{change}: %{{customdata[3]}}%<br>p95HER2: %{{customdata[4]}}"
                        f"<br>{lesion}: %{{customdata[5]}}<extra></extra>"
                    ),
                    width=0.8,  # explicit: plotly otherwise sizes a trace's bars from its own gaps
                    text=sub["BOR"] if show_letters else None,
                    textposition="outside" if show_letters else None,
                    cliponaxis=False,
                ), **where)
        marked = pb[pb["USUBJID"].isin(highlight)] if highlight else pb.iloc[:0]
        if len(marked) and dense:
            ys = np.where(marked["Y"] >= 0, marked["Y"] + 4, marked["Y"] - 4)
            fig.add_trace(go.Scatter(x=marked["X"], y=ys, mode="markers", name=_("▼ {what}").format(what=_(highlight_label)),
                                     legendgroup="highlight", showlegend=legend("highlight"),
                                     marker={"symbol": "triangle-down", "size": 7, "color": INK}, hoverinfo="skip"),
                          **where)
        elif len(marked) and legend("highlight"):
            fig.add_trace(go.Bar(x=[None], y=[None], name=_("Outlined: {what}").format(what=_(highlight_label)),
                                 legendgroup="highlight",
                                 marker={"color": WHITE, "line": {"color": BLACK, "width": 2.5}}), **where)
        capped = pb[pb["BEST_PCHG"] > cap]
        if len(capped):
            fig.add_trace(go.Scatter(
                x=capped["X"], y=capped["Y"] + 2, mode="text", text=[f"↑{v:.0f}%" for v in capped["BEST_PCHG"]],
                textposition="top center", textfont={"size": 11, "color": TEXT},
                hoverinfo="skip", showlegend=False,
            ), **where)
        if pb["UNCONFIRMED_RESP"].any() and legend("unconfirmed"):
            fig.add_trace(go.Bar(
                x=[None], y=[None], name=_("Unconfirmed CR/PR (hatched)"), legendgroup="unconfirmed",
                marker={"color": WHITE, "line": {"color": NAVY, "width": 1},
                        "pattern": {"shape": "/", "fgcolor": NAVY, "size": 6, "solidity": 0.35}},
            ), **where)
        nl = pb[pb["NEW_LESION"]]
        if len(nl):
            ys = np.where(nl["Y"] >= 0, nl["Y"] + (9 if len(capped) else 5), nl["Y"] - 5)
            m = EVENT_MARKERS["new_lesion"]
            fig.add_trace(go.Scatter(
                x=nl["X"], y=ys, mode="markers", name=_("New lesion"), legendgroup="new_lesion",
                showlegend=legend("new_lesion"),
                marker={"symbol": "asterisk-open", "size": m["size"] + 2, "color": INK, "line": {"width": 2}},
                hoverinfo="skip",
            ), **where)
        axis = "" if row == 1 else str(row)
        recist_lines(axis).apply(fig)
        if len(pb):
            top = max(top, cap + 15 if (pb["BEST_PCHG"] > cap - 15).any() else pb["BEST_PCHG"].max() + 15)
        fig.update_xaxes(
            title_text=_("Patients (n = {n})").format(n=len(pb)), showticklabels=show_ids,
            ticks="" if not show_ids else "outside", tickvals=list(pb["X"]) if show_ids else None,
            ticktext=list(pb["USUBJID"].str[-6:]) if show_ids and len(pb) else None, tickangle=-60, **where)
    y_title = _("Best change from baseline in<br>sum of target-lesion diameters (%)")
    for row in range(1, len(panels) + 1):
        where = {"row": row, "col": 1} if len(panels) > 1 else {}
        fig.update_yaxes(title_text=y_title if row == (len(panels) + 1) // 2 else None, range=[-105, top], dtick=20,
                         ticksuffix="%", zeroline=False, showgrid=True, gridcolor=GRID, **where)
    fig.update_layout(bargap=0.15, barmode="overlay")
    notes = [
        _("Confirmed best overall response, RECIST 1.1 (confirmation ≥28 days)") if confirmed
        else _("Unconfirmed best overall response, RECIST 1.1"),
        "* " + _("new lesion"),
        _("Bars above +{cap}% are capped (true value on the bar and on hover)").format(cap=f"{cap:.0f}"),
    ]
    if len(missing):
        ids = ", ".join(missing["USUBJID"].str[-6:].tolist()[:8]) + (" …" if len(missing) > 8 else "")
        notes.append(_("Not shown: {n} without a post-baseline measurement ({ids})").format(n=len(missing), ids=ids))
    ctx2 = ctx.with_(note=" · ".join([*notes, ctx.note] if ctx.note else notes)) if ctx else None
    height = 560 if len(panels) == 1 else 200 + 330 * len(panels)
    return finish_figure(fig, ctx2, _(title), height=height, legend_title=_(COLOR_BY[color_by]))


def spider_data(changes: pd.DataFrame, bor: pd.DataFrame, adrs: pd.DataFrame, first_pd: pd.Series) -> pd.DataFrame:
    """Per-assessment % change with the visit response, the subject's BOR and PD/new-lesion flags."""
    ovr = adrs[adrs["PARAMCD"] == "OVR"][["USUBJID", "ADT", "AVALC"]].rename(columns={"AVALC": "OVR"})
    nl = adrs[adrs["PARAMCD"] == "NEWLIND"][["USUBJID", "ADT", "AVALC"]].rename(columns={"AVALC": "NEWL"})
    df = changes.merge(ovr, on=["USUBJID", "ADT"], how="left").merge(nl, on=["USUBJID", "ADT"], how="left")
    df = df.merge(bor[["USUBJID", "BOR"]], on="USUBJID", how="left")
    df["BOR"] = df["BOR"].fillna("NE")
    df["IS_PD"] = df["OVR"].eq("PD")
    df["NEWL"] = df["NEWL"].eq("Y")
    return df.sort_values(["USUBJID", "ADT"]).reset_index(drop=True)


HOVER_LIMIT = 300  # beyond this many patients, lines carry no per-point hover text (page weight)


def _joined(df: pd.DataFrame, x: str, y: str, extra: list[str]) -> dict[str, np.ndarray]:
    """Per-patient polylines of ``df`` (sorted by USUBJID, then x) as one trace's arrays, a gap
    (None) after each patient."""
    ids = df["USUBJID"].to_numpy()
    at = np.append(np.nonzero(ids[1:] != ids[:-1])[0] + 1, len(ids))
    out = {}
    # object arrays of short (rounded) numbers with None gaps serialise smaller than base64 float64
    for key, col in (("x", x), ("y", y), *((c, c) for c in extra)):
        out[key] = np.insert(df[col].to_numpy(dtype=object), at, None)
    return out


def spider_figure(
    data: pd.DataFrame,
    ctx: FigureContext | None,
    highlight: str | None = None,
    cap: float = 100.0,
    interval_weeks: int = 6,
    confirmed: bool = True,
    title: str = N_("Change in target lesions over time"),
) -> go.Figure:
    """One line per patient from 0 at the first dose, % change from baseline against weeks; the lines
    of one best response share a trace (a legend entry each, light to send)."""
    fig = go.Figure()
    n_pat = data["USUBJID"].nunique()
    week, change, visit = _("Week"), _("Change"), _("Visit response")
    hover = n_pat <= HOVER_LIMIT
    trace = go.Scatter if n_pat <= 1000 else go.Scattergl
    d = data.assign(Y=np.minimum(data["PCHG"], cap + 10).round(1), WEEK=data["WEEK"].round(1),
                    OVR=data["OVR"].fillna(""))
    starts = d.groupby("USUBJID", as_index=False).first().assign(WEEK=0.0, Y=0.0, PCHG=0.0, OVR="")
    full = pd.concat([starts, d], ignore_index=True).sort_values(["USUBJID", "WEEK"], kind="mergesort")
    for bor in [b for b in BOR_ORDER if b in set(full["BOR"])]:
        arr = _joined(full[full["BOR"] == bor], "WEEK", "Y", ["USUBJID", "PCHG", "OVR"])
        fig.add_trace(trace(
            x=arr["x"], y=arr["y"], mode="lines+markers", name=_(BOR_LABELS.get(bor, bor)), legendgroup=bor,
            line={"color": BOR_COLORS.get(bor, MISSING_COLOR), "width": 2}, marker={"size": 5},
            opacity=0.25 if highlight else 1.0, connectgaps=False,
            customdata=np.stack([arr["USUBJID"], arr["PCHG"], arr["OVR"]], axis=-1) if hover else None,
            hovertemplate=(f"<b>%{{customdata[0]}}</b><br>{week} %{{x}}<br>{change} %{{customdata[1]:.1f}}%<br>"
                           f"{visit}: %{{customdata[2]}}<extra></extra>") if hover
            else f"{week} %{{x}}: %{{y}}%<extra>" + _(BOR_LABELS.get(bor, bor)) + "</extra>",
        ))
    if highlight is not None and highlight in set(full["USUBJID"]):
        h = full[full["USUBJID"] == highlight]
        bor = h["BOR"].iloc[0]
        fig.add_trace(go.Scatter(x=h["WEEK"], y=h["Y"], mode="lines+markers", name=f"{highlight}",
                                 line={"color": BOR_COLORS.get(bor, MISSING_COLOR), "width": 4}, marker={"size": 8},
                                 customdata=np.stack([h["USUBJID"], h["PCHG"], h["OVR"]], axis=-1),
                                 hovertemplate=f"<b>%{{customdata[0]}}</b><br>{week} %{{x}}<br>{change} "
                                               f"%{{customdata[1]:.1f}}%<br>{visit}: %{{customdata[2]}}"
                                               "<extra></extra>"))
    faded = 0.3 if highlight else 1.0
    pdv = d[d["IS_PD"]]
    if len(pdv):
        m = EVENT_MARKERS["progression"]
        fig.add_trace(go.Scatter(x=pdv["WEEK"], y=pdv["Y"], mode="markers", name=_(m["label"]), opacity=faded,
                                 marker={"symbol": m["symbol"], "size": m["size"] + 2, "color": m["color"],
                                         "line": {"width": 1}}, hoverinfo="skip"))
    nlv = d[d["NEWL"]]
    if len(nlv):
        fig.add_trace(go.Scatter(x=nlv["WEEK"], y=nlv["Y"] + 6, mode="markers", name=_("New lesion"), opacity=faded,
                                 marker={"symbol": "asterisk-open", "size": 12, "color": INK, "line": {"width": 2}},
                                 hoverinfo="skip"))
    recist_lines().apply(fig)
    ymax = float(data["PCHG"].max()) if len(data) else 40.0
    top = max(40.0, min(ymax, cap + 10) + 15)
    xmax = float(data["WEEK"].max()) if len(data) else 12.0
    fig.update_yaxes(title_text=_("Change from baseline in sum of<br>target-lesion diameters (%)"),
                     range=[-105, top], dtick=20, ticksuffix="%", zeroline=False, showgrid=True, gridcolor=GRID)
    fig.update_xaxes(title_text=_("Weeks since first dose"), range=[-1, xmax + 3], dtick=interval_weeks,
                     showgrid=True, gridcolor=PANEL)
    notes = [_("Lines coloured by confirmed best overall response") if confirmed
             else _("Lines coloured by unconfirmed best overall response"),
             "× " + _("progression"), "* " + _("new lesion")]
    if not hover:
        notes.append(_("{n} patients: hover details shown up to {limit}; highlight one with the box above").format(
            n=n_pat, limit=HOVER_LIMIT))
    ctx2 = ctx.with_(note=" · ".join([*notes, ctx.note] if ctx.note else notes)) if ctx else None
    return finish_figure(fig, ctx2, _(title), height=520)
