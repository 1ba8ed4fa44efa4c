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
from components.data.validation import Msg, msg
from components.i18n import N_

FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xpt": "xport",
    ".xlsx": "excel",
}


class ReadError(Exception):
    """A file that cannot be read at all (truncated, wrong format, unknown encoding). The reason is
    English text (``str(exc)``), kept as ``exc.reason`` (a :class:`Msg` when given as one) for the
    finding to show it in the run's language."""

    def __init__(self, reason: str | Msg) -> None:
        super().__init__(str(reason))
        self.reason = reason


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
    """The contract table a file name stands for (``ADSL.csv`` → ``adsl``), or None. The whole stem
    must be the table's name: ``adsl.2025-old.parquet`` is not adsl (see :func:`copy_of`)."""
    stem = Path(filename).stem.strip().lower()
    return stem if stem in TABLES else None


def copy_of(filename: str) -> str | None:
    """The table a file name looks like a copy of (``adsl.2026-01-01.csv``, ``adsl_old.csv``), or None."""
    stem = Path(filename).stem.strip().lower()
    for t in TABLES:
        if stem != t and (stem.startswith(t + ".") or stem.startswith(t + "_") or stem.startswith(t + "-")
                          or stem.startswith(t + " ")):
            return t
    return None


# Encodings tried for text files in "auto" mode, besides UTF-8: Chinese (GB18030 is a superset of GBK
# and GB2312) and Western European (Windows-1252, a superset of Latin-1 for printable text).
AUTO_ENCODINGS = ("gb18030", "cp1252")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _plausibility(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are plausible for the encoding: common CJK ideographs and
    CJK punctuation for GB18030; Latin letters and common symbols for cp1252. Text mis-decoded with
    the wrong one is mostly implausible (rare ideographs, box-drawing or control characters)."""
    positions = [i for i, c in enumerate(text) if ord(c) > 127]
    if not positions:
        return 1.0
    ok = 0
    for i in positions:
        c = text[i]
        if encoding == "gb18030":
            cjk = "\u4e00" <= c <= "\u9fa5" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
            # Western text read as GB18030 turns an accented letter and the next byte into one ideograph
            # inside a Latin word ("Übelkeit" → "躡elkeit"): Chinese text does not run on in lower case.
            inside_word = (i > 0 and text[i - 1].isascii() and text[i - 1].isalpha()) or \
                text[i + 1: i + 3].isascii() and text[i + 1: i + 3].isalpha() and text[i + 1: i + 3].islower()
            ok += cjk and not inside_word
        else:
            ok += c.isalpha() or c in "°±²³µ·×÷€–—‘’“”•…‰«»¼½¾§¶©®™"
    return ok / len(positions)


def decode_text(data: bytes, encoding: str = "auto") -> tuple[str, str, bool]:
    """Decode text bytes. "auto": UTF-8 (with or without BOM) when it decodes; otherwise the candidate
    of :data:`AUTO_ENCODINGS` whose text is the most plausible (charset_normalizer's ranking and a check
    of which characters come out). Returns the text, the encoding used and whether the choice is sure.
    With a declared encoding only that one is tried."""
    if encoding not in ("auto", "", None):
        try:
            return data.decode(encoding), encoding, True
        except (UnicodeDecodeError, LookupError) as exc:
            raise ReadError(msg(N_("cannot decode the file as {encoding} ({error})"), encoding=encoding, error=exc)) from exc
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a UTF-16 byte-order mark (Excel's "Unicode text")
        try:
            return data.decode("utf-16"), "utf-16", True
        except UnicodeDecodeError as exc:
            raise ReadError(msg(N_("cannot decode the file as {encoding} ({error})"), encoding="UTF-16", error=exc)) from exc
    if len(data) >= 4 and data.count(b"\x00") > len(data) // 4:  # UTF-16 without a mark: every other byte 0
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text and sum(c.isprintable() or c in "\r\n\t" for c in text) > 0.95 * len(text):
                return text, enc, True
    try:
        return data.decode("utf-8-sig"), "utf-8", True
    except UnicodeDecodeError:
        pass
    mixed = _mixed_utf8(data)
    if mixed is not None:
        return mixed
    decoded = {}
    for enc in AUTO_ENCODINGS:
        try:
            decoded[enc] = data.decode(enc)
        except UnicodeDecodeError:
            continue
    if not decoded:
        raise ReadError(msg(N_("cannot decode the file as UTF-8, {encodings}"),
                            encodings=" or ".join(e.upper() for e in AUTO_ENCODINGS)))
    scores = {enc: _plausibility(text, enc) for enc, text in decoded.items()}
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data, cp_isolation=list(decoded)).best()
        guess = best.encoding.replace("_", "").lower() if best is not None else None
    except Exception:  # detection is a hint only
        guess = None
    ranked = sorted(decoded, key=lambda e: (scores[e], e.replace("_", "") == guess), reverse=True)
    chosen = ranked[0]
    sure = scores[chosen] >= 0.9 and (len(ranked) == 1 or scores[ranked[1]] < 0.9)
    return decoded[chosen], chosen, sure


def _non_utf8_lines(data: bytes) -> tuple[int, ...]:
    """The lines (1-based) of a text file that are not UTF-8."""
    out = []
    for i, line in enumerate(data.split(b"\n"), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            out.append(i)
    return tuple(out)


def _mixed_utf8(data: bytes) -> tuple[str, str, bool] | None:
    """A file that is UTF-8 but for some lines (one row pasted from a GBK spreadsheet): each line that is
    UTF-8 stays UTF-8, the others are decoded with the most plausible of :data:`AUTO_ENCODINGS`. None
    when no line with non-ASCII text is UTF-8 (then the whole file is in another encoding)."""
    lines = data.split(b"\n")
    bad = set(_non_utf8_lines(data))
    if not bad or not any(not line.isascii() for i, line in enumerate(lines, start=1) if i not in bad):
        return None
    out, encodings = [], set()
    for i, line in enumerate(lines, start=1):
        if i not in bad:
            out.append(line.decode("utf-8-sig" if i == 1 else "utf-8"))
            continue
        best = max(AUTO_ENCODINGS, key=lambda e: _plausibility(line.decode(e, "replace"), e))
        out.append(line.decode(best, "replace"))
        encodings.add(best)
    return "\n".join(out), "utf-8+" + "+".join(sorted(encodings)), False


def _header(text: str, sep: str) -> list[str]:
    """The header row as written (pandas renames a repeated column AGE to AGE.1; the loader must see
    the repeat)."""
    import csv

    first = next(csv.reader(io.StringIO(text), delimiter=sep), [])
    return [str(c) for c in first]


def read_csv_bytes(data: bytes, encoding: str = "auto") -> tuple[pd.DataFrame, dict[str, object]]:
    text, used, sure = decode_text(data, encoding)
    notes: dict[str, object] = {"encoding": used, "encoding_sure": sure}
    if used.startswith("utf-8+"):  # decoded line by line (:func:`_mixed_utf8`)
        notes["mixed_encoding_lines"] = _non_utf8_lines(data)
    if "\x00" in text:  # a NUL byte would silently cut the value it is in
        lines = [i + 1 for i, line in enumerate(text.splitlines()) if "\x00" in line]
        notes["nul_rows"] = tuple(lines)
        text = text.replace("\x00", "")
    if not text.strip():
        raise ReadError(N_("the file is empty"))
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
        raise ReadError(msg(N_("not a readable CSV file ({error})"), error=exc)) from exc
    header = _header(text, sep)
    if len(header) == len(df.columns):
        df.columns = header
    records = sum(1 for line in text.split("\n") if line.strip()) - 1  # a bare CR inside a value is no line break
    if len(df) < records:  # a value ran over several lines: a stray quote swallows the rows after it
        spans = df.apply(lambda col: col.astype(str).str.contains("\n", regex=False)).any(axis=1)
        notes["multiline_rows"] = tuple(int(i) + 2 for i in df.index[spans])  # file rows, the header is row 1
        notes["record_count"] = (records, len(df))
    return df, notes


def read_parquet_bytes(data: bytes) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data))
    except MemoryError:  # out of the reader's memory (components/data/budget.py): said as such
        raise
    except Exception as exc:  # pyarrow raises several unrelated types for bad files
        raise ReadError(msg(N_("not a readable Parquet file ({error})"), error=exc)) from exc


def read_xport_bytes(data: bytes, path: Path | None = None) -> pd.DataFrame:
    """Read SAS XPORT (v5 and v8) with pyreadstat, which keeps SAS dates as dates."""
    import pyreadstat

    try:
        if path is not None:
            df, _meta = pyreadstat.read_xport(str(path))
            return df
        # pyreadstat reads from a path only. On Linux an anonymous in-memory file (memfd) gives it one with
        # no file on any disk, so nothing is left behind even if the server is killed mid-read; elsewhere a
        # private temporary file, removed at once.
        if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
            fd = os.memfd_create("upload.xpt", getattr(os, "MFD_CLOEXEC", 0))
            try:
                _write_all(fd, data)
                df, _meta = pyreadstat.read_xport(f"/proc/self/fd/{fd}")
                return df
            finally:
                os.close(fd)
        fd, tmp = tempfile.mkstemp(suffix=".xpt")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            df, _meta = pyreadstat.read_xport(tmp)
            return df
        finally:
            os.unlink(tmp)
    except Exception as exc:
        raise ReadError(msg(N_("not a readable SAS XPORT file ({error})"), error=exc)) from exc


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def excel_sheets(data: bytes) -> list[str]:
    try:
        with pd.ExcelFile(io.BytesIO(data), engine="openpyxl") as xls:
            return [str(s) for s in xls.sheet_names]
    except Exception as exc:
        raise ReadError(msg(N_("not a readable Excel workbook ({error})"), error=exc)) from exc


def read_excel_bytes(data: bytes, sheet: str | int = 0) -> pd.DataFrame:
    try:
        df = pd.read_excel(io.BytesIO(data), sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:
        raise ReadError(msg(N_("not a readable Excel sheet ({error})"), error=exc)) from exc
    return df


def _decode_bytes_cells(df: pd.DataFrame) -> list[str]:
    """Byte strings (Parquet binary columns) as text: UTF-8, undecodable bytes replaced. Returns the
    columns where some bytes were not UTF-8."""
    bad = []
    for i, col in enumerate(df.columns):
        s = df.iloc[:, i]
        if s.dtype != object or not s.map(lambda v: isinstance(v, (bytes, bytearray))).any():
            continue

        def text(v: object) -> object:
            if isinstance(v, (bytes, bytearray)):
                try:
                    return bytes(v).decode("utf-8")
                except UnicodeDecodeError:
                    text.failed = True
                    return bytes(v).decode("utf-8", errors="replace")
            return v

        text.failed = False
        df.isetitem(i, s.map(text))
        if text.failed:
            bad.append(str(col))
    return bad


def clean_name(name: object) -> str:
    """A column name as the contract reads it: invisible characters (a BOM, zero-width spaces) and
    surrounding blanks removed, upper case."""
    text = str(name)
    for ch in _INVISIBLE:
        text = text.replace(ch, "")
    return text.strip().upper()


def read_raw(source: TableFile, encoding: str = "auto") -> tuple[pd.DataFrame, dict[str, object]]:
    """Read one table file into a raw DataFrame with cleaned, upper-case column names (a repeated
    column stays repeated, for validation to report).

    Returns the frame and notes for findings (text encoding and whether it is sure, rows with NUL
    bytes, names that held invisible characters, columns with non-UTF-8 bytes). Raises
    :class:`ReadError`."""
    notes: dict[str, object] = {}
    data = source.open_bytes()
    if source.fmt == "csv":
        df, notes = read_csv_bytes(data, encoding)
    elif source.fmt == "parquet":
        df = read_parquet_bytes(data)
    elif source.fmt == "xport":
        df = read_xport_bytes(data, source.path)
    elif source.fmt == "excel":
        df = read_excel_bytes(data, source.sheet if source.sheet is not None else 0)
    else:  # pragma: no cover - FORMATS is closed
        raise ReadError(f"unknown format {source.fmt}")
    hidden = [str(c) for c in df.columns if any(ch in str(c) for ch in _INVISIBLE)]
    if hidden:
        notes["invisible_in_names"] = tuple(clean_name(c) for c in hidden)
    df.columns = [clean_name(c) for c in df.columns]
    undecodable = _decode_bytes_cells(df)
    if undecodable:
        notes["undecodable_bytes"] = tuple(undecodable)
    return df, notes


def discover_files(
    files: dict[str, bytes | Path],
) -> tuple[dict[str, TableFile], list[str], list[Msg]]:
    """Match files (name → path or bytes) to contract tables.

    Returns (table → source, ignored file names, notes on tables given twice: ``str(note)`` is English). A workbook whose
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
    duplicates: list[Msg] = []
    for table, sources in found.items():
        if len(sources) > 1:  # which one is right is unknown: never pick one silently
            duplicates.append(msg(N_("{table} is given {n} times ({files})"), table=table, n=len(sources),
                                  files=", ".join(s.filename for s in sources)))
            continue
        chosen[table] = sources[0]
    return chosen, ignored, duplicates


def folder_files(folder: Path) -> dict[str, bytes | Path]:
    """The regular files directly in a folder (not hidden), by name; links that lead outside the
    folder are left out (:func:`refused_links` names them)."""
    root = folder.resolve()
    out: dict[str, bytes | Path] = {}
    for p in sorted(folder.iterdir()):
        if p.name.startswith((".", "~$")) or not p.is_file():
            continue
        if p.is_symlink() and not _inside(p, root):
            continue
        out[p.name] = p
    return out


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root)
        return True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11's resolve)
        return False


def refused_links(folder: Path) -> list[str]:
    """Names of the links in a folder that lead outside it (never followed)."""
    root = folder.resolve()
    return [p.name for p in sorted(folder.iterdir()) if p.is_symlink() and not _inside(p, root)]
