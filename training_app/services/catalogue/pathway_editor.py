"""The pathway editor's changes to one group's pathway (SPEC 3.2): add, remove, move, change requirement.

Each is a unit of work: checked, made through services/catalogue/pathways (`set_steps`, `remove_step`), audited with the
pathway before and after, and committed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditAction, Course, Pathway, PathwayCourse, Requirement, ResponsibilityGroup, User
from ..accounts import audit
from ..common.locks import fresh, lock_row
from .pathways import PathwayStep, pathways_by_group, remove_step, set_steps


class PathwayEditError(ValueError):
    """A change to a pathway was refused; the message says why."""


def group_pathway(group: ResponsibilityGroup) -> Pathway | None:
    """The group's pathway with its steps in order, or None when it has none yet."""
    return pathways_by_group([group.id]).get(group.id)


def pathway_values(pathway: Pathway | None) -> list[dict[str, Any]]:
    """The pathway's steps in order as plain JSON values (for the audit trail)."""
    steps = sorted(getattr(pathway, "steps", []), key=lambda step: step.position)
    return [{"course": s.course.code, "requirement": s.requirement.value, "position": s.position} for s in steps]


def add_course(group: ResponsibilityGroup, course: Course, requirement: Requirement, actor: User | str | None) -> None:
    """Put a course at the end of the group's pathway (creating the pathway if the group has none)."""
    pathway = _locked_pathway(group)
    if pathway is not None and any(step.course_id == course.id for step in pathway.steps):
        raise PathwayEditError(f"{course.code} is already on this pathway.")
    course = lock_row(Course, course.id)  # retired a moment ago: refused, as it would be a moment later
    if course.is_retired:
        raise PathwayEditError(f"{course.code} is retired, so it cannot be added to a pathway.")
    old = pathway_values(pathway)
    last = max((step.position for step in getattr(pathway, "steps", [])), default=0)
    pathways = {group.id: pathway} if pathway is not None else {}
    set_steps([PathwayStep(group, course, requirement, last + 1)], pathways)
    _done(group, old, actor)


def remove_course(group: ResponsibilityGroup, course: Course, actor: User | str | None) -> None:
    """Take a course off the group's pathway."""
    pathway = _pathway_holding(group, course)
    old = pathway_values(pathway)
    remove_step(pathway, course)
    _done(group, old, actor)


def change_requirement(
    group: ResponsibilityGroup, course: Course, requirement: Requirement, actor: User | str | None
) -> None:
    """Make a course on the group's pathway required, recommended or optional."""
    pathway = _pathway_holding(group, course)
    old = pathway_values(pathway)
    step = next(step for step in pathway.steps if step.course_id == course.id)
    set_steps([PathwayStep(group, course, requirement, step.position)], {group.id: pathway})
    _done(group, old, actor)


def move_course(group: ResponsibilityGroup, course: Course, places: int, actor: User | str | None) -> None:
    """Move a course up (places < 0) or down (places > 0) the group's pathway, swapping with its neighbour."""
    pathway = _pathway_holding(group, course)
    steps = sorted(pathway.steps, key=lambda step: step.position)
    index = next(n for n, step in enumerate(steps) if step.course_id == course.id)
    target = index + (1 if places > 0 else -1)
    if places == 0 or not 0 <= target < len(steps):
        raise PathwayEditError(f"{course.code} cannot move further {'down' if places > 0 else 'up'}.")
    old = pathway_values(pathway)
    mine, theirs = steps[index], steps[target]
    set_steps(
        [
            PathwayStep(group, mine.course, mine.requirement, theirs.position),
            PathwayStep(group, theirs.course, theirs.requirement, mine.position),
        ],
        {group.id: pathway},
    )
    _done(group, old, actor)


def _locked_pathway(group: ResponsibilityGroup) -> Pathway | None:
    """The group's pathway as it is now, the group's row locked until the commit: two edits at the same moment run
    one after the other, each from the steps the other left (positions never clash, the audit's old value holds)."""
    lock_row(ResponsibilityGroup, group.id)
    query = sa.select(Pathway).options(selectinload(Pathway.steps).selectinload(PathwayCourse.course))
    return db.session.scalars(fresh(query.where(Pathway.group_id == group.id))).one_or_none()


def _pathway_holding(group: ResponsibilityGroup, course: Course) -> Pathway:
    pathway = _locked_pathway(group)
    if pathway is None or not any(step.course_id == course.id for step in pathway.steps):
        raise PathwayEditError(f"{course.code} is not on this pathway.")
    return pathway


def _done(group: ResponsibilityGroup, old: list[dict[str, Any]], actor: User | str | None) -> None:
    db.session.flush()
    pathway = group_pathway(group)
    audit.record(
        actor,
        AuditAction.PATHWAY_CHANGED,
        pathway,
        {"group": group.code, "steps": old},
        {"group": group.code, "steps": pathway_values(pathway)},
        entity_type="pathway",
    )
    db.session.commit()


def requirement_matrix() -> dict[tuple[int, int], Requirement]:
    """Every group's requirement of every course on its pathway, keyed by (group id, course id): one query."""
    query = sa.select(Pathway.group_id, PathwayCourse.course_id, PathwayCourse.requirement).join(
        PathwayCourse, PathwayCourse.pathway_id == Pathway.id
    )
    return {(group_id, course_id): requirement for group_id, course_id, requirement in db.session.execute(query)}


def all_groups() -> list[ResponsibilityGroup]:
    """The responsibility groups in code order."""
    return list(db.session.scalars(sa.select(ResponsibilityGroup).order_by(ResponsibilityGroup.code)))


def group_with_code(code: str) -> ResponsibilityGroup | None:
    """The responsibility group with this code, or None (also for a code no group could have)."""
    if len(code) > 20 or "\x00" in code:
        return None
    return db.session.execute(sa.select(ResponsibilityGroup).filter_by(code=code)).scalar_one_or_none()
