"""Attendance per authority (SPEC 3.5, 3.9): attendees of a session or a period, once each, by set of authorities."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_mark,
    make_organisation,
    make_practitioner,
    make_session,
)
from training_app.models import BookingStatus, MarkStatus
from training_app.services.reporting.attendance_counts import (
    TOTAL_ATTENDED,
    AttendanceRow,
    PeriodProblem,
    attendance_by_authority,
)

OCT_1, OCT_2, NOV_5 = date(2008, 10, 1), date(2008, 10, 2), date(2008, 11, 5)


@pytest.fixture
def p(app_ctx):
    """The demo's partners in its display order (Rutland 1, Leicestershire 2, Leicester 3), Nottingham, two sessions."""
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    city = make_authority("LEICESTER", "Leicester", order=3)
    notts = make_authority("NOTTINGHAM", "Nottingham", partner=False, order=4)
    course = make_course("CAF", counts_as_trained=True)
    return {
        "rutland": rutland,
        "county": county,
        "city": city,
        "notts": notts,
        "school": make_organisation(county),
        "two_day": make_session(course, days=(OCT_1, OCT_2), host=county, code="CAF-A"),
        "november": make_session(make_course("LP"), days=(NOV_5,), host=city, code="LP-B"),
    }


def came(p, session_name, *authorities, marks=(MarkStatus.ATTENDED,)):
    """A person of the given authorities booked on the session, with marks on its days in order."""
    person = make_practitioner(organisation=p["school"], authorities=[p[a] for a in authorities])
    return mark(p, session_name, person, marks)


def mark(p, session_name, person, marks):
    session = p[session_name]
    booking = make_booking(session, person, BookingStatus.ATTENDED)
    for day, status in zip(session.days, marks, strict=False):
        make_mark(booking, day, status)
    return person


def rows(**kwargs):
    return [(row.label, row.attended) for row in attendance_by_authority(**kwargs)]


def test_hand_worked_multi_authority_attendees_are_counted_once_in_their_exact_set(p):
    came(p, "two_day", "county")
    came(p, "two_day", "county", marks=(MarkStatus.ATTENDED, MarkStatus.ATTENDED))
    came(p, "two_day", "city", "county")
    came(p, "two_day", "rutland", "county", "city", marks=(MarkStatus.PARTIAL,))
    came(p, "two_day", "county", "rutland")
    came(p, "two_day", "notts")
    came(p, "two_day", "city", marks=(MarkStatus.ABSENT, MarkStatus.ABSENT))  # absent both days: did not attend

    assert rows(session_id=p["two_day"].id) == [
        ("Rutland", 0),
        ("Leicestershire", 2),
        ("Leicester", 0),
        ("Leicester and Leicestershire", 1),
        ("Leicestershire and Rutland", 1),
        ("Leicester, Leicestershire and Rutland", 1),
        ("Other – Nottingham", 1),
        (TOTAL_ATTENDED, 6),
    ]


def test_a_person_who_came_to_two_sessions_in_a_period_is_one_attendee(p):
    person = came(p, "two_day", "city")
    mark(p, "november", person, (MarkStatus.ATTENDED,))
    came(p, "november", "city")

    assert rows(start=OCT_1, end=NOV_5)[2:] == [("Leicester", 2), (TOTAL_ATTENDED, 2)]
    assert rows(session_id=p["november"].id)[2:] == [("Leicester", 2), (TOTAL_ATTENDED, 2)]


def test_the_period_takes_days_within_it_inclusive(p):
    came(p, "two_day", "rutland", marks=(MarkStatus.ABSENT, MarkStatus.ATTENDED))  # came on 2 October only
    came(p, "november", "rutland")

    assert rows(start=OCT_1, end=OCT_1)[0] == ("Rutland", 0)
    assert rows(start=OCT_2, end=OCT_2)[0] == ("Rutland", 1)
    assert rows(start=OCT_2)[0] == ("Rutland", 2)
    assert rows(end=OCT_2)[0] == ("Rutland", 1)
    assert rows(start=OCT_1, end=NOV_5, session_id=p["november"].id)[0] == ("Rutland", 1)


def test_a_partial_day_is_attendance_and_a_walk_in_counts(p):
    came(p, "two_day", "county", marks=(MarkStatus.PARTIAL, MarkStatus.ABSENT))
    walk_in = make_practitioner(organisation=p["school"], authorities=[p["county"]])
    booking = make_booking(p["two_day"], walk_in, BookingStatus.ATTENDED)
    booking.walk_in = True
    make_mark(booking, p["two_day"].days[0])

    assert rows()[1] == ("Leicestershire", 2)


def test_a_workforce_lead_sees_only_people_who_work_for_their_authorities(p):
    came(p, "two_day", "county")
    came(p, "two_day", "county", "rutland")
    came(p, "two_day", "city")
    came(p, "two_day", "notts")

    assert attendance_by_authority(authority_ids={p["rutland"].id}) == [
        AttendanceRow("Rutland", 0),
        AttendanceRow("Leicestershire and Rutland", 1),
        AttendanceRow(TOTAL_ATTENDED, 1),
    ]


def test_nobody_marked_gives_the_single_partner_rows_at_zero(p):
    make_booking(p["two_day"], make_practitioner(organisation=p["school"], authorities=[p["city"]]))

    assert rows() == [("Rutland", 0), ("Leicestershire", 0), ("Leicester", 0), (TOTAL_ATTENDED, 0)]


def test_a_period_ending_before_it_starts_is_refused(p):
    with pytest.raises(PeriodProblem, match="must be on or before"):
        attendance_by_authority(start=OCT_2, end=OCT_1)
