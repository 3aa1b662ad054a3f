"""The one way a decision locks what it decides about: load the row FOR UPDATE, afresh, before any check reads it.

A request usually loads a record to check who may act on it before the service decides; the database session keeps
that copy. A lock taken afterwards waits for anyone deciding at the same moment, but a plain SELECT then hands back
the copy already held, so the checks would run on what was true before the other decision committed: two approvals
of one claim, a waiver over a waiver. `populate_existing` makes the locking load overwrite that copy with the row
as it is once the lock is held, and `fresh` does the same for what the decision reads after it (its lines, marks).

PostgreSQL takes `SELECT ... FOR UPDATE` on the row; SQLite has no row locks and ignores the clause, but there the
writing transaction began IMMEDIATE (database.py), so it already holds the database's write lock before reading.

What a locking load brings with it must come in queries of its own (selectinload), run once the lock is held: on
PostgreSQL a row that waited for the lock comes back as it is now, but the rows a JOIN in the same statement brought
(a joinedload) are as they were before the wait. A role changed with its organisation a moment ago would be read
with the new organisation id and the old organisation (tests/concurrency/test_simultaneous_admin_changes.py).

A decision about something with no row of its own yet (how many reset emails an address has had, when the address
may have no account), or with no one row to lock (an import of a kind of record), locks a name instead: `lock_name`,
a transaction-level advisory lock on PostgreSQL.
"""

from __future__ import annotations

import hashlib
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm.interfaces import ORMOption

from ...extensions import db

M = TypeVar("M")
S = TypeVar("S", bound=sa.Select[Any])


def locking(query: S) -> S:
    """The query, locking the rows of its first entity until the transaction ends and loading them afresh."""
    entity = query.column_descriptions[0]["entity"]
    return fresh(query.with_for_update(of=entity))


def fresh(query: S) -> S:
    """The query, overwriting whatever the session already holds of the rows it loads (read after a lock)."""
    return query.execution_options(populate_existing=True)


def lock_row(model: type[M], row_id: int, *options: ORMOption) -> M:
    """One row by id, locked for the rest of the transaction and as it is now; NoResultFound when it is gone.
    Load related rows with selectinload, never joinedload (see above)."""
    key = sa.inspect(model).primary_key[0]
    query = locking(sa.select(model).options(*options).where(key == row_id))
    return db.session.execute(query).unique().scalar_one()


def lock_name(name: str) -> None:
    """Hold a lock on `name` until the transaction ends: whoever takes the same name waits, then reads afresh.

    PostgreSQL: `pg_advisory_xact_lock` on a 64-bit key from the name's SHA-256 (the scheduler's session lock uses
    a small constant, which this never equals in practice). SQLite: nothing to do, the writing transaction already
    holds the database's write lock. Take several names in one fixed order, so two transactions cannot deadlock.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
    db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
