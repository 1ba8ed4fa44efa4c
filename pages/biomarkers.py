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
from components.i18n import _, translate_frame
from components.stats.pvalues import p_relation
from components.ui import widgets

s = widgets.page_header(_("Biomarkers (exploratory)"), needs=("adsl",))
if s is None:
    st.stop()
cfg, bm = s.config, s.config.biomarkers
st.info(_("**Exploratory.** These analyses are hypothesis-generating: groups are small, no p-value is adjusted for "
          "multiplicity (with many markers and tests, some p-values below 0.05 are expected by chance alone), and every "
          "test is shown with the number of patients in each group."))
if not s.cut.has("adrs"):
    st.info(s.cut.missing_note("adrs"))
    st.stop()
base = s.options(Options)


def labelled(df):
    """A 2×2 table as shown: the app's row and column labels (Positive, Responder, …) and the index
    name in the session's language."""
    out = df.rename(index=lambda v: _(str(v)), columns=lambda v: _(str(v)))
    if out.index.name:
        out.index.name = _(out.index.name)
    return out


def p95her2() -> None:
    """p95HER2 status (ADSL) against response and PFS; the IHC and Western blot assays (ADLB)."""
    res = widgets.run(p95_response, s, base)
    if res.figure is None:
        st.caption(" ".join(res.notes))
    else:
        counts = [f"{_(k.replace(' (all enrolled)', ''))} {v}" for k, v in res.numbers.items()
                  if k.endswith("(all enrolled)")]
        st.markdown(_("**Status (ADSL), all enrolled:** {counts}").format(counts="; ".join(md(c) for c in counts)))
        left, right = st.columns([3, 2])
        with left:
            widgets.show_figure(res, "orr_p95", data=res.tables["orr"], filename="orr_by_p95")
        with right:
            fx = res.detail
            st.markdown(_("**Response by status (positive vs negative)**"))
            st.dataframe(labelled(fx.table), width="content")
            st.markdown(_("Fisher's exact test: **{p_label} {p}**; odds ratio {odds} (conditional MLE, exact CI); "
                          "n = {n}: {pos} positive, {neg} negative. Not assessable or missing ({missing}) are counted "
                          "above, not in the test.").format(
                p_label=widgets.p_label(s, "p"), p=p_relation(fx.p_value), odds=fx.odds.text(), n=fx.n,
                pos=int(fx.table.loc["Positive"].sum()), neg=int(fx.table.loc["Negative"].sum()),
                missing=res.numbers["Not assessable or missing (not tested)"]))
            widgets.subgroup_caption(s)
            widgets.table_to_deck("p95_fisher", _("Response by p95HER2 status"),
                                  translate_frame(labelled(fx.table).reset_index()), res)
        wf = widgets.run(waterfall, s, s.options(WaterfallOptions, color_by="P95STAT",
                                                 title=_("Best change in target lesions by p95HER2 status")))
        widgets.show_figure(wf, "wf_p95", filename="waterfall_p95")
        km = widgets.run(kaplan_meier_endpoint, s, s.options(
            SurvivalOptions, endpoint="PFS", group_by="P95STAT", show_ci=False,
            title=_("Progression-free survival by p95HER2 status")))
        if km.figure is not None:
            widgets.show_figure(km, "km_p95", filename="pfs_by_p95")

    assays = widgets.run(p95_assays, s, base)
    if not assays.tables:
        st.info(s.cut.missing_note("adlb") or " ".join(assays.notes))
        return
    st.subheader(_("Assays: IHC and Western blot"))
    c1, c2, c3 = st.columns(3)
    c1.markdown(_("**IHC score**"))
    with c1:
        widgets.table(assays.tables["ihc"], translate=("IHC",))
    c2.markdown(_("**Western blot**"))
    with c2:
        widgets.table(assays.tables["wb"], translate=("WB",))
    n = assays.numbers
    c3.markdown(_("**Agreement** (IHC ≥ {score}+ as positive)").format(score=bm.p95_ihc_positive_min))
    c3.dataframe(labelled(assays.tables["agreement"]), width="content")
    k = n["Cohen's kappa"]
    kappa = "—" if k is None else f"{k:.2f}"
    agree = "—" if n["Agreement (%)"] is None else f"{n['Agreement (%)']:.0f}%"
    c3.markdown(_("Cohen's κ = **{kappa}**, agreement {agree} (n = {n}; {missing} with a result not assessable or "
                  "missing on either assay).").format(kappa=kappa, agree=agree, n=n["Patients with both"],
                                                     missing=n["Not assessable or missing on either"]))
    with c3:
        widgets.table_to_deck("p95_agreement", _("p95HER2: IHC against Western blot"),
                              translate_frame(labelled(assays.tables["agreement"]).reset_index()), assays)
    widgets.show_code(assays, s)


def ctdna_section() -> None:
    """ctDNA trajectories, early change and clearance against response."""
    traj = widgets.run(ctdna, s, base)
    if traj.figure is None:
        st.info(s.cut.missing_note("adlb") or " ".join(traj.notes))
        return
    widgets.show_figure(traj, "ctdna", data=traj.tables["series"], filename="ctdna_trajectories")
    early = widgets.run(ctdna_early, s, base)
    if early.figure is None:
        st.caption(" ".join(early.notes))
        return
    widgets.show_figure(early, "ctdna_early", data=early.tables["early"], filename="ctdna_early_change")
    cl, n = early.detail, early.numbers
    left, right = st.columns(2)
    with left:
        st.markdown(_("**Clearance at day {day} (±{window}) and response**").format(
            day=bm.ctdna_early_day, window=bm.ctdna_early_window_days))
        st.dataframe(labelled(cl.table), width="content")
        st.markdown(_("Fisher's exact test: **{p_label} {p}**; odds ratio {odds} (n = {n}: {cleared} cleared, "
                      "{not_cleared} not); patients undetectable at baseline ({undetectable}) are left out.").format(
            p_label=widgets.p_label(s, "p"), p=p_relation(cl.p_value), odds=cl.odds.text(), n=cl.n, cleared=n["Cleared"],
            not_cleared=n["Not cleared"], undetectable=n["Undetectable at baseline (left out)"]))
        widgets.table_to_deck("ctdna_clearance", _("ctDNA clearance at day {day} and response").format(
            day=bm.ctdna_early_day), translate_frame(labelled(cl.table).reset_index()), early)
    with right:
        st.markdown(_("**Molecular (≥50% fall or clearance) next to radiological response**"))
        molecular = early.tables["molecular"]
        widgets.table(molecular, width="stretch", height=260, translate=("Molecular response",))
        widgets.table_to_deck("ctdna_molecular", _("Molecular next to radiological response"),
                              translate_frame(widgets.slide_table(molecular), values=(_("Molecular response"),)), early)


def other() -> None:
    """Every other parameter of the biomarker table, at baseline, by response."""
    codes = marker_codes(s.view, cfg)
    if not codes:
        st.caption(s.cut.missing_note("adlb") or _("The biomarker table has no other parameters."))
        return
    st.caption(_("Every other parameter in the biomarker table, at baseline, by response: numeric results with the "
                 "Mann–Whitney U test; categorical ones with Fisher's exact test (2×2), the Fisher–Freeman–Halton exact "
                 "test where an expected count is below 5, else the chi-square test. Each p-value is exploratory and "
                 "unadjusted for the number of markers tested."))
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
                st.caption(_("n = {responders} responders, {non_responders} non-responders.").format(
                    responders=panel.numbers["Responders"], non_responders=panel.numbers["Non-responders"]))


widgets.sections({"p95HER2": p95her2, "ctDNA": ctdna_section, _("Other markers"): other}, "biomarker_section")
if s.cut.synthetic:  # said of the demo only: on a real cut it would be false
    st.caption(_("Demo data: p95HER2 positivity and early ctDNA clearance are simulated to go with response plausibly, "
                 "not perfectly.") + " SYNTHETIC.")
