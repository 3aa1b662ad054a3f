"""Training targets (SPEC 3.10): who may see and set them, setting and changing one, and the status rule.

A target is an organisation's or an authority's (exactly one), covers one or more responsibility groups, names a
course (the `counts_as_trained` course unless another is given), a percentage from 1 to 100 and the date to reach it
by; the day it was set starts the straight line its status is judged against. Progress (who is in post and who holds
a current record) is counted in SQL by `target_progress`.

Scope: coordinators and administrators see and set every target; a booker sees and sets their own organisation's;
a workforce lead reads their authorities' targets and those of every organisation in their authorities.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ...extensions import db
from ...models import AuditAction, Authority, Course, Organisation, ResponsibilityGroup, Role, Target, User
from ..accounts import audit
from ..accounts.scope import is_staff, organisation_scope, report_scope
from ..common.locks import lock_row
from ..common.lookups import MAX_CODE_LENGTH

PERCENT_PROBLEM = "Percentage must be a whole number from 1 to 100."


class TargetStatus(enum.StrEnum):
    """Where a target stands on a date (SPEC 3.10)."""

    MET = "met"
    ON_TRACK = "on_track"
    BEHIND = "behind"
    MISSED = "missed"


STATUS_LABELS = {
    TargetStatus.MET: "Met",
    TargetStatus.ON_TRACK: "On track",
    TargetStatus.BEHIND: "Behind",
    TargetStatus.MISSED: "Missed",
}


@dataclass(frozen=True)
class TargetValues:
    """What a target records, as read from a form or the API (records named by code; course None = the one that
    counts as trained)."""

    organisation_code: str | None
    authority_code: str | None
    group_codes: Sequence[str]
    course_code: str | None
    percent: int | None
    due_on: date | None


class TargetError(ValueError):
    """A target was refused: `fields` maps each bad field to a message; `forbidden` when it is out of the user's
    scope (403), `missing` when the target itself does not exist (404)."""

    def __init__(self, fields: dict[str, str], forbidden: bool = False, missing: bool = False) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = fields
        self.forbidden = forbidden
        self.missing = missing


@dataclass(frozen=True)
class _Resolved:
    organisation: Organisation | None
    authority: Authority | None
    groups: list[ResponsibilityGroup]
    course: Course | None


# -- scope ---------------------------------------------------------------------------------------------------------


def targets_in_scope(user: User | None) -> sa.ColumnElement[bool]:
    """SQL: the targets a user may see (nothing for roles that see none; every one for None, the command line)."""
    if user is None or is_staff(user):
        return sa.true()
    organisation_id = organisation_scope(user)
    if user.role == Role.BOOKER:
        return Target.organisation_id == organisation_id if organisation_id is not None else sa.false()
    authority_ids = report_scope(user)
    if user.role == Role.WORKFORCE_LEAD and authority_ids:
        return targets_in_authorities(authority_ids)
    return sa.false()


def targets_in_authorities(authority_ids: set[int]) -> sa.ColumnElement[bool]:
    """SQL: the targets a workforce lead of these authorities reads: theirs and every organisation's in them."""
    organisations = sa.select(Organisation.id).where(Organisation.authority_id.in_(authority_ids))
    return sa.or_(Target.authority_id.in_(authority_ids), Target.organisation_id.in_(organisations))


def can_see_target(user: User, target: Target) -> bool:
    """Whether a user may see this target (the same rule as `targets_in_scope`, for one loaded target)."""
    if is_staff(user):
        return True
    if user.role == Role.BOOKER:
        return target.organisation_id is not None and target.organisation_id == organisation_scope(user)
    if user.role == Role.WORKFORCE_LEAD:
        authority_ids = user.authority_ids
        if target.authority_id is not None:
            return target.authority_id in authority_ids
        return target.organisation is not None and target.organisation.authority_id in authority_ids
    return False


def may_set_target(user: User, organisation_id: int | None, authority_id: int | None) -> bool:
    """Whether a user may set a target for this organisation or authority: staff any, a booker their own
    organisation's only, nobody else."""
    if is_staff(user):
        return True
    scope = organisation_scope(user)
    return user.role == Role.BOOKER and scope is not None and authority_id is None and organisation_id == scope


def may_set_targets(user: User) -> bool:
    """Whether a user may set any target at all (the pages offer the forms only then)."""
    return is_staff(user) or (user.role == Role.BOOKER and organisation_scope(user) is not None)


# -- setting and changing --------------------------------------------------------------------------------------------


def set_target(values: TargetValues, actor: User, today: date) -> Target:
    """Set a new target on `today`, audited and committed; TargetError when refused (forbidden for another's)."""
    target = unsaved_target(values, actor, today)
    db.session.add(target)
    db.session.flush()
    audit.record(actor, AuditAction.TARGET_SET, target, None, target_values(target))
    db.session.commit()
    return target


def unsaved_target(values: TargetValues, actor: User, set_on: date) -> Target:
    """The target these values describe, set on `set_on`, checked but not added to the session; TargetError when
    refused."""
    target = Target(set_on=set_on, set_by_id=actor.id)
    _apply(target, _checked(values, actor, set_on), values)
    return target


def change_target(target_id: int, values: TargetValues, actor: User) -> Target:
    """Change a target (its `set_on` stays: the line still starts the day it was set), the row locked and read afresh
    before anything is checked; audited and committed. TargetError: missing, forbidden, or the fields refused."""
    try:
        target = lock_row(Target, target_id, selectinload(Target.groups), selectinload(Target.organisation))
    except sa.exc.NoResultFound:
        raise TargetError({}, missing=True) from None
    if not can_see_target(actor, target) or not may_set_target(actor, target.organisation_id, target.authority_id):
        raise TargetError({"target": "You may not change this target."}, forbidden=True)
    resolved = _checked(values, actor, target.set_on)
    old = target_values(target)
    _apply(target, resolved, values)
    db.session.flush()
    if (new := target_values(target)) != old:
        audit.record(actor, AuditAction.TARGET_CHANGED, target, old, new)
    db.session.commit()
    return target


def _apply(target: Target, resolved: _Resolved, values: TargetValues) -> None:
    assert resolved.course is not None and values.percent is not None and values.due_on is not None
    target.organisation = resolved.organisation
    target.authority = resolved.authority
    target.groups = resolved.groups
    target.course = resolved.course
    target.percent = values.percent
    target.due_on = values.due_on


def _checked(values: TargetValues, actor: User, set_on: date) -> _Resolved:
    """The records the values name, once every field is good and the user may set it; TargetError otherwise."""
    problems: dict[str, str] = {}
    resolved = _resolved(values, problems)
    if values.percent is None or not 1 <= values.percent <= 100:
        problems["percent"] = PERCENT_PROBLEM
    if values.due_on is None:
        problems["due_on"] = "Enter the date to reach the target by."
    elif values.due_on < set_on:
        problems["due_on"] = f"The date to reach it by must be on or after {set_on:%d/%m/%Y}, the day it was set."
    if "organisation" not in problems:
        organisation_id = resolved.organisation.id if resolved.organisation else None
        authority_id = resolved.authority.id if resolved.authority else None
        if not may_set_target(actor, organisation_id, authority_id):
            raise TargetError({"organisation": "You may set targets only for your own organisation."}, forbidden=True)
    if problems:
        raise TargetError(problems)
    return resolved


def _resolved(values: TargetValues, problems: dict[str, str]) -> _Resolved:
    organisation = authority = None
    org_code, authority_code = values.organisation_code or None, values.authority_code or None
    if org_code and authority_code:
        problems["organisation"] = "Give an organisation or an authority, not both."
    elif not org_code and not authority_code:
        problems["organisation"] = "Give the organisation or the authority the target is for."
    elif org_code:
        organisation = _by_code(Organisation, org_code)
        if organisation is None:
            problems["organisation"] = f"There is no organisation with code {org_code[:MAX_CODE_LENGTH]}."
    elif authority_code:
        authority = _by_code(Authority, authority_code)
        if authority is None:
            problems["organisation"] = f"There is no authority with code {authority_code[:MAX_CODE_LENGTH]}."
    return _Resolved(organisation, authority, _groups(values.group_codes, problems), _course(values, problems))


def _by_code(model: Any, code: str) -> Any:
    if len(code) > MAX_CODE_LENGTH or "\x00" in code:
        return None
    return db.session.scalars(sa.select(model).where(model.code == code)).one_or_none()


def _groups(codes: Sequence[str], problems: dict[str, str]) -> list[ResponsibilityGroup]:
    wanted = list(dict.fromkeys(code for code in codes if code))
    if not wanted:
        problems["groups"] = "Choose at least one responsibility group."
        return []
    safe = [code for code in wanted if len(code) <= MAX_CODE_LENGTH and "\x00" not in code]
    found = list(db.session.scalars(sa.select(ResponsibilityGroup).where(ResponsibilityGroup.code.in_(safe))))
    unknown = sorted(set(wanted) - {group.code for group in found})
    if unknown:
        problems["groups"] = f"There is no responsibility group {', '.join(code[:20] for code in unknown[:5])}."
    return sorted(found, key=lambda group: group.code)


def _course(values: TargetValues, problems: dict[str, str]) -> Course | None:
    if values.course_code:
        course: Course | None = _by_code(Course, values.course_code)
        if course is None:
            problems["course"] = f"There is no course with code {values.course_code[:MAX_CODE_LENGTH]}."
        return course
    course = default_course()
    if course is None:
        problems["course"] = "No course counts as trained: choose the course."
    return course


def default_course() -> Course | None:
    """The course a target names unless told otherwise: the one that counts as trained (the first by code)."""
    query = sa.select(Course).where(Course.counts_as_trained.is_(True), Course.retired_at.is_(None))
    course: Course | None = db.session.scalars(query.order_by(Course.code).limit(1)).first()
    return course


# -- reading -------------------------------------------------------------------------------------------------------


def target_values(target: Target) -> dict[str, Any]:
    """A target as the audit trail and the API write it: codes, dates as YYYY-MM-DD."""
    return {
        "id": target.id,
        "organisation": target.organisation.code if target.organisation else None,
        "authority": target.authority.code if target.authority else None,
        "groups": [group.code for group in target.groups],
        "course": target.course.code,
        "percent": target.percent,
        "due_on": target.due_on.isoformat(),
        "set_on": target.set_on.isoformat(),
    }


def target_label(target: Target) -> str:
    """Whose target it is: the organisation's or the authority's name."""
    if target.organisation is not None:
        return target.organisation.name
    return target.authority.name if target.authority is not None else ""


def _loaded() -> sa.Select[Any]:
    return sa.select(Target).options(
        selectinload(Target.groups),
        joinedload(Target.organisation),
        joinedload(Target.authority),
        joinedload(Target.course),
    )


def _ordered(query: sa.Select[Any]) -> sa.Select[Any]:
    """Authorities' targets first (in display order), then organisations' by name; the soonest due first within."""
    return (
        query.outerjoin(Authority, Authority.id == Target.authority_id)
        .outerjoin(Organisation, Organisation.id == Target.organisation_id)
        .order_by(
            Target.authority_id.is_(None),
            Authority.display_order,
            Organisation.name,
            Target.due_on,
            Target.id,
        )
    )


def targets_for(user: User | None, limit: int | None = None, offset: int = 0) -> list[Target]:
    """The targets a user may see (None: every one), in the pages' order (authorities' first), optionally a page:
    one statement, and one more for their groups."""
    return targets_where(targets_in_scope(user), limit, offset)


def targets_where(condition: sa.ColumnElement[bool], limit: int | None = None, offset: int = 0) -> list[Target]:
    """The targets meeting `condition` (`targets_in_scope`, `targets_in_authorities`) in the pages' order."""
    query = _ordered(_loaded().where(condition))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique())


def count_targets(user: User | None) -> int:
    """How many targets a user may see."""
    return int(db.session.scalar(sa.select(sa.func.count(Target.id)).where(targets_in_scope(user))) or 0)


def target_for(user: User, target_id: int) -> Target:
    """One target, loaded with what its page shows; TargetError missing (404) or forbidden (403)."""
    target: Target | None = db.session.scalars(_loaded().where(Target.id == target_id)).unique().one_or_none()
    if target is None:
        raise TargetError({}, missing=True)
    if not can_see_target(user, target):
        raise TargetError({"target": "That target is out of your scope."}, forbidden=True)
    return target


# -- the status rule ---------------------------------------------------------------------------------------------------


def progress_fraction(in_post: int, current: int) -> Fraction:
    """Current holders as a percentage of those in post, exactly (0 when nobody is in post)."""
    return Fraction(100 * current, in_post) if in_post else Fraction(0)


def expected_percent(percent: int, set_on: date, due_on: date, on: date) -> Fraction:
    """The straight line: 0 on the day set, `percent` on the date due, exactly (never below 0 nor above percent)."""
    span = (due_on - set_on).days
    elapsed = min(max((on - set_on).days, 0), span)
    return Fraction(percent * elapsed, span) if span else Fraction(percent)


def target_status(in_post: int, current: int, percent: int, set_on: date, due_on: date, on: date) -> TargetStatus:
    """SPEC 3.10: met at or above the percentage; missed after the date if not; on track at or above the straight
    line from 0 on the day set to the percentage on the date; behind otherwise. Nobody in post is 0%."""
    progress = progress_fraction(in_post, current)
    if in_post and progress >= percent:
        return TargetStatus.MET
    if on > due_on:
        return TargetStatus.MISSED
    if progress >= expected_percent(percent, set_on, due_on, on):
        return TargetStatus.ON_TRACK
    return TargetStatus.BEHIND
