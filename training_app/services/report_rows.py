"""Row builders for the further sheets of the trained-by-area workbook (SPEC 4.4).

Each builder counts every practitioner once, as of a date, aggregated in SQL with a fixed number of
queries, and takes the same optional scope as trained_by_area: practitioners whose set of authorities
meets `authority_ids`. "Trained" is the 3.9 rule (a counts_as_trained course completed on or before
the date). Staff of awareness_only organisations are never counted as needing training (SPEC 3.8);
a practitioner with no organisation is treated as not awareness-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from ..extensions import db
from ..models import (
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
from .batches import Query
from .counting import practitioner_ids_in_scope, rows_by_authority_set, trained_practitioner_ids

NO_AREA = "No area"
NO_GROUP = "No group"
NO_ORGANISATION = "No organisation"
STILL_TO_TRAIN_TOTAL = "Total Still to Train"


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


def trained_by_organisation_area(as_of: date, authority_ids: set[int] | None = None) -> list[AreaTrainedRow]:
    """Trained practitioners per (authority, area) of their organisation, in authority display order."""
    query = (
        sa.select(Authority.name, Authority.display_order, Area.name, sa.func.count(Practitioner.id))
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(Authority, Authority.id == Organisation.authority_id)
        .outerjoin(Area, Area.id == Organisation.area_id)
        .where(Practitioner.id.in_(trained_practitioner_ids(as_of)))
        .group_by(Authority.id, Authority.name, Authority.display_order, Area.id, Area.name)
    )
    found = list(db.session.execute(_scoped(query, authority_ids)).all())
    found.sort(key=lambda r: (r[0] is None, r[1] or 0, r[0] or "", r[2] is None, r[2] or ""))
    return [AreaTrainedRow(name or NO_ORGANISATION, area or NO_AREA, count) for name, _, area, count in found]


def trained_by_group(as_of: date, authority_ids: set[int] | None = None) -> list[GroupRow]:
    """Every responsibility group by code, then 'No group' when anyone has none; untrained leaves out awareness-only."""
    trained = Practitioner.id.in_(trained_practitioner_ids(as_of))
    untrained = sa.and_(sa.not_(trained), needs_training())
    query = (
        sa.select(Practitioner.group_id, _count_where(trained), _count_where(untrained))
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .group_by(Practitioner.group_id)
    )
    counts = {group_id: (t, u) for group_id, t, u in db.session.execute(_scoped(query, authority_ids))}
    groups = db.session.execute(sa.select(ResponsibilityGroup.id, ResponsibilityGroup.code, ResponsibilityGroup.name))
    rows = [GroupRow(code, name, *counts.get(id_, (0, 0))) for id_, code, name in groups]
    rows.sort(key=lambda row: (len(row.code), row.code))  # "2" before "10"
    if None in counts:
        rows.append(GroupRow("", NO_GROUP, *counts[None]))
    return rows


def trained_by_organisation_kind(as_of: date, authority_ids: set[int] | None = None) -> list[KindRow]:
    """Every kind of organisation in the order SPEC 3.1 lists them, then 'no organisation' when anyone has none."""
    trained = Practitioner.id.in_(trained_practitioner_ids(as_of))
    query = (
        sa.select(Organisation.kind, _count_where(trained), sa.func.count(Practitioner.id))
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .group_by(Organisation.kind)
    )
    counts = {kind: (t, staff) for kind, t, staff in db.session.execute(_scoped(query, authority_ids))}
    rows = [KindRow(kind, *counts.get(kind, (0, 0))) for kind in OrganisationKind]
    if None in counts:
        rows.append(KindRow(None, *counts[None]))
    return rows


def still_to_train(as_of: date, authority_ids: set[int] | None = None) -> list[StillToTrainRow]:
    """Required by their group's pathway, not trained by as_of, not awareness-only: per exact set of authorities."""
    query = (
        sa.select(Practitioner.authority_key, sa.func.count(Practitioner.id))
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(*still_to_train_conditions(as_of))
        .group_by(Practitioner.authority_key)
    )
    counts = {key: count for key, count in db.session.execute(_scoped(query, authority_ids)).all()}  # noqa: C416
    rows = rows_by_authority_set(counts, STILL_TO_TRAIN_TOTAL, authority_ids)
    return [StillToTrainRow(row.label, row.trained) for row in rows]


def still_to_train_conditions(as_of: date) -> list[sa.ColumnElement[bool]]:
    """Who is still to train on a date (with Organisation outer-joined): their group's pathway requires a
    counts_as_trained course, they were not trained by the date, they are not awareness-only staff, and they work
    for at least one authority. The sheet counts them; services.report_lists lists them."""
    return [
        Practitioner.group_id.in_(groups_required_to_train()),
        Practitioner.id.not_in(trained_practitioner_ids(as_of)),
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
    """Not on the staff of an awareness-only organisation (no organisation counts as not awareness-only)."""
    return sa.or_(Organisation.id.is_(None), Organisation.awareness_only.is_(False))


def _count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _scoped(query: Query, authority_ids: set[int] | None) -> Query:
    if authority_ids is None:
        return query
    return query.where(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
