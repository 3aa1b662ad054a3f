"""One pass over some rows, counted several ways at once: SQL's GROUPING SETS, on both databases.

A report that needs the same rows counted per (authority set, group) and per organisation would otherwise find
those rows twice, and finding them (the trained people among a million) is most of the cost. PostgreSQL groups
one scan several ways with GROUPING SETS (in parallel, hashing some ways and sorting others); SQLite has no
GROUPING SETS, so the rows are materialised once as a CTE and each way is a GROUP BY over it.

`each_way` gives each way as a subquery (its columns, `count` and each sum) to build on: join it, roll it up
further, and put the ways together with `union_ways`, so that everything stays one statement and the database
does the counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ..common.batches import Query


def each_way(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str] = ()) -> list[sa.Subquery]:
    """The rows (a select with labelled columns) grouped by each way, a list of the rows' column names, as one
    subquery per way with the way's columns, `count` (how many rows) and a column per name in `sums` (their
    total, 0 when there is none). All of them read the rows once, whichever database."""
    if db.session.get_bind().dialect.name == "postgresql":
        return _grouping_sets(rows, ways, sums)
    return _groupings_of_one_cte(rows, ways, sums)


def union_ways(*selects: Query) -> list[list[tuple[Any, ...]]]:
    """Run selects built on each_way's subqueries as one UNION ALL statement; one list of rows per select, in
    order. Each select's columns have places of their own in the union's rows, a NULL of the column's type in
    every other select's (a UNION needs each column's type to agree across its branches on PostgreSQL)."""
    if not selects:
        return []
    subqueries = [select.subquery() for select in selects]
    places = [column for subquery in subqueries for column in subquery.c]
    tagged, start, spans = [], 0, []
    for index, subquery in enumerate(subqueries):
        width = len(subquery.c)
        columns = [
            column if start <= place < start + width else sa.cast(sa.null(), column.type)
            for place, column in enumerate(places)
        ]
        tagged.append(sa.select(sa.literal(index).label("way"), *columns))
        spans.append((start, start + width))
        start += width
    found: list[list[tuple[Any, ...]]] = [[] for _ in selects]
    for index, *values in db.session.execute(sa.union_all(*tagged)):
        begin, end = spans[index]
        found[index].append(tuple(values[begin:end]))
    return found


def _grouping_sets(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str]) -> list[sa.Subquery]:
    source = rows.subquery("each_way_rows")
    names = list(dict.fromkeys(name for way in ways for name in way))
    columns = [source.c[name] for name in names]
    grouped = (
        sa.select(
            sa.func.grouping(*columns).label("grouping"),
            *columns,
            sa.func.count().label("count"),
            *(sa.func.coalesce(sa.func.sum(source.c[name]), 0).label(name) for name in sums),
        )
        .group_by(sa.func.grouping_sets(*(sa.tuple_(*(source.c[name] for name in way)) for way in ways)))
        .cte("each_way")
    )
    return [
        sa.select(*(grouped.c[name] for name in way), grouped.c["count"], *(grouped.c[name] for name in sums))
        .where(grouped.c.grouping == _mask(names, way))
        .subquery()
        for way in ways
    ]


def _groupings_of_one_cte(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str]) -> list[sa.Subquery]:
    source = rows.cte("each_way").prefix_with("MATERIALIZED")  # found once, however many ways read it
    return [
        sa.select(
            *(source.c[name] for name in way),
            sa.func.count().label("count"),
            *(sa.func.coalesce(sa.func.sum(source.c[name]), 0).label(name) for name in sums),
        )
        .group_by(*(source.c[name] for name in way))
        .subquery()
        for way in ways
    ]


def _mask(names: list[str], way: Sequence[str]) -> int:
    """What GROUPING(a, b, ...) gives for a row of the way: a bit set for each column it is not grouped by, the
    first column the highest bit."""
    mask = 0
    for name in names:
        mask = (mask << 1) | (name not in way)
    return mask
