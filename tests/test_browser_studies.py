"""The app in Chromium on other studies' data: the CDISC-style cut of another study (generic mode) and
the randomized phase III demo. A file of its own so that pytest-xdist runs it beside
tests/test_browser.py on the other worker (one file per worker): the browser walks are CI's longest part."""

from __future__ import annotations

from contextlib import contextmanager

from tests.test_browser import walk_pages


@contextmanager
def _served(data: str, config: str | None = None):
    """The app served on another data folder (and study config) for the duration of a test."""
    import os

    from scripts.serve import start, stop
    from tests.conftest import ROOT

    env = {**os.environ, "TRIAL_DATA_DIR": str(ROOT / data if "/" in data else ROOT / "data" / data)}
    env.pop("TRIAL_STUDY_CONFIG", None)
    if config:
        env["TRIAL_STUDY_CONFIG"] = str(ROOT / "data" / config)
    proc, url = start(env=env)
    try:
        yield url
    finally:
        stop(proc)


def test_a_cdisc_style_cut_of_another_study_shows_no_error_on_any_page(browser):
    """Issue 17: every page of the generic mode, the CDISC-style cut with this study's config
    (screenshots cdisc_<page>.png)."""
    with _served("demo-cdisc") as url:
        found = walk_pages(browser, url, "cdisc", "generic mode", height=2400)
    assert not any(found.values()), found


def test_the_phase3_demo_walks_without_error(browser):
    """Issue 19: every page of the randomized demo with its own config (screenshots phase3_<page>.png)."""
    with _served("demo-phase3", "phase3_demo.toml") as url:
        found = walk_pages(browser, url, "phase3", "SYNTHETIC", height=2000)
    assert not any(found.values()), found


def test_public_adam_cuts_of_three_producers_walk_without_error(browser):
    """Issue 34: every page of the CDISC pilot, pharmaverseadam and teal's sample cut in Chromium, as a
    user opens them (generic mode; screenshots public_<producer>_<page>.png). teal's ADRS really has
    two overall responses on one date for 3 patients: that finding is the one error box allowed."""
    found = {}
    for name in ("cdiscpilot", "pharmaverseadam", "tealsample"):
        with _served(f"tests/data/public/{name}") as url:
            pages = walk_pages(browser, url, f"public_{name}", "generic mode", height=2000)
        for page, problems in pages.items():
            real = [p for p in problems if not (name == "tealsample" and ("more than one row per subject" in p
                                                                          or "data error" in p))]
            if real:
                found[f"{name}/{page}"] = real
    assert not found, found
