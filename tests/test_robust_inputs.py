"""Real-world files: Excel workbooks, GBK and BOM CSVs, declared date formats, partial dates,
identifiers. The messy-but-valid versions must load to the same numbers as the clean CSVs."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from components.data.config import load_config
from components.data.datasets import load_cut, load_files
from components.data.readers import folder_files

MISSING_TOKENS = ["NA", "ND", "."]


def _clean(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*.csv"))}


def _assert_same(a, b):
    assert set(a.tables) == set(b.tables)
    for t in a.tables:
        pd.testing.assert_frame_equal(a.tables[t], b.tables[t][a.tables[t].columns], check_dtype=False, obj=t)


def _messy_sheet(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Lower-case headers with spaces, trailing spaces in text, 'NA'/'ND'/'.' for missing, dates as
    real Excel dates on even rows and ISO text on odd rows, numbers as numbers."""
    from components.data.contract import column_types

    types = column_types(table)
    out = pd.DataFrame(index=df.index)
    for i, col in enumerate(df.columns):
        kind = types.get(col, "text")
        values = []
        for j, v in enumerate(df[col]):
            if v == "":
                values.append(MISSING_TOKENS[(i + j) % 3])
            elif kind == "date":
                values.append(pd.Timestamp(v).to_pydatetime() if j % 2 == 0 else v)
            elif kind in ("number", "integer"):
                values.append(float(v) if kind == "number" else int(float(v)))
            else:
                values.append(f"{v}  " if j % 3 == 0 else v)
        out[f"  {col.lower()} "] = values
    return out.reset_index(drop=True).reindex(range(len(out) + 2))  # two blank rows at the end


def test_messy_excel_workbook_loads_to_the_same_numbers(latest_cut, tmp_path):
    clean = load_cut(latest_cut)
    book = tmp_path / "datacut.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for table, df in _clean(latest_cut).items():
            _messy_sheet(df, table).to_excel(xl, sheet_name=table.upper(), index=False)
    messy = load_files({"datacut.xlsx": book.read_bytes()})
    assert not messy.errors, [f.message for f in messy.errors]
    assert all(f.severity == "info" and "empty rows" in f.problem for f in messy.issues)
    _assert_same(clean, messy)


def test_one_excel_file_per_table(latest_cut, tmp_path):
    clean = load_cut(latest_cut)
    files = {}
    for table, df in _clean(latest_cut).items():
        buf = io.BytesIO()
        _messy_sheet(df, table).to_excel(buf, index=False, engine="openpyxl")
        files[f"{table.upper()}.xlsx"] = buf.getvalue()
    _assert_same(clean, load_files(files))


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_gbk_and_bom_csv_load_to_the_same_numbers(latest_cut, encoding):
    """Chinese text (a reported AE term) decodes to the same table from UTF-8, UTF-8 with a byte-order
    mark (Excel's 'CSV UTF-8') and GBK/GB18030 (Excel's CSV on Chinese Windows), detected."""
    frames = _clean(latest_cut)
    frames["adae"]["AETERM"] = frames["adae"]["AETERM"].where(frames["adae"]["AEDECOD"] != "Diarrhoea", "腹泻")
    utf8 = {f"{t}.csv": df.to_csv(index=False).encode("utf-8") for t, df in frames.items()}
    other = {f"{t}.csv": df.to_csv(index=False).encode(encoding) for t, df in frames.items()}
    a, b = load_files(utf8), load_files(other)
    assert "腹泻" in set(b.tables["adae"]["AETERM"])
    assert not b.errors
    _assert_same(a, b)
    if encoding != "utf-8-sig":
        assert any(f.severity == "info" and "encoded as gb18030" in f.message for f in b.issues)


def test_declared_dmy_dates_load_to_the_same_numbers(latest_cut):
    """DD/MM/YYYY declared in the config; ISO is always accepted as it is unambiguous."""
    settings = replace(load_config().data, date_format="DMY")
    frames = _clean(latest_cut)
    files = {}
    for t, df in frames.items():
        df = df.copy()
        for col in df.columns:
            if col.endswith("DT") and df[col].str.match(r"^\d{4}-\d{2}-\d{2}$").any():
                df[col] = pd.to_datetime(df[col], errors="coerce").dt.strftime("%d/%m/%Y").fillna("")
        files[f"{t}.csv"] = df.to_csv(index=False).encode()
    _assert_same(load_cut(latest_cut), load_files(files, settings))


def test_ambiguous_dates_are_never_guessed(cut_copy, edit_table):
    """With ISO declared, 03/04/2026 (March or April?) is rejected, not guessed."""
    edit_table(cut_copy, "adae", lambda df: df.assign(ASTDT=df["ASTDT"].where(df.index != 0, "03/04/2026")))
    cut = load_cut(cut_copy)
    f = next(f for f in cut.issues if f.table == "adae" and f.column == "ASTDT")
    assert "not a date in the declared format (ISO)" in f.message and f.rows == (2,)


def test_partial_dates_are_reported_and_imputed_only_when_configured(cut_copy, edit_table):
    edit_table(cut_copy, "adae", lambda df: df.assign(AENDT=df["AENDT"].where(df.index != 1, "2026-03")))
    cut = load_cut(cut_copy)
    f = next(f for f in cut.issues if f.column == "AENDT")
    assert "partial date" in f.message and "Not imputed" in f.message and f.rows == (3,)
    assert pd.isna(cut.tables["adae"].loc[1, "AENDT"])
    mid = load_cut(cut_copy, replace(load_config().data, partial_date_imputation="mid"))
    g = next(f for f in mid.issues if f.column == "AENDT")
    assert "Imputed to day 15" in g.message and g.severity == "warning"
    assert mid.tables["adae"].loc[1, "AENDT"] == pd.Timestamp("2026-03-15")


def test_identifier_columns_are_reported_and_never_loaded(cut_copy, edit_table):
    def add(df):
        df["PATNAME"] = "张三"
        df["BRTHDT"] = "1970-05-01"
        df["CONTACT"] = "13812345678"
        return df

    edit_table(cut_copy, "adsl", add)
    cut = load_cut(cut_copy)
    cols = {f.column for f in cut.issues if "direct identifier" in f.message}
    assert cols == {"PATNAME", "BRTHDT", "CONTACT"}
    assert not cols & set(cut.tables["adsl"].columns)


def test_semicolon_separated_csv(latest_cut):
    files = {n: (p.read_bytes().decode().replace(",", ";").encode() if n.endswith(".csv") else p.read_bytes())
             for n, p in folder_files(latest_cut).items() if n == "screening.csv"}
    files["adsl.csv"] = (latest_cut / "adsl.csv").read_bytes()
    cut = load_files(files)
    assert cut.has("screening") and len(cut.tables["screening"]) == len(load_cut(latest_cut).tables["screening"])
