"""The audit trail (issue 35, item 4): the same tests on embedded SQLite and on PostgreSQL started on
loopback (tests/pg_server.py; CI has it, scripts/test installs Debian's postgresql).

- the store: schema by migration, append and read back, filters, append-only in the database, no
  credentials in it, many writers at once, a writer killed with SIGKILL mid-write;
- the gate: sign-ins (per-user passwords) and failed ones, without the password ever stored;
- the app: the data manager's page, and who may open it;
- the served app: two people signed in at once, one exporting a CSV and a deck, each row read back;
  the websockets of a blinded site investigator and steering committee member carrying no arm (and the
  investigator's no other site's patient), and each deck stamped for its audience.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.parse

import pytest
import sqlalchemy as sa

from components.audit.trail import AuditTrail, AuditUnavailable, Event, clean_detail, schema_version, trail
from tests import pg_server
from tests.conftest import ROOT

BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(scope="module")
def postgres():
    """One PostgreSQL server for the module's tests; CI must have it (it runs both backends)."""
    if not pg_server.available():
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: CI runs the audit tests on both backends")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    with pg_server.PostgresServer(database="postgres_tests") as server:
        yield server


_DATABASES = iter(range(10_000))


@pytest.fixture(params=BACKENDS)
def url(request, tmp_path) -> str:
    """A fresh, empty database of each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/audit.sqlite3"
    server = request.getfixturevalue("postgres")
    name = f"t{next(_DATABASES)}_{os.getpid()}"
    engine = sa.create_engine(server.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    engine.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"


# --------------------------------------------------------------------------- the store


def test_the_schema_is_made_by_migration_and_rows_read_back(url):
    t = AuditTrail(url)
    assert schema_version(t.engine) == "0001"
    AuditTrail(url).dispose()  # migrating again (every server start) changes nothing
    first = t.record(Event("sign_in", "li_wei", role="idmc", client="10.0.0.7", session="abc"),
                     at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC))
    second = t.record(Event("export", "chen_jing", role="site:01", page="response", cut="2027-12-01",
                            target="response.csv", detail={"for": "BLINDED", "filters": "SITEID: 01", "中文": "是"}),
                      at=dt.datetime(2026, 12, 3, 23, 59, tzinfo=dt.UTC))
    rows = t.read()
    assert list(rows["id"]) == [second, first]  # newest first
    assert rows.iloc[0]["at"] == "2026-12-03T23:59:00.000000Z" and rows.iloc[0]["actor"] == "chen_jing"
    assert json.loads(rows.iloc[0]["detail"]) == {"for": "BLINDED", "filters": "SITEID: 01", "中文": "是"}
    assert list(t.read(actors=["li_wei"])["id"]) == [first]
    assert list(t.read(actions=["export"])["id"]) == [second]
    assert list(t.read(since=dt.date(2026, 12, 2))["id"]) == [second]
    assert list(t.read(until=dt.date(2026, 12, 2))["id"]) == [first]
    assert list(t.read(since=dt.date(2026, 12, 3), until=dt.date(2026, 12, 3))["id"]) == [second]  # the whole day
    assert t.actors() == ["chen_jing", "li_wei"] and t.count() == 2
    with pytest.raises(ValueError):
        t.record(Event("delete_everything", "x"))
    t.dispose()


def test_rows_cannot_be_changed_or_deleted_in_the_database(url):
    t = AuditTrail(url)
    t.record(Event("view", "li_wei", page="overview"))
    statements = ["UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"]
    if t.backend == "postgresql":
        statements.append("TRUNCATE audit_events")
    for statement in statements:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with t.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert t.read().iloc[0]["actor"] == "li_wei" and t.count() == 1
    t.dispose()


def test_no_credential_is_kept():
    kept = clean_detail({"password": "hunter2", "file": "x.csv", "nested": {"cookie_secret": "s", "ok": 1},
                         "password_hash": "pbkdf2…", "token": "t", "when": dt.date(2026, 1, 2)})
    assert kept == {"file": "x.csv", "nested": {"ok": 1}, "when": "2026-01-02"}


def test_many_writers_at_once(url):
    t = AuditTrail(url)

    def write(k: int) -> None:
        for i in range(40):
            t.record(Event("view", f"user{k}", page=f"p{i}"))

    threads = [threading.Thread(target=write, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    rows = t.read()
    assert len(rows) == 160 and rows["id"].is_unique and sorted(rows["actor"].unique()) == [f"user{k}" for k in range(4)]
    t.dispose()


WRITER = textwrap.dedent("""
    import sys, threading
    sys.path.insert(0, {root!r})
    from components.audit.trail import AuditTrail, Event
    t = AuditTrail({url!r})
    payload = {{"blob": "x" * 2000, "end": "complete"}}
    lock = threading.Lock()
    def write():
        while True:
            i = t.record(Event("export", "writer", page="p", target="f.csv", detail=payload))
            with lock:
                print(i, flush=True)
    for _ in range(3):
        threading.Thread(target=write, daemon=True).start()
    threading.Event().wait()
""")


def test_a_server_killed_mid_write_leaves_the_database_consistent(url):
    """A process writing from three threads is killed with SIGKILL while it writes: every row it said
    was committed is there, whole, and the database takes new rows (SQLite: integrity_check ok)."""
    AuditTrail(url).dispose()
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), url=url)], stdout=subprocess.PIPE,
                            text=True)
    committed: list[int] = []
    deadline = time.monotonic() + 120
    while len(committed) < 300 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip().isdigit():
            committed.append(int(line))
    os.kill(proc.pid, signal.SIGKILL)  # mid-write: three threads are inside record() at any moment
    proc.wait(timeout=30)
    assert len(committed) >= 300, "the writer did not get going"
    t = AuditTrail(url)
    rows = t.read()
    assert set(committed) <= set(rows["id"])  # nothing committed is lost
    assert all(json.loads(d) == {"blob": "x" * 2000, "end": "complete"} for d in rows["detail"])  # no half row
    assert (rows["actor"] == "writer").all() and (rows["target"] == "f.csv").all()
    if t.backend == "sqlite":
        with t.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
    t.record(Event("view", "after the crash"))
    assert t.read(actors=["after the crash"]).shape[0] == 1
    t.dispose()


def test_an_unreachable_database_is_said_not_ignored(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    with pytest.raises(AuditUnavailable):
        trail(f"sqlite:///{blocked}/audit.sqlite3")
    with pytest.raises(AuditUnavailable):  # nothing listens there
        trail("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


# --------------------------------------------------------------------------- the sign-in gate


def test_sign_ins_are_recorded_without_the_password(monkeypatch, tmp_path):
    from components.ui import gate as gate_module
    from components.ui.access import LOCKOUT, THROTTLE, hash_password, policy_from_secrets
    from tests.test_gate import Inner, _cookie_value, call

    url = f"sqlite:///{tmp_path}/audit.sqlite3"
    monkeypatch.setenv("TRIAL_AUDIT_URL", url)
    policy = policy_from_secrets({"access": {"users": {
        "Li_Wei": {"password_hash": hash_password("correct horse", iterations=1000), "role": "idmc"},
        "chen_jing": {"password_hash": hash_password("battery staple", iterations=1000), "role": "site:01"}}}})
    assert policy.mode == "password"
    gate_module.SESSIONS.clear()
    LOCKOUT.clear()
    THROTTLE.clear()
    gate = gate_module.AccessGate(Inner(), load_policy=lambda: policy)
    status, headers, body = call(gate, "/_signin")
    assert b'name="user"' in body  # one password per person: the form asks who
    csrf = _cookie_value(headers["set-cookie"], gate_module.CSRF_COOKIE)
    assert csrf
    cookie = [("cookie", f"{gate_module.CSRF_COOKIE}={csrf}; {gate_module.DEVICE_COOKIE}=device-0001")]

    def post(user: str, password: str):
        form = urllib.parse.urlencode({"user": user, "password": password, "csrf": csrf, "next": "/"}).encode()
        return call(gate, "/_signin", method="POST", body=form,
                    headers=[*cookie, ("content-type", "application/x-www-form-urlencoded")])

    assert post("li_wei", "wrong")[0] == 401
    assert post("battery staple", "x")[0] == 401  # a password typed into the name field
    assert post("chen_jing", "correct horse")[0] == 401  # another user's password
    time.sleep(1.2)  # after three failures the next try waits a second (components/ui/access.py, Lockout.delay)
    status, headers, _ = post("LI_WEI", "correct horse")
    assert status == 303
    token = _cookie_value(headers["set-cookie"], gate_module.COOKIE)
    ident = gate_module.SESSIONS.verify(token, None)
    assert gate_module.SESSIONS.user_of(ident) == "li_wei"
    assert call(gate, "/_signout", method="POST", body=f"csrf={csrf}".encode(),
                headers=[("cookie", f"{gate_module.CSRF_COOKIE}={csrf}; {gate_module.COOKIE}={token}"),
                         ("content-type", "application/x-www-form-urlencoded")])[0] == 303
    rows = trail(url).read()[::-1]
    assert list(rows["action"]) == ["sign_in_failed"] * 3 + ["sign_in", "sign_out"]
    assert list(rows["actor"]) == ["li_wei", "(unknown user)", "chen_jing", "li_wei", "li_wei"]
    signed = rows[rows["action"] == "sign_in"].iloc[0]
    assert signed["role"] == "idmc" and signed["client"] == "127.0.0.1" and signed["session"]
    assert signed["session"] == rows.iloc[-1]["session"] and signed["session"] not in token  # a hash, not the cookie
    dump = rows.to_csv()
    assert "correct horse" not in dump and "battery staple" not in dump and "wrong" not in dump
    gate_module.SESSIONS.clear()


# --------------------------------------------------------------------------- the data manager's page


def test_the_audit_page_lists_filters_and_is_the_data_managers(app_factory, monkeypatch, tmp_path):
    from components.data.roles import Role
    from components.ui import widgets

    url = f"sqlite:///{tmp_path}/audit.sqlite3"
    monkeypatch.setenv("TRIAL_AUDIT_URL", url)
    at = app_factory().run()
    at.switch_page("pages/survival.py").run()
    at.switch_page("pages/audit.py").run()
    assert not at.exception and not at.error
    rows = trail(url).read()
    assert list(rows["action"])[:3] == ["view"] * 3 and list(rows["page"])[:3] == ["audit", "survival", "overview"]
    detail = json.loads(rows.iloc[0]["detail"])
    latest = sorted(p for p in (ROOT / "data" / "demo").iterdir() if p.is_dir())[-1]
    assert detail["cut"]["files"]["adsl.csv"] == hashlib.sha256((latest / "adsl.csv").read_bytes()).hexdigest()
    shown = at.dataframe[0].value
    assert len(shown) == 3 and set(shown["What"]) == {"Page viewed"}
    # a setting changed (the presentation theme) is recorded, once
    at.sidebar.toggle[0].set_value(True).run()
    changed = trail(url).read(actions=["setting"])
    assert len(changed) == 1 and "presentation" in changed.iloc[0]["target"]
    at.multiselect(key="audit_what").set_value(["setting"]).run()
    assert len(at.dataframe[0].value) == 1
    # opening "Show the code" or "Data behind the figure" is no setting
    from tests.conftest import open_expanders

    at.switch_page("pages/survival.py").run()
    open_expanders(at)
    assert len(trail(url).read(actions=["setting"])) == 1
    # the steering committee does not see the page: not in the menu, and its address says so
    monkeypatch.setattr(widgets, "current_role", lambda: Role("steering"))
    blind = app_factory().run()
    assert not any("Audit" in str(link.label) for link in blind.sidebar.get("page_link"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # no address for it at all
        blind.switch_page("pages/audit.py")


# --------------------------------------------------------------------------- the served app


PASSWORDS = {"idmc_chair": "idmc password 1", "site_pi": "site password 2", "steering_member": "steering password 3",
             "data_manager": "statistician password 4"}


def _site_of_first_patient() -> str:
    import pandas as pd

    latest = sorted(p for p in (ROOT / "data" / "demo-phase3").iterdir() if p.is_dir())[-1]
    return str(pd.read_csv(latest / "adsl.csv", dtype=str)["SITEID"].iloc[0])


@pytest.fixture(params=BACKENDS)
def audited_app(request, tmp_path):
    """The phase III demo served with one password per person (an IDMC chair; a site investigator) and
    the trail on each backend; yields (base URL, trail URL, the server process)."""
    from components.ui.access import hash_password
    from scripts.serve import start, stop

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/audit.sqlite3"
    else:
        server = request.getfixturevalue("postgres")
        url = server.url.rsplit("/", 1)[0] + "/served"
        engine = sa.create_engine(server.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text("DROP DATABASE IF EXISTS served"))
            conn.execute(sa.text("CREATE DATABASE served"))
        engine.dispose()
    users = {"idmc_chair": "idmc", "site_pi": f"site:{_site_of_first_patient()}", "steering_member": "steering",
             "data_manager": "statistician"}  # (blind: [access] unblinded_statisticians is not set)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[access]\nmode = "password"\ncookie_secret = "' + "k" * 32 + '"\n' + "".join(
        f'[access.users.{name}]\npassword_hash = "{hash_password(PASSWORDS[name], iterations=1000)}"\n'
        f'role = "{role}"\n' for name, role in users.items()))
    env = {k: v for k, v in os.environ.items() if k != "TRIAL_DATA_DIR"}
    env |= {"TRIAL_AUDIT_URL": url, "TRIAL_STUDY_CONFIG": str(ROOT / "data" / "phase3_demo.toml")}
    proc, base = start(env=env, args=("--secrets.files", str(secrets)), timeout=240)
    try:
        yield base, url, proc, (env, secrets)
    finally:
        stop(proc)


def _sign_in(browser, base: str, user: str, path: str = "/overview"):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}{path}", timeout=120_000)
    page.wait_for_url(re.compile(r"/_signin"), timeout=60_000)
    page.fill("input[name=user]", user)
    page.fill("input[name=password]", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(path), timeout=60_000)
    return context, page


def _download(page, button):
    """A finished download from a click on ``button`` (tests/test_gate.py's clicking). Under load a
    download can be cancelled by the browser when the page re-runs while the file is fetched (seen once
    in a fresh-clone run: "Download.path: canceled"): it is clicked again, up to four times."""
    from playwright.sync_api import Error as PlaywrightError

    from tests.test_gate import _click_for_download

    for attempt in range(4):
        download = _click_for_download(page, button)
        try:
            download.path()
            return download
        except PlaywrightError as exc:
            if "canceled" not in str(exc) or attempt == 3:
                raise
    raise AssertionError("unreachable")


def _slide_texts(path) -> list[str]:
    """The subtitle line of every slide that has one (where the stamp is), from a downloaded deck."""
    from pptx import Presentation

    deck = Presentation(str(path))
    texts = [[shape.text_frame.text for shape in slide.shapes if shape.has_text_frame] for slide in deck.slides]
    return [t for slide in texts for t in slide if "data cut-off" in t]


def _wait_rows(url: str, done, seconds: float = 120):
    t = AuditTrail(url)
    deadline = time.monotonic() + seconds
    try:
        while True:
            rows = t.read()
            if done(rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.5)
    finally:
        t.dispose()


def test_two_sessions_export_and_every_row_reads_back(audited_app, browser):
    base, url, proc, _extra = audited_app
    idmc, idmc_page = _sign_in(browser, base, "idmc_chair", "/response")
    site, site_page = _sign_in(browser, base, "site_pi", "/overview")
    try:
        button = idmc_page.get_by_role("button", name=re.compile("Download the response table"))
        button.wait_for(timeout=180_000)
        csv = _download(idmc_page, button)
        assert csv.path().stat().st_size > 0
        idmc_page.get_by_text(re.compile(r"Meeting deck \(")).first.click()
        deck_button = idmc_page.get_by_role("button", name=re.compile("Download PPTX"))
        deck_button.wait_for(timeout=120_000)
        deck = _download(idmc_page, deck_button)
        assert deck.suggested_filename.endswith(".pptx") and deck.path().stat().st_size > 0
        site_page.get_by_text("Signed in as", exact=False).first.wait_for(timeout=180_000)
        site_page.get_by_text(re.compile(r"Meeting deck \(")).first.click()
        site_deck_button = site_page.get_by_role("button", name=re.compile("Download PPTX"))
        site_deck_button.wait_for(timeout=120_000)
        site_deck = _download(site_page, site_deck_button)
        stamps = {"idmc": _slide_texts(deck.path()), "site": _slide_texts(site_deck.path())}
    finally:
        idmc.close()
        site.close()
    # each deck says who may see it, on every slide; the blinded one names no arm
    from components.data.config import load_config

    arms = load_config(ROOT / "data" / "phase3_demo.toml").arms
    assert stamps["idmc"] and all("CLOSED SESSION — IDMC" in t for t in stamps["idmc"])
    assert stamps["site"] and all("BLINDED" in t for t in stamps["site"])
    assert not any(arms[1] in t for t in stamps["site"])
    rows = _wait_rows(url, lambda r: {"sign_in", "view", "export"} <= set(r["action"]) and
                      (r["action"] == "export").sum() >= 3)
    signed = rows[rows["action"] == "sign_in"].set_index("actor")
    assert set(signed.index) == {"idmc_chair", "site_pi"}
    assert signed.loc["idmc_chair", "role"] == "idmc" and signed.loc["site_pi", "role"].startswith("site:")
    assert signed.loc["idmc_chair", "session"] != signed.loc["site_pi", "session"]
    views = rows[rows["action"] == "view"]
    assert {("idmc_chair", "response"), ("site_pi", "overview")} <= set(zip(views["actor"], views["page"], strict=True))
    latest = sorted(p for p in (ROOT / "data" / "demo-phase3").iterdir() if p.is_dir())[-1]
    for _i, view in views.iterrows():
        assert view["cut"] == latest.name
        files = json.loads(view["detail"])["cut"]["files"]
        assert files["adsl.csv"] == hashlib.sha256((latest / "adsl.csv").read_bytes()).hexdigest()
        assert view["session"] == signed.loc[view["actor"], "session"]  # each view tied to its sign-in
    exports = rows[rows["action"] == "export"]
    site_export = exports[exports["actor"] == "site_pi"]
    assert len(site_export) == 1 and json.loads(site_export.iloc[0]["detail"])["for"] == "BLINDED"
    exports = exports[exports["actor"] == "idmc_chair"]
    targets = list(exports["target"])
    assert any(t.endswith(".csv") for t in targets) and any(t.endswith(".pptx") for t in targets)
    for _i, export in exports.iterrows():
        detail = json.loads(export["detail"])
        assert detail["for"] == "CLOSED SESSION — IDMC" and detail["cut"]["files"] and export["role"] == "idmc"
    dump = rows.to_csv()
    assert not any(p in dump for p in PASSWORDS.values())
    # killed, not stopped: the trail opens again whole when the server comes back
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    again = AuditTrail(url)
    assert again.count() == len(_wait_rows(url, lambda r: True, 0)) >= len(rows)
    if again.backend == "sqlite":
        with again.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA integrity_check")).scalar_one() == "ok"
    again.dispose()


@pytest.mark.parametrize("audited_app", ["sqlite"], indirect=True)  # the frames do not depend on the backend
def test_a_blinded_site_investigator_receives_no_arm_and_no_other_sites_patient(audited_app, browser):
    """What the browser receives (every websocket frame of every page visited), not only what it shows:
    the site investigator's frames carry no arm label and no other site's patient; the IDMC chair's
    carry the arms (the check can see them)."""
    import pandas as pd

    from components.data.config import load_config

    base, _url, _proc, _extra = audited_app
    arms = load_config(ROOT / "data" / "phase3_demo.toml").arms
    latest = sorted(p for p in (ROOT / "data" / "demo-phase3").iterdir() if p.is_dir())[-1]
    adsl = pd.read_csv(latest / "adsl.csv", dtype=str)
    site = _site_of_first_patient()
    others = [u for u in adsl.loc[adsl["SITEID"] != site, "USUBJID"]]
    mine = set(adsl.loc[adsl["SITEID"] == site, "USUBJID"])
    received: dict[str, list[bytes]] = {"site_pi": [], "steering_member": [], "data_manager": [], "idmc_chair": []}
    for user in received:
        context, page = _sign_in(browser, base, user, "/overview")
        try:
            page.on("websocket", lambda ws, user=user: ws.on(
                "framereceived", lambda payload: received[user].append(
                    payload if isinstance(payload, bytes) else payload.encode())))
            for path in ("/response", "/survival", "/safety", "/changes", "/swimmer"):
                page.goto(f"{base}{path}", timeout=120_000)
                page.get_by_text("Signed in as", exact=False).first.wait_for(timeout=180_000)
                page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')",
                                       timeout=180_000)
        finally:
            context.close()
    site_bytes = b"".join(received["site_pi"])
    idmc_bytes = b"".join(received["idmc_chair"])
    steering_bytes = b"".join(received["steering_member"])
    assert site_bytes and idmc_bytes and steering_bytes
    # an arm as data: the reference arm's label anywhere, the experimental arm's as a group (the study's
    # title, "NER-FUL-ERI vs eribulin (phase III)", names the regimen and is not a result)
    marks = [arms[1], f"{arms[0]} (N", f"{arms[0]}: ", f"{arms[0]} vs {arms[1]}"]
    assert arms[1].encode() in idmc_bytes  # the check sees arms where they are sent
    assert not [m for m in marks if m.encode() in site_bytes]
    assert not [m for m in marks if m.encode() in steering_bytes]
    assert not [m for m in marks if m.encode() in b"".join(received["data_manager"])]  # blind unless the settings say
    assert any(u.encode() in steering_bytes for u in others)  # the steering committee sees every site
    assert any(u.encode() in site_bytes for u in mine)  # their own patients are there
    assert not [u for u in others if u.encode() in site_bytes][:5]


# --------------------------------------------------------------------------- found by the review


def test_sqlite_ddl_is_transactional_and_replace_is_refused(tmp_path):
    """A migration killed before its commit leaves nothing half made (the driver used to run DDL outside
    the transaction), and INSERT OR REPLACE — a delete in disguise — is refused like a DELETE."""
    from components.audit.trail import make_engine

    url = f"sqlite:///{tmp_path}/audit.sqlite3"
    engine = make_engine(url)
    with pytest.raises(RuntimeError):
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE half_made (a INTEGER)"))
            raise RuntimeError("killed before the commit")
    assert "half_made" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    t = AuditTrail(url)
    first = t.record(Event("view", "li_wei"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with t.engine.begin() as conn:
            conn.execute(sa.text(f"INSERT OR REPLACE INTO audit_events (id, at, action, actor) "
                                 f"VALUES ({first}, 'x', 'view', 'someone else')"))
    assert t.read().iloc[0]["actor"] == "li_wei"
    t.dispose()


def test_an_unreachable_database_answers_at_once_after_the_first_failure(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    url = f"sqlite:///{blocked}/again.sqlite3"
    with pytest.raises(AuditUnavailable):
        trail(url)
    started = time.monotonic()
    with pytest.raises(AuditUnavailable):
        trail(url)
    assert time.monotonic() - started < 0.5  # no new connect within the retry window


def test_a_colleague_cannot_keep_guessing_anothers_password(monkeypatch, tmp_path):
    """With one password per person, signing in as oneself clears one's browser's count; each name keeps
    its own, so another person's password gets max_failures guesses per lock-out window, no more."""
    from components.ui import gate as gate_module
    from components.ui.access import LOCKOUT, THROTTLE, hash_password, policy_from_secrets
    from tests.test_gate import Inner, _cookie_value, call

    monkeypatch.setenv("TRIAL_AUDIT_URL", f"sqlite:///{tmp_path}/audit.sqlite3")
    monkeypatch.setattr(LOCKOUT, "delay", lambda key, now=None: 0.0)  # (the per-try slow-down is tested elsewhere)
    policy = policy_from_secrets({"access": {"max_failures": 3, "users": {
        "insider": {"password_hash": hash_password("mine", iterations=1000), "role": "site:01"},
        "idmc_chair": {"password_hash": hash_password("theirs", iterations=1000), "role": "idmc"}}}})
    for store in (gate_module.SESSIONS, LOCKOUT, THROTTLE):
        store.clear()
    gate = gate_module.AccessGate(Inner(), load_policy=lambda: policy)
    csrf = _cookie_value(call(gate, "/_signin")[1]["set-cookie"], gate_module.CSRF_COOKIE)

    def post(user: str, password: str) -> int:
        form = urllib.parse.urlencode({"user": user, "password": password, "csrf": csrf, "next": "/"}).encode()
        return call(gate, "/_signin", method="POST", body=form,
                    headers=[("cookie", f"{gate_module.CSRF_COOKIE}={csrf}; {gate_module.DEVICE_COOKIE}=device-0001"),
                             ("content-type", "application/x-www-form-urlencoded")])[0]

    answers = []
    for guess in range(4):
        answers.append(post("idmc_chair", f"guess {guess}"))
        assert post("insider", "mine") == 303  # their own sign-in clears their browser's count
    assert answers[:2] == [401, 401] and answers[3] == 429  # the third guess locked the name
    assert post("idmc_chair", "theirs") == 429  # locked for the window, even with the right password
    for store in (gate_module.SESSIONS, LOCKOUT, THROTTLE):
        store.clear()


def test_a_person_removed_from_the_users_is_signed_out_and_never_unblinded(monkeypatch, tmp_path):
    from components.ui import gate as gate_module
    from components.ui.access import hash_password, policy_from_secrets, session_role
    from tests.test_gate import Inner, call

    monkeypatch.setenv("TRIAL_AUDIT_URL", f"sqlite:///{tmp_path}/audit.sqlite3")
    users = {"stat": {"password_hash": hash_password("x", iterations=1000), "role": "statistician"}}
    before = policy_from_secrets({"access": {"role": "idmc", "users": users}})
    after = policy_from_secrets({"access": {"role": "idmc", "users": {}, "password_hash": users["stat"]["password_hash"]}})
    assert session_role(after, user="stat").kind == "steering"  # not the shared password's idmc
    gate_module.SESSIONS.clear()
    token = gate_module.SESSIONS.issue(1, user="stat")
    cookie = [("cookie", f"{gate_module.COOKIE}={token}")]
    policies = iter([before, after])
    current = {"policy": next(policies)}
    gate = gate_module.AccessGate(Inner(), load_policy=lambda: current["policy"], reload_seconds=0)
    assert call(gate, "/overview", headers=cookie)[0] == 200
    current["policy"] = policy_from_secrets({"access": {"users": {"someone": users["stat"]}}})
    assert call(gate, "/overview", headers=cookie)[0] == 303  # their sign-in ended with their entry
    gate_module.SESSIONS.clear()


def test_the_trail_names_no_patient_and_no_uploaded_file(tmp_path):
    from components.data.datasets import load_files
    from components.ui.audit import cut_detail

    latest = sorted(p for p in (ROOT / "data" / "demo").iterdir() if p.is_dir())[-1]
    cut = load_files({"adsl.csv": (latest / "adsl.csv").read_bytes(),
                      "ZHANG San 01-004 adsl.csv": b"x"}, name="upload", source="upload")
    _name, detail = cut_detail(cut)
    assert "ZHANG" not in json.dumps(detail) and "01-004" not in json.dumps(detail)
    assert detail["files"]["adsl.csv"] == hashlib.sha256((latest / "adsl.csv").read_bytes()).hexdigest()


def test_the_browser_camera_is_gone_so_every_image_export_is_recorded():
    from components.figures.plotting import export_config

    assert "toImage" in export_config("x")["modeBarButtonsToRemove"]


def test_an_unblinded_statistician_is_told_apart_in_the_trail():
    from components.data.roles import Role
    from components.ui.audit import role_label

    assert Role("statistician").audit_code == "statistician"
    assert Role("statistician", statistician_unblinded=True).audit_code == "statistician+unblinded"
    assert role_label("statistician+unblinded").endswith("(unblinded)") and role_label("site:01").endswith("01")
