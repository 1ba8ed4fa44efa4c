"""Swimmer: treatment duration, responses and events for every treated patient."""

import math

import streamlit as st

from components.analyses.swimmer import PAGE_SIZE, SwimmerOptions, swimmer
from components.figures.safe_text import md
from components.figures.style import EVENT_MARKERS
from components.i18n import _
from components.stats.swimmer import EVENT_ORDER, short_id
from components.ui import widgets

s = widgets.page_header(_("Swimmer plot"), needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
n_treated = int(s.view.tables["adsl"]["TRTSDT"].notna().sum()) if "TRTSDT" in s.view.tables["adsl"] else 0
if n_treated == 0:
    st.info(_("No treated patient in this selection."))
    st.stop()

row = st.container(horizontal=True, gap="medium")  # wraps on a narrow screen instead of cutting labels
c1 = c2 = c3 = row
color_by = c1.segmented_control(_("Colour by"), [c for c in ("BOR", "TRT01P", "SITEID", "P95STAT")
                                                 if c == "BOR" or c in s.cut.tables["adsl"]],
                                default="BOR", key="sw_color",
                                format_func={"BOR": _("Best response"), "TRT01P": _("Arm"), "SITEID": _("Site"),
                                             "P95STAT": "p95HER2"}.get) or "BOR"
unit = c2.segmented_control(_("Time in"), ["weeks", "months"], default="weeks", key="sw_unit",
                            format_func={"weeks": _("weeks"), "months": _("months")}.get) or "weeks"
sort = c3.segmented_control(_("Sort by"), ["duration", "bor", "enrollment"], default="duration", key="sw_sort",
                            format_func={"duration": _("Duration"), "bor": _("Best response"),
                                         "enrollment": _("Enrollment")}.get) or "duration"
labels = {k: _(EVENT_MARKERS[k]["label"]) + (" (" + _("every drug") + ")" if k.startswith("dose") else "")
          for k in EVENT_ORDER}
layers = st.multiselect(_("Markers"), list(EVENT_ORDER), default=list(EVENT_ORDER), format_func=labels.get, key="sw_layers")

pages = math.ceil(n_treated / PAGE_SIZE)
page_no = 0
if pages > 1:
    page_no = st.selectbox(_("Patients ({n}; {size} per page)").format(n=n_treated, size=PAGE_SIZE), range(pages), key="sw_page",
                           format_func=lambda i: f"{i * PAGE_SIZE + 1}–{min((i + 1) * PAGE_SIZE, n_treated)}")
new = widgets.new_since_compare(s, "sw_new")
res = widgets.run(swimmer, s, s.options(
    SwimmerOptions, color_by=color_by, unit=unit, sort=sort, layers=tuple(layers), page=int(page_no),
    highlight=tuple(sorted(new or ())), highlight_label=_("new since {date}").format(date=s.compare.cutoff_text) if new else ""))
table = res.tables["shown"]
event = widgets.show_figure(res, "swimmer", data=table, on_select="rerun")
st.caption(_("Click a bar to open the patient's profile. Bars run from the first dose to the last dose (or the cut-off, "
             "with an arrow, for patients still on treatment); dotted lines show follow-up after treatment."))
points = getattr(getattr(event, "selection", None), "points", None) or []
if points:
    cd = points[0].get("customdata")
    subj = cd[0] if cd else None
    if not subj:
        label = points[0].get("y")
        subj = next((u for u in table["USUBJID"] if short_id(u) == label), None)
    if subj:
        st.switch_page("pages/patient.py", query_params={"patient": subj})

picks = ["(choose)"] + list(res.tables["order"]["USUBJID"])
pick = st.selectbox(_("Open a patient's profile"), picks, key="sw_pick",
                    format_func={**{c: c for c in picks}, "(choose)": _("(choose)")}.get)
if pick != "(choose)":
    st.page_link("pages/patient.py", label=_("Profile of {patient}").format(patient=md(pick)), query_params={"patient": pick})
