"""Issue 18: hostile and broken inputs, each built in the test. Nothing raises; every case is a
finding that names the file or table, the column and the rows — or loads right."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pandas as pd
import pytest

from components.data.datasets import load_cut, load_files
from components.data.readers import decode_text

CSV = {p.stem: p.read_bytes() for p in sorted((Path(__file__).parents[1] / "data" / "demo" / "2026-11-01").glob("*.csv"))}


def _frames() -> dict[str, pd.DataFrame]:
    return {t: pd.read_csv(io.BytesIO(b), dtype=str, keep_default_na=False) for t, b in CSV.items()}


def _files(**changed: bytes) -> dict[str, bytes]:
    out = {f"{t}.csv": b for t, b in CSV.items()}
    out.update(changed)
    return out


def _csv(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode("utf-8")


def _messages(cut) -> str:
    return "\n".join(f.message for f in cut.issues)


# --------------------------------------------------------------------------- crashes (1–5)


def test_columns_differing_only_in_case_are_one_repeated_column():
    """(1) AGE and age: no AttributeError; a finding names the column and the row where the copies
    differ; that value is unknown (AGE is required: the subject is excluded, and said)."""
    adsl = _frames()["adsl"]
    adsl["age"] = adsl["AGE"]
    adsl.loc[0, "age"] = "99"
    cut = load_files(_files(**{"adsl.csv": _csv(adsl)}))
    assert cut.has("adsl")
    f = next(f for f in cut.issues if f.column == "AGE" and "given" in f.problem)
    assert f.severity == "error" and "given 2 times, with different values" in f.problem and f.rows == (2,)
    assert adsl["USUBJID"][0] not in set(cut.tables["adsl"]["USUBJID"])
    same = _frames()["adsl"]
    same["age"] = same["AGE"]
    cut = load_files(_files(**{"adsl.csv": _csv(same)}))
    assert "AGE" in cut.tables["adsl"].columns
    assert any(f.column == "AGE" and "same values" in f.problem for f in cut.issues)


def test_repeated_column_in_a_csv_header_is_reported():
    """(6) AGE twice in the header: pandas would silently read AGE.1; the finding names AGE."""
    adsl = _frames()["adsl"]
    text = _csv(adsl).decode().splitlines()
    text[0] += ",AGE"
    text[1:] = [line + "," + age for line, age in zip(text[1:], adsl["AGE"], strict=True)]
    text[3] = text[3].rsplit(",", 1)[0] + ",99"
    cut = load_files(_files(**{"adsl.csv": "\n".join(text).encode()}))
    f = next(f for f in cut.issues if f.column == "AGE" and "given" in f.problem)
    assert "given 2 times" in f.problem and f.rows == (4,)
    assert "AGE.1" not in cut.tables["adsl"].columns


def test_out_of_range_dates_in_parquet_and_xport_are_findings(tmp_path):
    """(2) A Parquet date in 2999 and an XPORT numeric date of 1e12: no OutOfBoundsDatetime."""
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    adsl = _frames()["adsl"]
    table = pa.Table.from_pandas(adsl.drop(columns=["RFICDT"]), preserve_index=False)
    dates = [datetime.date(2999, 1, 1)] + [datetime.date.fromisoformat(d) for d in adsl["RFICDT"][1:]]
    table = table.append_column("RFICDT", pa.array(dates, type=pa.date32()))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    files = _files()
    files.pop("adsl.csv")
    cut = load_files({**files, "adsl.parquet": buf.getvalue()})
    f = next(f for f in cut.issues if f.column == "RFICDT" and f.table == "adsl")
    assert f.rows == (2,) and "outside 1900–2100" in f.problem

    import pyreadstat

    ex = _frames()["adex"].head(5)
    df = pd.DataFrame({"USUBJID": ex["USUBJID"], "EXTRT": ex["EXTRT"], "EXDOSE": ex["EXDOSE"].astype(float),
                       "ASTDT": [1e12, 24000.0, 24001.0, 24002.0, 24003.0], "AENDT": [24000.0] * 5})
    path = tmp_path / "adex.xpt"
    pyreadstat.write_xport(df, str(path))
    files = _files()
    files.pop("adex.csv")
    cut = load_files({**files, "adex.xpt": path.read_bytes()})
    assert any(f.table == "adex" and f.column == "ASTDT" and 2 in f.rows for f in cut.issues)


def test_non_utf8_bytes_in_a_parquet_binary_column():
    """(3) A binary column with bytes that are not UTF-8: no UnicodeDecodeError; a finding."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ae = _frames()["adae"]
    terms = [b"\xff\xfe\x00bad"] + [t.encode() for t in ae["AETERM"][1:]]
    table = pa.Table.from_pandas(ae.drop(columns=["AETERM"]), preserve_index=False).append_column(
        "AETERM", pa.array(terms, type=pa.binary()))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    files = _files()
    files.pop("adae.csv")
    cut = load_files({**files, "adae.parquet": buf.getvalue()})
    assert cut.has("adae")
    assert any(f.column == "AETERM" and "not UTF-8" in f.problem for f in cut.issues)


@pytest.mark.parametrize("table,column", [("adtte", "AVAL"), ("adtr", "AVAL"), ("adex", "EXDOSE"), ("adlb", "AVAL")])
def test_implausible_numbers_are_findings(table, column):
    """(4) AVAL = 1e308 (days, mm, doses, lab values): a finding naming the row, not a crash later."""
    df = _frames()[table]
    row = df.index[df[column] != ""][0]
    df.loc[row, column] = "1e308"
    cut = load_files(_files(**{f"{table}.csv": _csv(df)}))
    f = next(f for f in cut.issues if f.table == table and f.column == column)
    assert f.rows == (row + 2,) and "impossible value" in f.problem


def test_every_numeric_column_of_the_contract_has_a_plausible_range():
    from components.data.contract import load_dictionary

    for r in load_dictionary():
        if r.type in ("number", "integer") and not r.allowed:
            assert r.min is not None and r.max is not None, (r.table, r.column)


def test_no_exception_escapes_the_loader(monkeypatch):
    """(5) An unexpected failure in a reader becomes a finding naming the file; so does one in the
    checks."""
    import components.data.datasets as ds

    def boom(src, encoding):
        if src.table == "adae":
            raise RuntimeError("surprise")
        return real(src, encoding)

    real = ds.read_raw
    monkeypatch.setattr(ds, "read_raw", boom)
    cut = load_files(_files())
    assert cut.has("adsl") and not cut.has("adae")
    assert any("adae.csv cannot be read (unexpected RuntimeError)" in f.message for f in cut.issues)
    monkeypatch.setattr(ds, "validate_tables", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    cut = load_files(_files())
    assert cut.errors and "unexpected MemoryError" in cut.errors[-1].message


# --------------------------------------------------------------------------- silent wrong loads (6–12)


def test_subject_ids_differing_only_in_case_are_named():
    """(7) nct…-01-001 and NCT…-01-001: one finding naming both, both excluded."""
    adsl = _frames()["adsl"]
    extra = adsl.iloc[[0]].copy()
    extra["USUBJID"] = extra["USUBJID"].str.lower()
    cut = load_files(_files(**{"adsl.csv": _csv(pd.concat([adsl, extra]))}))
    f = next(f for f in cut.issues if "differ only in upper/lower case" in f.problem)
    assert set(f.subjects) == {adsl["USUBJID"][0], adsl["USUBJID"][0].lower()}
    assert adsl["USUBJID"][0] not in set(cut.tables["adsl"]["USUBJID"])


def test_latin1_text_is_not_read_as_chinese():
    """(8) 'Übelkeit' in Latin-1 decoded as GB18030 gave nonsense: detected as Western European."""
    text, enc, sure = decode_text("AETERM\nÜbelkeit\nDurchfall\nMüdigkeit\n".encode("latin-1"))
    assert "Übelkeit" in text and enc == "cp1252" and sure
    text, enc, sure = decode_text("AETERM\n腹泻\n恶心\n乏力\n".encode("gb18030"))
    assert "腹泻" in text and enc == "gb18030" and sure


def test_unsure_encoding_is_said():
    ae = _frames()["adae"]
    ae.loc[0, "AETERM"] = "é"  # one accented letter: GB18030 or cp1252 cannot be told apart
    cut = load_files(_files(**{"adae.csv": ae.to_csv(index=False).encode("cp1252")}))
    assert any(f.severity in ("warning", "info") and "adae.csv" in f.message and "encod" in f.message
               for f in cut.issues)


def test_nul_bytes_bom_in_header_and_anchored_dates():
    """(9) A NUL byte in a value, a BOM inside the header, '2026-02-02 10:00garbage' as a date, and a
    header-only table: each a finding."""
    ae = _frames()["adae"]
    text = _csv(ae).decode()
    lines = text.splitlines()
    lines[2] = lines[2].replace(",", ",\x00", 1)
    adsl = _frames()["adsl"]
    adsl.loc[0, "RFICDT"] = adsl.loc[0, "RFICDT"] + " 10:00garbage"
    header = _csv(adsl).decode().splitlines()
    header[0] = header[0].replace(",AGE", ",\ufeffAGE")
    cut = load_files(_files(**{"adae.csv": "\n".join(lines).encode(), "adsl.csv": "\n".join(header).encode(),
                               "adlb.csv": CSV["adlb"].splitlines()[0] + b"\n"}))
    msgs = _messages(cut)
    assert "adae.csv contains NUL bytes" in msgs and any(f.rows == (3,) for f in cut.issues if "NUL" in f.problem)
    assert "AGE" in cut.tables["adsl"].columns and any(f.column == "AGE" and "invisible" in f.problem for f in cut.issues)
    assert any(f.column == "RFICDT" and f.rows == (2,) for f in cut.issues)
    assert any(f.table == "adlb" and "no rows" in f.problem for f in cut.issues)


def test_two_files_for_one_table_are_an_error_naming_both():
    """(10) adsl.csv and adsl.parquet: neither is picked; adsl.2026-01-01.csv beside adsl.csv: not
    loaded, said."""
    files = _files(**{"adsl.2026-01-01.csv": CSV["adsl"]})
    cut = load_files(files)
    assert cut.has("adsl")
    assert any("adsl.2026-01-01.csv looks like another version of adsl" in f.message for f in cut.issues)
    buf = io.BytesIO()
    _frames()["adsl"].to_parquet(buf)
    cut = load_files(_files(**{"adsl.parquet": buf.getvalue()}))
    f = next(f for f in cut.errors if "given 2 times" in f.message)
    assert "adsl.csv" in f.message and "adsl.parquet" in f.message and not cut.has("adsl")


def test_links_leading_outside_the_cut_are_refused(tmp_path):
    """(11) A symlink named adlb.csv to a system file is never followed."""
    for name, data in _files().items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "adlb.csv").unlink()
    os.symlink("/etc/passwd", tmp_path / "adlb.csv")
    cut = load_cut(tmp_path)
    assert not cut.has("adlb")
    assert any(f.table == "adlb.csv" and "leads outside the cut folder" in f.message for f in cut.errors)


def test_files_over_the_size_limits_are_refused_before_reading(tmp_path):
    """(12) A file over [data] max_file_mb is not read; all files over max_cut_mb: nothing is."""
    from dataclasses import replace

    from components.data.config import load_config

    small = replace(load_config().data, max_file_mb=0.001)
    cut = load_files(_files(), small)
    assert not cut.has("adsl") and any("over the limit" in f.message and "adsl.csv" in f.message for f in cut.errors)
    tight = replace(load_config().data, max_cut_mb=0.01)
    cut = load_files(_files(), tight)
    assert not cut.tables and any("together, over the limit" in f.message for f in cut.errors)


# --------------------------------------------------------------------------- identifiers (17)


@pytest.mark.parametrize("column,values", [
    ("PT_BIRTHDATE", ["1970-01-01"]), ("BIRTHDAY", ["1970-01-01"]), ("HOSPNO", ["A123"]), ("WECHAT", ["wx_abc"]),
    ("CONTACT", ["138-0013-8000"]), ("NOTE", ["110101199003077777"]), ("NOTE2", ["029-88886666"]),
])
def test_direct_identifiers_are_dropped_and_listed(column, values):
    adsl = _frames()["adsl"]
    adsl[column] = (values * len(adsl))[: len(adsl)]
    cut = load_files(_files(**{"adsl.csv": _csv(adsl)}))
    assert column not in cut.tables["adsl"].columns
    assert any(f.column == column and "direct identifier" in f.problem for f in cut.issues)
