"""Study-design analyses: the protocol's sample size, exact and Simon two-stage designs, power,
operating characteristics, and interim monitoring on the data cut. Every design input defaults to
the study config and can be changed (what-if)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from components.analyses.base import Options, Result, analysis, figure_context, response_derivation
from components.analyses.decision import evaluable_subjects, not_yet_assessed, primary_endpoint
from components.data.config import Design, StudyConfig
from components.data.datasets import DataCut
from components.figures.design_plots import power_curve_figure, power_vs_n_figure
from components.i18n import N_, _
from components.stats.design import (
    TEST_METHODS,
    SimonDesign,
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

SIMON_N_MAX = 100
#: The names of Simon designs in the design table ("Simon " + optimal or minimax), translated on screen.
SIMON_NAMES = (N_("Simon optimal"), N_("Simon minimax"))


@dataclass(frozen=True)
class DesignOptions(Options):
    """What-if inputs; None takes the protocol's value from the study config."""

    p0: float | None = None
    p1: float | None = None
    alpha: float | None = None
    sides: int | None = None
    power: float | None = None
    dropout: float | None = None


def scenario(config: StudyConfig, o: DesignOptions) -> str:
    """The what-if inputs that differ from the protocol, as the page, the figures and the slides say them
    ("H0 ORR 25% (protocol 21%)"); "" when every input is the protocol's. A scenario is labelled as one
    wherever it appears, so it is never read as the protocol."""
    d = config.design
    fmt = {"p0": ("H0 ORR", "{:.0%}"), "p1": ("H1 ORR", "{:.0%}"), "alpha": ("α", "{:g}"), "sides": (N_("sides"), "{}"),
           "power": (N_("power"), "{:.0%}"), "dropout": (N_("dropout"), "{:.0%}")}
    parts = []
    for k, (name, f) in fmt.items():
        v = getattr(o, k)
        if v is not None and abs(float(v) - float(getattr(d, k))) > 1e-9:
            parts.append(_("{name} {value} (protocol {protocol})").format(name=_(name), value=f.format(v),
                                                                        protocol=f.format(getattr(d, k))))
    return _("What-if scenario: {changes}").format(changes=", ".join(parts)) if parts else ""


def inputs(config: StudyConfig, o: DesignOptions) -> Design:
    """The protocol's design with the what-if values of ``o`` put in."""
    changed = {k: getattr(o, k) for k in ("p0", "p1", "alpha", "sides", "power", "dropout") if getattr(o, k) is not None}
    return replace(config.design, **changed)


@lru_cache(maxsize=64)
def simon_designs(p0: float, p1: float, alpha_one: float, power: float) -> tuple[SimonDesign | None, SimonDesign | None]:
    """Simon optimal and minimax designs with n ≤ 100 (one search for both)."""
    cand = simon_candidates(p0, p1, alpha_one, power, SIMON_N_MAX)
    if cand.empty:
        return None, None
    return (simon_two_stage(p0, p1, alpha_one, power, "optimal", candidates=cand),
            simon_two_stage(p0, p1, alpha_one, power, "minimax", candidates=cand))


def _simon(x: Design):
    return simon_designs(round(x.p0, 4), round(x.p1, 4), round(x.alpha_one, 6), round(x.power, 4))


@analysis(N_("Sample size (one-sample proportion test, normal approximation)"))
def sample_size(cut: DataCut, config: StudyConfig, options: DesignOptions) -> Result:
    """The protocol's formula (Chow et al. 2008 §4.1), the dropout inflation, and what the normal
    test's rule really delivers on the binomial distribution."""
    x = inputs(config, options)
    n = normal_sample_size(x.p0, x.p1, x.alpha, x.power, x.sides)
    n_raw = normal_sample_size_exact_value(x.p0, x.p1, x.alpha, x.power, x.sides)
    n_enrol = with_dropout(n, x.dropout)
    k = normal_test_critical(n, x.p0, x.alpha, x.sides)
    d = config.design
    values = {"p0": f"{x.p0:.0%}", "p1": f"{x.p1:.0%}", "sided": _("two-sided") if x.sides == 2 else _("one-sided"),
              "alpha": f"{x.alpha:g}", "power": f"{x.power:.0%}", "n_raw": f"{n_raw:.1f}", "n": n,
              "dropout": f"{x.dropout:.0%}", "keep": f"{1 - x.dropout:g}", "n_enrol": n_enrol,
              "p_evaluable": d.n_evaluable, "p_enrolled": d.n_enrolled}
    if (n, n_enrol) == (d.n_evaluable, d.n_enrolled):
        text = _("With H0 {p0} and H1 {p1}, a {sided} α of {alpha} and power {power}, the formula gives n = {n_raw} → "
                 "**{n} evaluable**; with {dropout} dropout, ⌈{n}/{keep}⌉ = **{n_enrol} enrolled**. These are the "
                 "protocol's numbers.").format(**values)
    else:
        text = _("With H0 {p0} and H1 {p1}, a {sided} α of {alpha} and power {power}, the formula gives n = {n_raw} → "
                 "**{n} evaluable**; with {dropout} dropout, ⌈{n}/{keep}⌉ = **{n_enrol} enrolled**. (The protocol: "
                 "{p_evaluable} evaluable, {p_enrolled} enrolled.)").format(**values)
    numbers = {"Evaluable patients": n, "Enrolled (with dropout)": n_enrol, "Unrounded n": round(n_raw, 2),
               "Responders to reject H0": _("≥ {k} of {n}").format(k=k, n=n),
               "Actual one-sided α": round(float(stats.binom.sf(k - 1, n, x.p0)), 4),
               "Actual power": round(float(stats.binom.sf(k - 1, n, x.p1)), 3)}
    return Result("", numbers, {}, None, (text, _("Protocol: {design}").format(design=design_sentence(config))))


@analysis(N_("Exact and two-stage designs"))
def designs(cut: DataCut, config: StudyConfig, options: DesignOptions) -> Result:
    """The normal test's rule, the exact single-stage design (A'Hern 2001) and Simon's optimal and
    minimax designs (Simon 1989), each with its actual α, power, EN(p0) and PET(p0)."""
    x = inputs(config, options)
    n = normal_sample_size(x.p0, x.p1, x.alpha, x.power, x.sides)
    k = normal_test_critical(n, x.p0, x.alpha, x.sides)
    exact = exact_single_stage(x.p0, x.p1, x.alpha_one, x.power)
    opt, mmx = _simon(x)
    sf = lambda r, p: float(stats.binom.sf(r - 1, n, p))  # noqa: E731
    what_if = scenario(config, options)
    rows = [{"Design": N_("Normal test (what-if)") if what_if else N_("Normal test (protocol)"), "Rule": _("reject H0 with ≥ {k} of {n}").format(k=k, n=n), "Max n": n,
             "EN(p0)": float(n), "PET(p0)": 0.0, "Actual α (one-sided)": sf(k, x.p0), "Actual power": sf(k, x.p1)},
            {"Design": N_("Exact single-stage"), "Rule": _("reject H0 with > {r} of {n}").format(r=exact.r, n=exact.n),
             "Max n": exact.n,
             "EN(p0)": float(exact.n), "PET(p0)": 0.0, "Actual α (one-sided)": exact.alpha, "Actual power": exact.power}]
    for dz in (opt, mmx):
        if dz is not None:
            rows.append({"Design": f"Simon {dz.design}", "Rule": f"r1/n1 = {dz.r1}/{dz.n1}, r/n = {dz.r}/{dz.n}",
                         "Max n": dz.n, "EN(p0)": dz.en0, "PET(p0)": dz.pet0, "Actual α (one-sided)": dz.alpha,
                         "Actual power": dz.power})
    notes = []
    if opt is None:
        notes.append(_("No Simon two-stage design with n ≤ {n} meets these constraints.").format(n=SIMON_N_MAX))
    if sf(k, x.p0) > x.alpha_one:
        r_exact = int(exact_single_stage_table(x.p0, x.p1, x.alpha_one, n, n)["r"].iloc[0]) + 1
        notes.append(_("Evaluated on the binomial distribution, the normal-approximation rule (≥ {k} of {n}) has a "
                       "one-sided type I error of {alpha}, above the nominal {nominal}. The exact test at the same n needs "
                       "≥ {r} responders (one-sided α {alpha_exact}, power {power_exact}). The study is decided by the "
                       "protocol's prespecified test ({test}, from the study config); the Response page shows the other as "
                       "a sensitivity analysis.").format(
            k=k, n=n, alpha=f"{sf(k, x.p0):.1%}", nominal=f"{x.alpha_one:.1%}", r=r_exact,
            alpha_exact=f"{sf(r_exact, x.p0):.1%}", power_exact=f"{sf(r_exact, x.p1):.0%}",
            test=_(TEST_METHODS[config.design.method])))
    saw = exact_single_stage_table(x.p0, x.p1, x.alpha_one, max(exact.n - 4, 1), exact.n + 8)
    saw["qualifies"] = np.where(saw["power"] >= x.power, N_("yes"), N_("no"))
    failing = saw[(saw["n"] > exact.n) & (saw["qualifies"] == "no")]["n"].tolist()
    table = pd.DataFrame(rows)
    numbers = {r["Design"]: r["Rule"] for r in rows}
    # as the screen and a slide show it: α to four decimals, power three, EN one, PET two (never 0.0332929750674658)
    shown = table.round({"EN(p0)": 1, "PET(p0)": 2, "Actual α (one-sided)": 4, "Actual power": 3})
    return Result(what_if, numbers, {"designs": table, "designs_shown": shown, "saw": saw}, None, tuple(notes),
                  detail=failing)


def _oc_designs(x: Design):
    n = normal_sample_size(x.p0, x.p1, x.alpha, x.power, x.sides)
    exact = exact_single_stage(x.p0, x.p1, x.alpha_one, x.power)
    return n, exact, [d for d in _simon(x) if d is not None]


def _ctx(cut, config, options, x: Design):
    what_if = scenario(config, options)
    return figure_context(cut, config, options, _("Design") if not what_if else _("What-if design, not the protocol"),
                          _("ORR, H0 {p0} vs H1 {p1}").format(p0=f"{x.p0:.0%}", p1=f"{x.p1:.0%}"), note=what_if)


@analysis(N_("Power against the true ORR"))
def power_curve(cut: DataCut, config: StudyConfig, options: DesignOptions) -> Result:
    x = inputs(config, options)
    n, exact, simon = _oc_designs(x)
    oc = operating_characteristics(np.round(np.arange(0.0, 0.7001, 0.01), 4), n, x.p0, x.alpha, x.sides, exact, simon)
    fig = power_curve_figure(oc, x.p0, x.p1, x.alpha_one, x.power, _ctx(cut, config, options, x))
    at_p1 = oc.iloc[(oc["true ORR"] - x.p1).abs().argmin()]
    return Result("", {f"Power at H1, {c}": round(float(at_p1[c]), 3) for c in oc.columns[1:] if not c.startswith(("EN", "PET"))},
                  {"curve": oc.round(4)}, fig)


@analysis(N_("Power against the number of patients"))
def power_by_n(cut: DataCut, config: StudyConfig, options: DesignOptions) -> Result:
    x = inputs(config, options)
    n, exact, _ = _oc_designs(x)
    tab = exact_single_stage_table(x.p0, x.p1, x.alpha_one, max(5, n // 3), max(2 * n, exact.n + 10))
    normal_pw = np.array([normal_test_power(int(k), x.p0, x.p1, x.alpha, x.sides) for k in tab["n"]])
    fig = power_vs_n_figure(tab, normal_pw, x.power, exact.n, _ctx(cut, config, options, x))
    return Result("", {"Exact design n": exact.n}, {"table": tab.round(4)}, fig)


#: Headers of the exact single-stage tables (saw-tooth, power by n) for the data's r, alpha and power (n stays n).
EXACT_HEADERS = {"r": N_("reject if >"), "alpha": N_("actual α"), "power": N_("actual power")}


@analysis(N_("Operating characteristics"))
def operating_chars(cut: DataCut, config: StudyConfig, options: DesignOptions) -> Result:
    """P(declaring the treatment promising) at true ORRs 10–60% for every design; EN and PET for Simon."""
    x = inputs(config, options)
    n, exact, simon = _oc_designs(x)
    oc = operating_characteristics(np.round(np.arange(0.10, 0.6001, 0.05), 2), n, x.p0, x.alpha, x.sides, exact, simon)
    show = oc.copy()
    for col in show.columns[1:]:
        show[col] = show[col].map(lambda v: f"{v:.1f}" if v > 1.5 else f"{v:.1%}")
    show["true ORR"] = show["true ORR"].map(lambda v: f"{v:.0%}")
    return Result("", {"True ORRs": len(oc)}, {"oc": oc, "display": show}, None)


PRIORS = {"weak": N_("Beta(2·p0, 2·(1−p0))"), "jeffreys": N_("Jeffreys Beta(0.5, 0.5)"), "uniform": N_("Uniform Beta(1, 1)")}
#: How likely success is, by the predictive probability (≥ 0.9, 0.6, 0.3, 0.05, below).
READINGS = (N_("very likely"), N_("likely"), N_("uncertain"), N_("unlikely"), N_("very unlikely"))


@dataclass(frozen=True)
class InterimOptions(DesignOptions):
    prior: str = "weak"  # weak (centred on H0, worth two patients), jeffreys or uniform
    criterion: str = "exact"  # "exact": the protocol's test rejects H0; "bayes": posterior > theta
    theta: float = 0.95


@analysis(N_("Interim monitoring on this data cut"))
def interim(cut: DataCut, config: StudyConfig, options: InterimOptions) -> Result:
    """Posterior, Lee & Liu predictive probability and conditional power on the whole study's
    response-evaluable patients a rate counts now — those too early to assess wait (never a
    filtered subgroup)."""
    x = inputs(config, options)
    d = config.design
    rules = config.response
    whole = response_derivation(cut, rules, rules.confirmed_default, True)
    pe = primary_endpoint(cut.tables["adsl"], whole.bor, d)
    x_resp, n_obs = pe.responders, pe.evaluable  # the decision's own counts: too early to assess left out
    prior = {"weak": (2 * x.p0, 2 * (1 - x.p0)), "jeffreys": (0.5, 0.5), "uniform": (1.0, 1.0)}[options.prior]
    needed = pe.rule.critical
    mon = monitor(x_resp, n_obs, d.n_evaluable, x.p0, x.p1, needed, prior,
                  options.theta if options.criterion == "bayes" else None)
    goal = (_("the protocol's test ({test}) rejects H0 with ≥ {k} of {n}").format(test=_(pe.rule.name), k=needed,
                                                                                 n=d.n_evaluable)
            if options.criterion == "exact" else
            _("the final posterior P(ORR > {p0}) exceeds {theta}").format(p0=f"{x.p0:.0%}", theta=f"{options.theta:g}"))
    pp = mon.predictive_prob
    reading = _(READINGS[0 if pp >= 0.9 else 1 if pp >= 0.6 else 2 if pp >= 0.3 else 3 if pp >= 0.05 else 4])
    text = _("**Reading:** with {x} responders among {n} response-evaluable patients so far, the probability that the ORR exceeds {p0} is "
             "{posterior}; if the study goes on to {n_max} evaluable patients, success ({goal}) is **{reading}** "
             "(predictive probability {pp}). Patients without a confirmed response yet may still respond, so early "
             "counts understate the final one.").format(
        x=x_resp, n=n_obs, p0=f"{x.p0:.0%}", posterior=f"{mon.posterior_prob:.0%}", n_max=d.n_evaluable, goal=goal,
        reading=reading, pp=f"{pp:.0%}")
    not_yet = not_yet_assessed(whole.bor, evaluable_subjects(cut.tables["adsl"]))
    numbers = {"Responders": x_resp, "Evaluable so far": n_obs, "Too early to assess": not_yet,
               "Needed at the final analysis": _("≥ {k} of {n}").format(k=needed, n=d.n_evaluable),
               "Posterior P(ORR > p0)": round(mon.posterior_prob, 4), "Predictive probability": round(pp, 4),
               "Conditional power at H1": round(mon.conditional_power_h1, 4),
               "Conditional power at the observed rate": round(mon.conditional_power_observed, 4)}
    return Result("", numbers, {}, None, (text,), detail=mon)


@analysis(N_("Two-arm sample size"))
def two_arm_sample_size(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """A randomized design's size: events for the target HR (Schoenfeld 1983) and the patients that
    yield them under exponential survival, uniform accrual and the planned follow-up (Lachin & Foulkes
    1986), inflated for dropout; for a response endpoint, patients per arm for the two rates (R
    ``power.prop.test``). With the data cut: the events so far (the information fraction)."""
    from components.analyses.survival import endpoint_rows
    from components.stats.comparative import event_probability, schoenfeld_events, two_proportions_n

    d = config.two_arm
    if d is None:
        return Result("", {}, {}, None, (_("No two-arm design ([design] type = \"two-arm\") in the study config."),))
    rows, numbers = [], {}
    if d.endpoint.upper() == "ORR" and d.p_control is not None and d.p_experimental is not None:
        n = two_proportions_n(d.p_experimental, d.p_control, d.alpha, d.power, d.sides)
        total = 2 * int(np.ceil(n)) / (1 - d.dropout)
        rows += [(N_("Method"), _("two proportions, {control} vs {experimental} (R power.prop.test)").format(
                      control=f"{d.p_control:.0%}", experimental=f"{d.p_experimental:.0%}")),
                 (N_("Patients per arm"), f"{n:.1f} → {int(np.ceil(n))}"),
                 (N_("Patients in total, with dropout"), f"{int(np.ceil(total))}")]
        numbers = {"Patients per arm": int(np.ceil(n)), "Patients in total": int(np.ceil(total))}
    elif d.hr is not None:
        events = schoenfeld_events(d.hr, d.alpha, d.power, d.sides, d.allocation)
        rows += [(N_("Method"), _("log-rank, HR {hr}, {sided} α = {alpha}, power {power}, {allocation} randomized to the "
                              "experimental arm (Schoenfeld 1983)").format(
                      hr=f"{d.hr:g}", sided=_("two-sided") if d.sides == 2 else _("one-sided"), alpha=f"{d.alpha:g}",
                      power=f"{d.power:.0%}", allocation=f"{d.allocation:.0%}")),
                 (N_("Events needed"), f"{events:.1f} → {int(np.ceil(events))}")]
        numbers["Events needed"] = int(np.ceil(events))
        if d.control_median_months and d.accrual_months is not None and d.followup_months is not None:
            pe = event_probability(d.control_median_months, d.hr, d.accrual_months, d.followup_months, d.allocation)
            patients = np.ceil(events) / pe / (1 - d.dropout)
            rows += [(N_("P(event by the analysis)"), _("{p} (control median {median} months, accrual {accrual} + follow-up "
                                                     "{followup} months, exponential)").format(
                          p=f"{pe:.3f}", median=f"{d.control_median_months:g}", accrual=f"{d.accrual_months:g}",
                          followup=f"{d.followup_months:g}")),
                     (N_("Patients, with dropout"), _("{n} ({dropout} dropout)").format(n=int(np.ceil(patients)),
                                                                                 dropout=f"{d.dropout:.0%}"))]
            numbers["Patients needed"] = int(np.ceil(patients))
        data, origin = endpoint_rows(cut, config, options, d.endpoint.upper())
        if origin and cut.has("adsl"):
            so_far = int(data["EVENT"].sum())
            target = d.events_planned or int(np.ceil(events))
            rows.append((N_("Events so far (whole study)"), _("{n} of {target} ({fraction} information)").format(
                n=so_far, target=target, fraction=f"{so_far / target:.0%}")))
            numbers["Events so far"] = so_far
    if d.n_planned:
        rows.append((N_("Protocol's planned total"), str(d.n_planned)))
    table = pd.DataFrame(rows, columns=["Item", "Value"])
    return Result("", numbers, {"design": table}, None,
                  (_("Primary endpoint {endpoint}; the comparison is against {arm}.").format(
                      endpoint=d.endpoint, arm=config.reference_arm),))


@analysis(N_("Interim monitoring"))
def interim_boundaries(cut: DataCut, config: StudyConfig, options: Options, previous: DataCut | None = None) -> Result:
    """The randomized design's group-sequential efficacy boundaries (Lan–DeMets alpha spending,
    :mod:`components.stats.group_sequential`; rpact's ``getDesignGroupSequential``) at the planned looks,
    and, for this cut (and the comparison cut), the observed information fraction (events in the
    efficacy population / planned events) with the observed z of the primary comparison (the
    stratified log-rank where the config names strata, signed so that positive favours the
    experimental arm) against the boundary the spending function gives at that fraction."""
    from components.analyses.survival import SurvivalOptions, default_view, kaplan_meier_endpoint
    from components.figures.design_plots import monitoring_figure
    from components.stats.group_sequential import SPENDING, boundaries

    d = config.two_arm
    if d is None or not d.looks or not d.events_planned or d.endpoint.upper() not in ("PFS", "OS"):
        return Result(_("Interim monitoring"), {}, {}, None,
                      (_("The study config gives no interim looks ([design] looks and events_planned) for a "
                         "time-to-event primary endpoint."),))
    planned = boundaries(d.looks, d.alpha, d.sides, d.spending)
    looks, notes = [], []
    for label, c in ((_("previous cut"), previous), (_("this cut"), cut)):
        if c is None or not c.has("adsl"):
            continue
        population, arm = default_view(config, c.tables["adsl"])
        km = kaplan_meier_endpoint(c, config, SurvivalOptions(endpoint=d.endpoint.upper(), population=population,
                                                              group_by=arm, filters=options.filters))
        cmp = km.detail.comparison if km.detail is not None else None
        if cmp is None or not len(cmp.hazard_ratios) or km.detail.km is None:
            continue
        h = cmp.hazard_ratios.iloc[0]
        events = int(km.detail.km.events)
        fraction = events / d.events_planned
        strat = km.detail.stratified
        chisq = strat.logrank.chisq if strat is not None else cmp.logrank_chisq
        z = float(np.sqrt(chisq)) * (1.0 if float(h["hr"]) < 1 else -1.0)
        earlier = [x for x in d.looks if x < fraction - 1e-9]
        at = min(fraction, 1.0)
        bound = boundaries([*earlier, at], d.alpha, d.sides, d.spending).critical_values[-1]
        crossed = z >= bound
        looks.append({"FRACTION": at, "BOUND": bound, "Z": z, "EVENTS": events,
                      "LABEL": f"{label}: z = {z:.2f}", "CROSSED": crossed, "CUT": label, "EXP": str(h["level"]),
                      "REF": str(h["reference"]), "STRATIFIED": strat is not None})
    looks_df = pd.DataFrame(looks, columns=["FRACTION", "BOUND", "Z", "EVENTS", "LABEL", "CROSSED", "CUT", "EXP", "REF",
                                            "STRATIFIED"])
    table = pd.DataFrame({
        N_("Look"): [f"{i + 1}" for i in range(len(planned.information_rates))],
        N_("Information fraction"): [f"{t:.0%}" for t in planned.information_rates],
        N_("Events"): [int(np.ceil(t * d.events_planned)) for t in planned.information_rates],
        N_("Efficacy boundary (z)"): [f"{c:.3f}" for c in planned.critical_values],
        N_("Nominal p"): [f"{p:.4f}" for p in planned.nominal_p],
        N_("Cumulative α spent"): [f"{a:.4f}" for a in planned.alpha_spent]})
    numbers = {"Spending": SPENDING[d.spending], "Looks": len(d.looks)}
    fig = None
    if len(looks_df):
        now = looks_df.iloc[-1]
        numbers.update({"Information fraction": round(float(now["FRACTION"]), 3), "Observed z": round(float(now["Z"]), 3),
                        "Boundary at this look": round(float(now["BOUND"]), 3)})
        notes.append(_("At {events} of {planned} planned events (information {fraction}), the efficacy boundary is z ≥ "
                       "{bound}; the observed z is {z} ({test}): {verdict}.").format(
            events=int(now["EVENTS"]), planned=d.events_planned, fraction=f"{now['FRACTION']:.1%}",
            bound=f"{now['BOUND']:.3f}", z=f"{now['Z']:.3f}",
            test=_("stratified log-rank") if now["STRATIFIED"] else _("log-rank"),
            verdict=_("the boundary is crossed") if now["CROSSED"] else _("the boundary is not crossed")))
        ctx = figure_context(cut, config, options, _("Efficacy population"), d.endpoint.upper(),
                             note=_("{spending} alpha spending, {sided} α = {alpha}").format(
                                 spending=_(SPENDING[d.spending]),
                                 sided=_("two-sided") if d.sides == 2 else _("one-sided"), alpha=f"{d.alpha:g}"))
        fig = monitoring_figure(pd.DataFrame({"FRACTION": planned.information_rates, "BOUND": planned.critical_values}),
                                looks_df, d.sides, ctx, _("Interim monitoring: {endpoint}").format(
                                    endpoint=d.endpoint.upper()), str(now["EXP"]), str(now["REF"]))
    notes.append(_("Boundaries by Lan–DeMets alpha spending ({spending}) at the planned looks; at an observed look the "
                   "spending function is evaluated at the observed fraction, after the planned looks before it "
                   "(checked against R's rpact).").format(spending=_(SPENDING[d.spending])))
    shown = pd.DataFrame({N_("Data cut"): looks_df["CUT"], N_("Events"): looks_df["EVENTS"],
                          N_("Information fraction"): [f"{x:.1%}" for x in looks_df["FRACTION"]],
                          N_("Efficacy boundary (z)"): [f"{x:.3f}" for x in looks_df["BOUND"]],
                          N_("Observed z"): [f"{x:.3f}" for x in looks_df["Z"]],
                          N_("Boundary crossed"): [_("yes") if x else _("no") for x in looks_df["CROSSED"]]})
    return Result(_("Interim monitoring"), numbers, {"boundaries": table, "looks": looks_df, "looks_shown": shown}, fig,
                  tuple(notes))
