"""Safety counting and exposure against hand-worked cases, and the page."""

from __future__ import annotations

import pandas as pd
import pytest

from components.data.config import load_config
from components.stats.exposure import dose_level_over_time, relative_dose_intensity
from components.stats.safety import (
    incidence_table,
    onset_by_dose,
    overview,
    treatment_emergent,
    worst_grade_distribution,
)

D0 = pd.Timestamp("2026-01-01")


def d(k: int) -> pd.Timestamp:
    return D0 + pd.Timedelta(days=k - 1)


@pytest.fixture
def hand():
    """4 patients in the safety population (A–D) and one not treated (E, SAFFL = N, with an AE that
    must not count). A has three diarrhoea episodes of grades 1, 3, 2."""
    adsl = pd.DataFrame({"USUBJID": list("ABCDE"), "SAFFL": ["Y", "Y", "Y", "Y", "N"],
                         "TRTSDT": [d(1)] * 4 + [pd.NaT], "TRTEDT": [pd.NaT] * 5})
    adae = pd.DataFrame({
        "USUBJID": ["A", "A", "A", "B", "B", "C", "E"],
        "AEDECOD": ["Diarrhoea", "Diarrhoea", "Diarrhoea", "Diarrhoea", "Nausea", "Nausea", "Diarrhoea"],
        "AEBODSYS": ["Gastrointestinal disorders"] * 7,
        "AETOXGR": [1, 3, 2, 2, 1, 3, 4],
        "ASTDT": [d(3), d(20), d(40), d(5), d(6), d(9), d(2)], "AENDT": [d(5), d(25), d(44), d(8), d(7), d(12), d(3)],
        "TRTEMFL": "Y", "AESER": ["N", "Y", "N", "N", "N", "N", "N"],
        "AREL": "RELATED", "AEACN": ["DOSE NOT CHANGED", "DRUG INTERRUPTED", "DOSE NOT CHANGED", "DOSE NOT CHANGED",
                                     "DOSE NOT CHANGED", "DOSE REDUCED", "DOSE NOT CHANGED"],
    })
    return adsl, adae


def test_soc_rows_count_every_patient_whatever_terms_are_hidden():
    """Issue 15 (2), hand-worked: 20 patients, 5 with GI terms: A and B Nausea (grades 1, 3), C
    Vomiting (3), D Diarrhoea (1), E Constipation (2). With a 10% minimum incidence only Nausea
    (2/20 = 10%) stays as a row; the SOC row still counts all 5 patients, 2 of them at grade ≥3 (B, C)
    — not 2 and 1, the count of the rows left."""
    adae = pd.DataFrame({"USUBJID": list("ABCDE"), "AEBODSYS": "Gastrointestinal disorders",
                         "AEDECOD": ["Nausea", "Nausea", "Vomiting", "Diarrhoea", "Constipation"],
                         "AETOXGR": [1, 3, 3, 1, 2]})
    tab = incidence_table(adae, 20, min_pct=10.0)
    assert list(tab["Term"]) == ["Gastrointestinal disorders", "Nausea"]
    soc = tab.iloc[0]
    assert (soc["Any grade"], soc["Grade ≥3"], soc["Grade 3"], soc["Grade 2"]) == (5, 2, 2, 1)
    assert soc["Any grade %"] == pytest.approx(25.0)
    # an SOC none of whose terms reaches the filter is left out with its terms
    other = pd.concat([adae, pd.DataFrame({"USUBJID": ["F"], "AEBODSYS": ["Skin"], "AEDECOD": ["Rash"],
                                           "AETOXGR": [1]})])
    assert "Skin" not in set(incidence_table(other, 20, min_pct=10.0)["SOC"])


def test_worst_grade_counts_each_patient_once(hand):
    adsl, adae = hand
    teae = treatment_emergent(adae, adsl)
    assert "E" not in set(teae["USUBJID"])  # not in the safety population
    tab = incidence_table(teae, 4).set_index("Term")
    diar = tab.loc["Diarrhoea"]
    # A (worst 3) and B (worst 2): 2 patients, one at grade 3, one at grade 2 — A's grades 1 and 2 not counted
    assert (diar["Any grade"], diar["Grade 1"], diar["Grade 2"], diar["Grade 3"], diar["Grade ≥3"]) == (2, 0, 1, 1, 1)
    assert diar["Any grade %"] == pytest.approx(50.0)  # of the safety population, N = 4
    soc = tab.loc["Gastrointestinal disorders"]
    # the SOC: A worst 3, B worst 2 (diarrhoea 2, nausea 1), C worst 3 → 3 patients, 2 at grade ≥3
    assert (soc["Any grade"], soc["Grade 2"], soc["Grade 3"]) == (3, 1, 2)
    dist = worst_grade_distribution(teae, "Diarrhoea", 4).set_index("Worst grade")["Patients"]
    assert (dist["Grade 2"], dist["Grade 3"], dist["None"]) == (1, 1, 2)


def test_overview_denominator_is_the_safety_population(hand):
    adsl, adae = hand
    ov = overview(treatment_emergent(adae, adsl), 4).set_index("Category")
    assert ov.loc["Any TEAE", "Patients"] == 3 and ov.loc["Any TEAE", "%"] == 75.0
    assert ov.loc["Grade ≥3 TEAE", "Patients"] == 2  # A and C (E's grade 4 is not in the safety population)
    assert ov.loc["Serious TEAE", "Patients"] == 1
    assert ov.loc["TEAE leading to interruption", "Patients"] == 1
    assert ov.loc["TEAE leading to dose reduction", "n (%)"] == "1 (25.0%)"


def test_teae_window_without_the_flag(hand):
    adsl, adae = hand
    adsl = adsl.assign(TRTEDT=[d(10)] * 4 + [pd.NaT])
    teae = treatment_emergent(adae.drop(columns="TRTEMFL"), adsl, lag_days=30)
    # A's episode on day 40 is 30 days after the last dose (day 10): counted; nothing starts later
    assert len(teae) == 6
    teae = treatment_emergent(adae.drop(columns="TRTEMFL"), adsl, lag_days=29)
    assert len(teae) == 5


def test_dose_levels_by_week_hand_computed():
    """P1 escalates 120 → 160 → 240 mg weekly; P2 takes 240 mg for 3 weeks, then holds for a week.
    Sampled every 7 days from the first dose, a patient counts at the dose taken that day."""
    d = pd.Timestamp("2026-01-01")
    day = lambda k: d + pd.Timedelta(days=k)  # noqa: E731
    adex = pd.DataFrame({
        "USUBJID": ["P1", "P1", "P1", "P2", "P2"], "EXTRT": ["Neratinib"] * 5,
        "EXDOSE": [120.0, 160.0, 240.0, 240.0, 0.0],
        "ASTDT": [day(0), day(7), day(14), day(0), day(21)], "AENDT": [day(6), day(13), day(30), day(20), day(27)],
    })
    adsl = pd.DataFrame({"USUBJID": ["P1", "P2"], "TRTSDT": [d, d]})
    got = dose_level_over_time(adex, adsl, "neratinib", day(60))
    expected = [(0, 120.0, 1), (0, 240.0, 1), (7, 160.0, 1), (7, 240.0, 1), (14, 240.0, 2), (21, 0.0, 1),
                (21, 240.0, 1), (28, 240.0, 1)]
    assert list(got.itertuples(index=False, name=None)) == expected


def test_relative_dose_intensity_hand_computed():
    """Neratinib 120 mg days 1–7, 160 mg days 8–14, 240 mg days 15–28 held on days 20–21: delivered
    7·120 + 7·160 + 12·240 = 4840 mg; planned (escalation) 7·120 + 7·160 + 14·240 = 5320 mg; RDI 0.9098.
    Eribulin 1.4 mg/m² on day 1, skipped on day 8, 1.1 on day 22: delivered 2.5, planned 3·1.4 = 4.2,
    RDI 0.5952."""
    cfg = load_config()
    adsl = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": [d(1)], "TRTEDT": [d(28)]})
    adex = pd.DataFrame({
        "USUBJID": "A",
        "EXTRT": ["Neratinib"] * 5 + ["Eribulin"] * 3,
        "EXDOSE": [120, 160, 240, 0, 240, 1.4, 0, 1.1],
        "ASTDT": [d(1), d(8), d(15), d(20), d(22), d(1), d(8), d(22)],
        "AENDT": [d(7), d(14), d(19), d(21), d(28), d(1), d(8), d(22)],
    })
    ner = relative_dose_intensity(adex, adsl, cfg.drug("Neratinib"), d(60)).iloc[0]
    assert (ner["DAYS"], ner["TOTAL"], ner["PLANNED"]) == (28, 4840, 5320)
    assert ner["RDI"] == pytest.approx(4840 / 5320)
    eri = relative_dose_intensity(adex, adsl, cfg.drug("Eribulin"), d(60)).iloc[0]
    assert eri["TOTAL"] == pytest.approx(2.5) and eri["PLANNED"] == pytest.approx(4.2)
    assert eri["RDI"] == pytest.approx(2.5 / 4.2)


def test_relative_dose_intensity_uses_the_drugs_own_last_dose():
    """Issue 15 (10), hand-worked: eribulin stopped after day 22 while neratinib goes on to day 100
    (ADSL TRTEDT). Eribulin's RDI is over its own days 1–22: planned days 1, 8, 22 = 4.2 mg/m²,
    delivered 1.4 + 1.4 + 1.4 = 4.2, RDI 1.0 — not 4.2 / (10 · 1.4) = 0.30 over days 1–100."""
    cfg = load_config()
    adsl = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": [d(1)], "TRTEDT": [d(100)]})
    adex = pd.DataFrame({
        "USUBJID": "A", "EXTRT": ["Neratinib", "Eribulin", "Eribulin", "Eribulin"],
        "EXDOSE": [240, 1.4, 1.4, 1.4], "ASTDT": [d(1), d(1), d(8), d(22)], "AENDT": [d(100), d(1), d(8), d(22)],
    })
    eri = relative_dose_intensity(adex, adsl, cfg.drug("Eribulin"), d(120)).iloc[0]
    assert (eri["DAYS"], eri["PLANNED"]) == (22, pytest.approx(4.2))
    assert eri["RDI"] == pytest.approx(1.0)
    # a drug started a week late: its own day 1 is its first dose (days 8, 15, 29 → planned 3 doses)
    late = adex.assign(ASTDT=adex["ASTDT"] + pd.Timedelta(days=7), AENDT=adex["AENDT"] + pd.Timedelta(days=7))
    eri = relative_dose_intensity(late, adsl, cfg.drug("Eribulin"), d(120)).iloc[0]
    assert eri["RDI"] == pytest.approx(1.0)
    # never given: nothing delivered over TRTSDT..TRTEDT
    none = relative_dose_intensity(adex[adex["EXTRT"] == "Neratinib"], adsl, cfg.drug("Eribulin"), d(120)).iloc[0]
    assert none["TOTAL"] == 0 and none["RDI"] == 0


def test_time_to_first_episode_has_competing_events():
    """Issue 15 (11), hand-worked. Safety patients, first dose day 1, cut-off day 200:
    A: diarrhoea on day 10 → event, 10 days. B: last dose day 20, no episode → competing at day 20 +
    30 = 50, 50 days. C: died on day 15, no episode → competing, 15 days. D: on treatment → censored at
    the cut-off, 200 days. Aalen–Johansen: at day 10, 1/4 at risk has the event: CIF 0.25; C (day 15)
    and B (day 50) are competing events, which leave it at 0.25 — 1 − KM would read 1/4, then 1/2 at
    the end had they been censored and another event followed."""
    from components.stats.safety import time_to_first
    from components.stats.survival import cumulative_incidence

    adsl = pd.DataFrame({"USUBJID": list("ABCD"), "SAFFL": "Y", "TRTSDT": [d(1)] * 4,
                         "TRTEDT": [pd.NaT, d(20), pd.NaT, pd.NaT], "DTHDT": [pd.NaT, pd.NaT, d(15), pd.NaT]})
    teae = pd.DataFrame({"USUBJID": ["A"], "AEDECOD": ["Diarrhoea"], "AETOXGR": [2], "ASTDT": [d(10)]})
    t = time_to_first(teae, adsl, "diarrhoea", d(200), 1, 30).set_index("USUBJID")
    assert list(t["STATUS"]) == [1, 2, 2, 0]
    assert list(t["DAYS"]) == [10, 50, 15, 200]
    aj = cumulative_incidence(t["DAYS"], t["STATUS"]).set_index("time")
    assert aj.loc[10, "cif"] == pytest.approx(0.25) and aj.loc[200, "cif"] == pytest.approx(0.25)
    assert aj.loc[50, "cif_competing"] == pytest.approx(0.5)
    # grade ≥3: nobody; A is then followed to the cut-off (censored), not counted
    t3 = time_to_first(teae, adsl, "Diarrhoea", d(200), 3, 30).set_index("USUBJID")
    assert t3.loc["A", "STATUS"] == 0 and t3.loc["A", "DAYS"] == 200


def test_an_open_daily_dosing_record_runs_to_the_cut_off():
    """Review finding: neratinib 240 mg from day 1 with no end date (on treatment) counted as one day
    (RDI 200%). It runs to the cut-off (day 28): planned 7·120 + 7·160 + 14·240 = 5320 mg, delivered
    28·240 = 6720 mg."""
    cfg = load_config()
    adsl = pd.DataFrame({"USUBJID": ["A"], "TRTSDT": [d(1)], "TRTEDT": [pd.NaT]})
    adex = pd.DataFrame({"USUBJID": ["A"], "EXTRT": ["Neratinib"], "EXDOSE": [240.0], "ASTDT": [d(1)], "AENDT": [pd.NaT]})
    ner = relative_dose_intensity(adex, adsl, cfg.drug("Neratinib"), d(28)).iloc[0]
    assert (ner["DAYS"], ner["TOTAL"], ner["PLANNED"]) == (28, 6720, 5320)


def test_onset_dose_is_the_dose_taken_before_onset():
    adex = pd.DataFrame({"USUBJID": "A", "EXTRT": "Neratinib", "EXDOSE": [240, 0],
                         "ASTDT": [d(1), d(10)], "AENDT": [d(9), d(14)]})
    teae = pd.DataFrame({"USUBJID": ["A"], "AEDECOD": ["Diarrhoea"], "AETOXGR": [3], "ASTDT": [d(10)]})
    assert onset_by_dose(teae, adex, "Diarrhoea", "Neratinib")["DOSE"].iloc[0] == 240


def test_page_runs_one_section_at_a_time(app_factory):
    """Each section is a tab that runs only when open: the default shows the AE tables and chart,
    the others appear when their tab is chosen."""
    at = app_factory().run()
    at.switch_page("pages/safety.py").run()
    assert not at.exception
    assert [t.label for t in at.tabs] == ["Adverse events", "Diarrhoea under Neratinib", "Exposure", "Laboratory"]
    assert any(h.value.startswith("TEAEs by system organ class") for h in at.subheader)
    assert not any(m.label.startswith("Diarrhoea") for m in at.metric)  # the closed tab did not run
    at.session_state["safety_section"] = "Diarrhoea under Neratinib"
    at.run()
    assert not at.exception
    assert any(m.label.startswith("Diarrhoea") for m in at.metric)
    assert len(at.get("plotly_chart")) == 2  # cumulative incidence and dose at onset; the AE chart is not sent
    at.session_state["safety_section"] = "Exposure"
    at.run()
    assert not at.exception
    assert any("Dose reductions and interruptions" in m.value for m in at.markdown)
