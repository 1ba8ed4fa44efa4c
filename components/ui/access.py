"""Access control settings and checks (no Streamlit here; the sign-in screen is in widgets).

Two modes, configured in ``.streamlit/secrets.toml`` (never committed):

* OIDC sign-in with Streamlit's built-in ``st.login`` (an ``[auth]`` section, see Streamlit's
  documentation) plus an allow-list::

      [access]
      mode = "oidc"
      allowed_emails = ["pi@hospital.cn"]
      allowed_domains = ["hospital.cn"]

* A shared password for a small team without an identity provider, stored only as a salted hash
  (PBKDF2-HMAC-SHA256, 600,000 iterations as OWASP recommends; make one with
  ``python scripts/hash_password.py``)::

      [access]
      mode = "password"
      password_hash = "pbkdf2_sha256$600000$<salt>$<hash>"
      max_failures = 5
      lockout_minutes = 15

Without an ``[access]`` section the app is open (local use on the demo data).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

ITERATIONS = 600_000
SCHEME = "pbkdf2_sha256"


def hash_password(password: str, salt: bytes | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt b64>$<hash b64>`` with a random 16-byte salt."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, iterations)
    enc = lambda b: base64.b64encode(b).decode("ascii")  # noqa: E731
    return f"{SCHEME}${iterations}${enc(salt)}${enc(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    """Constant-time check of a password against an encoded hash; False for a malformed hash."""
    try:
        scheme, iterations, salt_b64, hash_b64 = encoded.split("$")
        if scheme != SCHEME:
            return False
        salt, expected = base64.b64decode(salt_b64), base64.b64decode(hash_b64)
        digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


@dataclass(frozen=True)
class AccessPolicy:
    mode: str = "none"  # "none" | "oidc" | "password"
    password_hash: str = ""
    allowed_emails: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    provider: str | None = None
    max_failures: int = 5
    lockout_seconds: int = 900


def policy_from_secrets(secrets_map: Mapping | None) -> AccessPolicy:
    """Read the ``[access]`` section; a password hash implies the password mode."""
    if not secrets_map or "access" not in secrets_map:
        return AccessPolicy()
    a = dict(secrets_map["access"])
    mode = a.get("mode") or ("password" if a.get("password_hash") else "oidc")
    return AccessPolicy(
        mode=mode,
        password_hash=a.get("password_hash", ""),
        allowed_emails=tuple(e.lower() for e in a.get("allowed_emails", [])),
        allowed_domains=tuple(d.lower().lstrip("@") for d in a.get("allowed_domains", [])),
        provider=a.get("provider"),
        max_failures=int(a.get("max_failures", 5)),
        lockout_seconds=int(float(a.get("lockout_minutes", 15)) * 60),
    )


def email_allowed(email: str | None, policy: AccessPolicy) -> bool:
    """On the allow-list by address or domain (an empty list allows nobody)."""
    if not email:
        return False
    e = email.lower()
    return e in policy.allowed_emails or e.rsplit("@", 1)[-1] in policy.allowed_domains


@dataclass
class Lockout:
    """Failed sign-ins per client (IP address, else session). The ``max_failures``-th failure within
    ``lockout_seconds`` locks that client for ``lockout_seconds``. Process-wide and thread-safe, so
    opening a new browser session does not reset it."""

    failures: dict[str, list[float]] = field(default_factory=dict)
    locked_until: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked_for(self, key: str, policy: AccessPolicy, now: float | None = None) -> float:
        """Seconds left of a lock-out (0 if not locked)."""
        now = time.time() if now is None else now
        with self._lock:
            return max(0.0, self.locked_until.get(key, 0.0) - now)

    def fail(self, key: str, policy: AccessPolicy, now: float | None = None) -> int:
        """Record a failure; returns the failures counted in the window (locks at the limit)."""
        now = time.time() if now is None else now
        with self._lock:
            recent = [t for t in self.failures.get(key, []) if now - t < policy.lockout_seconds] + [now]
            if len(recent) >= policy.max_failures:
                self.locked_until[key] = now + policy.lockout_seconds
                self.failures[key] = []
            else:
                self.failures[key] = recent
            return len(recent)

    def reset(self, key: str) -> None:
        with self._lock:
            self.failures.pop(key, None)
            self.locked_until.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self.failures.clear()
            self.locked_until.clear()


LOCKOUT = Lockout()
