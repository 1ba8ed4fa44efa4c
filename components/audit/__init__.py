"""The audit trail (components/audit/trail.py) and its schema migrations (Alembic, ``migrations/``).

Below the UI: no Streamlit here. ``components/ui/audit.py`` records what a session does; the sign-in
gate records sign-ins; ``pages/audit.py`` lets the data manager read and export the trail.
"""
