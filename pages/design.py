"""Study design: sample size, exact and Simon two-stage designs, power, interim monitoring."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.design import (
    PRIORS,
    DesignOptions,
    InterimOptions,
    designs,
    interim,
    operating_chars,
    power_by_n,
    power_curve,
    sample_size,
    two_arm_sample_size,
)
from components.figures.safe_text import md
from components.ui import widgets

s = widgets.page_header("Study design", needs=())
if s is None:
    st.stop()
d = s.config.design
if d is None:
    if s.config.two_arm is not None:
        ta = widgets.run(two_arm_sample_size, s, s.options(Options))
        st.subheader("Randomized design: sample size")
        st.dataframe(ta.tables["design"], hide_index=True, width="stretch")
        st.caption(" ".join(ta.notes))
        widgets.table_to_deck("two_arm_design", "Randomized design: sample size", ta.tables["design"], ta)
        widgets.show_code(ta, s)
    else:
        st.info(f"The study config for {md(s.config.id)} gives no response design ([design] section), so there "
                "is no sample size, decision rule or interim look to show.")
    st.stop()
DEFAULTS = {"p0": d.p0, "p1": d.p1, "alpha": d.alpha, "sides": d.sides, "power": d.power, "dropout": d.dropout}


def reset() -> None:
    for k in DEFAULTS:
        st.session_state.pop(f"design_{k}", None)


st.markdown("What if the true ORR is lower, the dropout higher, or the design two-staged? Every input starts at the "
            "protocol's value and is kept in the page address, so a scenario can be shared as a link.")
c = st.columns(6)
p0 = c[0].number_input("H0 ORR (p0)", 0.01, 0.95, float(d.p0), 0.01, format="%.2f", key="design_p0",
                       bind="query-params", help="Response rate that is not worth pursuing (historical control).")
p1 = c[1].number_input("H1 ORR (p1)", 0.02, 0.99, float(d.p1), 0.01, format="%.2f", key="design_p1",
                       bind="query-params", help="Response rate the study is powered to detect.")
alpha = c[2].number_input("α", 0.001, 0.30, float(d.alpha), 0.005, format="%.3f", key="design_alpha",
                          bind="query-params", help="Type I error of the protocol's test.")
sides = c[3].radio("Sides", [1, 2], index=[1, 2].index(d.sides), horizontal=True, key="design_sides",
                   bind="query-params", help="Two-sided α = 0.05 equals one-sided 0.025 for the exact and Simon designs.")
power = c[4].number_input("Power", 0.50, 0.99, float(d.power), 0.01, format="%.2f", key="design_power",
                          bind="query-params", help="Probability of rejecting H0 when the true ORR is p1.")
dropout = c[5].number_input("Dropout", 0.0, 0.5, float(d.dropout), 0.01, format="%.2f", key="design_dropout",
                            bind="query-params", help="Share of enrolled patients expected not to be evaluable.")
st.button("Reset to protocol values", on_click=reset, key="design_reset")
if p1 <= p0:
    st.error("H1 must be above H0 for a single-arm response study.")
    st.stop()

what_if = {"p0": float(p0), "p1": float(p1), "alpha": float(alpha), "sides": int(sides), "power": float(power),
           "dropout": float(dropout)}
opts = s.options(DesignOptions, **what_if)

# ---------------------------------------------------------------- the protocol's calculation
with widgets.guard('The sample size'):
    st.subheader("Sample size (one-sample proportion test, normal approximation)")
    ss = widgets.run(sample_size, s, opts)
    m = widgets.metric_row(4)
    m[0].metric("Evaluable patients", ss.numbers["Evaluable patients"],
                help="n = [z(1−α/sides)·√(p0(1−p0)) + z(power)·√(p1(1−p1))]² / (p1−p0)², rounded up.")
    m[1].metric("Enrolled (with dropout)", ss.numbers["Enrolled (with dropout)"],
                help=f"ceil({ss.numbers['Evaluable patients']} / (1 − {dropout:g}))")
    m[2].metric("Responders to reject H0", ss.numbers["Responders to reject H0"], help="The normal test's rule at this n, in responders.")
    m[3].metric("Actual one-sided α / power", f"{ss.numbers['Actual one-sided α']:.3f} / {ss.numbers['Actual power']:.2f}",
                help="The normal test's rule evaluated on the binomial distribution: what it really delivers.")
    st.markdown(ss.notes[0])
    st.caption(ss.notes[1])
    widgets.show_code(ss, s)

# ---------------------------------------------------------------- exact and two-stage designs
st.subheader("Exact and two-stage designs")
st.caption(f"Exact binomial designs at one-sided α = {alpha / sides:g} (Simon 1989; A'Hern 2001). Rules read as "
           "clinfun/PASS: stop after stage 1 with ≤ r1 responders of n1; declare the drug promising with > r responders "
           "of n.")
with st.spinner("Searching Simon two-stage designs…"):
    ds = widgets.run(designs, s, opts)
st.dataframe(ds.tables["designs"], hide_index=True, width="stretch",
             column_config={"EN(p0)": st.column_config.NumberColumn(format="%.1f"),
                            "PET(p0)": st.column_config.NumberColumn(format="%.2f"),
                            "Actual α (one-sided)": st.column_config.NumberColumn(format="%.4f"),
                            "Actual power": st.column_config.NumberColumn(format="%.3f")})
for note in ds.notes:
    (st.info if note.startswith("No Simon") else st.warning)(note)
widgets.table_to_deck("designs", "Single-arm designs for the primary endpoint", ds.tables["designs"], ds)
widgets.show_code(ds, s)
with st.expander("The saw-tooth: neighbouring n of the exact design (power is not monotone in n)"):
    st.dataframe(ds.tables["saw"].rename(columns={"r": "reject if >", "alpha": "actual α", "power": "actual power"}),
                 hide_index=True, column_config={"actual α": st.column_config.NumberColumn(format="%.4f"),
                                                 "actual power": st.column_config.NumberColumn(format="%.3f")})
    if ds.detail:
        st.caption(f"Larger n that fall short of the power: {', '.join(map(str, ds.detail))} — choose n with this table, "
                   "not by adding patients.")

# ---------------------------------------------------------------- power
with widgets.guard('The power curves'):
    pc = widgets.run(power_curve, s, opts)
    widgets.show_figure(pc, "power_curve", data=pc.tables["curve"], filename="power_curve")
    pn = widgets.run(power_by_n, s, opts)
    widgets.show_figure(pn, "power_n", data=pn.tables["table"], filename="power_vs_n")

    st.subheader("Operating characteristics")
    oc = widgets.run(operating_chars, s, opts)
    st.dataframe(oc.tables["display"], hide_index=True, width="stretch")
    st.caption("Probability of declaring the treatment promising at each true ORR; for Simon designs also the probability of "
               "early termination (PET) and the expected sample size (EN).")
    widgets.csv_download(oc.tables["oc"], "operating_characteristics.csv", "Download (CSV)", key="dl_oc")
    widgets.table_to_deck("operating_characteristics", "Operating characteristics", oc.tables["display"], oc)
    widgets.show_code(oc, s)

# ---------------------------------------------------------------- interim monitoring
with widgets.guard('Interim monitoring'):
    st.subheader("Interim monitoring on this data cut")
    if not s.cut.has("adsl", "adrs"):
        st.info("Needs ADSL and ADRS.")
        st.stop()
    if s.filter_text:
        st.caption(f"Computed on the whole study: the sidebar filters ({md(s.filter_text)}) do not apply to the decision.")
    mc = st.columns(3)
    prior = mc[0].selectbox("Prior for the ORR", list(PRIORS), format_func=PRIORS.get, key="design_prior",
                            help="Weakly informative prior centred on H0, worth two patients; or Jeffreys; or uniform.")
    criterion = mc[1].radio("Success at the final analysis", ["exact", "bayes"], horizontal=True, key="design_crit",
                            format_func={"exact": "The protocol's test rejects H0", "bayes": "Posterior > θ"}.get)
    theta = mc[2].number_input("θ (posterior threshold)", 0.5, 0.999, 0.95, 0.01, key="design_theta",
                               disabled=criterion != "bayes")
    im = widgets.run(interim, s, s.options(InterimOptions, **what_if, prior=prior, criterion=criterion, theta=float(theta)))
    mon, n = im.detail, im.numbers
    mm = widgets.metric_row(4)
    mm[0].metric("Responders / assessed so far", f"{n['Responders']} / {n['Assessed so far']}",
                 help="Confirmed CR/PR among response-evaluable patients with at least one tumour assessment so far "
                      f"(the Response page counts all {n['Response-evaluable, whole study']} response-evaluable patients, "
                      "assessed or not).")
    mm[1].metric(f"P(ORR > {p0:.0%} | data)", f"{mon.posterior_prob:.1%}", help=f"Posterior under {PRIORS[prior]}.")
    mm[2].metric("Predictive probability of success", f"{mon.predictive_prob:.1%}",
                 help=f"Lee & Liu (2008): over the {mon.remaining} evaluable patients still to come (of {d.n_evaluable}).")
    mm[3].metric("Conditional power (H1 / observed)", f"{mon.conditional_power_h1:.0%} / {mon.conditional_power_observed:.0%}",
                 help=f"P({n['Needed at the final analysis']} responders at the final analysis) if the remaining patients "
                      f"respond at {p1:.0%} / at the observed rate.")
    st.caption(f"Denominator: the {n['Assessed so far']} response-evaluable patients with at least one tumour "
               f"assessment so far, of the {n['Response-evaluable, whole study']} response-evaluable patients the Response "
               "page counts (assessed or not): an interim look uses only patients whose response could be seen.")
    st.markdown(im.notes[0])
    widgets.show_code(im, s)
