"""Issue 17: real ADaM cuts from any study. The standard is enough, variants are mapped and reported,
the data is checked against the study, and no page shows a traceback whatever optional column or
table is absent.

The pages are walked in AppTest (every page and every lazy tab, :mod:`tests.walk`) on: the
CDISC-style demo cut (with this study's config: generic mode; and with its own config); the demo
with each optional table removed; the demo with all optional columns of each table removed at once;
the demo with all optional ADSL columns removed, and with all optional columns of every other table
removed; and the demo with each fallback column of ADSL removed alone. The sweep of every optional
column removed alone (about 60 walks, 6 minutes) is marked ``sweep``: ``./scripts/test -m sweep``.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from components.data.config import load_config
from components.data.contract import TABLES, load_dictionary
from components.data.datasets import load_cut, load_files
from components.data.study_match import match_study
from tests.conftest import ROOT, read_csv_text, write_csv_text
from tests.walk import walk

CDISC_DIR = ROOT / "data" / "demo-cdisc"
CDISC_CONFIG = ROOT / "data" / "cdisc_demo.toml"
LATEST_CDISC = sorted(p for p in CDISC_DIR.iterdir() if p.is_dir())[-1]


def _messages(cut) -> list[str]:
    return [f.message for f in cut.issues]


def _has(cut, *parts: str) -> bool:
    return any(all(p in m for p in parts) for m in _messages(cut))


def _optional(table: str) -> list[str]:
    required = {r.column for r in load_dictionary() if r.table == table and r.required}
    return sorted({r.column for r in load_dictionary() if r.table == table and not r.required} - required)


# --------------------------------------------------------------------------- mappings, reported


def test_the_cdisc_style_cut_loads_with_every_mapping_reported():
    cut = load_cut(CDISC_DIR)
    assert not cut.errors, [f.message for f in cut.errors]
    raw_adsl = read_csv_text(LATEST_CDISC, "adsl")
    assert len(cut.tables["adsl"]) == len(raw_adsl)  # nobody lost
    assert _has(cut, "adsl.RFICDT", "taken from RFICDTC")
    assert _has(cut, "adrs.PARAMCD", "OVRLRESP", "read as OVR")
    assert _has(cut, "adtr.PARAMCD", "SDIAM", "read as SUMDIAM")
    assert _has(cut, "adtte.PARAMCD", "RSD", "read as DOR")
    assert _has(cut, "adae.AETOXGR", "taken from ATOXGR")
    assert _has(cut, "adae.AREL", "taken from AEREL")
    assert _has(cut, "adae.AREL", "Read as RELATED: DEFINITE, POSSIBLE, PROBABLE")
    assert _has(cut, "adsl.DCUTDT", "the cut's date, 2026-11-01")
    assert _has(cut, "adsl.EFFFL", "derived")
    assert cut.cutoff == pd.Timestamp("2026-11-01")
    # the mapped values, against the raw file (not the code's own output)
    raw_ae = read_csv_text(LATEST_CDISC, "adae")
    related_raw = raw_ae["AEREL"].isin(["POSSIBLE", "PROBABLE", "DEFINITE"]).sum()
    assert (cut.tables["adae"]["AREL"] == "RELATED").sum() == related_raw
    raw_rs = read_csv_text(LATEST_CDISC, "adrs")
    assert (cut.tables["adrs"]["PARAMCD"] == "OVR").sum() == (raw_rs["PARAMCD"] == "OVRLRESP").sum()
    missing = (raw_rs["AVALC"] == "MISSING").sum()
    assert missing >= 1 and not (cut.tables["adrs"]["AVALC"] == "MISSING").any()
    consent = pd.to_datetime(raw_adsl["RFICDTC"].str[:10])
    assert (cut.tables["adsl"]["RFICDT"].to_numpy() == consent.to_numpy()).all()


def test_derived_response_evaluable_flag_follows_its_rule():
    """Hand case: treated with baseline sum and a later assessment → Y; untreated → N; treated with no
    baseline measurement → N; treated, baseline, no assessment yet → N; treated, baseline, died → Y."""
    adsl = pd.DataFrame({
        "STUDYID": "S", "USUBJID": ["A", "B", "C", "D", "E"], "SITEID": "1", "AGE": 50, "SEX": "F",
        "TRTSDT": ["2026-01-10", "", "2026-01-10", "2026-01-10", "2026-01-10"],
        "DTHDT": ["", "", "", "", "2026-02-01"],
    })
    adtr = pd.DataFrame({"USUBJID": ["A", "A", "C", "D", "E"], "PARAMCD": "SUMDIAM",
                         "AVAL": [50, 30, 40, 45, 60],
                         "ADT": ["2026-01-05", "2026-02-20", "2026-02-20", "2026-01-02", "2026-01-03"]})
    adrs = pd.DataFrame({"USUBJID": ["A", "C"], "PARAMCD": "OVR", "AVALC": ["PR", "SD"],
                         "ADT": ["2026-02-20", "2026-02-20"]})
    files = {n: df.to_csv(index=False).encode() for n, df in
             (("adsl.csv", adsl), ("adtr.csv", adtr), ("adrs.csv", adrs))}
    cut = load_files(files, name="2026-03-01")
    flags = dict(zip(cut.tables["adsl"]["USUBJID"], cut.tables["adsl"]["EFFFL"], strict=True))
    assert flags == {"A": "Y", "B": "N", "C": "N", "D": "N", "E": "Y"}
    assert _has(cut, "adsl.EFFFL", "EFFFL = Y for 2 of 5 subjects")
    assert _has(cut, "adsl.SAFFL", "derived") and _has(cut, "adsl.LSTALVDT", "derived")


def _minimal(extra_ae: dict | None = None) -> dict[str, bytes]:
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A", "B"], "SITEID": "1", "AGE": 50, "SEX": "F",
                         "TRTSDT": ["2026-01-10", "2026-01-12"], "SAFFL": "Y"})
    ae = {"USUBJID": ["A", "A", "B"], "AEDECOD": ["Nausea", "Rash", "Fatigue"],
          "AEBODSYS": ["GI", "Skin", "General"], "AETOXGR": [1, 2, 3], "ASTDT": ["2026-01-20"] * 3}
    ae.update(extra_ae or {})
    return {"adsl.csv": adsl.to_csv(index=False).encode(), "adae.csv": pd.DataFrame(ae).to_csv(index=False).encode()}


def test_an_unknown_causality_is_never_counted_as_not_related():
    from components.stats.safety import overview, treatment_emergent

    cut = load_files(_minimal({"AEREL": ["PROBABLE", "SUSPECTED", "NOT RELATED"]}), name="2026-03-01")
    assert _has(cut, "adae.AREL", "not in the [mapping] lists", "'SUSPECTED'", "row 3")
    table = overview(treatment_emergent(cut.tables["adae"], cut.tables["adsl"]), 2).set_index("Category")
    assert table.loc["Treatment-related TEAE", "Patients"] == 1
    assert table.loc["TEAE with causality unknown", "Patients"] == 1


def test_no_causality_column_shows_no_related_row_rather_than_zero():
    from components.stats.safety import overview, treatment_emergent

    cut = load_files(_minimal(), name="2026-03-01")
    assert _has(cut, "adae.AREL", "absent", "not shown as zero")
    table = overview(treatment_emergent(cut.tables["adae"], cut.tables["adsl"]), 2)
    assert not table["Category"].str.contains("related", case=False).any()
    assert not table["Category"].str.contains("Serious").any()  # no AESER either


def test_severity_stands_in_for_grade_with_a_warning():
    files = _minimal()
    ae = pd.read_csv(pd.io.common.BytesIO(files["adae.csv"])).drop(columns="AETOXGR")
    ae["AESEV"] = ["MILD", "SEVERE", "MODERATE"]
    files["adae.csv"] = ae.to_csv(index=False).encode()
    cut = load_files(files, name="2026-03-01")
    assert cut.tables["adae"]["AETOXGR"].tolist() == [1, 3, 2]
    assert any(f.severity == "warning" and "severity (AESEV) is read as grade" in f.message for f in cut.issues)


def test_lesion_level_diameters_are_summed_and_an_unmeasured_lesion_leaves_no_sum():
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A"], "SITEID": "1", "AGE": 50, "SEX": "F",
                         "TRTSDT": ["2026-01-10"]})
    adtr = pd.DataFrame({"USUBJID": "A", "PARAMCD": ["LDIAM1", "LDIAM2", "LDIAM1", "LDIAM2"],
                         "AVAL": ["30", "25", "20", ""], "ADT": ["2026-01-05", "2026-01-05", "2026-02-20", "2026-02-20"]})
    cut = load_files({"adsl.csv": adsl.to_csv(index=False).encode(), "adtr.csv": adtr.to_csv(index=False).encode()},
                     name="2026-03-01")
    sums = cut.tables["adtr"][cut.tables["adtr"]["PARAMCD"] == "SUMDIAM"]
    assert sums["AVAL"].tolist() == [55.0]  # 30 + 25 at baseline; the later date has an unmeasured lesion
    assert _has(cut, "adtr.PARAMCD", "4 lesion rows are summed", "2 sums", "1 with a lesion missing or unmeasured")


def test_sas_numeric_dates_in_a_text_file_are_read_as_sas_dates():
    days = (date(2026, 1, 10) - date(1960, 1, 1)).days  # 24 130
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A"], "SITEID": "1", "AGE": 50, "SEX": "F", "TRTSDT": [days]})
    cut = load_files({"adsl.csv": adsl.to_csv(index=False).encode()}, name="2026-03-01")
    assert cut.tables["adsl"]["TRTSDT"].iloc[0] == pd.Timestamp("2026-01-10")
    assert _has(cut, "adsl.TRTSDT", "Read as SAS dates")


def test_no_first_dose_date_is_a_warning_and_exposure_fills_in():
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A", "B"], "SITEID": "1", "AGE": 50, "SEX": "F"})
    alone = load_files({"adsl.csv": adsl.to_csv(index=False).encode()}, name="2026-03-01")
    assert any(f.severity == "warning" and "Nobody counts as treated" in f.message for f in alone.issues)
    adex = pd.DataFrame({"USUBJID": ["A", "A"], "EXTRT": "X", "EXDOSE": [0, 100], "ASTDT": ["2026-01-08", "2026-01-09"]})
    cut = load_files({"adsl.csv": adsl.to_csv(index=False).encode(), "adex.csv": adex.to_csv(index=False).encode()},
                     name="2026-03-01")
    assert cut.tables["adsl"].set_index("USUBJID")["TRTSDT"].to_dict() == {"A": pd.Timestamp("2026-01-09"), "B": pd.NaT}
    assert any(f.severity == "warning" and "first ADEX.ASTDT with a dose > 0" in f.message for f in cut.issues)


def test_without_a_cut_date_the_cutoff_is_the_latest_date_with_a_warning():
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A", "B"], "SITEID": "1", "AGE": 50, "SEX": "F",
                         "TRTSDT": ["2026-01-10", "2026-02-03"]})
    cut = load_files({"adsl.csv": adsl.to_csv(index=False).encode()}, name="my export")
    assert cut.cutoff == pd.Timestamp("2026-02-03")
    assert any(f.severity == "warning" and "latest date in the data, 2026-02-03" in f.message for f in cut.issues)


def test_enrollment_date_falls_back_to_randomization_then_first_dose():
    adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": ["A"], "SITEID": "1", "AGE": 50, "SEX": "F",
                         "RANDDT": ["2026-01-02"], "TRTSDT": ["2026-01-10"]})
    cut = load_files({"adsl.csv": adsl.to_csv(index=False).encode()}, name="2026-03-01")
    assert cut.tables["adsl"]["RFICDT"].iloc[0] == pd.Timestamp("2026-01-02")
    assert "RANDDT" in cut.derivation("adsl", "RFICDT").problem
    cut = load_files({"adsl.csv": adsl.drop(columns="RANDDT").to_csv(index=False).encode()}, name="2026-03-01")
    assert cut.tables["adsl"]["RFICDT"].iloc[0] == pd.Timestamp("2026-01-10")


# --------------------------------------------------------------------------- another study's data


def test_another_studys_cut_runs_in_generic_mode():
    config = load_config()
    m = match_study(load_cut(CDISC_DIR), config)
    assert m.generic and m.config.id == "CDISCPILOT01-ONC" and config.id not in m.config.title
    assert m.config.design is None and not m.config.sites and not m.config.regimen
    assert m.config.arms == ("Drug X 10 mg", "Drug X 20 mg", "Standard of care")
    assert "TRT01A" in m.config.data.filters
    assert "not NCT07333937" in m.message
    own = match_study(load_cut(CDISC_DIR), load_config(CDISC_CONFIG))
    assert not own.generic and own.message is None
    assert not match_study(load_cut(ROOT / "data" / "demo"), config).generic


def test_generic_mode_page_shows_the_datas_study_and_a_banner(app_factory):
    at = app_factory(CDISC_DIR).run()
    assert not at.exception
    assert any("generic mode" in w.value for w in at.warning)
    caption = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "CDISCPILOT01-ONC" in caption and "NCT07333937" not in caption
    assert "NER-FUL-ERI" not in " ".join(h.value for h in at.subheader)


# --------------------------------------------------------------------------- no page ever breaks


def _assert_clean(found: dict[str, list[str]]) -> None:
    bad = {k: v for k, v in found.items() if v}
    assert not bad, bad


@pytest.mark.parametrize("own_config", [False, True], ids=["generic-mode", "own-config"])
def test_every_page_and_tab_on_the_cdisc_style_cut(app_factory, monkeypatch, own_config):
    if own_config:
        monkeypatch.setenv("TRIAL_STUDY_CONFIG", str(CDISC_CONFIG))
    _assert_clean(walk(app_factory(CDISC_DIR)))


def _cut_without(tmp_path: Path, latest_cut: Path, table: str, columns: list[str] | None) -> Path:
    dst = tmp_path / latest_cut.name
    shutil.copytree(latest_cut, dst)
    if columns is None:
        (dst / f"{table}.csv").unlink()
    else:
        df = read_csv_text(dst, table)
        write_csv_text(dst, table, df.drop(columns=[c for c in columns if c in df.columns]))
    return dst


@pytest.mark.parametrize("table", TABLES[1:])
def test_every_page_with_an_optional_table_removed(app_factory, tmp_path, latest_cut, table):
    _assert_clean(walk(app_factory(_cut_without(tmp_path, latest_cut, table, None))))


def test_every_page_with_all_optional_adsl_columns_removed(app_factory, tmp_path, latest_cut):
    _assert_clean(walk(app_factory(_cut_without(tmp_path, latest_cut, "adsl", _optional("adsl")))))


def test_every_page_with_all_optional_columns_of_the_other_tables_removed(app_factory, tmp_path, latest_cut):
    folder = tmp_path / latest_cut.name
    shutil.copytree(latest_cut, folder)
    for table in TABLES[1:]:
        df = read_csv_text(folder, table)
        write_csv_text(folder, table, df.drop(columns=[c for c in _optional(table) if c in df.columns]))
    _assert_clean(walk(app_factory(folder)))


FALLBACKS = ["DCUTDT", "EFFFL", "SAFFL", "TRTSDT", "RFICDT"]


@pytest.mark.parametrize("column", FALLBACKS)
def test_every_page_with_one_fallback_column_removed(app_factory, tmp_path, latest_cut, column):
    cut = load_cut(_cut_without(tmp_path, latest_cut, "adsl", [column]))
    assert any(f.table == "adsl" and f.column == column for f in cut.issues), column  # said, never silent
    _assert_clean(walk(app_factory(Path(cut.source))))


@pytest.mark.sweep
@pytest.mark.parametrize("table_column", [(t, c) for t in TABLES for c in _optional(t)],
                         ids=lambda tc: f"{tc[0]}.{tc[1]}")
def test_every_page_with_each_optional_column_removed(app_factory, tmp_path, latest_cut, table_column):
    table, column = table_column
    _assert_clean(walk(app_factory(_cut_without(tmp_path, latest_cut, table, [column]))))


def test_the_committed_cdisc_style_demo_is_what_the_generator_makes(tmp_path):
    import filecmp

    from tests.conftest import load_generator

    gen = load_generator()
    d = gen.CDISC_DEFAULTS
    gen.make_cdisc_demo(tmp_path, d["patients"], d["seed"], gen.DEFAULT_CUTS)
    for committed in sorted(p for p in CDISC_DIR.iterdir() if p.is_dir()):
        names = sorted(p.name for p in committed.iterdir())
        assert names == sorted(p.name for p in (tmp_path / committed.name).iterdir())
        _, mismatch, errors = filecmp.cmpfiles(committed, tmp_path / committed.name, names, shallow=False)
        assert not mismatch and not errors, mismatch


# --------------------------------------------------------------------------- the independent review's cases


def _adsl(n: int = 2, **cols) -> pd.DataFrame:
    base = {"STUDYID": "S", "USUBJID": [f"S-{i}" for i in range(1, n + 1)], "SITEID": "1", "AGE": 50, "SEX": "F",
            "TRTSDT": "2026-01-10"}
    base.update(cols)
    return pd.DataFrame(base)


def _load(cut_name: str = "2026-06-30", **tables: pd.DataFrame):
    return load_files({f"{k}.csv": v.to_csv(index=False).encode() for k, v in tables.items()}, name=cut_name)


def test_lower_case_and_mixed_parameter_codes_are_all_read():
    """Review: lower-case codes gave ORR 0 and PFS from 4 of 12 events; a cut coding half its subjects
    OVRLRESP and half OVR lost the first half, silently."""
    adrs = pd.DataFrame({"USUBJID": ["S-1", "S-1", "S-2", "S-2"], "PARAMCD": ["ovr", "ovr", "OVRLRESP", "OVRLRESP"],
                         "AVALC": ["PR", "PR", "SD", "PD"],
                         "ADT": ["2026-02-20", "2026-04-03", "2026-02-20", "2026-04-03"]})
    adtte = pd.DataFrame({"USUBJID": ["S-1", "S-2"], "PARAMCD": ["pfs", "PFSINV"], "AVAL": [120, 84], "CNSR": [1, 0],
                          "STARTDT": "2026-01-10", "ADT": ["2026-05-09", "2026-04-03"]})
    cut = _load(adsl=_adsl(), adrs=adrs, adtte=adtte)
    assert (cut.tables["adrs"]["PARAMCD"] == "OVR").sum() == 4
    assert sorted(cut.tables["adtte"]["PARAMCD"]) == ["PFS", "PFS"]
    assert _has(cut, "adrs.PARAMCD", "lower or mixed case") and _has(cut, "also has OVR rows: both are used")


def test_analysis_flag_unused_parameters_and_time_units():
    adrs = pd.DataFrame({"USUBJID": "S-1", "PARAMCD": ["OVR", "OVR", "RSP", "DEATH"], "AVALC": ["PD", "SD", "N", "N"],
                         "ADT": ["2026-02-20", "2026-02-20", "", ""], "ANL01FL": ["Y", "", "", ""]})
    adtte = pd.DataFrame({"USUBJID": ["S-1"], "PARAMCD": ["PFS"], "AVAL": [2.0], "AVALU": ["MONTHS"], "CNSR": [0],
                          "STARTDT": ["2026-01-10"], "ADT": ["2026-03-11"]})
    cut = _load(adsl=_adsl(1), adrs=adrs, adtte=adtte)
    assert not cut.errors, [f.message for f in cut.errors]
    assert cut.tables["adrs"]["AVALC"].tolist() == ["PD"]  # the analysis record; RSP/DEATH not loaded
    assert _has(cut, "adrs.ANL01FL", "Not used") and _has(cut, "adrs.PARAMCD", "DEATH, RSP")
    assert cut.tables["adtte"]["AVAL"].iloc[0] == pytest.approx(60.875)  # 2 × 30.4375 days
    assert _has(cut, "adtte.AVAL", "MONTHS", "Converted to days")


def test_screen_failure_rows_are_not_enrolled_and_not_an_arm():
    adsl = _adsl(3, ARM=["Drug", "Screen Failure", "Placebo"], TRT01A=["Drug", "", "Not Treated"])
    cut = _load(adsl=adsl)
    assert cut.tables["adsl"]["USUBJID"].tolist() == ["S-1", "S-3"]
    assert _has(cut, "adsl.ARM", "screen failures", "not counted as enrolled")
    # planned arms are arms (ITT): S-3 was randomized to Placebo though not treated; the screen failure is none
    assert match_study(cut, load_config()).config.arms == ("Drug", "Placebo")


def test_bds_exposure_reads_only_dose_records_and_placebo_counts_as_dosing():
    adex = pd.DataFrame({"USUBJID": ["S-1"] * 3 + ["S-2"], "PARAMCD": ["DOSE", "PLDOSE", "TDOSE", "DOSE"],
                         "EXTRT": ["DRUG", "DRUG", "DRUG", "PLACEBO"], "EXDOSE": [54, 54, 540, 0],
                         "ASTDT": ["2026-01-10", "2026-01-10", "", "2026-01-12"]})
    cut = _load(adsl=_adsl().drop(columns="TRTSDT"), adex=adex)
    assert cut.tables["adex"]["EXDOSE"].tolist() == [54, 0]
    assert cut.tables["adsl"].set_index("USUBJID")["TRTSDT"].to_dict() == {
        "S-1": pd.Timestamp("2026-01-10"), "S-2": pd.Timestamp("2026-01-12")}
    assert _has(cut, "adex.PARAMCD", "Only the 2 dose records")


def test_sas_date9_text_and_sas_datetimes_are_dates():
    secs = (date(2026, 1, 10) - date(1960, 1, 1)).days * 86400 + 9 * 3600
    cut = _load(adsl=_adsl(2, TRTSDT=["10JAN2026", "12jan2026"]),
                adae=pd.DataFrame({"USUBJID": ["S-1"], "AEDECOD": ["Rash"], "AEBODSYS": ["Skin"], "AETOXGR": [1],
                                   "ASTDTM": [secs]}))
    assert cut.tables["adsl"]["TRTSDT"].tolist() == [pd.Timestamp("2026-01-10"), pd.Timestamp("2026-01-12")]
    assert cut.tables["adae"]["ASTDT"].iloc[0] == pd.Timestamp("2026-01-10")
    assert _has(cut, "adae.ASTDT", "SAS date-times")


def test_lesions_are_summed_per_visit_and_a_missing_lesion_leaves_no_sum():
    """Review: a lesion scanned a day later split a visit into two partial sums (−86% instead of −40%)."""
    adtr = pd.DataFrame({
        "USUBJID": "S-1", "PARAMCD": ["LDIAM1", "LDIAM2", "LDIAM1", "LDIAM2", "LDIAM1"],
        "AVAL": [30, 20, 18, 12, 15], "AVISIT": ["BASELINE", "BASELINE", "WEEK 6", "WEEK 6", "WEEK 12"],
        "ADT": ["2026-01-05", "2026-01-05", "2026-02-20", "2026-02-21", "2026-04-03"]})
    cut = _load(adsl=_adsl(1), adtr=adtr)
    sums = cut.tables["adtr"].query("PARAMCD == 'SUMDIAM'")
    assert sums["AVAL"].tolist() == [50.0, 30.0]  # week 12 lacks lesion 2: no sum
    assert sums["ADT"].tolist() == [pd.Timestamp("2026-01-05"), pd.Timestamp("2026-02-21")]
    assert _has(cut, "summed per subject and visit", "1 with a lesion missing")


def test_nobody_treated_leaves_survival_empty_not_broken():
    from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint

    cut = _load(adsl=_adsl().drop(columns="TRTSDT"))
    for ep in ("PFS", "OS"):
        res = kaplan_meier_endpoint(cut, load_config(), SurvivalOptions(endpoint=ep))
        assert res.figure is None or res.numbers.get("Patients", 0) == 0
