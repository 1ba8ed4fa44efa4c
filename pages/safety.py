"""Safety and exposure: TEAEs by CTCAE grade, the focus toxicity (diarrhoea under neratinib), dose intensity."""

import streamlit as st

from components.analyses.base import Options
from components.analyses.labs import TEST_LABELS, LabOptions, lab_edish, lab_tests, lab_toxicity
from components.analyses.safety import (
    AeTableOptions,
    ButterflyOptions,
    ae_butterfly,
    ae_overview,
    ae_overview_by_arm,
    ae_table,
    ae_table_by_arm,
    arm_headers,
    dose_levels,
    exposure,
    focus_label,
    focus_onset_dose,
    focus_toxicity,
)
from components.figures.safe_text import patient_link
from components.i18n import _, language, translate_frame
from components.ui import widgets

s = widgets.page_header(_("Safety and exposure"), needs=("adsl", "adae"))
if s is None:
    st.stop()
cfg = s.config
base = s.options(Options)
link = widgets.patient_column()


def not_given(df):
    """The app's "Not given" reason in the session's language (the data's reasons stay as they are)."""
    return df.assign(Reason=df["Reason"].replace("Not given", _("Not given")))


ov = widgets.run(ae_overview, s, base)
n_saf = ov.numbers["Safety population"]
st.subheader(_("Overview (safety population, N = {n})").format(n=n_saf))
ov_shown = widgets.memo(ov, ("shown", language()), lambda: ov.tables["overview"][["Category", "n (%)"]].rename(
    columns={"n (%)": _("Patients, n (%) — N = {n}").format(n=n_saf)}))
widgets.table(ov_shown, width="content",
              translate=("Category",))
st.caption(ov.notes[0])
for note in ov.notes[1:]:  # the sponsor's sources disagreeing on deaths: seen, not a footnote
    st.warning(note)
widgets.table_to_deck("ae_overview", _("Adverse events overview (safety population, N = {n})").format(n=n_saf),
                      translate_frame(ov_shown, values=("Category",)), ov)
widgets.show_code(ov, s)
if not cfg.single_arm:
    with widgets.guard(_("TEAE overview by arm")):
        ba = widgets.run(ae_overview_by_arm, s, base)
        if "by_arm" in ba.tables:
            st.markdown(_("**By arm** (safety population by actual arm)"))
            by_arm = arm_headers(ba.tables["by_arm"])
            widgets.table(by_arm, width="stretch", translate=("Category",))
            st.caption(" ".join(ba.notes))
            widgets.table_to_deck("ae_overview_by_arm", _("Adverse events overview by arm"),
                                  translate_frame(by_arm, values=("Category",)), ba)


def adverse_events() -> None:
    """TEAEs by SOC and PT, worst grade per patient; the butterfly chart."""
    st.subheader(_("TEAEs by system organ class and preferred term, worst grade per patient"))
    c1, c2 = st.columns([1, 3])
    min_pct = c1.number_input(_("Minimum incidence (% any grade)"), 0.0, 100.0, 0.0, 5.0, key="saf_min")
    tab = widgets.run(ae_table, s, s.options(AeTableOptions, min_pct=float(min_pct)))
    widgets.table(tab.tables["display"], width="stretch", height=420)
    st.caption(" ".join(tab.notes))
    widgets.csv_download(tab.tables["table"], "teae_by_soc_pt.csv", _("Download (CSV)"), key="dl_soc")
    widgets.table_to_deck("ae_table", _("TEAEs by SOC and preferred term, worst grade"),
                          translate_frame(tab.tables["display"]), tab)
    widgets.show_code(tab, s)
    if not cfg.single_arm:
        with widgets.guard(_("TEAEs by arm")):
            arm_tab = widgets.run(ae_table_by_arm, s, s.options(AeTableOptions, min_pct=float(min_pct)))
            if "display" in arm_tab.tables:
                st.markdown(_("**By arm** (safety population by actual arm; any grade and grade ≥3 at the worst grade)"))
                arm_show = arm_headers(arm_tab.tables["display"])
                widgets.table(arm_show, width="stretch", height=420)
                st.caption(" ".join(arm_tab.notes))
                widgets.csv_download(arm_tab.tables["table"], "teae_by_arm.csv", _("Download (CSV)"), key="dl_soc_arm")
                widgets.table_to_deck("ae_table_by_arm", _("TEAEs by SOC and preferred term, by arm"),
                                      translate_frame(arm_show), arm_tab)
                widgets.show_code(arm_tab, s)

    top = c2.slider(_("Terms in the chart"), 5, 30, 15, key="saf_top")
    bf = widgets.run(ae_butterfly, s, s.options(ButterflyOptions, top=int(top)))
    widgets.show_figure(bf, "butterfly", data=bf.tables["counts"], filename="ae_butterfly")


def focus() -> None:
    """The focus toxicity (config [safety]): worst grades, episodes, time to onset, dose at onset."""
    res = widgets.run(focus_toxicity, s, base)
    m = widgets.metric_row(4)
    labels = [_("{term}, any grade").format(term=cfg.safety.focus_term), _("Grade ≥3"),
              _("Episodes per affected patient"), _("Median episode duration (days)")]
    for col, label, value in zip(m, labels, res.numbers.values(), strict=False):
        col.metric(label, "—" if value is None else
                   (_("{n} days").format(n=f"{value:.0f}") if isinstance(value, float) else value))
    dist = res.tables["distribution"]
    widgets.table(dist, width="content", translate=("Worst grade",))
    widgets.table_to_deck("focus_distribution", _("{focus}: worst grade per patient").format(focus=focus_label(cfg)),
                          translate_frame(widgets.slide_table(dist), values=(_("Worst grade"),)), res)
    if res.figure is not None:
        term = cfg.safety.focus_term
        widgets.show_figure(res, "focus_ci", data=res.tables["time_to_first"], filename=f"{term.lower()}_cumulative_incidence")
        onset = widgets.run(focus_onset_dose, s, base)
        widgets.show_figure(onset, "focus_dose", data=onset.tables["onsets"],
                            filename=f"{term.lower()}_by_dose")
        st.caption(" ".join(res.notes))
    ep = res.tables["episodes"]
    if len(ep):
        ep = ep.assign(Link=ep["USUBJID"].map(patient_link))
        widgets.table(ep[["Link", "Episodes", "Median duration (days)", "Longest (days)", "Worst grade", "Ongoing"]],
                      width="stretch", column_config={"Link": link}, height=widgets.listing_height(len(ep)),
                      deck=("focus_episodes", _("{focus}: episodes per patient").format(focus=focus_label(cfg))),
                      result=res)


def exposure_section() -> None:
    """Relative dose intensity, dose levels over time, reductions and interruptions."""
    if not s.cut.has("adex"):
        st.info(s.cut.missing_note("adex"))
        return
    res = widgets.run(exposure, s, base)
    widgets.table(res.tables["summary"], width="content")
    st.caption(" ".join(res.notes))
    widgets.table_to_deck("exposure_summary", _("Exposure and relative dose intensity"),
                          translate_frame(res.tables["summary"]), res)
    mods = res.tables.get("modifications")
    if mods is not None and len(mods):
        st.markdown("**" + _("Dose modifications by drug") + "**")
        widgets.table(mods, width="content", translate=("Withdrawn for an AE, n (%)",),
                      deck=("modifications", _("Dose modifications by drug")), result=res)
        st.caption(_("Per drug, of the patients dosed with it: a reduction is a dose below the previous non-zero dose "
                     "(escalation steps are not); an interruption is a run of zero-dose records; withdrawn = an adverse "
                     "event whose action taken (AEACN) withdrew that drug (AEACNDRG)."))
    if res.figure is None:
        widgets.show_code(res, s)
        return
    widgets.show_figure(res, "rdi", data=res.tables["rdi"], filename="rdi")
    levels = widgets.run(dose_levels, s, base)
    if levels.figure is not None:
        widgets.show_figure(levels, "dose_levels", data=levels.tables["dose_levels"], filename="dose_levels")
    adj = res.tables["adjustments"]
    st.markdown("**" + _("Dose reductions and interruptions") + "**")
    if adj.empty:
        st.caption(_("None recorded."))
    else:
        counts = not_given(res.tables["adjustment_counts"])
        widgets.table(counts, width="content", translate=("Kind",))
        widgets.table_to_deck("adjustment_counts", _("Dose reductions and interruptions"),
                              translate_frame(counts, values=("Kind",)), res)
        adj_show = not_given(adj.assign(Link=adj["USUBJID"].map(patient_link)))
        widgets.table(adj_show[["Link", "DRUG", "DATE", "KIND", "Reason", "DETAIL"]], width="stretch",
                      column_config={"Link": link}, height=widgets.listing_height(len(adj_show)),
                      deck=("adjustments", _("Dose reductions and interruptions: listing")), result=res)


def laboratory_section() -> None:
    """CTCAE grades from ADLB: shift table, worst grade by cycle, grade ≥ 3 listing, eDISH."""
    tests = lab_tests(s.cut, base) if s.cut.has("adlb") else []
    if not tests:
        st.info(_("No graded laboratory test (neutrophils, ALT, AST, bilirubin, creatinine) in the laboratory table "
                  "(ADLB) of this cut."))
        return
    test = st.segmented_control(_("Test"), tests, default=tests[0], key="lab_test",
                                format_func=lambda t: _(TEST_LABELS[t])) or tests[0]
    res = widgets.run(lab_toxicity, s, s.options(LabOptions, test=test))
    m = widgets.metric_row(2)
    m[0].metric(_("Patients with a graded post-baseline value"), res.numbers.get("Patients with a graded post-baseline value", 0))
    pct = res.numbers.get("Worst grade ≥3 (%)")
    m[1].metric(_("Worst grade ≥3"), f"{res.numbers.get('Worst grade ≥3, patients', 0)}"
                + (f" ({pct:.1f}%)" if pct is not None else ""))
    if "shift" in res.tables:
        st.markdown("**" + _("Shift from baseline to the worst post-baseline grade (patients)") + "**")
        widgets.table(res.tables["shift"], width="content", translate=("Baseline",),
                      deck=("lab_shift", _("{test}: shift from baseline grade").format(test=_(TEST_LABELS[test]))),
                      result=res)
        st.markdown("**" + _("Worst grade by treatment cycle (patients)") + "**")
        widgets.table(res.tables["by_cycle"], width="content",
                      deck=("lab_cycle", _("{test}: worst grade by cycle").format(test=_(TEST_LABELS[test]))), result=res)
        severe = res.tables["grade3"]
        st.markdown("**" + _("Grade ≥3 results") + "**")
        if severe.empty:
            st.caption(_("None."))
        else:
            widgets.table(severe.assign(USUBJID=severe["USUBJID"].map(patient_link)), width="content",
                          column_config={"USUBJID": link}, height=widgets.listing_height(len(severe)))
    st.caption(" ".join(res.notes))
    widgets.show_code(res, s)
    ed = widgets.run(lab_edish, s, base)
    if ed.figure is not None:
        widgets.show_figure(ed, "edish", data=translate_frame(ed.tables["edish"], values=("Quadrant",)), filename="edish")
    st.caption(" ".join(ed.notes))


widgets.sections({_("Adverse events"): adverse_events, focus_label(cfg): focus, _("Exposure"): exposure_section,
                  _("Laboratory"): laboratory_section}, "safety_section")
