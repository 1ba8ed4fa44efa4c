"""What a session does, recorded in the audit trail (components/audit/trail.py; issue 35, item 4).

- **sign-ins** (password modes) and sign-outs are recorded by the gate (components/ui/gate.py); an OIDC
  sign-in the first time the server sees that sign-in's cookie (:func:`oidc_signed_in`);
- **views**: a page opened on a cut — a new page, cut, comparison cut or role (:func:`viewed`), with the
  cut's name, source and each file's SHA-256; re-runs of the same page (a click on a widget) are not
  views;
- **settings**: a change of data source, cut, comparison cut, filter, theme or language (:func:`viewed`
  compares the session's settings with the last ones), or of another kept option (:func:`setting`);
- **role changes** (the access settings edited while a session is open);
- **exports**: every download (deck, report, CSV, PNG, SVG) is recorded when it is made, with the file,
  the audience stamp, the cut and the filters (:func:`audited`). The row is written once the file is
  made, before it is handed over: if the trail cannot take it, there is no file.

Nothing here stops a page when the trail is down: the page says so (:func:`unavailable_note`) and the
exports fail rather than go unrecorded.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from components.audit.trail import AuditTrail, AuditUnavailable, Event, database_url, trail
from components.data.datasets import DataCut
from components.data.roles import Role
from components.i18n import N_, _, language
from components.ui.access import SHARED, UNKNOWN_USER

LOG = logging.getLogger("trial_dashboard.audit")
USER_KEY = "_access_user"  # the configured user signed in ([access.users]); "" for the shared password
_FAILED_KEY = "_audit_failed"
_VIEW_KEY = "_audit_view"
_SETTINGS_KEY = "_audit_settings"
_ROLE_KEY = "_audit_role"
#: Kept widgets whose changes :func:`viewed` records as part of the session's settings (not again by
#: :func:`setting`).
SIDEBAR_KEYS = ("data_source", "cut_", "compare_", "flt_", "presentation")
LOCAL = "local (no sign-in)"
_SEEN_SIGN_INS: dict[str, None] = {}
_SEEN_LOCK = threading.Lock()


def trail_url() -> str:
    """The trail's database URL (environment, secrets, else the file beside the app)."""
    from components.ui.gate import access_secrets

    try:
        secrets_map = access_secrets()
    except Exception:  # noqa: BLE001 - unreadable secrets: the default file (the gate keeps the app closed)
        secrets_map = {}
    return database_url(secrets_map)


def current_trail() -> AuditTrail:
    """The server's trail (made and migrated on first use). Raises :class:`AuditUnavailable`."""
    return trail(trail_url())


def record_event(event: Event) -> bool:
    """Append one event; False (and the reason in the server log) when the trail cannot take it."""
    try:
        current_trail().record(event)
        return True
    except Exception as exc:  # noqa: BLE001 - whatever the database says, the caller decides
        LOG.error("audit trail not written (%s): %s", event.action, exc)
        return False


@dataclass(frozen=True)
class Who:
    """The person behind a session, as the trail names them."""

    actor: str
    role: str
    client: str
    session: str


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:16]


def who(role: Role | None = None) -> Who:
    """Who runs this session: the OIDC address, the configured user, "shared password", or the local
    open mode; their role; their address (X-Forwarded-For only from a trusted proxy); and the sign-in's
    id (a hash of the cookie id; the Streamlit session's without a sign-in)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from components.ui.access import client_address
    from components.ui.gate import COOKIE, SESSIONS, _secret, read_policy, sign_in_id
    from components.ui.widgets import current_role

    policy = read_policy()
    role = role or current_role()
    try:
        cookies = st.context.cookies
        xff = st.context.headers.get("X-Forwarded-For")
        ip = st.context.ip_address
    except Exception:  # noqa: BLE001 - no request behind this run (AppTest)
        cookies, xff, ip = {}, None, None
    client = client_address(xff if isinstance(xff, str) else None, ip if isinstance(ip, str) else None,
                            policy.trusted_proxies)
    ctx = get_script_run_ctx()
    session = _hash(f"streamlit:{ctx.session_id}") if ctx is not None else ""
    if policy.mode == "oidc":
        try:
            email = str(st.user.get("email") or "").lower()
        except Exception:  # noqa: BLE001
            email = ""
        token = cookies.get("_streamlit_user") if cookies else None
        return Who(email or "(unknown)", role.audit_code, client, _hash(f"oidc:{token}") if token else session)
    if policy.mode == "password":
        ident = SESSIONS.verify(cookies.get(COOKIE) if cookies else None, _secret(policy))
        user = st.session_state.get(USER_KEY) or (SESSIONS.user_of(ident) if ident else "")
        return Who(user or SHARED, role.audit_code, client, sign_in_id(ident) if ident else session)
    return Who(LOCAL, role.audit_code, client, session)


def cut_detail(cut: DataCut) -> tuple[str, dict[str, object]]:
    """The cut as the trail names it ("2026-11-01", its folder's name; a role's restriction of it is in
    the row's role) and its source and files' SHA-256 hashes; made once per cut (every download button
    of every run asks)."""
    from components.ui.widgets import memo

    return memo(cut, ("audit-cut",), lambda: _cut_detail(cut))


def _cut_detail(cut: DataCut) -> tuple[str, dict[str, object]]:
    from components.data.readers import table_name_for

    # files by the table they hold (an uploaded file's own name is the uploader's text: it could name a
    # patient), each with its SHA-256
    files = {f"{table_name_for(name) or 'other'}{Path(name).suffix.lower()}": digest
             for name, digest in (getattr(cut, "file_hashes", {}) or {}).items()}
    return cut.name.split("|", 1)[0], {"source": cut.source, "cutoff": cut.cutoff_text, "synthetic": cut.synthetic,
                                       "files": files, "content": cut.fingerprint[:16]}


def record(action: str, page: str = "", cut: DataCut | None = None, target: str = "",
           detail: Mapping[str, object] | None = None, role: Role | None = None) -> bool:
    """Record an event of this session; a failure is remembered for :func:`unavailable_note`."""
    w = who(role)
    cut_name, cut_info = cut_detail(cut) if cut is not None else ("", {})
    info = {**({"cut": cut_info} if cut is not None else {}), **(detail or {})}
    ok = record_event(Event(action, w.actor, w.role, w.client, w.session, page, cut_name, target, info))
    st.session_state[_FAILED_KEY] = not ok  # said on the page until a row is written again
    return ok


def oidc_signed_in(email: str, role: Role) -> None:
    """An OIDC sign-in: recorded the first time this server sees the sign-in's cookie (so once per
    sign-in and server start), and marked as recorded only once its row is written."""
    try:
        token = st.context.cookies.get("_streamlit_user")
    except Exception:  # noqa: BLE001
        token = None
    key = _hash(f"oidc:{token or email}")
    with _SEEN_LOCK:
        if key in _SEEN_SIGN_INS:
            return
        _SEEN_SIGN_INS[key] = None  # taken: a second tab of the same sign-in does not record it again
    if not record("sign_in", detail={"mode": "oidc"}, role=role):
        with _SEEN_LOCK:
            _SEEN_SIGN_INS.pop(key, None)  # not written: tried again on the next run
        return
    with _SEEN_LOCK:
        while len(_SEEN_SIGN_INS) > 10_000:
            _SEEN_SIGN_INS.pop(next(iter(_SEEN_SIGN_INS)))


def settings_of(state) -> dict[str, object]:
    """The settings of a session that the trail follows: data source, cut, comparison cut, filters,
    theme and language."""
    from components.ui.widgets import kept_value

    return {"source": str(kept_value("data_source", "")), "cut": state.cut.name.split("|", 1)[0],
            "compare": state.compare_name or "",
            "filters": {k: list(v) for k, v in state.selection.items() if v}, "presentation": state.presentation,
            "language": language()}


def viewed(page: str, state) -> None:
    """Record the session's role change, settings change and page view, each only when it is new."""
    role = state.role
    code = role.audit_code
    before_role = st.session_state.get(_ROLE_KEY)
    if before_role is None or before_role == code or record("role", page, target=code,
                                                             detail={"before": before_role, "after": code}, role=role):
        st.session_state[_ROLE_KEY] = code  # (not written: tried again on the next run, never lost)
    now = settings_of(state)
    before = st.session_state.get(_SETTINGS_KEY)
    changed = {k: {"before": before.get(k), "after": v} for k, v in now.items() if before.get(k) != v} if before else {}
    if not changed or record("setting", page, state.cut, target=", ".join(changed), detail={"changed": changed},
                             role=role):
        st.session_state[_SETTINGS_KEY] = now
    view = (page, state.cut.fingerprint, state.compare_name or "", code)
    if st.session_state.get(_VIEW_KEY) != view:
        if record("view", page, state.cut, detail={"compare": state.compare_name or "", "filters": now["filters"],
                                                   "language": now["language"]}, role=role):
            st.session_state[_VIEW_KEY] = view


def setting(key: str, value: object) -> None:
    """A kept option changed outside the sidebar (the waterfall cap, the deck's options)."""
    from components.ui.widgets import LAZY_KEYS

    if key.startswith(SIDEBAR_KEYS) or key in st.session_state.get(LAZY_KEYS, ()) or key == "deck_panel":
        return  # the sidebar's settings are recorded by viewed(); opening "Show the code" is no setting
    record("setting", target=key, detail={"changed": {key: {"after": value}}})


def audience(state) -> str:
    """Who a file is for, as its slides are stamped: "BLINDED", "CLOSED SESSION — IDMC", or open (the
    stamp the role gave the session's config, components/data/roles.py, as the file has it)."""
    return state.config.stamp or "open"


def audited(make: Callable[[], object], kind: str, filename: str, state=None,
            detail: Mapping[str, object] | None = None) -> Callable[[], object]:
    """A download's callable that makes the file, appends its export row (who, role, cut, filters, the
    file, the audience) and only then hands the file over: a file that failed to build is no export, and
    when the row cannot be written the file is not given (Streamlit's download then fails). The callable
    runs outside the page script, so everything is taken now."""
    from components.ui.widgets import STATE_KEY

    state = state if state is not None else st.session_state.get(STATE_KEY)
    w = who(state.role if state is not None else None)
    cut_name, cut_info = cut_detail(state.cut) if state is not None else ("", {})
    info: dict[str, object] = {"kind": kind, "language": language(), **(detail or {})}
    if state is not None:
        info |= {"cut": cut_info, "compare": state.compare_name or "", "filters": state.filter_text,
                 "for": audience(state)}
    page = str(info.pop("page", "") or (st.session_state.get(_VIEW_KEY) or ("",))[0])
    event = Event("export", w.actor, w.role, w.client, w.session, page, cut_name, filename, info)

    def make_recorded() -> object:
        made = make()
        if not record_event(event):
            raise AuditUnavailable("the export could not be recorded in the audit trail")
        return made

    return make_recorded


def unavailable_note() -> None:
    """Say on the page when this session's events could not be recorded."""
    if st.session_state.get(_FAILED_KEY):
        st.error(_("The audit trail cannot be written: what you do now is not recorded, and downloads are "
                   "refused until it can be. Tell the data manager."))


# --------------------------------------------------------------------------- the data manager's page

#: The actions as the page names them.
ACTION_LABELS = {"sign_in": N_("Sign-in"), "sign_in_failed": N_("Failed sign-in"), "sign_out": N_("Sign-out"),
                 "view": N_("Page viewed"), "export": N_("Export"), "setting": N_("Setting changed"),
                 "role": N_("Role changed")}
#: Who, when no person's name exists, as the page says it.
ACTOR_LABELS = {LOCAL: N_("local (no sign-in)"), SHARED: N_("shared password"), UNKNOWN_USER: N_("(unknown user)")}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def action_label(action: str) -> str:
    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def actor_label(name: str) -> str:
    return _(ACTOR_LABELS[name]) if name in ACTOR_LABELS else name


def role_label(code: str) -> str:
    """A role code as the sidebar names the role ("site:01" → "Site investigator: 01")."""
    from components.data.roles import ROLES, parse_role

    base, unblinded = code.removesuffix("+unblinded"), code.endswith("+unblinded")
    parsed = parse_role(base)
    label = parsed.label if parsed is not None else (_(ROLES[base]) if base in ROLES else base)
    return f"{label} ({_('unblinded')})" if unblinded else label


def page_label(slug: str) -> str:
    """A page's file name as its title in the menu ("survival" → "Survival")."""
    from components.ui.navigation import PAGES

    spec = next((p for p in PAGES if p.file == f"pages/{slug}.py"), None)
    return _(spec.title) if spec is not None else slug


def listing(rows) -> object:
    """The trail's rows as the page shows them: when (to the second), who, role, what, page, cut, what
    was exported or set, the details in one line, from where, the sign-in's id and the row number."""
    from components.audit.trail import details_text

    out = rows.assign(at=rows["at"].str.slice(0, 19).str.replace("T", " "), action=rows["action"].map(action_label),
                      actor=rows["actor"].map(actor_label), role=rows["role"].map(role_label),
                      page=rows["page"].map(page_label), detail=rows["detail"].map(details_text))
    names = {"at": N_("When (UTC)"), "actor": N_("Who"), "role": N_("Role"), "action": N_("What"), "page": N_("Page"),
             "cut": N_("Data cut"), "target": N_("Exported or set"), "detail": N_("Details"), "client": N_("From"),
             "session": N_("Sign-in id"), "id": N_("No.")}
    return out[list(names)].rename(columns={k: _(v) for k, v in names.items()})
