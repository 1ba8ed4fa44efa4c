"""Issues 32 (7) and 37 (4): files that still went wrong — each is a finding naming the file, column and
rows, never a silent wrong load, never an exception that takes more than its own cut."""

from __future__ import annotations

import io
import os
import shutil

import pandas as pd

from components.data.datasets import list_cuts, load_cut, load_files
from components.data.readers import decode_text, read_csv_bytes
from tests.conftest import demo_cuts


def _files(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix == ".csv"}


def test_a_stray_quote_is_a_finding_with_its_rows_never_a_silent_loss():
    """The probe's case: an unmatched quote in one AE row swallowed the next 4 rows (125 → 121) without a
    word. Now the parsed rows are compared with the file's lines of data."""
    files = _files(demo_cuts()[-1])
    lines = files["adae.csv"].decode().splitlines()
    n = len(lines) - 1
    for i, at in ((5, "start"), (9, "end")):  # a quote opens AETERM on row 6; another closes AETERM on row 10
        fields = lines[i].split(",")
        fields[3] = '"' + fields[3] if at == "start" else fields[3] + '"'
        lines[i] = ",".join(fields)
    files["adae.csv"] = ("\n".join(lines) + "\n").encode()
    cut = load_files(files)
    found = [f for f in cut.issues if f.table == "adae" and "runs over the following lines" in f.message]
    assert found and f"{n} lines of data" in found[0].message and 6 in found[0].rows


def test_one_gbk_row_in_a_utf8_file_spoils_no_other_row():
    text = "USUBJID,AETERM\nA,腹泻\nB,恶心\n"
    data = text.encode() + "C,乏力\n".encode("gbk") + "D,皮疹\n".encode()
    decoded, enc, sure = decode_text(data)
    assert decoded.splitlines() == ["USUBJID,AETERM", "A,腹泻", "B,恶心", "C,乏力", "D,皮疹"]
    assert enc == "utf-8+gb18030" and not sure
    _df, notes = read_csv_bytes(data)
    assert notes["mixed_encoding_lines"] == (4,)


def test_utf16_is_read_as_utf16():
    text = "USUBJID,AETERM\nA,腹泻\n"
    for data, enc in ((text.encode("utf-16"), "utf-16"), (text.encode("utf-16-le"), "utf-16-le")):
        decoded, used, sure = decode_text(data)
        assert decoded.lstrip("\ufeff") == text and used == enc and sure


def test_a_symlink_loop_in_the_newest_cut_takes_nothing_down(tmp_path):
    old, new = tmp_path / "2026-08-01", tmp_path / "2026-11-01"
    shutil.copytree(demo_cuts()[0], old)
    shutil.copytree(demo_cuts()[-1], new)
    os.symlink(new / "loop", new / "loop")
    os.symlink(new / "adae_link.csv", new / "adae_link.csv")
    assert [r.path.name for r in list_cuts(tmp_path)] == ["2026-08-01", "2026-11-01"]
    assert load_cut(tmp_path).has("adsl") and load_cut(old).has("adsl")


def test_two_cut_folders_with_one_date_are_a_finding(tmp_path):
    a, b = tmp_path / "cut-a", tmp_path / "cut-b"
    shutil.copytree(demo_cuts()[-1], a)
    shutil.copytree(demo_cuts()[-1], b)
    for f in (a, b):
        (f / "cut.toml").write_text('cutoff = "2026-11-01"\n')
    cut = load_cut(a)
    assert any("also declared by cut-b" in f.message for f in cut.issues)


def _adsl() -> pd.DataFrame:
    return pd.read_csv(demo_cuts()[-1] / "adsl.csv", dtype=str, keep_default_na=False)


def _with_adsl_parquet(adsl: pd.DataFrame) -> dict[str, bytes]:
    files = _files(demo_cuts()[-1])
    files.pop("adsl.csv")
    buf = io.BytesIO()
    adsl.to_parquet(buf)
    files["adsl.parquet"] = buf.getvalue()
    return files


def test_utc_timestamps_keep_their_date_in_the_study_time_zone():
    """A consent date written as midnight in Shanghai and stored in UTC (16:00 the day before) is read as
    its Shanghai date ([data] timezone = "Asia/Shanghai" in the study config), not a day early."""
    adsl = _adsl()
    want = pd.to_datetime(adsl["RFICDT"])
    adsl["RFICDT"] = want.dt.tz_localize("Asia/Shanghai").dt.tz_convert("UTC")
    cut = load_files(_with_adsl_parquet(adsl))
    assert list(cut.tables["adsl"]["RFICDT"]) == list(want)


def test_factor_columns_in_parquet_load():
    """R factors and pandas categories (dictionary-encoded in Parquet) are their values, text or dates."""
    adsl = _adsl()
    for c in ("SITEID", "SEX", "RFICDT", "TRTSDT"):
        adsl[c] = adsl[c].astype("category")
    cut = load_files(_with_adsl_parquet(adsl))
    assert len(cut.tables["adsl"]) == len(adsl)
    assert not [f for f in cut.issues if f.table == "adsl" and f.severity == "error"]


def test_death_before_the_first_dose_is_a_finding_and_still_a_death():
    adsl = _adsl()
    i = adsl.index[adsl["TRTSDT"] != ""][0]
    adsl.loc[i, "DTHDT"] = (pd.Timestamp(adsl.loc[i, "TRTSDT"]) - pd.Timedelta(days=10)).strftime("%Y-%m-%d")
    adsl.loc[i, "DTHCAUS"] = "Other"
    files = _files(demo_cuts()[-1])
    files["adsl.csv"] = adsl.to_csv(index=False).encode()
    cut = load_files(files)
    found = [f for f in cut.issues if f.column == "DTHDT" and "before the first dose" in f.message]
    assert found and adsl.loc[i, "USUBJID"] in found[0].subjects
    assert cut.tables["adsl"].set_index("USUBJID").loc[adsl.loc[i, "USUBJID"], "DTHDT"] == pd.Timestamp(
        adsl.loc[i, "DTHDT"])


def test_thousands_of_extra_files_are_one_note(tmp_path):
    """Issue 37 (6): 5,000 files that are not contract tables make one note, not 5,000."""
    folder = tmp_path / "2026-11-01"
    shutil.copytree(demo_cuts()[-1], folder)
    for i in range(5000):
        (folder / f"extra_{i:04d}.txt.bak").write_bytes(b"x")
    cut = load_cut(folder)
    notes = [f for f in cut.issues if "not tables of the data contract" in f.message
             or "not a table of the data contract" in f.message]
    assert len(notes) == 1 and "5000 files" in notes[0].message and cut.has("adsl")


def test_nested_parquet_columns_are_findings_and_the_pages_go_on(app_factory, tmp_path):
    """Issue 37 (4): a list column in ADSL (an extra one, and in SEX) crashed Survival; now the values are
    missing with a finding naming the column, and every page walks."""
    from tests.walk import walk

    adsl = _adsl()
    adsl["TAGS"] = [["a", "b"]] * len(adsl)
    adsl["RACE"] = [{"code": "ASIAN", "term": "Asian"}] * len(adsl)  # a struct column
    folder = tmp_path / "2026-11-01"
    shutil.copytree(demo_cuts()[-1], folder)
    (folder / "adsl.csv").unlink()
    adsl.to_parquet(folder / "adsl.parquet")
    cut = load_cut(folder)
    cols = {f.column for f in cut.issues if "nested values" in f.message}
    assert cols == {"TAGS", "RACE"} and cut.has("adsl")
    found = walk(app_factory(tmp_path), pages=["pages/survival.py", "pages/safety.py", "pages/overview.py"])
    assert not {k: v for k, v in found.items() if v}


def test_a_missing_first_dose_does_not_break_the_dose_level_figure():
    from components.stats.exposure import dose_level_over_time

    cut = load_cut(demo_cuts()[-1])
    adsl = cut.tables["adsl"].copy()
    adsl.loc[adsl.index[0], "TRTSDT"] = pd.NaT
    out = dose_level_over_time(cut.tables["adex"], adsl, "Neratinib", cut.cutoff)
    assert len(out) and out["PATIENTS"].ge(0).all()


def test_a_bare_cr_inside_a_quoted_value_is_one_row_and_no_finding():
    """Issue 37 (6): a carriage return inside a quoted value (an AE verbatim typed on two lines) is part
    of the value: one row, and no stray-quote finding."""
    df, notes = read_csv_bytes(b'USUBJID,AETERM\nA,"nausea\rvomiting"\nB,rash\n')
    assert list(df["AETERM"]) == ["nausea\rvomiting", "rash"] and "record_count" not in notes
