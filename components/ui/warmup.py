"""Warm the server up before its first visitor.

A first visit to a freshly started server used to pay for everything a Python process does once: import
pandas, plotly, scipy, lifelines and statsmodels, compile the translation catalogs, read and validate the
data cut and its comparison cut (bench/results.md: ~5 s of the first visit on two cores). ``app.py``
serves the app as Streamlit's ``st.App`` with :func:`lifespan`, which does that work while the server
starts, so the server answers its health check only once a first visit will be as quick as any other.

The cuts go into the same cache the pages use (``widgets.load_folder_cached``), chosen as the sidebar
chooses them by default (the data folder if ``TRIAL_DATA_DIR`` is set, else the demo; its latest cut and
the one before). A warm-up that fails (a broken config or data folder) is logged and skipped: the pages
then report the problem as they always do. ``TRIAL_WARMUP=0`` turns it off.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import pkgutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from streamlit.logger import get_logger

LOG = get_logger(__name__)


def component_modules() -> list[str]:
    """Every module of ``components`` (each page imports some of them, and scipy, lifelines, statsmodels,
    plotly and python-pptx through them)."""
    import components

    return sorted(m.name for m in pkgutil.walk_packages(components.__path__, "components."))


def default_cut_paths() -> list[Path]:
    """The cuts a first visitor sees without touching the sidebar: the latest cut of the default source
    and the one it is compared with (as ``widgets.sidebar`` picks them)."""
    from components.data.config import load_config
    from components.data.datasets import default_data_dir, list_cuts

    config = load_config()
    root = default_data_dir(config)  # TRIAL_DATA_DIR if set, else the config's (demo) cuts
    cuts = list_cuts(root)
    return [c.path for c in cuts[-2:][::-1]] if cuts else [Path(root)]


# Imported inside the functions that use them (so that a page or a test pays only for what it uses), and
# slow to import (lifelines ~3 s, statsmodels ~4 s on two cores): the server imports them while it starts.
LAZY_IMPORTS = ("lifelines", "lifelines.statistics", "statsmodels.stats.contingency_tables",
                "statsmodels.stats.inter_rater", "scipy.stats.contingency", "pptx", "pyreadstat", "babel.dates",
                "babel.numbers")


def warm() -> dict[str, float]:
    """Import the app's modules, compile the catalogs and load the default cuts into the pages' cache.
    Returns the seconds each step took (logged at start-up)."""
    took: dict[str, float] = {}
    t0 = time.perf_counter()
    for name in [*component_modules(), *LAZY_IMPORTS]:
        try:
            importlib.import_module(name)
        except Exception:  # a module that cannot be imported here fails on its page, with a finding
            LOG.warning("warm-up: could not import %s", name, exc_info=True)
    took["imports"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    from components.i18n import LANGUAGES, translations

    for lang in LANGUAGES:
        translations(lang)
    took["translations"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    from components.ui.widgets import load_folder_cached

    quiet = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # "missing ScriptRunContext": true, and expected outside a visit
    try:
        for path in default_cut_paths():
            load_folder_cached(path)
    finally:
        quiet.setLevel(level)
    took["data cuts"] = time.perf_counter() - t0
    return took


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """``st.App(..., lifespan=lifespan)``: open the audit trail (its database made and migrated on the first
    start) and warm up (in worker threads) before the server takes requests."""
    from components.ui.audit import current_trail

    try:
        found = await asyncio.to_thread(current_trail)
        LOG.info("audit trail: %s (%s)", found.describe(), found.backend)
    except Exception as exc:  # the pages say so, and refuse downloads, until it can be written
        LOG.error("audit trail unavailable: %s", exc)
    if os.environ.get("TRIAL_WARMUP", "1") != "0":
        try:
            took = await asyncio.to_thread(warm)
            LOG.info("warm-up: %s", ", ".join(f"{k} {v:.1f} s" for k, v in took.items()))
        except Exception:  # never keep the server from starting: the pages report what is wrong
            LOG.warning("warm-up failed; the first visit loads what it needs", exc_info=True)
    yield
