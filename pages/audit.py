"""Audit trail: who signed in, viewed, exported and changed what (the data manager's page)."""

import datetime as dt

import streamlit as st

from components.audit.trail import ACTIONS, AuditUnavailable, schema_version, to_csv
from components.i18n import _
from components.ui import widgets
from components.ui.audit import BACKENDS, action_label, actor_label, audited, current_trail, listing
from components.ui.navigation import PAGES

SHOWN = 2000  # rows drawn on the page at most (the CSV holds every row the filters keep)

s = widgets.page_header(_("Audit trail"), needs=())
if s is None:
    st.stop()
if not next(p for p in PAGES if p.file == "pages/audit.py").visible_to(widgets.current_role().kind):
    st.error(_("Only the data manager / statistician can read the audit trail."))
    st.stop()
try:
    trail = current_trail()
except AuditUnavailable as exc:
    st.error(_("The audit trail cannot be opened: {reason}").format(reason=str(exc)))
    st.stop()

try:  # the database can go away after it was opened: said here, never a traceback
    version, actors = schema_version(trail.engine), trail.actors()
except Exception as exc:  # noqa: BLE001 - any driver's error
    st.error(_("The audit trail cannot be opened: {reason}").format(reason=type(exc).__name__))
    st.stop()
st.caption(_("Every sign-in, page and cut viewed, export and change of role or setting, appended to {db} ({backend}, "
             "schema {version}); rows cannot be changed or deleted. No passwords and no patient data are kept.")
           .format(db=f"`{trail.describe()}`", backend=BACKENDS.get(trail.backend, trail.backend),
                   version=version))

c1 = c2 = c3 = widgets.control_row()
who = c1.multiselect(_("Who"), actors, placeholder=_("All"), format_func=actor_label, key="audit_who")
what = c2.multiselect(_("What"), list(ACTIONS), placeholder=_("All"), format_func=action_label,
                      key="audit_what")
today = dt.datetime.now(dt.UTC).date()
days = c3.date_input(_("Dates (UTC)"), (today - dt.timedelta(days=30), today), key="audit_dates")
since, until = (days[0], days[-1]) if isinstance(days, tuple | list) and days else (None, None)
try:
    rows = trail.read(who, what, since, until)
except Exception as exc:  # noqa: BLE001
    st.error(_("The audit trail cannot be opened: {reason}").format(reason=type(exc).__name__))
    st.stop()
st.write(_("{n} row(s)").format(n=f"{len(rows):,}"))
widgets.table(listing(rows.head(SHOWN)), width="stretch")
if len(rows) > SHOWN:
    st.caption(_("The newest {n} rows are shown; the CSV holds all {total}.").format(n=f"{SHOWN:,}", total=f"{len(rows):,}"))
name = f"audit_trail_{today:%Y%m%d}.csv"
st.download_button(_("Download the rows (CSV)"), audited(lambda: to_csv(rows), "csv", name, s,
                                                          {"rows": len(rows), "who": who, "what": what,
                                                           "dates": [str(d) for d in (since, until) if d]}),
                   file_name=name, mime="text/csv", key="audit_csv")
