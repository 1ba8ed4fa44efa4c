"""Issue 37 (1): small files that unpack to gigabytes are refused from what they say about themselves,
before they become tables; a file that escapes the checks stops the reader process, not the server. The
bombs are made here, in a few seconds each; peak memory is measured in a child process (ru_maxrss)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd

from components.data.config import load_config
from components.data.datasets import load_files
from tests.conftest import ROOT, demo_cuts


def _demo_files() -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in demo_cuts()[-1].iterdir() if p.suffix == ".csv"}


def _rle_bomb(rows: int) -> bytes:
    """A Parquet file of ``rows`` zeros: a few hundred KB on disk (run-length encoded)."""
    buf = io.BytesIO()
    pd.DataFrame({"USUBJID": np.zeros(rows, dtype=np.int8)}).to_parquet(buf, compression="zstd")
    return buf.getvalue()


def _in_child(code: str) -> dict:
    """Run ``code`` (which sets ``result``) in a fresh Python; returns result plus the peak resident
    memory (MB) of the child (its own, VmHWM) and of its own children (the reader process)."""
    body = textwrap.indent(textwrap.dedent(code).strip("\n"), "    ")
    script = "\n".join([
        "import json, resource, sys",
        f"sys.path.insert(0, {str(ROOT)!r})",
        "def main():",
        body,
        "    return result",
        "if __name__ == '__main__':",
        "    out = main()",
        # VmHWM is this process image's own peak: getrusage's ru_maxrss keeps the peak of the image before
        # exec — the pytest worker that started the child (Linux exec_mmap) — which grew past the limit
        "    hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM:')]",
        "    out['peak_mb'] = (int(hwm[0].split()[1]) / 1024 if hwm",
        "                      else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
        "    out['children_peak_mb'] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024",
        "    print(json.dumps(out))",
    ])
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_parquet_rle_bomb_is_refused_from_its_footer_in_little_memory(tmp_path):
    """40 million run-length-encoded rows in under 1 MB (the probe's file took the loader to 10.5 GB):
    refused from the footer's row count (max_rows 1,000,000), the cut still loads, and the loading
    process stays under 600 MB. The bomb is made here, not in the measured process: writing it takes
    pyarrow's threads, whose memory on a loaded machine once took the child past the limit (627 MB in a
    fresh-clone run) before the loader had read a byte."""
    bomb = tmp_path / "adae.parquet"
    pd.DataFrame({"USUBJID": np.zeros(40_000_000, dtype=np.int8)}).to_parquet(bomb, compression="zstd")
    out = _in_child(f"""
        from pathlib import Path
        from components.data.datasets import load_files
        from tests.conftest import demo_cuts
        files = {{p.name: p.read_bytes() for p in demo_cuts()[-1].iterdir() if p.suffix == ".csv"}}
        files.pop("adae.csv"); files["adae.parquet"] = Path({str(bomb)!r}).read_bytes()
        cut = load_files(files)
        result = {{"size": len(files["adae.parquet"]), "has_adsl": cut.has("adsl"),
                  "adae": [f.message for f in cut.issues if f.table == "adae"]}}
    """)
    assert out["size"] < 1_000_000 and out["has_adsl"]
    assert any("40,000,000 rows" in m and "max_rows" in m for m in out["adae"])
    assert out["peak_mb"] < 600, out


def _xlsx(sheet_xml: bytes, shared: bytes | None = None, shared_repeat: int = 0) -> bytes:
    """A minimal xlsx; ``shared`` repeated ``shared_repeat`` times as the shared-strings part (streamed
    into the zip: a bomb is never in memory whole)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/content-types"/>')
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            with z.open("xl/sharedStrings.xml", "w") as fh:
                for _ in range(shared_repeat):
                    fh.write(shared)
    return buf.getvalue()


def test_an_xlsx_zip_bomb_and_a_sheet_spanning_a_to_xfd_are_refused_unread():
    settings = replace(load_config().data, max_excel_unpacked_mb=50)
    chunk = b"<si><t>" + b"A" * 1_000_000 + b"</t></si>"
    bomb = _xlsx(b'<worksheet><dimension ref="A1:B2"/></worksheet>', chunk, 60)
    assert len(bomb) < 1_000_000
    wide = _xlsx(b'<worksheet><dimension ref="A1:XFD1000"/><sheetData/></worksheet>')
    for name, data, words in (("adae.xlsx", bomb, "MB unpacked"), ("adex.xlsx", wide, "16,384,000 cells")):
        files = _demo_files()
        files.pop(name.replace(".xlsx", ".csv"))
        files[name] = data
        cut = load_files(files, settings)
        table = name.split(".")[0]
        found = [f.message for f in cut.issues if f.table == table]
        assert any(words in m for m in found), found
        assert cut.has("adsl")


def test_a_csv_of_tiny_cells_over_the_cell_budget_is_refused():
    settings = replace(load_config().data, max_cells=1_000_000)
    text = "USUBJID," + ",".join(f"C{i}" for i in range(99)) + "\n" + ("x," * 99 + "x\n") * 20_000
    files = _demo_files()
    files["adlb.csv"] = text.encode()
    cut = load_files(files, settings)
    assert any("2,000,100 cells" in f.message and "max_cells" in f.message for f in cut.issues if f.table == "adlb")


def test_a_file_that_escapes_the_checks_stops_the_reader_process_not_the_server():
    """With the budgets opened wide, 150 million zeros (1.2 GB as a table, 0.7 MB as a file) reach the
    reader process, which runs out of its 900 MB and stops: a finding says so, and the next cut loads in
    a new reader process."""
    settings = replace(load_config().data, max_rows=10**9, max_cells=10**12, max_unpacked_mb=10**6,
                       reader_memory_mb=900)
    files = _demo_files()
    files.pop("adae.csv")
    files["adae.parquet"] = _rle_bomb(150_000_000)
    cut = load_files(files, settings)
    assert any("more than 900 MB of memory" in f.message for f in cut.issues if f.table == "adae")
    assert cut.has("adsl")
    files["adae.parquet"] = _rle_bomb(10)
    again = load_files(files, settings)
    assert not [f for f in again.issues if f.table == "adae" and f.severity == "error" and "memory" in f.message]


def test_a_parquet_table_within_the_budgets_loads_as_before():
    files = _demo_files()
    adsl = pd.read_csv(io.BytesIO(files.pop("adsl.csv")), dtype=str, keep_default_na=False)
    buf = io.BytesIO()
    adsl.to_parquet(buf)
    files["adsl.parquet"] = buf.getvalue()
    cut = load_files(files)
    assert len(cut.tables["adsl"]) == len(adsl)


def test_a_cut_folder_rewritten_while_it_is_read_is_never_half_old_half_new(tmp_path, monkeypatch):
    """Issue 37 (2): a file that changes between the reads of one snapshot (here: rewritten by another
    process as each file is read) is read again; one that never settles is left out, with a finding,
    instead of loading a partial ADAE silently."""
    import shutil
    from pathlib import Path

    from components.data import datasets

    folder = tmp_path / "2026-11-01"
    shutil.copytree(demo_cuts()[-1], folder)
    real = Path.read_bytes
    writes = {"n": 0}

    def busy(self):
        if self.name == "adae.csv":  # another process keeps appending to it while the loader reads
            writes["n"] += 1
            with open(self, "a") as fh:
                fh.write("\n")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", busy)
    cut = datasets.load_cut(folder)
    monkeypatch.setattr(Path, "read_bytes", real)
    assert writes["n"] == 3  # tried three times
    assert any("adae.csv changed while the cut was read" in f.message for f in cut.issues)
    assert not cut.has("adae") and cut.has("adsl")
    settled = datasets.load_cut(folder)
    assert settled.has("adae") and not any("changed while" in f.message for f in settled.issues)
