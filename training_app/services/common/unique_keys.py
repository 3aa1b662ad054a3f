"""A unique key lost to a simultaneous request: refused with the error a duplicate gets one request at a time.

A service checks that a code, name or email is free before it inserts; two requests checking at the same moment
both find it free, and the database's unique constraint refuses the second insert. `refused_if_taken` turns that
refusal into the service's own error (a course code taken, an email in use), after rolling the transaction back,
so the page shows its usual message and the API its usual 409 or 422, and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...extensions import db

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE for a unique constraint or index refusing a row
SQLITE_PREFIX = "UNIQUE constraint failed: "


def broken_unique_keys(error: IntegrityError) -> frozenset[str]:
    """The names of the unique constraints or indexes the refused statement may have broken (empty for any other
    refusal). PostgreSQL names the one; SQLite names its columns, which two partial indexes can share."""
    original = error.orig
    diag = getattr(original, "diag", None)
    if diag is not None:
        if getattr(original, "sqlstate", None) != UNIQUE_VIOLATION or not diag.constraint_name:
            return frozenset()
        return frozenset({diag.constraint_name})
    message = str(original)
    if not message.startswith(SQLITE_PREFIX):
        return frozenset()
    listed = message.removeprefix(SQLITE_PREFIX).strip()
    if listed.startswith("index '"):  # an index on expressions is named rather than its columns listed
        return frozenset({listed.removeprefix("index '").rstrip("'")})
    columns = [column.strip().split(".", 1) for column in listed.split(",")]
    table = columns[0][0]
    return _unique_keys_by_columns().get((table, frozenset(name for _, name in columns)), frozenset())


@contextmanager
def refused_if_taken(refusals: Mapping[str, Callable[[], Exception]]) -> Iterator[None]:
    """Run the body (which flushes or commits); when it breaks one of the unique keys named in `refusals`, roll back
    and raise that key's error instead of the IntegrityError. Any other refusal is raised as it was."""
    try:
        yield
    except IntegrityError as error:
        broken = broken_unique_keys(error)
        refusal = next((make for name, make in refusals.items() if name in broken), None)
        if refusal is None:
            raise
        db.session.rollback()
        raise refusal() from None


@cache
def _unique_keys_by_columns() -> dict[tuple[str, frozenset[str]], frozenset[str]]:
    """Every unique constraint and unique index of the schema, by table and set of columns, as SQLite reports them."""
    found: dict[tuple[str, frozenset[str]], set[str]] = {}
    for table in db.metadata.tables.values():
        keys: list[sa.UniqueConstraint | sa.Index] = [
            *(constraint for constraint in table.constraints if isinstance(constraint, sa.UniqueConstraint)),
            *(index for index in table.indexes if index.unique),
        ]
        for key in keys:
            columns = frozenset(column.name for column in key.columns)
            if columns and key.name:
                found.setdefault((table.name, columns), set()).add(str(key.name))
    return {place: frozenset(names) for place, names in found.items()}
