"""Issue 19: the randomized phase III demo, end to end — every page and tab runs on it in AppTest,
the arms are compared against the configured reference, and the single-arm study still shows no
comparative statistic on its main curve."""

from __future__ import annotations

import filecmp

import pytest

from components.analyses.response import ArmsOptions, response_by_arm
from components.analyses.safety import ae_overview_by_arm
from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
from components.data.config import load_config
from components.data.datasets import load_cut
from tests.conftest import DEMO_DIR, ROOT, load_generator
from tests.walk import walk

PH3_DIR = ROOT / "data" / "demo-phase3"
PH3_CONFIG = ROOT / "data" / "phase3_demo.toml"
EXP, CTRL = "NER-FUL-ERI", "Eribulin (physician's choice)"


@pytest.fixture(scope="module")
def ph3():
    return load_cut(PH3_DIR), load_config(PH3_CONFIG)


def test_every_page_and_tab_on_the_phase3_demo(app_factory, monkeypatch):
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(PH3_CONFIG))
    found = walk(app_factory(PH3_DIR))
    assert not {k: v for k, v in found.items() if v}


def test_survival_compares_against_the_configured_reference_with_strata(ph3):
    cut, cfg = ph3
    res = kaplan_meier_endpoint(cut, cfg, SurvivalOptions(endpoint="PFS", population="ITTFL", group_by="TRT01P"))
    (row,) = res.detail.comparison.hazard_ratios.to_dict("records")
    # the reference is the config's control arm, though "Eribulin…" sorts before "NER…"
    assert row["reference"] == CTRL and row["level"] == EXP and row["hr"] < 1
    assert "Stratified log-rank p" in res.numbers and res.numbers["Stratified HR"] < 1
    assert res.numbers["Patients"] == int((cut.tables["adsl"]["ITTFL"] == "Y").sum()) - _without_pfs(cut)


def _without_pfs(cut) -> int:
    adtte = cut.tables["adtte"]
    return int(len(cut.tables["adsl"]) - adtte.loc[adtte["PARAMCD"] == "PFS", "USUBJID"].nunique())


def test_response_and_safety_by_arm(ph3):
    cut, cfg = ph3
    arms = response_by_arm(cut, cfg, ArmsOptions()).tables["arms"].set_index("Arm")
    assert list(arms.index) == [EXP, CTRL]
    assert arms.loc[CTRL, "Difference vs reference (95% CI)"] == "reference"
    assert "points" in arms.loc[EXP, "Difference vs reference (95% CI)"]
    assert arms["N"].sum() == int((cut.tables["adsl"]["ITTFL"] == "Y").sum())
    by_arm = ae_overview_by_arm(cut, cfg).tables["by_arm"]
    assert [c for c in by_arm.columns if c.startswith(EXP)] and any(c.startswith("Difference") for c in by_arm.columns)


def test_single_arm_study_has_no_hazard_ratio_on_its_main_curve():
    res = kaplan_meier_endpoint(load_cut(DEMO_DIR), load_config(), SurvivalOptions(endpoint="PFS"))
    assert res.detail.comparison is None and "Log-rank p" not in res.numbers


def test_the_committed_phase3_demo_is_what_the_generator_makes(tmp_path):
    gen = load_generator()
    d = gen.PHASE3_DEFAULTS
    gen.make_phase3_demo(tmp_path, d["patients"], d["seed"], d["cuts"])
    for committed in sorted(p for p in PH3_DIR.iterdir() if p.is_dir()):
        names = sorted(p.name for p in committed.iterdir())
        _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path / committed.name, names, shallow=False)
        assert not mismatch and not errors, mismatch


def _teae_by_arm(cut, term: str) -> dict[str, int]:
    """Patients with a treatment-emergent ``term`` per actual arm, straight from the files."""
    adae, adsl = cut.tables["adae"], cut.tables["adsl"]
    hit = adae[(adae["AEDECOD"] == term) & (adae["TRTEMFL"] == "Y")]["USUBJID"].unique()
    saf = adsl[adsl["SAFFL"] == "Y"]
    return {a: int(saf[(saf["TRT01A"] == a)]["USUBJID"].isin(hit).sum()) for a in (EXP, CTRL)}


def test_ae_table_by_arm_counts_each_arm_from_the_files(ph3):
    from components.analyses.safety import AeTableOptions, ae_table_by_arm

    cut, cfg = ph3
    res = ae_table_by_arm(cut, cfg, AeTableOptions(min_pct=5.0))
    table = res.tables["table"].set_index(["Level", "Term"])
    for term in ("Diarrhoea", "Neutrophil count decreased", "Fatigue"):
        want = _teae_by_arm(cut, term)
        assert {a: int(table.loc[("PT", term), f"{a}: any grade"]) for a in (EXP, CTRL)} == want
    # the control arm (eribulin alone) has far less diarrhoea than the neratinib arm, and the
    # difference column says so against the configured reference
    d = _teae_by_arm(cut, "Diarrhoea")
    assert d[EXP] > 3 * d[CTRL] > 0
    show = res.tables["display"]
    diff = [c for c in show.columns if c.startswith("Difference")]
    assert diff == [f"Difference {EXP} − {CTRL}, any grade, points (95% CI)"]
    row = show[show["System organ class / preferred term"].str.strip() == "Diarrhoea"].iloc[0]
    assert row[diff[0]].startswith("+")
    # a term is a row when it reaches the threshold in either arm
    n = {a: int((cut.tables["adsl"].query("SAFFL == 'Y'")["TRT01A"] == a).sum()) for a in (EXP, CTRL)}
    for term in set(cut.tables["adae"]["AEDECOD"]):
        counts = _teae_by_arm(cut, term)
        shown = ("PT", term) in table.index
        assert shown == any(100 * counts[a] / n[a] >= 5.0 for a in (EXP, CTRL)), term


def test_exposure_is_per_arm_and_the_control_arm_gets_only_its_drug(ph3):
    from components.analyses.safety import exposure

    cut, cfg = ph3
    res = exposure(cut, cfg)
    summary = res.tables["summary"]
    assert set(summary.loc[summary["Arm (actual)"] == CTRL, "Drug"]) == {"Eribulin"}
    assert set(summary.loc[summary["Arm (actual)"] == EXP, "Drug"]) == {"Neratinib", "Eribulin", "Fulvestrant"}
    adex, adsl = cut.tables["adex"], cut.tables["adsl"]
    ctrl_ids = set(adsl.loc[adsl["TRT01A"] == CTRL, "USUBJID"])
    dosed = adex[(adex["EXTRT"] == "Eribulin") & adex["USUBJID"].isin(ctrl_ids) & (adex["EXDOSE"] > 0)]["USUBJID"].nunique()
    assert int(summary.loc[(summary["Arm (actual)"] == CTRL) & (summary["Drug"] == "Eribulin"), "Patients"].iloc[0]) == dosed
    assert {t.name for t in res.figure.data} == {EXP, CTRL}


def test_since_last_cut_and_deck_are_per_arm(ph3):
    from components.analyses.base import Options
    from components.analyses.changes import cut_comparison
    from components.reports.report import build_report

    cut, cfg = ph3
    previous = load_cut(sorted(p for p in PH3_DIR.iterdir() if p.is_dir())[0])
    ch = cut_comparison(cut, cfg, Options(), previous=previous)
    by_arm = ch.tables["metrics_by_arm"].set_index("Measure")
    assert list(by_arm.columns) == [EXP, CTRL]
    now = {a: int(by_arm.loc["Enrolled", a].split(" → ")[1]) for a in (EXP, CTRL)}
    adsl = cut.tables["adsl"]
    assert now == {a: int((adsl["TRT01P"] == a).sum()) for a in (EXP, CTRL)}
    deaths = {a: int(by_arm.loc["Deaths", a].split(" → ")[1]) for a in (EXP, CTRL)}
    assert sum(deaths.values()) == int(adsl["DTHDT"].notna().sum())
    assert set(ch.tables["new_deaths"]["Arm"]) <= {EXP, CTRL}
    items = {i.key: i for i in build_report(cut, cfg, previous)}
    assert {"response_by_arm", "pfs_comparison", "changes_by_arm"} <= set(items)
    assert items["pfs_comparison"].title.startswith("Primary endpoint")  # the design's endpoint is PFS
    assert items["pfs"].result.call.options.group_by == "TRT01P"
    assert items["pfs"].result.call.options.population == "ITTFL"
    assert any(c.startswith(EXP) for c in items["safety"].table.columns)
    # the single-arm demo keeps its pooled deck
    single = {i.key for i in build_report(load_cut(DEMO_DIR), load_config())}
    assert not {"response_by_arm", "pfs_comparison", "changes_by_arm"} & single


def test_randfl_instead_of_ittfl_and_a_per_protocol_set(tmp_path, app_factory, monkeypatch):
    """ADaM IG population flags other than the config's: RANDFL stands in for ITTFL, and PPROTFL adds
    the per-protocol set to the populations the pages offer."""
    import shutil

    import pandas as pd

    from components.analyses.arms import efficacy_population, efficacy_populations

    src = sorted(p for p in PH3_DIR.iterdir() if p.is_dir())[-1]
    folder = tmp_path / src.name
    shutil.copytree(src, folder)
    adsl = pd.read_csv(folder / "adsl.csv", dtype=str, keep_default_na=False)
    adsl["RANDFL"] = adsl.pop("ITTFL")
    adsl["PPROTFL"] = "Y"
    excluded = adsl["USUBJID"].iloc[:12]
    adsl.loc[adsl["USUBJID"].isin(excluded), "PPROTFL"] = "N"
    adsl.to_csv(folder / "adsl.csv", index=False)
    cut, cfg = load_cut(folder), load_config(PH3_CONFIG)
    a = cut.tables["adsl"]
    assert efficacy_population(cfg, a) == "RANDFL"
    assert list(efficacy_populations(cfg, a))[:2] == ["RANDFL", "PPROTFL"]
    itt = response_by_arm(cut, cfg, ArmsOptions(population="RANDFL")).tables["arms"]
    pp = response_by_arm(cut, cfg, ArmsOptions(population="PPROTFL")).tables["arms"]
    assert itt["N"].sum() == int((a["RANDFL"] == "Y").sum()) and pp["N"].sum() == itt["N"].sum() - 12
    km = kaplan_meier_endpoint(cut, cfg, SurvivalOptions(endpoint="PFS", population="PPROTFL", group_by="TRT01P"))
    assert km.numbers["Patients"] <= int((a["PPROTFL"] == "Y").sum())
    monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(PH3_CONFIG))
    at = app_factory(folder)

    chosen = []

    def per_protocol(at):
        for r in at.radio:
            if r.key in ("surv_pop", "resp_arm_pop"):
                r.set_value("PPROTFL").run()
                chosen.append(r.key)

    found = walk(at, ["pages/response.py", "pages/survival.py"], each=per_protocol)
    assert not {k: v for k, v in found.items() if v}
    assert set(chosen) == {"resp_arm_pop", "surv_pop"}  # on every tab of the page


def test_waterfall_has_one_panel_per_arm_and_marks_new_patients_without_outlines(ph3):
    """Issue 36 item 6: the phase III waterfall (249 bars) mixed the arms in one panel and turned black
    under the outlines of the patients new since the last cut. Now: one panel per planned arm, each
    sorted on its own, with every bar in exactly one panel; in a panel that dense the new patients get
    a marker, not an outline."""
    from components.analyses.response import WaterfallOptions, waterfall
    from components.figures.response_plots import DENSE_BARS

    cut, cfg = ph3
    adsl = cut.tables["adsl"]
    new = tuple(adsl["USUBJID"].iloc[::5])
    res = waterfall(cut, cfg, WaterfallOptions(highlight=new, highlight_label="new since 2027-06-01"))
    fig = res.figure
    titles = [a.text for a in fig.layout.annotations if a.text and a.text.split(" (n = ")[0] in (EXP, CTRL)]
    assert [t.split(" (n = ")[0] for t in titles] == [EXP, CTRL]
    bars = [t for t in fig.data if t.type == "bar" and t.x is not None and len(t.x) and t.x[0] is not None]
    per_panel = {}
    for t in bars:
        per_panel.setdefault(t.yaxis or "y", []).extend(t.customdata[:, 0])
    assert len(per_panel) == 2 and sum(len(v) for v in per_panel.values()) == len(res.tables["bars"])
    arm_of = adsl.set_index("USUBJID")["TRT01P"]
    for ids in per_panel.values():
        assert len({arm_of[u] for u in ids}) == 1  # one arm per panel
        assert len(ids) > DENSE_BARS
    assert all(not any(w for w in (t.marker.line.width or ())) for t in bars)  # no outline in a dense panel
    marks = [t for t in fig.data if t.type == "scatter" and t.name and t.name.startswith("▼")]
    assert marks and sum(len(t.x) for t in marks) == len(set(new) & set(res.tables["bars"]["USUBJID"]))
