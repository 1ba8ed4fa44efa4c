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
    assert arms.loc[CTRL, "Difference vs reference (95% CI, Miettinen–Nurminen)"] == "reference"
    assert "points" in arms.loc[EXP, "Difference vs reference (95% CI, Miettinen–Nurminen)"]
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
