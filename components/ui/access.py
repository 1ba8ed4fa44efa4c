"""Access control settings and checks (no Streamlit here; the sign-in screen is in widgets).

Two modes, configured in ``.streamlit/secrets.toml`` (never committed):

* OIDC sign-in with Streamlit's built-in ``st.login`` (an ``[auth]`` section, see Streamlit's
  documentation) plus an allow-list::

      [access]
      mode = "oidc"
      allowed_emails = ["pi@hospital.cn"]
      allowed_domains = ["hospital.cn"]

  An address is matched only when it is one well-formed address (``x@evil.com@hospital.cn`` is not)
  and the provider says it is verified (``email_verified``).

* A shared password for a small team without an identity provider, stored only as a salted hash
  (PBKDF2-HMAC-SHA256, 600,000 iterations as OWASP recommends; make one with
  ``python scripts/hash_password.py``)::

      [access]
      mode = "password"
      password_hash = "pbkdf2_sha256$600000$<salt>$<hash>"
      max_failures = 5
      lockout_minutes = 15

  or, so that the audit trail names who did what and each person has their own role, one password
  per person (the sign-in page then asks for the user name too)::

      [access.users.li_wei]
      password_hash = "pbkdf2_sha256$600000$<salt>$<hash>"
      role = "site:01"
      [access.users.chen_jing]
      password_hash = "pbkdf2_sha256$600000$<salt>$<hash>"
      role = "idmc"

Behind a reverse proxy, name it so that the client's address is taken from ``X-Forwarded-For``
(from anyone else the header is ignored: a client could send a new address with every try)::

      trusted_proxies = ["127.0.0.1", "10.0.0.0/8"]

Failed sign-ins: each client address is slowed down (a growing delay after the third failure) and
locked out after ``max_failures``; across all addresses a rate limit delays every attempt while
failures pile up, without ever locking real users out.

Without an ``[access]`` section the app is open (local use on the demo data).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import ipaddress
import re
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
    mode: str = "none"  # "none" | "oidc" | "password" | "closed" (the settings cannot be read or name no mode)
    password_hash: str = ""
    allowed_emails: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    provider: str | None = None
    max_failures: int = 5
    lockout_seconds: int = 900
    trusted_proxies: tuple[str, ...] = ()
    require_verified_email: bool = True
    cookie_secret: str = ""  # signs the HTTP-layer session cookie (components/ui/gate.py); "": random per start
    session_hours: float = 12.0  # a sign-in lasts this long
    #: who is what (components/data/roles.py): e-mail → role ("steering", "idmc", "statistician",
    #: "site:01,02"); an allowed address without an entry is ``default_role``; the shared password is
    #: ``password_role``. Blinded unless said otherwise: an unknown or misspelt role is the steering
    #: committee's (blinded, all sites), never unblinded.
    roles: tuple[tuple[str, str], ...] = ()
    default_role: str = "steering"
    password_role: str = "steering"
    unblinded_statisticians: bool = False  # ICH E9 §4.5: the sponsor's statisticians stay blind unless said
    #: one password per person: (user name in lower case, password hash, role)
    users: tuple[tuple[str, str, str], ...] = ()

    def user(self, name: object) -> tuple[str, str] | None:
        """(password hash, role) of a configured user (names compare in lower case), else None."""
        key = str(name or "").strip().lower()
        return next(((h, r) for u, h, r in self.users if u == key), None)


def policy_from_secrets(secrets_map: Mapping | None) -> AccessPolicy:
    """Read the ``[access]`` section; a password hash implies the password mode."""
    if not secrets_map or "access" not in secrets_map:
        return AccessPolicy()
    a = dict(secrets_map["access"])
    users = tuple((str(name).strip().lower(), str(dict(v).get("password_hash", "")), str(dict(v).get("role", "")))
                  for name, v in dict(a.get("users", {}) or {}).items() if isinstance(v, Mapping))
    mode = str(a.get("mode") or ("password" if a.get("password_hash") or users else "oidc")).strip().lower()
    if mode not in ("none", "oidc", "password"):  # a misspelt mode closes the app, never opens it
        mode = "closed"
    return AccessPolicy(
        mode=mode,
        password_hash=a.get("password_hash", ""),
        allowed_emails=tuple(e.lower() for e in a.get("allowed_emails", [])),
        allowed_domains=tuple(d.lower().lstrip("@") for d in a.get("allowed_domains", [])),
        provider=a.get("provider"),
        max_failures=int(a.get("max_failures", 5)),
        lockout_seconds=int(float(a.get("lockout_minutes", 15)) * 60),
        trusted_proxies=tuple(str(x) for x in a.get("trusted_proxies", [])),
        require_verified_email=bool(a.get("require_verified_email", True)),
        cookie_secret=str(a.get("cookie_secret", "")),
        session_hours=float(a.get("session_hours", 12)),
        roles=tuple((str(k).strip().lower(), str(v)) for k, v in dict(a.get("roles", {})).items()),
        default_role=str(a.get("default_role", "steering")),
        password_role=str(a.get("role", "steering")),
        unblinded_statisticians=bool(a.get("unblinded_statisticians", False)),
        users=users,
    )


def session_role(policy: AccessPolicy, email: str | None = None, user: str | None = None):
    """The role of a signed-in session: open without access control (a laptop with the demo); a
    configured user's role (``[access.users]``), else the shared password's role; an OIDC address's
    role from ``[access.roles]``, else the default. Whatever cannot be read is the blinded
    steering-committee role."""
    from components.data.roles import Role, parse_role

    if policy.mode == "none":
        return Role("open")
    blinded = Role("steering", statistician_unblinded=policy.unblinded_statisticians)
    if policy.mode == "password":
        entry = policy.user(user) if user else None
        if user and entry is None:  # a person removed from [access.users] while signed in: blinded, never more
            return blinded
        text = entry[1] if entry else policy.password_role
        return parse_role(text, policy.unblinded_statisticians) or blinded
    if policy.mode == "oidc":
        parsed = parse_email(email)
        text = dict(policy.roles).get(f"{parsed[0]}@{parsed[1]}") if parsed else None
        return (parse_role(text, policy.unblinded_statisticians) if text is not None else
                parse_role(policy.default_role, policy.unblinded_statisticians)) or blinded
    return blinded


_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")


def parse_email(email: object) -> tuple[str, str] | None:
    """(local part, domain) of one well-formed address, lower case; None for anything else (two '@',
    a display name, spaces, quotes, a domain that is not a host name)."""
    if not isinstance(email, str) or email != email.strip() or email.count("@") != 1:
        return None
    local, domain = email.split("@")
    if not _LOCAL.match(local) or len(local) > 64 or not _DOMAIN.match(domain):
        return None
    return local.lower(), domain.lower()


@functools.cache
def _dummy_hash() -> str:
    """A well-formed hash of no password anyone knows (made once, on the first unknown name): an unknown
    user name costs the same PBKDF2 time as a known one, so the answer's timing does not tell which
    names exist."""
    return hash_password(secrets.token_urlsafe(24))


def check_user(policy: AccessPolicy, name: str, password: str) -> str | None:
    """The signed-in user name when ``password`` is right: with ``[access.users]``, the named user's own
    password; else the shared password ("" as the name). None when wrong or unknown."""
    if policy.users:
        entry = policy.user(name)
        ok = verify_password(password, entry[0] if entry else _dummy_hash())
        return name.strip().lower() if ok and entry else None
    return "" if policy.password_hash and verify_password(password, policy.password_hash) else None


#: Who the audit trail names for a failed sign-in under a name that is no configured user's.
UNKNOWN_USER = "(unknown user)"
SHARED = "shared password"  # who the trail names for the shared password (no user name exists)


def failed_actor(policy: AccessPolicy, name: str) -> str:
    """Who a failed sign-in is recorded as: a configured user's name, else UNKNOWN_USER (a password typed
    into the name field never reaches the trail); SHARED without per-person passwords."""
    if not policy.users:
        return SHARED
    return name.strip().lower() if policy.user(name) else UNKNOWN_USER


def account_key(policy: AccessPolicy, name: str) -> str | None:
    """The lock-out key of a user name (every name counts, known or not, so none is told apart); None
    without per-person passwords."""
    return f"user:{name.strip().lower()}" if policy.users else None


def email_allowed(email: str | None, policy: AccessPolicy, verified: object = True) -> bool:
    """On the allow-list by address or domain (an empty list allows nobody), for one well-formed
    address that the identity provider has verified."""
    parsed = parse_email(email)
    if parsed is None:
        return False
    if policy.require_verified_email and verified is not True:
        return False
    local, domain = parsed
    return f"{local}@{domain}" in policy.allowed_emails or domain in policy.allowed_domains


def _plain(address: str) -> str:
    """An IPv4 address written as IPv6 (``::ffff:127.0.0.1``, as a dual-stack server sees it) as IPv4."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    mapped = getattr(ip, "ipv4_mapped", None)
    return str(mapped) if mapped is not None else address


def client_address(forwarded_for: str | None, peer: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address for the lock-out. ``X-Forwarded-For`` is believed only when the request
    comes from a configured proxy, and then read from the right, skipping the trusted proxies (the
    left-most entries are whatever the client wrote). Without a peer address: "local"."""
    nets = []
    for p in trusted_proxies:
        try:
            nets.append(ipaddress.ip_network(p, strict=False))
        except ValueError:
            continue

    def trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr)
        except ValueError:
            return False
        return any(ip in n for n in nets)

    if not peer:
        return "local"
    peer = _plain(peer)
    if not forwarded_for or not trusted(peer):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",") if h.strip()]):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed entry: fall back to the proxy itself
    return peer


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

    def _count(self, key: str, policy: AccessPolicy, now: float) -> int:
        """One more try in the window (caller holds the lock); the limit locks. Returns the tries counted."""
        recent = [t for t in self.failures.get(key, []) if now - t < policy.lockout_seconds] + [now]
        if len(recent) >= policy.max_failures:
            self.locked_until[key] = now + policy.lockout_seconds
            self.failures[key] = []
        else:
            self.failures[key] = recent
        return len(recent)

    def fail(self, key: str, policy: AccessPolicy, now: float | None = None) -> int:
        """Record a failure; returns the failures counted in the window (locks at the limit)."""
        now = time.time() if now is None else now
        with self._lock:
            return self._count(key, policy, now)

    MAX_CLIENTS = 20_000  # clients remembered at most: an attacker's fresh keys cannot grow memory without end

    def _prune(self, now: float, window: float) -> None:
        if len(self.failures) + len(self.locked_until) <= self.MAX_CLIENTS:
            return
        self.failures = {k: v for k, v in self.failures.items() if v and now - v[-1] < window}
        self.locked_until = {k: v for k, v in self.locked_until.items() if v > now}
        while len(self.failures) > self.MAX_CLIENTS:  # still too many: forget the oldest
            self.failures.pop(next(iter(self.failures)))

    def attempt(self, key: str, policy: AccessPolicy, now: float | None = None) -> bool:
        """Count an attempt before the password is checked, in one atomic step with the lock-out check:
        False (not counted) when the client is locked. A right password then calls :meth:`reset`; so
        parallel attempts from one client get ``max_failures`` tries in all, never one each."""
        now = time.time() if now is None else now
        with self._lock:
            self._prune(now, policy.lockout_seconds)
            if self.locked_until.get(key, 0.0) > now:
                return False
            self._count(key, policy, now)
            return True

    def reset(self, key: str) -> None:
        with self._lock:
            self.failures.pop(key, None)
            self.locked_until.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self.failures.clear()
            self.locked_until.clear()


    def delay(self, key: str, now: float | None = None) -> float:
        """Seconds the client must wait before its next try: none for the first 2 failures, then
        1, 2, 4 … s (at most 60) — a person retyping a password hardly notices, a script is slowed."""
        now = time.time() if now is None else now
        with self._lock:
            recent = self.failures.get(key, [])
            if len(recent) < 3:
                return 0.0
            return max(0.0, recent[-1] + min(2.0 ** (len(recent) - 3), 60.0) - now)


@dataclass
class GlobalThrottle:
    """A rate limit over all clients: while more than ``per_minute`` failures have happened in the
    last minute, every attempt waits a few seconds (growing with the excess, at most 30 s). Nobody is
    ever locked out by others' failures."""

    per_minute: int = 30
    times: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self._lock:
            self.times = [t for t in self.times if now - t < 60] + [now]

    def wait(self, now: float | None = None) -> float:
        now = time.time() if now is None else now
        with self._lock:
            self.times = [t for t in self.times if now - t < 60]
            excess = len(self.times) - self.per_minute
            if excess <= 0:
                return 0.0
            return max(0.0, self.times[-1] + min(1.0 + excess / 10, 30.0) - now)

    def reserve(self, now: float | None = None) -> float:
        """Reserve one password check, atomically: 0 when it may go ahead (and it is counted now, before
        the check, so parallel requests cannot all pass), else the seconds to wait. At most
        ``per_minute`` checks a minute go ahead from clients not known to the server; :meth:`release`
        gives a reservation back after a right password."""
        now = time.time() if now is None else now
        with self._lock:
            self.times = [t for t in self.times if now - t < 60]
            if len(self.times) >= self.per_minute:
                return max(0.5, self.times[0] + 60 - now)
            self.times.append(now)
            return 0.0

    def release(self) -> None:
        """Give back the latest reservation (a right password is no guess)."""
        with self._lock:
            if self.times:
                self.times.pop()

    def clear(self) -> None:
        with self._lock:
            self.times.clear()


LOCKOUT = Lockout()
THROTTLE = GlobalThrottle()
