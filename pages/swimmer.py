"""Swimmer: treatment duration, responses and events for every treated patient."""

import math

import streamlit as st

from components.figures.style import EVENT_MARKERS
from components.figures.swimmer_plots import swimmer_figure
from components.stats.swimmer import EVENT_ORDER, short_id, sort_bars, swimmer_data
from components.ui import widgets

PAGE_SIZE = 50

s = widgets.page_header("Swimmer plot", needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
adsl = s.view.tables["adsl"]
bor = None
if s.cut.has("adrs"):
    bor = widgets.response_analysis(s.cut, cfg.response, True, True).restrict(set(adsl["USUBJID"])).bor
drug = next((d.drug for d in cfg.regimen if d.escalation or d.dose_levels), cfg.regimen[0].drug if cfg.regimen else "")
bars, events = swimmer_data(adsl, bor, s.cut.cutoff, s.view.tables.get("adex"), s.view.tables.get("adae"), drug)
if bars.empty:
    st.info("No treated patient in this selection.")
    st.stop()

c1, c2, c3 = st.columns([2.2, 1.2, 2])
color_by = c1.segmented_control("Colour by", ["BOR", "SITEID", "P95STAT"], default="BOR", key="sw_color",
                                format_func={"BOR": "Best response", "SITEID": "Site", "P95STAT": "p95HER2"}.get) or "BOR"
unit = c2.segmented_control("Time in", ["weeks", "months"], default="weeks", key="sw_unit") or "weeks"
sort = c3.segmented_control("Sort by", ["duration", "bor", "enrollment"], default="duration", key="sw_sort",
                            format_func={"duration": "Duration", "bor": "Best response", "enrollment": "Enrollment"}.get) or "duration"
labels = {k: EVENT_MARKERS[k]["label"] + (f" ({drug})" if k.startswith("dose") else "") for k in EVENT_ORDER}
layers = st.multiselect("Markers", list(EVENT_ORDER), default=list(EVENT_ORDER), format_func=labels.get, key="sw_layers")

ordered = sort_bars(bars, sort)
pages = math.ceil(len(ordered) / PAGE_SIZE)
if pages > 1:
    page_no = st.selectbox(f"Patients ({len(ordered)}; {PAGE_SIZE} per page)", range(pages), key="sw_page",
                           format_func=lambda i: f"{i * PAGE_SIZE + 1}–{min((i + 1) * PAGE_SIZE, len(ordered))}")
    shown = ordered.iloc[page_no * PAGE_SIZE : (page_no + 1) * PAGE_SIZE]
else:
    shown = ordered
ev = events[events["USUBJID"].isin(set(shown["USUBJID"]))]
n_on = int(bars["ONGOING"].sum())
ctx = s.context(population=f"Treated patients (N = {len(bars)}; {n_on} on treatment at the cut)",
                endpoint="Time on treatment (RECIST 1.1 confirmed best response)")
new = widgets.new_since_compare(s, "sw_new")
fig = swimmer_figure(shown, ev, ctx, color_by=color_by, unit=unit, layers=tuple(layers), drug=drug,
                     site_names={x.id: x.name for x in cfg.sites}, highlight=new,
                     highlight_label=f"Outlined: new since {s.compare.cutoff_text}" if new else "")
table = shown[["USUBJID", "SITEID", "BOR", "TRTSDT", "END", "DAYS", "ONGOING", "DCSREAS"]].rename(
    columns={"END": "Last dose or cut-off", "DAYS": "Days on treatment", "ONGOING": "On treatment"})
event = widgets.show_figure(fig, "swimmer", data=table, on_select="rerun")
st.caption("Click a bar to open the patient's profile. Bars run from the first dose to the last dose (or the cut-off, "
           "with an arrow, for patients still on treatment); dotted lines show follow-up after treatment.")
points = getattr(getattr(event, "selection", None), "points", None) or []
if points:
    cd = points[0].get("customdata")
    subj = cd[0] if cd else None
    if not subj:
        label = points[0].get("y")
        subj = next((u for u in shown["USUBJID"] if short_id(u) == label), None)
    if subj:
        st.switch_page("pages/patient.py", query_params={"patient": subj})

pick = st.selectbox("Open a patient's profile", ["(choose)"] + list(ordered["USUBJID"]), key="sw_pick")
if pick != "(choose)":
    st.page_link("pages/patient.py", label=f"Profile of {pick}", query_params={"patient": pick})
