"""The courses of the programme and pathways for five responsibility groups (SPEC 3.2)."""

from __future__ import annotations

import sqlalchemy as sa

from training_app.extensions import db
from training_app.models import (
    Course,
    CourseKind,
    Pathway,
    PathwayCourse,
    Requirement,
    ResponsibilityGroup,
    SelfBooking,
)
from training_app.models.courses import course_prerequisites

from .common import Demo, insert_links, insert_rows

CAF = "CAF"  # the course that makes someone "trained to CAF assess"

# code, title, kind, minutes, validity months, counts as trained, self-booking
COURSES = [
    ("AWARE", "CAF and integrated working: awareness", "awareness", 90, None, False, True),
    ("AWARE-PLUS", "Awareness plus: identifying additional needs", "awareness_plus", 180, None, False, True),
    (CAF, "Common Assessment Framework: practitioner training", "caf_practitioner", 390, 36, True, False),
    ("LP", "Lead Professional training", "lead_professional", 390, 36, False, False),
    ("INFO-SHARE", "Information sharing for practitioners", "information_sharing", 180, None, False, True),
    ("MGR-BRIEF", "Managers' briefing: CAF and integrated working", "managers_briefing", 180, None, False, False),
    ("CAF-REFRESH", "CAF refresher", "refresher", 180, 36, False, False),
]

PREREQUISITES = [("LP", CAF), ("CAF-REFRESH", CAF)]
# Refreshers and the course each renews: completing CAF-REFRESH is a completion of CAF too (SPEC 3.2).
RENEWS = [("CAF-REFRESH", CAF)]

R, REC, OPT = Requirement.REQUIRED, Requirement.RECOMMENDED, Requirement.OPTIONAL
PATHWAYS = {
    "2": ("Regular contact pathway", [("AWARE", R), ("AWARE-PLUS", REC), ("INFO-SHARE", OPT)]),
    "3": (
        "Intensive contact pathway",
        [("AWARE-PLUS", R), (CAF, R), ("INFO-SHARE", REC), ("LP", REC), ("CAF-REFRESH", OPT)],
    ),
    "4": ("Specialist practitioner pathway", [(CAF, R), ("LP", R), ("INFO-SHARE", R), ("CAF-REFRESH", REC)]),
    "5": ("Designated and named professionals pathway", [(CAF, R), ("LP", R), ("INFO-SHARE", R), ("MGR-BRIEF", REC)]),
    "6": ("Operational managers pathway", [("MGR-BRIEF", R), (CAF, REC), ("INFO-SHARE", REC), ("LP", OPT)]),
}


def seed_courses(demo: Demo) -> None:
    """Courses with their prerequisites, and the five pathways."""
    rows = [
        {
            "code": code,
            "title": title,
            "kind": CourseKind(kind),
            "typical_duration_minutes": minutes,
            "validity_months": validity,
            "counts_as_trained": counts,
            "self_booking": SelfBooking.YES if self_booking else SelfBooking.NO,
            "description": f"{title}, part of the partnership's integrated working programme.",
        }
        for code, title, kind, minutes, validity, counts, self_booking in COURSES
    ]
    demo.course_ids = dict(zip([c[0] for c in COURSES], insert_rows(Course, rows), strict=True))
    insert_links(
        course_prerequisites,
        [
            {"course_id": demo.course_ids[course], "prerequisite_id": demo.course_ids[prerequisite]}
            for course, prerequisite in PREREQUISITES
        ],
    )
    for course, renewed in RENEWS:
        db.session.execute(
            sa.update(Course)
            .where(Course.id == demo.course_ids[course])
            .values(renews_course_id=demo.course_ids[renewed])
        )
    demo.group_ids = dict(db.session.execute(sa.select(ResponsibilityGroup.code, ResponsibilityGroup.id)).all())
    _seed_pathways(demo)


def _seed_pathways(demo: Demo) -> None:
    codes = list(PATHWAYS)
    rows = [{"group_id": demo.group_ids[code], "name": PATHWAYS[code][0]} for code in codes]
    pathway_ids = insert_rows(Pathway, rows)
    steps = [
        {
            "pathway_id": pathway_id,
            "course_id": demo.course_ids[course],
            "requirement": requirement,
            "position": position,
        }
        for code, pathway_id in zip(codes, pathway_ids, strict=True)
        for position, (course, requirement) in enumerate(PATHWAYS[code][1], start=1)
    ]
    insert_rows(PathwayCourse, steps)
