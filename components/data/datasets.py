"""Loading a data cut: one folder of ADaM tables (CSV, Excel, Parquet or SAS XPORT), validated.

Entry point: :func:`load_cut`. A *cuts directory* is a folder of cut folders (one per data cut-off,
e.g. ``data/demo/2026-08-01/``); :func:`load_cut` on it loads the most recent cut, and
:func:`list_cuts` lists them. A cut folder may hold ``cut.toml`` with ``synthetic = true`` (demo data,
always labelled SYNTHETIC on screen) and a ``label``.
"""

from __future__ import annotations

import hashlib
import tomllib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from components.data.budget import check_budget, isolated, read_isolated
from components.data.config import DataSettings, StudyConfig, load_config
from components.data.contract import TABLE_LABELS, TABLES
from components.data.readers import (
    FORMATS,
    ReadError,
    copy_of,
    discover_files,
    folder_files,
    read_raw,
    refused_links,
    table_name_for,
)
from components.data.validation import ERROR, INFO, WARNING, Finding, Msg, msg, validate_tables
from components.i18n import N_, _

CUT_META = "cut.toml"


@dataclass(frozen=True)
class DataCut:
    """A validated data cut: read-only tables plus the validation findings.

    ``tables`` maps data-set name (``"adsl"``, ``"adrs"`` …) to a DataFrame holding only valid
    rows; ``issues`` lists every finding (table, column, rows, severity, message).
    """

    tables: Mapping[str, pd.DataFrame]
    issues: tuple[Finding, ...] = ()
    name: str = ""
    source: str = ""
    cutoff: pd.Timestamp | None = None
    synthetic: bool = False
    files: Mapping[str, str] = field(default_factory=dict)
    #: each table file read → SHA-256 of its bytes as read (the audit trail names the cut viewed by them)
    file_hashes: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the cut's content (every table's name, columns, types and values): the cache key of
        what is computed from it. Two cuts share it only when their data are the same, so an analysis
        cached for one session's upload is never served to another's (an ``id()`` is reused once the
        object is gone). A table that cannot be hashed makes the key unique to this object."""
        digest = hashlib.sha256()
        try:
            for name in sorted(self.tables):
                df = self.tables[name]
                digest.update(repr((name, list(map(str, df.columns)), list(map(str, df.dtypes)))).encode())
                digest.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
        except Exception:
            return f"object-{uuid.uuid4().hex}"
        digest.update(repr((self.source, self.name, str(self.cutoff), self.synthetic)).encode())
        return digest.hexdigest()

    def has(self, *names: str) -> bool:
        return all(n in self.tables and len(self.tables[n]) > 0 for n in names)

    def table(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)

    def missing(self, *names: str) -> list[str]:
        return [n for n in names if not self.has(n)]

    def missing_note(self, *names: str) -> str | None:
        """A sentence naming the tables a view needs that this cut lacks (None if all present)."""
        gone = self.missing(*names)
        if not gone:
            return None
        labels = ", ".join(f"{_(TABLE_LABELS.get(n, n))} [{n}]" for n in gone)
        return _(
            "This view needs {tables}, which the data cut does not provide "
            "(absent, or not loadable: see the data issues on the Overview page)."
        ).format(tables=labels)

    def derivation(self, table: str, column: str) -> Finding | None:
        """The loader's note when ``table.column`` was mapped or derived (absent from the files), else None."""
        return next((f for f in self.issues if f.table == table and f.column == column and f.severity != ERROR
                     and ("absent" in f.problem or "taken from" in f.problem)), None)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.issues if f.severity == ERROR)

    @property
    def cutoff_text(self) -> str:
        return f"{self.cutoff:%Y-%m-%d}" if self.cutoff is not None else "unknown"

    def with_tables(self, tables: Mapping[str, pd.DataFrame]) -> DataCut:
        return replace(self, tables=MappingProxyType(dict(tables)))


#: cut.toml's keys and their types (the last three are written by data/make_demo.py, for the record).
CUT_META_KEYS = {"cutoff": (str,), "label": (str,), "synthetic": (bool,), "seed": (int,),
                 "patients_at_last_cut": (int,), "generator_version": (int, str)}


def read_cut_meta(folder: Path) -> tuple[dict, list[Finding]]:
    """``cut.toml`` of a cut folder, typed: (the values that passed, findings). Never raises: a file that
    is not TOML, a value of the wrong type (``synthetic = "false"``, a string, is not false) or an
    unknown key is a finding of this cut alone, and the value is left out (not synthetic, named after
    its folder)."""
    path = folder / CUT_META
    try:
        if not path.is_file():
            return {}, []
        with open(path, "rb") as fh:
            raw = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, [Finding(CUT_META, None, ERROR, msg(N_("{file} cannot be read ({error})"), file=str(path),
                                                       error=str(exc)[:200]),
                            action=N_("Its label, cut-off name and synthetic flag are ignored."))]
    meta, findings = {}, []
    for key, value in raw.items():
        types = CUT_META_KEYS.get(key)
        if types is None:
            findings.append(Finding(CUT_META, key, WARNING, N_("unknown key"), action=N_("It is ignored.")))
        elif key == "cutoff" and hasattr(value, "isoformat"):  # a TOML date
            meta[key] = value.isoformat()
        elif isinstance(value, types):
            meta[key] = value
        else:
            findings.append(Finding(CUT_META, key, ERROR,
                                    msg(N_("wrong type: {value} is a {kind}, not a {want}"), value=repr(value),
                                        kind=type(value).__name__, want=types[0].__name__),
                                    action=N_("The value is ignored.")))
    return meta, findings


def _read_meta(folder: Path) -> dict:
    return read_cut_meta(folder)[0]


def is_cut_folder(folder: Path) -> bool:
    """A cut folder holds at least one table file named after a contract table (or a workbook)."""
    if not folder.is_dir():
        return False
    for p in folder.iterdir():
        if p.is_file() and p.suffix.lower() in FORMATS and (table_name_for(p.name) or p.suffix.lower() == ".xlsx"):
            return True
    return False


@dataclass(frozen=True)
class CutRef:
    name: str
    path: Path
    label: str
    synthetic: bool


def list_cuts(root: str | Path) -> list[CutRef]:
    """The cut folders of a cuts directory, oldest first (a cut folder itself: just that one)."""
    root = Path(root)
    if not root.is_dir():
        return []
    if is_cut_folder(root):
        folders = [root]
    else:
        folders = sorted(p for p in root.iterdir() if p.is_dir() and is_cut_folder(p))
    refs = []
    for f in folders:
        meta = _read_meta(f)
        refs.append(
            CutRef(
                name=str(meta.get("cutoff", f.name)),
                path=f,
                label=str(meta.get("label", f.name)),
                synthetic=bool(meta.get("synthetic", False)),
            )
        )
    return refs


def load_files(
    files: Mapping[str, bytes | Path],
    settings: DataSettings | None = None,
    name: str = "",
    source: str = "",
    synthetic: bool = False,
    findings: list[Finding] | None = None,
) -> DataCut:
    """Read and validate a set of files (name → path or bytes) as one data cut.

    Never raises: unreadable, oversized or ambiguous files, missing columns and bad values become
    findings, and an unexpected error in reading or checking a file becomes a finding naming it."""
    settings = settings or load_config().data
    findings = list(findings or [])
    try:
        return _load_files(files, settings, name, source, synthetic, findings)
    except Exception as exc:  # the last line of defence: the app must go on
        findings.append(Finding("data cut", None, ERROR,
                                msg(N_("the files could not be checked (unexpected {error})"), error=type(exc).__name__),
                                action=N_("Nothing is loaded; please report this.")))
        return DataCut(tables=MappingProxyType({}), issues=tuple(findings), name=name or "upload", source=source,
                       synthetic=synthetic)


def _size(obj: bytes | Path) -> int:
    return len(obj) if isinstance(obj, bytes) else obj.stat().st_size


def _load_files(files: Mapping[str, bytes | Path], settings: DataSettings, name: str, source: str, synthetic: bool,
                findings: list[Finding]) -> DataCut:
    mb = 1024 * 1024
    files = dict(files)
    for fname in list(files):
        size = _size(files[fname])
        if size > settings.max_file_mb * mb:
            findings.append(Finding(table_name_for(fname) or fname, None, ERROR,
                                    msg(N_("file {file} is {size} MB, over the limit of {limit} MB"), file=fname,
                                        size=f"{size / mb:,.0f}", limit=f"{settings.max_file_mb:g}"),
                                    action=N_("It is not read ([data] max_file_mb in the study config).")))
            files.pop(fname)
    total = sum(_size(v) for v in files.values())
    if total > settings.max_cut_mb * mb:
        findings.append(Finding("data cut", None, ERROR,
                                msg(N_("the files are {size} MB together, over the limit of {limit} MB"),
                                    size=f"{total / mb:,.0f}", limit=f"{settings.max_cut_mb:g}"),
                                action=N_("Nothing is read ([data] max_cut_mb in the study config).")))
        files = {}
    sources, ignored, duplicates = discover_files(files)
    for note in duplicates:
        findings.append(Finding(str(note).split(" ")[0], None, ERROR, note,
                                action=N_("Which one is right is unknown: the table is not loaded. Keep one file per "
                                          "table in the cut.")))
    others = []
    for fname in ignored:
        if fname == CUT_META:
            continue
        twin = copy_of(fname)
        if twin:
            findings.append(Finding(twin, None, WARNING, msg(N_("{file} looks like another version of {table}"),
                                                             file=fname, table=twin),
                                    action=msg(N_("It is not loaded: only a file named {table} (.csv, .xlsx, .parquet, "
                                                  ".xpt) is."), table=twin)))
        else:
            others.append(fname)
    if len(others) > 5:  # one note for many (a cut folder with 5,000 extra files gave 5,000 notes)
        shown = ", ".join(sorted(others)[:5])
        findings.append(Finding("data cut", None, INFO, msg(N_("{n} files are not tables of the data contract: {files} …"),
                                                            n=len(others), files=shown), action=N_("Ignored.")))
    else:
        findings += [Finding(f, None, INFO, N_("not a table of the data contract"), action=N_("Ignored.")) for f in others]
    raw: dict[str, pd.DataFrame] = {}
    sas_numeric: dict[str, bool] = {}
    used: dict[str, str] = {}
    digests: dict[str, str] = {}
    for table in TABLES:
        src = sources.get(table)
        if src is None:
            continue
        try:
            data = src.open_bytes()
            digests[src.filename] = hashlib.sha256(data).hexdigest()
            check_budget(src, data, settings)
            if isolated(src, len(data)):
                df, notes = read_isolated(src, data, settings)
            else:
                df, notes = read_raw(src, settings.encoding)
        except ReadError as exc:
            findings.append(
                Finding(table, None, ERROR, msg(N_("file {file} cannot be read: {reason}"), file=src.filename,
                                                reason=exc.reason if isinstance(exc.reason, Msg) else msg(str(exc))),
                        action=N_("The table is not loaded; what needs it is switched off."))
            )
            continue
        except Exception as exc:  # a reader library failing in a way of its own
            findings.append(
                Finding(table, None, ERROR, msg(N_("file {file} cannot be read (unexpected {error})"),
                                                file=src.filename, error=type(exc).__name__),
                        action=N_("The table is not loaded; what needs it is switched off."))
            )
            continue
        findings += _read_notes(table, src.filename, notes)
        raw[table] = df
        sas_numeric[table] = src.fmt == "xport"
        used[table] = src.filename
    if "adsl" not in raw and not any(f.table == "adsl" for f in findings):
        findings.append(
            Finding("adsl", None, ERROR, N_("no subject-level table (adsl) in the data cut"),
                    action=N_("Every view needs it; nothing can be shown."))
        )
    tables, f, cutoff = validate_tables(raw, settings, sas_numeric, cutoff_hint=name or None)
    findings += f
    return DataCut(
        tables=MappingProxyType(tables),
        issues=tuple(findings),
        name=name or (f"{cutoff:%Y-%m-%d}" if cutoff is not None else "upload"),
        source=source,
        cutoff=cutoff,
        synthetic=synthetic,
        files=MappingProxyType(used),
        file_hashes=MappingProxyType(digests),
    )


def _read_notes(table: str, filename: str, notes: dict) -> list[Finding]:
    """Findings for what reading a file noticed."""
    out = []
    enc = notes.get("encoding")
    if enc not in (None, "utf-8") and not notes.get("mixed_encoding_lines"):
        if notes.get("encoding_sure", True):
            out.append(Finding(table, None, INFO, msg(N_("{file} is encoded as {encoding}"), file=filename, encoding=enc),
                               action=N_("Decoded accordingly.")))
        else:
            out.append(Finding(table, None, WARNING, msg(N_("the text encoding of {file} is uncertain; read as {encoding}"),
                                                          file=filename, encoding=enc),
                               action=N_("Check accented or Chinese text; better, save the file as UTF-8, or set "
                                         "[data] encoding in the study config.")))
    if notes.get("mixed_encoding_lines"):
        out.append(Finding(table, None, WARNING, msg(N_("{file} mixes encodings: UTF-8, and {encoding} on some lines"),
                                                      file=filename, encoding=str(enc).split("+", 1)[-1]),
                           tuple(notes["mixed_encoding_lines"]),
                           action=N_("Each line is decoded in its own encoding; check those lines, better, save the "
                                     "file as UTF-8.")))
    if notes.get("record_count"):
        lines, rows = notes["record_count"]
        out.append(Finding(table, None, WARNING,
                           msg(N_("{file} has {lines} lines of data but reads as {rows} rows: a quote opens a value "
                                  "that runs over the following lines"), file=filename, lines=lines, rows=rows),
                           tuple(notes.get("multiline_rows", ())),
                           action=N_("The rows named hold several lines of the file in one value; check the quotes in "
                                     "them (a stray \" in the file).")))
    if notes.get("nul_rows"):
        out.append(Finding(table, None, WARNING, msg(N_("{file} contains NUL bytes"), file=filename),
                           tuple(notes["nul_rows"]),
                           action=N_("They are removed (a NUL byte would cut the value it is in); check those rows.")))
    for col in notes.get("invisible_in_names", ()):
        out.append(Finding(table, str(col), INFO, N_("the column name holds an invisible character (e.g. a byte-order "
                                                     "mark)"), action=N_("Removed from the name.")))
    for col in notes.get("undecodable_bytes", ()):
        out.append(Finding(table, str(col), WARNING, N_("bytes that are not UTF-8 text"),
                           action=N_("Shown with a replacement character (�).")))
    return out


def load_cut(folder: str | Path, settings: DataSettings | None = None) -> DataCut:
    """Load and validate the data cut in ``folder`` (or the latest cut of a cuts directory)."""
    folder = Path(folder)
    if not folder.is_dir():
        return DataCut(
            tables=MappingProxyType({}),
            issues=(Finding("adsl", None, ERROR, msg(N_("data folder {folder} does not exist"), folder=folder)),),
            source=str(folder),
        )
    if not is_cut_folder(folder):
        cuts = list_cuts(folder)
        if cuts:
            folder = cuts[-1].path
    meta, meta_findings = read_cut_meta(folder)
    meta_findings += _same_date_elsewhere(folder, str(meta.get("cutoff", folder.name)))
    links = [Finding(n, None, ERROR, msg(N_("{file} is a link that leads outside the cut folder"), file=n),
                     action=N_("It is never followed.")) for n in refused_links(folder)]
    links += meta_findings
    settings = settings or load_config().data
    files, unsteady = snapshot(folder_files(folder), settings)
    if unsteady:
        links.append(Finding("data cut", None, ERROR,
                             msg(N_("{files} changed while the cut was read"), files=", ".join(unsteady)),
                             action=N_("Not loaded, so the cut is never half old and half new; open it again once "
                                       "the copy is complete.")))
    return load_files(
        files,
        settings,
        name=str(meta.get("cutoff", folder.name)),
        source=str(folder),
        synthetic=bool(meta.get("synthetic", False)),
        findings=links,
    )


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def snapshot(files: Mapping[str, bytes | Path], settings: DataSettings, tries: int = 3, pause: float = 0.2
             ) -> tuple[dict[str, bytes | Path], list[str]]:
    """The table files' bytes as one snapshot: every file's size and modification time are the same before
    and after all of them are read (tried ``tries`` times: a copy still being written settles), so no table
    is from an older state of the folder than another. Returns the files (bytes) and the names of those that
    kept changing, which are left out. Files over the size limits stay paths (they are refused unread);
    files that are not tables are not read."""
    import time

    mb = 1024 * 1024
    wanted = {n: p for n, p in files.items() if isinstance(p, Path) and Path(n).suffix.lower() in FORMATS
              and (_stamp(p) or (0, 0))[0] <= settings.max_file_mb * mb}
    if sum((_stamp(p) or (0, 0))[0] for p in wanted.values()) > settings.max_cut_mb * mb:
        return dict(files), []  # refused whole by the loader, unread
    changed: list[str] = []
    for attempt in range(tries):
        before = {n: _stamp(p) for n, p in wanted.items()}
        data: dict[str, bytes] = {}
        for name, path in wanted.items():
            try:
                data[name] = path.read_bytes()
            except OSError:
                continue
        after = {n: _stamp(p) for n, p in wanted.items()}
        changed = sorted(n for n in wanted if before[n] != after[n] or before[n] is None
                         or (n in data and before[n][0] != len(data[n])))
        if not changed:
            return {**files, **data}, []
        if attempt < tries - 1:
            time.sleep(pause)
    out = {**files, **data}
    for name in changed:
        out.pop(name, None)
    return out, changed


def _same_date_elsewhere(folder: Path, name: str) -> list[Finding]:
    """A finding when another cut folder beside this one declares the same cut-off: which one a "latest"
    or a comparison means is then ambiguous."""
    try:
        others = [r.path.name for r in list_cuts(folder.parent) if r.name == name and r.path != folder]
    except OSError:
        return []
    if not others:
        return []
    return [Finding(CUT_META, "cutoff", WARNING,
                    msg(N_("the cut-off {date} is also declared by {folders}"), date=name, folders=", ".join(others)),
                    action=msg(N_("This is {folder}; give each cut folder its own date."), folder=folder.name))]


def default_data_dir(config: StudyConfig | None = None) -> Path:
    """``TRIAL_DATA_DIR`` if set, else the cuts directory of the study config (the demo data)."""
    import os

    env = os.environ.get("TRIAL_DATA_DIR")
    if env:
        return Path(env)
    return (config or load_config()).cuts_dir


def folder_signature(folder: str | Path) -> tuple:
    """Names, sizes and modification times of a folder's files: a cache key that changes when the
    data change on disk."""
    folder = Path(folder)
    if not folder.is_dir():
        return ()
    return tuple(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.iterdir()) if p.is_file()
    )
