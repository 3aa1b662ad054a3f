"""Setting a day back to not marked (SPEC 3.5), worked by hand: the mark goes (audited with its old value), the
booking settles again (a completion withdrawn with its certificate revoked, a no-show's charge withdrawn), and a
day on a supply-cover claim is never silently changed: cleared or moved from attended, it is refused."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.factories import (
    make_booking,
    make_course,
    make_fund,
    make_organisation,
    make_practitioner,
    make_session,
    make_user,
)
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    AuditEvent,
    BookingStatus,
    Certificate,
    Charge,
    ClaimLine,
    CoverCategory,
    Role,
    TrainingRecord,
)
from training_app.services.attendance.registers import NOT_MARKED, Entry, RegisterRefused, mark_register
from training_app.services.claims import claim_decisions, claims

pytestmark = pytest.mark.usefixtures("app_ctx")

MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)
ON_TUESDAY = datetime(2026, 3, 3, 17, 0, tzinfo=UTC)
ANN, BOB = "ann@example.org", "bob@example.org"


@pytest.fixture
def world():
    """A two-day course (£50 a day for a no-show) at Oak School: Ann, a teacher, and Bob booked; a coordinator."""
    course = make_course(code="CAF", title="CAF assessment", validity_months=36, charge_day_pence=5000)
    school = make_organisation(code="OAK", name="Oak School")
    session = make_session(course=course, code="CAF-1", days=(MONDAY, TUESDAY), capacity=3)
    ann = make_practitioner(school, email=ANN, first_name="Ann", last_name="Able", cover=CoverCategory.TEACHER)
    bob = make_practitioner(school, email=BOB, first_name="Bob", last_name="Bell")
    bookings = {"ann": make_booking(session, ann), "bob": make_booking(session, bob)}
    people = {"by": make_user(Role.COORDINATOR), "booker": make_user(Role.BOOKER, organisation=school)}
    db.session.commit()
    return {"session": session, "bookings": bookings, "school": school, **people}


def _mark(world, *entries: tuple[str, date, str]):
    """Each entry as (email, day, status); a partial day left early at 14:00."""
    given = [Entry(email, day.isoformat(), status, "14:00" * (status == "partial")) for email, day, status in entries]
    return mark_register(world["session"], given, world["by"], now=ON_TUESDAY)


def _marks() -> set[tuple[int, str]]:
    return {(m.booking_id, m.status.value) for m in db.session.scalars(sa.select(AttendanceMark))}


def test_clearing_a_day_of_a_completion_withdraws_the_record_and_revokes_the_certificate(world):
    _mark(world, (ANN, MONDAY, "attended"), (ANN, TUESDAY, "attended"))
    number = db.session.scalars(sa.select(Certificate.number)).one()
    done = _mark(world, (ANN, TUESDAY, NOT_MARKED))
    assert done.changed == 1 and [b.practitioner.email for b in done.settlement.withdrawn] == [ANN]
    ann = world["bookings"]["ann"]
    assert ann.status == BookingStatus.BOOKED and _marks() == {(ann.id, "attended")}  # Monday's stays
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 0
    certificate = db.session.scalars(sa.select(Certificate)).one()
    assert certificate.number == number and certificate.revoked_at is not None
    cleared = db.session.scalars(sa.select(AuditEvent).filter_by(action="attendance_mark_cleared")).one()
    assert cleared.actor == world["by"].email and cleared.new_value is None
    assert cleared.old_value == {
        "booking_id": ann.id,
        "practitioner": ANN,
        "day": "2026-03-03",
        "status": "attended",
        "time": None,
        "notes": "",
    }
    # Marked again, she completes again with a new certificate; the revoked number is never given twice.
    _mark(world, (ANN, TUESDAY, "attended"))
    numbers = set(db.session.scalars(sa.select(Certificate.number)))
    assert len(numbers) == 2 and number in numbers


def test_clearing_an_absence_withdraws_the_no_show_and_its_charge(world):
    _mark(world, (BOB, MONDAY, "absent"))
    assert world["bookings"]["bob"].status == BookingStatus.NO_SHOW
    assert db.session.scalars(sa.select(Charge.amount_pence)).all() == [10000]  # the two days at £50
    _mark(world, (BOB, MONDAY, NOT_MARKED))
    assert world["bookings"]["bob"].status == BookingStatus.BOOKED
    assert db.session.scalar(sa.select(sa.func.count(Charge.id))) == 0 and _marks() == set()


def test_a_partial_day_cleared_loses_its_time_and_note_and_clearing_nothing_changes_nothing(world):
    mark_register(world["session"], [Entry(BOB, "2026-03-02", "partial", "10:30", "late")], world["by"], ON_TUESDAY)
    # The time and note sent with not_marked go with the mark, and a day never marked stays as it was.
    entries = [Entry(BOB, "2026-03-02", NOT_MARKED, "10:30", "late"), Entry(ANN, "2026-03-02", NOT_MARKED)]
    done = mark_register(world["session"], entries, world["by"], ON_TUESDAY)
    assert done.changed == 1 and _marks() == set()
    again = mark_register(world["session"], entries, world["by"], ON_TUESDAY)
    assert again.changed == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "attendance_mark_cleared")) == 1


def test_not_marked_is_still_checked_for_the_day_and_the_person(world):
    with pytest.raises(RegisterRefused) as refused:
        mark_register(world["session"], [Entry("cat@example.org", "2026-03-09", NOT_MARKED)], world["by"], ON_TUESDAY)
    fields = [(p.index, p.field) for p in refused.value.problems]
    assert fields == [(0, "practitioner"), (0, "day")]


def _claimed_monday(world):
    """Ann attended Monday; her school's draft claim holds the day (a teacher's full day: £180)."""
    _mark(world, (ANN, MONDAY, "attended"))
    fund = make_fund(financial_year=2025, scheme_start=date(2025, 4, 1), claim_deadline=date(2099, 4, 30))
    db.session.commit()
    made = claims.create_claim(world["school"], fund, world["booker"])
    assert [line.amount_pence for line in made.claim.lines] == [18000]
    return made.claim


def _refusals(world, *entries):
    before = _marks()
    with pytest.raises(RegisterRefused) as refused:
        _mark(world, *entries)
    assert _marks() == before  # nothing changed
    return [(p.index, p.field, p.message) for p in refused.value.problems]


def test_a_day_on_a_live_claim_is_neither_cleared_nor_moved_from_attended(world):
    claim = _claimed_monday(world)
    on_draft = f"Ann Able on 2 March 2026 is on supply-cover claim {claim.id} (draft), so the day stays attended"
    for status in (NOT_MARKED, "absent", "partial"):
        assert _refusals(world, (BOB, MONDAY, "attended"), (ANN, MONDAY, status)) == [
            (1, "status", on_draft + " unless the claim is rejected")
        ]
    assert _mark(world, (ANN, MONDAY, "attended"), (ANN, TUESDAY, "attended")).changed == 1  # still attended: fine
    claim_decisions.submit_claim(claim, world["booker"])
    claim_decisions.approve_claim(claim, make_user(Role.FINANCE))
    assert _refusals(world, (ANN, MONDAY, NOT_MARKED)) == [
        (
            0,
            "status",
            f"Ann Able on 2 March 2026 is on supply-cover claim {claim.id} (approved), so the day stays attended",
        )
    ]
    assert db.session.scalars(sa.select(ClaimLine.live)).all() == [True]


def test_a_day_on_a_rejected_claim_may_change_but_its_mark_is_kept(world):
    claim = _claimed_monday(world)
    claim_decisions.submit_claim(claim, world["booker"])
    claim_decisions.reject_claim(claim, "Wrong school", make_user(Role.FINANCE))
    assert _refusals(world, (ANN, MONDAY, NOT_MARKED)) == [
        (
            0,
            "status",
            f"Ann Able on 2 March 2026 is on rejected supply-cover claim {claim.id}, so the mark is kept: "
            "mark it absent or partial",
        )
    ]
    _mark(world, (ANN, MONDAY, "absent"))
    assert world["bookings"]["ann"].status == BookingStatus.NO_SHOW
