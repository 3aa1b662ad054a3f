"""Working on many rows at once within the databases' limits: IN lists in chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeAlias, TypeVar

import sqlalchemy as sa

from ...extensions import db

T = TypeVar("T")
# A select of any columns (SQLAlchemy 2.1 types a select by the tuple of its columns).
Query: TypeAlias = "sa.Select[*tuple[Any, ...]]"
# Large enough to keep the number of queries small, small enough for SQLite's and psycopg's bind limits.
CHUNK_SIZE = 2000


def in_chunks(values: Iterable[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    """The distinct values in lists of at most `size`, so an IN (...) stays within the databases' limits."""
    distinct = list(dict.fromkeys(values))
    for start in range(0, len(distinct), size):
        yield distinct[start : start + size]


def fetch_in(statement: Query, column: Any, values: Iterable[Any], scalars: bool = True) -> list[Any]:
    """Run `statement WHERE column IN values`, a few thousand values per query."""
    found: list[Any] = []
    for chunk in in_chunks(values):
        result = db.session.execute(statement.where(column.in_(chunk)))
        found.extend(result.scalars() if scalars else result)
    return found
