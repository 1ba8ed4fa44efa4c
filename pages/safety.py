"""Safety and exposure: TEAEs by CTCAE grade, the focus toxicity (diarrhoea under neratinib), dose intensity."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.safety import (
    AeTableOptions,
    ButterflyOptions,
    ae_butterfly,
    ae_overview,
    ae_overview_by_arm,
    ae_table,
    ae_table_by_arm,
    dose_levels,
    exposure,
    focus_label,
    focus_onset_dose,
    focus_toxicity,
)
from components.ui import widgets

s = widgets.page_header("Safety and exposure", needs=("adsl", "adae"))
if s is None:
    st.stop()
cfg = s.config
base = s.options(Options)
link = st.column_config.LinkColumn("Patient", display_text=r"patient=(.*)$", help="Opens the patient profile")

ov = widgets.run(ae_overview, s, base)
n_saf = ov.numbers["Safety population"]
st.subheader(f"Overview (safety population, N = {n_saf})")
st.dataframe(ov.tables["overview"][["Category", "n (%)"]].rename(columns={"n (%)": f"Patients, n (%) — N = {n_saf}"}),
             hide_index=True, width="content")
st.caption(" ".join(ov.notes))
widgets.table_to_deck("ae_overview", f"Adverse events overview (safety population, N = {n_saf})",
                      ov.tables["overview"][["Category", "n (%)"]], ov)
widgets.show_code(ov, s)
if not cfg.single_arm:
    with widgets.guard("TEAE overview by arm"):
        ba = widgets.run(ae_overview_by_arm, s, base)
        if "by_arm" in ba.tables:
            st.markdown("**By arm** (safety population by actual arm)")
            st.dataframe(ba.tables["by_arm"], hide_index=True, width="stretch")
            st.caption(" ".join(ba.notes))
            widgets.table_to_deck("ae_overview_by_arm", "Adverse events overview by arm", ba.tables["by_arm"], ba)


def adverse_events() -> None:
    """TEAEs by SOC and PT, worst grade per patient; the butterfly chart."""
    st.subheader("TEAEs by system organ class and preferred term, worst grade per patient")
    c1, c2 = st.columns([1, 3])
    min_pct = c1.number_input("Minimum incidence (% any grade)", 0.0, 100.0, 0.0, 5.0, key="saf_min")
    tab = widgets.run(ae_table, s, s.options(AeTableOptions, min_pct=float(min_pct)))
    st.dataframe(tab.tables["display"], hide_index=True, width="stretch", height=420)
    st.caption(" ".join(tab.notes))
    widgets.csv_download(tab.tables["table"], "teae_by_soc_pt.csv", "Download (CSV)", key="dl_soc")
    widgets.table_to_deck("ae_table", "TEAEs by SOC and preferred term, worst grade", tab.tables["display"], tab)
    widgets.show_code(tab, s)
    if not cfg.single_arm:
        with widgets.guard("TEAEs by arm"):
            arm_tab = widgets.run(ae_table_by_arm, s, s.options(AeTableOptions, min_pct=float(min_pct)))
            if "display" in arm_tab.tables:
                st.markdown("**By arm** (safety population by actual arm; any grade and grade ≥3 at the worst grade)")
                st.dataframe(arm_tab.tables["display"], hide_index=True, width="stretch", height=420)
                st.caption(" ".join(arm_tab.notes))
                widgets.csv_download(arm_tab.tables["table"], "teae_by_arm.csv", "Download (CSV)", key="dl_soc_arm")
                widgets.table_to_deck("ae_table_by_arm", "TEAEs by SOC and preferred term, by arm",
                                      arm_tab.tables["display"], arm_tab)
                widgets.show_code(arm_tab, s)

    top = c2.slider("Terms in the chart", 5, 30, 15, key="saf_top")
    bf = widgets.run(ae_butterfly, s, s.options(ButterflyOptions, top=int(top)))
    widgets.show_figure(bf, "butterfly", data=bf.tables["counts"], filename="ae_butterfly")


def focus() -> None:
    """The focus toxicity (config [safety]): worst grades, episodes, time to onset, dose at onset."""
    res = widgets.run(focus_toxicity, s, base)
    m = widgets.metric_row(4)
    for col, (label, value) in zip(m, res.numbers.items(), strict=False):
        col.metric(label, "—" if value is None else (f"{value:.0f} days" if isinstance(value, float) else value))
    widgets.table(res.tables["distribution"], width="content",
                  deck=("focus_distribution", f"{focus_label(cfg)}: worst grade per patient"), result=res)
    if res.figure is not None:
        term = cfg.safety.focus_term
        widgets.show_figure(res, "focus_ci", data=res.tables["time_to_first"], filename=f"{term.lower()}_cumulative_incidence")
        onset = widgets.run(focus_onset_dose, s, base)
        widgets.show_figure(onset, "focus_dose", data=widgets.display_frame(onset.tables["onsets"]),
                            filename=f"{term.lower()}_by_dose")
        st.caption(" ".join(res.notes))
    ep = res.tables["episodes"]
    if len(ep):
        ep = ep.assign(Link="patient?patient=" + ep["USUBJID"])
        widgets.table(ep[["Link", "Episodes", "Median duration (days)", "Longest (days)", "Worst grade", "Ongoing"]],
                      width="stretch", column_config={"Link": link},
                      deck=("focus_episodes", f"{focus_label(cfg)}: episodes per patient"), result=res)


def exposure_section() -> None:
    """Relative dose intensity, dose levels over time, reductions and interruptions."""
    if not s.cut.has("adex"):
        st.info(s.cut.missing_note("adex"))
        return
    res = widgets.run(exposure, s, base)
    st.dataframe(res.tables["summary"], hide_index=True, width="content")
    st.caption(" ".join(res.notes))
    widgets.table_to_deck("exposure_summary", "Exposure and relative dose intensity", res.tables["summary"], res)
    if res.figure is None:
        widgets.show_code(res, s)
        return
    widgets.show_figure(res, "rdi", data=res.tables["rdi"], filename="rdi")
    levels = widgets.run(dose_levels, s, base)
    if levels.figure is not None:
        widgets.show_figure(levels, "dose_levels", data=levels.tables["dose_levels"], filename="dose_levels")
    adj = res.tables["adjustments"]
    st.markdown("**Dose reductions and interruptions**")
    if adj.empty:
        st.caption("None recorded.")
    else:
        st.dataframe(res.tables["adjustment_counts"], hide_index=True, width="content")
        widgets.table_to_deck("adjustment_counts", "Dose reductions and interruptions", res.tables["adjustment_counts"], res)
        adj_show = adj.assign(Link="patient?patient=" + adj["USUBJID"])
        widgets.table(adj_show[["Link", "DRUG", "DATE", "KIND", "Reason", "DETAIL"]], width="stretch",
                      column_config={"Link": link}, deck=("adjustments", "Dose reductions and interruptions: listing"),
                      result=res)


widgets.sections({"Adverse events": adverse_events, focus_label(cfg): focus, "Exposure": exposure_section},
                 "safety_section")
