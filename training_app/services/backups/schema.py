"""Which migration a database is at, and whether it is the one this version of the application is built for."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy.engine import Connection

from ...extensions import db
from .archive import BackupError


def schema_revision(conn: Connection) -> str | None:
    """The migration the database is at, or None when it has no tables at all (a new database)."""
    names = set(sa.inspect(conn).get_table_names())
    if not names:
        return None
    if "alembic_version" not in names:
        raise BackupError("the database holds tables but was not built by the migrations (no alembic_version)")
    revisions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(revisions) != 1:
        raise BackupError("the database is not at a single migration; run `flask db upgrade` first")
    return str(revisions[0])


def scripts() -> ScriptDirectory:
    """The application's migrations."""
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config(migrate.directory))


def application_revision() -> str:
    """The newest migration this version of the application has."""
    head = scripts().get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this version of the application has the migration."""
    try:
        return scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown or malformed id
        return False


def check_schema(conn: Connection) -> str:
    """The database's migration; BackupError when it is not this application's or the database holds tables the
    application does not know."""
    revision = schema_revision(conn)
    head = application_revision()
    if revision != head:
        raise BackupError(
            f"the database is at migration {revision}, this application at {head}; run `flask db upgrade` first"
        )
    known = {table.name for table in db.metadata.sorted_tables} | {"alembic_version"}
    if unknown := set(sa.inspect(conn).get_table_names()) - known:
        raise BackupError(f"the database has tables this application does not know: {', '.join(sorted(unknown))}")
    return head
