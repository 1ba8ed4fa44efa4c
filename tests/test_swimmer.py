"""Swimmer and patient-profile builders on a small hand-made data set, and the pages in AppTest."""

from __future__ import annotations

import pandas as pd
import pytest

from components.data.datasets import load_cut
from components.figures.profile_plots import profile_figure
from components.figures.swimmer_plots import swimmer_figure
from components.stats.profile import patient_data
from components.stats.swimmer import dose_changes, swimmer_data
from tests.conftest import DEMO_DIR, chart_figures, decode_array

D0 = pd.Timestamp("2026-01-01")
CUT = pd.Timestamp("2026-06-30")


def d(k: int) -> pd.Timestamp:
    """Study day k (first dose = day 1)."""
    return D0 + pd.Timedelta(days=k - 1)


@pytest.fixture
def small():
    adsl = pd.DataFrame({
        "USUBJID": ["S-01-001", "S-01-002", "S-02-001", "S-02-002"],
        "SITEID": ["01", "01", "02", "02"], "P95STAT": ["Positive", "Negative", "Positive", None],
        "RFICDT": [d(-10), d(-5), d(20), d(150)],
        "TRTSDT": [d(1), d(1), d(30), pd.NaT],            # S-02-002 never treated
        "TRTEDT": [d(100), pd.NaT, pd.NaT, pd.NaT],         # S-01-001 stopped on day 100
        "DCSREAS": ["Progressive disease", None, None, "Withdrawal by subject"],
        "DTHDT": [d(150), pd.NaT, pd.NaT, pd.NaT], "LSTALVDT": [d(150), d(170), d(170), d(150)],
    })
    bor = pd.DataFrame({
        "USUBJID": ["S-01-001", "S-01-002", "S-02-001", "S-02-002"], "BOR": ["PR", "SD", "NE", "NE"],
        "RESP_DATE": [d(43), pd.NaT, pd.NaT, pd.NaT], "CONF_DATE": [d(85), pd.NaT, pd.NaT, pd.NaT],
        "PD_DATE": [d(97), pd.NaT, pd.NaT, pd.NaT],
    })
    adex = pd.DataFrame({
        "USUBJID": ["S-01-001"] * 5 + ["S-01-002"] * 3,
        "EXTRT": ["Neratinib"] * 8,
        "EXDOSE": [120, 160, 240, 0, 200, 120, 160, 240],
        "EXDOSU": "mg",
        "ASTDT": [d(1), d(8), d(15), d(30), d(36), d(1), d(8), d(15)],
        "AENDT": [d(7), d(14), d(29), d(35), d(100), d(7), d(14), CUT],
        "EXADJ": ["Escalation", "Escalation", "", "Adverse event: Diarrhoea", "Dose reduced: Diarrhoea", "", "", ""],
    })
    adae = pd.DataFrame({"USUBJID": ["S-01-001", "S-01-002"], "AEDECOD": ["Diarrhoea", "Fatigue"],
                         "AEBODSYS": ["GI", "General"], "AETOXGR": [3, 2], "ASTDT": [d(30), d(10)],
                         "AENDT": [d(35), pd.NaT]})
    return adsl, bor, adex, adae


def test_one_bar_per_treated_patient_and_ongoing_arrows(small):
    adsl, bor, adex, adae = small
    bars, events = swimmer_data(adsl, bor, CUT, adex, adae, "Neratinib")
    assert list(bars["USUBJID"]) == ["S-01-001", "S-01-002", "S-02-001"]  # the untreated patient has no bar
    b = bars.set_index("USUBJID")
    assert b.loc["S-01-001", "DAYS"] == 100 and not b.loc["S-01-001", "ONGOING"]
    # still on treatment: the bar runs to the cut-off (day 1 → 2026-06-30 = 181 days)
    assert b.loc["S-01-002", "ONGOING"] and b.loc["S-01-002", "DAYS"] == (CUT - d(1)).days + 1
    assert b.loc["S-02-001", "DAYS"] == (CUT - d(30)).days + 1
    fig = swimmer_figure(bars, events, None, unit="weeks")
    bar_traces = [t for t in fig.data if t.type == "bar"]
    assert sum(len(t.y) for t in bar_traces) == 3
    arrows = next(t for t in fig.data if t.name == "On treatment at the cut")
    assert sorted(arrows.y) == ["01-002", "02-001"]


def test_markers_sit_on_the_right_days(small):
    adsl, bor, adex, adae = small
    bars, events = swimmer_data(adsl, bor, CUT, adex, adae, "Neratinib")
    e = events.set_index(["USUBJID", "KIND"])
    # study day k is plotted at k days: response on day 43, confirmation day 85, PD day 97, death day 150
    assert e.loc[("S-01-001", "response"), "DAY"] + 1 == 43
    assert e.loc[("S-01-001", "confirmation"), "DAY"] + 1 == 85
    assert e.loc[("S-01-001", "progression"), "DAY"] + 1 == 97
    assert e.loc[("S-01-001", "death"), "DAY"] + 1 == 150
    assert e.loc[("S-01-001", "ae_g3"), "DETAIL"] == "Diarrhoea grade 3"
    fig = swimmer_figure(bars, events, None, unit="weeks", drug="Neratinib")
    resp = next(t for t in fig.data if t.name == "First response (CR/PR)")
    assert list(resp.x) == pytest.approx([43 / 7])
    # every marker type has its own legend entry
    names = {t.name for t in fig.data}
    assert {"Progression (PD)", "Death", "Dose reduced (Neratinib)", "Dose held (Neratinib)",
            "Grade ≥3 adverse event", "Response confirmed"} <= names


def test_dose_changes_skip_escalation(small):
    _, _, adex, _ = small
    dc = dose_changes(adex, "Neratinib")
    assert list(zip(dc["USUBJID"], dc["KIND"], strict=True)) == [("S-01-001", "dose_hold"), ("S-01-001", "dose_reduction")]
    assert "240 → 200" in dc.iloc[1]["DETAIL"]


def test_profile_figure_builds_every_lane(small):
    adsl, _, adex, adae = small
    tables = {"adsl": adsl, "adex": adex, "adae": adae,
              "adrs": pd.DataFrame({"USUBJID": ["S-01-001"], "PARAMCD": ["OVR"], "AVALC": ["PR"], "ADT": [d(43)]}),
              "adtr": pd.DataFrame({"USUBJID": ["S-01-001"] * 2, "PARAMCD": "SUMDIAM", "AVAL": [50.0, 30.0],
                                    "ADT": [d(-3), d(43)], "ABLFL": ["Y", "N"]})}
    p = patient_data(tables, "S-01-001", CUT, "CTDNAVAF")
    fig = profile_figure(p, ["Neratinib"], None)
    names = {t.name for t in fig.data}
    assert "Neratinib (mg/day)" in names and "Grade 3" in names
    sums = next(t for t in fig.data if t.name == "Sum of diameters")
    assert list(sums.x) == [-4, 42] and list(sums.y) == [50, 30]


def test_pages_run_and_the_link_opens_the_patient(app_factory):
    at = app_factory().run()
    at.switch_page("pages/swimmer.py").run()
    assert not at.exception
    fig = next(f for f in chart_figures(at) if "Time on treatment" in f["layout"]["title"]["text"])
    from components.data.datasets import load_cut
    from tests.conftest import DEMO_DIR

    adsl = load_cut(DEMO_DIR).tables["adsl"]
    n_bars = sum(len(decode_array(t["x"])) for t in fig["data"] if t["type"] == "bar" and t.get("customdata"))
    assert n_bars == int(adsl["TRTSDT"].notna().sum())
    target = adsl["USUBJID"].iloc[5]
    at.query_params["patient"] = target
    at.switch_page("pages/patient.py").run()
    assert not at.exception
    assert _patient_box(at).value == target
    short = target.split("-", 1)[1]  # the profile's title names the patient by the short id
    assert any("Patient " + short in f["layout"]["title"]["text"] for f in chart_figures(at))


def test_find_patient_matches_ids_as_shown_and_never_another_patient():
    from components.analyses.patient import find_patient

    adsl = pd.DataFrame({"USUBJID": ["NCT1-01-002", "NCT1-02-002", "NCT1-01-003"], "SUBJID": ["01-002", "02-002", "01-003"]})
    assert find_patient(adsl, "NCT1-01-002").usubjid == "NCT1-01-002"
    assert find_patient(adsl, "nct1-01-002 ").usubjid == "NCT1-01-002"  # case, spaces
    assert find_patient(adsl, "02-002").usubjid == "NCT1-02-002"  # SUBJID / short id
    unknown = find_patient(adsl, "09-999")
    assert unknown.usubjid is None and "09-999 is not in this data cut" in unknown.message
    twice = find_patient(pd.DataFrame({"USUBJID": ["A-01-001", "B-01-001"]}), "01-001")
    assert twice.usubjid is None and twice.candidates == ("A-01-001", "B-01-001")


@pytest.mark.parametrize("how", ["lower", "short", "unknown"])
def test_patient_page_links_with_lower_case_short_or_unknown_ids(app_factory, how):
    adsl = load_cut(DEMO_DIR).tables["adsl"]
    target = adsl["USUBJID"].iloc[3]
    asked = {"lower": target.lower(), "short": target.split("-", 1)[1], "unknown": "99-999"}[how]
    at = app_factory(query={"patient": asked}).run()
    at.switch_page("pages/patient.py").run()
    assert not at.exception
    if how == "unknown":
        assert any("99-999 is not in this data cut" in w.value.replace("\\", "") for w in at.warning)
        assert _patient_box(at).value is None
        assert not at.get("plotly_chart")  # no other patient's profile
    else:
        assert _patient_box(at).value == target
        assert any(target.split("-", 1)[1] in h.value.replace("\\", "") for h in at.markdown)  # profile header


def _patient_box(at):
    return next(b for b in at.selectbox if b.label == "Patient")


def _with_eribulin(adex: pd.DataFrame) -> pd.DataFrame:
    """Eribulin D1/D8 q3w for S-01-002: 1.4, 1.4, then reduced to 1.1 (day 22) and held on day 29."""
    eri = pd.DataFrame({"USUBJID": ["S-01-002"] * 5, "EXTRT": "Eribulin", "EXDOSE": [1.4, 1.4, 1.1, 0.0, 1.1],
                        "EXDOSU": "mg/m2", "ASTDT": [d(1), d(8), d(22), d(29), d(43)],
                        "AENDT": [d(1), d(8), d(22), d(29), d(43)],
                        "EXADJ": ["", "", "Dose reduced: Neutrophil count decreased",
                                  "Adverse event: Neutrophil count decreased", ""]})
    return pd.concat([adex, eri], ignore_index=True)


def test_every_drugs_dose_changes_are_on_the_swimmer(small):
    """Issue 36 (1): the eribulin reduction and hold are events beside neratinib's, each in its drug's
    colour, with one legend entry per drug and kind."""
    adsl, bor, adex, adae = small
    adex = _with_eribulin(adex)
    bars, events = swimmer_data(adsl, bor, CUT, adex, adae, ["Neratinib", "Eribulin"])
    dose = events[events["KIND"].str.startswith("dose")].sort_values(["USUBJID", "DAY"])
    assert list(zip(dose["USUBJID"], dose["DRUG"], dose["KIND"], dose["DAY"] + 1, strict=True)) == [
        ("S-01-001", "Neratinib", "dose_hold", 30), ("S-01-001", "Neratinib", "dose_reduction", 36),
        ("S-01-002", "Eribulin", "dose_reduction", 22), ("S-01-002", "Eribulin", "dose_hold", 29)]
    assert "1.4 → 1.1" in dose[dose["DRUG"] == "Eribulin"].iloc[0]["DETAIL"]
    fig = swimmer_figure(bars, events, None, unit="weeks", drug=["Neratinib", "Eribulin"])
    traces = {t.name: t for t in fig.data}
    assert {"Dose reduced (Neratinib)", "Dose reduced (Eribulin)", "Dose held (Neratinib)",
            "Dose held (Eribulin)"} <= set(traces)
    assert traces["Dose reduced (Eribulin)"].marker.color != traces["Dose reduced (Neratinib)"].marker.color
    assert traces["Dose held (Eribulin)"].marker.color == traces["Dose reduced (Eribulin)"].marker.color


def test_the_profile_marks_a_reduced_administration(small):
    adsl, _, adex, adae = small
    tables = {"adsl": adsl, "adex": _with_eribulin(adex), "adae": adae}
    p = patient_data(tables, "S-01-002", CUT, "CTDNAVAF")
    fig = profile_figure(p, ["Neratinib", "Eribulin"], None)
    reduced = next(t for t in fig.data if t.name == "Eribulin dose reduced")
    assert list(reduced.x) == [21]  # day 22 is 21 days after the first dose
    assert "1.4 → 1.1" in reduced.customdata[0][0]
    skipped = next(t for t in fig.data if t.name == "Eribulin skipped")
    assert skipped.marker.size >= 12  # a held dose is a mark one sees, not a 1-px tick


def test_dose_modifications_per_drug_hand_counted(small):
    from components.stats.exposure import modification_summary

    _, _, adex, _ = small
    adex = _with_eribulin(adex)
    adae = pd.DataFrame({"USUBJID": ["S-01-002", "S-01-001"], "AEACN": ["DRUG WITHDRAWN", "DOSE NOT CHANGED"],
                         "AEACNDRG": ["Eribulin", "Neratinib"]})
    got = modification_summary(adex, adae, ["Neratinib", "Eribulin", "Fulvestrant"]).set_index("Drug")
    # neratinib: 2 dosed, S-01-001 held (day 30) and reduced (240 → 200); eribulin: 1 dosed, reduced, held, withdrawn
    assert got.loc["Neratinib"].to_dict() == {"Patients dosed": 2, "Reduced": 1, "Interrupted": 1,
                                              "Withdrawn for an AE": 0.0, "Reductions": 1, "Interruptions": 1}
    assert got.loc["Eribulin"].to_dict() == {"Patients dosed": 1, "Reduced": 1, "Interrupted": 1,
                                             "Withdrawn for an AE": 1.0, "Reductions": 1, "Interruptions": 1}
    assert "Fulvestrant" not in got.index  # nobody got it: no row
    # without AEACNDRG, which of two drugs was withdrawn is unknown: not available, never 0
    unknown = modification_summary(adex, adae.drop(columns="AEACNDRG"), ["Neratinib", "Eribulin"])
    assert unknown["Withdrawn for an AE"].isna().all()


def test_the_demos_modifications_match_what_the_generator_wrote():
    """On the demo, the reductions found from the doses equal the records the generator labelled
    "Dose reduced" (EXADJ), per drug: nine eribulin patients, three neratinib ones (issue 36's count)."""
    from components.analyses.base import Options
    from components.analyses.safety import exposure
    from components.data.config import load_config

    cut = load_cut(sorted(p for p in DEMO_DIR.iterdir() if p.is_dir())[-1])
    mods = exposure(cut, load_config(), Options()).tables["modifications"].set_index("Drug")
    adex = cut.tables["adex"]
    for drug in ("Eribulin", "Neratinib"):
        labelled = adex[(adex["EXTRT"] == drug) & adex["EXADJ"].fillna("").str.startswith("Dose reduced")]
        n = labelled["USUBJID"].nunique()
        dosed = adex.loc[(adex["EXTRT"] == drug) & (adex["EXDOSE"] > 0), "USUBJID"].nunique()
        assert mods.loc[drug, "Reduced ≥1, n (%)"] == f"{n} ({100 * n / dosed:.1f}%)"
    assert mods.loc["Eribulin", "Reduced ≥1, n (%)"].startswith("9 ")
    assert mods.loc["Neratinib", "Reduced ≥1, n (%)"].startswith("3 ")
