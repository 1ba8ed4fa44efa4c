"""Bounded memory and time for every file (issue 37): the limits checked before bytes become objects,
and the reader process that holds what a file escapes them with.

1. **Budgets, before reading** (:func:`check_budget`), from what the format says about itself: a Parquet
   file's footer (rows, columns, the uncompressed size of its row groups), an xlsx workbook's zip
   directory (the unpacked size of every part: a zip bomb of shared strings) and each sheet's
   ``<dimension>`` (cells in A1:XFD… ), a CSV's lines and header. A table over ``[data] max_rows``,
   ``max_cells``, ``max_unpacked_mb`` (or, for a workbook, ``max_excel_cells`` and
   ``max_excel_unpacked_mb``: openpyxl holds ~100 bytes a cell) is a finding naming the file and the
   limit, never an allocation.
2. **A reader process with a memory and a time limit** (:func:`read_isolated`): compressed and binary
   formats (Parquet, Excel, SAS XPORT) and large text files are parsed in a separate process whose
   address space is capped (``RLIMIT_AS``, ``[data] reader_memory_mb``) and which is killed after
   ``reader_seconds``; a file that escapes the checks takes down that process only, and the finding says
   so. The process is started once (spawned, not forked: the server's threads are not copied) and
   reused; a dead one is replaced.
"""

from __future__ import annotations

import io
import re
import threading
import zipfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from components.data.config import DataSettings
from components.data.readers import ReadError, TableFile, read_raw
from components.data.validation import msg
from components.i18n import N_

MB = 1024 * 1024
#: Text files smaller than this are parsed in the server's process (the budget check bounds them).
INLINE_TEXT_BYTES = 4 * MB
_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


#: What a budget counts, on screen.
UNITS = {"rows": N_("rows"), "cells": N_("cells"), "MB unpacked": N_("MB unpacked")}


def _over(file: str, what: str, value: float, limit: float, key: str) -> ReadError:
    return ReadError(msg(N_("{file} would hold {value} {what}, over the limit of {limit} ([data] {key})"),
                         file=file, value=f"{value:,.0f}", what=msg(UNITS[what]), limit=f"{limit:,.0f}", key=key))


def check_budget(source: TableFile, data: bytes, settings: DataSettings) -> None:
    """Raise :class:`ReadError` when the file would become a table over the limits (module docstring);
    read only what the format says about itself, never the table."""
    if source.fmt == "parquet":
        _parquet_budget(source.filename, data, settings)
    elif source.fmt == "excel":
        _xlsx_budget(source.filename, data, settings)
    elif source.fmt == "csv":
        rows = data.count(b"\n")
        first = data[: data.find(b"\n")] if b"\n" in data else data
        columns = max(first.count(b","), first.count(b";"), first.count(b"\t")) + 1
        _limits(source.filename, rows, columns, settings)


def _limits(file: str, rows: float, columns: float, settings: DataSettings, excel: bool = False) -> None:
    if rows > settings.max_rows:
        raise _over(file, "rows", rows, settings.max_rows, "max_rows")
    cells, key = (settings.max_excel_cells, "max_excel_cells") if excel else (settings.max_cells, "max_cells")
    if rows * columns > cells:
        raise _over(file, "cells", rows * columns, cells, key)


def _parquet_budget(file: str, data: bytes, settings: DataSettings) -> None:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(io.BytesIO(data)).metadata
    except Exception:  # not a Parquet file: the reader says so
        return
    _limits(file, meta.num_rows, meta.num_columns, settings)
    unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if unpacked > settings.max_unpacked_mb * MB:
        raise _over(file, "MB unpacked", unpacked / MB, settings.max_unpacked_mb, "max_unpacked_mb")


def _xlsx_budget(file: str, data: bytes, settings: DataSettings) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:  # not a workbook: the reader says so
        return
    with archive:
        parts = archive.infolist()
        unpacked = sum(p.file_size for p in parts)
        if unpacked > settings.max_excel_unpacked_mb * MB:
            raise _over(file, "MB unpacked", unpacked / MB, settings.max_excel_unpacked_mb, "max_excel_unpacked_mb")
        for part in parts:
            if not part.filename.startswith("xl/worksheets/") or not part.filename.endswith(".xml"):
                continue
            with archive.open(part) as fh:
                head = fh.read(4096)
            m = _DIMENSION.search(head)
            if m is None:
                continue
            first_col, first_row, last_col, last_row = m.group(1), m.group(2), m.group(3), m.group(4)
            if last_col is None:
                continue
            rows = int(last_row) - int(first_row) + 1
            columns = _column_number(last_col.decode()) - _column_number(first_col.decode()) + 1
            _limits(file, rows, columns, settings, excel=True)


# --------------------------------------------------------------------------- the reader process


def _limit_memory(mb: float) -> None:  # runs in the reader process
    import resource

    limit = int(mb * MB)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read_in_worker(source: TableFile, data: bytes, encoding: str):
    import dataclasses

    try:
        return read_raw(dataclasses.replace(source, path=None, content=data), encoding)
    except MemoryError:  # the address-space limit: a plain MemoryError reaches the server (pickles cleanly)
        raise MemoryError from None


_POOL: ProcessPoolExecutor | None = None
_POOL_MB: float | None = None  # the memory limit the running reader process was started with
_POOL_LOCK = threading.Lock()


def _pool(settings: DataSettings) -> ProcessPoolExecutor:
    global _POOL, _POOL_MB
    if _POOL is not None and _POOL_MB != settings.reader_memory_mb:
        _discard_pool()
    with _POOL_LOCK:
        if _POOL is None:
            import multiprocessing

            _POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_limit_memory, initargs=(settings.reader_memory_mb,))
            _POOL_MB = settings.reader_memory_mb
        return _POOL


def _discard_pool() -> None:
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)


def isolated(source: TableFile, size: int) -> bool:
    """Whether a file is parsed in the reader process: compressed or binary formats, and large text."""
    return source.fmt in ("parquet", "excel", "xport") or size > INLINE_TEXT_BYTES


def read_isolated(source: TableFile, data: bytes, settings: DataSettings):
    """``read_raw`` in the reader process (module docstring); raises :class:`ReadError` when the file
    took more memory or time than allowed, and then replaces the process."""
    try:
        future = _pool(settings).submit(_read_in_worker, source, data, settings.encoding)
        return future.result(timeout=settings.reader_seconds)
    except FutureTimeout:
        _discard_pool()
        raise ReadError(msg(N_("reading it took longer than {seconds} s ([data] reader_seconds); stopped"),
                            seconds=f"{settings.reader_seconds:g}")) from None
    except (BrokenProcessPool, MemoryError):
        _discard_pool()
        raise ReadError(msg(N_("reading it needed more than {mb} MB of memory ([data] reader_memory_mb); stopped"),
                            mb=f"{settings.reader_memory_mb:,.0f}")) from None
