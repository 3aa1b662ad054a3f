"""Courses (SPEC 3.2): created, edited and retired by coordinators, every change audited.

A course with history is never deleted: retiring it keeps its records and sessions, and it takes no new sessions
or bookings (`Course.is_retired`). Prerequisites never form a loop.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import AuditAction, Course, CourseKind, SelfBooking, User, WaitlistOrder, utcnow
from ...models.courses import course_prerequisites
from ...validation import code_problem, control_character_problem
from ..accounts import audit
from ..attendance.records import MAX_VALIDITY_MONTHS
from ..common.locks import lock_row
from ..common.unique_keys import refused_if_taken

MAX_CODE_LENGTH = 40
MAX_MINIMUM_PLACES = 10_000
MAX_MINIMUM_NOTICE_DAYS = 60  # the courses table's CHECK
MAX_OFFER_HOURS = 336  # two weeks, the courses table's CHECK
MAX_PENCE = 2**31 - 1  # pence columns are 32-bit integers on PostgreSQL
MAX_LEAD_DAYS = 3660
MAX_DURATION_MINUTES = 10 * 24 * 60
DEFAULT_LEAD_DAYS = 90
DEFAULT_HALF_DAY_PENCE = 2500
DEFAULT_DAY_PENCE = 5000
DEFAULT_BOOKING_CLOSES_DAYS = 2
MAX_BOOKING_CLOSES_DAYS = 60
DEFAULT_CANCELLATION_WINDOW_DAYS = 2
MAX_CANCELLATION_WINDOW_DAYS = 60

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class CourseSettings:
    """Everything a coordinator sets on a course; prerequisites are course codes."""

    code: str
    title: str
    kind: CourseKind
    typical_duration_minutes: int | None = None
    validity_months: int | None = None
    reminder_lead_days: int = DEFAULT_LEAD_DAYS
    counts_as_trained: bool = False
    prerequisites: Sequence[str] = ()
    renews: str = ""  # the code of the course this one renews (a refresher), or empty
    certificate_after_evaluation: bool = False  # SPEC 3.5: the certificate waits for the evaluation
    minimum_places: int | None = None  # SPEC 3.3: coordinators are told of a session below it
    minimum_notice_days: int = 10  # how many working days before day one they are told
    charge_half_day_pence: int = DEFAULT_HALF_DAY_PENCE
    charge_day_pence: int = DEFAULT_DAY_PENCE
    booking_closes_days: int = DEFAULT_BOOKING_CLOSES_DAYS
    cancellation_window_days: int = DEFAULT_CANCELLATION_WINDOW_DAYS
    self_booking: SelfBooking = SelfBooking.NO
    waitlist_order: WaitlistOrder = WaitlistOrder.FIRST_COME
    offer_hours: int | None = None  # SPEC 3.4: a freed place is offered for this long; None: promoted at once
    description: str = ""
    joining_instructions: str = ""


class CourseError(ValueError):
    """Course settings were refused; `fields` maps each bad field to a message."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = dict(fields)


def leads_back(start: K, graph: Mapping[K, Iterable[K]]) -> bool:
    """Whether following prerequisites (course -> its prerequisites) from `start` comes back to it."""
    seen: set[K] = set()
    stack = list(graph.get(start, ()))
    while stack:
        key = stack.pop()
        if key == start:
            return True
        if key not in seen:
            seen.add(key)
            stack.extend(graph.get(key, ()))
    return False


def prerequisite_graph() -> dict[int, list[int]]:
    """Every course's prerequisites by id, in one query (the catalogue is a few hundred courses at most)."""
    graph: dict[int, list[int]] = {}
    for course_id, prerequisite_id in db.session.execute(sa.select(course_prerequisites)):
        graph.setdefault(course_id, []).append(prerequisite_id)
    return graph


def all_courses() -> list[Course]:
    """The catalogue by code, retired courses included, with prerequisites loaded."""
    query = (
        sa.select(Course).options(selectinload(Course.prerequisites), selectinload(Course.renews)).order_by(Course.code)
    )
    return list(db.session.scalars(query))


def course_with_code(code: str) -> Course | None:
    """The course with this code, or None (a code no course could have, such as one with a NUL, is None too)."""
    if len(code) > 40 or "\x00" in code:
        return None
    return db.session.execute(sa.select(Course).filter_by(code=code)).scalar_one_or_none()


def course_problems(settings: CourseSettings, course: Course | None = None) -> dict[str, str]:
    """Every rule the settings break, by field; `course` is the one being edited (None for a new one)."""
    problems = _text_problems(settings, course) | _number_problems(settings)
    prerequisites = _courses_by_code(settings.prerequisites)
    unknown = [code for code in settings.prerequisites if code not in prerequisites]
    if unknown:
        problems["prerequisites"] = f"There is no course with code {', '.join(unknown)}."
    elif settings.code in settings.prerequisites or (course is not None and course in prerequisites.values()):
        problems["prerequisites"] = "A course cannot be its own prerequisite."
    elif course is not None and _makes_loop(course, list(prerequisites.values())):
        problems["prerequisites"] = "These prerequisites lead back to this course (a loop)."
    if settings.renews and (problem := renewal_problem(settings.code, settings.renews, renewals())):
        problems["renews"] = problem
    return problems


def renewals() -> dict[str, str]:
    """Which course each renewing course renews, by code (a handful of rows)."""
    renewed = sa.orm.aliased(Course)
    query = sa.select(Course.code, renewed.code).join(renewed, renewed.id == Course.renews_course_id)
    return {row[0]: row[1] for row in db.session.execute(query)}


def renewal_problem(code: str, renews: str, renewing: Mapping[str, str], known: Iterable[str] = ()) -> str | None:
    """Why course `code` cannot renew course `renews`, given what renews what (`renewing`, code -> code, as it would
    be) and codes about to exist (`known`); None when it may. A course renews one course that renews none, and is
    renewed only if it renews none: completing a refresher completes the renewed course, never a chain (so never
    a loop)."""
    if renews == code:
        return "A course cannot renew itself."
    if renews not in known and course_with_code(renews) is None:
        return f"There is no course with code {renews}."
    if renewing.get(renews) == code:
        return f"{renews} renews {code}, so {code} cannot renew {renews} (a loop)."
    if renews in renewing:
        return f"{renews} itself renews {renewing[renews]}: name the course it renews, {renewing[renews]}, instead."
    renewed_by = sorted(other for other, target in renewing.items() if target == code and other != code)
    if renewed_by:
        names = ", ".join(renewed_by)
        return f"{names} {'renews' if len(renewed_by) == 1 else 'renew'} {code}, so {code} cannot renew another course."
    return None


def create_course(settings: CourseSettings, actor: User | str | None) -> Course:
    """Add a course to the catalogue, audited and committed; CourseError lists every problem."""
    if problems := course_problems(settings):
        raise CourseError(problems)
    course = Course(code=settings.code)
    db.session.add(course)
    _apply(course, settings)
    with _code_kept(settings.code):
        db.session.flush()
        audit.record(actor, AuditAction.COURSE_CREATED, course, None, course_values(course))
        db.session.commit()
    return course


def edit_course(course: Course, settings: CourseSettings, actor: User | str | None) -> bool:
    """Change a course, audited (old and new values) and committed; False when nothing changed."""
    course = _locked(course)
    if problems := course_problems(settings, course):
        raise CourseError(problems)
    old = course_values(course)
    _apply(course, settings)
    new = course_values(course)
    if new == old:
        return False
    with _code_kept(settings.code):
        audit.record(actor, AuditAction.COURSE_CHANGED, course, old, new)
        db.session.commit()
    return True


def retire_course(course: Course, actor: User | str | None) -> bool:
    """Retire a course: it keeps its history but takes no new sessions or bookings; False if already retired."""
    course = _locked(course)
    if course.is_retired:
        return False
    course.retired_at = utcnow()
    audit.record(actor, AuditAction.COURSE_RETIRED, course, {"retired": False}, {"retired": True})
    db.session.commit()
    return True


def reinstate_course(course: Course, actor: User | str | None) -> bool:
    """Bring a retired course back into use; False if it was not retired."""
    course = _locked(course)
    if not course.is_retired:
        return False
    course.retired_at = None
    audit.record(actor, AuditAction.COURSE_REINSTATED, course, {"retired": True}, {"retired": False})
    db.session.commit()
    return True


def _locked(course: Course) -> Course:
    """The course as it is now, locked until the commit: a change at the same moment is audited after this one."""
    return lock_row(Course, course.id, selectinload(Course.prerequisites))


def retired_problem(course: Course) -> str | None:
    """Why a course takes no new session or booking, or None when it does."""
    return f"{course.code} is retired: it takes no new sessions or bookings." if course.is_retired else None


def course_values(course: Course) -> dict[str, Any]:
    """A course's settings as plain JSON values (for the audit trail)."""
    return {
        "code": course.code,
        "title": course.title,
        "kind": course.kind.value,
        "typical_duration_minutes": course.typical_duration_minutes,
        "validity_months": course.validity_months,
        "reminder_lead_days": course.reminder_lead_days,
        "counts_as_trained": course.counts_as_trained,
        "prerequisites": sorted(p.code for p in course.prerequisites),
        "renews": course.renews.code if course.renews else None,
        "certificate_after_evaluation": course.certificate_after_evaluation,
        "minimum_places": course.minimum_places,
        "minimum_notice_days": course.minimum_notice_days,
        "charge_half_day_pence": course.charge_half_day_pence,
        "charge_day_pence": course.charge_day_pence,
        "booking_closes_days": course.booking_closes_days,
        "cancellation_window_days": course.cancellation_window_days,
        "self_booking": course.self_booking.value,
        "waitlist_order": course.waitlist_order.value,
        "offer_hours": course.offer_hours,
        "description": course.description,
        "joining_instructions": course.joining_instructions,
        "retired": course.is_retired,
    }


def _apply(course: Course, settings: CourseSettings) -> None:
    course.code, course.title, course.kind = settings.code, settings.title, settings.kind
    course.typical_duration_minutes = settings.typical_duration_minutes
    course.validity_months, course.reminder_lead_days = settings.validity_months, settings.reminder_lead_days
    course.counts_as_trained, course.self_booking = settings.counts_as_trained, settings.self_booking
    course.certificate_after_evaluation = settings.certificate_after_evaluation
    course.minimum_places, course.minimum_notice_days = settings.minimum_places, settings.minimum_notice_days
    course.waitlist_order, course.booking_closes_days = settings.waitlist_order, settings.booking_closes_days
    course.offer_hours = settings.offer_hours
    course.cancellation_window_days = settings.cancellation_window_days
    course.charge_half_day_pence, course.charge_day_pence = settings.charge_half_day_pence, settings.charge_day_pence
    course.description, course.joining_instructions = settings.description, settings.joining_instructions
    prerequisites = _courses_by_code(settings.prerequisites)
    course.prerequisites = [prerequisites[code] for code in dict.fromkeys(settings.prerequisites)]
    course.renews = course_with_code(settings.renews) if settings.renews else None


def _code_kept(code: str) -> AbstractContextManager[None]:
    """A simultaneous request that took the same code first: refused as a duplicate found by the check is."""
    return refused_if_taken({"uq_courses_code": lambda: CourseError({"code": _taken(code)})})


def _taken(code: str) -> str:
    return f"There is already a course with code {code}."


def _text_problems(settings: CourseSettings, course: Course | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not settings.code or len(settings.code) > MAX_CODE_LENGTH:
        problems["code"] = f"Enter a code of at most {MAX_CODE_LENGTH} characters."
    elif problem := code_problem(settings.code):
        problems["code"] = f"The code {problem}."
    else:
        holder = course_with_code(settings.code)
        if holder is not None and holder is not course:
            problems["code"] = _taken(settings.code)
    if not settings.title.strip() or len(settings.title) > 200:
        problems["title"] = "Enter a title of at most 200 characters."
    elif problem := control_character_problem(settings.title):
        problems["title"] = f"The title {problem}."
    return problems


def _number_problems(settings: CourseSettings) -> dict[str, str]:
    problems: dict[str, str] = {}
    duration = settings.typical_duration_minutes
    if duration is not None and not 1 <= duration <= MAX_DURATION_MINUTES:
        problems["typical_duration_minutes"] = f"Typical duration must be from 1 to {MAX_DURATION_MINUTES} minutes."
    validity = settings.validity_months
    if validity is not None and not 1 <= validity <= MAX_VALIDITY_MONTHS:
        problems["validity_months"] = f"Validity must be from 1 to {MAX_VALIDITY_MONTHS} months, or left empty."
    if not 0 <= settings.reminder_lead_days <= MAX_LEAD_DAYS:
        problems["reminder_lead_days"] = f"Reminder lead time must be from 0 to {MAX_LEAD_DAYS} days."
    for name in ("charge_half_day_pence", "charge_day_pence"):
        if not 0 <= getattr(settings, name) <= MAX_PENCE:
            problems[name] = "A charge must be from nothing to £21,474,836.47."
    if not 0 <= settings.booking_closes_days <= MAX_BOOKING_CLOSES_DAYS:
        problems["booking_closes_days"] = f"Booking must close 0 to {MAX_BOOKING_CLOSES_DAYS} working days before."
    if not 0 <= settings.cancellation_window_days <= MAX_CANCELLATION_WINDOW_DAYS:
        problems["cancellation_window_days"] = (
            f"Late cancellation must start 0 to {MAX_CANCELLATION_WINDOW_DAYS} working days before."
        )
    if settings.minimum_places is not None and not 1 <= settings.minimum_places <= MAX_MINIMUM_PLACES:
        problems["minimum_places"] = f"Minimum places must be from 1 to {MAX_MINIMUM_PLACES:,}, or left empty."
    if not 0 <= settings.minimum_notice_days <= MAX_MINIMUM_NOTICE_DAYS:
        problems["minimum_notice_days"] = f"Tell coordinators 0 to {MAX_MINIMUM_NOTICE_DAYS} working days before."
    if (problem := offer_hours_problem(settings.offer_hours)) is not None:
        problems["offer_hours"] = problem
    return problems


def offer_hours_problem(hours: int | None) -> str | None:
    """Why a course's offer_hours cannot be saved (empty is fine: automatic promotion), or None."""
    if hours is not None and not 1 <= hours <= MAX_OFFER_HOURS:
        return f"Hold an offer for 1 to {MAX_OFFER_HOURS} hours, or leave it empty to give freed places at once."
    return None


def _courses_by_code(codes: Iterable[str]) -> dict[str, Course]:
    wanted = list(dict.fromkeys(codes))
    if not wanted:
        return {}
    return {c.code: c for c in db.session.scalars(sa.select(Course).where(Course.code.in_(wanted)))}


def _makes_loop(course: Course, prerequisites: list[Course]) -> bool:
    graph = prerequisite_graph()
    graph[course.id] = [p.id for p in prerequisites]
    return leads_back(course.id, graph)
