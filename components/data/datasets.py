"""Loading a data cut: one folder of ADaM tables (CSV, Excel, Parquet or SAS XPORT), validated.

Entry point: :func:`load_cut`. A *cuts directory* is a folder of cut folders (one per data cut-off,
e.g. ``data/demo/2026-08-01/``); :func:`load_cut` on it loads the most recent cut, and
:func:`list_cuts` lists them. A cut folder may hold ``cut.toml`` with ``synthetic = true`` (demo data,
always labelled SYNTHETIC on screen) and a ``label``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from components.data.config import DataSettings, StudyConfig, load_config
from components.data.contract import TABLE_LABELS, TABLES
from components.data.readers import ReadError, discover_files, folder_files, read_raw
from components.data.validation import ERROR, INFO, WARNING, Finding, validate_tables

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
        labels = ", ".join(f"{TABLE_LABELS.get(n, n)} [{n}]" for n in gone)
        return (
            f"This view needs {labels}, which the data cut does not provide "
            "(absent, or not loadable: see the data issues on the Overview page)."
        )

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.issues if f.severity == ERROR)

    @property
    def cutoff_text(self) -> str:
        return f"{self.cutoff:%Y-%m-%d}" if self.cutoff is not None else "unknown"

    def with_tables(self, tables: Mapping[str, pd.DataFrame]) -> DataCut:
        return replace(self, tables=MappingProxyType(dict(tables)))


def _read_meta(folder: Path) -> dict:
    meta = folder / CUT_META
    if meta.is_file():
        with open(meta, "rb") as fh:
            return tomllib.load(fh)
    return {}


def is_cut_folder(folder: Path) -> bool:
    """A cut folder holds at least one table file named after a contract table."""
    if not folder.is_dir():
        return False
    tables, _ignored, _dups = discover_files(
        {p.name: p for p in folder.iterdir() if p.is_file() and p.suffix.lower() != ".xlsx"}
    )
    if tables:
        return True
    return any(p.suffix.lower() == ".xlsx" for p in folder.iterdir())


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
) -> DataCut:
    """Read and validate a set of files (name → path or bytes) as one data cut.

    Never raises for bad data: unreadable files, missing columns and bad values become findings.
    """
    settings = settings or load_config().data
    sources, ignored, duplicates = discover_files(dict(files))
    findings: list[Finding] = []
    for note in duplicates:
        findings.append(Finding(note.split(" ")[0], None, WARNING, note))
    for fname in ignored:
        if fname != CUT_META:
            findings.append(
                Finding(fname, None, INFO, "not a table of the data contract", action="Ignored.")
            )
    raw: dict[str, pd.DataFrame] = {}
    sas_numeric: dict[str, bool] = {}
    used: dict[str, str] = {}
    for table in TABLES:
        src = sources.get(table)
        if src is None:
            continue
        try:
            df, notes = read_raw(src, settings.encoding)
        except ReadError as exc:
            findings.append(
                Finding(table, None, ERROR, f"file {src.filename} cannot be read: {exc}",
                        action="The table is not loaded; what needs it is switched off.")
            )
            continue
        if notes.get("encoding") not in (None, "utf-8"):
            findings.append(
                Finding(table, None, INFO, f"{src.filename} is encoded as {notes['encoding']}",
                        action="Decoded accordingly.")
            )
        raw[table] = df
        sas_numeric[table] = src.fmt == "xport"
        used[table] = src.filename
    if "adsl" not in raw and not any(f.table == "adsl" for f in findings):
        findings.append(
            Finding("adsl", None, ERROR, "no subject-level table (adsl) in the data cut",
                    action="Every view needs it; nothing can be shown.")
        )
    tables, f, cutoff = validate_tables(raw, settings, sas_numeric)
    findings += f
    return DataCut(
        tables=MappingProxyType(tables),
        issues=tuple(findings),
        name=name or (f"{cutoff:%Y-%m-%d}" if cutoff is not None else "upload"),
        source=source,
        cutoff=cutoff,
        synthetic=synthetic,
        files=MappingProxyType(used),
    )


def load_cut(folder: str | Path, settings: DataSettings | None = None) -> DataCut:
    """Load and validate the data cut in ``folder`` (or the latest cut of a cuts directory)."""
    folder = Path(folder)
    if not folder.is_dir():
        return DataCut(
            tables=MappingProxyType({}),
            issues=(Finding("adsl", None, ERROR, f"data folder {folder} does not exist"),),
            source=str(folder),
        )
    if not is_cut_folder(folder):
        cuts = list_cuts(folder)
        if cuts:
            folder = cuts[-1].path
    meta = _read_meta(folder)
    return load_files(
        folder_files(folder),
        settings,
        name=str(meta.get("cutoff", folder.name)),
        source=str(folder),
        synthetic=bool(meta.get("synthetic", False)),
    )


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
