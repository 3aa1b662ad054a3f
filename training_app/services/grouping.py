"""One pass over some rows, counted several ways at once: SQL's GROUPING SETS, on both databases.

A report that needs the same rows counted per (authority set, group) and per organisation would otherwise find
those rows twice, and finding them (the trained people among a million) is most of the cost. PostgreSQL groups
one scan several ways with GROUPING SETS (in parallel, hashing some ways and sorting others); SQLite has no
GROUPING SETS, so the rows are materialised once as a CTE and each way is a GROUP BY over it, joined by UNION ALL.
Either way it is one statement, and the database does the counting.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from .batches import Query

# For each way, its groups: the way's column values, the number of rows, then each sum.
Groups = list[list[tuple[Any, ...]]]


def grouped_each_way(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str] = ()) -> Groups:
    """The rows (a select with labelled columns) grouped by each way, a list of column names, in one statement.

    Gives one list per way, of tuples: the way's column values, then how many rows, then the total of each column
    named in `sums` (0 when there is none), e.g. `(key, group_id, count, needing)`.
    """
    if not ways:
        return []
    if db.session.get_bind().dialect.name == "postgresql":
        return _grouping_sets(rows, ways, sums)
    return _union_of_groupings(rows, ways, sums)


def _grouping_sets(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str]) -> Groups:
    source = rows.subquery("each_way")
    names = _all_names(ways)
    columns = [source.c[name] for name in names]
    # GROUPING(a, b, ...) sets the bit of each column a row is not grouped by (a is the highest): one mask per way.
    masks = {_mask(names, way): index for index, way in enumerate(ways)}
    query = sa.select(
        sa.func.grouping(*columns),
        *columns,
        sa.func.count(),
        *(sa.func.coalesce(sa.func.sum(source.c[name]), 0) for name in sums),
    ).group_by(sa.func.grouping_sets(*(sa.tuple_(*(source.c[name] for name in way)) for way in ways)))
    found: Groups = [[] for _ in ways]
    for mask, *values in db.session.execute(query):
        index = masks[mask]
        measures = values[len(names) :]
        found[index].append((*(values[names.index(name)] for name in ways[index]), *measures))
    return found


def _union_of_groupings(rows: Query, ways: Sequence[Sequence[str]], sums: Sequence[str]) -> Groups:
    source = rows.cte("each_way").prefix_with("MATERIALIZED")  # found once, however many ways read it
    width = max(len(way) for way in ways)
    selects = []
    for index, way in enumerate(ways):
        grouped = [source.c[name] for name in way]
        padding = [sa.null() for _ in range(width - len(way))]  # every branch of a UNION has the same columns
        selects.append(
            sa.select(
                sa.literal(index),
                *grouped,
                *padding,
                sa.func.count(),
                *(sa.func.coalesce(sa.func.sum(source.c[name]), 0) for name in sums),
            ).group_by(*grouped)
        )
    found: Groups = [[] for _ in ways]
    for index, *values in db.session.execute(sa.union_all(*selects)):
        size = len(ways[index])
        found[index].append((*values[:size], *values[width:]))
    return found


def _all_names(ways: Sequence[Sequence[str]]) -> list[str]:
    return list(dict.fromkeys(name for way in ways for name in way))


def _mask(names: list[str], way: Sequence[str]) -> int:
    mask = 0
    for name in names:
        mask = (mask << 1) | (name not in way)
    return mask
