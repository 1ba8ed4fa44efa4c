"""Enrollment: progress against target, sites, the screening-to-follow-up flow, projected completion."""

import pandas as pd
import streamlit as st

from components.figures.enrollment_plots import accrual_figure, flow_figure, period_figure, site_figure
from components.stats.enrollment import (
    consort_flow,
    cumulative,
    period_counts,
    planned_by,
    planned_line,
    project_completion,
    projection_band,
    site_table,
)
from components.ui import widgets

s = widgets.page_header("Enrollment", needs=("adsl",))
if s is None:
    st.stop()
cfg, cut = s.config, s.cut
adsl = s.view.tables["adsl"]
screening = s.view.tables.get("screening")
cutoff = cut.cutoff

c1, c2, c3 = st.columns([2, 1.5, 1.5])
by = c1.segmented_control("Count patients by", ["RFICDT", "TRTSDT"], default="RFICDT", key="enr_by",
                          format_func={"RFICDT": "Consent date", "TRTSDT": "First-dose date"}.get) or "RFICDT"
window = c2.number_input("Rate window (days)", 30, 365, cfg.enrollment.projection_window_days, 10, key="enr_window",
                         help="The projection uses the enrollment rate over this many days before the cut-off.")
per_site = c3.toggle("Lines per site", key="enr_sites")

dates = adsl[by]
proj = project_completion(dates, cfg.design.n_enrolled, cutoff, int(window))
m = st.columns(4)
m[0].metric(f"{'Enrolled' if by == 'RFICDT' else 'Treated'} / target", f"{proj.enrolled} / {proj.target}")
plan_now = planned_by(cfg, cutoff)
m[1].metric("Planned by the cut-off", f"{plan_now:.0f}" if plan_now == plan_now else "—",
            delta=f"{proj.enrolled - plan_now:+.0f} vs plan" if plan_now == plan_now else None)
m[2].metric("Recent rate", f"{proj.rate_per_month:.1f} / month", help=f"{proj.in_window} patients in the last {int(window)} days.")
m[3].metric("Projected completion", f"{proj.expected:%Y-%m}" if proj.expected is not None else "—",
            help="Date of reaching the target at the recent rate (Poisson process), with a 90% prediction band that allows for the uncertainty of that rate.")
st.markdown(f"**{proj.sentence()}**")

ctx = s.context(population="All enrolled" if by == "RFICDT" else "All treated", endpoint="Enrollment")
actual = cumulative(dates)
band = projection_band(proj, cutoff)
site_lines = {sid: cumulative(g[by]) for sid, g in adsl.groupby("SITEID")} if per_site else None
fig = accrual_figure(actual, planned_line(cfg), band, cfg.design.n_enrolled, cfg.design.n_evaluable, cutoff, ctx,
                     by_site=site_lines, site_names={x.id: x.name for x in cfg.sites},
                     label="Enrolled (consent)" if by == "RFICDT" else "Treated (first dose)")
widgets.show_figure(fig, "accrual", data=widgets.display_frame(actual), filename="enrollment_cumulative")

st.subheader("Sites")
sites = site_table(adsl, screening, cfg, cutoff)
if s.filter_text:
    st.caption("Sites follow the sidebar filters.")
idle = sites[sites["Idle"]]
if len(idle):
    st.warning(f"No patient for {cfg.enrollment.site_idle_weeks} weeks or more at: "
               + "; ".join(f"{r['SITEID']} · {r['Site']} ({r['Weeks without a patient']:.0f} weeks)"
                           for _, r in idle.iterrows()))
widgets.show_figure(site_figure(sites, ctx), "sites", filename="enrollment_sites")
shown = widgets.display_frame(sites.drop(columns=["SITEID"]))
shown["Screen-failure rate"] = sites["Screen-failure rate"].map(lambda v: "" if pd.isna(v) else f"{v:.0%}")
st.dataframe(shown, hide_index=True, width="stretch")
widgets.csv_download(sites, "sites.csv", "Download the site table (CSV)", key="dl_sites")

st.subheader("Patient flow")
flow = consort_flow(adsl, screening)
problems = flow.checks()
if problems:
    st.error("The flow does not add up — check the data: " + "; ".join(problems))
else:
    st.caption("Every box equals the sum of the boxes it splits into (checked).")
widgets.show_figure(flow_figure(flow, ctx), "flow", filename="consort_flow",
                    data=pd.DataFrame([{"Box": k, "Patients": v} for k, v in flow.counts.items()]),
                    data_label="Counts of every box")
if screening is None:
    st.info("No screening log in this cut: the flow starts at enrollment.")

st.subheader("Enrollments per period")
freq = st.segmented_control("Period", ["M", "W"], default="M", key="enr_freq",
                            format_func={"M": "Month", "W": "Week"}.get) or "M"
counts = period_counts(dates, freq, cutoff)
widgets.show_figure(period_figure(counts, ctx, "month" if freq == "M" else "week"), "periods",
                    data=widgets.display_frame(counts), filename="enrollment_per_period")
