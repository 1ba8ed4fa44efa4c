"""Shared Streamlit widgets and the app's shared state — the one module of ``components`` that calls
Streamlit. Pages call :func:`page_header` first; it returns the :class:`AppState` (config, the cut,
the filtered view, the comparison cut) or None when the page cannot run on this cut.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TypeVar

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from components.analyses.base import Options, Result, as_filters, code_snippet, figure_context, new_subjects
from components.data.config import StudyConfig
from components.data.contract import column_header, column_label
from components.data.datasets import (
    CutRef,
    DataCut,
    default_data_dir,
    folder_signature,
    list_cuts,
    load_cut,
    load_files,
)
from components.data.filters import FILTER_LABELS, MISSING_LABEL, apply_filters, describe, filter_specs
from components.data.roles import Role, apply_role
from components.data.study_match import match_study
from components.data.validation import ERROR, INFO, WARNING, Finding
from components.figures.plotting import SUBGROUP_TAG, SYNTHETIC_TAG, FigureContext, export_config
from components.figures.safe_text import md
from components.figures.style import COLUMN_HEADERS
from components.i18n import LANGUAGES, N_, _, date_text, language, normalise, set_language, translate_frame

OptionsT = TypeVar("OptionsT", bound=Options)
T = TypeVar("T")
STATE_KEY = "_trial_state"
UPLOAD_KEY = "_trial_upload"
SOURCE_DEMO = N_("Demo data (SYNTHETIC)")
SOURCE_FOLDER = N_("Data folder (TRIAL_DATA_DIR)")
SOURCE_UPLOAD = N_("Upload a data cut")


@dataclass(frozen=True)
class AppState:
    config: StudyConfig
    cut: DataCut
    view: DataCut
    selection: dict[str, list[str]] = field(default_factory=dict)
    compare_path: str | None = None  # the comparison cut's folder: loaded when a view first asks for it
    source_label: str = ""
    presentation: bool = False
    compare_name: str = ""
    study_note: str | None = None  # the cut is another study's (generic mode) or mixes studies
    role: Role = field(default_factory=Role)  # who is signed in: what the cut and config already hold for them
    base_config: StudyConfig | None = None  # the config before the role (a blinded role's has one arm)

    @cached_property
    def compare(self) -> DataCut | None:
        """The comparison cut, loaded (once, cached) only by the views that use it: a first visit to a
        page that does not compare does not pay for reading a second cut. Looked up once per run (a page
        asks for it many times; each lookup checks the folder's files). The session's role applies to it
        as to the cut."""
        if not self.compare_path:
            return None
        loaded = load_folder_cached(self.compare_path)
        base = self.base_config or self.config
        return memo(loaded, ("role-compare", self.role, config_key(base)),
                    lambda: apply_role(loaded, base, self.role)[0])

    @property
    def filter_text(self) -> str:
        return describe(self.selection)

    @property
    def filtered(self) -> bool:
        return bool(self.filter_text)

    def options(self, cls: type[OptionsT] = Options, **values: object) -> OptionsT:  # type: ignore[assignment]
        """Options of an analysis with the sidebar's filters and theme filled in."""
        return cls(filters=as_filters(self.selection), presentation=self.presentation, **values)  # type: ignore[call-arg]

    def context(self, population: str = "", endpoint: str = "", note: str = "") -> FigureContext:
        """The figure context of the data on screen (the analyses' own, with the sidebar's options)."""
        return figure_context(self.cut, self.config, self.options(Options), population, endpoint, note)


# --------------------------------------------------------------------------- loading (cached)


@st.cache_resource(show_spinner="Loading the data cut…", max_entries=16)
def _load_folder(path: str, signature: tuple) -> DataCut:
    return load_cut(path)


def load_folder_cached(path: str | Path) -> DataCut:
    """Load a cut folder once per content (the key includes file sizes and modification times)."""
    return _load_folder(str(path), folder_signature(path))


@st.cache_resource(show_spinner="Validating the uploaded files…", max_entries=4)
def _load_upload(key: str, _files: tuple[tuple[str, bytes], ...]) -> DataCut:
    return load_files(dict(_files), name="upload", source="upload")


LANG_KEY = "_language"


def _language_changed() -> None:
    """The sidebar switch: the session's language, and the address (a link copied now opens in it)."""
    st.session_state[LANG_KEY] = st.session_state["language_switch"]
    st.query_params["lang"] = st.session_state[LANG_KEY]


def choose_language(default_config: StudyConfig | None = None) -> str:
    """The run's language, set before anything is drawn: ``?lang=`` in the address (a shared link), then
    the session's choice (remembered across pages), then the study config's ``[display] language``.
    Draws the English / 中文 switch at the top of the sidebar."""
    asked = normalise(st.query_params.get("lang"))
    if asked is not None:
        st.session_state[LANG_KEY] = asked
    if LANG_KEY not in st.session_state:
        try:
            from components.data.config import load_config

            cfg = default_config or load_config()
            st.session_state[LANG_KEY] = normalise(cfg.language) or "en"
        except Exception:  # a broken config is reported by the page; the language falls back to English
            st.session_state[LANG_KEY] = "en"
    code = set_language(st.session_state[LANG_KEY])
    st.session_state["language_switch"] = code
    st.sidebar.segmented_control("Language · 语言", list(LANGUAGES), format_func=LANGUAGES.get,
                                 key="language_switch", on_change=_language_changed, label_visibility="collapsed")
    return code


def cut_key(cut: DataCut) -> tuple:
    """Cache key of a loaded cut: its content's SHA-256 plus its name (cuts are immutable). Never an
    ``id()``: ids are reused after garbage collection, and one session's upload then answered another's."""
    return (cut.source, cut.name, str(cut.cutoff), cut.fingerprint)


def config_key(config: StudyConfig) -> str:
    return repr(config)


@st.cache_resource(max_entries=256, show_spinner=False)
def _run(key: str, _fn, _cut, _config, _options, _previous) -> Result:
    if _previous is None:
        return _fn(_cut, _config, _options)
    return _fn(_cut, _config, _options, previous=_previous)


def run(fn: Callable[..., Result], s: AppState, options: Options, cut: DataCut | None = None,
        previous: DataCut | None = None) -> Result:
    """An analysis's result, computed once per (cut content, config, options) for every session: a
    re-run with unchanged inputs, or a return to a page, does not recompute. Results are shared, not
    copied: pages only lay them out. ``previous``: the comparison cut of a comparison analysis.

    The cache key is one string (analysis, cut, config, options, comparison cut, language), passed by
    keyword: Streamlit hashes each argument of a cached function separately and looks up the name of
    each positional one with ``inspect.signature``, ~4 ms of every result shown with eleven arguments."""
    c = cut if cut is not None else s.cut
    key = "\x1f".join((f"{fn.__module__}.{fn.__name__}", repr(cut_key(c)), config_key(s.config), repr(options),
                       repr(cut_key(previous)) if previous is not None else "", language()))
    return _run(key=key, _fn=fn, _cut=c, _config=s.config, _options=options, _previous=previous)


LAZY_KEYS = "_lazy_expanders"  # the lazy expanders drawn by this run (tests open them all)


def lazy_expander(label: str, key: str, draw: Callable[[], object], parent: object = st) -> None:
    """An expander whose content is made and sent only while it is open (Streamlit's ``on_change=
    "rerun"`` expander): a closed "Show the code" or "Data behind the figure" costs the page nothing,
    neither the server (the snippet, the table) nor the browser (syntax highlighting, the grid), which
    rendered every closed one on each page switch. Opening one re-runs the page from the cache."""
    drawn = st.session_state.setdefault(LAZY_KEYS, [])
    if key not in drawn:
        drawn.append(key)
    if f"_keep_{key}" in st.session_state:  # open stays open when the label changes (a count in it) or on return
        st.session_state[key] = st.session_state[f"_keep_{key}"]
    box = parent.expander(label, key=key, on_change=_sync, args=(key,))  # type: ignore[attr-defined]
    if box.open:
        with box:
            draw()


def _lazy_key(prefix: str, name: str) -> str:
    """A stable key for the n-th lazy expander of ``name`` on this run of the page."""
    drawn = st.session_state.setdefault(LAZY_KEYS, [])
    base = f"{prefix}_{name}"
    n = sum(1 for k in drawn if k == base or k.startswith(base + "#"))
    return base if n == 0 else f"{base}#{n}"


def show_code(result: Result, s: AppState, cut: DataCut | None = None, key: str | None = None) -> None:
    """Under a figure or table: the runnable snippet that reproduces it (teal's "Show R code"), made
    when the expander is opened."""
    name = key or (result.call.function if result.call is not None else result.title) or "result"

    def draw() -> None:
        code = code_snippet(result, cut if cut is not None else s.cut, s.config)
        st.code(code or _("No code for this result."), language="python")

    lazy_expander(_("Show the code"), _lazy_key("code", str(name)), draw)


def _cut_label(ref: CutRef) -> str:
    return ref.label if ref.label != ref.name else ref.name


# --------------------------------------------------------------------------- sidebar
#
# The sidebar is built by each page (through page_header), not by app.py: Streamlit gives widgets on
# different pages different ids, so each sidebar widget's value is mirrored in a plain session key
# ("_keep_<key>") by its on_change callback and restored before the widget is created. Callbacks run
# before the script, so a user's change is never overwritten. (With a pages/ folder, AppTest re-runs
# a page file without app.py; building the sidebar in the page keeps the app testable that way too.)


_MEMO: dict[tuple, tuple[weakref.ref, object]] = {}


def memo(owner: object, key: tuple, make: Callable[[], T]) -> T:
    """``make()`` once per ``owner`` object and ``key``, forgotten with the owner. The cache hands every
    run the same cut and result objects, so what depends only on them is made once: the sidebar's study
    match and filter options (per cut), a page's display table derived from a result (per result), which
    :func:`table` then also formats only once."""
    k = (id(owner), *key)
    hit = _MEMO.get(k)
    if hit is not None and hit[0]() is owner:
        return hit[1]  # type: ignore[return-value]
    value = make()
    _MEMO[k] = (weakref.ref(owner, lambda _r, k=k, memo=_MEMO: memo.pop(k, None)), value)  # (the dict, not the
    # module's name for it: at interpreter exit the module's globals are gone before the last callbacks)
    return value


def _sync(key: str) -> None:
    st.session_state[f"_keep_{key}"] = st.session_state[key]
    from components.ui import audit

    audit.setting(key, st.session_state[key])


def kept(key: str, default: object, valid=None) -> dict:
    """A widget whose value outlives the widget: Streamlit forgets the state of a widget that a run
    does not draw (another page, a closed tab or panel), so the value is also kept under
    ``_keep_<key>`` and restored here (or the default set). Returns the widget's key arguments:
    ``st.checkbox(label, **kept("k", True))``."""
    value = st.session_state.get(f"_keep_{key}", default)
    if valid is not None and not valid(value):
        value = default
    st.session_state[key] = value
    return {"key": key, "on_change": _sync, "args": (key,)}


def kept_value(key: str, default: object) -> object:
    """The value last set in a :func:`kept` widget, also while that widget is not drawn."""
    return st.session_state.get(f"_keep_{key}", default)


def navigation_links() -> None:
    """The page list in the sidebar, by section (components/ui/navigation.py). Drawn here rather than
    by st.navigation's own menu, which .streamlit/config.toml hides so that a cold server's legacy
    pages/ mode never lists bare file names."""
    from components.ui.navigation import PAGES

    sb = st.sidebar
    section = None
    kind = current_role().kind
    for spec in (p for p in PAGES if p.visible_to(kind)):
        if spec.section != section:
            section = spec.section
            sb.caption(_(section))
        sb.page_link(spec.file, label=_(spec.title))
    sb.divider()


def sidebar(config: StudyConfig, links: bool = True) -> AppState:
    """The page links, data source, data cut, comparison cut and global filters; stores and returns
    the state. ``links=False`` leaves out the page links (a script outside the app's navigation)."""
    sb = st.sidebar
    if links:
        navigation_links()
    sb.markdown("### " + _("Data"))
    import os

    sources = [SOURCE_DEMO, SOURCE_UPLOAD]
    if os.environ.get("TRIAL_DATA_DIR"):
        sources.insert(0, SOURCE_FOLDER)
    source = sb.radio(_("Data source"), sources, label_visibility="collapsed", format_func=_,
                      **kept("data_source", sources[0], lambda v: v in sources))

    root = default_data_dir(config) if source == SOURCE_FOLDER else config.cuts_dir
    cuts = list_cuts(root)
    cut: DataCut | None = None
    compare: str | None = None
    compare_name = ""
    label = ""
    if source == SOURCE_UPLOAD:
        cut, label = _upload_source(config)
    if cut is None:
        if not cuts:
            cut = load_cut(root)
            label = str(root)
        else:
            names = [c.name for c in cuts]
            chosen = sb.selectbox(
                _("Data cut"), names, **kept(f"cut_{source}", names[-1], lambda v: v in names),
                format_func=lambda n: _cut_label(next(c for c in cuts if c.name == n)),
                help=_("Each data cut is one folder of ADaM tables, frozen at its cut-off date."),
            )
            ref = next(c for c in cuts if c.name == chosen)
            cut = load_folder_cached(ref.path)
            if cut.cutoff_text != chosen:
                sb.caption(_("Data cut-off {date} (from the data)").format(date=cut.cutoff_text))
            label = _(SOURCE_DEMO) if source == SOURCE_DEMO else str(ref.path)
            older = [c.name for c in cuts if c.name < chosen]
            options = ["(none)"] + older[::-1]
            comp = sb.selectbox(
                _("Compare with"), options, format_func=lambda v: _("(none)") if v == "(none)" else v,
                **kept(f"compare_{source}", options[1] if older else options[0], lambda v: v in options),
                help=_("The earlier cut that 'Since last cut' and the 'new' markers compare against."),
            )
            if comp != "(none)":
                compare = str(next(c.path for c in cuts if c.name == comp))
                compare_name = comp
    match = memo(cut, ("study", config_key(config), language()), lambda: match_study(cut, config))
    config = match.config
    # the role decides what the analyses receive (components/data/roles.py): a site investigator's cut
    # holds their site's patients only; a blinded role's has no arm
    role = current_role()
    base_config = config
    cut, config = memo(cut, ("role", role, config_key(config)), lambda: apply_role(cut, base_config, role))
    sb.caption(_("Signed in as: {role}").format(role=md(role.label))
               + (" · " + _("blinded: no results by arm") if role.blinded and not base_config.single_arm else "")
               + (" · " + _("unblinded") if not role.blinded and role.kind != "open" and not base_config.single_arm
                  else ""))
    if match.generic:
        sb.warning(_("Generic mode: study {study}").format(study=md(config.id)))
    if cut.synthetic:
        sb.warning(f"**{_(SYNTHETIC_TAG)}**")
    if cut.errors:
        sb.error(_("{n} data error(s): see the Overview page.").format(n=len(cut.errors)))

    selection: dict[str, list[str]] = {}
    if cut.has("adsl"):
        sb.markdown("### " + _("Filters"))
        specs = memo(cut, ("filters", tuple(config.data.filters)),
                     lambda: filter_specs(cut.tables["adsl"], config.data.filters))
        for spec in specs:
            key = f"flt_{spec.column}"
            before = st.session_state.get(f"_keep_{key}", [])
            st.session_state[f"_keep_{key}"] = [v for v in before if v in spec.options]
            fmt = ((lambda v: _(v) if v == MISSING_LABEL else f"{v} · {config.site_name(v)}") if spec.column == "SITEID"
                   else (lambda v: _(v) if v == MISSING_LABEL else str(v)))
            selection[spec.column] = sb.multiselect(
                _(spec.label), spec.options, placeholder=_("All"), format_func=fmt, **kept(key, [])
            )
        if any(selection.values()):
            sb.button(_("Clear filters"), on_click=_clear_filters, args=([s.column for s in specs],))
    presentation = sb.toggle(
        _("Presentation theme"), **kept("presentation", False),
        help=_("Larger fonts and thicker lines for projection and slides."),
    )
    view = apply_filters(cut, selection)
    state = AppState(config, cut, view, selection, compare, label, presentation, compare_name, match.message,
                     role, base_config)
    st.session_state[STATE_KEY] = state
    from components.ui import deck_builder

    deck_builder.sidebar_panel(state)
    return state


def _clear_filters(columns: list[str]) -> None:
    for col in columns:
        st.session_state[f"flt_{col}"] = []
        st.session_state[f"_keep_flt_{col}"] = []


def _upload_source(config: StudyConfig) -> tuple[DataCut | None, str]:
    """Uploaded tables are validated before they replace the current data; a failing upload leaves
    the last good one (or the demo) in place and says why."""
    files = st.sidebar.file_uploader(
        _("ADaM tables (adsl, adrs, adtr, adtte, adae, adex, screening, adlb)"),
        type=["csv", "xlsx", "parquet", "xpt"],
        accept_multiple_files=True,
        key="upload_files",
        help=_("Kept in memory only. CSV (UTF-8 or GBK), Excel, Parquet or SAS XPORT."),
    )
    if files:
        content = tuple(sorted((f.name, f.getvalue()) for f in files))
        key = hashlib.sha256(b"".join(n.encode() + b"\0" + d for n, d in content)).hexdigest()
        cut = _load_upload(key, content)
        if cut.has("adsl"):
            st.session_state[UPLOAD_KEY] = cut
        else:
            reasons = "; ".join(md(f.text()) for f in cut.errors[:3])
            st.sidebar.error(_("The upload cannot replace the current data: {reasons}").format(reasons=reasons))
    good = st.session_state.get(UPLOAD_KEY)
    if good is not None:
        return good, _("Uploaded files")
    st.sidebar.info(_("No valid upload yet: showing the demo data."))
    return None, ""


# --------------------------------------------------------------------------- access

ACCESS_KEY = "_access_ok"


def _secrets() -> dict:
    try:
        return {k: st.secrets[k] for k in st.secrets}
    except Exception:  # no secrets.toml: an open, local deployment
        return {}


def _client_key(policy) -> str:
    """Who is signing in, for the lock-out: the connection's address, or — only when that is one of
    the configured trusted proxies — the client address the proxy put in X-Forwarded-For."""
    from components.ui.access import client_address

    try:
        xff = st.context.headers.get("X-Forwarded-For")
    except Exception:
        xff = None
    try:
        ip = st.context.ip_address
    except Exception:
        ip = None
    return "ip:" + client_address(xff if isinstance(xff, str) else None, ip if isinstance(ip, str) else None,
                                  policy.trusted_proxies)


def require_access() -> None:
    """The sign-in screen; stops the script until the user is signed in. Nothing is read before."""
    from components.ui import audit
    from components.ui.access import (
        LOCKOUT,
        THROTTLE,
        account_key,
        check_user,
        email_allowed,
        failed_actor,
        policy_from_secrets,
    )
    from components.ui.gate import access_secrets

    try:
        policy = policy_from_secrets(access_secrets())
    except Exception:  # a secrets file that cannot be read: closed, never open
        policy = None
    if policy is None or policy.mode == "closed":
        st.title(_("Trial dashboard"))
        st.error(_("The sign-in settings cannot be read ([access] in .streamlit/secrets.toml): the dashboard is "
                   "closed until they are corrected."))
        st.stop()
    if policy.mode == "none":
        return
    if policy.mode == "oidc":
        if "auth" not in _secrets():
            st.title(_("Trial dashboard"))
            st.error(_("Sign-in is required but not configured: add an [auth] section (OIDC provider) to "
                       ".streamlit/secrets.toml, as the README describes."))
            st.stop()
        if not getattr(st.user, "is_logged_in", False):
            st.title(_("Trial dashboard"))
            st.write(_("Sign in with your institutional account to see the trial data."))
            st.button(_("Sign in"), on_click=st.login, args=(policy.provider,) if policy.provider else ())
            st.stop()
        if not email_allowed(st.user.get("email"), policy, st.user.get("email_verified")):
            st.title(_("Trial dashboard"))
            st.error(_("{email} is not on this dashboard's access list, or the identity provider has not verified "
                       "the address.").format(email=md(st.user.get("email"))))
            st.button(_("Sign out"), on_click=st.logout)
            st.stop()
        _bind_oidc_session(str(st.user.get("email")))
        from components.ui import audit

        audit.oidc_signed_in(str(st.user.get("email")), current_role())
        return
    if st.session_state.get(ACCESS_KEY):
        return
    ident = _signed_in_at_the_gate(policy)
    if ident is not None:  # served: the HTTP layer checked the cookie before this script could run
        from components.ui.gate import SESSIONS

        st.session_state[ACCESS_KEY] = True
        st.session_state[audit.USER_KEY] = SESSIONS.user_of(ident)
        return
    key = _client_key(policy)
    st.title(_("Trial dashboard"))
    locked = LOCKOUT.locked_for(key, policy)
    if locked > 0:
        st.error(_("Too many failed attempts from your address: sign-in is locked for {n} more minute(s).").format(
            n=int(locked // 60) + 1))
        st.stop()
    with st.form("sign_in"):
        name = st.text_input(_("User name"), key="access_user") if policy.users else ""
        password = st.text_input(_("Password"), type="password", key="access_password")
        submitted = st.form_submit_button(_("Sign in"))
    if submitted:
        wait = max(LOCKOUT.delay(key), THROTTLE.wait())
        if wait > 0:  # the password is not even checked while the client must wait
            st.warning(_("Please wait {s} s before the next try.").format(s=f"{wait:.0f}"))
            st.stop()
        account = account_key(policy, name)  # a count per name too (gate.py)
        if account is not None and LOCKOUT.locked_for(account, policy) > 0:
            st.error(_("Too many failed attempts: sign-in is locked for a while."))
            st.stop()
        user = check_user(policy, name, password)
        if user is not None:
            st.session_state[ACCESS_KEY] = True
            st.session_state[audit.USER_KEY] = user
            LOCKOUT.reset(key)
            if account is not None:
                LOCKOUT.reset(account)
            audit.record("sign_in", detail={"mode": "password (page)"}, role=current_role())
            st.rerun()
        if account is not None:
            LOCKOUT.fail(account, policy)
        from components.audit.trail import Event

        audit.record_event(Event("sign_in_failed", failed_actor(policy, name), client=key.removeprefix("ip:")))
        n = LOCKOUT.fail(key, policy)
        THROTTLE.fail()
        left = policy.max_failures - n
        st.error(_("Wrong password.") + " " + (_("{n} attempt(s) left before a lock-out.").format(n=left) if left > 0
                                                else _("Sign-in is now locked for a while.")))
    st.stop()


def _bind_oidc_session(email: str) -> None:
    """Record that this Streamlit session was opened by this user (components/ui/gate.py), so no other
    user's cookie can resume it by its id."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from components.ui.gate import bind_identity

    ctx = get_script_run_ctx()
    if ctx is not None:
        bind_identity(ctx.session_id, f"oidc:{email.lower()}")


def _signed_in_at_the_gate(policy) -> str | None:
    """The cookie id when the session cookie set by the sign-in page (components/ui/gate.py) is valid;
    the session is then recorded as opened under it, so no other cookie can resume it by its id."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from components.ui.gate import COOKIE, bind_session

    ctx = get_script_run_ctx()
    try:
        token = st.context.cookies.get(COOKIE)
    except Exception:  # no request behind this run (bare mode, AppTest)
        return None
    return bind_session(ctx.session_id, token, policy) if ctx is not None else None


# --------------------------------------------------------------------------- page furniture


def state() -> AppState:
    return st.session_state[STATE_KEY]


def synthetic_banner() -> None:
    st.warning(
        f"**{_(SYNTHETIC_TAG)}.** "
        + _("Every number on this page comes from a simulated trial made by `data/make_demo.py`.")
    )


def _ensure_entrypoint() -> None:
    """Run app.py when Streamlit ran this page file without it.

    With a ``pages/`` folder beside the entry script, Streamlit starts in its legacy multipage mode
    until the first ``st.navigation`` call of the process: the first request to a deep link after a
    server start (and every AppTest re-run) executes the page file directly, without app.py's page
    config and navigation. Then app.py is run here: it registers the navigation (ending legacy mode)
    and renders this page through it; this outer run stops.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        import runpy

        from components.data.config import PROJECT_ROOT

        runpy.run_path(str(PROJECT_ROOT / "app.py"), run_name="__main__")
        st.stop()


def page_header(title: str, needs: Sequence[str] = ("adsl",), intro: str | None = None) -> AppState | None:
    """Title, context line, SYNTHETIC banner and the note on missing tables.

    Returns the state, or None when the page cannot be shown (then it has said why)."""
    from components.data.config import load_config

    _ensure_entrypoint()
    require_access()
    st.session_state[LAZY_KEYS] = []
    s = sidebar(load_config())
    from components.ui import audit

    page = Path(sys._getframe(1).f_code.co_filename).stem  # the page file calling: "overview", in any language
    audit.viewed(page, s)  # a new page, cut or role; a changed setting (components/ui/audit.py)
    st.title(_(title))
    audit.unavailable_note()
    bits = [f"**{md(s.config.id)}** · {md(_(s.config.short_title))}",
            _("data cut-off **{date}**").format(date=_prose_date(s.cut.cutoff_text))]
    if s.compare_path:
        bits.append(_("compared with {date}").format(date=_prose_date(s.compare_name)))
    if s.filter_text:
        bits.append(_("filters: {filters}").format(filters=md(s.filter_text)))
    st.caption(" · ".join(bits))
    if s.study_note:
        st.warning(md(s.study_note))
    if s.config.problems:  # an unknown key or a wrong type in the study config: said, never ignored silently
        st.warning(_("The study config has problems; the values named are not used:") + "\n\n"
                   + "\n".join(f"- {md(p)}" for p in s.config.problems))
    if s.cut.synthetic:
        synthetic_banner()
    if intro:
        st.markdown(intro)
    note = s.cut.missing_note(*needs)
    if note:
        st.info(note)
        return None
    if s.cut.has("adsl") and not s.view.has("adsl"):
        st.info(_("No subject matches the filters in the sidebar."))
        return None
    return s


def _prose_date(text: str) -> str:
    """An ISO date in running text: the locale's form (2026年11月1日 in Chinese; as it is in English)."""
    try:
        return date_text(pd.Timestamp(text).date())
    except (ValueError, TypeError):
        return text


def findings_panel(findings: Sequence[Finding]) -> None:
    """Validation findings grouped by severity, each naming table, column and rows."""
    if not findings:
        st.success(_("The data cut meets the data contract: no validation findings."))
        return
    for severity, show in ((ERROR, st.error), (WARNING, st.warning), (INFO, st.info)):
        group = [f for f in findings if f.severity == severity]
        if not group:
            continue
        word = {"error": _("Errors"), "warning": _("Warnings"), "info": _("Notes")}[severity]
        show(f"**{word} ({len(group)})**\n\n" + "\n".join(f"- {md(f.text())}" for f in group))
    rows = [
        {"table": f.table, "column": f.column or "", "severity": f.severity, "rows": len(f.rows),
         "message": f.message}
        for f in findings
    ]
    csv_download(pd.DataFrame(rows), "validation_findings.csv", _("Download findings (CSV)"), key="dl_findings")


def current_role() -> Role:
    """The signed-in session's role, from the access settings and (OIDC) the verified address."""
    from components.ui.access import session_role
    from components.ui.audit import USER_KEY
    from components.ui.gate import read_policy

    policy = read_policy()
    email = None
    if policy.mode == "oidc":
        try:
            email = st.user.get("email") if st.user.get("is_logged_in") else None
        except Exception:  # noqa: BLE001 - no user object: no address, the default role
            email = None
    return session_role(policy, email, st.session_state.get(USER_KEY) or None)


def column_name(column: str) -> str:
    """An ADSL column as a person reads it in a chooser ("Planned treatment", not TRT01P), in the session's
    language; the column's own name when the dictionary has no label for it."""
    label = FILTER_LABELS.get(column) or column_label("adsl", column)
    return _(label) if label != column else column


def headers(columns: Sequence[str]) -> dict[str, str]:
    """Column → header on screen: the data dictionary's header for the data's columns, style's for the
    columns the app derives; a column keeps its name when the header is taken or unknown."""
    out: dict[str, str] = {}
    taken = set(columns)
    for c in columns:
        h = _(COLUMN_HEADERS.get(c) or column_header(str(c)) or str(c))
        if h and h != c and h not in taken:
            out[c] = h
            taken.add(h)
    return out


def display_frame(df: pd.DataFrame, rename: bool = False) -> pd.DataFrame:
    """A table for the screen: dates as YYYY-MM-DD, missing text and dates as "—" (never "None");
    with ``rename``, the columns under their headers (:func:`headers`)."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_datetime64_any_dtype(col):
            out[c] = col.dt.strftime("%Y-%m-%d").fillna("—")
        elif col.dtype == object and col.isna().any():
            out[c] = col.where(col.notna(), "—")
    return out.rename(columns=headers(list(out.columns))) if rename else out


_SHOWN: dict[int, tuple[weakref.ref, pd.DataFrame]] = {}


def _shown(df: pd.DataFrame) -> pd.DataFrame:
    """:func:`display_frame` with headers, once per table object: an analysis's (cached) tables are
    the same objects on every re-run, so a re-run does not format them again."""
    key = (id(df), language())
    hit = _SHOWN.get(key)
    if hit is not None and hit[0]() is df:
        return hit[1]
    out = display_frame(df).rename(columns=headers(list(df.columns)))
    _SHOWN[key] = (weakref.ref(df, lambda _r, k=key: _SHOWN.pop(k, None)), out)
    return out


def table(df: pd.DataFrame, column_config: Mapping | None = None, deck: tuple[str, str] | None = None,
          result: Result | None = None, translate: Sequence[str] = (), static: bool = False,
          **kwargs: object) -> object:
    """A data table on screen: :func:`display_frame` with headers in the session's language;
    ``column_config`` may name the columns by their data names; ``translate``: columns whose cells are
    labels the app wrote (translated; data values never are). ``deck`` = (key, slide title) adds "Add
    to meeting deck" under it: the slide gets the table as shown, a patient link column as the id.
    ``static``: a short table drawn as a Markdown table (no sorting, scrolling or column formats), for
    which the browser loads neither the data grid's script nor Arrow's. The Overview's tables are
    static: a new browser draws the first page only once the scripts of all its elements are loaded,
    and those two (~2 MB) made the first visit ~0.4 s slower or more (paired runs, README "Speed")."""
    names = headers(list(df.columns))
    # a percent change from baseline (RECIST: PCHG, BEST_PCHG …) to one decimal, as in the listings, not
    # Streamlit's four; the data (CSV, deck) keep full precision
    pct = {c: st.column_config.NumberColumn(format="%.1f") for c in df.columns
           if "PCHG" in str(c) and pd.api.types.is_float_dtype(df[c])}
    cc = {names.get(k, k): v for k, v in {**pct, **(column_config or {})}.items()}
    kwargs.setdefault("hide_index", True)
    body = _shown(df)
    if translate:
        body = translate_frame(body, [names.get(c, c) for c in translate])
    if static:
        shown = st.markdown(markdown_table(body))
    else:
        shown = st.dataframe(body, column_config=cc or None, **kwargs)
    if deck is not None:
        table_to_deck(deck[0], deck[1], lambda: slide_table(df), result)  # made on a click
    return shown


#: rows a listing shows before it scrolls: a committee reads a page of patients, not ten (Streamlit's
#: default box); the rest scroll
LISTING_ROWS = 25


def listing_height(rows: int) -> int:
    """The height in pixels of a listing of ``rows`` rows: all of them up to :data:`LISTING_ROWS`
    (Streamlit draws a row and the header in 35 px each, plus a 3-px border)."""
    return 35 * (min(max(rows, 1), LISTING_ROWS) + 1) + 3


def patient_listing(title: str, df: pd.DataFrame, translate: Sequence[str] = ()) -> None:
    """A listing of patients under a bold title: each id a link to the profile, all rows up to
    :data:`LISTING_ROWS` before it scrolls; "None." when empty (never an empty grid)."""
    from components.figures.safe_text import patient_link

    st.markdown(f"**{md(title)}**")
    if df.empty:
        st.caption(_("None."))
        return
    table(df.assign(USUBJID=df["USUBJID"].map(patient_link)), width="content", translate=translate,
          column_config={"USUBJID": patient_column()}, height=listing_height(len(df)))


def patient_column() -> object:
    """The column of a listing that opens a patient's profile (its cells are :func:`patient_link`'s)."""
    return st.column_config.LinkColumn(_("Patient"), display_text=r"patient=(.*)$", help=_("Opens the patient profile"))


def markdown_table(df: pd.DataFrame) -> str:
    """A table as Markdown (GitHub's pipe table): every header and cell escaped as text (safe_text.md),
    numbers right-aligned, missing values as "—"."""
    right = [pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]) for c in df.columns]

    def cell(v: object) -> str:
        return "—" if v is None or (isinstance(v, float) and pd.isna(v)) else md(v)

    lines = ["| " + " | ".join(md(c) for c in df.columns) + " |",
             "|" + "|".join("---:" if r else "---" for r in right) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in df.itertuples(index=False)]
    return "\n".join(lines)


def control_row(align: str = "bottom") -> object:
    """One row of widgets that wraps to the next line on a narrow screen: fixed columns cut a label or
    a segmented control at 1024 px ("Confirmed r…", "First-dose date" cut)."""
    return st.container(horizontal=True, vertical_alignment=align, gap="medium")


class _MetricRow:
    """Key numbers side by side that wrap to the next line on a narrow screen instead of cutting the
    label or the value ("Median, month…", "4.3 (1.…" in four fixed columns at 1024 px)."""

    def __init__(self) -> None:
        self._row = st.container(horizontal=True, gap="large")

    def metric(self, label: str, value: object, **kwargs: object) -> object:
        kwargs.setdefault("width", "content")
        return self._row.metric(label, value, **kwargs)


def metric_row(n: int) -> list[_MetricRow]:
    """``n`` handles on one wrapping row of key numbers (used like ``st.columns(n)`` for metrics)."""
    return [_MetricRow()] * n


def slide_table(df: pd.DataFrame) -> pd.DataFrame:
    """A table as a slide shows it: the screen's headers and text, the patient link as the id."""
    out = df.copy()
    if "Link" in out:
        link = out.pop("Link").astype(str).str.replace(r"^.*patient=", "", regex=True)
        if "USUBJID" not in out:
            out.insert(0, "USUBJID", link)
    return display_frame(out, rename=True)


def csv_download(df: pd.DataFrame, filename: str, label: str = N_("Download CSV"), key: str | None = None,
                 record_as: str | None = None) -> None:
    """A CSV download of a table, written only when clicked, with spreadsheet formulas neutralised
    (recorded in the audit trail as ``record_as`` when the file name names a patient)."""
    from components.figures.export import safe_csv
    from components.ui.audit import audited

    st.download_button(_(label), audited(lambda: safe_csv(df), "csv", record_as or filename), file_name=filename, mime="text/csv",
                       key=key or f"dl_{filename}")


def show_figure(
    fig: go.Figure | Result,
    key: str,
    data: pd.DataFrame | None = None,
    filename: str | None = None,
    data_label: str = N_("Data behind the figure"),
    on_select: str = "ignore",
    state: AppState | None = None,
    data_config: Mapping | None = None,
    record_as: str | None = None,
) -> object:
    """Show a figure (or an analysis result's figure) with the export toolbar, the data behind it as a
    table with a CSV download and, for a result, the code that reproduces it. ``data_config``: the
    data table's column formats (:func:`table`'s ``column_config``); the CSV keeps full precision.
    ``record_as``: the name the audit trail gives its downloads when ``filename`` names a patient."""
    result = fig if isinstance(fig, Result) else None
    if result is not None:
        fig = result.figure
    name = filename or key
    event = st.plotly_chart(
        fig, key=key, config=export_config(name), width="stretch", on_select=on_select,
    )
    row = st.container(horizontal=True, gap="small")  # each control as wide as its label: nothing truncated
    export = row.popover(_("Export"), help=_("Slide-ready images (rendered on the server when you click) and the data"),
                         key=f"export_{key}", on_change="rerun")
    if export.open:  # the buttons are made only while it is open (as the lazy expanders)
        with export:
            export_buttons(fig, name, key, record_as)
            if data is not None:
                csv_download(data, f"{name}.csv", _("Data (CSV)"), key=f"dl_{key}",
                             record_as=f"{record_as}.csv" if record_as else None)
    with row:
        from components.ui import deck_builder

        s = state or st.session_state[STATE_KEY]
        title = (result.title if result is not None and result.title else "") or _figure_title(fig) or name
        deck_builder.add_button(key, title, result=result, figure=fig, filter_text=s.filter_text)
    if data is not None:
        lazy_expander(_(data_label), _lazy_key("data", key),
                      lambda: table(data, column_config=data_config, width="stretch"))
    if result is not None:
        show_code(result, state or st.session_state[STATE_KEY], key=key)
    return event


def _figure_title(fig: go.Figure) -> str:
    import re

    text = fig.layout.title.text or ""
    return re.sub(r"<[^>]+>", " ", text.split("<br")[0]).strip()


def table_to_deck(key: str, title: str, df: pd.DataFrame | Callable[[], pd.DataFrame],
                  result: Result | None = None) -> None:
    """'Add to meeting deck' under a table (as shown: the slide gets a native, editable table)."""
    from components.ui import deck_builder

    deck_builder.add_button(key, title, result=result, table=df, filter_text=state().filter_text)


def export_buttons(fig: go.Figure, name: str, key: str, record_as: str | None = None) -> None:
    """PNG (1600 px wide at 2×, for slides) and SVG of a figure, rendered only when clicked."""
    from components.figures.export import chromium_available, to_image

    if not chromium_available():
        st.caption(_("PNG/SVG export needs Chromium on the server (apt-get install chromium)."))
        return
    from components.ui.audit import audited

    st.download_button(_("PNG for slides"), audited(lambda: to_image(fig, "png"), "png", f"{record_as or name}.png"),
                       file_name=f"{name}.png", mime="image/png", key=f"png_{key}")
    st.download_button(_("SVG (vector)"), audited(lambda: to_image(fig, "svg"), "svg", f"{record_as or name}.svg"),
                       file_name=f"{name}.svg", mime="image/svg+xml", key=f"svg_{key}")


LOG = logging.getLogger("trial_dashboard")


@contextmanager
def guard(what: str) -> Iterator[None]:
    """One section of a page: an unexpected error in it becomes a short message naming the section
    (no code, no server path), the details go to the server log, and the rest of the page is still
    drawn. Streamlit's own stop and rerun signals pass through (they are not Exceptions)."""
    try:
        yield
    except Exception as exc:
        LOG.exception("section %r failed", what)
        st.error(_("{what} could not be shown ({error}). The rest of the page is not affected; the details are in "
                   "the server log.").format(what=_(what), error=type(exc).__name__))


def sections(parts: Mapping[str, Callable[[], None]], key: str) -> None:
    """Tabs (label → the function that draws it) of which only the open one runs: Streamlit's lazy
    tabs (``on_change="rerun"``), so a long page re-runs one section per interaction instead of all
    of them. The open tab is ``st.session_state[key]`` (its label), which is also how tests open one."""
    if st.session_state.get(key) not in parts:  # e.g. a label of the other language after a switch
        st.session_state.pop(key, None)
    for (label, draw), tab in zip(parts.items(), st.tabs(list(parts), key=key, on_change="rerun"), strict=True):
        if tab.open:
            with tab, guard(label):
                draw()


def p_label(s: AppState, label: str) -> str:
    """A p-value's label, marked as a subgroup analysis when sidebar filters select a subset (a
    p-value inside a filtered subgroup is exploratory; regulators ask for it to be said)."""
    return s.context().p_label(label)


def subgroup_caption(s: AppState) -> None:
    """Under a table or figure with p-values: say that they are a subgroup analysis when filtered."""
    if s.filtered:
        st.caption(_("p-values on this page are a {tag} (filters: {filters}): exploratory, unadjusted for the "
                     "selection.").format(tag=_(SUBGROUP_TAG), filters=md(s.filter_text)))


def new_since_compare(s: AppState, key: str) -> set[str] | None:
    """A toggle to outline the patients enrolled since the comparison cut; their ids when on."""
    if s.compare is None or not s.compare.has("adsl"):
        return None
    on = st.toggle(_("Outline patients new since {date}").format(date=s.compare.cutoff_text), value=True, key=key)
    if not on:
        return None
    return set(new_subjects(s.cut, s.compare))

