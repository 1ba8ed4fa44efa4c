"""The server's warm-up before its first visitor (components/ui/warmup.py, app.py as st.App)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from components.ui import warmup
from tests.conftest import ROOT, demo_cuts


def test_streamlit_run_serves_app_py_as_an_st_app():
    """`streamlit run app.py` finds `app` (st.App, with the warm-up as its lifespan) and serves it; a visit
    runs the same file as the page script (tests/test_browser.py walks it served)."""
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "app.py")
    assert found.is_asgi_app and found.import_string == "app:app"


def test_the_default_cuts_are_the_latest_and_the_one_before(monkeypatch, tmp_path):
    monkeypatch.delenv("TRIAL_DATA_DIR", raising=False)
    cuts = demo_cuts()
    assert warmup.default_cut_paths() == [Path(cuts[-1]), Path(cuts[-2])]
    single = tmp_path / "2026-01-01"
    single.mkdir()
    (single / "adsl.csv").write_text("STUDYID,USUBJID\nX,1\n", encoding="utf-8")
    monkeypatch.setenv("TRIAL_DATA_DIR", str(tmp_path))
    assert warmup.default_cut_paths() == [single]


def test_after_the_warm_up_the_pages_find_the_cut_loaded(monkeypatch):
    """The cut is read once, by the warm-up: the sidebar's load is then a cache hit."""
    from components.ui import widgets

    monkeypatch.delenv("TRIAL_DATA_DIR", raising=False)
    took = warmup.warm()
    assert set(took) == {"imports", "translations", "data cuts"}
    assert {"scipy.stats", "lifelines", "statsmodels.stats.contingency_tables", "pptx", "plotly.graph_objects"} <= set(
        sys.modules)
    reads: list[str] = []
    monkeypatch.setattr(widgets, "load_cut", lambda p: reads.append(p))
    monkeypatch.setattr("components.data.datasets.load_cut", lambda p: reads.append(p))
    for path in warmup.default_cut_paths():
        assert widgets.load_folder_cached(path).has("adsl")
    assert reads == []


def run_async(coroutine) -> None:
    """``asyncio.run`` in a thread of its own: in a test process that also holds the session's Playwright
    browser (tests/test_browser.py, tests/test_margins.py), the main thread has an event loop running and
    ``asyncio.run`` there raises."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def test_a_failing_warm_up_never_keeps_the_server_from_starting(monkeypatch):
    def broken() -> dict:
        raise ValueError("a broken data folder")

    monkeypatch.setattr(warmup, "warm", broken)
    entered = []

    async def serve() -> None:
        async with warmup.lifespan(None):
            entered.append(True)

    run_async(serve())
    assert entered == [True]


def test_the_warm_up_can_be_turned_off(monkeypatch):
    monkeypatch.setenv("TRIAL_WARMUP", "0")
    monkeypatch.setattr(warmup, "warm", lambda: (_ for _ in ()).throw(AssertionError("ran")))

    async def serve() -> None:
        async with warmup.lifespan(None):
            pass

    run_async(serve())
