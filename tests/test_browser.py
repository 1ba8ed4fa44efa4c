"""The served app as a person sees it, in Debian's Chromium: every page renders without an error box,
says SYNTHETIC, and is saved as a screenshot (tests/artifacts/)."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest

from components.ui.navigation import PAGES
from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

URL_PATHS = [p.url_path for p in PAGES]
NAV_LINKS = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'


def open_page(browser, url: str, width: int = 1400, height: int = 1600):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=30_000)
    # wait until the script run has finished (the status widget shows "Running" while it runs)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000
    )
    page.wait_for_timeout(800)
    return page


def errors_on(page) -> list[str]:
    sel = '[data-testid="stException"], [data-testid="stAlertContentError"]'
    return [e.inner_text() for e in page.query_selector_all(sel)]


GROWN = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g._fullLayout && g.layout.margin
  && g._fullLayout._size.l > g.layout.margin.l + 0.5).map(g => 'figure "'
  + ((g.layout.title || {}).text || '').replace(/<[^>]*>/g, '') + '": left margin preset ' + g.layout.margin.l
  + ' px, grown to ' + Math.round(g._fullLayout._size.l) + ' px by automargin (drawn twice)')"""


def margins_grown(page) -> list[str]:
    """Figures whose preset left margin (components/figures/margins.py) plotly.js had to widen: each
    such figure is drawn twice, which is what the preset exists to avoid (issue 16)."""
    return page.evaluate(GROWN)


def _wait_for_run(page, text: str) -> None:
    """Until the page's script run has finished and ``text`` is on it."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "t => document.body.innerText.includes(t) && document.querySelector('h1')"
        " && !document.querySelector('[data-testid=\"stStatusWidget\"]')", arg=text, timeout=30_000)
    page.wait_for_timeout(800)


def walk_pages(browser, url: str, prefix: str, text: str, width: int = 1400, height: int = 1600,
               lang: str = "en") -> dict[str, list[str]]:
    """Every page in one browser session, reached by the sidebar links as a person does: the error
    boxes found on each, and any figure drawn twice for its margin; a screenshot of each saved as tests/artifacts/<prefix>_<page>.png. ``lang``:
    the first page is opened with ?lang= (the links keep the session's language)."""
    from components.i18n import _, using

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = {}
    page = open_page(browser, f"{url}/{URL_PATHS[0]}" + (f"?lang={lang}" if lang != "en" else ""), width=width,
                     height=height)
    try:
        for spec in PAGES:
            if spec.url_path != URL_PATHS[0]:
                with using(lang):
                    title = _(spec.title)
                page.locator(NAV_LINKS).filter(has_text=re.compile(f"^{re.escape(title)}$")).click()
                # the path only: a page may add its query parameters (the patient page: ?patient=…)
                page.wait_for_url(lambda u, p=spec.url_path: urlparse(u).path.rstrip("/").endswith("/" + p))
                _wait_for_run(page, text)
            found[spec.url_path] = errors_on(page) + margins_grown(page)
            assert text in page.inner_text("body"), spec.url_path
            page.screenshot(path=str(ARTIFACTS / f"{prefix}_{spec.url_path}.png"))
    finally:
        page.close()
    return found


@pytest.mark.parametrize("width", [1400, 1024])
def test_every_page_renders_in_chromium(served_app, browser, width):
    """Every page, labelled SYNTHETIC, no error box, at 1400 px and in a 1024-px window (a laptop beside
    a projector); screenshots page_<page>_<width>.png."""
    found = walk_pages(browser, served_app, f"page_{width}", "SYNTHETIC", width=width, height=1500)
    assert not any(found.values()), found


def test_every_page_in_chinese(served_app, browser):
    """?lang=zh: every page in Chinese, no error box, the Chinese SYNTHETIC banner; screenshots
    zh_<page>.png (a person reads them: glyphs, not boxes; nothing clipped)."""
    found = walk_pages(browser, served_app, "zh", "合成演示数据", width=1400, height=1500, lang="zh")
    assert not any(found.values()), found


def _metric_value(page, label: str) -> str:
    box = page.locator('[data-testid="stMetric"]', has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def test_filter_persists_across_pages(served_app, browser):
    page = open_page(browser, served_app)
    try:
        before = _metric_value(page, "Enrolled / target")
        site = page.locator('[data-testid="stMultiSelect"]', has_text="Site").first
        site.click()
        page.locator('[role="option"]', has_text="01 ·").first.click()
        page.keyboard.press("Escape")
        page.wait_for_timeout(1500)
        after = _metric_value(page, "Enrolled / target")
        assert after != before
        page.locator(NAV_LINKS, has_text="Enrollment").click()
        page.wait_for_timeout(1500)
        page.locator(NAV_LINKS, has_text="Overview").click()
        page.wait_for_timeout(1500)
        assert _metric_value(page, "Enrolled / target") == after
        page.screenshot(path=str(ARTIFACTS / "filter_persisted.png"))
    finally:
        page.close()


@pytest.mark.parametrize("path", ["response", ""])
def test_deep_link_on_a_fresh_server_renders_like_navigation(browser, path):
    """The first request after a server start goes straight to a page (a shared link): it must get
    app.py's wide layout and navigation, not Streamlit's legacy pages/ rendering (no bare file names in
    the sidebar, no "Page not found" for /overview)."""
    from scripts.serve import start, stop

    proc, url = start()
    try:
        page = open_page(browser, f"{url}/{path}")
        # "/" opens /overview with a second run (st.switch_page): wait for that run's sidebar links
        page.wait_for_function(f"() => document.querySelectorAll({NAV_LINKS!r}).length >= {len(PAGES)}",
                               timeout=30_000)
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
        width = page.evaluate("() => document.querySelector('[data-testid=\"stMainBlockContainer\"]')"
                              ".getBoundingClientRect().width")
        nav = [a.inner_text() for a in page.query_selector_all(NAV_LINKS)]
        assert width > 900, width
        assert nav == [p.title for p in PAGES] and page.title() == "Trial dashboard"
        assert not page.query_selector_all('[data-testid="stSidebarNav"]')  # Streamlit's own (legacy) menu
        body = page.inner_text("body")
        assert "Page not found" not in body
        assert len(page.query_selector_all("h1")) == 1 and errors_on(page) == []
        assert page.url.rstrip("/").endswith(path or "overview")
        page.close()
    finally:
        stop(proc)


def test_design_scenario_link(served_app, browser):
    """A scenario shared as a link opens with its inputs: p1 = 0.40 gives 41 evaluable, 46 enrolled."""
    page = open_page(browser, f"{served_app}/design?design_p1=0.4")
    try:
        assert _metric_value(page, "Evaluable patients") == "41"
        assert _metric_value(page, "Enrolled (with dropout)") == "46"
    finally:
        page.close()


def test_swimmer_renders_one_bar_per_treated_patient(served_app, browser):
    from components.data.datasets import load_cut
    from tests.conftest import DEMO_DIR

    treated = int(load_cut(DEMO_DIR).tables["adsl"]["TRTSDT"].notna().sum())
    page = open_page(browser, f"{served_app}/swimmer", height=1800)
    try:
        page.wait_for_selector(".js-plotly-plot .barlayer .point", timeout=20_000)
        # bars drawn with an area (a legend-only entry, e.g. the "new since" outline, has an empty one)
        n = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .barlayer .point path')]"
                          ".filter(p => { const b = p.getBBox(); return b.width > 0 && b.height > 0; }).length")
        assert n == treated
        page.screenshot(path=str(ARTIFACTS / "swimmer_bars.png"), full_page=True)
        # a filter redraws the figure with the selection's bars (the browser keeps no stale figure)
        adsl = load_cut(DEMO_DIR).tables["adsl"]
        site01 = int((adsl["TRTSDT"].notna() & (adsl["SITEID"].astype(str) == "01")).sum())
        site = page.locator('[data-testid="stMultiSelect"]', has_text="Site").first
        site.click()
        page.locator('[role="option"]', has_text="01 ·").first.click()
        page.keyboard.press("Escape")
        page.wait_for_function(f"() => [...document.querySelectorAll('.js-plotly-plot .barlayer .point path')]"
                               f".filter(p => {{ const b = p.getBBox(); return b.width > 0 && b.height > 0; }})"
                               f".length === {site01}", timeout=20_000)
    finally:
        page.close()
