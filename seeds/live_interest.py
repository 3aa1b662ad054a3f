"""The live programme's interest (SPEC 3.4 Interest, 5): a course without dates that people across the partnership
asked to be told about, so the coordinator's course page shows where the demand is before scheduling it.

The course is new (it is not in seeds/courses.COURSES, so the live programme's rotation of courses is unchanged) and
has no sessions. Interest is registered through the interest service as the coordinator: the first practitioners in
post (by email) of six areas, three of them in the first area, the demo practitioner among them, and a member of the
booker's school staff, so the practitioner's and the booker's pages show it too. Interest changes no records: the
2008 figures cannot move.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import Area, CourseKind, Organisation, Practitioner, User
from training_app.services.booking.interest import register_interest
from training_app.services.catalogue.courses import CourseSettings, create_course
from training_app.services.workforce.in_post import in_post_on, not_left_by

from .common import Demo
from .funds import BOOKER_SCHOOL_INDEX, claim_schools

COORDINATOR = "coordinator@demo.test"
PRACTITIONER = "practitioner@demo.test"
COURSE = CourseSettings(
    code="TAC",
    title="Team around the child: running a TAC meeting",
    kind=CourseKind.OTHER,
    typical_duration_minutes=180,
    description="How to convene, chair and record a team around the child meeting. Dates to follow.",
)
AREAS = 6
IN_FIRST_AREA = 3


def seed_live_interest(demo: Demo, today: date) -> Counter:
    """The course without dates and the interest in it (each committed by the services); returns how many."""
    coordinator = db.session.get(User, demo.user_ids[COORDINATOR])
    assert coordinator is not None
    course = create_course(COURSE, coordinator)
    people = _interested(demo, today)
    for person in people:
        register_interest(course, person, coordinator)
    return Counter(course_interests=len(people))


def _interested(demo: Demo, today: date) -> list[Practitioner]:
    """Practitioners in post spread over areas (three in the first), then the demo practitioner and one of the
    booker's school's staff, each once."""
    first = (
        sa.select(
            Practitioner.id,
            Organisation.area_id,
            sa.func.row_number().over(partition_by=Organisation.area_id, order_by=Practitioner.email).label("rank"),
        )
        .join(Organisation, Organisation.id == Practitioner.organisation_id)
        .join(Area, Area.id == Organisation.area_id)
        .where(in_post_on(today))
        .subquery()
    )
    rows = db.session.execute(
        sa.select(first.c.id, first.c.area_id, first.c.rank)
        .where(first.c.rank <= IN_FIRST_AREA)
        .order_by(first.c.area_id, first.c.rank)
    ).all()
    areas = sorted({area_id for _, area_id, _ in rows})[:AREAS]
    ids = [pid for pid, area_id, rank in rows if area_id in areas and (rank == 1 or area_id == areas[0])]
    own = db.session.scalar(sa.select(User.practitioner_id).where(User.email == PRACTITIONER))
    school = claim_schools(demo)[BOOKER_SCHOOL_INDEX][0]
    staff = db.session.scalar(
        sa.select(Practitioner.id)
        .where(Practitioner.organisation_id == school.id, not_left_by(today))
        .order_by(Practitioner.email)
        .limit(1)
    )
    wanted = list(dict.fromkeys([*ids, *(found for found in (own, staff) if found is not None)]))
    found = {p.id: p for p in db.session.scalars(sa.select(Practitioner).where(Practitioner.id.in_(wanted)))}
    return [found[pid] for pid in wanted if pid in found]
