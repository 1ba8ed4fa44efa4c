"""Swimmer plot: time on treatment per patient with response, progression, death, dose changes and
grade ≥3 adverse events, an arrow for every patient still on treatment at the cut (plotly)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from components.plotting import FigureContext, finish_figure
from components.style import (
    BOR_COLORS,
    BOR_LABELS,
    BOR_ORDER,
    EVENT_MARKERS,
    MISSING_COLOR,
    P95_COLORS,
    P95_ORDER,
    categorical_colors,
)

EVENT_ORDER = ("response", "confirmation", "progression", "death", "dose_reduction", "dose_hold", "ae_g3")
UNITS = {"weeks": 7.0, "months": 30.4375}


def short_id(usubjid: str) -> str:
    """The part of USUBJID a clinician reads (site-number), e.g. 'NCT07333937-01-004' → '01-004'."""
    parts = str(usubjid).split("-")
    return "-".join(parts[-2:]) if len(parts) >= 3 else str(usubjid)


def dose_changes(adex: pd.DataFrame, drug: str) -> pd.DataFrame:
    """Reductions (a dose below the previous non-zero dose) and holds (dose 0) of one drug, per
    subject: USUBJID, DATE, KIND ("dose_reduction" | "dose_hold"), DETAIL. Escalation steps are
    increases and a paused escalation keeps the dose: neither is a reduction. A run of consecutive
    zero-dose rows is one hold."""
    cols = ["USUBJID", "DATE", "KIND", "DETAIL"]
    ex = adex[adex["EXTRT"].str.lower() == drug.lower()].sort_values(["USUBJID", "ASTDT"], kind="mergesort")
    if ex.empty:
        return pd.DataFrame(columns=cols)
    dose = ex["EXDOSE"].astype(float)
    subj = ex["USUBJID"]
    same = subj.eq(subj.shift())
    prev_nonzero = dose.where(dose > 0).groupby(subj).shift().groupby(subj).ffill()
    prev_zero = same & dose.shift().eq(0)
    reason = ex["EXADJ"].fillna("").astype(str) if "EXADJ" in ex else pd.Series("", index=ex.index)
    why = np.where(reason != "", " (" + reason + ")", "")
    hold = dose.eq(0) & ~prev_zero
    red = dose.gt(0) & prev_nonzero.notna() & dose.lt(prev_nonzero)
    held = pd.DataFrame({"USUBJID": subj[hold], "DATE": ex.loc[hold, "ASTDT"], "KIND": "dose_hold",
                         "DETAIL": f"{drug} held" + pd.Series(why, index=ex.index)[hold]})
    reduced = pd.DataFrame({
        "USUBJID": subj[red], "DATE": ex.loc[red, "ASTDT"], "KIND": "dose_reduction",
        "DETAIL": (f"{drug} " + prev_nonzero[red].map("{:g}".format).astype(object) + " → "
                   + dose[red].map("{:g}".format).astype(object) + pd.Series(why, index=ex.index)[red]),
    })
    return pd.concat([held, reduced]).sort_values(["USUBJID", "DATE"], kind="mergesort").reset_index(drop=True)[cols]


def swimmer_data(
    adsl: pd.DataFrame,
    bor: pd.DataFrame | None,
    cutoff: pd.Timestamp,
    adex: pd.DataFrame | None = None,
    adae: pd.DataFrame | None = None,
    drug: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bars, events). One bar per treated patient from the first dose to the last dose, or to the
    cut-off when still on treatment (ONGOING); follow-up after treatment up to death or the last
    date known alive (FU_END). Events in days since the first dose (day 0)."""
    t = adsl[adsl["TRTSDT"].notna()].copy()
    ongoing = t["TRTEDT"].isna() if "TRTEDT" in t else pd.Series(True, index=t.index)
    t["ONGOING"] = ongoing.to_numpy()
    t["END"] = t["TRTEDT"].where(~t["ONGOING"], cutoff) if "TRTEDT" in t else cutoff
    t["DAYS"] = (t["END"] - t["TRTSDT"]).dt.days + 1
    fu = t["DTHDT"].fillna(t["LSTALVDT"]) if "DTHDT" in t else t.get("LSTALVDT")
    t["FU_END"] = fu.where(fu > t["END"]) if fu is not None else pd.NaT
    cols = ["USUBJID", "SUBJID", "SITEID", "P95STAT", "RFICDT", "TRTSDT", "TRTEDT", "END", "DAYS", "ONGOING",
            "FU_END", "DCSREAS", "DTHDT"]
    bars = t[[c for c in cols if c in t]].copy()
    if bor is not None:
        bars = bars.merge(bor[["USUBJID", "BOR"]], on="USUBJID", how="left")
    bars["BOR"] = bars.get("BOR", pd.Series(index=bars.index, dtype=object)).fillna("NE")
    bars["P95STAT"] = bars["P95STAT"].fillna("Missing") if "P95STAT" in bars else "Missing"
    bars["LABEL"] = bars["USUBJID"].map(short_id)

    ev = []
    if bor is not None:
        b = bor.set_index("USUBJID")
        for kind, col, txt in (("response", "RESP_DATE", "First response"), ("confirmation", "CONF_DATE", "Response confirmed"),
                               ("progression", "PD_DATE", "Progression")):
            if col in b:
                s = b[col].dropna()
                ev += [(u, d, kind, f"{txt} ({b.loc[u, 'BOR']})" if kind != "progression" else txt) for u, d in s.items()]
    if "DTHDT" in adsl:
        ev += [(u, d, "death", "Death") for u, d in adsl.set_index("USUBJID")["DTHDT"].dropna().items()]
    if adex is not None and drug:
        dc = dose_changes(adex, drug)
        ev += list(dc[["USUBJID", "DATE", "KIND", "DETAIL"]].itertuples(index=False, name=None))
    if adae is not None and "ASTDT" in adae:
        g3 = adae[(adae["AETOXGR"] >= 3) & adae["ASTDT"].notna()]
        ev += [(r.USUBJID, r.ASTDT, "ae_g3", f"{r.AEDECOD} grade {int(r.AETOXGR)}") for r in g3.itertuples(index=False)]
    events = pd.DataFrame(ev, columns=["USUBJID", "DATE", "KIND", "DETAIL"])
    events = events.merge(bars[["USUBJID", "TRTSDT", "LABEL"]], on="USUBJID", how="inner")
    events["DAY"] = (events["DATE"] - events["TRTSDT"]).dt.days
    return bars.reset_index(drop=True), events.drop(columns="TRTSDT").reset_index(drop=True)


def sort_bars(bars: pd.DataFrame, by: str = "duration") -> pd.DataFrame:
    """Top-to-bottom order: longest first; or by best response (CR first), then duration; or by
    enrollment date (earliest first)."""
    if by == "bor":
        rank = bars["BOR"].map({c: i for i, c in enumerate(BOR_ORDER)}).fillna(9)
        return bars.assign(_r=rank).sort_values(["_r", "DAYS"], ascending=[True, False]).drop(columns="_r")
    if by == "enrollment":
        return bars.sort_values(["RFICDT", "USUBJID"])
    return bars.sort_values(["DAYS", "USUBJID"], ascending=[False, True])


def swimmer_figure(
    bars: pd.DataFrame,
    events: pd.DataFrame,
    ctx: FigureContext | None,
    color_by: str = "BOR",
    unit: str = "weeks",
    layers: tuple[str, ...] = EVENT_ORDER,
    drug: str = "",
    site_names: dict[str, str] | None = None,
    highlight: set[str] | None = None,
    highlight_label: str = "Outlined: new since the comparison cut",
    tick_every: float | None = None,
    title: str = "Time on treatment and events",
) -> go.Figure:
    """Bars in the given (top-to-bottom) order; one legend entry for every marker shown."""
    div = UNITS[unit]
    fig = go.Figure()
    order = list(bars["LABEL"])
    n = len(bars)
    names = site_names or {}
    if color_by == "BOR":
        cats = [c for c in BOR_ORDER if c in set(bars["BOR"])]
        colors, labels = BOR_COLORS, {c: BOR_LABELS[c] for c in cats}
    elif color_by == "P95STAT":
        cats = [c for c in P95_ORDER if c in set(bars["P95STAT"])]
        colors, labels = P95_COLORS, {c: f"p95HER2 {c.lower()}" for c in cats}
    else:
        cats = sorted(set(bars["SITEID"]))
        colors, labels = categorical_colors(cats), {c: names.get(c, f"Site {c}") for c in cats}
    for cat in cats:
        sub = bars[bars[color_by] == cat]
        width = [2.5 if highlight and u in highlight else 0 for u in sub["USUBJID"]]
        custom = np.stack([
            sub["USUBJID"], sub["SITEID"].map(lambda s: names.get(s, s)), sub["TRTSDT"].dt.strftime("%Y-%m-%d"),
            np.where(sub["ONGOING"], "ongoing at the cut", sub["END"].dt.strftime("%Y-%m-%d")), sub["BOR"],
            sub["DCSREAS"].fillna("") if "DCSREAS" in sub else [""] * len(sub), sub["DAYS"],
        ], axis=-1)
        fig.add_trace(go.Bar(
            x=sub["DAYS"] / div, y=sub["LABEL"], orientation="h", name=labels[cat], legendgroup="bars",
            marker={"color": colors.get(cat, MISSING_COLOR), "line": {"color": "#000000", "width": width}},
            customdata=custom, width=0.65,
            hovertemplate=("<b>%{customdata[0]}</b><br>Site: %{customdata[1]}<br>First dose %{customdata[2]}, last "
                           "%{customdata[3]} (%{customdata[6]} days)<br>Best response: %{customdata[4]}"
                           "<br>Discontinuation: %{customdata[5]}<extra></extra>"),
        ))
    if highlight and any(u in highlight for u in bars["USUBJID"]):
        fig.add_trace(go.Bar(x=[None], y=[None], name=highlight_label,
                             marker={"color": "#FFFFFF", "line": {"color": "#000000", "width": 2.5}}))
    fu = bars[bars["FU_END"].notna()]
    if len(fu):
        xs, ys = [], []
        for r in fu.itertuples(index=False):
            xs += [r.DAYS / div, ((r.FU_END - r.TRTSDT).days + 1) / div, None]
            ys += [r.LABEL, r.LABEL, None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name="Follow-up after treatment",
                                 line={"color": "#9E9E9E", "width": 1.5, "dash": "dot"}, hoverinfo="skip"))
    on = bars[bars["ONGOING"]]
    if len(on):
        m = EVENT_MARKERS["ongoing"]
        fig.add_trace(go.Scatter(
            x=on["DAYS"] / div + 0.6 * (7 / div), y=on["LABEL"], mode="markers", name=m["label"],
            marker={"symbol": m["symbol"], "size": m["size"], "color": m["color"], "line": {"width": 1.5, "color": m["color"]}},
            hovertemplate="%{y}: on treatment at the cut<extra></extra>",
        ))
    for kind in EVENT_ORDER:
        if kind not in layers:
            continue
        sub = events[events["KIND"] == kind]
        if sub.empty:
            continue
        m = EVENT_MARKERS[kind]
        label = m["label"] + (f" ({drug})" if kind in ("dose_reduction", "dose_hold") and drug else "")
        fig.add_trace(go.Scatter(
            x=(sub["DAY"] + 1) / div, y=sub["LABEL"], mode="markers", name=label,
            marker={"symbol": m["symbol"], "size": m["size"], "color": m["color"],
                    "line": {"width": 2 if ("line" in m["symbol"] or "open" in m["symbol"]) else 1,
                             "color": m["color"] if ("line" in m["symbol"] or "open" in m["symbol"]) else "#222222"}},
            customdata=np.stack([sub["USUBJID"], sub["DATE"].dt.strftime("%Y-%m-%d"), sub["DETAIL"], sub["DAY"]], axis=-1),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[2]}<br>%{customdata[1]} (day %{customdata[3]})<extra></extra>",
        ))
    xmax = float(((bars["FU_END"].fillna(bars["END"]) - bars["TRTSDT"]).dt.days.max() + 1) / div) if n else 1.0
    dtick = tick_every or (6 if unit == "weeks" else 3)
    fig.update_xaxes(title_text=f"{unit.capitalize()} since first dose", range=[0, xmax * 1.05 + 1], dtick=dtick,
                     showgrid=True, gridcolor="#EEEEEE", zeroline=True, zerolinecolor="#444444", side="bottom")
    fig.update_yaxes(title_text="", categoryorder="array", categoryarray=order[::-1], tickfont={"size": 11},
                     automargin=True)
    fig.update_layout(barmode="overlay", bargap=0.3)
    height = 170 + 24 * max(n, 4)
    inside = {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1.0, "yanchor": "top", "font": {"size": 11},
              "tracegroupgap": 4}
    fig = finish_figure(fig, ctx, title, height=height, legend=inside)
    fig.update_layout(margin={"r": 230})
    return fig
