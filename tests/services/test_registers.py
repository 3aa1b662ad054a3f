"""Registers (SPEC 3.5), worked by hand: who may mark, which days and people, what completes a booking, what an
absence costs, and what changing a mark after completion undoes. Each refusal leaves everything as it was."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_trainer,
    make_user,
)
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    AuditEvent,
    Booking,
    BookingStatus,
    Certificate,
    Charge,
    ChargeReason,
    MarkStatus,
    Practitioner,
    RecordSource,
    Role,
    TrainingRecord,
)
from training_app.services.attendance.certificates import certificate_pdf, check_certificate
from training_app.services.attendance.records import certificate_number, status_from_marks
from training_app.services.attendance.registers import Entry, RegisterRefused, can_mark_register, mark_register
from training_app.services.attendance.walk_ins import WalkIn, add_walk_in

pytestmark = pytest.mark.usefixtures("app_ctx")

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
ON_MONDAY = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
ON_TUESDAY = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)


@pytest.fixture
def register():
    """A two-day course (valid 36 months, £50 a day) with two people booked and one waiting, and a coordinator."""
    course = make_course(code="CAF", title="CAF assessment", validity_months=36, charge_day_pence=5000)
    school = make_organisation(code="OAK", name="Oak School")
    session = make_session(course=course, code="CAF-1", days=(MONDAY, TUESDAY), capacity=3)
    ann = make_practitioner(organisation=school, email="ann@example.org", first_name="Ann", last_name="Able")
    bob = make_practitioner(organisation=school, email="bob@example.org", first_name="Bob", last_name="Bell")
    cat = make_practitioner(organisation=school, email="cat@example.org")
    bookings = {
        "ann": make_booking(session, ann),
        "bob": make_booking(session, bob),
        "cat": make_booking(session, cat, BookingStatus.WAITLISTED, position=1),
    }
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    return {"session": session, "bookings": bookings, "by": coordinator, "school": school, "course": course}


def _marks() -> list[tuple[str, date, str]]:
    query = (
        sa.select(Practitioner.email, AttendanceMark.session_day_id, AttendanceMark.status)
        .join_from(AttendanceMark, AttendanceMark.booking)
        .join(Practitioner, Practitioner.id == Booking.practitioner_id)
    )
    return sorted((email, day, status.value) for email, day, status in db.session.execute(query))


def _refused(register, entries, now=ON_TUESDAY, by=None) -> list[tuple[int | None, str, str]]:
    with pytest.raises(RegisterRefused) as refused:
        mark_register(register["session"], entries, by or register["by"], now=now)
    assert _marks() == []  # nothing written
    return [(p.index, p.field, p.message) for p in refused.value.problems]


def test_the_completion_rule_by_hand():
    assert status_from_marks([1, 2], {1: MarkStatus.ATTENDED, 2: MarkStatus.ATTENDED}) == BookingStatus.ATTENDED
    assert status_from_marks([1, 2], {1: MarkStatus.ATTENDED}) == BookingStatus.BOOKED
    assert status_from_marks([1, 2], {1: MarkStatus.ATTENDED, 2: MarkStatus.PARTIAL}) == BookingStatus.BOOKED
    assert status_from_marks([1, 2], {1: MarkStatus.PARTIAL, 2: MarkStatus.ABSENT}) == BookingStatus.NO_SHOW
    assert status_from_marks([], {}) == BookingStatus.BOOKED


def test_marking_before_the_first_day_is_refused(register):
    before = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    problems = _refused(register, [Entry("ann@example.org", "2026-03-02", "attended")], now=before)
    assert problems == [(None, "session", "The register of CAF-1 opens on its first day, 2 March 2026")]


def test_every_bad_entry_is_listed_and_the_good_ones_are_not_written(register):
    problems = _refused(
        register,
        [
            Entry("ann@example.org", "2026-03-02", "attended"),  # good, but not written
            Entry("ann@example.org", "2026-03-04", "attended"),
            Entry("nobody@example.org", "2026-03-02", "attended"),
            Entry("cat@example.org", "2026-03-02", "attended"),  # waiting, so not on the register
            Entry("bob@example.org", "2026-03-02", "present"),
            Entry("bob@example.org", "2026-02-30", "absent"),
        ],
    )
    assert problems == [
        (1, "day", "2026-03-04 is not a day of session CAF-1 (its days: 2026-03-02, 2026-03-03)"),
        (2, "practitioner", "nobody@example.org is not on the register of CAF-1: add them as a walk-in first"),
        (3, "practitioner", "cat@example.org is not on the register of CAF-1: add them as a walk-in first"),
        (4, "status", "Status must be one of attended, absent, partial or not_marked, not 'present'"),
        (5, "day", "Day 2026-02-30 is not a real date"),
    ]
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == 0


def test_a_day_still_to_come_and_a_day_marked_twice_are_refused(register):
    problems = _refused(
        register,
        [
            Entry("ann@example.org", "2026-03-03", "attended"),
            Entry("bob@example.org", "2026-03-02", "attended"),
            Entry("BOB@example.org", "2026-03-02", "absent"),
        ],
        now=ON_MONDAY,
    )
    assert problems == [
        (0, "day", "2026-03-03 has not come yet: a day is marked on or after it"),
        (2, "day", "BOB@example.org on 2026-03-02 is marked twice (also entry 2)"),
    ]


def test_only_coordinators_and_the_sessions_trainers_mark(register):
    booker = make_user(Role.BOOKER, organisation=register["school"])
    trainer_user = make_user(Role.PRACTITIONER)
    other_trainer_user = make_user(Role.PRACTITIONER)
    register["session"].trainers = [make_trainer(user=trainer_user)]
    make_trainer(user=other_trainer_user)
    db.session.commit()
    assert can_mark_register(register["by"], register["session"])
    assert can_mark_register(trainer_user, register["session"])
    assert not can_mark_register(other_trainer_user, register["session"])
    with pytest.raises(RegisterRefused) as refused:
        mark_register(register["session"], [Entry("ann@example.org", "2026-03-02", "attended")], booker, ON_MONDAY)
    assert refused.value.forbidden
    mark_register(register["session"], [Entry("ann@example.org", "2026-03-02", "attended")], trainer_user, ON_MONDAY)
    assert len(_marks()) == 1


def test_every_day_attended_completes_with_a_record_and_a_certificate(register):
    ann = register["bookings"]["ann"]
    first = mark_register(register["session"], [Entry("ann@example.org", "2026-03-02", "attended")], register["by"])
    assert (first.changed, ann.status, first.settlement.completed) == (1, BookingStatus.BOOKED, [])
    done = mark_register(register["session"], [Entry("ann@example.org", "2026-03-03", "attended")], register["by"])
    assert done.settlement.completed == [ann] and ann.status == BookingStatus.ATTENDED
    record = db.session.scalars(sa.select(TrainingRecord)).one()
    assert (record.completed_on, record.expires_on, record.booking_id) == (TUESDAY, date(2029, 3, 3), ann.id)
    assert record.source == RecordSource.BOOKING
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.number == certificate_number(record.id) and certificate.training_record_id == record.id
    assert re.fullmatch(rf"CERT-{record.id:06d}-[A-Z2-7]{{6}}", certificate.number)  # with its keyed check code
    check = check_certificate(certificate.number)
    assert (check.genuine, check.current, check.name, check.course, check.completed_on) == (
        True,
        True,
        "Ann Able",
        "CAF assessment",
        TUESDAY,
    )
    assert certificate_pdf(certificate, "https://example.org/certificates/x").startswith(b"%PDF")


def test_a_partial_day_keeps_its_time_and_note_and_does_not_complete(register):
    entries = [
        Entry("bob@example.org", "2026-03-02", "attended"),
        Entry("bob@example.org", "2026-03-03", "partial", time="14:15", notes="  left  for a meeting "),
    ]
    done = mark_register(register["session"], entries, register["by"])
    mark = db.session.scalars(sa.select(AttendanceMark).filter_by(status=MarkStatus.PARTIAL)).one()
    assert (mark.noted_time, mark.notes, mark.marked_by_id) == (time(14, 15), "left for a meeting", register["by"].id)
    assert done.settlement.completed == [] and register["bookings"]["bob"].status == BookingStatus.BOOKED
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 0


def test_a_time_is_only_for_a_partial_day_and_written_hh_mm(register):
    problems = _refused(
        register,
        [
            Entry("ann@example.org", "2026-03-02", "attended", time="10:00"),
            Entry("bob@example.org", "2026-03-02", "partial", time="25:00"),
        ],
    )
    assert problems == [
        (0, "time", "Give a time only for a partial day (arrived late, left early)"),
        (1, "time", "Time must be written HH:MM, like 09:45, not '25:00'"),
    ]


def test_a_partial_day_needs_the_time_they_arrived_or_left(register):
    problems = _refused(
        register,
        [
            Entry("ann@example.org", "2026-03-02", "attended"),  # good, but not written
            Entry("bob@example.org", "2026-03-02", "partial", notes="left early"),
            Entry("nobody@example.org", "2026-03-02", "partial"),
        ],
    )
    assert problems == [
        (1, "time", "Give the time Bob Bell arrived or left"),
        (2, "practitioner", "nobody@example.org is not on the register of CAF-1: add them as a walk-in first"),
        (2, "time", "Give the time nobody@example.org arrived or left"),
    ]


def test_an_absence_is_a_no_show_charged_and_correcting_it_withdraws_the_charge(register):
    bob = register["bookings"]["bob"]
    done = mark_register(register["session"], [Entry("bob@example.org", "2026-03-02", "absent")], register["by"])
    assert done.settlement.no_shows == [bob] and bob.status == BookingStatus.NO_SHOW
    charge = db.session.scalars(sa.select(Charge)).one()
    assert (charge.reason, charge.amount_pence, charge.organisation_id) == (
        ChargeReason.NO_SHOW,
        10000,
        register["school"].id,
    )
    entries = [Entry("bob@example.org", "2026-03-02", "attended"), Entry("bob@example.org", "2026-03-03", "attended")]
    again = mark_register(register["session"], entries, register["by"])
    assert again.settlement.completed == [bob] and bob.status == BookingStatus.ATTENDED
    assert db.session.scalar(sa.select(sa.func.count(Charge.id))) == 0
    actions = db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "charge_withdrawn" in actions


def test_every_mark_is_audited_with_its_old_and_new_value(register):
    mark_register(register["session"], [Entry("ann@example.org", "2026-03-02", "attended")], register["by"])
    mark_register(
        register["session"],
        [Entry("ann@example.org", "2026-03-02", "partial", time="10:30", notes="late train")],
        register["by"],
    )
    mark_register(
        register["session"],
        [Entry("ann@example.org", "2026-03-02", "partial", time="10:30", notes="late train")],
        register["by"],
    )
    events = db.session.scalars(
        sa.select(AuditEvent).filter_by(action="attendance_marked").order_by(AuditEvent.id)
    ).all()
    assert len(events) == 2  # the third save changed nothing
    assert events[0].old_value is None and events[0].new_value["status"] == "attended"
    assert events[1].old_value["status"] == "attended" and events[1].old_value["practitioner"] == "ann@example.org"
    assert events[1].new_value == {
        "booking_id": register["bookings"]["ann"].id,
        "practitioner": "ann@example.org",
        "day": "2026-03-02",
        "status": "partial",
        "time": "10:30",
        "notes": "late train",
    }
    assert events[1].actor == register["by"].email


def test_changing_a_mark_after_completion_withdraws_the_record_and_revokes_the_certificate(register):
    ann = register["bookings"]["ann"]
    both = [Entry("ann@example.org", "2026-03-02", "attended"), Entry("ann@example.org", "2026-03-03", "attended")]
    mark_register(register["session"], both, register["by"])
    number = db.session.scalars(sa.select(Certificate.number)).one()
    done = mark_register(
        register["session"], [Entry("ann@example.org", "2026-03-03", "partial", time="12:00")], register["by"]
    )
    assert done.settlement.withdrawn == [ann] and ann.status == BookingStatus.BOOKED
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 0
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.revoked_at is not None and certificate.training_record_id is None
    check = check_certificate(number)
    assert (check.genuine, check.current, check.name) == (True, False, "")
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"certificate_revoked", "training_record_withdrawn", "booking_status_from_register"} <= actions
    # Attended again: a new record and a new certificate; the revoked number is never given twice.
    mark_register(register["session"], [Entry("ann@example.org", "2026-03-03", "attended")], register["by"])
    numbers = db.session.scalars(sa.select(Certificate.number).where(Certificate.revoked_at.is_(None))).all()
    assert len(numbers) == 1 and numbers[0] != number
    assert not check_certificate(number.rsplit("-", 1)[0]).genuine  # the number without its check code
    assert not check_certificate(number[:-1] + ("A" if number[-1] != "A" else "B")).genuine


def test_an_imported_record_taken_over_by_the_booking_stays_when_the_completion_is_undone(register):
    ann = register["bookings"]["ann"]
    imported = make_record(ann.practitioner, register["course"], TUESDAY)
    db.session.commit()
    both = [Entry("ann@example.org", "2026-03-02", "attended"), Entry("ann@example.org", "2026-03-03", "attended")]
    mark_register(register["session"], both, register["by"])
    assert imported.booking_id == ann.id
    mark_register(register["session"], [Entry("ann@example.org", "2026-03-02", "absent")], register["by"])
    assert ann.status == BookingStatus.NO_SHOW
    assert db.session.get(TrainingRecord, imported.id).booking_id is None


def test_a_new_walk_in_is_created_in_their_organisation_and_can_be_marked(register):
    walk_in = WalkIn("dee@example.org", "Dee", "Dunn", organisation="OAK", job_title="TA")
    booking = add_walk_in(register["session"], walk_in, register["by"], now=ON_MONDAY)
    person = booking.practitioner
    assert (person.first_name, person.organisation_id, booking.walk_in, booking.status) == (
        "Dee",
        register["school"].id,
        True,
        BookingStatus.BOOKED,
    )
    assert [authority.id for authority in person.authorities] == [register["school"].authority_id]
    assert (person.started_on, person.left_on) == (date(2026, 3, 2), None)  # in post from the day they came
    mark_register(register["session"], [Entry("dee@example.org", "2026-03-02", "attended")], register["by"], ON_MONDAY)
    assert ("dee@example.org", booking.session.days[0].id, "attended") in _marks()


def test_a_walk_in_added_after_the_session_starts_on_its_first_day_and_a_leaver_is_refused(register):
    a_week_on = ON_MONDAY + timedelta(days=7)
    walk_in = WalkIn("fay@example.org", "Fay", "Ford", organisation="OAK")
    assert add_walk_in(register["session"], walk_in, register["by"], now=a_week_on).practitioner.started_on == MONDAY

    gone = make_practitioner(organisation=register["school"], email="gus@example.org", first_name="Gus")
    gone.last_name, gone.left_on = "Gale", MONDAY  # left on the session's first day
    db.session.commit()
    with pytest.raises(RegisterRefused) as caught:
        add_walk_in(register["session"], WalkIn("gus@example.org"), register["by"], now=ON_MONDAY)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("email", "Gus Gale left on 2 March 2026 and cannot be booked")
    ]
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).filter_by(practitioner_id=gone.id)) == 0


def test_walk_ins_that_cannot_be_added(register):
    def refused(walk_in, now=ON_MONDAY):
        with pytest.raises(RegisterRefused) as caught:
            add_walk_in(register["session"], walk_in, register["by"], now=now)
        return [(p.field, p.message) for p in caught.value.problems]

    assert refused(WalkIn("ann@example.org")) == [("email", "Ann Able is already on the register")]
    assert refused(WalkIn("new@example.org", organisation="NOPE")) == [
        ("first_name", "Enter the walk-in's first name (they are new to the system)"),
        ("last_name", "Enter the walk-in's last name (they are new to the system)"),
        ("organisation", "No organisation has the code 'NOPE': enter the walk-in's organisation's code"),
    ]
    assert refused(WalkIn("not an email"))[0][0] == "email"
    assert refused(WalkIn("cat@example.org"))[0] == (
        "practitioner",
        "already has an active booking for course CAF (session CAF-1)",
    )
    assert refused(WalkIn("ann@example.org"), now=datetime(2026, 3, 1, tzinfo=UTC)) == [
        ("session", "The register of CAF-1 opens on its first day, 2 March 2026")
    ]
    other = make_practitioner(organisation=register["school"], email="eve@example.org")
    make_booking(register["session"], make_practitioner(organisation=register["school"]))  # the third place
    db.session.commit()
    assert refused(WalkIn(other.email)) == [("session", "session CAF-1 is full: its 3 places are all taken")]
    assert db.session.scalar(sa.select(sa.func.count(Practitioner.id)).filter_by(email="new@example.org")) == 0


def test_unknown_certificate_numbers_are_not_genuine():
    assert not check_certificate("CERT-999999").genuine
    assert not check_certificate("").genuine and not check_certificate("x\x00").genuine
