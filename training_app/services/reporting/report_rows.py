"""Row builders for the further sheets of the trained-by-area workbook (SPEC 4.4).

Each builder counts every practitioner once, as of a date, aggregated in SQL with a fixed number of
queries, and takes the same optional scope as trained_by_area: practitioners whose set of authorities
meets `authority_ids`. `report_sheets` gives the rows of every sheet (and the trained count per authority_key the
'By authority' sheet is laid out from) from ONE grouped pass over practitioners, rolled up in Python over the
grouped rows, for the workbook; the single builders stay for pages that show one table.

Every count is of the people in post on the date (SPEC 3.1, `workforce.in_post.in_post_on`): staff totals, those
still to train and the trained alike, so a leaver counts for the dates they were in post and a joiner from the day
they started. "Trained" is the 3.9 rule (a counts_as_trained course completed on or before the date).
Staff of awareness_only organisations are never counted as needing training (SPEC 3.8); a practitioner with no
organisation is treated as not awareness-only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import (
    Area,
    Authority,
    Course,
    Organisation,
    OrganisationKind,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    ResponsibilityGroup,
)
from ..common.batches import Query
from ..workforce.in_post import in_post_on
from .counting import (
    is_trained,
    not_trained,
    practitioner_ids_in_scope,
    rows_by_authority_set,
    trained_practitioner_ids,
)
from .grouping import each_way, union_ways

NO_AREA = "No area"
NO_GROUP = "No group"
NO_ORGANISATION = "No organisation"
STILL_TO_TRAIN_TOTAL = "Total Still to Train"
# A count under an organisation's authority, area and kind (all None for people with no organisation).
PlaceCount = tuple[int | None, int | None, OrganisationKind | None, int]


@dataclass(frozen=True)
class AreaTrainedRow:
    """Trained practitioners of one area, under the authority of their organisation."""

    authority: str
    area: str
    trained: int


@dataclass(frozen=True)
class GroupRow:
    """Trained and untrained practitioners of one responsibility group."""

    code: str
    name: str
    trained: int
    untrained: int


@dataclass(frozen=True)
class KindRow:
    """Trained practitioners and all staff of one kind of organisation (None: no organisation)."""

    kind: OrganisationKind | None
    trained: int
    staff: int


@dataclass(frozen=True)
class StillToTrainRow:
    """Practitioners still to train under one exact set of authorities, labelled as in the 3.9 table."""

    label: str
    count: int


@dataclass(frozen=True)
class ReportSheets:
    """The rows of the workbook's further sheets, and trained practitioners per non-empty authority_key."""

    trained_by_key: dict[str, int]
    areas: list[AreaTrainedRow]
    groups: list[GroupRow]
    kinds: list[KindRow]
    still_to_train: list[StillToTrainRow]


def report_sheets(as_of: date, authority_ids: set[int] | None = None) -> ReportSheets:
    """Every sheet's rows from a fixed number of grouped queries, the same numbers and order as the single builders.

    The trained side is driven from the trained list (`id IN (trained)`: the trained people's rows, as the 3.9
    table's own count reads them) and counted two ways in one statement (grouping.each_way): per authority_key and
    group (with how many need training), and per organisation, rolled up in the same statement to the
    organisation's authority, area and kind. The totals (staff per place, per group, and in groups required to
    train per authority_key) come from indexes without looking at training, less the awareness-only staff (read
    from the few awareness-only organisations); untrained and still to train are those totals less the trained.
    No query asks 'is this person trained?' row by row over everyone.
    """
    required = set(db.session.execute(groups_required_to_train()).scalars())
    by_key_and_group, by_place = _trained_counts(as_of, authority_ids)
    by_key: dict[str, int] = {}
    trained_must: dict[str, int] = {}  # trained people whom still_to_train_conditions would otherwise count
    groups: dict[int | None, list[int]] = {}  # trained, trained who need training, staff who need training
    for key, group_id, count, needing in by_key_and_group:
        group_counts = groups.setdefault(group_id, [0, 0, 0])
        group_counts[0] += count
        group_counts[1] += needing
        if key:
            by_key[key] = by_key.get(key, 0) + count
            if needing and group_id in required:
                trained_must[key] = trained_must.get(key, 0) + needing
    aware_per_group: dict[int | None, int] = {}
    aware_must: dict[str, int] = {}  # awareness-only staff of groups required to train, per authority_key
    for key, group_id, count in _awareness_only_staff(as_of, authority_ids):
        aware_per_group[group_id] = aware_per_group.get(group_id, 0) + count
        if key and group_id in required:
            aware_must[key] = aware_must.get(key, 0) + count
    staff_per_group = sa.select(Practitioner.group_id, sa.func.count()).group_by(Practitioner.group_id)
    for group_id, count in db.session.execute(_staff_on(staff_per_group, as_of, authority_ids)):
        groups.setdefault(group_id, [0, 0, 0])[2] = count - aware_per_group.get(group_id, 0)
    areas: dict[tuple[int | None, int | None], int] = {}
    kinds: dict[OrganisationKind | None, list[int]] = {}  # trained, staff
    for authority_id, area_id, kind, count in by_place:
        areas[authority_id, area_id] = areas.get((authority_id, area_id), 0) + count
        kinds.setdefault(kind, [0, 0])[0] += count
    for _, _, kind, count in _staff_per_place(as_of, authority_ids):
        kinds.setdefault(kind, [0, 0])[1] += count
    in_required_groups = (  # must_train_conditions, less the awareness-only staff (aware_must)
        sa.select(Practitioner.authority_key, sa.func.count())
        .where(Practitioner.group_id.in_(required), Practitioner.authority_key != "")
        .group_by(Practitioner.authority_key)
    )
    still = {
        key: count - aware_must.get(key, 0) - trained_must.get(key, 0)
        for key, count in db.session.execute(_staff_on(in_required_groups, as_of, authority_ids))
    }
    return ReportSheets(
        by_key,
        _area_rows(areas),
        _group_rows({group_id: (t, staff - needing) for group_id, (t, needing, staff) in groups.items()}),
        _kind_rows({kind: (t, staff) for kind, (t, staff) in kinds.items()}),
        _still_rows(still, authority_ids),
    )


def _trained_counts(
    as_of: date, authority_ids: set[int] | None
) -> tuple[list[tuple[str, int | None, int, int]], list[PlaceCount]]:
    """Trained practitioners in one statement, found once and counted two ways: per (authority_key, group) with
    how many of them need training (are not awareness-only staff), and per organisation, rolled up to the
    organisation's authority, area and kind."""
    trained = sa.select(
        Practitioner.authority_key.label("authority_key"),
        Practitioner.group_id.label("group_id"),
        Practitioner.organisation_id.label("organisation_id"),
        _flag(needs_training()).label("needing"),
    ).where(Practitioner.id.in_(trained_practitioner_ids(as_of)))
    by_key_and_group, by_organisation = each_way(
        _staff_on(trained, as_of, authority_ids),
        [("authority_key", "group_id"), ("organisation_id",)],
        sums=["needing"],
    )
    key_rows, place_rows = union_ways(
        sa.select(by_key_and_group),
        _per_place(by_organisation),
    )
    return (
        [(key, group_id, count, int(needing)) for key, group_id, count, needing in key_rows],
        _with_kinds(place_rows),
    )


def _awareness_only_staff(as_of: date, authority_ids: set[int] | None) -> list[tuple[str, int | None, int]]:
    """Staff in post of awareness-only organisations per (authority_key, group), read from the organisation index (0021)
    for the few such organisations: the totals over everyone are counted without asking of each person whether
    their organisation is awareness-only, and these are taken off."""
    aware = aliased(Organisation)
    query = (
        sa.select(Practitioner.authority_key, Practitioner.group_id, sa.func.count())
        .where(Practitioner.organisation_id.in_(sa.select(aware.id).where(aware.awareness_only.is_(True))))
        .group_by(Practitioner.authority_key, Practitioner.group_id)
    )
    found = db.session.execute(_staff_on(query, as_of, authority_ids))
    return [(key, group_id, count) for key, group_id, count in found]


def _staff_per_place(as_of: date, authority_ids: set[int] | None) -> list[PlaceCount]:
    """Practitioners in post per organisation, counted from the organisation index, then rolled up to the organisation's
    authority, area and kind; no organisation gives Nones."""
    each = sa.select(Practitioner.organisation_id, sa.func.count().label("count")).group_by(
        Practitioner.organisation_id
    )
    return _with_kinds(db.session.execute(_per_place(_staff_on(each, as_of, authority_ids).subquery())).all())


def _per_place(per_organisation: sa.Subquery) -> Query:
    """Counts per organisation (a subquery of `organisation_id` and `count`) summed per the organisation's
    authority, area and kind (its text: see _with_kinds); no organisation gives Nones."""
    return (
        sa.select(
            Organisation.authority_id,
            Organisation.area_id,
            sa.type_coerce(Organisation.kind, sa.String),
            sa.func.sum(per_organisation.c["count"]),
        )
        .select_from(per_organisation)
        .outerjoin(Organisation, Organisation.id == per_organisation.c.organisation_id)
        .group_by(Organisation.authority_id, Organisation.area_id, Organisation.kind)
    )


_KINDS: dict[str | None, OrganisationKind | None] = {None: None} | {kind.value: kind for kind in OrganisationKind}


def _with_kinds(rows: Iterable[Any]) -> list[PlaceCount]:
    """Rows of _per_place with their kind made an OrganisationKind: read as text, as SQLAlchemy's Enum conversion
    costs 4 µs a row (a quarter of a second over a national list of organisations)."""
    return [(authority_id, area_id, _KINDS[kind], int(count)) for authority_id, area_id, kind, count in rows]


def _flag(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    """A condition as 1 or 0, to group by (the same on SQLite and PostgreSQL)."""
    return sa.case((condition, 1), else_=0)


def _area_rows(counts: dict[tuple[int | None, int | None], int]) -> list[AreaTrainedRow]:
    """Counts per (organisation's authority, area) as the 'By area' rows, names read once."""
    query = sa.select(Authority.id, Authority.name, Authority.display_order)
    authorities: dict[int | None, tuple[str | None, int | None]] = {
        id_: (name, order) for id_, name, order in db.session.execute(query)
    }
    area_names: dict[int | None, str] = dict(db.session.execute(sa.select(Area.id, Area.name)).all())
    found = [
        (*authorities.get(authority_id, (None, None)), area_names.get(area_id), count)
        for (authority_id, area_id), count in counts.items()
    ]
    return _sorted_area_rows(found)


def _sorted_area_rows(found: list[tuple[str | None, int | None, str | None, int]]) -> list[AreaTrainedRow]:
    """By authority display order, then area name with 'No area' last; 'No organisation' rows at the end."""
    return [AreaTrainedRow(*row) for row in in_area_order(found)]


def in_area_order(found: list[tuple[str | None, int | None, str | None, int]]) -> list[tuple[str, str, int]]:
    """Counts per (authority name, its display order, area name) of people's organisations as labelled rows: by
    authority display order, then area name with 'No area' last; 'No organisation' rows at the end (the 'By area'
    sheet's rule, which interest in a course follows too)."""
    found.sort(key=lambda r: (r[0] is None, r[1] or 0, r[0] or "", r[2] is None, r[2] or ""))
    return [(name or NO_ORGANISATION, area or NO_AREA, count) for name, _, area, count in found]


def _group_rows(counts: dict[int | None, tuple[int, int]]) -> list[GroupRow]:
    """Every responsibility group by code ('2' before '10'), then 'No group' when anyone has none."""
    groups = db.session.execute(sa.select(ResponsibilityGroup.id, ResponsibilityGroup.code, ResponsibilityGroup.name))
    rows = [GroupRow(code, name, *counts.get(id_, (0, 0))) for id_, code, name in groups]
    rows.sort(key=lambda row: (len(row.code), row.code))
    if None in counts:
        rows.append(GroupRow("", NO_GROUP, *counts[None]))
    return rows


def _kind_rows(counts: dict[OrganisationKind | None, tuple[int, int]]) -> list[KindRow]:
    """Every kind in the order SPEC 3.1 lists them, then 'no organisation' when anyone has none."""
    rows = [KindRow(kind, *counts.get(kind, (0, 0))) for kind in OrganisationKind]
    if None in counts:
        rows.append(KindRow(None, *counts[None]))
    return rows


def _still_rows(counts: dict[str, int], authority_ids: set[int] | None) -> list[StillToTrainRow]:
    rows = rows_by_authority_set(counts, STILL_TO_TRAIN_TOTAL, authority_ids)
    return [StillToTrainRow(row.label, row.trained) for row in rows]


def trained_by_organisation_area(as_of: date, authority_ids: set[int] | None = None) -> list[AreaTrainedRow]:
    """Trained practitioners in post per (authority, area) of their organisation, in authority display order."""
    query = (
        sa.select(Authority.name, Authority.display_order, Area.name, sa.func.count(Practitioner.id))
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Authority, Authority.id == Organisation.authority_id)
        .outerjoin(Area, Area.id == Organisation.area_id)
        .where(in_post_on(as_of))
        .group_by(Authority.id, Authority.name, Authority.display_order, Area.id, Area.name)
    )
    if authority_ids is None:
        query = query.where(Practitioner.id.in_(trained_practitioner_ids(as_of)))
    else:  # driven from the lead's people, as counting.trained_by_key is
        query = query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)), is_trained(as_of))
    return _sorted_area_rows([(name, order, area, count) for name, order, area, count in db.session.execute(query)])


def trained_by_group(as_of: date, authority_ids: set[int] | None = None) -> list[GroupRow]:
    """Every responsibility group by code, then 'No group' when anyone has none: people in post on as_of, trained or
    not (untrained leaves out awareness-only)."""
    trained = Practitioner.id.in_(trained_practitioner_ids(as_of))
    untrained = sa.and_(sa.not_(trained), needs_training())
    query = (
        sa.select(Practitioner.group_id, _count_where(trained), _count_where(untrained))
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .group_by(Practitioner.group_id)
    )
    rows = db.session.execute(_staff_on(query, as_of, authority_ids))
    return _group_rows({group_id: (t, u) for group_id, t, u in rows})


def trained_by_organisation_kind(as_of: date, authority_ids: set[int] | None = None) -> list[KindRow]:
    """Staff in post on as_of and the trained among them, per kind of organisation in the order SPEC 3.1 lists them,
    then 'no organisation' when anyone has none."""
    trained = Practitioner.id.in_(trained_practitioner_ids(as_of))
    query = (
        sa.select(Organisation.kind, _count_where(trained), sa.func.count(Practitioner.id))
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .group_by(Organisation.kind)
    )
    rows = db.session.execute(_staff_on(query, as_of, authority_ids))
    return _kind_rows({kind: (t, staff) for kind, t, staff in rows})


def still_to_train(as_of: date, authority_ids: set[int] | None = None) -> list[StillToTrainRow]:
    """In post on as_of, required by their group's pathway, not trained by as_of, not awareness-only: per exact set of
    authorities."""
    query = (
        sa.select(Practitioner.authority_key, sa.func.count(Practitioner.id))
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(*still_to_train_conditions(as_of))
        .group_by(Practitioner.authority_key)
    )
    counts = {key: count for key, count in db.session.execute(_scoped(query, authority_ids)).all()}  # noqa: C416
    return _still_rows(counts, authority_ids)


def still_to_train_conditions(as_of: date) -> list[sa.ColumnElement[bool]]:
    """Who is still to train on a date: in post on it (SPEC 3.1), they must train (must_train_conditions) and were not
    trained by the date. The sheet counts them; services.reporting.report_lists lists them."""
    return [*must_train_conditions(), in_post_on(as_of), not_trained(as_of)]


def must_train_conditions() -> list[sa.ColumnElement[bool]]:
    """Who must be trained, trained or not: their group's pathway requires a counts_as_trained course, they are not
    awareness-only staff, and they work for at least one authority."""
    return [
        Practitioner.group_id.in_(groups_required_to_train()),
        needs_training(),
        Practitioner.authority_key != "",
    ]


def groups_required_to_train() -> Query:
    """Ids of groups whose pathway lists a counts_as_trained course as required."""
    return (
        sa.select(Pathway.group_id)
        .join(PathwayCourse, PathwayCourse.pathway_id == Pathway.id)
        .join(Course, Course.id == PathwayCourse.course_id)
        .where(PathwayCourse.requirement == Requirement.REQUIRED, Course.counts_as_trained.is_(True))
    )


def needs_training() -> sa.ColumnElement[bool]:
    """Not on the staff of an awareness-only organisation (no organisation counts as not awareness-only). Read from
    the practitioner's organisation_id against the few awareness-only organisations, so it needs no join (and
    works the same with Organisation joined)."""
    aware = aliased(Organisation)
    awareness_only = sa.select(aware.id).where(aware.awareness_only.is_(True))
    return sa.or_(Practitioner.organisation_id.is_(None), Practitioner.organisation_id.not_in(awareness_only))


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _staff_on(query: Query, as_of: date, authority_ids: set[int] | None) -> Query:
    """The query kept to practitioners in post on as_of (SPEC 3.1) and within the scope."""
    return _scoped(query.where(in_post_on(as_of)), authority_ids)


def _scoped(query: Query, authority_ids: set[int] | None) -> Query:
    if authority_ids is None:
        return query
    return query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
