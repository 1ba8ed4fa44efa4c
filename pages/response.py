"""Response: ORR against H0 (the primary endpoint), the response table, waterfall and spider plots."""

import streamlit as st

from components.analyses.arms import efficacy_population, efficacy_populations
from components.analyses.response import (
    POPULATIONS,
    ArmsOptions,
    ResponseOptions,
    SpiderOptions,
    WaterfallOptions,
    response_by_arm,
    response_overview,
    spider,
    waterfall,
    wide_headers,
)
from components.figures.response_plots import COLOR_BY
from components.figures.safe_text import md
from components.i18n import _
from components.stats.pvalues import p_text
from components.stats.recist import cr_then_pr_text
from components.ui import widgets

s = widgets.page_header(_("Response (RECIST 1.1)"), needs=("adsl", "adrs"))
if s is None:
    st.stop()

cfg, rules, design = s.config, s.config.response, s.config.design

c1 = c2 = c3 = widgets.control_row("top")
# labels translated now (a format_func may also be called outside this run, e.g. by AppTest)
population = c1.radio(_("Population"), list(POPULATIONS), format_func={k: _(v) for k, v in POPULATIONS.items()}.get,
                      horizontal=True,
                      key="resp_pop",
                      help=_("Response-evaluable: EFFFL = Y (the primary analysis). All treated: SAFFL = Y."))
confirmed = c2.toggle(_("Confirmed responses"), value=rules.confirmed_default, key="resp_confirmed",
                      help=_("CR/PR count only when confirmed by a later assessment ≥{days} days after (RECIST 1.1 for "
                             "single-arm trials with response as the primary endpoint).").format(
                          days=rules.confirmation_min_days))
source = "adrs"
if s.cut.tables["adrs"]["PARAMCD"].isin(["CBOR" if confirmed else "BOR"]).any():
    source = c3.radio(_("Best overall response from"), ["adrs", "derived"], horizontal=True, key="resp_source",
                      format_func={"adrs": _("ADRS ({param} as given)").format(param="CBOR" if confirmed else "BOR"),
                                   "derived": _("The app's derivation")}.get,
                      help=_("ADRS values are used when present; the table below lists where the app's RECIST "
                             "derivation disagrees with them."))
common = {"population": population, "confirmed": confirmed, "source": source}
res = widgets.run(response_overview, s, s.options(ResponseOptions, **common))
d = res.detail
orr, pe, n = d.orr, d.decision, d.orr.n

# ---------------------------------------------------------------- primary endpoint
with widgets.guard(_("The primary endpoint")):
    st.subheader(_("Objective response rate — primary endpoint") if pe is not None else _("Objective response rate"))
    m = widgets.metric_row(4)
    m[0].metric("ORR", f"{res.numbers['ORR (%)']:.1f}%" if n else "—",
                help=_("CR + PR, confirmed") if confirmed else _("CR + PR, unconfirmed"))
    m[1].metric(_("Responders / {population}").format(population=_(POPULATIONS[population]).lower()), f"{orr.k} / {n}")
    m[2].metric(_("95% CI (exact)"), f"{res.numbers['95% CI low (%)']:.1f}–{res.numbers['95% CI high (%)']:.1f}%" if n else "—",
                help="Clopper–Pearson")
    if d.not_yet_sentence():  # the denominator leaves out patients too early to assess: say so, with both
        st.info(md(d.not_yet_sentence()), icon=":material/schedule:")
    if d.comparison_sentence():  # the sponsor's BOR and the app's derivation disagree: both, here, not in a tab
        box = st.warning if d.given_orr.k != d.derived_orr.k else st.info  # a different ORR, or only CR/PR or SD/PD
        box(md(d.comparison_sentence()), icon=":material/compare_arrows:")
    if pe is None:
        st.info(_("The study config for {study} gives no single-arm response design: the ORR is shown with its exact CI, "
                  "without a test against H0 or a decision rule.").format(study=md(cfg.id)))
    else:
        sided = (_("The protocol's test: {name}, two-sided α = {alpha}.") if design.sides == 2
                 else _("The protocol's test: {name}, one-sided α = {alpha}."))
        m[3].metric(widgets.p_label(s, _("p vs H0 {p0}").format(p0=f"{design.p0:.0%}")),
                    p_text(orr.test.p_value) if n else "—", help=sided.format(name=orr.test.name, alpha=f"{design.alpha:g}"))
        st.markdown(pe.sentence())
        t = pe.test
        if t.n:
            stat = f"z = {t.statistic:.2f}, " if t.method == "normal" else ""
            now = (_("The protocol's test now, whole study ({k}/{n}): {name}, {stat}{p} — **{verdict}**.")
                   if t.n >= pe.rule.n else
                   _("The protocol's test now, whole study ({k}/{n}): {name}, {stat}{p} — **{verdict}** (interim look: "
                     "{n} of the {planned} planned evaluable patients)."))
            st.markdown(now.format(k=t.k, n=t.n, name=t.name, stat=stat, p=t.p_text, verdict=t.verdict,
                                   planned=pe.rule.n))
        st.caption(pe.sensitivity_sentence())
    if s.filter_text and pe is not None:
        st.caption(_("The decision above is computed on the whole study; the ORR, CI and p-value in the boxes follow the "
                     "sidebar filters ({filters}) and are a subgroup analysis.").format(filters=md(s.filter_text)))
    if confirmed != rules.confirmed_default and pe is not None:
        st.caption(_("The decision uses the protocol's confirmed responses, whatever the toggle above shows.")
                   if rules.confirmed_default else
                   _("The decision uses the protocol's unconfirmed responses, whatever the toggle above shows."))

# ---------------------------------------------------------------- randomized: by arm
if not cfg.single_arm:
    with widgets.guard(_("Response by arm")):
        st.subheader(_("Objective response by arm"))
        arm_pops = efficacy_populations(cfg, s.view.tables["adsl"])
        main_pop = efficacy_population(cfg, s.view.tables["adsl"]) or population
        arm_pop = st.radio(_("Population (by arm)"), list(arm_pops), index=list(arm_pops).index(main_pop),
                           format_func={k: _(v) for k, v in arm_pops.items()}.get, horizontal=True, key="resp_arm_pop",
                           help=_("Efficacy by planned arm in the intent-to-treat population (the protocol's "
                                  "analysis); per-protocol where ADSL flags it (PPROTFL)."))
        ba = widgets.run(response_by_arm, s, s.options(ArmsOptions, population=arm_pop, confirmed=confirmed,
                                                        source=source))
        if "arms" in ba.tables:
            widgets.table(ba.tables["arms"], width="stretch", translate=("Difference vs reference (95% CI)",))
            st.caption(" ".join(ba.notes))
            widgets.subgroup_caption(s)
            widgets.table_to_deck("response_by_arm", _("Objective response by arm"), ba.tables["arms"], ba)
            st.markdown("**" + _("Best overall response by arm") + "**")
            widgets.table(ba.tables["bor_by_arm"], width="content", translate=("Best overall response",))
            widgets.table_to_deck("bor_by_arm", _("Best overall response by arm"), ba.tables["bor_by_arm"], ba)
            widgets.show_code(ba, s)
        else:
            st.caption(" ".join(ba.notes))

# ---------------------------------------------------------------- response table
with widgets.guard(_("The best-overall-response table")):
    st.subheader(_("Best overall response"))
    summary = wide_headers(res.tables["summary_display"])
    widgets.table(summary, width="stretch",
                  column_config={"Category": st.column_config.TextColumn(width="medium")})
    st.caption(" ".join(res.notes))
    widgets.csv_download(res.tables["summary"], "response_summary.csv", _("Download the response table (CSV)"),
                         key="dl_resp_table")
    widgets.table_to_deck("response_table", _("Best overall response (RECIST 1.1)"), summary, res)
    widgets.show_code(res, s)

# ---------------------------------------------------------------- waterfall · spider · listing
# Lazy tabs (widgets.sections): only the open one is drawn, so the page opens with one figure and an
# option of one section re-runs that section alone. The bar cap is shared: set under the waterfall, the
# spider plot uses it too (kept in session state while the other tab is open).
CAP_KEY = "wf_cap"


def waterfall_section() -> None:
    with widgets.guard(_("The waterfall")):
        # one row that wraps on a narrow screen; each control as wide as its label (columns cut the labels)
        w1 = w2 = w3 = w4 = widgets.control_row()
        color_by = w1.segmented_control(_("Colour by"), [c for c in COLOR_BY if c == "BOR" or c in s.cut.tables["adsl"]],
                                        format_func={k: _(v) for k, v in COLOR_BY.items()}.get, default="BOR",
                                        key="wf_color") or "BOR"
        cap = w2.number_input(_("Cap bars at (%)"), min_value=20, max_value=1000, step=20, width=150,
                              **widgets.kept(CAP_KEY, int(rules.waterfall_cap_pct)))
        letters = w3.toggle(_("BOR letters"), key="wf_letters")
        ids = w4.toggle(_("Subject labels"), key="wf_ids")
        new = widgets.new_since_compare(s, "wf_new")
        wf = widgets.run(waterfall, s, s.options(
            WaterfallOptions, **common, color_by=color_by, cap=float(cap), letters=letters, ids=ids,
            highlight=tuple(sorted(new or ())), highlight_label=_("new since {date}").format(date=s.compare.cutoff_text) if new else ""))
        widgets.show_figure(wf, "waterfall", data=wf.tables["bars"])
        if len(wf.tables["missing"]):
            st.caption(_("Not in the waterfall — no post-baseline measurement of target lesions ({n}):").format(
                n=len(wf.tables["missing"])))
            widgets.table(wf.tables["missing"], deck=("wf_missing", _("Not in the waterfall: no post-baseline measurement")),
                          result=wf)


def spider_section() -> None:
    with widgets.guard(_("The spider plot")):
        cap = float(widgets.kept_value(CAP_KEY, int(rules.waterfall_cap_pct)))
        lines = widgets.run(spider, s, s.options(SpiderOptions, **common, highlight_subject=None, cap=cap))
        choices = ["(none)"] + (sorted(lines.tables["lines"]["USUBJID"].unique()) if "lines" in lines.tables else [])
        clicked = st.session_state.get("spider_click")
        hl = st.selectbox(_("Highlight a patient (or click a line)"), choices, key="spider_hl",
                          index=choices.index(clicked) if clicked in choices else 0,
                          format_func={**{c: c for c in choices}, "(none)": _("(none)")}.get)
        highlight = None if hl == "(none)" else hl
        sp = lines if highlight is None else widgets.run(
            spider, s, s.options(SpiderOptions, **common, highlight_subject=highlight, cap=cap))
        if sp.figure is None:
            st.info(sp.notes[0])
        event = (widgets.show_figure(sp, "spider", data=sp.tables["lines"], on_select="rerun")
                 if sp.figure is not None else None)
        points = getattr(getattr(event, "selection", None), "points", None) or []
        if points:
            subj = (points[0].get("customdata") or [None])[0]
            if subj and subj != st.session_state.get("spider_click"):
                st.session_state["spider_click"] = subj
                st.rerun()
        if highlight:
            st.page_link("pages/patient.py", label=_("Open the patient profile of {patient}").format(patient=md(highlight)), query_params={"patient": highlight})


def listing_section() -> None:
    with widgets.guard(_("The patient listing")):
        widgets.table(res.tables["listing"], width="stretch", height=widgets.listing_height(len(res.tables["listing"])),
                      column_config={"BEST_PCHG": st.column_config.NumberColumn(_("Best % change"), format="%.1f")},
                      deck=("response_listing", _("Best overall response: patient listing")), result=res)
        widgets.csv_download(res.tables["listing"], "response_listing.csv", _("Download the listing (CSV)"),
                             key="dl_resp_listing")

        disagreements = res.tables["disagreements"]
        with st.expander(_("Derivation check: the app's RECIST derivation against ADRS ({n} disagreements)").format(
                n=len(disagreements)), expanded=bool(len(disagreements))):
            if not d.has_given:
                st.write(_("ADRS carries no {param} rows: every best overall response is derived.").format(
                    param="CBOR" if confirmed else "BOR"))
            elif disagreements.empty:
                st.success(_("The app's derivation agrees with ADRS for every patient."))
            else:
                widgets.table(widgets.memo(disagreements, ("shown",), lambda: disagreements.rename(
                    columns={"GIVEN": "ADRS", "DERIVED": "App (RECIST 1.1)"})),
                              deck=("derivation_check", _("Derivation check: the app's RECIST 1.1 against ADRS")), result=res)
                st.caption(_("Where ADRS is higher than the app: an SD or two NE between a response and its confirmation, "
                             "a confirmation less than {confirm_days} days later, or SD before {sd_days} days. Where ADRS "
                             "is lower: the investigator did not take a response as confirmed (or read a CR as PR) — check "
                             "the visits in the patient profile.").format(confirm_days=rules.confirmation_min_days,
                                                                          sd_days=rules.sd_min_days))
            if d.cr_then_pr:
                st.warning(_("CR followed by PR — {rule} Please check the CR of: {patients}").format(
                    rule=cr_then_pr_text(rules), patients=", ".join(md(u) for u in d.cr_then_pr)))


widgets.sections({_("Waterfall"): waterfall_section, _("Spider plot"): spider_section,
                  _("Patient listing"): listing_section}, "response_section")
