"""Reading table files of a data cut: CSV, Excel, Parquet and SAS XPORT.

Readers return *raw* DataFrames (CSV and Excel as text, Parquet and XPORT as typed by the file);
the contract's types are applied afterwards by :mod:`components.data.validation`, the same way for every
format. Nothing is executed or unpickled: CSV/Excel/Parquet/XPORT are data-only formats, and Python
pickles are never accepted.
"""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from components.data.contract import TABLES

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xpt": "xport",
    ".xlsx": "excel",
}
#: When a table is given in several formats, the first of these wins (typed formats first).
FORMAT_PRIORITY = ("parquet", "xport", "csv", "excel")


class ReadError(Exception):
    """A file that cannot be read at all (truncated, wrong format, unknown encoding)."""


@dataclass(frozen=True)
class TableFile:
    """One table's source: a file name, its format, and either a path or the file's bytes."""

    table: str
    filename: str
    fmt: str
    path: Path | None = None
    content: bytes | None = None
    sheet: str | None = None

    def open_bytes(self) -> bytes:
        if self.content is not None:
            return self.content
        assert self.path is not None
        return self.path.read_bytes()


def table_name_for(filename: str) -> str | None:
    """The contract table a file name stands for (``ADSL.csv`` → ``adsl``), or None."""
    stem = Path(filename).name.split(".")[0].strip().lower()
    return stem if stem in TABLES else None


def decode_text(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Decode CSV bytes: UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK).

    Returns the text and the encoding used. With a declared encoding only that one is tried.
    """
    candidates = ["utf-8-sig", "gb18030"] if encoding in ("auto", "", None) else [encoding]
    for enc in candidates:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, ("utf-8" if enc == "utf-8-sig" else enc)
    raise ReadError(f"cannot decode the file as {' or '.join(candidates)}")


def read_csv_bytes(data: bytes, encoding: str = "auto") -> tuple[pd.DataFrame, str]:
    text, used = decode_text(data, encoding)
    if not text.strip():
        raise ReadError("the file is empty")
    sample = text[:4096]
    sep = ","
    first_line = sample.splitlines()[0] if sample.splitlines() else ""
    if first_line.count(";") > first_line.count(",") and first_line.count(";") > 0:
        sep = ";"
    elif first_line.count("\t") > first_line.count(","):
        sep = "\t"
    try:
        df = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            sep=sep,
            skip_blank_lines=True,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise ReadError(f"not a readable CSV file ({exc})") from exc
    return df, used


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise ReadError(f"not a readable Parquet file ({exc})") from exc


def read_xport_bytes(data: bytes, path: Path | None = None) -> pd.DataFrame:
    """Read SAS XPORT (v5 and v8) with pyreadstat, which keeps SAS dates as dates."""
    import pyreadstat

    try:
        if path is not None:
            df, _meta = pyreadstat.read_xport(str(path))
            return df
        # pyreadstat reads from a path only: a private temporary file, removed at once.
        fd, tmp = tempfile.mkstemp(suffix=".xpt")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            df, _meta = pyreadstat.read_xport(tmp)
            return df
        finally:
            os.unlink(tmp)
    except Exception as exc:
        raise ReadError(f"not a readable SAS XPORT file ({exc})") from exc


def excel_sheets(data: bytes) -> list[str]:
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as xls:
            return [str(s) for s in xls.sheet_names]
    except Exception as exc:
        raise ReadError(f"not a readable Excel workbook ({exc})") from exc


def read_excel_bytes(data: bytes, sheet: str | int = 0) -> pd.DataFrame:
    try:
        df = pd.read_excel(io.BytesIO(data), sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:
        raise ReadError(f"not a readable Excel sheet ({exc})") from exc
    return df


def read_raw(source: TableFile, encoding: str = "auto") -> tuple[pd.DataFrame, dict[str, str]]:
    """Read one table file into a raw DataFrame with upper-case, stripped column names.

    Returns the frame and notes (e.g. the text encoding detected). Raises :class:`ReadError`.
    """
    notes: dict[str, str] = {}
    data = source.open_bytes()
    if source.fmt == "csv":
        df, used = read_csv_bytes(data, encoding)
        notes["encoding"] = used
    elif source.fmt == "parquet":
        df = read_parquet_bytes(data)
    elif source.fmt == "xport":
        df = read_xport_bytes(data, source.path)
    elif source.fmt == "excel":
        df = read_excel_bytes(data, source.sheet if source.sheet is not None else 0)
    else:  # pragma: no cover - FORMATS is closed
        raise ReadError(f"unknown format {source.fmt}")
    df.columns = [str(c).strip().upper() for c in df.columns]
    return df, notes


def discover_files(
    files: dict[str, bytes | Path],
) -> tuple[dict[str, TableFile], list[str], list[str]]:
    """Match files (name → path or bytes) to contract tables.

    Returns (table → source, ignored file names, notes on tables given twice). A workbook whose
    name is not a table name contributes one table per sheet named like one.
    """
    found: dict[str, list[TableFile]] = {}
    ignored: list[str] = []
    for name, obj in sorted(files.items()):
        fmt = FORMATS.get(Path(name).suffix.lower())
        if fmt is None:
            ignored.append(name)
            continue
        path = obj if isinstance(obj, Path) else None
        content = obj if isinstance(obj, bytes) else None
        table = table_name_for(name)
        if table is None and fmt == "excel":
            data = content if content is not None else path.read_bytes()  # type: ignore[union-attr]
            try:
                sheets = excel_sheets(data)
            except ReadError:
                ignored.append(name)
                continue
            for sheet in sheets:
                t = table_name_for(sheet)
                if t:
                    found.setdefault(t, []).append(
                        TableFile(t, f"{name} [{sheet}]", fmt, path, data, sheet)
                    )
            if not any(table_name_for(s) for s in sheets):
                ignored.append(name)
            continue
        if table is None:
            ignored.append(name)
            continue
        found.setdefault(table, []).append(TableFile(table, name, fmt, path, content))
    chosen: dict[str, TableFile] = {}
    duplicates: list[str] = []
    for table, sources in found.items():
        sources.sort(key=lambda s: FORMAT_PRIORITY.index(s.fmt))
        chosen[table] = sources[0]
        if len(sources) > 1:
            duplicates.append(
                f"{table} is given {len(sources)} times "
                f"({', '.join(s.filename for s in sources)}); {sources[0].filename} is used"
            )
    return chosen, ignored, duplicates


def folder_files(folder: Path) -> dict[str, bytes | Path]:
    """The regular files directly in a folder (not hidden), by name."""
    return {
        p.name: p
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith((".", "~$"))
    }
