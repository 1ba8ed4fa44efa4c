"""A PostgreSQL server on loopback for the tests that run against PostgreSQL as well as SQLite.

Debian's ``postgresql`` package (scripts/test installs it when missing) gives ``initdb`` and ``pg_ctl``;
a cluster is made in a temporary folder, listens on 127.0.0.1 at a free port, trusts local
connections (nothing but the test reaches it), and is stopped and removed at the end. As root the
server runs as the ``postgres`` user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def binaries() -> Path | None:
    """The folder of initdb and pg_ctl (the newest Debian cluster version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    which = shutil.which("initdb")
    return Path(which).resolve().parent if which else None


def available() -> bool:
    return binaries() is not None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``with PostgresServer() as pg: pg.url`` — a fresh database ``audit`` on a fresh cluster."""

    def __init__(self, database: str = "audit") -> None:
        self.database = database
        self.bin = binaries()
        if self.bin is None:
            raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="td-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.user = "postgres" if self.as_root else os.environ.get("USER", "postgres")

    def _run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(a) for a in args]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=True)

    def start(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run(self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8")
        self._run(self.bin / "pg_ctl", "-D", self.data, "-l", self.root / "server.log", "-w", "-t", "120",
                  "-o", f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=on", "start", timeout=180)
        deadline = time.time() + 60
        while True:
            try:
                self._run(self.bin / "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d",
                          "postgres", "-c", f"CREATE DATABASE {self.database}")
                return self
            except subprocess.CalledProcessError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{self.database}"

    def stop(self) -> None:
        try:
            self._run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", timeout=60)
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
