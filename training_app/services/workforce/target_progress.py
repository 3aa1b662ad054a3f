"""Progress of targets on a date (SPEC 3.10), counted in SQL: one statement for any number of targets.

The staff a target counts are those in post on the date (`in_post.in_post_on`) in its groups: of its organisation,
or counted under its authority by SPEC 3.9's membership (`practitioner_authorities`), so someone who works for two
authorities counts once in each of their authorities' targets. Of them, those holding a current record of the
target's course are those whose latest completion of it by the date (`completions.latest_completions`: a record of
the course or of a course that renews it) has not expired on the date (`completions.standing`, the bounds of
`course_status`: current or due soon, a course that never expires always current).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Practitioner, Target, User, target_groups
from ...models.people import practitioner_authorities
from ..attendance.completions import latest_completions, standing
from .in_post import in_post_on
from .targets import (
    TargetStatus,
    TargetValues,
    progress_fraction,
    target_status,
    targets_for,
    targets_in_authorities,
    targets_where,
    unsaved_target,
)

EXPIRED = 2  # completions.standing: 0 current, 1 due soon, 2 expired
MOST_POINTS = 60  # month ends on a target's chart: five years
DASHBOARD_TARGETS = 5


@dataclass(frozen=True)
class TargetProgress:
    """A target's figures on a date: staff in post it counts, how many hold a current record, and its status."""

    target_id: int
    on: date
    percent: int
    in_post: int
    current: int
    status: TargetStatus

    @property
    def progress_percent(self) -> int:
        """Whole-number progress, rounded down so 79.6% never reads as a target of 80% met."""
        return int(progress_fraction(self.in_post, self.current))


def _staff(targets: Sequence[Target], on: date, name: str) -> sa.CTE:
    """(target_id, course_id, practitioner_id) for everyone each target counts on `on`.

    Each branch also names the organisations or authorities and the groups of the targets it serves (known from the
    loaded targets): redundant for the result, but they give the planner its row counts, so an authority's staff are
    hashed together rather than looked up one by one (PostgreSQL otherwise guessed a handful and looped).
    """
    group_ids = sorted({group.id for target in targets for group in target.groups})
    by_organisation = [target for target in targets if target.organisation_id is not None]
    by_authority = [target for target in targets if target.authority_id is not None]
    branches: list[sa.Select[Any] | sa.Select[int, int, int]] = []
    if by_organisation:
        branches.append(_organisation_staff(by_organisation, group_ids, on))
    if by_authority and db.session.get_bind().dialect.name == "postgresql":
        branches.append(_authority_staff(by_authority, group_ids, on, name))
    elif by_authority:
        branches.append(_authority_staff_joined(by_authority, on))
    return (sa.union_all(*branches) if len(branches) > 1 else branches[0]).cte(name)


def _organisation_staff(targets: Sequence[Target], group_ids: list[int], on: date) -> sa.Select[int, int, int]:
    """The organisation targets' rows: their organisation's staff in post in their groups."""
    groups = target_groups.c
    organisation_ids = sorted({target.organisation_id for target in targets if target.organisation_id is not None})
    staff = sa.and_(Practitioner.organisation_id == Target.organisation_id, Practitioner.group_id == groups.group_id)
    return (
        sa.select(Target.id.label("target_id"), Target.course_id, Practitioner.id.label("practitioner_id"))
        .select_from(Target)
        .join(target_groups, groups.target_id == Target.id)
        .join(Practitioner, staff)
        .where(Target.id.in_([target.id for target in targets]), in_post_on(on))
        .where(Practitioner.organisation_id.in_(organisation_ids), Practitioner.group_id.in_(group_ids))
    )


def _authority_staff_joined(targets: Sequence[Target], on: date) -> sa.Select[int, int, int]:
    """The authority targets' rows as one join (SQLite, which indexes the join itself; told to materialise the
    members first, it matched each target's groups against an unindexed copy of them)."""
    groups, members = target_groups.c, practitioner_authorities.c
    return (
        sa.select(Target.id.label("target_id"), Target.course_id, Practitioner.id.label("practitioner_id"))
        .select_from(Target)
        .join(target_groups, groups.target_id == Target.id)
        .join(practitioner_authorities, members.authority_id == Target.authority_id)
        .join(
            Practitioner, sa.and_(Practitioner.id == members.practitioner_id, Practitioner.group_id == groups.group_id)
        )
        .where(Target.id.in_([target.id for target in targets]), in_post_on(on))
    )


def _authority_staff(targets: Sequence[Target], group_ids: list[int], on: date, name: str) -> sa.Select[Any]:
    """The authority targets' rows on PostgreSQL: the members in post of their authorities in their groups, found
    first on their own (materialised: every member joined to their record at once, by hash), then matched to each
    target by authority and group."""
    members = practitioner_authorities.c
    authority_ids = sorted({target.authority_id for target in targets if target.authority_id is not None})
    people = (
        sa.select(members.practitioner_id, members.authority_id, Practitioner.group_id)
        .join(Practitioner, Practitioner.id == members.practitioner_id)
        .where(members.authority_id.in_(authority_ids), Practitioner.group_id.in_(group_ids), in_post_on(on))
        .cte(f"{name}_members")
        .prefix_with("MATERIALIZED")
    )
    groups = target_groups.c
    return (
        sa.select(Target.id.label("target_id"), Target.course_id, people.c.practitioner_id)
        .select_from(Target)
        .join(target_groups, groups.target_id == Target.id)
        .join(people, sa.and_(people.c.authority_id == Target.authority_id, people.c.group_id == groups.group_id))
        .where(Target.id.in_([target.id for target in targets]))
    )


def _counts(targets: Sequence[Target], on: date, suffix: str = "") -> sa.Select[Any]:
    """target_id, in_post, current on `on` for these targets, as one SELECT."""
    staff = _staff(targets, on, f"target_staff{suffix}")
    courses = sorted({target.course_id for target in targets})
    latest = latest_completions(sa.select(staff.c.practitioner_id), courses, as_of=on)
    is_current = sa.and_(
        latest.c.practitioner_id.is_not(None), standing(latest.c.expires_on, latest.c.course_id, on, []) < EXPIRED
    )
    return (
        sa.select(
            staff.c.target_id,
            sa.func.count().label("in_post"),
            sa.func.coalesce(sa.func.sum(sa.case((is_current, 1), else_=0)), 0).label("current"),
        )
        .select_from(staff)
        .outerjoin(
            latest,
            sa.and_(latest.c.practitioner_id == staff.c.practitioner_id, latest.c.course_id == staff.c.course_id),
        )
        .group_by(staff.c.target_id)
    )


def target_progress(targets: Sequence[Target], on: date) -> dict[int, TargetProgress]:
    """Each target's progress on `on`, by target id, in one statement however many targets (a page of them)."""
    if not targets:
        return {}
    counts = {row.target_id: (int(row.in_post), int(row.current)) for row in db.session.execute(_counts(targets, on))}
    return {target.id: _progress(target, on, *counts.get(target.id, (0, 0))) for target in targets}


def _progress(target: Target, on: date, in_post: int, current: int) -> TargetProgress:
    status = target_status(in_post, current, target.percent, target.set_on, target.due_on, on)
    return TargetProgress(target.id, on, target.percent, in_post, current, status)


def month_ends(start: date, end: date) -> list[date]:
    """The last day of each month from `start`'s to `end`'s, up to `end`, then `end` itself when it is not one
    (at most MOST_POINTS, the latest kept)."""
    days: list[date] = []
    year, month = start.year, start.month
    while True:
        last = date(year, month, calendar.monthrange(year, month)[1])
        if last > end:
            break
        if last >= start:
            days.append(last)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    if not days or days[-1] != end:
        days.append(end)
    return days[-MOST_POINTS:]


def progress_over_time(target: Target, today: date) -> list[TargetProgress]:
    """The target's progress at each month end since it was set, to today or its date (whichever is first), in one
    statement: one SELECT per day, joined by UNION ALL."""
    end = max(min(today, target.due_on), target.set_on)
    days = month_ends(target.set_on, end)
    parts = [
        sa.select(sa.literal(index).label("point"), counts.c.in_post, counts.c.current).select_from(counts)
        for index, day in enumerate(days)
        for counts in [_counts([target], day, f"_{index}").subquery(f"counts_{index}")]
    ]
    found = {int(row.point): (int(row.in_post), int(row.current)) for row in db.session.execute(sa.union_all(*parts))}
    return [_progress(target, day, *found.get(index, (0, 0))) for index, day in enumerate(days)]


def line_points(target: Target) -> list[tuple[date, int]]:
    """The straight line the status is judged against: 0 on the day set, the percentage on the date."""
    return [(target.set_on, 0), (target.due_on, target.percent)]


@dataclass(frozen=True)
class TargetsPanel:
    """A dashboard's few targets (the first in the pages' order), with their progress when counted, and whether
    there are more on the targets page."""

    rows: list[tuple[Target, TargetProgress | None]]
    more: bool


def dashboard_targets(
    user: User, today: date, counted: bool = True, kept: Mapping[int, tuple[int, int]] | None = None
) -> TargetsPanel:
    """The first DASHBOARD_TARGETS targets a user may see; their progress today when `counted`. A workforce lead's
    dashboard reads no practitioners per request: their panel takes the figures `kept` in their scope's dashboard
    summary (`kept_target_counts`, target id to in post and current, counted on `today`, the summary's day), and
    a target set since has none until the next count (the page counts it)."""
    targets = targets_for(user, DASHBOARD_TARGETS + 1)
    shown = targets[:DASHBOARD_TARGETS]
    if counted:
        progress = target_progress(shown, today)
    else:
        known = kept or {}
        progress = {t.id: _progress(t, today, *known[t.id]) for t in shown if t.id in known}
    return TargetsPanel([(target, progress.get(target.id)) for target in shown], len(targets) > DASHBOARD_TARGETS)


def kept_target_counts(authority_ids: set[int], on: date) -> dict[int, tuple[int, int]]:
    """For a lead's dashboard summary: the first DASHBOARD_TARGETS targets of these authorities (as their panel lists
    them), each with its staff in post and current holders on `on`; one statement and one for their groups."""
    targets = targets_where(targets_in_authorities(authority_ids), DASHBOARD_TARGETS)
    return {target_id: (p.in_post, p.current) for target_id, p in target_progress(targets, on).items()}


def preview_progress(values: TargetValues, actor: User, set_on: date, on: date) -> TargetProgress:
    """The progress a target of these values would have on `on`, counted without keeping it (a savepoint undone);
    TargetError when the values are refused."""
    savepoint = db.session.begin_nested()
    try:
        target = unsaved_target(values, actor, set_on)
        db.session.add(target)
        db.session.flush()
        return target_progress([target], on)[target.id]
    finally:
        savepoint.rollback()
