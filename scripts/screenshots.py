"""Serve the app and save full-page screenshots of pages in Debian's Chromium, to look at them.

Usage: .venv/bin/python scripts/screenshots.py [--out DIR] [--width 1400] [page-url-path ...]
(e.g. ``response swimmer`` or ``"patient?patient=NCT07333937-01-001"``; default: every page).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from components.ui.navigation import PAGES as NAVIGATION  # noqa: E402

PAGES = [p.url_path for p in NAVIGATION]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def capture(page, url: str, path: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("h1", timeout=30_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    page.wait_for_timeout(1500)
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]') || document.body;"
        " return Math.max(m.scrollHeight, document.body.scrollHeight); }"
    )
    page.set_viewport_size({"width": width, "height": min(int(height) + 40, 12000)})
    page.wait_for_timeout(1200)
    page.screenshot(path=str(path), full_page=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("pages", nargs="*", default=PAGES)
    ap.add_argument("--out", type=Path, default=ROOT / "tests" / "artifacts" / "screens")
    ap.add_argument("--width", type=int, default=1400)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from scripts.serve import start, stop

    proc, url = start()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            for path in args.pages:
                name = (path.split("?")[0] or "overview").replace("/", "_")
                out = args.out / f"{name}.png"
                capture(page, f"{url}/{path}", out, args.width)
                print(out)
            browser.close()
    finally:
        stop(proc)


if __name__ == "__main__":
    main()
