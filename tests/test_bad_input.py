"""Each kind of bad input, in a data file built by the test, gives a finding that names the table,
the column and the rows (spreadsheet numbering: header = row 1), and the app still runs."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from components.data.datasets import load_cut
from tests.conftest import PAGES


def _find(cut, table: str, column: str | None = None):
    hits = [f for f in cut.issues if f.table == table and (column is None or f.column == column)]
    assert hits, f"no finding for {table}.{column}: {[f.message for f in cut.issues]}"
    return hits


def _app_still_runs(app_factory, folder: Path, expect_text: str) -> None:
    at = app_factory(folder).run()
    assert not at.exception, at.exception
    shown = " ".join(e.value for e in [*at.error, *at.warning, *at.info])
    shown = re.sub(r"\\(.)", r"\1", shown)  # the text as rendered: data values are Markdown-escaped
    assert expect_text in shown
    for page in PAGES[1:]:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)


def test_missing_required_column(cut_copy, edit_table, app_factory):
    edit_table(cut_copy, "adrs", lambda df: df.drop(columns=["ADT"]))
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adrs", "ADT")
    assert f.severity == "error" and "required column missing" in f.message
    assert not cut.has("adrs") and cut.has("adsl") and cut.has("adae")
    assert "Tumour response (ADRS) [adrs]" in cut.missing_note("adrs")
    _app_still_runs(app_factory, cut_copy, "adrs.ADT: required column missing")


def test_wrong_type(cut_copy, edit_table, app_factory):
    def bad(df):
        df.loc[3, "AGE"] = "fifty"
        df.loc[7, "BSABL"] = "1,62"  # optional column: value set to missing, row kept
        return df

    edit_table(cut_copy, "adsl", bad)
    raw = pd.read_csv(cut_copy / "adsl.csv", dtype=str)
    cut = load_cut(cut_copy)
    (age,) = _find(cut, "adsl", "AGE")
    assert age.rows == (5,) and age.subjects == (raw.loc[3, "USUBJID"],)
    assert "not a whole number" in age.message and "row 5" in age.message and "'fifty'" in age.message
    assert raw.loc[3, "USUBJID"] not in set(cut.tables["adsl"]["USUBJID"])
    (bsa,) = _find(cut, "adsl", "BSABL")
    assert bsa.severity == "warning" and bsa.rows == (9,)
    kept = cut.tables["adsl"].set_index("USUBJID").loc[raw.loc[7, "USUBJID"]]
    assert pd.isna(kept["BSABL"])
    # the excluded subject's rows in other tables are excluded too, and said so
    assert any(f.table == "adrs" and "excluded from adsl" in f.message for f in cut.issues)
    _app_still_runs(app_factory, cut_copy, "adsl.AGE: not a whole number")


def test_unparseable_dates(cut_copy, edit_table, app_factory):
    def bad(df):
        df.loc[0, "ADT"] = "2026-13-45"
        df.loc[2, "ADT"] = "yesterday"
        return df

    edit_table(cut_copy, "adrs", bad)
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adrs", "ADT")
    assert f.rows == (2, 4) and f.severity == "error"
    assert "not a date in the declared format (ISO)" in f.message and "rows 2, 4" in f.message
    assert len(cut.tables["adrs"]) == len(pd.read_csv(cut_copy / "adrs.csv")) - 2
    _app_still_runs(app_factory, cut_copy, "adrs.ADT: not a date")


def test_duplicate_subjects(cut_copy, edit_table, app_factory):
    edit_table(cut_copy, "adsl", lambda df: pd.concat([df, df.iloc[[4]]], ignore_index=True))
    raw = pd.read_csv(cut_copy / "adsl.csv", dtype=str)
    dup_id = raw.loc[4, "USUBJID"]
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adsl", "USUBJID")
    assert f.rows == (6, len(raw) + 1) and f.subjects == (dup_id,)
    assert "duplicate subject" in f.message
    assert dup_id not in set(cut.tables["adsl"]["USUBJID"])
    _app_still_runs(app_factory, cut_copy, "adsl.USUBJID: duplicate subject")


@pytest.mark.parametrize(
    "table,column,value,text",
    [
        ("adtte", "AVAL", "-5", "impossible value (allowed range 0 to 36525)"),
        ("adtte", "CNSR", "2", "not an allowed value (allowed: 0, 1)"),
        ("adae", "AETOXGR", "7", "not an allowed value (allowed: 1, 2, 3, 4, 5)"),
        ("adrs", "AVALC", "VGPR", "not an allowed value (allowed: CR, PR, SD, PD, NE, NON-CR/NON-PD)"),
        ("adsl", "AGE", "212", "impossible value (allowed range 0 to 120)"),
    ],
)
def test_impossible_values(cut_copy, edit_table, app_factory, table, column, value, text):
    def bad(df):
        if table == "adrs":
            idx = df.index[df["PARAMCD"] == "OVR"][1]
        else:
            idx = 1
        df.loc[idx, column] = value
        bad.idx = idx
        return df

    edit_table(cut_copy, table, bad)
    cut = load_cut(cut_copy)
    (f,) = _find(cut, table, column)
    assert f.rows == (bad.idx + 2,)
    assert text in f.message
    _app_still_runs(app_factory, cut_copy, f"{table}.{column}: {text}")


def test_subject_not_in_adsl(cut_copy, edit_table, app_factory):
    def bad(df):
        df.loc[0, "USUBJID"] = "NCT07333937-99-999"
        return df

    edit_table(cut_copy, "adae", bad)
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adae", "USUBJID")
    assert f.rows == (2,) and f.subjects == ("NCT07333937-99-999",) and "subject not in adsl" in f.message
    _app_still_runs(app_factory, cut_copy, "adae.USUBJID: subject not in adsl")


def test_dates_after_the_cutoff(cut_copy, edit_table, app_factory):
    def bad(df):
        df.loc[2, "ASTDT"] = "2027-01-15"  # optional: set to missing
        return df

    edit_table(cut_copy, "adae", bad)
    edit_table(cut_copy, "adtte", lambda df: df.assign(ADT=df["ADT"].where(df.index != 0, "2026-12-01")))
    cut = load_cut(cut_copy)
    (ae,) = _find(cut, "adae", "ASTDT")
    assert ae.severity == "warning" and ae.rows == (4,) and "after the data cut-off (2026-11-01)" in ae.message
    tte = [f for f in _find(cut, "adtte", "ADT") if "after the data cut-off" in f.message]
    assert tte and tte[0].rows == (2,) and tte[0].severity == "error"
    _app_still_runs(app_factory, cut_copy, "adae.ASTDT: date after the data cut-off")


def test_last_dose_before_first_dose(cut_copy, edit_table, app_factory):
    def bad(df):
        i = df.index[df["TRTEDT"] != ""][0]
        df.loc[i, "TRTEDT"] = "2025-01-01"
        bad.i = i
        return df

    edit_table(cut_copy, "adsl", bad)
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adsl", "TRTEDT")
    assert f.rows == (bad.i + 2,) and "last dose (TRTEDT) before first dose (TRTSDT)" in f.message
    _app_still_runs(app_factory, cut_copy, "adsl.TRTEDT: last dose (TRTEDT) before first dose")


def test_unreadable_file(cut_copy, app_factory):
    (cut_copy / "adex.csv").unlink()
    (cut_copy / "adex.parquet").write_bytes(b"PAR1 this is not really parquet")
    cut = load_cut(cut_copy)
    (f,) = _find(cut, "adex")
    assert "adex.parquet cannot be read" in f.message
    assert not cut.has("adex") and cut.has("adsl")
    _app_still_runs(app_factory, cut_copy, "adex.parquet cannot be read")


def test_no_adsl_at_all(cut_copy, app_factory):
    (cut_copy / "adsl.csv").unlink()
    cut = load_cut(cut_copy)
    assert "no subject-level table (adsl)" in cut.issues[0].message
    _app_still_runs(app_factory, cut_copy, "no subject-level table (adsl)")
