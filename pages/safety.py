"""Safety and exposure: TEAEs by CTCAE grade, the focus toxicity (diarrhoea under neratinib), dose intensity."""

import numpy as np
import pandas as pd
import streamlit as st

from components.figures.safety_plots import (
    butterfly_figure,
    cumulative_incidence_figure,
    dose_level_figure,
    onset_dose_figure,
    rdi_figure,
)
from components.stats.exposure import adjustments, dose_level_over_time, relative_dose_intensity
from components.stats.safety import (
    episodes,
    incidence_table,
    onset_by_dose,
    overview,
    safety_population,
    term_worst_grade_counts,
    time_to_first,
    treatment_emergent,
    worst_grade_distribution,
)
from components.ui import widgets

s = widgets.page_header("Safety and exposure", needs=("adsl", "adae"))
if s is None:
    st.stop()
cfg, sf = s.config, s.config.safety
adsl = s.view.tables["adsl"]
saf = safety_population(adsl)
n_saf = len(saf)
teae = treatment_emergent(s.view.tables["adae"], adsl, sf.teae_lag_days)
ctx = s.context(population=f"Safety population (N = {n_saf})", endpoint="TEAEs, NCI-CTCAE v5.0")
link = st.column_config.LinkColumn("Patient", display_text=r"patient=(.*)$",
                                   help="Opens the patient profile")

st.subheader(f"Overview (safety population, N = {n_saf})")
ov = overview(teae, n_saf)
st.dataframe(ov[["Category", "n (%)"]].rename(columns={"n (%)": f"Patients, n (%) — N = {n_saf}"}),
             hide_index=True, width="content")
st.caption("Treatment-emergent: " + ("TRTEMFL = Y in ADAE." if "TRTEMFL" in teae else
                                      f"from the first dose to {sf.teae_lag_days} days after the last.")
           + " Each patient counts once per category.")


def adverse_events() -> None:
    """TEAEs by SOC and PT, worst grade per patient; the butterfly chart."""
    st.subheader("TEAEs by system organ class and preferred term, worst grade per patient")
    c1, c2 = st.columns([1, 3])
    min_pct = c1.number_input("Minimum incidence (% any grade)", 0.0, 100.0, 0.0, 5.0, key="saf_min")
    table = incidence_table(teae, n_saf, min_pct)
    show = table.copy()
    for col in ["Any grade", "Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade ≥3"]:
        show[col] = [f"{int(v)} ({100 * v / n_saf:.1f}%)" if n_saf else str(v) for v in table[col]]
    show["Term"] = np.where(table["Level"] == "SOC", table["Term"].str.upper(), "    " + table["Term"])
    st.dataframe(show.drop(columns=["Level", "SOC", "Any grade %", "Grade ≥3 %"]).rename(
        columns={"Term": "System organ class / preferred term"}), hide_index=True, width="stretch", height=420)
    st.caption(f"n (%) of the safety population (N = {n_saf}); SOC rows count each patient once at the worst grade "
               "within the SOC; sorted by frequency.")
    widgets.csv_download(table, "teae_by_soc_pt.csv", "Download (CSV)", key="dl_soc")

    top = c2.slider("Terms in the chart", 5, 30, 15, key="saf_top")
    counts = term_worst_grade_counts(teae, n_saf, top)
    widgets.show_figure(butterfly_figure(counts, ctx, n_saf), "butterfly", data=counts.round(1), filename="ae_butterfly")


def focus_toxicity() -> None:
    """The focus toxicity (config [safety]): worst grades, episodes, time to onset, dose at onset."""
    term, drug_name = sf.focus_term, sf.focus_drug
    drug = cfg.drug(drug_name) if drug_name else None
    dist = worst_grade_distribution(teae, term, n_saf)
    any_n = n_saf - int(dist.loc[dist["Worst grade"] == "None", "Patients"].iloc[0])
    g3 = int(dist[dist["Worst grade"].isin(["Grade 3", "Grade 4", "Grade 5"])]["Patients"].sum())
    ep = episodes(teae, term, s.cut.cutoff)
    m = st.columns(4)
    m[0].metric(f"{term}, any grade", f"{any_n} ({100 * any_n / n_saf:.0f}%)" if n_saf else "—")
    m[1].metric("Grade ≥3", f"{g3} ({100 * g3 / n_saf:.0f}%)" if n_saf else "—")
    m[2].metric("Episodes per affected patient", f"{ep['Episodes'].median():.0f} (max {ep['Episodes'].max():.0f})" if len(ep) else "—",
                help="Median (maximum) number of recorded episodes.")
    m[3].metric("Median episode duration", f"{ep['Median duration (days)'].median():.0f} days" if len(ep) else "—")
    st.dataframe(dist.assign(**{"%": dist["%"].round(1)}), hide_index=True, width="content")
    if drug is not None and s.cut.has("adex"):
        curves = {label: time_to_first(teae, adsl, term, s.cut.cutoff, g, sf.teae_lag_days)
                  for label, g in (("Any grade", 1), ("Grade ≥2", 2), ("Grade ≥3", 3))}
        cycle = next((d.cycle_days for d in cfg.regimen if d.cycle_days), 21)
        widgets.show_figure(cumulative_incidence_figure(curves, ctx, sf.focus_horizon_days, cycle,
                                                        list(drug.escalation) or [(1, drug.dose)], term, drug.unit),
                            "focus_ci", data=curves["Any grade"], filename=f"{term.lower()}_cumulative_incidence")
        onsets = onset_by_dose(teae, s.view.tables["adex"], term, drug.drug)
        widgets.show_figure(onset_dose_figure(onsets, ctx, drug.drug, term, drug.unit), "focus_dose",
                            data=widgets.display_frame(onsets), filename=f"{term.lower()}_by_dose")
        st.caption("Cumulative incidence of the first episode (Aalen–Johansen, as R survfit / cmprsk::cuminc), with the "
                   f"end of treatment (last dose + {sf.teae_lag_days} days) and death as competing events, censored at "
                   f"the cut-off; shading: the {drug.drug} escalation steps; dotted lines: cycles.")
    if len(ep):
        ep["Patient"] = "patient?patient=" + ep["USUBJID"]
        st.dataframe(ep[["Patient", "Episodes", "Median duration (days)", "Longest (days)", "Worst grade", "Ongoing"]],
                     hide_index=True, width="stretch", column_config={"Patient": link})


def exposure() -> None:
    """Relative dose intensity, dose levels over time, reductions and interruptions."""
    if not s.cut.has("adex"):
        st.info(s.cut.missing_note("adex"))
        return
    adex = s.view.tables["adex"]
    rdi = pd.concat([relative_dose_intensity(adex, adsl, d, s.cut.cutoff) for d in cfg.regimen], ignore_index=True)
    summary = rdi.groupby("DRUG", sort=False).agg(
        Patients=("USUBJID", "nunique"), **{"Median days on treatment": ("DAYS", "median")},
        **{"Median RDI (%)": ("RDI", lambda v: round(100 * v.median(), 1))},
        **{"RDI < 80% (patients)": ("RDI", lambda v: int((v < 0.8).sum()))},
    ).reset_index().rename(columns={"DRUG": "Drug"})
    st.dataframe(summary, hide_index=True, width="content")
    st.caption("RDI = delivered / planned cumulative dose from the first dose to the last dose (or the cut-off), with the "
               "planned schedule of the study config (escalation steps included).")
    widgets.show_figure(rdi_figure(rdi, ctx, [d.drug for d in cfg.regimen]), "rdi", data=rdi.round(3), filename="rdi")
    daily = next((d for d in cfg.regimen if d.daily), None)
    if daily is not None:
        levels = dose_level_over_time(adex, adsl, daily.drug, s.cut.cutoff)
        widgets.show_figure(dose_level_figure(levels, ctx, daily.drug, daily.unit, daily.dose), "dose_levels",
                            data=levels, filename="dose_levels")
    parts = [a for a in (adjustments(adex, d.drug) for d in cfg.regimen) if len(a)]
    adj = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    st.markdown("**Dose reductions and interruptions**")
    if adj.empty:
        st.caption("None recorded.")
    else:
        counts = adj.groupby(["DRUG", "KIND", "Reason"]).agg(Events=("USUBJID", "size"), Patients=("USUBJID", "nunique"))
        st.dataframe(counts.reset_index().replace({"dose_reduction": "Reduction", "dose_hold": "Interruption"})
                     .rename(columns={"DRUG": "Drug", "KIND": "Kind"}), hide_index=True, width="content")
        adj_show = widgets.display_frame(adj.assign(Patient="patient?patient=" + adj["USUBJID"]))
        st.dataframe(adj_show[["Patient", "DRUG", "DATE", "KIND", "Reason", "DETAIL"]], hide_index=True, width="stretch",
                     column_config={"Patient": link})


focus_label = sf.focus_term + (f" under {sf.focus_drug}" if sf.focus_drug else "")
widgets.sections({"Adverse events": adverse_events, focus_label: focus_toxicity, "Exposure": exposure},
                 "safety_section")
