"""Enrollment: progress against target, sites, the screening-to-follow-up flow, projected completion."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.enrollment import (
    COUNT_BY,
    AccrualOptions,
    PeriodOptions,
    accrual,
    flow,
    flow_by_arm,
    periods,
    randomization_balance,
    sites,
)
from components.analyses.quality import METRICS, QualityOptions, data_quality
from components.figures.safe_text import md
from components.i18n import N_, _
from components.ui import widgets

s = widgets.page_header(_("Enrollment"), needs=("adsl",))
if s is None:
    st.stop()
cfg = s.config

c1 = c2 = c3 = widgets.control_row()
by = c1.segmented_control(_("Count patients by"), list(COUNT_BY), default="RFICDT", key="enr_by",
                          format_func=lambda v: _(COUNT_BY[v])) or "RFICDT"
window = c2.number_input(_("Rate window (days)"), 30, 365, cfg.enrollment.projection_window_days, 10, key="enr_window",
                         width=170, help=_("The projection uses the enrollment rate over this many days before the cut-off."))
per_site = c3.toggle(_("Lines per site"), key="enr_sites")
per_arm = (not cfg.single_arm) and c3.toggle(_("Lines per arm"), key="enr_arms")

res = widgets.run(accrual, s, s.options(AccrualOptions, by=by, window_days=int(window), per_site=per_site and not per_arm,
                                        per_arm=bool(per_arm)))
proj = res.detail
m = widgets.metric_row(4)
if proj.target is not None:
    m[0].metric(_("Enrolled / target") if by == "RFICDT" else _("Treated / target"), f"{proj.enrolled} / {proj.target}")
else:
    m[0].metric(_("Enrolled") if by == "RFICDT" else _("Treated"), proj.enrolled,
                help=_("No enrollment target in the study config."))
plan_now = res.numbers["Planned by the cut-off"]
m[1].metric(_("Planned by the cut-off"), "—" if plan_now is None else f"{plan_now:.0f}",
            delta=None if plan_now is None else _("{diff} vs plan").format(diff=f"{proj.enrolled - plan_now:+.0f}"))
rate = None if res.numbers["Recent rate per month"] is None else proj.rate_per_month  # None: too few to estimate
m[2].metric(_("Recent rate"), "—" if rate is None else _("{rate} / month").format(rate=f"{rate:.1f}"),
            help=_("{n} patients in the {window}.").format(n=proj.in_window, window=proj.window_text()))
m[3].metric(_("Projected completion"), res.numbers["Projected completion"] or "—",
            help=_("Date of reaching the target at the recent rate (Poisson process), with a 90% prediction band that "
                   "allows for the uncertainty of that rate."))
st.markdown(f"**{proj.sentence()}**")
source = s.cut.derivation("adsl", "RFICDT")
if by == "RFICDT" and source is not None:
    st.caption(md(_("Enrollment date: ADSL has no consent date (RFICDT); {how}.").format(
        how=source.problem.split("; ", 1)[-1])))
widgets.show_figure(res, "accrual", data=res.tables["cumulative"], filename="enrollment_cumulative")

if not cfg.single_arm:
    with widgets.guard(_("Randomization balance")):
        st.subheader(_("Randomization balance"))
        bal = widgets.run(randomization_balance, s, s.options(Options))
        # side by side while they fit, each at its own width, then on the next line: three fixed columns cut
        # the control arm off every table at 1400 px
        row = st.container(horizontal=True, gap="large")
        for name, tab in bal.tables.items():
            with row.container(width="content"):
                widgets.table(tab, width="content", height=widgets.listing_height(len(tab)))
                label = cfg.strata_labels.get(name) or widgets.headers([name]).get(name, name)
                widgets.table_to_deck(f"balance_{name}", _("Randomization balance: {factor}").format(factor=label), tab, bal)
        st.caption(" ".join(bal.notes))

# ---------------------------------------------------------------- sites · flow · periods
# Lazy tabs (widgets.sections): the page opens with the accrual curve and one more figure instead of
# four. What must not be missed is said above the tabs, whichever is open: sites without a patient for
# weeks, and a patient flow that does not add up.
st_res = widgets.run(sites, s, s.options(Options))
idle = st_res.tables["idle"]
if len(idle):
    st.warning(_("No patient for {weeks} weeks or more at: {sites}").format(
        weeks=cfg.enrollment.site_idle_weeks,
        sites="; ".join(_("{site} ({weeks} weeks)").format(site=f"{md(r['SITEID'])} · {md(r['Site'])}",
                                                           weeks=f"{r['Weeks without a patient']:.0f}")
                        for _i, r in idle.iterrows())))
fl = widgets.run(flow, s, s.options(Options))
if fl.notes:
    st.error(_("The flow does not add up — check the data: {problems}").format(problems="; ".join(fl.notes)))


def sites_section() -> None:
    table = st_res.tables["sites"]
    if s.filter_text:
        st.caption(_("Sites follow the sidebar filters."))
    widgets.show_figure(st_res, "sites", filename="enrollment_sites")
    widgets.table(widgets.memo(table, ("shown",), lambda: table.drop(columns=["SITEID"])), width="stretch",
                  column_config={"Screen-failure rate": st.column_config.NumberColumn(format="percent")},
                  deck=("site_table", _("Enrollment by site")), result=st_res)
    widgets.csv_download(table, "sites.csv", _("Download the site table (CSV)"), key="dl_sites")


def flow_section() -> None:
    if not fl.notes:
        st.caption(_("Every box equals the sum of the boxes it splits into (checked)."))
    widgets.show_figure(fl, "flow", filename="consort_flow", data=fl.tables["counts"], data_label=_("Counts of every box"))
    if not s.view.has("screening"):
        st.info(_("No screening log in this cut: the flow starts at enrollment."))
    if not s.config.single_arm:
        fa = widgets.run(flow_by_arm, s, s.options(Options))
        if "by_arm" in fa.tables:
            st.subheader(fa.title)
            widgets.table(fa.tables["by_arm"], width="stretch")
            st.caption(" ".join(fa.notes))
            widgets.table_to_deck("flow_by_arm", fa.title, fa.tables["by_arm"], fa)


PERIODS = {"M": N_("Month"), "W": N_("Week")}


def periods_section() -> None:
    freq = st.segmented_control(_("Period"), ["M", "W"], default="M", key="enr_freq",
                                format_func=lambda v: _(PERIODS[v])) or "M"
    pr = widgets.run(periods, s, s.options(PeriodOptions, by=by, freq=freq))
    widgets.show_figure(pr, "periods", data=pr.tables["counts"], filename="enrollment_per_period")


def quality_section() -> None:
    """Scans due, missed and overdue, protocol deviations, and each site's rate against the study's."""
    metric = st.segmented_control(_("Site rate"), list(METRICS), default="missed", key="dq_metric",
                                  format_func=lambda k: _(METRICS[k][0])) or "missed"
    dq = widgets.run(data_quality, s, s.options(QualityOptions, metric=metric))
    n = dq.numbers
    m = widgets.metric_row(5)
    for label, key in ((_("Scans missed / expected"), None), (_("Patients with a scan overdue"), "Patients with a scan overdue"),
                       (_("Awaiting their first scan"), "Patients awaiting their first scan"),
                       (_("Patients with a protocol deviation"), "Patients with a protocol deviation"),
                       (_("Sites flagged: {rate}").format(rate=_(METRICS[metric][0]).lower()),
                        "Sites flagged (amber or red)")):
        value = (f"{n['Scans missed']} / {n['Scans expected']}" if n["Scans expected"] is not None else "—") \
            if key is None else ("—" if n[key] is None else n[key])
        m[0].metric(label, value)
    if s.filter_text:
        st.caption(_("Sites follow the sidebar filters; the study rate is that of the patients shown."))
    if dq.figure is not None:
        widgets.show_figure(dq, "funnel", data=dq.tables["sites"], filename="data_quality_funnel")
    table = dq.tables["sites"]
    if len(table):  # two tables of a width a screen holds (one of 14 columns was cut at 1400 px)
        scans = metric != "deviation"
        for title, cols, on, key in (
                (_("Tumour scans by site"), SCAN_COLUMNS, scans, "quality_scans"),
                (_("Protocol deviations by site"), DEVIATION_COLUMNS, not scans, "quality_deviations")):
            shown = table[["SITE", *(c for c in cols if c in table), *(("SCORE", "FLAG") if on else ())]]
            if len(shown.columns) > 1:
                st.markdown(f"**{title}**")
                widgets.table(shown, width="stretch", translate=("FLAG",), deck=(key, title), result=dq,
                              height=widgets.listing_height(len(shown)))
        widgets.csv_download(table, "data_quality_sites.csv", _("Download the site table (CSV)"), key="dl_dq_sites")
    widgets.patient_listing(_("Scans overdue or missed"), dq.tables["overdue"], translate=("SCAN_STATUS",))
    widgets.patient_listing(_("Protocol deviations found in the data"), dq.tables["deviations"], translate=("CATEGORY",))
    st.caption(" ".join(dq.notes))


SCAN_COLUMNS = ("FOLLOWED", "EXPECTED", "MISSED", "MISSED_PTS", "OVERDUE", "AWAITING")
DEVIATION_COLUMNS = ("ENROLLED", "ELIG_DEV", "DOSE_DEV", "ANY_DEV")


widgets.sections({_("Sites"): sites_section, _("Patient flow"): flow_section,
                  _("Enrollments per period"): periods_section, _("Data quality"): quality_section}, "enrollment_section")
