"""Patient profile: one patient on one screen; ?patient=<USUBJID> opens a patient directly."""

import streamlit as st

from components.analyses.patient import PatientOptions, find_patient, patient_profile
from components.figures.safe_text import md
from components.i18n import _
from components.stats.swimmer import short_id
from components.ui import widgets

s = widgets.page_header(_("Patient profile"), needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config
all_ids = list(s.cut.tables["adsl"]["USUBJID"])
sites = dict(zip(s.cut.tables["adsl"]["USUBJID"], s.cut.tables["adsl"]["SITEID"], strict=True))
# The page address carries the patient (?patient=…) so a link can be shared. A link's id is matched as
# shown anywhere (USUBJID, SUBJID or the short id, any case); an unknown one says so and shows the
# picker, never another patient. The widget's key follows the patient, so a new link opens a new one.
asked = st.query_params.get("patient")
chosen: str | None = all_ids[0] if all_ids else None
if asked is not None:
    found = find_patient(s.cut.tables["adsl"], asked)
    chosen = found.usubjid
    if found.message:
        st.warning(md(found.message))
subj = st.selectbox(_("Patient"), all_ids, index=all_ids.index(chosen) if chosen in all_ids else None,
                    key=f"patient_{chosen}", placeholder=_("Choose a patient"),
                    help=_("The page address carries the patient (?patient=…), so the link can be shared."))
if subj is None:
    st.stop()
if st.query_params.get("patient") != subj:
    st.query_params["patient"] = subj
if subj not in set(s.view.tables["adsl"]["USUBJID"]):
    st.caption(_("This patient is outside the sidebar filters; the profile shows them anyway."))

res = widgets.run(patient_profile, s, s.options(PatientOptions, usubjid=subj))
n = res.numbers
bor, derived = n["Best overall response"], n["Derived by the app"]

left, right = st.columns([1.3, 3])
with left:
    st.markdown(f"### {md(short_id(subj))}")
    st.caption(md(cfg.site_name(sites[subj])))
    if bor:
        st.metric(_("BOR, confirmed"), md(bor), help=_("Best overall response (RECIST 1.1), confirmed."))
        if derived and derived != bor:
            st.caption(_("ADRS gives {given}; the app's RECIST 1.1 derivation gives {derived} (see the Response page).")
                       .format(given=md(bor), derived=md(derived)))
    skip = ("Patient", "Best overall response", "Derived by the app")
    for k, v in n.items():
        if k not in skip:
            st.markdown(f"**{_(k)}:** {md(v)}")
with right:
    widgets.show_figure(res, "profile", filename=f"profile_{short_id(subj)}", record_as="profile")  # no id in the trail

tabs = st.tabs([_(name) for name in res.tables])
for tab, (name, df) in zip(tabs, res.tables.items(), strict=True):
    with tab:
        if df.empty:
            st.caption(_("No rows for this patient."))
        else:
            widgets.table(df, width="stretch", deck=(f"patient_{subj}_{name}", f"{short_id(subj)}: {_(name)}"), result=res)
