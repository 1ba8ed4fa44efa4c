"""Patient profile: one patient on one screen; ?patient=<USUBJID> opens a patient directly."""

import pandas as pd
import streamlit as st

from components.figures.profile_plots import profile_figure
from components.stats.profile import key_facts, patient_data
from components.stats.swimmer import short_id
from components.ui import widgets

s = widgets.page_header("Patient profile", needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
all_ids = list(s.cut.tables["adsl"]["USUBJID"])
sites = dict(zip(s.cut.tables["adsl"]["USUBJID"], s.cut.tables["adsl"]["SITEID"], strict=True))
# No format_func: a bound selectbox matches the URL value against the displayed option, and the link
# should carry the plain USUBJID (?patient=NCT07333937-01-004).
subj = st.selectbox("Patient", all_ids, key="patient", bind="query-params",
                    help="The page address carries the patient (?patient=…), so the link can be shared.")
if subj not in set(s.view.tables["adsl"]["USUBJID"]):
    st.caption("This patient is outside the sidebar filters; the profile shows them anyway.")

p = patient_data(dict(s.cut.tables), subj, s.cut.cutoff, cfg.biomarkers.ctdna_param)
bor = derived = None
if s.cut.has("adrs"):
    ra = widgets.response_analysis(s.cut, cfg.response, True, True)
    row = ra.bor[ra.bor["USUBJID"] == subj]
    bor = row["BOR"].iloc[0] if len(row) else None
    derived = row["DERIVED"].iloc[0] if len(row) else None

left, right = st.columns([1, 3])
with left:
    st.markdown(f"### {short_id(subj)}")
    st.caption(cfg.site_name(sites[subj]))
    if bor:
        st.metric("Best overall response (confirmed)", bor)
        if derived and derived != bor:
            st.caption(f"ADRS gives {bor}; the app's RECIST 1.1 derivation gives {derived} (see the Response page).")
    for k, v in key_facts(p, cfg.site_name(str(p.adsl.get("SITEID")))):
        st.markdown(f"**{k}:** {v}")
with right:
    ctx = s.context(population=f"Patient {subj}", endpoint="Treatment, response, safety")
    fig = profile_figure(p, [d.drug for d in cfg.regimen], ctx, lod=cfg.biomarkers.ctdna_lod, bor=bor)
    widgets.show_figure(fig, "profile", filename=f"profile_{short_id(subj)}")

tabs = st.tabs(["Responses", "Tumour measurements", "Adverse events", "Exposure", "Biomarkers"])
frames = [
    p.adrs.drop(columns=["STUDYID", "USUBJID"], errors="ignore"),
    p.adtr.drop(columns=["STUDYID", "USUBJID"], errors="ignore"),
    p.adae.drop(columns=["STUDYID", "USUBJID"], errors="ignore"),
    p.adex.drop(columns=["STUDYID", "USUBJID"], errors="ignore"),
    (s.cut.tables["adlb"][s.cut.tables["adlb"]["USUBJID"] == subj].drop(columns=["STUDYID", "USUBJID"], errors="ignore")
     if s.cut.has("adlb") else pd.DataFrame()),
]
for tab, df in zip(tabs, frames, strict=True):
    with tab:
        if df.empty:
            st.caption("No rows for this patient.")
        else:
            st.dataframe(widgets.display_frame(df), hide_index=True, width="stretch")
