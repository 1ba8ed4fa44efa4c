"""Response: ORR against H0 (the primary endpoint), the response table, waterfall and spider plots."""

import pandas as pd
import streamlit as st

from components.analyses import objective_response, primary_endpoint
from components.figures.response_plots import COLOR_BY, spider_data, spider_figure, waterfall_data, waterfall_figure
from components.figures.style import POPULATION_LABELS
from components.stats.recist import cr_then_pr_text, response_summary, time_to_response
from components.ui import widgets

s = widgets.page_header("Response (RECIST 1.1)", needs=("adsl", "adrs"))
if s is None:
    st.stop()

cfg, rules, design = s.config, s.config.response, s.config.design
adsl = s.view.tables["adsl"]

c1, c2, c3 = st.columns([2, 2, 3])
population = c1.radio("Population", ["EFFFL", "SAFFL"], format_func={"EFFFL": "Response-evaluable", "SAFFL": "All treated"}.get, horizontal=True,
                      key="resp_pop", help="Response-evaluable: EFFFL = Y (the primary analysis). All treated: SAFFL = Y.")
confirmed = c2.toggle("Confirmed responses", value=rules.confirmed_default, key="resp_confirmed",
                      help=f"CR/PR count only when confirmed by a later assessment ≥{rules.confirmation_min_days} days "
                           "after (RECIST 1.1 for single-arm trials with response as the primary endpoint).")
full = widgets.response_analysis(s.cut, rules, confirmed, True)
prefer_given = True
if full.has_given:
    src = c3.radio("Best overall response from", ["adrs", "derived"], horizontal=True, key="resp_source",
                   format_func={"adrs": f"ADRS ({'CBOR' if confirmed else 'BOR'} as given)",
                                "derived": "The app's derivation"}.get,
                   help="ADRS values are used when present; the table below lists where the app's RECIST derivation "
                        "disagrees with them.")
    prefer_given = src == "adrs"
    if not prefer_given:
        full = widgets.response_analysis(s.cut, rules, confirmed, False)

subjects = set(adsl["USUBJID"])
ra = full.restrict(subjects)
pop_ids = set(adsl.loc[adsl[population] == "Y", "USUBJID"])
orr = objective_response(ra.bor, pop_ids, design)
rr, here, k, n = orr.rate, orr.test, orr.k, orr.n
# The decision is about the whole study, with the protocol's responses (confirmed by default) and ADRS's BOR.
whole = widgets.response_analysis(s.cut, rules, rules.confirmed_default, True)
pe = primary_endpoint(s.cut.tables["adsl"], whole.bor, design)

# ---------------------------------------------------------------- primary endpoint
st.subheader("Objective response rate — primary endpoint")
m = st.columns(4)
m[0].metric("ORR", f"{rr.rate:.1%}" if n else "—", help="CR + PR, " + ("confirmed" if confirmed else "unconfirmed"))
m[1].metric(f"Responders / {POPULATION_LABELS[population].lower()}", f"{k} / {n}")
m[2].metric("95% CI (exact)", f"{100 * rr.ci_low:.1f}–{100 * rr.ci_high:.1f}%" if n else "—", help="Clopper–Pearson")
m[3].metric(widgets.p_label(s, f"p vs H0 {design.p0:.0%}"), f"{here.p_value:.3f}" if n else "—",
            help=f"The protocol's test: {here.name}, {'two' if design.sides == 2 else 'one'}-sided α = {design.alpha:g}.")
st.markdown(pe.sentence())
t = pe.test
if t.n:
    stat = f"z = {t.statistic:.2f}, " if t.method == "normal" else ""
    st.markdown(f"The protocol's test now, whole study ({t.k}/{t.n}): {t.name}, {stat}{t.p_text} — **{t.verdict}**"
                + ("" if t.n >= pe.rule.n else f" (interim look: {t.n} of the {pe.rule.n} planned evaluable patients)") + ".")
st.caption(pe.sensitivity_sentence())
if s.filter_text:
    st.caption("The decision above is computed on the whole study; the ORR, CI and p-value in the boxes follow the "
               f"sidebar filters ({s.filter_text}) and are a subgroup analysis.")
if confirmed != rules.confirmed_default:
    st.caption("The decision uses the protocol's " + ("confirmed" if rules.confirmed_default else "unconfirmed")
               + " responses, whatever the toggle above shows.")

# ---------------------------------------------------------------- response table
st.subheader("Best overall response")
table = response_summary(ra.bor, adsl, design.p0, rules, design=design)
show = table.copy()
show["n (%)"] = [f"{a} ({b:.1f}%)" if pd.notna(b) else f"{a}" for a, b in zip(show["n"], show["%"], strict=True)]
show["95% CI"] = [f"{lo:.1f}–{hi:.1f}" if pd.notna(lo) else "" for lo, hi in zip(show["95% CI low"], show["95% CI high"], strict=True)]
wide = show.pivot(index="Category", columns="Population", values=["n (%)", "95% CI"])
wide = wide.reindex(show["Category"].drop_duplicates())
pops = list(dict.fromkeys(show["Population"]))
wide = wide[[(what, pop) for pop in pops for what in ("n (%)", "95% CI")]]
wide.columns = [f"{pop} (N={int(table[table['Population'] == pop]['N'].iloc[0])}) · {what}" for what, pop in wide.columns]
st.dataframe(wide.reset_index(), hide_index=True, width="stretch",
             column_config={"Category": st.column_config.TextColumn(width="medium")})
notes = [f"{'Confirmed' if confirmed else 'Unconfirmed'} responses; SD needs ≥{rules.sd_min_days} days from the first dose.",
         "95% CI: exact (Clopper–Pearson).", "CR followed by PR: " + cr_then_pr_text(rules)]
if (ra.bor["BOR_DETAIL"] == "NON-CR/NON-PD").any():
    notes.append("SD includes non-CR/non-PD (non-measurable disease only).")
st.caption(" ".join(notes))
widgets.csv_download(table, "response_summary.csv", "Download the response table (CSV)", key="dl_resp_table")

# ---------------------------------------------------------------- waterfall
st.subheader("Waterfall")
w1, w2, w3, w4 = st.columns([3.2, 1.2, 1, 1])
color_by = w1.segmented_control("Colour by", list(COLOR_BY), format_func=COLOR_BY.get, default="BOR",
                                key="wf_color") or "BOR"
cap = w2.number_input("Cap bars at (%)", min_value=20, max_value=1000, step=20, value=int(rules.waterfall_cap_pct),
                      key="wf_cap")
letters = w3.toggle("BOR letters", key="wf_letters")
ids = w4.toggle("Subject labels", key="wf_ids")
best_pop = ra.best[ra.best["USUBJID"].isin(pop_ids)]
bars, missing = waterfall_data(best_pop, ra.bor, adsl, set(ra.new_lesions))
ctx = s.context(population=f"{POPULATION_LABELS[population]} (N = {n})", endpoint="Best % change (RECIST 1.1)")
site_names = {x.id: x.name for x in cfg.sites}
new = widgets.new_since_compare(s, "wf_new")
fig = waterfall_figure(bars, missing, ctx, color_by=color_by, cap=float(cap), show_letters=letters, show_ids=ids,
                       confirmed=confirmed, site_names=site_names, highlight=new,
                       highlight_label=f"Outlined: new since {s.compare.cutoff_text}" if new else "")
widgets.show_figure(fig, "waterfall", data=bars[["USUBJID", "SITEID", "BOR", "BEST_PCHG", "N_POST", "P95STAT", "NEW_LESION"]])
if len(missing):
    st.caption(f"Not in the waterfall — no post-baseline measurement of target lesions ({len(missing)}):")
    st.dataframe(missing.rename(columns={"BOR": "Best overall response"}), hide_index=True)

# ---------------------------------------------------------------- spider
st.subheader("Spider plot")
sp = spider_data(ra.changes[ra.changes["USUBJID"].isin(pop_ids)], ra.bor, s.view.tables["adrs"],
                 ra.bor.set_index("USUBJID")["PD_DATE"])
choices = ["(none)"] + sorted(sp["USUBJID"].unique())
clicked = st.session_state.get("spider_click")
hl = st.selectbox("Highlight a patient (or click a line)", choices, key="spider_hl",
                  index=choices.index(clicked) if clicked in choices else 0)
highlight = None if hl == "(none)" else hl
sfig = spider_figure(sp, ctx.with_(endpoint="% change from baseline (RECIST 1.1)"), highlight=highlight, cap=float(cap),
                     interval_weeks=rules.assessment_interval_weeks, confirmed=confirmed)
event = widgets.show_figure(sfig, "spider", data=sp[["USUBJID", "ADT", "WEEK", "AVAL", "PCHG", "PCHG_NADIR", "OVR", "BOR"]],
                            on_select="rerun")
points = getattr(getattr(event, "selection", None), "points", None) or []
if points:
    subj = (points[0].get("customdata") or [None])[0]
    if subj and subj != st.session_state.get("spider_click"):
        st.session_state["spider_click"] = subj
        st.rerun()
if highlight:
    st.page_link("pages/patient.py", label=f"Open the patient profile of {highlight}", query_params={"patient": highlight})

# ---------------------------------------------------------------- listing and checks
st.subheader("Patients")
ttr = time_to_response(ra.bor, adsl).set_index("USUBJID")["TTR_WEEKS"]
listing = ra.bor.merge(ra.best, on="USUBJID", how="left").merge(adsl[["USUBJID", "SITEID", "EFFFL"]], on="USUBJID")
listing["TTR (weeks)"] = listing["USUBJID"].map(ttr).round(1)
cols = ["USUBJID", "SITEID", "EFFFL", "BOR", "SOURCE", "DERIVED", "GIVEN", "BEST_PCHG", "RESP_DATE", "CONF_DATE",
        "TTR (weeks)", "PD_DATE", "N_ASSESS"]
listing = listing[[c for c in cols if c in listing]]
for c in ("RESP_DATE", "CONF_DATE", "PD_DATE"):
    listing[c] = listing[c].dt.strftime("%Y-%m-%d").fillna("")
st.dataframe(listing, hide_index=True, width="stretch",
             column_config={"BEST_PCHG": st.column_config.NumberColumn("Best % change", format="%.1f"),
                            "RESP_DATE": "First response", "CONF_DATE": "Confirmed", "PD_DATE": "First PD",
                            "DERIVED": "BOR (app)", "GIVEN": "BOR (ADRS)", "N_ASSESS": "Assessments"})
widgets.csv_download(listing, "response_listing.csv", "Download the listing (CSV)", key="dl_resp_listing")

with st.expander(f"Derivation check: the app's RECIST derivation against ADRS ({len(ra.disagreements)} disagreements)",
                 expanded=bool(len(ra.disagreements))):
    if not full.has_given:
        st.write("ADRS carries no " + ("CBOR" if confirmed else "BOR") + " rows: every best overall response is derived.")
    elif ra.disagreements.empty:
        st.success("The app's derivation agrees with ADRS for every patient.")
    else:
        st.dataframe(ra.disagreements.rename(columns={"GIVEN": "ADRS", "DERIVED": "App (RECIST 1.1)"}), hide_index=True)
        st.caption("Typical causes: an SD or two NE between a response and its confirmation, a confirmation "
                   f"less than {rules.confirmation_min_days} days later, or SD before {rules.sd_min_days} days.")
    flagged = ra.bor[ra.bor["CR_THEN_PR"]]["USUBJID"].tolist()
    if flagged:
        st.warning("CR followed by PR — " + cr_then_pr_text(rules) + " Please check the CR of: " + ", ".join(flagged))
