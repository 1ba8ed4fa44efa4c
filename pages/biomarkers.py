"""Biomarkers (exploratory): p95HER2 and response, ctDNA dynamics, other markers at baseline."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.biomarkers import (
    MarkerOptions,
    ctdna,
    ctdna_early,
    marker_codes,
    marker_panel,
    p95_assays,
    p95_response,
)
from components.analyses.response import WaterfallOptions, waterfall
from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
from components.figures.safe_text import md
from components.ui import widgets

s = widgets.page_header("Biomarkers (exploratory)", needs=("adsl",))
if s is None:
    st.stop()
cfg, bm = s.config, s.config.biomarkers
st.info("**Exploratory.** These analyses are hypothesis-generating: groups are small, no p-value is adjusted for "
        "multiplicity (with many markers and tests, some p-values below 0.05 are expected by chance alone), and every "
        "test is shown with the number of patients in each group.")
if not s.cut.has("adrs"):
    st.info(s.cut.missing_note("adrs"))
    st.stop()
base = s.options(Options)


def p95her2() -> None:
    """p95HER2 status (ADSL) against response and PFS; the IHC and Western blot assays (ADLB)."""
    res = widgets.run(p95_response, s, base)
    if res.figure is None:
        st.caption(" ".join(res.notes))
    else:
        counts = [f"{k.replace(' (all enrolled)', '')} {v}" for k, v in res.numbers.items() if k.endswith("(all enrolled)")]
        st.markdown("**Status (ADSL), all enrolled:** " + "; ".join(md(c) for c in counts))
        left, right = st.columns([3, 2])
        with left:
            widgets.show_figure(res, "orr_p95", data=res.tables["orr"], filename="orr_by_p95")
        with right:
            fx = res.detail
            st.markdown("**Response by status (positive vs negative)**")
            st.dataframe(fx.table, width="content")
            st.markdown(f"Fisher's exact test: **{widgets.p_label(s, 'p')} = {fx.p_value:.3f}**; odds ratio "
                        f"{fx.odds.text()} (conditional MLE, exact CI); n = {fx.n}: "
                        f"{int(fx.table.loc['Positive'].sum())} positive, {int(fx.table.loc['Negative'].sum())} negative. "
                        f"Not assessable or missing ({res.numbers['Not assessable or missing (not tested)']}) are counted "
                        "above, not in the test.")
            widgets.subgroup_caption(s)
            widgets.table_to_deck("p95_fisher", "Response by p95HER2 status", fx.table.reset_index(), res)
        wf = widgets.run(waterfall, s, s.options(WaterfallOptions, color_by="P95STAT",
                                                 title="Best change in target lesions by p95HER2 status"))
        widgets.show_figure(wf, "wf_p95", filename="waterfall_p95")
        km = widgets.run(kaplan_meier_endpoint, s, s.options(
            SurvivalOptions, endpoint="PFS", group_by="P95STAT", show_ci=False,
            title="Progression-free survival by p95HER2 status"))
        if km.figure is not None:
            widgets.show_figure(km, "km_p95", filename="pfs_by_p95")

    assays = widgets.run(p95_assays, s, base)
    if not assays.tables:
        st.info(s.cut.missing_note("adlb") or " ".join(assays.notes))
        return
    st.subheader("Assays: IHC and Western blot")
    c1, c2, c3 = st.columns(3)
    c1.markdown("**IHC score**")
    c1.dataframe(assays.tables["ihc"], hide_index=True)
    c2.markdown("**Western blot**")
    c2.dataframe(assays.tables["wb"], hide_index=True)
    n = assays.numbers
    c3.markdown(f"**Agreement** (IHC ≥ {bm.p95_ihc_positive_min}+ as positive)")
    c3.dataframe(assays.tables["agreement"], width="content")
    k = n["Cohen's kappa"]
    kappa = "—" if k is None else f"{k:.2f}"
    agree = "—" if n["Agreement (%)"] is None else f"{n['Agreement (%)']:.0f}%"
    c3.markdown(f"Cohen's κ = **{kappa}**, agreement {agree} (n = {n['Patients with both']}; "
                f"{n['Not assessable or missing on either']} with a result not assessable or missing on either assay).")
    with c3:
        widgets.table_to_deck("p95_agreement", "p95HER2: IHC against Western blot", assays.tables["agreement"].reset_index(),
                              assays)
    widgets.show_code(assays, s)


def ctdna_section() -> None:
    """ctDNA trajectories, early change and clearance against response."""
    traj = widgets.run(ctdna, s, base)
    if traj.figure is None:
        st.info(s.cut.missing_note("adlb") or " ".join(traj.notes))
        return
    widgets.show_figure(traj, "ctdna", data=widgets.display_frame(traj.tables["series"]), filename="ctdna_trajectories")
    early = widgets.run(ctdna_early, s, base)
    if early.figure is None:
        st.caption(" ".join(early.notes))
        return
    widgets.show_figure(early, "ctdna_early", data=early.tables["early"], filename="ctdna_early_change")
    cl, n = early.detail, early.numbers
    left, right = st.columns(2)
    with left:
        st.markdown(f"**Clearance at day {bm.ctdna_early_day} (±{bm.ctdna_early_window_days}) and response**")
        st.dataframe(cl.table, width="content")
        st.markdown(f"Fisher's exact test: **{widgets.p_label(s, 'p')} = {cl.p_value:.3f}**; odds ratio "
                    f"{cl.odds.text()} (n = {cl.n}: {n['Cleared']} cleared, {n['Not cleared']} not); patients "
                    f"undetectable at baseline ({n['Undetectable at baseline (left out)']}) are left out.")
        widgets.table_to_deck("ctdna_clearance", f"ctDNA clearance at day {bm.ctdna_early_day} and response",
                              cl.table.reset_index(), early)
    with right:
        st.markdown("**Molecular (≥50% fall or clearance) next to radiological response**")
        widgets.table(early.tables["molecular"], width="stretch", height=260,
                      deck=("ctdna_molecular", "Molecular next to radiological response"), result=early)


def other() -> None:
    """Every other parameter of the biomarker table, at baseline, by response."""
    codes = marker_codes(s.view, cfg)
    if not codes:
        st.caption(s.cut.missing_note("adlb") or "The biomarker table has no other parameters.")
        return
    st.caption("Every other parameter in the biomarker table, at baseline, by response: numeric results with the "
               "Mann–Whitney U test; categorical ones with Fisher's exact test (2×2), the Fisher–Freeman–Halton exact "
               "test where an expected count is below 5, else the chi-square test. Each p-value is exploratory and "
               "unadjusted for the number of markers tested.")
    widgets.subgroup_caption(s)
    for i in range(0, len(codes), 2):
        cols = st.columns(2)
        for col, code in zip(cols, codes[i : i + 2], strict=False):
            with col:
                panel = widgets.run(marker_panel, s, s.options(MarkerOptions, paramcd=code))
                if panel.figure is None:
                    st.caption(" ".join(panel.notes))
                    continue
                widgets.show_figure(panel, f"marker_{code}", data=panel.tables["data"], filename=f"marker_{code.lower()}")
                st.caption(f"n = {panel.numbers['Responders']} responders, {panel.numbers['Non-responders']} "
                           "non-responders.")


widgets.sections({"p95HER2": p95her2, "ctDNA": ctdna_section, "Other markers": other}, "biomarker_section")
st.caption("Demo data: p95HER2 positivity and early ctDNA clearance are simulated to go with response plausibly, "
           "not perfectly. " + ("SYNTHETIC." if s.cut.synthetic else ""))
