"""Enrollment: progress against target, sites, the screening-to-follow-up flow, projected completion."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.enrollment import (
    COUNT_BY,
    AccrualOptions,
    PeriodOptions,
    accrual,
    flow,
    periods,
    randomization_balance,
    sites,
)
from components.figures.safe_text import md
from components.ui import widgets

s = widgets.page_header("Enrollment", needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config

c1 = c2 = c3 = widgets.control_row()
by = c1.segmented_control("Count patients by", list(COUNT_BY), default="RFICDT", key="enr_by",
                          format_func=COUNT_BY.get) or "RFICDT"
window = c2.number_input("Rate window (days)", 30, 365, cfg.enrollment.projection_window_days, 10, key="enr_window", width=170,
                         help="The projection uses the enrollment rate over this many days before the cut-off.")
per_site = c3.toggle("Lines per site", key="enr_sites")
per_arm = (not cfg.single_arm) and c3.toggle("Lines per arm", key="enr_arms")

res = widgets.run(accrual, s, s.options(AccrualOptions, by=by, window_days=int(window), per_site=per_site and not per_arm,
                                        per_arm=bool(per_arm)))
proj = res.detail
m = widgets.metric_row(4)
who = "Enrolled" if by == "RFICDT" else "Treated"
if proj.target is not None:
    m[0].metric(f"{who} / target", f"{proj.enrolled} / {proj.target}")
else:
    m[0].metric(who, proj.enrolled, help="No enrollment target in the study config.")
plan_now = res.numbers["Planned by the cut-off"]
m[1].metric("Planned by the cut-off", "—" if plan_now is None else f"{plan_now:.0f}",
            delta=None if plan_now is None else f"{proj.enrolled - plan_now:+.0f} vs plan")
m[2].metric("Recent rate", f"{proj.rate_per_month:.1f} / month", help=f"{proj.in_window} patients in the last {proj.window_days} days.")
m[3].metric("Projected completion", res.numbers["Projected completion"] or "—",
            help="Date of reaching the target at the recent rate (Poisson process), with a 90% prediction band that "
                 "allows for the uncertainty of that rate.")
st.markdown(f"**{proj.sentence()}**")
source = s.cut.derivation("adsl", "RFICDT")
if by == "RFICDT" and source is not None:
    st.caption(md(f"Enrollment date: ADSL has no consent date (RFICDT); {source.problem.split('; ', 1)[-1]}."))
widgets.show_figure(res, "accrual", data=widgets.display_frame(res.tables["cumulative"]), filename="enrollment_cumulative")

if not cfg.single_arm:
    with widgets.guard("Randomization balance"):
        st.subheader("Randomization balance")
        bal = widgets.run(randomization_balance, s, s.options(Options))
        cols = st.columns(max(len(bal.tables), 1))
        for col, (name, tab) in zip(cols, bal.tables.items(), strict=False):
            with col:
                st.dataframe(tab, hide_index=True, width="stretch")
                label = cfg.strata_labels.get(name) or widgets.headers([name]).get(name, name)
                widgets.table_to_deck(f"balance_{name}", f"Randomization balance: {label}", tab, bal)
        st.caption(" ".join(bal.notes))

st.subheader("Sites")
st_res = widgets.run(sites, s, s.options(Options))
table = st_res.tables["sites"]
if s.filter_text:
    st.caption("Sites follow the sidebar filters.")
idle = st_res.tables["idle"]
if len(idle):
    st.warning(f"No patient for {cfg.enrollment.site_idle_weeks} weeks or more at: "
               + "; ".join(f"{md(r['SITEID'])} · {md(r['Site'])} ({r['Weeks without a patient']:.0f} weeks)"
                           for _, r in idle.iterrows()))
widgets.show_figure(st_res, "sites", filename="enrollment_sites")
widgets.table(table.drop(columns=["SITEID"]), width="stretch",
              column_config={"Screen-failure rate": st.column_config.NumberColumn(format="percent")},
              deck=("site_table", "Enrollment by site"), result=st_res)
widgets.csv_download(table, "sites.csv", "Download the site table (CSV)", key="dl_sites")

st.subheader("Patient flow")
fl = widgets.run(flow, s, s.options(Options))
if fl.notes:
    st.error("The flow does not add up — check the data: " + "; ".join(fl.notes))
else:
    st.caption("Every box equals the sum of the boxes it splits into (checked).")
widgets.show_figure(fl, "flow", filename="consort_flow", data=fl.tables["counts"], data_label="Counts of every box")
if not s.view.has("screening"):
    st.info("No screening log in this cut: the flow starts at enrollment.")

st.subheader("Enrollments per period")
freq = st.segmented_control("Period", ["M", "W"], default="M", key="enr_freq",
                            format_func={"M": "Month", "W": "Week"}.get) or "M"
pr = widgets.run(periods, s, s.options(PeriodOptions, by=by, freq=freq))
widgets.show_figure(pr, "periods", data=widgets.display_frame(pr.tables["counts"]), filename="enrollment_per_period")
