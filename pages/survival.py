"""Survival: Kaplan–Meier for PFS, OS and DoR with number at risk, medians, landmarks, subgroups."""

import numpy as np
import pandas as pd
import streamlit as st

from components.data.contract import column_label
from components.data.filters import FILTER_LABELS
from components.figures.km_plot import at_risk_table, km_curves, km_figure, median_text, stats_lines
from components.figures.style import OKABE_ITO, P95_LINE_COLORS, categorical_colors
from components.stats.survival import (
    ENDPOINTS,
    compare_groups,
    endpoint_data,
    hr_text,
    kaplan_meier,
    landmark_table,
    reverse_km_followup,
)
from components.ui import widgets

s = widgets.page_header("Survival", needs=("adsl",))
if s is None:
    st.stop()
cfg, sv = s.config, s.config.survival
adsl = s.view.tables["adsl"]
dpm = sv.days_per_month

c1, c2, c3, c4 = st.columns([2.2, 1.3, 1.6, 1.8])
endpoint = c1.segmented_control("Endpoint", list(ENDPOINTS), format_func={"PFS": "PFS", "OS": "OS", "DOR": "DoR"}.get,
                                default="PFS", key="surv_endpoint",
                                help="PFS: progression-free survival; OS: overall survival; DoR: duration of response "
                                     "(responders, from the first confirmed CR/PR).") or "PFS"
conf_type = c2.selectbox("95% CI transform", ["log-log", "log", "plain"],
                         index=["log-log", "log", "plain"].index(sv.conf_type), key="surv_conf",
                         help="Pointwise CI from Greenwood's variance. log-log: SAS and lifelines default; log: R's "
                              "survfit default; plain: linear. The median's CI (Brookmeyer–Crowley) uses the same one.")
population = c3.radio("Population", ["SAFFL", "EFFFL"], horizontal=True, key="surv_pop",
                      format_func={"SAFFL": "All treated", "EFFFL": "Response-evaluable"}.get)
candidates = [c for c in ("TRT01A", "P95STAT", "PRIORLN", "VISCFL", "ECOGBL", "TDXDRSN", "SITEID") if c in adsl]
candidates += [c for c in adsl.columns if c not in candidates and adsl[c].dtype == object
               and 1 < adsl[c].nunique() <= 8 and c not in ("USUBJID", "STUDYID", "SEX", "SAFFL", "EFFFL", "EOTSTT",
                                                              "DCSREAS", "DTHCAUS", "HRSTAT", "HER2STAT", "SUBJID")]
multi_arm = not cfg.single_arm and "TRT01A" in adsl and adsl["TRT01A"].nunique() > 1
group_by = c4.selectbox("Compare subgroups", ["(none)", *candidates], index=1 if multi_arm else 0, key="surv_group",
                        help="Any categorical ADSL column: one curve each, log-rank test and Cox hazard ratio.")

o1, o2, o3, o4, o5 = st.columns(5)
show_ci = o1.toggle("CI band", value=group_by == "(none)", key=f"surv_ci_{group_by == '(none)'}",
                    help="On by default for one curve; off when groups are compared, where bands overlap.")
y_pct = o2.toggle("Y axis in %", value=True, key="surv_pct")
cum_events = o3.toggle("Cumulative events", key="surv_cum", help="Number at risk (cumulative events) under the plot.")
tick = o4.number_input("X tick (months)", min_value=1, max_value=12, value=int(sv.tick_months), key="surv_tick")
landmarks = o5.multiselect("Landmarks (months)", [3, 6, 9, 12, 18, 24, 36], default=[int(m) for m in sv.landmark_months],
                           key="surv_landmarks")

bor = None
if s.cut.has("adrs"):
    bor = widgets.response_analysis(s.cut, cfg.response, True, True).restrict(set(adsl["USUBJID"])).bor
data, origin = endpoint_data(adsl, s.view.tables.get("adtte"), bor, endpoint,
                             7 * cfg.response.assessment_interval_weeks, cfg.response.assessment_window_days)
if not origin:
    st.info(f"{ENDPOINTS[endpoint]} cannot be shown: ADTTE has no {endpoint} rows and ADRS is missing to derive it.")
    st.stop()
if origin == "derived":
    st.info(f"{ENDPOINTS[endpoint]} is **derived** by the app (ADTTE has no {endpoint} rows): "
            + ("from the first confirmed CR/PR to progression or death, censored at the last adequate assessment."
               if endpoint == "DOR" else
               "from the first dose to progression or death (FDA 2018 guidance rules), censored at the last adequate "
               "assessment." if endpoint == "PFS" else "from the first dose to death, censored at the last date known alive."))
pop_ids = set(adsl.loc[adsl[population] == "Y", "USUBJID"])
data = data[data["USUBJID"].isin(pop_ids)].merge(adsl, on="USUBJID", how="left", suffixes=("", "_adsl"))
if data.empty:
    st.info(f"No patient in this population has {ENDPOINTS[endpoint]} data"
            + (" (no responders yet)." if endpoint == "DOR" else "."))
    st.stop()

pop_label = {"SAFFL": "All treated", "EFFFL": "Response-evaluable"}[population]
if endpoint == "DOR":
    pop_label = f"Responders ({pop_label.lower()})"

# curves
if group_by == "(none)":
    curves, groups = km_curves(data, None, conf_type), None
else:
    levels = sorted(data[group_by].astype("string").fillna("(missing)").unique())
    palette = P95_LINE_COLORS if group_by == "P95STAT" else (dict(zip(levels, OKABE_ITO, strict=False))
                                                            if group_by == "TRT01A" else categorical_colors(levels))
    curves = km_curves(data, group_by, conf_type, palette)
    groups = data[group_by].astype("string").fillna("(missing)")

stats_text = stats_lines(curves, dpm)
cmp = None
if groups is not None and groups.nunique() > 1:
    cmp = compare_groups(data["AVAL"], data["EVENT"], groups)
    stats_text.append(widgets.p_label(s, "Log-rank p") + f" = {cmp.logrank_p:.3f}")
    if len(cmp.hazard_ratios) == 1:
        h = cmp.hazard_ratios.iloc[0]
        stats_text.append(f"HR {h['level']} vs {h['reference']}: {hr_text(h)}")

ctx = s.context(population=pop_label, endpoint=ENDPOINTS[endpoint],
                note=f"Median in months (95% CI, Brookmeyer–Crowley, {conf_type}); NR = not reached"
                + (" · derived from ADSL/ADRS" if origin == "derived" else ""))
group_label = FILTER_LABELS.get(group_by) or column_label("adsl", group_by)
title = f"{ENDPOINTS[endpoint]}" + ("" if groups is None else f" by {group_label[:1].lower() + group_label[1:]}")
x_title = "Months since first response" if endpoint == "DOR" else "Months since first dose"
fig = km_figure(curves, ctx, title, days_per_month=dpm, tick_months=float(tick), y_percent=y_pct, show_ci=show_ci,
                cumulative_events=cum_events, stats_lines=stats_text, x_title=x_title,
                y_title=f"{ENDPOINTS[endpoint]} probability")

# headline numbers
km_all = kaplan_meier(data["AVAL"], data["EVENT"], conf_type)
fu = reverse_km_followup(data["AVAL"], data["EVENT"], conf_type)
m = st.columns(4)
m[0].metric("Patients", km_all.n)
m[1].metric("Events", km_all.events, help="Progression or death" if endpoint != "OS" else "Deaths")
m[2].metric("Median, months (95% CI)", median_text(km_all, dpm), help=f"Brookmeyer–Crowley, {conf_type} transform, as R survfit.")
m[3].metric("Median follow-up, months", f"{fu[0] / dpm:.1f}" if not np.isnan(fu[0]) else "NR",
            help="Reverse Kaplan–Meier (censoring as the event).")

ticks = np.arange(0, max(km_all.times.max() / dpm, 0) + 1e-9, float(tick))
risk = pd.DataFrame(at_risk_table(curves, ticks, dpm))
widgets.show_figure(fig, f"km_{endpoint}", data=risk, filename=f"km_{endpoint.lower()}",
                    data_label="Number at risk and cumulative events at each tick")

# numbers per group
rows = []
for c in curves:
    def months(x: float) -> str:
        return "NR" if np.isnan(x) else f"{x / dpm:.2f}"

    def pct(v: float) -> str:
        return "n.e." if np.isnan(v) else f"{100 * v:.1f}"

    row = {"Group": c.label, "N": c.km.n, "Events": c.km.events, "Censored": c.km.n - c.km.events,
           "Median (months)": months(c.km.median), "95% CI low": months(c.km.median_ci[0]),
           "95% CI high": months(c.km.median_ci[1])}
    for lm in landmark_table(c.km, landmarks, dpm).itertuples():
        tag = f"{lm.month:g}-month"
        row[f"{tag} rate (%)"] = pct(lm.surv)
        row[f"{tag} 95% CI"] = "" if np.isnan(lm.surv) else f"{pct(lm.lower)}–{pct(lm.upper)}"
    rows.append(row)
numbers = pd.DataFrame(rows)
st.subheader("Numbers")
st.dataframe(numbers, hide_index=True, width="stretch")
st.caption(f"Landmark rates with pointwise 95% CI ({conf_type}); n.e. = not estimable (follow-up shorter than the "
           "landmark); NR = not reached.")
widgets.csv_download(numbers, f"{endpoint.lower()}_numbers.csv", "Download the numbers (CSV)", key="dl_surv_numbers")

if cmp is not None:
    st.subheader(f"Comparison by {group_label[:1].lower() + group_label[1:]}")
    small = [c.label for c in curves if c.km.n < sv.small_group_n]
    if small:
        st.warning(f"Small groups ({', '.join(small)}: fewer than {sv.small_group_n} patients): the log-rank test and "
                   "hazard ratios are unstable and exploratory.")
    st.markdown(f"Log-rank test: χ² = {cmp.logrank_chisq:.2f} on {cmp.df} df, **p = {cmp.logrank_p:.3f}**"
                + (f" ({widgets.SUBGROUP_TAG})" if s.filtered else "") + ".")
    if len(cmp.hazard_ratios):
        h = cmp.hazard_ratios
        hr = pd.DataFrame({"Group": h["level"], "vs": h["reference"], "N": h["n"], "Events": h["events"],
                           "HR (95% CI)": [hr_text(r, 3) for _, r in h.iterrows()],
                           widgets.p_label(s, "p (Wald)"): [f"{p:.3f}" if ok else "—"
                                                            for p, ok in zip(h["p"], h["estimable"], strict=True)]})
        st.dataframe(hr, hide_index=True, width="stretch")
        st.caption("Cox proportional-hazards model per group against the reference (Efron ties, as R coxph). An HR is "
                   "not estimable when a group has no events.")
    widgets.subgroup_caption(s)
elif cfg.single_arm:
    st.caption("Single-arm study: no hazard ratio or p-value on the main curve; choose a subgroup to compare.")
