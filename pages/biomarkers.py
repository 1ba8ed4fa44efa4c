"""Biomarkers: p95HER2 and response, ctDNA dynamics, and every other marker in the biomarker table."""

import numpy as np
import streamlit as st

from components.figures.biomarker_plots import (
    ctdna_figure,
    early_change_figure,
    marker_panel_figure,
    orr_by_group_figure,
)
from components.figures.km_plot import km_curves, km_figure, stats_lines
from components.figures.response_plots import waterfall_data, waterfall_figure
from components.figures.style import P95_LINE_COLORS
from components.stats.biomarkers import (
    NOT_ASSESSABLE,
    cohen_kappa,
    ctdna_series,
    early_change,
    fisher_2x2,
    other_markers,
    p95_results,
    response_by_group,
)
from components.stats.survival import endpoint_data, logrank_test
from components.ui import widgets

s = widgets.page_header("Biomarkers", needs=("adsl",))
if s is None:
    st.stop()
cfg, bm = s.config, s.config.biomarkers
adsl = s.view.tables["adsl"]
st.info("**Exploratory.** These analyses are hypothesis-generating: groups are small, no p-value is adjusted for "
        "multiplicity (with many markers and tests, some p-values below 0.05 are expected by chance alone), and every "
        "test is shown with the number of patients in each group.")
if not s.cut.has("adrs"):
    st.info(s.cut.missing_note("adrs"))
    st.stop()
ra = widgets.response_analysis(s.cut, cfg.response, True, True).restrict(set(adsl["USUBJID"]))
ev_ids = set(adsl.loc[adsl["EFFFL"] == "Y", "USUBJID"])
bor = ra.bor[ra.bor["USUBJID"].isin(ev_ids)]
resp = bor.set_index("USUBJID")["BOR"].isin(["CR", "PR"]).map({True: "Responder", False: "Non-responder"})
adlb = s.view.tables.get("adlb")
ctx = s.context(population=f"Response-evaluable (N = {len(bor)})", endpoint="Exploratory biomarkers")
missing_adlb = s.cut.missing_note("adlb") or "The biomarker table is empty."


def p95her2() -> None:
    """p95HER2 status (ADSL) against response and PFS; the IHC and Western blot assays (ADLB)."""
    if "P95STAT" in adsl:
        status = adsl.set_index("USUBJID")["P95STAT"].fillna("Missing")
        st.markdown("**Status (ADSL), all enrolled:** " + "; ".join(
            f"{k} {v}" for k, v in status.value_counts().reindex(["Positive", "Negative", NOT_ASSESSABLE, "Missing"]).dropna()
            .astype(int).items()))
        order = ["Positive", "Negative", NOT_ASSESSABLE, "Missing"]
        tab = response_by_group(bor, status, [g for g in order if g in set(status[status.index.isin(ev_ids)])])
        left, right = st.columns([3, 2])
        with left:
            widgets.show_figure(orr_by_group_figure(tab, ctx, "Objective response rate by p95HER2 status"), "orr_p95",
                                data=tab.round(3), filename="orr_by_p95")
        with right:
            fx = fisher_2x2(bor["USUBJID"].map(status), bor["USUBJID"].map(resp), ("Positive", "Negative"),
                            ("Responder", "Non-responder"))
            st.markdown("**Response by status (positive vs negative)**")
            st.dataframe(fx.table, width="content")
            st.markdown(f"Fisher's exact test: **{widgets.p_label(s, 'p')} = {fx.p_value:.3f}**; odds ratio "
                        f"{fx.odds.text()} (conditional MLE, exact CI); n = {fx.n}: "
                        f"{int(fx.table.loc['Positive'].sum())} positive, {int(fx.table.loc['Negative'].sum())} negative). "
                        f"Not assessable or missing ({len(bor) - fx.n}) are counted above, not in the test.")
            widgets.subgroup_caption(s)
        wf_bars, wf_missing = waterfall_data(ra.best[ra.best["USUBJID"].isin(ev_ids)], ra.bor, adsl, set(ra.new_lesions))
        widgets.show_figure(waterfall_figure(wf_bars, wf_missing, ctx, color_by="P95STAT",
                                             title="Best change in target lesions by p95HER2 status"),
                            "wf_p95", filename="waterfall_p95")
        pfs, origin = endpoint_data(adsl, s.view.tables.get("adtte"), ra.bor, "PFS",
                                    7 * cfg.response.assessment_interval_weeks)
        if origin:
            pfs = pfs.merge(adsl[["USUBJID", "P95STAT"]], on="USUBJID")
            pfs["P95STAT"] = pfs["P95STAT"].fillna("Missing")
            curves = km_curves(pfs, "P95STAT", cfg.survival.conf_type, P95_LINE_COLORS)
            logrank_p = logrank_test(pfs["AVAL"], pfs["EVENT"], pfs["P95STAT"])[0]
            lines = stats_lines(curves, cfg.survival.days_per_month) + [
                widgets.p_label(s, "Log-rank p") + f" = {logrank_p:.3f} (exploratory)"]
            widgets.show_figure(km_figure(curves, ctx.with_(endpoint="PFS"), "Progression-free survival by p95HER2 status",
                                          days_per_month=cfg.survival.days_per_month, tick_months=cfg.survival.tick_months,
                                          show_ci=False, stats_lines=lines, y_title="PFS probability"),
                                "km_p95", filename="pfs_by_p95")
    else:
        st.caption("ADSL has no p95HER2 status (P95STAT).")

    if adlb is None or adlb.empty:
        st.info(missing_adlb)
        return

    res = p95_results(adlb, bm.p95_ihc_param, bm.p95_wb_param, bm.p95_ihc_positive_min)
    if len(res):
        st.subheader("Assays: IHC and Western blot")
        c1, c2, c3 = st.columns(3)
        c1.markdown("**IHC score**")
        c1.dataframe(res["IHC_TEXT"].value_counts().rename_axis("IHC").reset_index(name="Patients"), hide_index=True)
        c2.markdown("**Western blot**")
        c2.dataframe(res["WB"].value_counts().rename_axis("WB").reset_index(name="Patients"), hide_index=True)
        agree = fisher_2x2(res["IHC"], res["WB"], ("Positive", "Negative"), ("Positive", "Negative"))
        kappa, pct = cohen_kappa(agree.table)
        c3.markdown(f"**Agreement** (IHC ≥ {bm.p95_ihc_positive_min}+ as positive)")
        c3.dataframe(agree.table.rename_axis("IHC \\ WB"), width="content")
        c3.markdown(f"Cohen's κ = **{kappa:.2f}**, agreement {pct:.0%} (n = {agree.n}; "
                    f"{len(res) - agree.n} with a result not assessable or missing on either assay).")


def ctdna() -> None:
    """ctDNA trajectories, early change and clearance against response."""
    if adlb is None or adlb.empty:
        st.info(missing_adlb)
        return
    series = ctdna_series(adlb, adsl, bm.ctdna_param, bm.ctdna_lod)
    if not len(series):
        st.caption(f"No ctDNA results ({bm.ctdna_param}) in the biomarker table.")
    else:
        widgets.show_figure(ctdna_figure(series, ra.bor, ctx, bm.ctdna_lod, bm.ctdna_unit), "ctdna",
                            data=widgets.display_frame(series), filename="ctdna_trajectories")
        early = early_change(series, bm.ctdna_early_day, bm.ctdna_early_window_days, bm.ctdna_lod)
        early = early[early["USUBJID"].isin(ev_ids)]
        if len(early):
            widgets.show_figure(early_change_figure(early, ra.bor, ctx, bm.ctdna_early_day), "ctdna_early",
                                data=early.round(3), filename="ctdna_early_change")
            det = early[early["BASE_DETECTED"]]
            cl = fisher_2x2(det["CLEARED"].map({True: "Cleared", False: "Not cleared"}), det["USUBJID"].map(resp),
                            ("Cleared", "Not cleared"), ("Responder", "Non-responder"))
            left, right = st.columns(2)
            with left:
                st.markdown(f"**Clearance at day {bm.ctdna_early_day} (±{bm.ctdna_early_window_days}) and response**")
                st.dataframe(cl.table, width="content")
                st.markdown(f"Fisher's exact test: **{widgets.p_label(s, 'p')} = {cl.p_value:.3f}**; odds ratio "
                            f"{cl.odds.text()} (n = {cl.n}: {int(cl.table.loc['Cleared'].sum())} "
                            f"cleared, {int(cl.table.loc['Not cleared'].sum())} not); patients undetectable at baseline "
                            f"({int((~early['BASE_DETECTED']).sum())}) are left out.")
            with right:
                mr = det.assign(**{"Molecular response": np.where(det["MOLECULAR_RESPONSE"], "yes", "no"),
                                   "Radiological (BOR)": det["USUBJID"].map(bor.set_index("USUBJID")["BOR"])})
                st.markdown("**Molecular (≥50% fall or clearance) next to radiological response**")
                st.dataframe(mr[["USUBJID", "BASE_VAF", "EARLY_VAF", "PCT_CHANGE", "Molecular response", "Radiological (BOR)"]]
                             .round(2), hide_index=True, width="stretch", height=260)


def other() -> None:
    """Every other parameter of the biomarker table at baseline, by response."""
    if adlb is None or adlb.empty:
        st.info(missing_adlb)
        return
    panels = other_markers(adlb, bor, {bm.ctdna_param, bm.p95_ihc_param, bm.p95_wb_param}, adsl)
    if not panels:
        st.caption("The biomarker table has no other parameters.")
    else:
        st.caption("Every other parameter in the biomarker table, at baseline, by response: numeric results with the "
                   "Mann–Whitney U test; categorical ones with Fisher's exact test (2×2), the Fisher–Freeman–Halton exact "
                   "test where an expected count is below 5, else the chi-square test. Each p-value is exploratory and "
                   "unadjusted for the number of markers tested.")
        widgets.subgroup_caption(s)
        for i in range(0, len(panels), 2):
            cols = st.columns(2)
            for col, panel in zip(cols, panels[i : i + 2], strict=False):
                with col:
                    widgets.show_figure(marker_panel_figure(panel, ctx), f"marker_{panel.paramcd}",
                                        data=panel.data, filename=f"marker_{panel.paramcd.lower()}")
                    st.caption(f"n = {panel.n_groups.get('Responder', 0)} responders, "
                               f"{panel.n_groups.get('Non-responder', 0)} non-responders.")


widgets.sections({"p95HER2": p95her2, "ctDNA": ctdna, "Other markers": other}, "biomarker_section")
st.caption("Demo data: p95HER2 positivity and early ctDNA clearance are simulated to go with response plausibly, "
           "not perfectly. " + ("SYNTHETIC." if s.cut.synthetic else ""))
