"""Alembic's environment for the audit trail's schema.

The app migrates on start with a connection of its own (components/audit/trail.py, ``migrate``). A
maintainer adding a migration runs, from the project root::

    .venv/bin/alembic -c components/audit/alembic.ini revision -m "what changes"

and, to try it on a database, ``TRIAL_AUDIT_URL=sqlite:///tmp/a.sqlite3 .venv/bin/alembic -c
components/audit/alembic.ini upgrade head``.
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import context

config = context.config
connection = config.attributes.get("connection")


def run(conn: sa.Connection) -> None:
    context.configure(connection=conn, target_metadata=None, render_as_batch=conn.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:  # the app's own migrate(): it holds the transaction
    run(connection)
else:  # the alembic command line
    from components.audit.trail import database_url

    engine = sa.create_engine(os.environ.get("TRIAL_AUDIT_URL") or database_url())
    with engine.begin() as conn:
        run(conn)
