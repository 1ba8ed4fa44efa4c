"""Serve the app and save full-page screenshots of pages in Debian's Chromium, to look at them.

Usage: .venv/bin/python scripts/screenshots.py [--out DIR] [--width 1400] [page-url-path ...]
(e.g. ``response swimmer`` or ``"patient?patient=NCT07333937-01-001"``; default: every page).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["", "enrollment", "changes", "response", "swimmer", "patient", "survival", "biomarkers", "safety", "design"]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage"]


def serve(port: int, env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env or os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("streamlit did not start")


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
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = serve(port)
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page()
            for path in args.pages:
                name = (path.split("?")[0] or "overview").replace("/", "_")
                out = args.out / f"{name}.png"
                capture(page, f"http://127.0.0.1:{port}/{path}", out, args.width)
                print(out)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
