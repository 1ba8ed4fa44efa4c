"""Shared fixtures: the demo data, editable copies of a cut, an AppTest factory, a served app."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The audit trail of everything the tests do (AppTest runs, served apps) goes to a database of this test
# process's own, never to the file beside the app; a test that reads the trail sets its own.
if "TRIAL_AUDIT_URL" not in os.environ:
    import tempfile

    os.environ["TRIAL_AUDIT_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='td-audit-')}/audit.sqlite3"

from components.ui.navigation import PAGES as NAVIGATION  # noqa: E402

DEMO_DIR = ROOT / "data" / "demo"
ARTIFACTS = ROOT / "tests" / "artifacts"
PAGES = [p.file for p in NAVIGATION]
#: The pages of the study's results (not the administration's audit trail).
STUDY_PAGES = [p.file for p in NAVIGATION if p.section != "Administration"]


def load_generator():
    """The demo generator script (data/make_demo.py) as a module."""
    import importlib.util

    if "make_demo" in sys.modules:
        return sys.modules["make_demo"]
    spec = importlib.util.spec_from_file_location("make_demo", ROOT / "data" / "make_demo.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["make_demo"] = mod
    spec.loader.exec_module(mod)
    return mod


def demo_cuts() -> list[Path]:
    return sorted(p for p in DEMO_DIR.iterdir() if p.is_dir())


@pytest.fixture
def latest_cut() -> Path:
    return demo_cuts()[-1]


@pytest.fixture
def cut_copy(tmp_path: Path, latest_cut: Path) -> Path:
    """A private copy of the latest demo cut, to break on purpose."""
    dst = tmp_path / "cut"
    shutil.copytree(latest_cut, dst)
    return dst


def read_csv_text(folder: Path, table: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)


def write_csv_text(folder: Path, table: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{table}.csv", index=False)


@pytest.fixture
def edit_table() -> Callable[[Path, str, Callable[[pd.DataFrame], pd.DataFrame]], None]:
    """Rewrite one CSV table of a cut folder through a function of its text DataFrame."""

    def edit(folder: Path, table: str, fn: Callable[[pd.DataFrame], pd.DataFrame]) -> None:
        write_csv_text(folder, table, fn(read_csv_text(folder, table)))

    return edit


@pytest.fixture
def app_factory(monkeypatch: pytest.MonkeyPatch):
    """AppTest of app.py, optionally on another data folder (TRIAL_DATA_DIR)."""
    from streamlit.testing.v1 import AppTest

    def make(data_dir: Path | None = None, query: dict | None = None) -> AppTest:
        if data_dir is not None:
            monkeypatch.setenv("TRIAL_DATA_DIR", str(data_dir))
        else:
            monkeypatch.delenv("TRIAL_DATA_DIR", raising=False)
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        return at

    return make


@pytest.fixture(scope="session")
def served_app() -> Iterator[str]:
    """The app served by `streamlit run` on a free port (on the demo data); yields its base URL."""
    from scripts.serve import start, stop

    proc, url = start(env={k: v for k, v in os.environ.items() if k != "TRIAL_DATA_DIR"})
    try:
        yield url
    finally:
        stop(proc)


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.fail("Debian's chromium is not installed (scripts/test installs it with apt)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def r_reference() -> dict:
    """R's answers for the statistics of issue 15 (tests/reference/issue15_reference.R made them;
    NA is null, infinities are the strings "Inf"/"-Inf")."""
    import json

    return json.loads((Path(__file__).parent / "reference" / "issue15_reference.json").read_text())


def decode_array(value):
    """A plotly array from a figure's JSON: plotly 7 sends numbers base64-encoded ({dtype, bdata})."""
    import base64

    import numpy as np

    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"])).tolist()
    return list(value) if value is not None else []


def open_expanders(at):
    """Open every lazy expander the last run drew ("Show the code", "Data behind the figure"), as a
    user clicking each, and re-run: their content is made only while open."""
    from components.ui.widgets import LAZY_KEYS

    keys = list(at.session_state[LAZY_KEYS]) if LAZY_KEYS in at.session_state else []
    for key in keys:
        at.session_state[key] = True
    return at.run() if keys else at


def chart_figures(at) -> list[dict]:
    """The plotly figures an AppTest run rendered, as dicts."""
    import json

    return [json.loads(el.proto.spec) for el in at.get("plotly_chart")]


def pytest_terminal_summary(terminalreporter):
    """Report how many generated (hypothesis) data cuts the loader was given."""
    mod = sys.modules.get("tests.test_hypothesis_loader")
    if mod is not None and any(mod.CASES.values()):
        terminalreporter.write_line(
            f"hypothesis: {mod.CASES['csv']} generated malformed CSV data cuts and {mod.CASES['binary']} garbage files "
            "loaded without an unhandled exception"
        )


@pytest.fixture(autouse=True)
def _english_after_each_test():
    """A test that ran the app in Chinese leaves the language of its last run behind for threads that
    never set one (components/i18n.py): the next test starts in English."""
    yield
    from components import i18n

    i18n._current.last = i18n.DEFAULT
    i18n._current.reset(None)
