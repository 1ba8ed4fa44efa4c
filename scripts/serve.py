"""Start the app with ``streamlit run`` on a free local port and wait until it answers: the one way the
browser tests, the screenshot script and the cold-start benchmark serve it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int | None = None, env: dict | None = None, poll: float = 0.05,
          timeout: float = 120.0, args: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    """(process, base URL) once the server's health check answers "ok"; RuntimeError after ``timeout``.
    ``args``: more ``streamlit run`` options (e.g. ``--secrets.files``)."""
    port = port or free_port()
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "streamlit"), "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false", *args],
        cwd=ROOT, env=env if env is not None else os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            time.sleep(poll)
    stop(proc)
    raise RuntimeError("streamlit did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
