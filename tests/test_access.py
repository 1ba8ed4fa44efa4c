"""Access control: password hashing, the sign-in gate (no data before the right password), lock-out,
the OIDC allow-list, and uploads that must not replace good data with bad."""

from __future__ import annotations

import pytest

from components.data.datasets import load_cut
from components.data.readers import folder_files
from components.ui.access import (
    LOCKOUT,
    AccessPolicy,
    email_allowed,
    hash_password,
    policy_from_secrets,
    verify_password,
)
from tests.conftest import DEMO_DIR

# A fixed low iteration count keeps the tests fast; the deployment default is 600,000.
HASH = hash_password("correct horse battery staple", salt=b"0123456789abcdef", iterations=1000)


def test_hash_and_verify():
    assert HASH.startswith("pbkdf2_sha256$1000$")
    assert verify_password("correct horse battery staple", HASH)
    assert not verify_password("Correct horse battery staple", HASH)
    assert not verify_password("anything", "not-a-hash")
    assert hash_password("x") != hash_password("x")  # a fresh salt every time
    assert hash_password("x").split("$")[1] == "600000"


def test_policy_and_allow_list():
    assert policy_from_secrets({}).mode == "none"
    p = policy_from_secrets({"access": {"mode": "oidc", "allowed_emails": ["PI@Hospital.cn"],
                                        "allowed_domains": ["@trial.org"]}})
    assert email_allowed("pi@hospital.cn", p) and email_allowed("dm@trial.org", p)
    assert not email_allowed("someone@else.org", p) and not email_allowed(None, p)
    assert policy_from_secrets({"access": {"password_hash": HASH}}).mode == "password"


def test_lockout_after_repeated_failures():
    policy = AccessPolicy(mode="password", max_failures=3, lockout_seconds=600)
    key = "test:lockout"
    LOCKOUT.reset(key)
    for i in range(3):
        assert LOCKOUT.locked_for(key, policy, now=1000 + i) == 0
        LOCKOUT.fail(key, policy, now=1000 + i)
    # locked for the full period from the third failure (day 1002): 600 − 8 s left at 1010
    assert LOCKOUT.locked_for(key, policy, now=1010) == pytest.approx(600 - 8)
    assert LOCKOUT.locked_for(key, policy, now=1002 + 600) == 0
    # failures spread wider than the window never lock
    for t in (5000, 5400, 5800, 6200):
        LOCKOUT.fail(key, policy, now=t)
    assert LOCKOUT.locked_for(key, policy, now=6201) == 0
    LOCKOUT.reset(key)


def _gated(app_factory):
    at = app_factory()
    at.secrets["access"] = {"mode": "password", "password_hash": HASH, "max_failures": 3, "lockout_minutes": 15}
    return at


def _shows_data(at) -> bool:
    return bool(at.metric) or bool(at.get("plotly_chart")) or any("SYNTHETIC" in w.value for w in at.warning)


def test_no_page_shows_data_before_the_right_password(app_factory):
    LOCKOUT.clear()
    at = _gated(app_factory).run()
    assert not at.exception
    assert at.text_input(key="access_password") is not None and not _shows_data(at)
    at.text_input(key="access_password").set_value("wrong")
    at.button[0].click().run()
    assert any("Wrong password" in e.value for e in at.error) and not _shows_data(at)
    at.text_input(key="access_password").set_value("correct horse battery staple")
    at.button[0].click().run()
    assert not at.exception and _shows_data(at)
    assert any(m.label == "Enrolled / target" for m in at.metric)
    LOCKOUT.clear()


def test_pages_are_gated_too(app_factory):
    LOCKOUT.clear()
    at = _gated(app_factory).run()
    at.switch_page("pages/response.py").run()
    assert not at.exception and not _shows_data(at)


def test_repeated_failures_lock_out(app_factory):
    LOCKOUT.clear()
    at = _gated(app_factory).run()
    for _ in range(3):
        at.text_input(key="access_password").set_value("nope")
        at.button[0].click().run()
    assert any("locked" in e.value for e in at.error)
    at.run()
    assert any("Too many failed attempts" in e.value for e in at.error)
    assert not at.text_input  # no password box while locked
    LOCKOUT.clear()


def test_oidc_mode_asks_for_sign_in_and_shows_nothing(app_factory):
    at = app_factory()
    at.secrets["access"] = {"mode": "oidc", "allowed_domains": ["hospital.cn"]}
    at.run()
    assert not at.exception and not _shows_data(at)
    assert any("not configured" in e.value for e in at.error)  # no [auth] provider yet
    at = app_factory()
    at.secrets["access"] = {"mode": "oidc", "allowed_domains": ["hospital.cn"]}
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
                          "client_id": "id", "client_secret": "secret",
                          "server_metadata_url": "https://idp.example/.well-known/openid-configuration"}
    at.run()
    assert not at.exception and not _shows_data(at)
    assert any(b.label == "Sign in" for b in at.button)


def _upload(at, files: dict[str, bytes]):
    at.radio(key="data_source").set_value("Upload a data cut").run()
    at.file_uploader(key="upload_files").set_value([(n, b, "text/csv") for n, b in files.items()]).run()
    return at


def test_a_valid_upload_replaces_the_data(app_factory, latest_cut):
    files = {n: p.read_bytes() for n, p in folder_files(latest_cut).items() if n.endswith(".csv")}
    files["adsl.csv"] = b"\n".join(files["adsl.csv"].splitlines()[:6]) + b"\n"  # 5 subjects
    at = _upload(app_factory().run(), files)
    assert not at.exception
    assert next(m.value for m in at.metric if m.label == "Enrolled / target") == "5 / 35"


def test_a_failing_upload_leaves_the_current_data_and_says_why(app_factory, latest_cut):
    at = app_factory().run()
    good = {n: p.read_bytes() for n, p in folder_files(latest_cut).items() if n.endswith(".csv")}
    good["adsl.csv"] = b"\n".join(good["adsl.csv"].splitlines()[:6]) + b"\n"
    at = _upload(at, good)
    bad = {"adsl.csv": b"USUBJID,AGE\nX,1\n"}  # required columns missing
    at.file_uploader(key="upload_files").set_value([(n, b, "text/csv") for n, b in bad.items()]).run()
    assert any("cannot replace the current data" in e.value for e in at.sidebar.error)
    assert next(m.value for m in at.metric if m.label == "Enrolled / target") == "5 / 35"
    assert len(load_cut(DEMO_DIR).tables["adsl"]) == 28  # nothing on disk was touched


# --------------------------------------------------------------------------- issue 18 (15, 16)


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    """(15) A direct client sending a new X-Forwarded-For per try keeps its own address; behind a
    configured proxy the client is the right-most untrusted hop (the left-most is whatever it wrote)."""
    from components.ui.access import client_address

    assert client_address("1.2.3.4", "203.0.113.9", ()) == "203.0.113.9"
    assert client_address("5.6.7.8", "203.0.113.9", ("10.0.0.0/8",)) == "203.0.113.9"
    assert client_address("6.6.6.6, 198.51.100.7", "10.0.0.2", ("10.0.0.0/8",)) == "198.51.100.7"
    assert client_address("198.51.100.7, 10.0.0.3", "10.0.0.2", ("10.0.0.0/8",)) == "198.51.100.7"
    assert client_address("not-an-ip", "10.0.0.2", ("10.0.0.0/8",)) == "10.0.0.2"
    assert client_address(None, None, ()) == "local"


def test_others_failures_never_lock_a_real_user_out():
    """(15) 200 failures from 200 addresses: the global limit only delays (≤ 30 s), never locks; a
    client's own failures slow it down (1, 2, 4 … s) before its lock-out."""
    from components.ui.access import LOCKOUT, THROTTLE, AccessPolicy

    THROTTLE.clear()
    LOCKOUT.clear()
    policy = AccessPolicy(mode="password", max_failures=5, lockout_seconds=900)
    for i in range(200):
        LOCKOUT.fail(f"ip:198.51.100.{i}", policy, now=1000.0)
        THROTTLE.fail(now=1000.0)
    assert LOCKOUT.locked_for("ip:203.0.113.1", policy, now=1000.0) == 0
    assert 0 < THROTTLE.wait(now=1000.0) <= 30
    assert THROTTLE.wait(now=1061.0) == 0  # the minute has passed
    key = "ip:192.0.2.50"
    for t in (2000.0, 2001.0):
        LOCKOUT.fail(key, policy, now=t)
    assert LOCKOUT.delay(key, now=2001.0) == 0
    LOCKOUT.fail(key, policy, now=2002.0)
    assert LOCKOUT.delay(key, now=2002.0) == pytest.approx(1.0)
    LOCKOUT.fail(key, policy, now=2003.0)
    assert LOCKOUT.delay(key, now=2003.0) == pytest.approx(2.0)
    THROTTLE.clear()
    LOCKOUT.clear()


@pytest.mark.parametrize("email,verified,ok", [
    ("pi@hospital.cn", True, True),
    ("PI@Hospital.CN", True, True),
    ("x@evil.com@hospital.cn", True, False),
    ("pi@hospital.cn", False, False),
    ("pi@hospital.cn", None, False),
    ("Evil <pi@hospital.cn>", True, False),
    (" pi@hospital.cn", True, False),
    ("pi@hospital.cn.evil.com", True, False),
    ("someone@hospital.cn", True, True),  # the domain is allowed
    ("someone@sub.hospital.cn", True, False),
])
def test_oidc_allow_list_parses_strictly_and_needs_a_verified_address(email, verified, ok):
    """(16) One well-formed address, verified by the identity provider (email_verified)."""
    policy = policy_from_secrets({"access": {"mode": "oidc", "allowed_emails": ["pi@hospital.cn"],
                                             "allowed_domains": ["hospital.cn"]}})
    assert email_allowed(email, policy, verified) is ok
