"""Sign-in at the HTTP layer: an ASGI middleware in front of everything the server serves.

With ``[access] mode = "password"`` in ``.streamlit/secrets.toml``, nothing answers without a valid
session cookie but the sign-in page, the health check and the static assets of the page shell (the
JavaScript and CSS every visitor gets; no data): not the websocket that runs the pages, not ``/media``
(downloads, the deck, the report), not uploads, not ``/_stcore/metrics``, not component files. The
page script's own sign-in (``components.ui.widgets.require_access``) stays as a second line.

With ``mode = "oidc"`` the same holds with the identity provider's sign-in: the gate's sign-in page
links to Streamlit's ``/auth/login`` (its routes ``/auth/*`` and ``/oauth2callback`` answer), and the
identity is Streamlit's signed ``_streamlit_user`` cookie, checked against the allow-list
(``allowed_emails``/``allowed_domains``, a verified address) on every request.

- **The cookie** (``td_session``) is ``<id>.<expiry>.<HMAC-SHA256>``, HttpOnly, SameSite=Lax (Secure over
  HTTPS), signed with ``[access] cookie_secret`` (or a random secret made at start-up: every sign-in then
  ends with a restart), valid for ``session_hours`` (12) and only while its id is in the server's list:
  signing out (``/_signout``) removes it.
- **Session ids are not credentials**: a websocket that asks to resume a Streamlit session (the third
  ``Sec-WebSocket-Protocol`` entry) resumes it only when that session was opened under the same cookie;
  otherwise the id is dropped and a new session starts. The page script records the owner
  (:func:`bind_session`).
- **Failed sign-ins** are counted per client — the address, read from ``X-Forwarded-For`` only when the
  peer is a configured ``trusted_proxies`` entry, plus a per-browser ``td_device`` cookie, so users
  behind one tunnel or on loopback do not lock each other out — and across all clients (a global rate
  limit, which bounds a client that throws its cookies away). The check and the count are one atomic
  step, so parallel attempts cannot pass the limit. The password check (PBKDF2, ~0.3 s) runs off the
  event loop.
- The sign-in form carries a CSRF token (double-submit cookie) and sends a visitor back only to a
  path of this site.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import html
import logging
import re
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

from components.audit.trail import Event
from components.figures.style import DARK_RED, NAVY, PANEL, TEXT, WHITE
from components.ui.access import (
    LOCKOUT,
    SHARED,
    THROTTLE,
    AccessPolicy,
    account_key,
    check_user,
    client_address,
    failed_actor,
    policy_from_secrets,
    session_role,
)

LOG = logging.getLogger("trial_dashboard.gate")
COOKIE = "td_session"
DEVICE_COOKIE = "td_device"
CSRF_COOKIE = "td_csrf"
SIGNIN_PATH = "/_signin"
SIGNOUT_PATH = "/_signout"
#: Answer without a sign-in: the health check (load balancers), the page shell's static files, and the
#: browser's own requests for an icon or manifest. Nothing here carries trial data.
PUBLIC_PATHS = frozenset({"/_stcore/health", "/favicon.png", "/manifest.json", "/_stcore/host-config"})
PUBLIC_PREFIXES = ("/static/",)
#: Streamlit's OIDC routes: they answer without a sign-in in the OIDC mode (they are the sign-in).
OIDC_PATHS = frozenset({"/auth/login", "/auth/logout", "/oauth2callback"})
#: Paths that are the server's machinery, never a page a person opens: 401, not a redirect.
API_PREFIXES = ("/_stcore/", "/media/", "/component/", "/app/static/", "/auth/", "/oauth2callback")
UPLOAD_PREFIX = "/_stcore/upload_file/"
MEDIA_PREFIX = "/media/"


@dataclass
class Sessions:
    """The signed-in browser sessions (cookie ids and their expiry) and which Streamlit session each
    opened. Process-wide and thread-safe."""

    secret: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    live: dict[str, float] = field(default_factory=dict)  # cookie id → expiry (epoch seconds)
    owners: dict[str, str] = field(default_factory=dict)  # Streamlit session id → cookie id
    sockets: dict[str, set] = field(default_factory=dict)  # cookie id → events that end its open websockets
    trusted: dict[str, None] = field(default_factory=dict)  # browsers (td_device) that have signed in
    users: dict[str, str] = field(default_factory=dict)  # cookie id → user name ([access.users]; "" shared)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _mac(self, ident: str, expiry: int, secret: bytes) -> str:
        return hmac.new(secret, f"{ident}.{expiry}".encode(), hashlib.sha256).hexdigest()

    def issue(self, hours: float, secret: bytes | None = None, now: float | None = None, user: str = "") -> str:
        """A new signed cookie value, registered as live (for ``user``, a configured user's name)."""
        now = time.time() if now is None else now
        ident = secrets.token_urlsafe(24)
        expiry = int(now + hours * 3600)
        with self._lock:
            self.live = {k: v for k, v in self.live.items() if v > now}
            self.owners = {s: o for s, o in self.owners.items() if o in self.live or o.startswith("oidc:")}
            self.users = {k: v for k, v in self.users.items() if k in self.live}
            self.live[ident] = expiry
            self.users[ident] = user
        return f"{ident}.{expiry}.{self._mac(ident, expiry, secret or self.secret)}"

    def verify(self, token: str | None, secret: bytes | None = None, now: float | None = None) -> str | None:
        """The cookie id of a valid, unexpired, live token; None otherwise."""
        if not token:
            return None
        now = time.time() if now is None else now
        try:
            ident, expiry_text, mac = token.split(".")
            expiry = int(expiry_text)
        except ValueError:
            return None
        expected = self._mac(ident, expiry, secret or self.secret)
        if not hmac.compare_digest(mac.encode("utf-8", "replace"), expected.encode()) or expiry <= now:
            return None
        with self._lock:
            return ident if self.live.get(ident, 0) > now else None

    def user_of(self, ident: str | None) -> str:
        """The user name a cookie id was issued to ("" for the shared password or an unknown id)."""
        with self._lock:
            return self.users.get(ident or "", "")

    def revoke(self, ident: str) -> None:
        with self._lock:
            self.live.pop(ident, None)
            self.users.pop(ident, None)
            self.owners = {s: o for s, o in self.owners.items() if o != ident}
            sockets = self.sockets.pop(ident, set())
        for ended in sockets:  # the browser's open websocket ends with the sign-in, not at its next reload
            ended.set()

    def watch(self, ident: str, ended) -> None:
        with self._lock:
            self.sockets.setdefault(ident, set()).add(ended)

    def unwatch(self, ident: str, ended) -> None:
        with self._lock:
            self.sockets.get(ident, set()).discard(ended)

    def trust(self, device: str) -> None:
        """A browser that has signed in: the global rate limit does not hold it back while others guess."""
        with self._lock:
            self.trusted[device] = None
            while len(self.trusted) > 10_000:
                self.trusted.pop(next(iter(self.trusted)))

    def trusted_device(self, device: str | None) -> bool:
        with self._lock:
            return bool(device) and device in self.trusted

    def bind(self, session_id: str, ident: str) -> None:
        with self._lock:
            self.owners.setdefault(session_id, ident)

    def owner(self, session_id: str) -> str | None:
        with self._lock:
            return self.owners.get(session_id)

    def clear(self) -> None:
        with self._lock:
            self.live.clear()
            self.owners.clear()
            self.sockets.clear()
            self.trusted.clear()
            self.users.clear()


SESSIONS = Sessions()


def bind_session(session_id: str, token: str | None, policy: AccessPolicy) -> str | None:
    """Called by the page script: records that ``session_id`` was opened under the cookie ``token``.
    The cookie's id when the token is valid (the visitor signed in at the HTTP layer), else None."""
    ident = SESSIONS.verify(token, _secret(policy))
    if ident is None:
        return None
    SESSIONS.bind(session_id, ident)
    return ident


def sign_in_id(ident: str) -> str:
    """What the audit trail records of a sign-in: a hash of its cookie id, never the id itself (which,
    with the signature, is the credential)."""
    return hashlib.sha256(f"td-sign-in:{ident}".encode()).hexdigest()[:16]


def bind_identity(session_id: str, ident: str) -> None:
    """Called by the page script in the OIDC mode: ``session_id`` was opened by ``ident``."""
    SESSIONS.bind(session_id, ident)


def oidc_identity(cookies: dict[str, str], policy: AccessPolicy) -> str | None:
    """``oidc:<e-mail>`` of the user Streamlit's signed ``_streamlit_user`` cookie names, when it is valid
    (Streamlit's cookie secret, the redirect URI's origin), signed in and on the allow-list; else None."""
    from streamlit.auth_util import get_origin_from_redirect_uri
    from streamlit.web.server.starlette.starlette_websocket import (
        _get_signed_cookie_with_chunks,
        _parse_decoded_user_cookie,
    )

    from components.ui.access import email_allowed

    try:
        decoded = _get_signed_cookie_with_chunks(cookies, "_streamlit_user")
        origin = get_origin_from_redirect_uri()
        user = _parse_decoded_user_cookie(decoded, origin) if decoded is not None and origin else {}
    except Exception:  # no [auth] section, a malformed cookie: nobody
        return None
    if not user.get("is_logged_in") or not email_allowed(user.get("email"), policy, user.get("email_verified")):
        return None
    return f"oidc:{str(user['email']).lower()}"


async def _audit(event: Event, seconds: float = 10.0) -> None:
    """Append a sign-in event to the audit trail, off the event loop, waiting at most ``seconds`` (a
    database that does not answer never holds a sign-in up); a trail that cannot be written is logged
    (the sign-in itself goes on: the pages then say the trail is unavailable)."""
    from components.ui.audit import record_event

    try:
        await asyncio.wait_for(asyncio.to_thread(record_event, event), timeout=seconds)
    except TimeoutError:
        LOG.error("audit trail: %s not recorded within %s s", event.action, seconds)


def _secret(policy: AccessPolicy) -> bytes | None:
    return policy.cookie_secret.encode() if policy.cookie_secret else None


def _cookies(scope: dict) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k:
                    out.setdefault(k, v)
    return out


def _header(scope: dict, name: bytes) -> str | None:
    for k, v in scope.get("headers", []):
        if k == name:
            return v.decode("latin-1")
    return None


_DEVICE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _token(cookies: dict[str, str], name: str) -> str | None:
    """A cookie's value when it is one the sign-in page could have set (no 60 KB keys, no odd bytes)."""
    value = cookies.get(name)
    return value if value and _DEVICE.match(value) else None


def _device(cookies: dict[str, str]) -> str | None:
    """The browser's ``td_device`` id (:func:`_token`)."""
    return _token(cookies, DEVICE_COOKIE)


def _client_key(scope: dict, policy: AccessPolicy, device: str | None) -> str:
    peer = (scope.get("client") or (None, None))[0]
    address = client_address(_header(scope, b"x-forwarded-for"), peer, policy.trusted_proxies)
    return f"{address}|{device or '-'}"


_NEXT = re.compile(r"^/(?![/\\])[A-Za-z0-9._~!$&'()*+,;=:@%/?-]*$")


def _safe_next(value: str | None) -> str:
    """A path of this site to go back to: printable URL characters only (a tab, a control or a Unicode
    space can turn '/\t/host' into '//host' in a browser), never '//host', never a backslash."""
    if not value or not _NEXT.match(value) or "//" in value.split("?", 1)[0] or "%09" in value.lower():
        return "/"
    return value


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class AccessGate:
    """ASGI middleware: see the module docstring. ``load_policy`` reads the ``[access]`` settings (the
    app passes Streamlit's secrets); the policy is read again at most every ``reload_seconds``."""

    def __init__(self, app, load_policy=None, reload_seconds: float = 5.0) -> None:
        self.app = app
        install_media_guards()
        self._load_policy = load_policy or read_policy
        self._reload = reload_seconds
        self._policy: tuple[float, AccessPolicy] | None = None

    def policy(self) -> AccessPolicy:
        now = time.monotonic()
        if self._policy is None or now - self._policy[0] > self._reload:
            try:
                self._policy = (now, self._load_policy())
            except Exception:  # unreadable secrets: closed, not open
                self._policy = (now, AccessPolicy(mode="closed"))
        return self._policy[1]

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        policy = self.policy()
        if policy.mode == "none":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "/")
        if policy.mode == "closed":  # unreadable or misspelt access settings: closed, never open
            if _public(path):
                await self.app(scope, receive, send)
            elif scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 4401, "reason": "access settings invalid"})
            else:
                await _page(send, 503, _form("/", "", "The sign-in settings cannot be read ([access] in secrets.toml): "
                                                      "the dashboard is closed. · 无法读取登录设置，看板已关闭。")
                            .replace("<form", "<form hidden"), [])
            return
        if scope["type"] == "http" and path == SIGNIN_PATH:
            await (self._signin(scope, receive, send, policy) if policy.mode == "password"
                   else _page(send, 200, _oidc_form(policy), []))
            return
        if scope["type"] == "http" and path == SIGNOUT_PATH:
            await self._signout(scope, receive, send, policy)
            return
        if _public(path) or (policy.mode == "oidc" and path in OIDC_PATHS):
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        ident = SESSIONS.verify(cookies.get(COOKIE), _secret(policy)) if policy.mode == "password" \
            else oidc_identity(cookies, policy)
        if ident is not None and policy.mode == "password" and policy.users and not policy.user(SESSIONS.user_of(ident)):
            SESSIONS.revoke(ident)  # the person was removed from [access.users] (or signed in with the old shared
            ident = None            # password): their sign-in ends now, not when the cookie expires
        if ident is None:
            await self._refuse(scope, send, path)
            return
        if scope["type"] == "http" and path.startswith(MEDIA_PREFIX) and not _media_is_theirs(path, ident):
            # a download, the deck, the report: only to the sessions that made it, and gone with them
            await _respond(send, 404, b"not found", [(b"content-type", b"text/plain; charset=utf-8")])
            return
        if scope["type"] == "http" and path.startswith(UPLOAD_PREFIX):
            owner = SESSIONS.owner(path[len(UPLOAD_PREFIX):].split("/", 1)[0])
            if owner != ident:  # a session id is no credential here either: uploads go to one's own session
                await _respond(send, 403, b"not your session", [(b"content-type", b"text/plain; charset=utf-8")])
                return
        if scope["type"] == "websocket":
            await self._websocket(_bound_to(scope, ident), receive, send, ident, _expiry(cookies.get(COOKIE)))
            return
        await self.app(scope, receive, send)

    async def _websocket(self, scope, receive, send, ident: str, expiry: float | None) -> None:
        """The websocket, closed by the server when its sign-in ends (sign-out, or the cookie's expiry)
        rather than living on until the browser reloads."""
        ended = asyncio.Event()
        SESSIONS.watch(ident, ended)
        closed = False

        async def guarded_receive():
            nonlocal closed
            if closed:
                return {"type": "websocket.disconnect", "code": 4401}
            waiting = asyncio.ensure_future(receive())
            stop = asyncio.ensure_future(ended.wait())
            left = None if expiry is None else max(expiry - time.time(), 0.0)
            done, _pending = await asyncio.wait({waiting, stop}, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            if waiting in done:
                stop.cancel()
                return waiting.result()
            waiting.cancel()
            stop.cancel()
            closed = True
            try:
                await send({"type": "websocket.close", "code": 4401, "reason": "signed out"})
            except Exception:  # already closing
                pass
            return {"type": "websocket.disconnect", "code": 4401}

        try:
            await self.app(scope, guarded_receive, send)
        finally:
            SESSIONS.unwatch(ident, ended)

    async def _refuse(self, scope, send, path: str) -> None:
        if scope["type"] == "websocket":  # closed before the handshake: the browser sees HTTP 403
            await send({"type": "websocket.close", "code": 4401, "reason": "sign in first"})
            return
        method = scope.get("method", "GET")
        if method == "GET" and not path.startswith(API_PREFIXES):
            query = scope.get("query_string", b"").decode("latin-1")
            target = _safe_next(path + (f"?{query}" if query else ""))
            await _respond(send, 303, b"", [(b"location", f"{SIGNIN_PATH}?next={urllib.parse.quote(target)}".encode())])
            return
        await _respond(send, 401, b"sign in first", [(b"content-type", b"text/plain; charset=utf-8")])

    async def _signin(self, scope, receive, send, policy: AccessPolicy) -> None:
        cookies = _cookies(scope)
        query = urllib.parse.parse_qs(scope.get("query_string", b"").decode("latin-1"))
        device = _device(cookies) or secrets.token_urlsafe(16)
        csrf = _token(cookies, CSRF_COOKIE) or secrets.token_urlsafe(16)
        set_cookies = [_cookie(DEVICE_COOKIE, device, 365 * 24 * 3600, scope), _cookie(CSRF_COOKIE, csrf, 3600, scope)]
        if scope.get("method") != "POST":
            nxt = _safe_next((query.get("next") or ["/"])[0])
            await _page(send, 200, _form(nxt, csrf, "", users=bool(policy.users)), set_cookies)
            return
        body = await _read_body(receive, limit=8192)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        nxt = _safe_next((form.get("next") or ["/"])[0])
        if not _same_token((form.get("csrf") or [""])[0], cookies.get(CSRF_COOKIE)):
            await _page(send, 403, _form(nxt, csrf, "The form expired: please try again. · 表单已过期，请重试。",
                                         users=bool(policy.users)),
                        set_cookies)
            return
        known = _device(cookies)
        key = _client_key(scope, policy, known)
        wait = max(LOCKOUT.locked_for(key, policy), LOCKOUT.delay(key))
        reserved = False
        if not wait and not SESSIONS.trusted_device(known):  # a browser that has signed in is never held back
            wait = THROTTLE.reserve()
            reserved = wait == 0
        if wait > 0 or not LOCKOUT.attempt(key, policy):
            if reserved:
                THROTTLE.release()
            wait = max(wait, LOCKOUT.locked_for(key, policy), 1.0)
            await _page(send, 429, _form(nxt, csrf, f"Too many attempts: wait {wait:.0f} s. · 尝试次数过多：请等待 "
                                                    f"{wait:.0f} 秒。", users=bool(policy.users)), set_cookies)
            return
        password = (form.get("password") or [""])[0]
        name = (form.get("user") or [""])[0][:200]
        # one password per person: each name has its own count too, so a signed-in colleague (whose own
        # sign-in clears their browser's count) gets max_failures guesses at another's password per
        # lock-out window, not an unlimited series; unknown names count alike (no name is told apart)
        account = account_key(policy, name)
        if account is not None and not LOCKOUT.attempt(account, policy):
            if reserved:
                THROTTLE.release()
            wait = max(LOCKOUT.locked_for(account, policy), 1.0)
            await _page(send, 429, _form(nxt, csrf, f"Too many attempts: wait {wait:.0f} s. · 尝试次数过多：请等待 "
                                                    f"{wait:.0f} 秒。", users=True), set_cookies)
            return
        user = await asyncio.to_thread(check_user, policy, name, password)
        address = key.split("|", 1)[0]
        if user is None:
            # the name is kept only when it is a configured user's: a password typed into the name field
            # never reaches the trail
            await _audit(Event("sign_in_failed", failed_actor(policy, name), client=address))
            await _page(send, 401, _form(nxt, csrf, "Wrong user name or password. · 用户名或密码错误。" if policy.users
                                         else "Wrong password. · 密码错误。", users=bool(policy.users)), set_cookies)
            return
        if reserved:
            THROTTLE.release()
        LOCKOUT.reset(key)
        if account is not None:
            LOCKOUT.reset(account)
        if known:
            SESSIONS.trust(known)
        token = SESSIONS.issue(policy.session_hours, _secret(policy), user=user)
        role = session_role(policy, user=user)
        await _audit(Event("sign_in", user or SHARED, role=role.audit_code, client=address,
                           session=sign_in_id(token.split(".")[0]), detail={"mode": "password"}))
        await _respond(send, 303, b"", [(b"location", nxt.encode()),
                                        _cookie(COOKIE, token, int(policy.session_hours * 3600), scope)])

    async def _signout(self, scope, receive, send, policy: AccessPolicy) -> None:
        """GET: a page with one button; POST (with the form's token): the sign-in ends, on the server too,
        and every websocket it opened is closed. A link from another site cannot sign anyone out."""
        cookies = _cookies(scope)
        if scope.get("method") != "POST":
            csrf = _token(cookies, CSRF_COOKIE) or secrets.token_urlsafe(16)
            await _page(send, 200, _signout_form(csrf), [_cookie(CSRF_COOKIE, csrf, 3600, scope)])
            return
        form = urllib.parse.parse_qs((await _read_body(receive, limit=2048)).decode("utf-8", "replace"))
        if not _same_token((form.get("csrf") or [""])[0], cookies.get(CSRF_COOKIE)):
            await _respond(send, 303, b"", [(b"location", SIGNOUT_PATH.encode())])
            return
        if policy.mode == "oidc":  # Streamlit's own sign-out clears its cookie (and the provider's session)
            ident = oidc_identity(cookies, policy)
            if ident is not None:
                SESSIONS.revoke(ident)
                email = ident.removeprefix("oidc:")
                await _audit(Event("sign_out", email, role=session_role(policy, email=email).audit_code,
                                   client=_client_key(scope, policy, None).split("|", 1)[0]))
            await _respond(send, 303, b"", [(b"location", b"/auth/logout")])
            return
        ident = SESSIONS.verify(cookies.get(COOKIE), _secret(policy))
        if ident is not None:
            user = SESSIONS.user_of(ident)
            SESSIONS.revoke(ident)
            await _audit(Event("sign_out", user or SHARED, role=session_role(policy, user=user).audit_code,
                               client=_client_key(scope, policy, None).split("|", 1)[0], session=sign_in_id(ident)))
        await _respond(send, 303, b"", [(b"location", SIGNIN_PATH.encode()), _cookie(COOKIE, "", 0, scope)])


#: Files made on demand (a deferred download: the deck, the report, a CSV) → the sessions that made them.
#: Streamlit's manager does not record it; :func:`install_media_guards` does.
MEDIA_MADE_BY: dict[str, set[str]] = {}


def _media_is_theirs(path: str, ident: str) -> bool:
    """Whether a ``/media/<file id>.<ext>`` file belongs to a live Streamlit session opened by ``ident``:
    one that shows it (Streamlit's media manager) or made it on demand (:data:`MEDIA_MADE_BY`). A file
    no live session of theirs holds is no one's: it expires with its session. When Streamlit's runtime
    cannot be asked (the gate tested alone), the sign-in alone decides."""
    file_id = path[len(MEDIA_PREFIX):].split("/", 1)[0].split(".", 1)[0]
    try:
        from streamlit.runtime import Runtime

        runtime = Runtime.instance()
        manager = runtime.media_file_mgr
        with manager._lock:
            sessions = {s for s, coords in manager._files_by_session_and_coord.items() if file_id in coords.values()}
        sessions |= MEDIA_MADE_BY.get(file_id, set())
        return any(SESSIONS.owner(s) == ident and runtime.is_active_session(s) for s in sessions)
    except Exception:  # no runtime (tests of the gate alone) or another Streamlit: signed in is enough
        return True


def install_media_guards() -> None:
    """Two guards on Streamlit's on-demand downloads (Streamlit 1.67; skipped if its internals differ):
    a deferred download runs only for the session that registered it (Streamlit ran any session's by its
    id), and the file it makes is recorded as that session's (:data:`MEDIA_MADE_BY`)."""
    try:
        from streamlit.runtime import backend_operation_handler as bo
        from streamlit.runtime.media_file_manager import MediaFileManager
    except ImportError:
        return
    if getattr(MediaFileManager.execute_deferred, "_guarded", False):
        return
    original_execute = MediaFileManager.execute_deferred
    original_handle = bo.DeferredFileHandler.handle

    def execute_deferred(self, file_id: str) -> str:
        with self._lock:
            owner = (self._deferred_callables.get(file_id) or {}).get("session_id")
        url = original_execute(self, file_id)
        made = url.rsplit("/", 1)[-1].split(".", 1)[0]
        if owner:
            MEDIA_MADE_BY.setdefault(made, set()).add(owner)
            if len(MEDIA_MADE_BY) > 10_000:
                MEDIA_MADE_BY.pop(next(iter(MEDIA_MADE_BY)))
        return url

    async def handle(self, request, session_id: str):
        manager = self._get_media_file_mgr()
        with manager._lock:
            entry = manager._deferred_callables.get(request.deferred_file.file_id)
        if entry is not None and entry.get("session_id") != session_id:
            return bo.BackendOperationResponse(request_id=request.request_id,
                                               error_msg="Failed to generate file for download")
        return await original_handle(self, request, session_id)

    execute_deferred._guarded = True  # type: ignore[attr-defined]
    MediaFileManager.execute_deferred = execute_deferred
    bo.DeferredFileHandler.handle = handle


def _same_token(given: str, expected: str | None) -> bool:
    """The form's CSRF token equals the cookie's; a missing or empty cookie matches nothing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8", "replace"))


def _expiry(token: str | None) -> float | None:
    try:
        return float(int(str(token).split(".")[1]))
    except (IndexError, ValueError):
        return None


def _bound_to(scope: dict, ident: str) -> dict:
    """The websocket scope with the resumed session id dropped unless ``ident`` opened that session."""
    raw = _header(scope, b"sec-websocket-protocol")
    if not raw:
        return scope
    entries = [e.strip() for e in raw.split(",")]
    if len(entries) < 3 or not entries[2] or SESSIONS.owner(entries[2]) == ident:
        return scope
    kept = ", ".join(entries[:2]).encode("latin-1")
    headers = [(k, kept if k == b"sec-websocket-protocol" else v) for k, v in scope["headers"]]
    return {**scope, "headers": headers}


def _cookie(name: str, value: str, max_age: int, scope: dict) -> tuple[bytes, bytes]:
    secure = scope.get("scheme") in ("https", "wss")
    attrs = f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
    return (b"set-cookie", attrs.encode("latin-1"))


async def _read_body(receive, limit: int, seconds: float = 10.0) -> bytes:
    """The request body, at most ``limit`` bytes within ``seconds`` (a client that trickles it in is cut
    off: b"")."""
    async def read() -> bytes:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > limit:
                return b""
            if not message.get("more_body"):
                return body

    try:
        return await asyncio.wait_for(read(), timeout=seconds)
    except TimeoutError:
        return b""


async def _respond(send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store"),
               (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _page(send, status: int, text: str, cookies: list[tuple[bytes, bytes]]) -> None:
    await _respond(send, status, text.encode("utf-8"),
                   [(b"content-type", b"text/html; charset=utf-8"),
                    (b"content-security-policy", b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
                    *cookies])


def _form(next_path: str, csrf: str, message: str, users: bool = False) -> str:
    """The sign-in page, in both languages (the visitor's language is not known before sign-in); with
    ``users`` (one password per person) it asks for the user name too."""
    esc = html.escape
    alert = f"<p class='alert'>{esc(message)}</p>" if message else ""
    name = ('<label for="user">User name · 用户名</label><input id="user" type="text" name="user" '
            'autocomplete="username" autocapitalize="none" spellcheck="false" autofocus required>') if users else ""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Trial dashboard · 试验看板</title>
<style>body{{font-family:Arial,'Noto Sans CJK SC',sans-serif;color:{TEXT};background:{PANEL};margin:0}}
main{{max-width:380px;margin:12vh auto;background:#fff;padding:32px;border-radius:8px;box-shadow:0 1px 4px #0002}}
h1{{font-size:22px;margin:0 0 16px}}label{{display:block;margin:12px 0 6px}}
input[type=password],input[type=text]{{width:100%;box-sizing:border-box;padding:8px;font-size:16px}}
button{{margin-top:16px;padding:8px 20px;font-size:16px;background:{NAVY};color:{WHITE};border:0;border-radius:4px}}
.alert{{color:{DARK_RED}}}</style></head><body><main>
<h1>Trial dashboard · 试验看板</h1><p>Sign in to see the trial data. · 登录后查看试验数据。</p>{alert}
<form method="post" action="{SIGNIN_PATH}"><input type="hidden" name="next" value="{esc(next_path)}">
<input type="hidden" name="csrf" value="{esc(csrf)}">{name}<label for="pw">Password · 密码</label>
<input id="pw" type="password" name="password" autocomplete="current-password"{"" if users else " autofocus"} required>
<button type="submit">Sign in · 登录</button></form></main></body></html>"""


def _oidc_form(policy: AccessPolicy) -> str:
    """The OIDC sign-in page: one link to the identity provider through Streamlit's ``/auth/login``."""
    from streamlit.auth_util import encode_provider_token

    try:
        href = "/auth/login?provider=" + urllib.parse.quote(encode_provider_token(policy.provider or "default"))
    except Exception:  # no [auth] section: say so instead of a dead link
        return _form("/", "", "Sign-in is required but the identity provider is not configured ([auth] in "
                              "secrets.toml). · 需要登录，但未配置身份提供方。").replace("<form", "<form hidden")
    esc = html.escape
    return _form("/", "", "").replace(
        '<form method="post"', f'<p><a href="{esc(href)}">Sign in with your institutional account · 使用机构账号登录</a>'
                               '</p><form hidden method="post"')


def _signout_form(csrf: str) -> str:
    page = _form("/", csrf, "")
    page = page.replace('action="/_signin"', f'action="{SIGNOUT_PATH}"')
    page = re.sub(r'<label for="pw">.*?required>', "", page, flags=re.S)
    return page.replace("Sign in · 登录</button>", "Sign out · 退出登录</button>").replace(
        "Sign in to see the trial data. · 登录后查看试验数据。", "End this sign-in? · 是否退出登录？")


def access_secrets() -> dict:
    """The secrets as a dict; {} when no secrets file exists. A file that exists but cannot be read
    raises: the caller closes the dashboard (Streamlit reports both cases as FileNotFoundError, and
    treating a typo in secrets.toml as "no sign-in" opened the app to everyone)."""
    import os

    import streamlit as st
    from streamlit import config

    try:
        return st.secrets.to_dict()
    except FileNotFoundError:
        if any(os.path.exists(p) for p in config.get_option("secrets.files")):
            raise
        return {}


def read_policy() -> AccessPolicy:
    """The ``[access]`` policy, "closed" when the secrets exist but cannot be read."""
    try:
        return policy_from_secrets(access_secrets())
    except Exception:
        return AccessPolicy(mode="closed")

