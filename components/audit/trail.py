"""The audit trail: who signed in, viewed, exported and changed what — appended to a real database.

One table, ``audit_events``, written only by :meth:`AuditTrail.record` (an INSERT; the app has no
UPDATE or DELETE), and guarded in the database itself: the migration adds triggers that refuse any
UPDATE or DELETE of a row (and, on PostgreSQL, a TRUNCATE; on SQLite an INSERT OR REPLACE, which deletes
first). The app's connection owns the table, so it could still drop a trigger: on PostgreSQL run the app
as a role that may only INSERT and SELECT (README, "The audit trail"). The schema is made and migrated by Alembic (``migrations/``), on
first use: a fresh SQLite file is created beside the app, a PostgreSQL database given by its URL.

Where the database is, in this order (the URL may hold a password, so it is a secret, never the
study config):

1. the environment variable ``TRIAL_AUDIT_URL`` (a deployment, the tests);
2. ``[audit] url`` in ``.streamlit/secrets.toml`` (``postgresql+psycopg://user:pw@host:5432/db``);
3. ``sqlite:///<project>/audit.sqlite3``: one file beside ``app.py``.

What a row holds: when (UTC), the action, who (an OIDC address, a configured user name or "shared
password"), the role, the client address, a sign-in's id (a hash, never the cookie), the page, the cut
(its name, source and each file's SHA-256), what was exported or set, and details as JSON. Never a
password, never patient data: :func:`clean_detail` drops keys that look like credentials, and the
callers pass no subject identifiers.

Durability: SQLite runs in WAL mode with ``synchronous=FULL``, every row is its own transaction, so a
server killed mid-write leaves either the whole row or none (tests/test_audit.py kills a writer with
SIGKILL and checks). PostgreSQL gives the same by its own transactions.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

#: What a row can record (the data manager's page filters by these).
ACTIONS: tuple[str, ...] = (
    "sign_in",  # a sign-in succeeded
    "sign_in_failed",  # a wrong password (the name tried is kept only when it is a configured user)
    "sign_out",
    "view",  # a page opened on a cut (a new page, cut, comparison cut or role)
    "export",  # a deck, a report, a CSV, an image downloaded
    "setting",  # a data source, cut, comparison cut, filter, theme, language or option changed
    "role",  # the session's role changed (the access settings were edited while it was open)
)
ENV_URL = "TRIAL_AUDIT_URL"
DEFAULT_FILE = "audit.sqlite3"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_SECRET_WORDS = ("password", "passwd", "secret", "token", "cookie", "hash", "credential")
_LIMITS = {"action": 32, "actor": 320, "role": 64, "client": 64, "session": 64, "page": 64, "cut": 200,
           "target": 300}

METADATA = sa.MetaData()
#: The table as the app reads and writes it; the migrations in ``migrations/versions`` make it.
EVENTS = sa.Table(
    "audit_events", METADATA,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.String(32), nullable=False),  # ISO 8601, UTC, microseconds: sorts as text on every backend
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),
    sa.Column("role", sa.String(64), nullable=False, server_default=""),
    sa.Column("client", sa.String(64), nullable=False, server_default=""),
    sa.Column("session", sa.String(64), nullable=False, server_default=""),
    sa.Column("page", sa.String(64), nullable=False, server_default=""),
    sa.Column("cut", sa.String(200), nullable=False, server_default=""),
    sa.Column("target", sa.String(300), nullable=False, server_default=""),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)
COLUMNS: tuple[str, ...] = tuple(c.name for c in EVENTS.columns)


class AuditUnavailable(RuntimeError):
    """The trail cannot be written (the database is unreachable, full, read-only …)."""


@dataclass(frozen=True)
class Event:
    """One thing that happened, before it has a time and an id."""

    action: str
    actor: str
    role: str = ""
    client: str = ""
    session: str = ""
    page: str = ""
    cut: str = ""
    target: str = ""
    detail: Mapping[str, object] = field(default_factory=dict)


def clean_detail(detail: Mapping[str, object]) -> dict[str, object]:
    """The details without anything that looks like a credential (a key naming a password, secret,
    token, cookie or hash), recursively; values that JSON cannot hold become text."""
    out: dict[str, object] = {}
    for key, value in detail.items():
        k = str(key)
        if any(w in k.lower() for w in _SECRET_WORDS):
            continue
        out[k] = clean_detail(value) if isinstance(value, Mapping) else value
    return json.loads(json.dumps(out, default=str, ensure_ascii=False))


def _fit(name: str, value: object) -> str:
    text = "" if value is None else str(value)
    limit = _LIMITS[name]
    return text if len(text) <= limit else text[: limit - 1] + "…"


def database_url(secrets_map: Mapping | None = None, root: Path | None = None) -> str:
    """Where the trail is kept (module docstring, in that order)."""
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return env
    audit = dict((secrets_map or {}).get("audit", {}) or {})
    if str(audit.get("url", "")).strip():
        return str(audit["url"]).strip()
    from components.data.config import PROJECT_ROOT

    return f"sqlite:///{(root or PROJECT_ROOT) / DEFAULT_FILE}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # the driver's own transaction handling left DDL outside the transaction (a server killed inside the
    # first migration left a table without its version stamp, and every later start failed): SQLAlchemy's
    # documented recipe for pysqlite — the driver begins nothing, SQLAlchemy emits BEGIN (_sqlite_begin)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer; a crash leaves whole rows
    cursor.execute("PRAGMA synchronous=FULL")  # each committed row is on disk before record() returns
    cursor.execute("PRAGMA busy_timeout=30000")  # several server threads (or processes) take turns
    cursor.execute("PRAGMA recursive_triggers=ON")  # INSERT OR REPLACE fires the DELETE trigger: refused
    cursor.close()


def _sqlite_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> sa.Engine:
    """An engine for the trail's URL; SQLite gets its pragmas and a folder made for its file."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    # a database that does not answer fails in seconds (the pages say so) rather than holding them up
    args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
    return sa.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4, pool_timeout=10, connect_args=args)


def migrate(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (Alembic ``upgrade head``); safe to run on every start.
    On PostgreSQL an advisory lock keeps two servers starting at once from migrating together."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4207733937)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def schema_version(engine: sa.Engine) -> str | None:
    """The Alembic revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


class AuditTrail:
    """The trail in one database: :meth:`record` appends, :meth:`read` filters. Thread-safe (SQLAlchemy's
    pool; SQLite serialises writers with its own lock and a 30 s busy timeout)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        migrate(self.engine)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def describe(self) -> str:
        """Where the trail is, without a password (for the page and the README)."""
        return sa.make_url(self.url).render_as_string(hide_password=True)

    def record(self, event: Event, at: dt.datetime | None = None) -> int:
        """Append one row (its own transaction); returns its id. Raises :class:`AuditUnavailable` when the
        database cannot take it: the caller must not go on as if it were recorded."""
        if event.action not in ACTIONS:
            raise ValueError(f"unknown audit action {event.action!r}")
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
        row = {name: _fit(name, getattr(event, name)) for name in _LIMITS}
        row["at"] = when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        row["detail"] = json.dumps(clean_detail(event.detail), ensure_ascii=False, sort_keys=True)
        try:
            with self.engine.begin() as conn:
                return int(conn.execute(EVENTS.insert().values(**row)).inserted_primary_key[0])
        except sa.exc.SQLAlchemyError as exc:
            raise AuditUnavailable(type(exc).__name__) from exc

    def read(self, actors: Iterable[str] = (), actions: Iterable[str] = (), since: dt.date | None = None,
             until: dt.date | None = None, limit: int | None = None) -> pd.DataFrame:
        """Rows, newest first, filtered by who, what and the dates (inclusive, UTC days)."""
        q = sa.select(EVENTS).order_by(EVENTS.c.id.desc())
        actors, actions = list(actors), list(actions)
        if actors:
            q = q.where(EVENTS.c.actor.in_(actors))
        if actions:
            q = q.where(EVENTS.c.action.in_(actions))
        if since is not None:
            q = q.where(EVENTS.c.at >= f"{since:%Y-%m-%d}")
        if until is not None:
            q = q.where(EVENTS.c.at < f"{until + dt.timedelta(days=1):%Y-%m-%d}")
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).mappings().all()
        return pd.DataFrame([dict(r) for r in rows], columns=list(COLUMNS))

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(EVENTS)).scalar_one())

    def actors(self) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(r[0] for r in conn.execute(sa.select(EVENTS.c.actor).distinct()))

    def dispose(self) -> None:
        self.engine.dispose()


def to_csv(rows: pd.DataFrame) -> bytes:
    """The rows as CSV (UTF-8 with a byte-order mark, so a spreadsheet reads Chinese), with cells that a
    spreadsheet would run as a formula neutralised."""
    from components.figures.export import safe_csv

    return safe_csv(rows)


_TRAILS: dict[str, AuditTrail] = {}
_FAILED: dict[str, tuple[float, str]] = {}  # url → (when, why) of the last failure to open it
_LOCK = threading.Lock()  # the dicts
_OPENING: dict[str, threading.Lock] = {}  # one opening at a time per URL (without holding up other URLs)
RETRY_SECONDS = 30.0


def trail(url: str) -> AuditTrail:
    """The process's trail at ``url`` (:func:`database_url`), made and migrated once. Raises
    :class:`AuditUnavailable` when the database cannot be opened or migrated; after a failure the next
    RETRY_SECONDS answer at once with the same reason (each page view does not wait for a connect)."""
    import time

    with _LOCK:
        found = _TRAILS.get(url)
        opening = _OPENING.setdefault(url, threading.Lock())
    if found is not None:
        return found
    with opening:
        with _LOCK:
            found, failed = _TRAILS.get(url), _FAILED.get(url)
        if found is not None:
            return found
        if failed is not None and time.monotonic() - failed[0] < RETRY_SECONDS:
            raise AuditUnavailable(failed[1])
        try:
            found = AuditTrail(url)
        except Exception as exc:  # noqa: BLE001 - any driver, any failure: said as unavailable
            why = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            with _LOCK:
                _FAILED[url] = (time.monotonic(), why)
            raise AuditUnavailable(why) from exc
        with _LOCK:
            _TRAILS[url] = found
            _FAILED.pop(url, None)
        return found


def details_text(detail: str) -> str:
    """A row's JSON details as one readable line ("cut: 2026-11-01 · filters: SITEID=01 · for: BLINDED");
    file hashes shortened to 12 characters."""
    try:
        data = json.loads(detail or "{}")
    except ValueError:
        return str(detail)

    def text(value: object) -> str:
        if isinstance(value, Mapping):
            return ", ".join(f"{k}={text(v)}" for k, v in value.items())
        if isinstance(value, list):
            return "/".join(text(v) for v in value)
        value = str(value)
        return value[:12] if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else value

    return " · ".join(f"{k}: {text(v)}" for k, v in data.items() if v not in ("", None, {}, []))
