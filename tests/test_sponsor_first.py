"""Issue 34, first steps: the sponsor's derived data is used as given. A sponsor's ADTTE without
STARTDT/ADT is used (it was rejected and replaced by the app's own PFS, with the opposite HR); ADSL
variables copied into BDS tables (admiral's output) no longer break the response derivation; deaths,
fatal AEs and dose actions are counted from the columns a sponsor uses, and "not available" is never 0."""

from __future__ import annotations

import io

import pandas as pd

from components.analyses.base import Options
from components.analyses.overview import study_status
from components.analyses.response import ResponseOptions, response_overview
from components.analyses.safety import ae_overview
from components.analyses.survival import SurvivalOptions, kaplan_meier_endpoint
from components.data.config import load_config
from components.data.datasets import load_files
from tests.conftest import demo_cuts


def _files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in demo_cuts()[-1].iterdir() if p.suffix == ".csv"}


def _frame(files, name) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(files[f"{name}.csv"]), dtype=str, keep_default_na=False)


def _put(files, name, df) -> None:
    files[f"{name}.csv"] = df.to_csv(index=False).encode()


def test_a_sponsor_adtte_without_dates_is_used_as_given():
    """AVAL and CNSR are the analysis: the PFS curve comes from ADTTE ("adtte"), with the same numbers as
    when the dates are there, and never from the app's derivation."""
    config = load_config()
    files = _files()
    with_dates = kaplan_meier_endpoint(load_files(files), config, SurvivalOptions(endpoint="PFS"))
    adtte = _frame(files, "adtte").drop(columns=["STARTDT", "ADT"])
    _put(files, "adtte", adtte)
    without = kaplan_meier_endpoint(load_files(files), config, SurvivalOptions(endpoint="PFS"))
    assert without.detail.origin == "adtte" and with_dates.detail.origin == "adtte"
    for key in ("Patients", "Events", "Median, months (95% CI)"):
        assert without.numbers[key] == with_dates.numbers[key], key


def test_adsl_variables_copied_into_bds_tables_are_adsls():
    """admiral's ADRS and ADTR carry ADSL's TRTSDT (and more): a KeyError left every page blank. Now the
    copies are dropped for ADSL's, with a note, and a copy that disagrees is named."""
    config = load_config()
    files = _files()
    before = response_overview(load_files(files), config, ResponseOptions()).numbers
    adsl = _frame(files, "adsl")
    for table in ("adrs", "adtr", "adae"):
        df = _frame(files, table).merge(adsl[["USUBJID", "TRTSDT", "AGE"]], on="USUBJID", how="left")
        if table == "adtr":
            df.loc[df.index[0], "AGE"] = "99"
        _put(files, table, df)
    cut = load_files(files)
    after = response_overview(cut, config, ResponseOptions()).numbers
    assert after["Responders"] == before["Responders"] and after["Patients"] == before["Patients"]
    assert any(f.table == "adrs" and "ADSL variables copied" in f.message for f in cut.issues)
    assert any(f.table == "adtr" and f.column == "AGE" and "differs from ADSL" in f.message for f in cut.issues)
    assert "TRTSDT" not in cut.tables["adrs"]


def test_deaths_from_the_flag_and_not_available_without_either_column():
    config = load_config()
    files = _files()
    adsl = _frame(files, "adsl")
    flagged = adsl.assign(DTHFL=["Y" if d else "" for d in adsl["DTHDT"]], DTHDT="")
    flagged.loc[flagged.index[-1], "DTHFL"] = "Y"
    _put(files, "adsl", flagged)
    n_flag = int((flagged["DTHFL"] == "Y").sum())
    assert study_status(load_files(files), config, Options()).numbers["Deaths"] == n_flag
    _put(files, "adsl", adsl.drop(columns=["DTHDT", "DTHCAUS"]))
    # ADSL silent: the deaths any other source records — fatal AEs and ADTTE's OS events — from the raw files
    ae, tte = _frame(files, "adae"), _frame(files, "adtte")
    ids = set(adsl["USUBJID"])
    fatal = set(ae.loc[(ae["AETOXGR"] == "5") | (ae.get("AEOUT", "") == "FATAL"), "USUBJID"]) & ids
    os_events = set(tte.loc[(tte["PARAMCD"] == "OS") & (tte["CNSR"] == "0"), "USUBJID"]) & ids
    status = study_status(load_files(files), config, Options())
    assert status.numbers["Deaths"] == len(fatal | os_events)
    sources = dict(status.detail.death_sources)
    assert sources["ADTTE OS (events)"] == len(os_events) and sources["ADAE (fatal AE)"] == len(fatal)
    # nothing records a death anywhere: not available, never 0
    del files["adae.csv"], files["adtte.csv"]
    assert study_status(load_files(files), config, Options()).numbers["Deaths"] is None


def test_fatal_aes_from_the_outcome_and_dose_actions_only_when_recorded():
    """A cut with severity instead of CTCAE grades cannot reach grade 5; AESDTH = Y or AEOUT = FATAL is a
    fatal AE all the same. AE action rows appear only when the action was recorded (no "0 (0.0%)")."""
    config = load_config()
    files = _files()
    adae = _frame(files, "adae")
    fatal = adae["USUBJID"].iloc[:3].tolist()
    adae["AESDTH"] = ""
    adae.loc[adae.index[0], "AESDTH"] = "Y"
    adae.loc[adae.index[1:3], "AEOUT"] = "FATAL"
    adae.loc[adae.index[3], "AEACN"] = "DOSE RATE REDUCED"
    _put(files, "adae", adae)
    ov = ae_overview(load_files(files), config, Options()).tables["overview"].set_index("Category")
    assert ov.loc["Fatal TEAE (grade 5)", "Patients"] >= len(set(fatal))
    reduced = adae.loc[adae["AEACN"].isin(["DOSE REDUCED", "DOSE RATE REDUCED"]) & (adae["TRTEMFL"] == "Y"), "USUBJID"]
    assert ov.loc["TEAE leading to dose reduction", "Patients"] == reduced.nunique()
    _put(files, "adae", adae.assign(AEACN=""))
    ov = ae_overview(load_files(files), config, Options()).tables["overview"].set_index("Category")
    assert "TEAE leading to dose reduction" not in ov.index


def test_completers_are_not_discontinued():
    """The CDISC pilot's cut: every treated patient has a last dose and no EOTSTT; 110 completed
    (EOSSTT/DCDECOD) and read as 'Discontinued 252/254'. A completer is not discontinued."""
    config = load_config()
    files = _files()
    adsl = _frame(files, "adsl")
    treated_with_end = (adsl["TRTSDT"] != "") & (adsl["TRTEDT"] != "")
    adsl = adsl.drop(columns=["EOTSTT"])
    adsl["EOSSTT"] = ["ONGOING" if not ended else "COMPLETED" if i % 2 == 0 else "DISCONTINUED"
                      for i, ended in enumerate(treated_with_end)]
    _put(files, "adsl", adsl)
    n = study_status(load_files(files), config, Options()).numbers
    completed = int((treated_with_end & (adsl["EOSSTT"] == "COMPLETED")).sum())
    assert n["Completed"] == completed
    assert n["Discontinued"] == int(treated_with_end.sum()) - completed


def test_the_overview_keeps_every_note():
    """Both notes of the key numbers reach the page: sites outside the plan and deaths that differ by
    source (the second used to replace the first)."""
    config = load_config()
    files = _files()
    adsl = _frame(files, "adsl")
    adsl.loc[adsl.index[0], "SITEID"] = "99"  # a site the config does not plan
    _put(files, "adsl", adsl.drop(columns=["DTHDT", "DTHCAUS"]))  # ADSL silent on deaths: the others count
    notes = study_status(load_files(files), config, Options()).notes
    assert any("not in the study config's plan: 99" in n for n in notes)
    assert any("Deaths differ by source" in n for n in notes)
