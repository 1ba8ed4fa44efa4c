"""Survival: Kaplan–Meier for PFS, OS and DoR with number at risk, medians, landmarks, subgroups."""

import streamlit as st

from components.analyses.arms import arm_column
from components.analyses.survival import (
    ForestOptions,
    SurvivalOptions,
    cut_endpoints,
    forest,
    forest_arms,
    group_candidates,
    kaplan_meier_endpoint,
    populations,
)
from components.figures.safe_text import md
from components.i18n import _
from components.stats.pvalues import p_value_text
from components.ui import widgets

s = widgets.page_header(_("Survival"), needs=("adsl",))
if s is None:
    st.stop()
cfg, sv = s.config, s.config.survival
adsl = s.view.tables["adsl"]

c1, c2, c3, c4 = st.columns([2.2, 1.3, 1.6, 1.8])
eps = {e.code: e for e in cut_endpoints(s.cut)}  # the sponsor's ADTTE parameters, and what the app can derive
if not eps:
    st.info(_("This cut has no time-to-event endpoint: no ADTTE, and no ADRS to derive PFS or DoR from."))
    st.stop()
if st.session_state.get("surv_endpoint") not in eps:  # another cut's endpoint: start from this cut's first
    st.session_state.pop("surv_endpoint", None)
about = _("The endpoints of this cut: {list}. From the sponsor's ADTTE where it has them; otherwise derived by the app, "
          "as the note under the plot says.").format(list="; ".join(f"{e.short}: {e.label}" for e in eps.values()))
if len(eps) <= 3:  # buttons; more would overflow at 1024 px: a list naming each
    endpoint = c1.segmented_control(_("Endpoint"), list(eps), format_func=lambda c: eps[c].short,
                                    default=next(iter(eps)), key="surv_endpoint", help=about) or next(iter(eps))
else:
    endpoint = c1.selectbox(_("Endpoint"), list(eps), key="surv_endpoint", help=about,
                            format_func=lambda c: eps[c].short if eps[c].short == eps[c].label
                            else f"{eps[c].short} · {eps[c].label}")
conf_type = c2.selectbox(_("95% CI transform"), ["log-log", "log", "plain"],
                         index=["log-log", "log", "plain"].index(sv.conf_type), key="surv_conf",
                         help=_("Pointwise CI from Greenwood's variance. log-log: SAS and lifelines default; log: R's "
                                "survfit default; plain: linear. The median's CI (Brookmeyer–Crowley) uses the same "
                                "one."))
pops = populations(cfg, adsl)
population = c3.radio(_("Population"), list(pops), horizontal=True, key="surv_pop", format_func={k: _(v) for k, v in pops.items()}.get,
                      help=_("Randomized studies: efficacy in the intent-to-treat population by planned arm; safety "
                             "population by actual arm."))
candidates = group_candidates(adsl)
arm = arm_column(cfg, adsl, population)
choices = ["(none)", *candidates]
group_by = c4.selectbox(_("Compare"), choices, index=choices.index(arm) if arm in choices else 0,
                        key=f"surv_group_{arm}", format_func={**{c: widgets.column_name(c) for c in choices},
                                                              "(none)": _("(none)")}.get,
                        help=_("The arms (randomized studies: against the reference arm of the study config), or any "
                               "categorical ADSL column: one curve each, log-rank test and Cox hazard ratio."))

o1 = o2 = o3 = o4 = o5 = widgets.control_row()  # wraps; fixed columns cut "Events and cens…" at 1400 px
show_ci = o1.toggle(_("CI band"), value=group_by == "(none)", key=f"surv_ci_{group_by == '(none)'}",
                    help=_("On by default for one curve; off when groups are compared, where bands overlap."))
y_pct = o2.toggle(_("Y axis in %"), value=True, key="surv_pct")
kmunicate = o3.toggle(_("Events and censored"), value=True, key="surv_kmunicate",
                      help=_("KMunicate table under the plot (Morris et al., BMJ Open 2019): at risk, cumulative events "
                             "and cumulative censored at each tick, adding up to N. Off: number at risk only."))
tick = o4.number_input(_("X tick (months)"), min_value=1, max_value=12, value=int(sv.tick_months), key="surv_tick",
                       width=140)
landmarks = o5.multiselect(_("Landmarks (months)"), [3, 6, 9, 12, 18, 24, 36], default=[int(m) for m in sv.landmark_months],
                           key="surv_landmarks", width=260)

res = widgets.run(kaplan_meier_endpoint, s, s.options(
    SurvivalOptions, endpoint=endpoint, population=population, group_by=None if group_by == "(none)" else group_by,
    conf_type=conf_type, show_ci=show_ci, y_percent=y_pct, risk_table="kmunicate" if kmunicate else "at_risk", tick_months=float(tick),
    landmarks=tuple(float(x) for x in landmarks)))
d = res.detail
if not d.origin:
    st.info(res.notes[0])
    st.stop()
for note in res.notes:
    st.info(note)
if res.figure is None:
    st.info((_("No patient in this population has {endpoint} data (no responders yet).") if endpoint == "DOR"
             else _("No patient in this population has {endpoint} data.")).format(endpoint=eps[endpoint].label))
    st.stop()

# headline numbers
m = widgets.metric_row(4)
m[0].metric(_("Patients"), res.numbers["Patients"])
m[1].metric(_("Events"), res.numbers["Events"], help=_(eps[endpoint].events_are))
pooled = d.comparison is not None  # groups are compared: the headline median is of them all together
m[2].metric(_("Pooled median, months (95% CI)") if pooled else _("Median, months (95% CI)"),
            res.numbers["Median, months (95% CI)"],
            help=(_("All groups together, not any arm's: each group's median is in the table below. ") if pooled else "")
            + _("Brookmeyer–Crowley, {transform} transform, as R survfit.").format(transform=conf_type))
fu = res.numbers["Median follow-up, months"]
m[3].metric(_("Median follow-up, months"), f"{fu:.1f}" if fu is not None else "NR",
            help=_("Reverse Kaplan–Meier (censoring as the event)."))
widgets.show_figure(res, f"km_{endpoint}", data=res.tables["at_risk"], filename=f"km_{endpoint.lower()}",
                    data_label=_("At risk, events and censored at each tick (CSV)"))

st.subheader(_("Numbers"))
widgets.table(res.tables["numbers"], width="stretch")
st.caption(_("Landmark rates with pointwise 95% CI ({transform}); n.e. = not estimable (follow-up shorter than the "
             "landmark, or a log-log interval while no event has happened); NR = not reached.").format(transform=conf_type))
widgets.csv_download(res.tables["numbers"], f"{endpoint.lower()}_numbers.csv", _("Download the numbers (CSV)"),
                     key="dl_surv_numbers")
widgets.table_to_deck(f"surv_numbers_{endpoint}", _("{title}: numbers").format(title=res.title), res.tables["numbers"], res)

cmp = d.comparison
if cmp is not None:
    group_label = d.group_label or group_by
    st.subheader(_("Comparison by {group}").format(group=group_label))
    small = [str(r["Group"]) for _i, r in res.tables["numbers"].iterrows() if r["N"] < sv.small_group_n]
    if small:
        st.warning(_("Small groups ({groups}: fewer than {n} patients): the log-rank test and hazard ratios are unstable "
                     "and exploratory.").format(groups=md(", ".join(small)), n=sv.small_group_n))
    st.markdown(_("Log-rank test: χ² = {chisq} on {df} df, **{p}**").format(
        chisq=f"{cmp.logrank_chisq:.2f}", df=cmp.df, p=p_value_text(cmp.logrank_p))
                + (f" ({widgets.SUBGROUP_TAG})" if s.filtered else "") + ".")
    if "hazard_ratios" in res.tables:
        hr = res.tables["hazard_ratios"].rename(columns={"p-value (Wald test)": widgets.p_label(s, _("p-value (Wald test)"))})
        widgets.table(hr, width="stretch")
        widgets.table_to_deck(f"surv_hr_{endpoint}", _("{title}: hazard ratios").format(title=res.title), hr, res)
        st.caption(_("Cox proportional-hazards model per group against the reference (Efron ties, as R coxph). An HR is "
                     "not estimable when a group has no events."))
    if "stratified" in res.tables:
        st.markdown(_("**Stratified by the randomization factors** (the protocol's primary comparison)"))
        widgets.table(res.tables["stratified"], width="stretch")
        widgets.table_to_deck(f"surv_strat_{endpoint}", _("{title}: stratified comparison").format(title=res.title),
                              res.tables["stratified"], res)
    widgets.subgroup_caption(s)
    if not cfg.single_arm and group_by == arm:
        with widgets.guard(_("Subgroup forest plot")):
            st.subheader(_("Subgroups"))
            versus = forest_arms(cfg, adsl, population) or [None]
            for exp in versus:  # k arms: one forest plot for each arm against the reference
                fo = widgets.run(forest, s, s.options(ForestOptions, endpoint=endpoint, population=population,
                                                      experimental=exp))
                if fo.figure is not None:
                    tag = f"{endpoint}_{versus.index(exp)}" if len(versus) > 1 else endpoint
                    widgets.show_figure(fo, f"forest_{tag}", data=fo.tables["forest"], filename=f"forest_{tag.lower()}")
                st.caption(" ".join(fo.notes))
elif cfg.single_arm:
    st.caption(_("Single-arm study: no hazard ratio or p-value on the main curve; choose a subgroup to compare."))
