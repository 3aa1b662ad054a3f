"""Coverage: for each area and responsibility group, how many of the people who must be trained are trained and current.

**Required** on a date: practitioners in post on it (SPEC 3.1) whose group's pathway lists a `counts_as_trained`
course as `required`, who are not on the staff of an awareness-only organisation (SPEC 3.8), the same people the
'Still to train' sheet counts.
**Trained and current** on a date: they hold a record of a `counts_as_trained` course completed on or before the
date, and a completion of such a course (a record of it, or of a course that renews it: attendance/completions) made
by then that has not expired by it (its stored expiry empty or after the date: SPEC 3.2 has a course `expired` from
its expiry date on). A renewal is simply a later completion, so someone whose old record lapsed but who renewed, by
the course again or a refresher, is current; a refresher alone trains nobody.
The area is their organisation's; people with no organisation or no area fall under 'No area'. Each cell is one
grouped query's figure; the people behind a cell (who is still to train there) are one more query, paged.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import sqlalchemy as sa

from ...extensions import db
from ...models import Area, Authority, Course, Organisation, Practitioner, ResponsibilityGroup, TrainingRecord
from ..attendance.completions import COUNTS_FOR
from ..common.batches import Query
from ..workforce.in_post import in_post_on
from .counting import not_trained, practitioner_ids_in_scope, trained_record_conditions
from .report_rows import NO_AREA, groups_required_to_train, needs_training

NO_AREA_ID = 0  # the cell address of people without an area (no real area has id 0)
BANDS = ((90, "High"), (60, "Medium"), (30, "Low"), (0, "Very low"))


@dataclass(frozen=True)
class CoverageCell:
    """One area × group: people required to train, how many are trained and current, and the percentage."""

    area_id: int
    group_id: int
    required: int
    current: int

    @property
    def percent(self) -> int | None:
        """Whole-number coverage, rounded down so 99.6% never reads as complete; None when nobody is required."""
        return None if self.required == 0 else 100 * self.current // self.required

    @property
    def still_to_train(self) -> int:
        return self.required - self.current

    @property
    def band(self) -> str:
        """A word for the cell's shade, so colour is never the only cue: High, Medium, Low or Very low."""
        percent = self.percent or 0
        return next(name for floor, name in BANDS if percent >= floor)


@dataclass(frozen=True)
class CoverageArea:
    """A row of the grid: an area (under its authority) and its cells by group id."""

    area_id: int
    authority: str
    name: str
    cells: dict[int, CoverageCell]

    @property
    def total(self) -> CoverageCell:
        return _sum_cells(self.area_id, 0, self.cells.values())


@dataclass(frozen=True)
class CoverageGroup:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class CoverageGrid:
    """Areas × the groups that must train, with the whole's figures."""

    as_of: date
    groups: list[CoverageGroup]
    areas: list[CoverageArea]

    @property
    def total(self) -> CoverageCell:
        return _sum_cells(0, 0, (area.total for area in self.areas))

    def group_total(self, group_id: int) -> CoverageCell:
        return _sum_cells(0, group_id, (area.cells[group_id] for area in self.areas if group_id in area.cells))


def current_practitioner_ids(as_of: date, authority_ids: set[int] | None = None) -> Query:
    """Ids of practitioners trained (a counts_as_trained record completed by as_of) holding a completion of a
    counts_as_trained course (a refresher's counts) not expired on as_of; only those working for a lead's
    authorities when given, so a lead's grid never lists the whole workforce's current people first."""
    query = _unexpired_completions(as_of).where(
        TrainingRecord.practitioner_id.in_(
            sa.select(TrainingRecord.practitioner_id)
            .join(Course, Course.id == TrainingRecord.course_id)
            .where(*trained_record_conditions(as_of))
            .correlate(None)
        )
    )
    if authority_ids is not None:
        query = query.where(TrainingRecord.practitioner_id.in_(practitioner_ids_in_scope(authority_ids)))
    return query


def _unexpired_completions(as_of: date) -> Query:
    """Whose records completed by as_of count for a counts_as_trained course and have not expired on as_of."""
    return (
        sa.select(TrainingRecord.practitioner_id)
        .join(COUNTS_FOR, COUNTS_FOR.c.course_id == TrainingRecord.course_id)
        .join(Course, Course.id == COUNTS_FOR.c.counts_for)
        .where(
            *trained_record_conditions(as_of),
            sa.or_(TrainingRecord.expires_on.is_(None), TrainingRecord.expires_on > as_of),
        )
    )


def coverage_grid(as_of: date, authority_ids: set[int] | None = None) -> CoverageGrid:
    """The grid on a date, kept to the people who work for a lead's authorities when given: two grouped queries, the
    required per cell and those of them current, the second driven from the list of current practitioners
    (`id IN`, never a per-row 'is this one current?', which PostgreSQL runs as a subplan per person at 1M)."""
    required = _per_cell(_required_on(as_of, authority_ids))
    current_ids = current_practitioner_ids(as_of, authority_ids)
    current = _per_cell([*_required_on(as_of, authority_ids), Practitioner.id.in_(current_ids)])
    cells: dict[int, dict[int, CoverageCell]] = {}
    for (area_key, group_id), count in required.items():
        cell = CoverageCell(area_key, group_id, count, current.get((area_key, group_id), 0))
        cells.setdefault(area_key, {})[group_id] = cell
    return CoverageGrid(as_of, _groups(), _areas(cells))


class OpeningReason(enum.StrEnum):
    """Why the coverage page opens on its date."""

    TODAY = "today"  # someone who must train is trained and current today
    LATEST_TRAINING = "latest_training"  # no one is current today: the latest day anyone completed the course
    NO_TRAINING = "no_training"  # no one who must train has ever completed the course


@dataclass(frozen=True)
class CoverageOpening:
    """The day the coverage page opens on, and why that day."""

    as_of: date
    reason: OpeningReason


def coverage_opening(today: date, authority_ids: set[int] | None = None) -> CoverageOpening:
    """Today when anyone in scope who must train is current today; otherwise the latest day one of them completed a
    course that counts as trained (a history whose records have all expired opens where it has figures, not on a
    grid of 0%); today, with the reason, when none of them ever has."""
    required = _required(authority_ids)
    current_today = sa.select(Practitioner.id).where(
        *required, in_post_on(today), Practitioner.id.in_(current_practitioner_ids(today, authority_ids))
    )
    if db.session.execute(current_today.limit(1)).first() is not None:
        return CoverageOpening(today, OpeningReason.TODAY)
    latest = _latest_training(today, required)
    if latest is None:
        return CoverageOpening(today, OpeningReason.NO_TRAINING)
    return CoverageOpening(latest, OpeningReason.LATEST_TRAINING)


def _latest_training(today: date, required: list[sa.ColumnElement[bool]]) -> date | None:
    """The latest day on or before today that someone meeting `required` completed a counts-as-trained course: per
    such course, its records walked newest first down the (course, completed_on) index to the first such person
    (issue 25: max() over every record took 2 s at 1M on SQLite), the latest of those."""
    courses = db.session.scalars(sa.select(Course.id).where(Course.counts_as_trained.is_(True))).all()
    found = [
        db.session.scalar(
            sa.select(TrainingRecord.completed_on)
            .join(Practitioner, Practitioner.id == TrainingRecord.practitioner_id)
            .where(TrainingRecord.course_id == course_id, TrainingRecord.completed_on <= today, *required)
            .order_by(TrainingRecord.completed_on.desc())
            .limit(1)
        )
        for course_id in courses
    ]
    return max((day for day in found if day is not None), default=None)


def _per_cell(conditions: list[sa.ColumnElement[bool]]) -> dict[tuple[int, int], int]:
    """Practitioners meeting the conditions per (area of their organisation, or NO_AREA_ID; group)."""
    query = (
        sa.select(Organisation.area_id, Practitioner.group_id, sa.func.count(Practitioner.id))
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(*conditions)
        .group_by(Organisation.area_id, Practitioner.group_id)
    )
    rows = db.session.execute(query)  # every condition list holds `_required`, so each person has a group
    return {(area_id or NO_AREA_ID, cast(int, group_id)): int(count) for area_id, group_id, count in rows}


def still_to_train_in_cell(
    as_of: date, area_id: int, group_id: int, authority_ids: set[int] | None = None, page: int = 1, per_page: int = 100
) -> tuple[list[sa.Row[Any]], int]:
    """One page of the people behind a cell who are not trained and current (name, email, organisation, when they
    last trained, if ever), by name, and how many there are in all."""
    latest = (
        sa.select(TrainingRecord.practitioner_id, sa.func.max(TrainingRecord.completed_on).label("completed_on"))
        .join(Course, Course.id == TrainingRecord.course_id)
        .where(Course.counts_as_trained.is_(True), TrainingRecord.completed_on <= as_of)
        .group_by(TrainingRecord.practitioner_id)
        .subquery()
    )
    conditions = [*_required_on(as_of, authority_ids), _in_area(area_id), Practitioner.group_id == group_id]
    # Not trained, or trained with no unexpired completion: NOT EXISTS, anti-joins on PostgreSQL.
    current = _unexpired_completions(as_of).where(TrainingRecord.practitioner_id == Practitioner.id)
    conditions += [sa.or_(not_trained(as_of), ~current.exists())]
    query = (
        sa.select(
            Practitioner.first_name,
            Practitioner.last_name,
            Practitioner.email,
            Organisation.name.label("organisation"),
            latest.c.completed_on.label("last_trained_on"),
        )
        .select_from(Practitioner)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .outerjoin(latest, latest.c.practitioner_id == Practitioner.id)
        .where(*conditions)
    )
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    ordered = query.order_by(Practitioner.last_name, Practitioner.first_name, Practitioner.email)
    rows = list(db.session.execute(ordered.limit(per_page).offset((page - 1) * per_page)))
    return rows, int(total)


def cell_in_scope(area_id: int, group_id: int, authority_ids: set[int] | None) -> bool:
    """Whether a reader kept to these authorities (None: everything) may open a cell: any cell of an area of one of
    their authorities, and any other cell on their grid, where someone who works for one of their authorities must
    train (a Rutland lead opens the Leicestershire school's cell of its staff who work for Rutland too)."""
    if authority_ids is None:
        return True
    if area_id != NO_AREA_ID:
        authority_id = db.session.execute(sa.select(Area.authority_id).where(Area.id == area_id)).scalar_one_or_none()
        if authority_id in authority_ids:
            return True
    someone = (
        sa.select(Practitioner.id)
        .outerjoin(Organisation, Organisation.id == Practitioner.organisation_id)
        .where(*_required(authority_ids), _in_area(area_id), Practitioner.group_id == group_id)
    )
    return bool(db.session.execute(sa.select(someone.exists())).scalar())


def _in_area(area_id: int) -> sa.ColumnElement[bool]:
    """People of an area's organisations; for NO_AREA_ID, those with no organisation or one with no area."""
    return Organisation.area_id.is_(None) if area_id == NO_AREA_ID else Organisation.area_id == area_id


def area_label(area_id: int) -> tuple[str, str] | None:
    """(authority, area) for an area id, ('', 'No area') for NO_AREA_ID, None when there is no such area."""
    if area_id == NO_AREA_ID:
        return "", NO_AREA
    found = db.session.execute(
        sa.select(Authority.name, Area.name)
        .join(Authority, Authority.id == Area.authority_id)
        .where(Area.id == area_id)
    ).first()
    return None if found is None else (found[0], found[1])


def _required_on(as_of: date, authority_ids: set[int] | None) -> list[sa.ColumnElement[bool]]:
    """Conditions for 'must be trained on as_of': in post on it (SPEC 3.1), and _required."""
    return [*_required(authority_ids), in_post_on(as_of)]


def _required(authority_ids: set[int] | None) -> list[sa.ColumnElement[bool]]:
    """Conditions for 'must be trained', whatever the date: a group required to train, not awareness-only, in
    scope (a cell's scope asks this of anyone who has worked there)."""
    conditions = [Practitioner.group_id.in_(groups_required_to_train()), needs_training()]
    if authority_ids is not None:
        conditions.append(Practitioner.id.in_(practitioner_ids_in_scope(authority_ids)))
    return conditions


def _groups() -> list[CoverageGroup]:
    """The groups whose pathway requires the counts-as-trained course, by code ('2' before '10')."""
    query = sa.select(ResponsibilityGroup.id, ResponsibilityGroup.code, ResponsibilityGroup.name).where(
        ResponsibilityGroup.id.in_(groups_required_to_train())
    )
    groups = [CoverageGroup(*row) for row in db.session.execute(query)]
    return sorted(groups, key=lambda group: (len(group.code), group.code))


def _areas(cells: dict[int, dict[int, CoverageCell]]) -> list[CoverageArea]:
    """The areas that have anyone required, in authority display order then by name; 'No area' last."""
    ids = [area_id for area_id in cells if area_id != NO_AREA_ID]
    query = (
        sa.select(Area.id, Authority.name, Area.name)
        .join(Authority, Authority.id == Area.authority_id)
        .where(Area.id.in_(ids))
        .order_by(Authority.display_order, Authority.name, Area.name)
    )
    found = db.session.execute(query)
    areas = [CoverageArea(area_id, authority, name, cells[area_id]) for area_id, authority, name in found]
    if NO_AREA_ID in cells:
        areas.append(CoverageArea(NO_AREA_ID, "", NO_AREA, cells[NO_AREA_ID]))
    return areas


def _sum_cells(area_id: int, group_id: int, cells: Iterable[CoverageCell]) -> CoverageCell:
    required = current = 0
    for cell in cells:
        required += cell.required
        current += cell.current
    return CoverageCell(area_id, group_id, required, current)


def group_with_code(code: str) -> CoverageGroup | None:
    """The responsibility group with this code, or None (also for a code no group could have)."""
    if not 0 < len(code) <= 20 or "\x00" in code:
        return None
    found = db.session.execute(
        sa.select(ResponsibilityGroup.id, ResponsibilityGroup.code, ResponsibilityGroup.name).filter_by(code=code)
    ).first()
    return None if found is None else CoverageGroup(*found)
