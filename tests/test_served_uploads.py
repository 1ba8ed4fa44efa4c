"""Issue 37, as a person meets it on the served app (Chromium): a first session uploads a bomb while a
second one keeps working, and an XPORT upload leaves no patient file on disk."""

from __future__ import annotations

import io
import os
import re
import tempfile
import time

import numpy as np
import pandas as pd
import pyreadstat

from tests.conftest import demo_cuts


def _upload(page, files: list[dict]) -> None:
    page.get_by_text("Upload a data cut", exact=True).click()
    chooser = page.locator("section[data-testid='stSidebar'] input[type=file]")
    chooser.wait_for(state="attached", timeout=60_000)
    chooser.set_input_files(files)


def _file(name: str, data: bytes, mime: str) -> dict:
    return {"name": name, "mimeType": mime, "buffer": data}


def _csvs(*names: str) -> list[dict]:
    return [_file(n, (demo_cuts()[-1] / n).read_bytes(), "text/csv") for n in names]


def test_a_bomb_upload_leaves_the_server_working_for_another_session(served_app, browser):
    """Session A uploads ADSL with a 40-million-row Parquet ADAE (under 1 MB): it is refused from its
    footer, with a finding in A's sidebar; meanwhile session B opens the Survival page and the health
    check answers, both within seconds."""
    buf = io.BytesIO()
    pd.DataFrame({"USUBJID": np.zeros(40_000_000, dtype=np.int8)}).to_parquet(buf, compression="zstd")
    a = browser.new_page(viewport={"width": 1400, "height": 900})
    b = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        a.goto(f"{served_app}/overview", timeout=120_000)
        a.get_by_text("Upload a data cut", exact=True).wait_for(timeout=120_000)
        _upload(a, [*_csvs("adsl.csv"), _file("adae.parquet", buf.getvalue(), "application/octet-stream")])
        started = time.monotonic()
        b.goto(f"{served_app}/survival", timeout=120_000)
        b.get_by_text("Progression-free survival", exact=False).first.wait_for(timeout=60_000)
        assert b.request.get(f"{served_app}/_stcore/health").ok
        assert time.monotonic() - started < 60
        a.get_by_text(re.compile("40,000,000 rows")).first.wait_for(timeout=120_000)
    finally:
        a.close()
        b.close()


def test_an_xport_upload_writes_no_file_and_a_killed_server_leaves_none(browser):
    """The XPORT bytes are read through an anonymous in-memory file: during the upload and after the
    server is killed (kill -9), no new file is in the temporary directory."""
    from scripts.serve import start, stop

    buf_path = tempfile.mktemp(suffix=".xpt", dir=os.path.dirname(__file__))
    adsl = pd.read_csv(demo_cuts()[-1] / "adsl.csv", dtype=str, keep_default_na=False).head(10)
    pyreadstat.write_xport(adsl, buf_path)
    data = open(buf_path, "rb").read()
    os.unlink(buf_path)
    tmp = tempfile.gettempdir()
    before = {p for p in os.listdir(tmp) if p.endswith(".xpt")}
    proc, url = start(env={k: v for k, v in os.environ.items() if k != "TRIAL_DATA_DIR"}, timeout=240)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto(f"{url}/overview", timeout=120_000)
        page.get_by_text("Upload a data cut", exact=True).wait_for(timeout=120_000)
        _upload(page, [_file("adsl.xpt", data, "application/octet-stream"), *_csvs("adrs.csv", "adae.csv")])
        page.get_by_text("10 / 35", exact=True).first.wait_for(timeout=120_000)  # the upload's 10 patients
        assert {p for p in os.listdir(tmp) if p.endswith(".xpt")} == before
        proc.kill()  # kill -9: no clean-up runs
        proc.wait(timeout=30)
        assert {p for p in os.listdir(tmp) if p.endswith(".xpt")} == before
    finally:
        page.close()
        stop(proc)
