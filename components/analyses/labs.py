"""Laboratory toxicity on the Safety page (issue 36, item 2): CTCAE v5.0 grades from ADLB (the sponsor's
ATOXGR first), the baseline-to-worst shift table, the worst grade by treatment cycle, the patients with a
grade ≥ 3 value, and the eDISH plot. The rules and their source: components/stats/labs.py."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from components.analyses.base import Options, Result, analysis, figure_context, view
from components.data.config import StudyConfig
from components.data.datasets import DataCut
from components.figures.lab_plots import edish_figure
from components.i18n import N_, _
from components.stats.labs import GRADES, LAB_TESTS, edish, grade_labs, lab_test, shift_table, worst_by_cycle
from components.stats.safety import safety_population

#: The tests as the page names them (their CTCAE term).
TEST_LABELS = {"NEUT": N_("Neutrophil count decreased"), "ALT": N_("Alanine aminotransferase increased"),
               "AST": N_("Aspartate aminotransferase increased"), "BILI": N_("Blood bilirubin increased"),
               "CREAT": N_("Creatinine increased")}


#: Headers and row labels of the tables (built from the grade numbers; listed here for the catalogs).
TABLE_LABELS = (N_("Grade 0"), N_("Grade 1"), N_("Grade 2"), N_("Grade 3"), N_("Grade 4"), N_("Worst grade 0"),
                N_("Worst grade 1"), N_("Worst grade 2"), N_("Worst grade 3"), N_("Worst grade 4"), N_("Baseline"),
                N_("Total"), N_("Cycle"), N_("Patients"), N_("Study day"), N_("Value"), N_("Grade"))


EDISH_HEADERS = (N_("Peak ALT or AST (× ULN)"), N_("Peak total bilirubin (× ULN)"), N_("Quadrant"))


@dataclass(frozen=True)
class LabOptions(Options):
    test: str = "NEUT"


def _graded(cut: DataCut, options: Options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(safety population, graded results of its patients)."""
    v = view(cut, options)
    saf = safety_population(v.tables["adsl"])
    graded = grade_labs(v.tables.get("adlb"))
    return saf, graded[graded["USUBJID"].isin(set(saf["USUBJID"]))]


def lab_tests(cut: DataCut, options: Options) -> list[str]:
    """The graded tests the cut has results for (by their PARAMCDs, without grading every result: the
    page asks on each run), in the order of :data:`LAB_TESTS`."""
    adlb = view(cut, options).tables.get("adlb")
    if adlb is None or "PARAMCD" not in adlb:
        return []
    present = {t.key for t in map(lab_test, adlb["PARAMCD"].dropna().unique()) if t is not None}
    return [t.key for t in LAB_TESTS if t.key in present]


def _cycle_days(config: StudyConfig) -> int:
    return next((d.cycle_days for d in config.regimen if d.cycle_days), 21)


@analysis(N_("Laboratory toxicity"))
def lab_toxicity(cut: DataCut, config: StudyConfig, options: LabOptions) -> Result:
    """One test: shift from the baseline grade to the worst post-baseline grade, the worst grade by cycle,
    and the patients with a grade ≥ 3 value (safety population)."""
    saf, graded = _graded(cut, options)
    g = graded[graded["TEST"] == options.test]
    label = _(TEST_LABELS.get(options.test, options.test))
    if g.empty:
        return Result(label, {}, {}, None, (_("No graded results of this test in the laboratory table (ADLB)."),))
    ids = list(saf["USUBJID"])
    shift = shift_table(graded, options.test, ids)
    shown = shift.rename(index=lambda k: f"Grade {k}", columns=lambda k: f"Worst grade {k}")
    shown["Total"] = shown.sum(axis=1)
    shown = shown.reset_index().rename(columns={"Baseline grade": "Baseline"})
    shown.columns.name = None
    cycle = _cycle_days(config)
    by_cycle = worst_by_cycle(graded, options.test, cycle)
    post = g[g["POST"] & g["GRADE"].notna()]
    worst = post.groupby("USUBJID")["GRADE"].max()
    severe = post[post["GRADE"] >= 3].sort_values(["USUBJID", "ADT"])
    listing = severe[["USUBJID", "ADT", "ADY", "AVAL", "ANRLO", "ANRHI", "GRADE"]].astype({"GRADE": "Int64"}).rename(
        columns={"ADT": "Date", "ADY": "Study day", "AVAL": "Value", "ANRLO": "LLN", "ANRHI": "ULN", "GRADE": "Grade"})
    n, k = int(worst.size), int((worst >= 3).sum())
    numbers = {"Patients with a graded post-baseline value": n, "Worst grade ≥3, patients": k,
               "Worst grade ≥3 (%)": round(100 * k / n, 1) if n else None}
    notes = [_("CTCAE v5.0 grades: the sponsor's (ATOXGR) where given, else derived from the value, the reference "
               "range and the baseline; shift = baseline grade × worst post-baseline grade, each patient once; cycles of "
               "{days} days from the first dose.").format(days=cycle)]
    given = g[g["SPONSOR_GRADE"].notna() & g["DERIVED_GRADE"].notna()]
    differ = int((given["SPONSOR_GRADE"] != given["DERIVED_GRADE"]).sum())
    if differ:
        notes.append(_("The sponsor's grade and the derived grade differ on {n} of {m} results; the sponsor's is shown.")
                     .format(n=differ, m=len(given)))
    ungraded = int(g["GRADE"].isna().sum())
    if ungraded:
        notes.append(_("{n} results cannot be graded (no reference range, or a unit the rule cannot read): not "
                       "counted, never as grade 0.").format(n=ungraded))
    return Result(label, numbers, {"shift": shown, "by_cycle": by_cycle, "grade3": listing}, None, tuple(notes))


@analysis(N_("eDISH"))
def lab_edish(cut: DataCut, config: StudyConfig, options: Options) -> Result:
    """Peak ALT/AST against peak total bilirubin (× ULN) per patient, with the potential Hy's law quadrant."""
    saf, graded = _graded(cut, options)
    df = edish(graded)
    if df.empty:
        return Result(_("eDISH"), {}, {}, None,
                      (_("Needs post-baseline ALT or AST and total bilirubin with their reference ranges."),))
    arm = None
    if config.arms and config.safety_arm in saf:
        arm = config.safety_arm
        df = df.merge(saf[["USUBJID", arm]], on="USUBJID", how="left")
    ctx = figure_context(cut, config, options, _("Safety population (N = {n})").format(n=len(saf)), _("eDISH"))
    fig = edish_figure(df, ctx, arm, list(config.arms))
    counts = df["QUADRANT"].value_counts()
    numbers = {"Patients placed": len(df), "Potential Hy's law": int(counts.get("Potential Hy's law", 0)),
               "Temple's corollary": int(counts.get("Temple's corollary", 0)),
               "Hyperbilirubinaemia": int(counts.get("Hyperbilirubinaemia", 0))}
    note = _("A point is a patient's peak post-baseline values, which need not be on the same day: a point in the "
             "potential Hy's law quadrant (ALT or AST > 3 × ULN and bilirubin > 2 × ULN) calls for a review of the "
             "case (FDA guidance on drug-induced liver injury, 2009), not a verdict.")
    table = df.round(3).rename(columns={"PEAK_AT": EDISH_HEADERS[0], "PEAK_BILI": EDISH_HEADERS[1],
                                        "QUADRANT": EDISH_HEADERS[2]})
    return Result(_("eDISH"), numbers, {"edish": table}, fig, (note,))


__all__ = ["GRADES", "LabOptions", "lab_edish", "lab_tests", "lab_toxicity"]
