"""Study design: sample size, exact and Simon two-stage designs, power, interim monitoring."""

import numpy as np
import pandas as pd
import streamlit as st

from components.analyses import interim_counts, primary_endpoint
from components.figures.design_plots import power_curve_figure, power_vs_n_figure
from components.stats.design import (
    TEST_METHODS,
    exact_single_stage,
    exact_single_stage_table,
    monitor,
    normal_sample_size,
    normal_sample_size_exact_value,
    normal_test_critical,
    normal_test_power,
    operating_characteristics,
    simon_candidates,
    simon_two_stage,
    with_dropout,
)
from components.stats.summary import design_sentence
from components.ui import widgets

s = widgets.page_header("Study design", needs=())
if s is None:
    st.stop()
d = s.config.design
DEFAULTS = {"p0": d.p0, "p1": d.p1, "alpha": d.alpha, "sides": d.sides, "power": d.power, "dropout": d.dropout}


@st.cache_data(show_spinner="Searching Simon two-stage designs…", max_entries=64)
def simon_designs(p0: float, p1: float, alpha: float, power: float, n_max: int):
    cand = simon_candidates(p0, p1, alpha, power, n_max)
    if cand.empty:
        return None, None
    return simon_two_stage(p0, p1, alpha, power, "optimal", candidates=cand), \
        simon_two_stage(p0, p1, alpha, power, "minimax", candidates=cand)


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

n = normal_sample_size(p0, p1, alpha, power, sides)
n_raw = normal_sample_size_exact_value(p0, p1, alpha, power, sides)
n_enrol = with_dropout(n, dropout)
alpha_one = alpha / sides

# ---------------------------------------------------------------- the protocol's calculation
st.subheader("Sample size (one-sample proportion test, normal approximation)")
m = st.columns(4)
m[0].metric("Evaluable patients", n, help="n = [z(1−α/sides)·√(p0(1−p0)) + z(power)·√(p1(1−p1))]² / (p1−p0)², rounded up.")
m[1].metric("Enrolled (with dropout)", n_enrol, help=f"ceil({n} / (1 − {dropout:g}))")
k_crit = normal_test_critical(n, p0, alpha, sides)
from scipy import stats  # noqa: E402

m[2].metric("Responders to reject H0", f"≥ {k_crit} of {n}",
            help="The normal test's rule at this n, in responders.")
m[3].metric("Actual α / power (exact)", f"{stats.binom.sf(k_crit - 1, n, p0):.3f} / {stats.binom.sf(k_crit - 1, n, p1):.2f}",
            help="The normal test's rule evaluated on the binomial distribution: what it really delivers.")
st.markdown(
    f"With H0 {p0:.0%} and H1 {p1:.0%}, a {'two' if sides == 2 else 'one'}-sided α of {alpha:g} and power {power:.0%}, the "
    f"formula gives n = {n_raw:.1f} → **{n} evaluable**; with {dropout:.0%} dropout, ⌈{n}/{1 - dropout:g}⌉ = "
    f"**{n_enrol} enrolled**."
    + (" These are the protocol's numbers." if (n, n_enrol) == (d.n_evaluable, d.n_enrolled)
       else f" (The protocol: {d.n_evaluable} evaluable, {d.n_enrolled} enrolled.)")
)
st.caption("Protocol: " + design_sentence(s.config))

# ---------------------------------------------------------------- exact and two-stage designs
st.subheader("Exact and two-stage designs")
st.caption(f"Exact binomial designs at one-sided α = {alpha_one:g} (Simon 1989; A'Hern 2001). Rules read as clinfun/PASS: "
           "stop after stage 1 with ≤ r1 responders of n1; declare the drug promising with > r responders of n.")
exact = exact_single_stage(p0, p1, alpha_one, power)
opt, mmx = simon_designs(round(p0, 4), round(p1, 4), round(alpha_one, 6), round(power, 4), 100)
rows = [{"Design": "Normal test (protocol)", "Rule": f"reject H0 with ≥ {k_crit} of {n}", "Max n": n,
         "EN(p0)": float(n), "PET(p0)": 0.0, "Actual α": stats.binom.sf(k_crit - 1, n, p0),
         "Actual power": stats.binom.sf(k_crit - 1, n, p1)},
        {"Design": "Exact single-stage", "Rule": f"reject H0 with > {exact.r} of {exact.n}", "Max n": exact.n,
         "EN(p0)": float(exact.n), "PET(p0)": 0.0, "Actual α": exact.alpha, "Actual power": exact.power}]
for dz in (opt, mmx):
    if dz is not None:
        rows.append({"Design": f"Simon {dz.design}", "Rule": f"r1/n1 = {dz.r1}/{dz.n1}, r/n = {dz.r}/{dz.n}",
                     "Max n": dz.n, "EN(p0)": dz.en0, "PET(p0)": dz.pet0, "Actual α": dz.alpha, "Actual power": dz.power})
designs = pd.DataFrame(rows).rename(columns={"Actual α": "Actual α (one-sided)"})
st.dataframe(designs, hide_index=True, width="stretch",
             column_config={"EN(p0)": st.column_config.NumberColumn(format="%.1f"),
                            "PET(p0)": st.column_config.NumberColumn(format="%.2f"),
                            "Actual α (one-sided)": st.column_config.NumberColumn(format="%.4f"),
                            "Actual power": st.column_config.NumberColumn(format="%.3f")})
if opt is None:
    st.info("No Simon two-stage design with n ≤ 100 meets these constraints.")
normal_alpha = float(stats.binom.sf(k_crit - 1, n, p0))
if normal_alpha > alpha_one:
    r_exact = int(exact_single_stage_table(p0, p1, alpha_one, n, n)["r"].iloc[0]) + 1
    st.warning(f"Evaluated on the binomial distribution, the normal-approximation rule (≥ {k_crit} of {n}) has a one-sided "
               f"type I error of {normal_alpha:.1%}, above the nominal {alpha_one:.1%}. The exact test at the same n needs "
               f"≥ {r_exact} responders (one-sided α {stats.binom.sf(r_exact - 1, n, p0):.1%}, power "
               f"{stats.binom.sf(r_exact - 1, n, p1):.0%}). The study is decided by the protocol's prespecified test "
               f"({TEST_METHODS[d.method]}, from the study config); the Response page shows the other as a sensitivity "
               "analysis.")
saw = exact_single_stage_table(p0, p1, alpha_one, max(exact.n - 4, 1), exact.n + 8)
saw["qualifies"] = np.where(saw["power"] >= power, "yes", "no")
with st.expander("The saw-tooth: neighbouring n of the exact design (power is not monotone in n)"):
    st.dataframe(saw.rename(columns={"r": "reject if >", "alpha": "actual α", "power": "actual power"}),
                 hide_index=True, column_config={"actual α": st.column_config.NumberColumn(format="%.4f"),
                                                 "actual power": st.column_config.NumberColumn(format="%.3f")})
    failing = saw[(saw["n"] > exact.n) & (saw["qualifies"] == "no")]["n"].tolist()
    if failing:
        st.caption(f"Larger n that fall short of the power: {', '.join(map(str, failing))} — choose n with this table, not "
                   "by adding patients.")

# ---------------------------------------------------------------- power
ctx = s.context(population="Design", endpoint=f"ORR, H0 {p0:.0%} vs H1 {p1:.0%}")
rates = np.round(np.arange(0.0, 0.7001, 0.01), 4)
oc_fine = operating_characteristics(rates, n, p0, alpha, sides, exact, [x for x in (opt, mmx) if x])
widgets.show_figure(power_curve_figure(oc_fine, p0, p1, alpha_one, power, ctx), "power_curve",
                    data=oc_fine.round(4), filename="power_curve")
tab = exact_single_stage_table(p0, p1, alpha_one, max(5, n // 3), max(2 * n, exact.n + 10))
normal_pw = np.array([normal_test_power(int(k), p0, p1, alpha, sides) for k in tab["n"]])
widgets.show_figure(power_vs_n_figure(tab, normal_pw, power, exact.n, ctx), "power_n", data=tab.round(4),
                    filename="power_vs_n")

st.subheader("Operating characteristics")
oc = operating_characteristics(np.round(np.arange(0.10, 0.6001, 0.05), 2), n, p0, alpha, sides, exact,
                               [x for x in (opt, mmx) if x])
show = oc.copy()
for col in show.columns[1:]:
    show[col] = show[col].map(lambda v: f"{v:.1f}" if v > 1.5 else f"{v:.1%}")
show["true ORR"] = show["true ORR"].map(lambda v: f"{v:.0%}")
st.dataframe(show, hide_index=True, width="stretch")
st.caption("Probability of declaring the treatment promising at each true ORR; for Simon designs also the probability of "
           "early termination (PET) and the expected sample size (EN).")
widgets.csv_download(oc, "operating_characteristics.csv", "Download (CSV)", key="dl_oc")

# ---------------------------------------------------------------- interim monitoring
st.subheader("Interim monitoring on this data cut")
if not s.cut.has("adsl", "adrs"):
    st.info("Needs ADSL and ADRS.")
    st.stop()
adsl = s.view.tables["adsl"]
# The whole study, as on the Response page: the decision is never taken in a filtered subgroup.
whole = widgets.response_analysis(s.cut, s.config.response, s.config.response.confirmed_default, True)
pe = primary_endpoint(s.cut.tables["adsl"], whole.bor, d)
x_resp, n_obs = interim_counts(s.cut.tables["adsl"], whole.bor)
if s.filter_text:
    st.caption(f"Computed on the whole study: the sidebar filters ({s.filter_text}) do not apply to the decision.")
mc = st.columns(3)
prior_name = mc[0].selectbox("Prior for the ORR", ["Beta(2·p0, 2·(1−p0))", "Jeffreys Beta(0.5, 0.5)", "Uniform Beta(1, 1)"],
                             key="design_prior", help="Weakly informative prior centred on H0, worth two patients; or "
                                                      "Jeffreys; or uniform.")
prior = {"Beta(2·p0, 2·(1−p0))": (2 * p0, 2 * (1 - p0)), "Jeffreys Beta(0.5, 0.5)": (0.5, 0.5),
         "Uniform Beta(1, 1)": (1.0, 1.0)}[prior_name]
criterion = mc[1].radio("Success at the final analysis", ["exact", "bayes"], horizontal=True, key="design_crit",
                        format_func={"exact": "The protocol's test rejects H0", "bayes": "Posterior > θ"}.get)
theta = mc[2].number_input("θ (posterior threshold)", 0.5, 0.999, 0.95, 0.01, key="design_theta",
                           disabled=criterion != "bayes")
needed = pe.rule.critical
mon = monitor(x_resp, n_obs, d.n_evaluable, p0, p1, needed, prior, theta if criterion == "bayes" else None)
mm = st.columns(4)
mm[0].metric("Responders / assessed so far", f"{x_resp} / {n_obs}",
             help="Confirmed CR/PR among response-evaluable patients with at least one tumour assessment so far "
                  f"(the Response page counts all {pe.evaluable} response-evaluable patients, assessed or not).")
mm[1].metric(f"P(ORR > {p0:.0%} | data)", f"{mon.posterior_prob:.1%}", help=f"Posterior under {prior_name}.")
mm[2].metric("Predictive probability of success", f"{mon.predictive_prob:.1%}",
             help=f"Lee & Liu (2008): over the {mon.remaining} evaluable patients still to come (of {d.n_evaluable}).")
mm[3].metric("Conditional power (H1 / observed)", f"{mon.conditional_power_h1:.0%} / {mon.conditional_power_observed:.0%}",
             help=f"P(≥ {needed} responders at the final analysis) if the remaining patients respond at {p1:.0%} / at the "
                  "observed rate.")
goal = (f"the protocol's test ({pe.rule.name}) rejects H0 with ≥ {needed} of {d.n_evaluable}" if criterion == "exact"
        else f"the final posterior P(ORR > {p0:.0%}) exceeds {theta:g}")
reading = ("very likely" if mon.predictive_prob >= 0.9 else "likely" if mon.predictive_prob >= 0.6 else
           "uncertain" if mon.predictive_prob >= 0.3 else "unlikely" if mon.predictive_prob >= 0.05 else "very unlikely")
st.markdown(f"**Reading:** with {x_resp} responders among {n_obs} assessed patients, the probability that the ORR exceeds "
            f"{p0:.0%} is {mon.posterior_prob:.0%}; if the study goes on to {d.n_evaluable} evaluable patients, success "
            f"({goal}) is **{reading}** (predictive probability {mon.predictive_prob:.0%}). Patients without a confirmed "
            "response yet may still respond, so early counts understate the final one.")
