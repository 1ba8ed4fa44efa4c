"""Benchmarks of what users wait for, on synthetic trials of 35, 500 and 5,000 patients.

Run:  .venv/bin/python bench/run.py            (writes bench/results.md and bench/results.csv)
      .venv/bin/python bench/run.py --sizes 35 --repeat 3     (quicker)

Measured (median of --repeat runs after a warm-up, in milliseconds):
- every page's script run with Streamlit's AppTest: on first load (a new session opening the page,
  the data cut already cached by the server) and on a filter change to a selection not seen before;
- the loader for each file format (CSV, Parquet, SAS XPORT), uncached;
- the Kaplan–Meier estimate and its figure; the Simon two-stage search up to n = 100;
- app start-up to the first page served (`streamlit run`, then HTTP requests);
- the page weight: bytes of figure JSON each page sends.
This is a benchmark, not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components.ui.navigation import PAGES as NAVIGATION  # noqa: E402

PAGES = [p.slug for p in NAVIGATION]
SECTION_KEYS = {"safety": "safety_section", "biomarkers": "biomarker_section", "response": "response_section",
                "enrollment": "enrollment_section"}  # pages of lazy tabs
TARGETS = {"unchanged page re-run ÷ floor": "≤ 3×", "filter change, 5,000 patients": "< 1,000 ms",
           "browser page switch (demo)": "< 500 ms", "browser first visit, cold server": "< 3,000 ms",
           "Simon search (n ≤ 100)": "< 500 ms"}


def median_ms(fn, repeat: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t0))
    return statistics.median(times)


def make_trials(sizes: list[int], work: Path) -> dict[int, dict[str, Path]]:
    """For each size: a cuts directory with two cuts (CSV), and single cuts as Parquet and XPORT."""
    from tests.conftest import load_generator

    gen = load_generator()
    out: dict[int, dict[str, Path]] = {}
    for n in sizes:
        base = work / f"n{n}"
        gen.make_demo(base / "csv", patients=n, seed=7, cuts=("2026-08-01", "2026-11-01"), fmt="csv")
        gen.make_demo(base / "parquet", patients=n, seed=7, cuts=("2026-11-01",), fmt="parquet")
        gen.make_demo(base / "xpt", patients=n, seed=7, cuts=("2026-11-01",), fmt="xpt")
        out[n] = {"cuts": base / "csv", "csv": base / "csv" / "2026-11-01", "parquet": base / "parquet" / "2026-11-01",
                  "xpt": base / "xpt" / "2026-11-01"}
    return out


def selections(options: list[str], k: int) -> list[list[str]]:
    """k different site selections, each leaving out one or two sites (so most patients stay in view):
    every filter change in the benchmark asks for a view the server has not computed before."""
    from itertools import combinations

    pool = [[o for o in options if o not in out] for r in (1, 2) for out in combinations(options, r)]
    return (pool * (k // len(pool) + 1))[:k]


def bench_sections(at, key: str, repeat: int) -> tuple[dict[str, float], dict[str, int]]:
    """A page of lazy sections (tabs that run only when open): the re-run that opens each other
    section, and that section's figure JSON. Between runs the first section is reopened (not timed)."""
    labels = [t.label for t in at.tabs if t.label]
    times, weight = {}, {}
    for label in labels[1:]:
        runs = []
        for _ in range(repeat + 1):
            at.session_state[key] = labels[0]
            at.run()
            at.session_state[key] = label
            t0 = time.perf_counter()
            at.run()
            runs.append(1000 * (time.perf_counter() - t0))
            assert not at.exception, (label, at.exception)
        times[label] = statistics.median(runs[1:])
        weight[label] = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
    at.session_state[key] = labels[0]
    return times, weight


def floor_ms(at, repeat: int, work: Path) -> float:
    """The re-run of a page that shows the same figures, tables, metrics and text as ``at`` from a cache
    and computes nothing (bench/floor_page.py): what an unchanged re-run of a page cannot go below."""
    import pickle

    from streamlit.testing.v1 import AppTest

    specs = [el.proto.spec for el in at.get("plotly_chart")]
    frames = [el.value for el in at.dataframe]
    metrics = [(el.label, el.value) for el in at.main.metric]
    texts = [el.value for el in [*at.main.markdown, *at.main.caption]]  # the floor page has its own sidebar
    # a new file per page: the floor page caches its elements by file name (with one name, every page was
    # compared with the first page's floor, the Overview's, which has no figure)
    fd, name = tempfile.mkstemp(suffix=".pkl", dir=work)
    os.close(fd)
    path = Path(name)
    path.write_bytes(pickle.dumps((specs, frames, metrics, texts)))
    os.environ["TRIAL_BENCH_FLOOR"] = str(path)
    floor = AppTest.from_file(str(ROOT / "bench" / "floor_page.py"), default_timeout=300).run()
    return median_ms(floor.run, repeat)


def bench_pages(data_dir: Path, repeat: int) -> tuple[dict[str, float], dict[str, float], dict[str, int]]:
    """Per page (and per lazy section of a page, as "page: section"): first load, filter change, JSON;
    and the unchanged re-run against its floor (bench_pages.rerun, bench_pages.floor)."""
    from streamlit.testing.v1 import AppTest

    os.environ["TRIAL_DATA_DIR"] = str(data_dir)
    first, change, weight = {}, {}, {}
    bench_pages.rerun, bench_pages.floor = {}, {}
    work = Path(tempfile.mkdtemp(prefix="trial-floor-"))
    warm = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()  # loads and caches the cut
    for page in PAGES:
        path = f"pages/{page}.py"

        def open_page(page_path: str = path) -> AppTest:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300).run()
            t0 = time.perf_counter()
            at.switch_page(page_path).run()
            open_page.elapsed = 1000 * (time.perf_counter() - t0)
            assert not at.exception, (page_path, at.exception)
            return at

        open_page()  # warm-up (derivations cached)
        runs = []
        at = None
        for _ in range(repeat):
            at = open_page()
            runs.append(open_page.elapsed)
        first[page] = statistics.median(runs)
        weight[page] = sum(len(el.proto.spec) for el in at.get("plotly_chart"))
        bench_pages.rerun[page] = median_ms(at.run, repeat)  # nothing changed: every analysis cached
        bench_pages.floor[page] = floor_ms(at, repeat, work)
        if page in SECTION_KEYS:
            opened, section_weight = bench_sections(at, SECTION_KEYS[page], repeat)
            for label, ms in opened.items():
                first[f"{page} [{label}]"] = ms
                weight[f"{page} [{label}]"] = section_weight[label]
        times = []
        for i, sites in enumerate(selections(warm.multiselect(key="flt_SITEID").options, repeat + 1)):
            t0 = time.perf_counter()
            at.multiselect(key="flt_SITEID").set_value(sites).run()
            dt = 1000 * (time.perf_counter() - t0)
            assert not at.exception, (page, at.exception)
            if i:
                times.append(dt)
        change[page] = statistics.median(times)
    os.environ.pop("TRIAL_DATA_DIR", None)
    shutil.rmtree(work, ignore_errors=True)
    return first, change, weight


# In the page, after a click on a sidebar link: the switch is over when the new page's title is shown,
# its script run has ended (Streamlit's stApp data-test-script-state), no element of the previous page
# is left (data-stale) and every plotly figure is drawn; the time is that of the last change to the page,
# read once nothing has changed for QUIET ms (polled every animation frame).
QUIET = 150
SETTLED = """([path, quiet]) => { const app = document.querySelector('[data-testid="stApp"]');
 const h = document.querySelector('h1'); const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
 const drawn = charts.filter(c => c.querySelector('.main-svg')).length;
 const stale = document.querySelectorAll('[data-stale="true"]').length;
 const ok = location.pathname.endsWith('/' + path) && !!h && h.textContent !== window.__h1 && !!app
   && app.getAttribute('data-test-script-state') === 'notRunning' && drawn === charts.length && stale === 0;
 const sig = [ok, document.querySelectorAll('[data-testid="stElementContainer"]').length, drawn, stale].join();
 const now = performance.now();
 if (sig !== window.__sig) { window.__sig = sig; window.__changed = now; }
 if (ok && now - window.__changed > quiet) { window.__settled = window.__changed; return true; }
 return false; }"""
# the first visit, in the page: from the navigation's start to the frame that shows the first number
FIRST_NUMBER = """(() => { const f = () => {
  if (document.querySelector('[data-testid="stMetricValue"]')) window.__firstNumber = performance.now();
  else requestAnimationFrame(f); }; requestAnimationFrame(f); })()"""
CLICK_CLOCK = """document.addEventListener('click', () => { window.__clicked = performance.now(); window.__sig = '';
 window.__h1 = (document.querySelector('h1') || {}).textContent; }, true)"""


def bench_browser(repeat: int) -> tuple[float, float]:
    """In Debian's Chromium on the demo: (first visit to a cold server until the page's numbers show
    (Playwright's wall time; the page's own clock in ``bench_browser.cold_in_page``),
    the median over the pages of each page's median switch, from the Overview to every other page and
    back, pages visited before). A switch
    is timed in the page, from the click on the sidebar link to the last change of the drawn page
    (SETTLED), which leaves out Playwright's own polling. The median switch to each page is kept in
    ``bench_browser.to``, Playwright's wall time of all switches in ``bench_browser.wall``."""
    from playwright.sync_api import sync_playwright

    from scripts.serve import start, stop
    from tests.conftest import CHROMIUM_ARGS

    colds, colds_in_page, walls = [], [], []
    per_page: dict[str, list[float]] = {}
    links = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'
    home = NAVIGATION[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                    args=CHROMIUM_ARGS)
        for _ in range(max(1, repeat // 2)):
            proc, url = start()
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.add_init_script(FIRST_NUMBER)
                t0 = time.perf_counter()
                page.goto(f"{url}/{home.url_path}")
                page.wait_for_selector('[data-testid="stMetricValue"]', timeout=60_000)
                colds.append(1000 * (time.perf_counter() - t0))
                colds_in_page.append(page.evaluate("window.__firstNumber"))
                page.evaluate(CLICK_CLOCK)

                def switch(spec, timed: bool, page=page) -> None:
                    t0 = time.perf_counter()
                    page.locator(links, has_text=spec.title).first.click()
                    page.wait_for_function(SETTLED, arg=[spec.url_path, QUIET], timeout=60_000, polling="raf")
                    if timed:
                        walls.append(1000 * (time.perf_counter() - t0) - QUIET)
                        per_page.setdefault(spec.title, []).append(
                            page.evaluate("window.__settled - window.__clicked"))

                for visit in range(3):  # the first visit of each page computes; the next two are timed
                    for spec in NAVIGATION[1:]:
                        switch(spec, timed=visit > 0)  # from the home page …
                        switch(home, timed=visit > 0)  # … and back
                page.close()
            finally:
                stop(proc)
        browser.close()
    bench_browser.to = {k: statistics.median(v) for k, v in per_page.items()}
    bench_browser.wall = statistics.median(walls)
    bench_browser.cold_in_page = statistics.median(colds_in_page)
    # the median page, not the median switch: every other switch goes to the home page, the quickest
    return statistics.median(colds), statistics.median(bench_browser.to.values())


def bench_loader(paths: dict[str, Path], repeat: int) -> dict[str, float]:
    from components.data.datasets import load_cut

    return {fmt: median_ms(lambda p=paths[fmt]: load_cut(p), repeat) for fmt in ("csv", "parquet", "xpt")}


def bench_km(cut_dir: Path, repeat: int) -> tuple[float, float]:
    from components.data.config import load_config
    from components.data.datasets import load_cut
    from components.figures.km_plot import km_curves, km_figure, stats_lines
    from components.stats.survival import kaplan_meier, tte_from_adtte

    cfg = load_config()
    pfs = tte_from_adtte(load_cut(cut_dir).tables["adtte"], "PFS")
    est = median_ms(lambda: kaplan_meier(pfs["AVAL"], pfs["EVENT"]), repeat)

    def figure():
        curves = km_curves(pfs, None, "log-log")
        return km_figure(curves, None, "PFS", stats_lines=stats_lines(curves, cfg.survival.days_per_month)).to_json()

    return est, median_ms(figure, repeat)


def bench_simon(repeat: int) -> float:
    from components.stats.design import simon_candidates, simon_two_stage

    def search():
        c = simon_candidates(0.21, 0.43, 0.025, 0.80, 100)
        simon_two_stage(0.21, 0.43, 0.025, 0.80, "optimal", candidates=c)
        simon_two_stage(0.21, 0.43, 0.025, 0.80, "minimax", candidates=c)

    return median_ms(search, repeat)


def bench_cold_start(repeat: int) -> float:
    """`streamlit run` until the health check answers and the page (HTML) is served: with the server's
    warm-up (components/ui/warmup.py), which the health check waits for."""
    from scripts.serve import start, stop

    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        proc, url = start()
        try:
            with urllib.request.urlopen(f"{url}/", timeout=10) as r:
                assert r.status == 200
            times.append(1000 * (time.perf_counter() - t0))
        finally:
            stop(proc)
    return statistics.median(times)


def _rss_mb(pid: int) -> float:
    """Resident memory of a process (Linux /proc), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


LOAD_PAGES = ("Overview", "Response", "Survival", "Safety and exposure", "Enrollment")


def bench_load(sessions: list[int], switches: int = 6, rounds: int = 2) -> list[tuple[int, float, float, float]]:
    """Concurrent sessions on one served app (loopback only, bounded: ``switches`` page switches per
    session and round): for each count, (sessions, p50 ms, p95 ms, server memory growth MB from the
    first to the last round). Each session is a Chromium tab clicking through the sidebar links."""
    import asyncio

    from playwright.async_api import async_playwright

    from scripts.serve import start, stop
    from tests.conftest import CHROMIUM_ARGS

    links = '[data-testid="stSidebar"] [data-testid="stPageLink"] a'
    idle = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"

    async def session(page, times: list[float], offset: int) -> None:
        for i in range(switches):
            target = LOAD_PAGES[(offset + i + 1) % len(LOAD_PAGES)]
            t0 = time.perf_counter()
            # ten Chromium tabs drawing on two cores can take longer than Playwright's default 30 s
            await page.locator(links, has_text=target).first.click(no_wait_after=True, timeout=120_000)
            await page.wait_for_selector(f"h1:has-text('{target.split()[0]}')", timeout=120_000)
            await page.wait_for_function(idle, timeout=120_000)
            times.append(1000 * (time.perf_counter() - t0))

    async def run(n: int, url: str, pid: int) -> tuple[float, float, float]:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium",
                                              args=CHROMIUM_ARGS)
            pages = [await browser.new_page(viewport={"width": 1280, "height": 900}) for _ in range(n)]
            for pg in pages:
                await pg.goto(f"{url}/overview")
                await pg.wait_for_selector('[data-testid="stMetricValue"]', timeout=120_000)
            times: list[float] = []
            memory = []
            for _ in range(rounds):
                await asyncio.gather(*(session(pg, times, i) for i, pg in enumerate(pages)))
                memory.append(_rss_mb(pid))
            await browser.close()
        times.sort()
        return times[len(times) // 2], times[min(len(times) - 1, int(0.95 * len(times)))], memory[-1] - memory[0]

    out = []
    for n in sessions:
        proc, url = start()
        try:
            p50, p95, growth = asyncio.run(run(n, url, proc.pid))
            out.append((n, p50, p95, growth))
        finally:
            stop(proc)
    return out


def machine() -> str:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}"


def main() -> None:
    ap = argparse.ArgumentParser(description="Benchmarks (median milliseconds)")
    ap.add_argument("--sizes", type=int, nargs="+", default=[35, 500, 5000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=ROOT / "bench")
    ap.add_argument("--load-only", action="store_true", help="only the concurrent-session load test")
    ap.add_argument("--browser-only", action="store_true",
                    help="only the browser: cold first visit and page switches (printed, no file written)")
    args = ap.parse_args()
    if args.browser_only:
        cold, switch = bench_browser(args.repeat)
        print(f"first visit, cold server: {cold:,.0f} ms (in the page: {bench_browser.cold_in_page:,.0f} ms)")
        print(f"page switch, median page: {switch:,.0f} ms")
        for target, ms in bench_browser.to.items():
            print(f"  to {target}: {ms:,.0f} ms")
        return
    if args.load_only:
        for n, p50, p95, growth in bench_load([1, 5, 10]):
            print(f"{n:>3} sessions: page switch p50 {p50:,.0f} ms, p95 {p95:,.0f} ms, server memory growth "
                  f"{growth:+.1f} MB")
        return
    work = Path(tempfile.mkdtemp(prefix="trial-bench-"))
    rows: list[dict] = []

    def add(operation: str, size: int | str, value: float, unit: str = "ms") -> None:
        rows.append({"operation": operation, "size": size, "value": round(value, 1), "unit": unit})
        print(f"{operation:<45} {size!s:>6} {value:>10.1f} {unit}", flush=True)

    try:
        trials = make_trials(args.sizes, work)
        for n, paths in trials.items():
            first, change, weight = bench_pages(paths["cuts"], args.repeat)
            for page in PAGES:
                add(f"page {page}: first load", n, first[page])
                add(f"page {page}: filter change", n, change[page])
                add(f"page {page}: re-run, nothing changed", n, bench_pages.rerun[page])
                add(f"page {page}: floor (same elements from a cache)", n, bench_pages.floor[page])
                add(f"page {page}: re-run ÷ floor", n, bench_pages.rerun[page] / max(bench_pages.floor[page], 1e-9),
                    "×")
                add(f"page {page}: figure JSON", n, weight[page] / 1024, "KiB")
                for section in [k for k in first if k.startswith(f"{page} [")]:
                    add(f"page {section}: open the tab", n, first[section])
                    add(f"page {section}: figure JSON", n, weight[section] / 1024, "KiB")
            for fmt, ms in bench_loader(paths, args.repeat).items():
                add(f"load cut ({fmt})", n, ms)
            est, fig = bench_km(paths["csv"], args.repeat)
            add("Kaplan–Meier estimate (PFS)", n, est)
            add("Kaplan–Meier figure (PFS)", n, fig)
        add("Simon search, optimal + minimax (n ≤ 100)", "—", bench_simon(args.repeat))
        add("server start (with its warm-up) to first page served", "—", bench_cold_start(max(2, args.repeat // 2)))
        cold, switch = bench_browser(args.repeat)
        add("browser: first visit to a cold server (demo), Playwright's wall time", "—", cold)
        add("browser: first visit to a cold server (demo), in the page: first number drawn", "—",
            bench_browser.cold_in_page)
        add("browser: page switch, median page (demo, visited before; click to drawn)", "—", switch)
        add("browser: page switch, median of Playwright's wall times (incl. its polling)", "—", bench_browser.wall)
        for target, ms in bench_browser.to.items():
            add(f"browser: page switch to {target} (demo)", "—", ms)
        for n, p50, p95, growth in bench_load([1, 5, 10]):
            add(f"load: {n} sessions, page switch p50", "—", p50)
            add(f"load: {n} sessions, page switch p95", "—", p95)
            add(f"load: {n} sessions, server memory growth (2nd round)", "—", growth, "MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    write(rows, args.out)


def write(rows: list[dict], out: Path) -> None:
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(rows)
    df.to_csv(out / "results.csv", index=False)
    table = df.assign(size=df["size"].astype(str)).pivot_table(index="operation", columns="size", values="value",
                                                               aggfunc="first", sort=False)
    units = df.drop_duplicates("operation").set_index("operation")["unit"]
    lines = [f"Benchmark results — {time.strftime('%Y-%m-%d')} — {machine()}", "",
             "Median of repeated runs after a warm-up; milliseconds unless the operation says KiB.", "",
             "| operation | " + " | ".join(f"{c} patients" if c != "—" else "—" for c in table.columns) + " |",
             "|---|" + "---:|" * len(table.columns)]
    for op, r in table.iterrows():
        cells = ["" if pd.isna(v) else f"{v:,.1f}" for v in r]
        lines.append(f"| {op} ({units[op]}) | " + " | ".join(cells) + " |")
    lines += ["", "Targets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()) + "."]
    (out / "results.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"\nwrote {out / 'results.md'} and {out / 'results.csv'}")
    print(json.dumps({"machine": machine()}))


if __name__ == "__main__":
    main()
