"""The live programme's joiner and leaver (SPEC 3.1, 5, issue 22), at the demo booker's school, made as a booker makes
them: added through the practitioners reader with their dates set by services/workforce/leavers, the leaver booked
weeks ago on a coming session and marked as left a few days before the load day, which cancelled that booking free.

Both are new people who started long after 2008 (the history's people keep no dates), with no record before then,
so no 2008 figure moves; counts of staff in post on the load day have the joiner and not the leaver.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, time, timedelta

from training_app.extensions import db
from training_app.imports.single_row import import_one_row
from training_app.models import Practitioner, RecordSource, TrainingRecord, User
from training_app.services.attendance.records import add_months
from training_app.services.booking import booking_mail
from training_app.services.booking.bookings import book_place
from training_app.services.common.calendar import london_to_utc
from training_app.services.common.lookups import practitioner_with_email
from training_app.services.workforce.leavers import change_dates, mark_left

from .common import Demo, insert_rows
from .funds import BOOKER_SCHOOL_INDEX, claim_schools
from .live_bookings import BOOKER, _coming_session
from .places import OrgSeed

# The regular-contact pathway (awareness required, not CAF): the still-to-train figures of 2008-09 stay exact whether
# or not a count reads the dates (services/workforce/in_post).
GROUP = "2"
JOINER = {"first_name": "Amira", "last_name": "Haddad", "job_title": "Teaching assistant"}
LEAVER = {"first_name": "Gareth", "last_name": "Pryce", "job_title": "Learning mentor"}
JOINED_DAYS_AGO, LEFT_DAYS_AGO = 12, 4
LEAVER_STARTED, LEAVER_TRAINED = date(2016, 9, 1), date(2017, 3, 15)


def seed_live_workforce(demo: Demo, today: date) -> Counter:
    """Add the joiner and the leaver (nobody is emailed); returns the rows made per kind."""
    with booking_mail.not_sending():
        booker = _user(demo, BOOKER)
        school = claim_schools(demo)[BOOKER_SCHOOL_INDEX][0]
        joiner = _add(school, JOINER, booker)
        change_dates(joiner, today - timedelta(days=JOINED_DAYS_AGO), None, booker)
        leaver = _add(school, LEAVER, booker)
        change_dates(leaver, LEAVER_STARTED, None, booker)
        _trained(demo, leaver)
        booked_on = london_to_utc(today - timedelta(days=30), time(9, 0))
        book_place(_coming_session(today, weeks=6), leaver, booker, now=booked_on)
        left_on = today - timedelta(days=LEFT_DAYS_AGO)
        mark_left(leaver, left_on, booker, now=london_to_utc(left_on, time(10, 0)))
    return Counter(practitioners=2, training_records=1, bookings=1)


def _user(demo: Demo, email: str) -> User:
    user = db.session.get(User, demo.user_ids[email])
    assert user is not None
    return user


def _add(school: OrgSeed, person: dict[str, str], booker: User) -> Practitioner:
    """Add one of the school's staff as the staff page does (the practitioners reader)."""
    email = f"{person['first_name']}.{person['last_name']}@{school.code.lower()}.example.org".lower()
    row = {
        **person,
        "email": email,
        "organisation": school.code,
        "group": GROUP,
        "authorities": school.authority,
        "cover_category": "teaching_assistant",
    }
    result = import_one_row("practitioners", row, actor=booker)
    if not result.ok:
        raise RuntimeError(f"the demo's {person['first_name']} could not be added: {result.errors[0]}")
    added = practitioner_with_email(email)
    assert added is not None
    return added


def _trained(demo: Demo, person: Practitioner) -> None:
    """The leaver's CAF from before they left, which they keep (with their certificate's course on their record)."""
    insert_rows(
        TrainingRecord,
        [
            {
                "practitioner_id": person.id,
                "course_id": demo.course_ids["CAF"],
                "completed_on": LEAVER_TRAINED,
                "expires_on": add_months(LEAVER_TRAINED, 36),
                "source": RecordSource.IMPORT,
            }
        ],
    )
