"""Study design: sample size, exact and Simon two-stage designs, power, interim monitoring."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.design import (
    EXACT_HEADERS,
    PRIORS,
    DesignOptions,
    InterimOptions,
    designs,
    interim,
    interim_boundaries,
    operating_chars,
    power_by_n,
    power_curve,
    sample_size,
    scenario,
    two_arm_sample_size,
)
from components.figures.safe_text import md
from components.i18n import _, language
from components.stats.design import oc_label
from components.ui import widgets

s = widgets.page_header(_("Study design"), needs=())
if s is None:
    st.stop()
d = s.config.design
if d is None:
    if s.config.two_arm is not None:
        ta = widgets.run(two_arm_sample_size, s, s.options(Options))
        st.subheader(_("Randomized design: sample size"))
        widgets.table(ta.tables["design"], width="stretch", translate=("Item",))
        st.caption(" ".join(ta.notes))
        widgets.table_to_deck("two_arm_design", _("Randomized design: sample size"),
                              ta.tables["design"].assign(Item=ta.tables["design"]["Item"].map(_)), ta)
        widgets.show_code(ta, s)
        with widgets.guard(_("Interim monitoring")):
            im = widgets.run(interim_boundaries, s, s.options(Options), previous=s.compare)
            if im.figure is not None or "boundaries" in im.tables:
                st.subheader(_("Interim monitoring: group-sequential boundaries"))
                for note in im.notes[:-1]:
                    st.markdown(note)
                if im.figure is not None:
                    widgets.show_figure(im, "interim_monitoring", data=im.tables["looks_shown"],
                                        filename="interim_monitoring")
                if "boundaries" in im.tables:
                    widgets.table(im.tables["boundaries"], width="stretch")
                    widgets.table_to_deck("interim_boundaries", _("Interim monitoring: group-sequential boundaries"),
                                          im.tables["boundaries"], im)
                st.caption(im.notes[-1])
                widgets.show_code(im, s)
    else:
        st.info(_("The study config for {study} gives no response design ([design] section), so there is no sample "
                  "size, decision rule or interim look to show.").format(study=md(s.config.id)))
    st.stop()
DEFAULTS = {"p0": d.p0, "p1": d.p1, "alpha": d.alpha, "sides": d.sides, "power": d.power, "dropout": d.dropout}


def reset() -> None:
    """Every input back to the protocol's value, in the widgets and in the address (a value left in the
    address would come back on the next run)."""
    for k, v in DEFAULTS.items():
        st.session_state[f"design_{k}"] = v


st.markdown(_("What if the true ORR is lower, the dropout higher, or the design two-staged? Every input starts at the "
              "protocol's value and is kept in the page address, so a scenario can be shared as a link."))
c = st.columns(6)
p0 = c[0].number_input("H0 ORR (p0)", 0.01, 0.95, float(d.p0), 0.01, format="%.2f", key="design_p0",
                       bind="query-params", help=_("Response rate that is not worth pursuing (historical control)."))
p1 = c[1].number_input("H1 ORR (p1)", 0.02, 0.99, float(d.p1), 0.01, format="%.2f", key="design_p1",
                       bind="query-params", help=_("Response rate the study is powered to detect."))
alpha = c[2].number_input("α", 0.001, 0.30, float(d.alpha), 0.005, format="%.3f", key="design_alpha",
                          bind="query-params", help=_("Type I error of the protocol's test."))
sides = c[3].radio(_("Sides"), [1, 2], index=[1, 2].index(d.sides), horizontal=True, key="design_sides",
                   bind="query-params", help=_("Two-sided α = 0.05 equals one-sided 0.025 for the exact and Simon designs."))
power = c[4].number_input(_("Power"), 0.50, 0.99, float(d.power), 0.01, format="%.2f", key="design_power",
                          bind="query-params", help=_("Probability of rejecting H0 when the true ORR is p1."))
dropout = c[5].number_input(_("Dropout"), 0.0, 0.5, float(d.dropout), 0.01, format="%.2f", key="design_dropout",
                            bind="query-params", help=_("Share of enrolled patients expected not to be evaluable."))
st.button(_("Reset to protocol values"), on_click=reset, key="design_reset")
if p1 <= p0:
    st.error(_("H1 must be above H0 for a single-arm response study."))
    st.stop()

what_if = {"p0": float(p0), "p1": float(p1), "alpha": float(alpha), "sides": int(sides), "power": float(power),
           "dropout": float(dropout)}
opts = s.options(DesignOptions, **what_if)
if label := scenario(s.config, opts):  # said once at the top; the figures, tables and slides say it too
    st.warning(label)

# ---------------------------------------------------------------- the protocol's calculation
with widgets.guard(_("The sample size")):
    st.subheader(_("Sample size (one-sample proportion test, normal approximation)"))
    ss = widgets.run(sample_size, s, opts)
    m = widgets.metric_row(4)
    m[0].metric(_("Evaluable patients"), ss.numbers["Evaluable patients"],
                help=_("n = [z(1−α/sides)·√(p0(1−p0)) + z(power)·√(p1(1−p1))]² / (p1−p0)², rounded up."))
    m[1].metric(_("Enrolled (with dropout)"), ss.numbers["Enrolled (with dropout)"],
                help=_("ceil({n} / (1 − {dropout}))").format(n=ss.numbers["Evaluable patients"], dropout=f"{dropout:g}"))
    m[2].metric(_("Responders to reject H0"), ss.numbers["Responders to reject H0"],
                help=_("The normal test's rule at this n, in responders."))
    m[3].metric(_("Actual one-sided α / power"), f"{ss.numbers['Actual one-sided α']:.3f} / {ss.numbers['Actual power']:.2f}",
                help=_("The normal test's rule evaluated on the binomial distribution: what it really delivers."))
    st.markdown(ss.notes[0])
    st.caption(ss.notes[1])
    widgets.show_code(ss, s)

# ---------------------------------------------------------------- exact and two-stage designs
st.subheader(_("Exact and two-stage designs"))
st.caption(_("Exact binomial designs at one-sided α = {alpha} (Simon 1989; A'Hern 2001). Rules read as clinfun/PASS: stop "
             "after stage 1 with ≤ r1 responders of n1; declare the drug promising with > r responders of n.").format(
    alpha=f"{alpha / sides:g}"))
with st.spinner(_("Searching Simon two-stage designs…")):
    ds = widgets.run(designs, s, opts)
widgets.table(ds.tables["designs"], width="stretch", translate=("Design",),
              column_config={"EN(p0)": st.column_config.NumberColumn(format="%.1f"),
                             "PET(p0)": st.column_config.NumberColumn(format="%.2f"),
                             "Actual α (one-sided)": st.column_config.NumberColumn(format="%.4f"),
                             "Actual power": st.column_config.NumberColumn(format="%.3f")})
no_simon = "Simon optimal" not in ds.numbers  # then the first note says so
for i, note in enumerate(ds.notes):
    (st.info if i == 0 and no_simon else st.warning)(note)
widgets.table_to_deck("designs", _("Single-arm designs for the primary endpoint") + (f" — {ds.title}" if ds.title else ""),
                      lambda: ds.tables["designs_shown"].assign(Design=ds.tables["designs_shown"]["Design"].map(_)), ds)
widgets.show_code(ds, s)


# the exact tables' α to four decimals, power to three
EXACT_FORMATS = {EXACT_HEADERS["alpha"]: st.column_config.NumberColumn(format="%.4f"),
                 EXACT_HEADERS["power"]: st.column_config.NumberColumn(format="%.3f")}


def saw_tooth() -> None:
    widgets.table(ds.tables["saw"].rename(columns=EXACT_HEADERS), translate=("qualifies",), column_config=EXACT_FORMATS)
    if ds.detail:
        st.caption(_("Larger n that fall short of the power: {ns} — choose n with this table, not by adding "
                     "patients.").format(ns=", ".join(map(str, ds.detail))))


widgets.lazy_expander(_("The saw-tooth: neighbouring n of the exact design (power is not monotone in n)"),
                      "design_saw", saw_tooth)

# ---------------------------------------------------------------- power
with widgets.guard(_("The power curves")):
    pc = widgets.run(power_curve, s, opts)
    curve = widgets.memo(pc, ("curve", language()), lambda: pc.tables["curve"].rename(columns=oc_label))
    # probabilities as percentages (99.99 %, not 0.9999); the expected sample sizes (EN) stay numbers
    shares = {oc_label(c): st.column_config.NumberColumn(format="percent") for c in pc.tables["curve"].columns
              if c.rpartition(": ")[2] != "EN"}
    widgets.show_figure(pc, "power_curve", data=curve, filename="power_curve", data_config=shares)
    pn = widgets.run(power_by_n, s, opts)
    widgets.show_figure(pn, "power_n", data=widgets.memo(pn, ("shown",), lambda: pn.tables["table"].rename(
        columns=EXACT_HEADERS)), filename="power_vs_n", data_config=EXACT_FORMATS)

    st.subheader(_("Operating characteristics"))
    oc = widgets.run(operating_chars, s, opts)
    oc_shown = widgets.memo(oc, ("shown", language()), lambda: oc.tables["display"].rename(columns=oc_label))
    widgets.table(oc_shown, width="stretch")
    st.caption(_("Probability of declaring the treatment promising at each true ORR; for Simon designs also the "
                 "probability of early termination (PET) and the expected sample size (EN)."))
    widgets.csv_download(oc.tables["oc"], "operating_characteristics.csv", _("Download (CSV)"), key="dl_oc")
    widgets.table_to_deck("operating_characteristics", _("Operating characteristics"), oc_shown, oc)
    widgets.show_code(oc, s)

# ---------------------------------------------------------------- interim monitoring
with widgets.guard(_("Interim monitoring")):
    st.subheader(_("Interim monitoring on this data cut"))
    if not s.cut.has("adsl", "adrs"):
        st.info(_("Needs ADSL and ADRS."))
        st.stop()
    if s.filter_text:
        st.caption(_("Computed on the whole study: the sidebar filters ({filters}) do not apply to the decision.").format(
            filters=md(s.filter_text)))
    mc = st.columns(3)
    prior = mc[0].selectbox(_("Prior for the ORR"), list(PRIORS), format_func=lambda v: _(PRIORS[v]), key="design_prior",
                            help=_("Weakly informative prior centred on H0, worth two patients; or Jeffreys; or uniform."))
    criteria = {"exact": _("The protocol's test rejects H0"), "bayes": _("Posterior > θ")}
    criterion = mc[1].radio(_("Success at the final analysis"), ["exact", "bayes"], horizontal=True, key="design_crit",
                            format_func=criteria.get)
    theta = mc[2].number_input(_("θ (posterior threshold)"), 0.5, 0.999, 0.95, 0.01, key="design_theta",
                               disabled=criterion != "bayes")
    im = widgets.run(interim, s, s.options(InterimOptions, **what_if, prior=prior, criterion=criterion, theta=float(theta)))
    mon, n = im.detail, im.numbers
    mm = widgets.metric_row(4)
    mm[0].metric(_("Responders / evaluable so far"), f"{n['Responders']} / {n['Evaluable so far']}",
                 help=_("Confirmed CR/PR among the response-evaluable patients the Response page counts: those whose "
                        "first scan's window has closed, assessed or NE."))
    mm[1].metric(_("P(ORR > {p0} | data)").format(p0=f"{p0:.0%}"), f"{mon.posterior_prob:.1%}",
                 help=_("Posterior under {prior}.").format(prior=_(PRIORS[prior])))
    mm[2].metric(_("Predictive probability of success"), f"{mon.predictive_prob:.1%}",
                 help=_("Lee & Liu (2008): over the {remaining} evaluable patients still to come (of {n}).").format(
                     remaining=mon.remaining, n=d.n_evaluable))
    mm[3].metric(_("Conditional power (H1 / observed)"),
                 f"{mon.conditional_power_h1:.0%} / {mon.conditional_power_observed:.0%}",
                 help=_("P({needed} responders at the final analysis) if the remaining patients respond at {p1} / at the "
                        "observed rate.").format(needed=n["Needed at the final analysis"], p1=f"{p1:.0%}"))
    if n["Too early to assess"]:
        st.caption(_("Denominator: the {n} response-evaluable patients whose first scan's window has closed, as on the "
                     "Response page; {not_yet} too early to assess wait until theirs closes.").format(
            n=n["Evaluable so far"], not_yet=n["Too early to assess"]))
    st.markdown(im.notes[0])
    widgets.show_code(im, s)
