"""Audit trail: who signed in, viewed, exported and changed what (the data manager's page)."""

import datetime as dt

import streamlit as st

from components.audit.trail import ACTIONS, AuditUnavailable, details_text, schema_version, to_csv
from components.data.roles import ROLES, parse_role
from components.i18n import N_, _
from components.ui import widgets
from components.ui.audit import LOCAL, audited, current_trail
from components.ui.gate import SHARED

#: The actions as the page names them.
ACTION_LABELS = {"sign_in": N_("Sign-in"), "sign_in_failed": N_("Failed sign-in"), "sign_out": N_("Sign-out"),
                 "view": N_("Page viewed"), "export": N_("Export"), "setting": N_("Setting changed"),
                 "role": N_("Role changed")}
#: Who, when no person's name exists, as the page says it.
ACTOR_LABELS = {LOCAL: N_("local (no sign-in)"), SHARED: N_("shared password"), "(unknown user)": N_("(unknown user)")}
BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
SHOWN = 2000  # rows drawn on the page at most (the CSV holds every row the filters keep)

s = widgets.page_header(_("Audit trail"), needs=())
if s is None:
    st.stop()
if widgets.current_role().kind not in ("open", "statistician"):
    st.error(_("Only the data manager / statistician can read the audit trail."))
    st.stop()
try:
    trail = current_trail()
except AuditUnavailable as exc:
    st.error(_("The audit trail cannot be opened: {reason}").format(reason=str(exc)))
    st.stop()

st.caption(_("Every sign-in, page and cut viewed, export and change of role or setting, appended to {db} ({backend}, "
             "schema {version}); rows cannot be changed or deleted. No passwords and no patient data are kept.")
           .format(db=f"`{trail.describe()}`", backend=BACKENDS.get(trail.backend, trail.backend),
                   version=schema_version(trail.engine)))


def actor(name: str) -> str:
    return _(ACTOR_LABELS[name]) if name in ACTOR_LABELS else name


def role(code: str) -> str:
    parsed = parse_role(code)
    return parsed.label if parsed is not None else _(ROLES.get(code, code)) if code else ""


c1 = c2 = c3 = widgets.control_row()
who = c1.multiselect(_("Who"), trail.actors(), placeholder=_("All"), format_func=actor, key="audit_who")
what = c2.multiselect(_("What"), list(ACTIONS), placeholder=_("All"), format_func=lambda a: _(ACTION_LABELS[a]),
                      key="audit_what")
today = dt.datetime.now(dt.UTC).date()
days = c3.date_input(_("Dates (UTC)"), (today - dt.timedelta(days=30), today), key="audit_dates")
since, until = (days[0], days[-1]) if isinstance(days, tuple | list) and days else (None, None)
rows = trail.read(who, what, since, until)
st.write(_("{n} row(s)").format(n=f"{len(rows):,}"))
shown = rows.head(SHOWN).assign(action=lambda d: d["action"].map(lambda a: _(ACTION_LABELS.get(a, a))),
                                actor=lambda d: d["actor"].map(actor), role=lambda d: d["role"].map(role),
                                detail=lambda d: d["detail"].map(details_text))
widgets.table(shown.rename(columns={
    "id": _("No."), "at": _("When (UTC)"), "actor": _("Who"), "role": _("Role"), "action": _("What"),
    "page": _("Page"), "cut": _("Data cut"), "target": _("Exported or set"), "client": _("From"),
    "session": _("Sign-in"), "detail": _("Details")}), width="stretch", height=520)
if len(rows) > SHOWN:
    st.caption(_("The newest {n} rows are shown; the CSV holds all {total}.").format(n=f"{SHOWN:,}", total=f"{len(rows):,}"))
name = f"audit_trail_{today:%Y%m%d}.csv"
st.download_button(_("Download the rows (CSV)"), audited(lambda: to_csv(rows), "csv", name, s,
                                                          {"rows": len(rows), "who": who, "what": what,
                                                           "dates": [str(d) for d in (since, until) if d]}),
                   file_name=name, mime="text/csv", key="audit_csv")
