"""The register page, walk-ins, the sign-in sheet, certificates and training records, as people see them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import (
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
    make_venue,
)
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import (
    AttendanceMark,
    Booking,
    BookingStatus,
    Certificate,
    Role,
    TrainingRecord,
    TrainingSession,
    User,
)
from training_app.services.attendance.registers import Entry, mark_register
from training_app.services.common.calendar import london_today


@pytest.fixture
def world(app):
    """A two-day session that began yesterday, Ann and Bob booked from Oak School, and users of every kind."""
    with app.app_context():
        today = london_today()
        course = make_course(code="CAF", title="CAF assessment", validity_months=36)
        oak, elm = make_organisation(code="OAK", name="Oak School"), make_organisation(code="ELM", name="Elm School")
        session = make_session(
            course=course, code="REG-1", days=(today - timedelta(days=1), today), venue=make_venue(name="Hall")
        )
        ann = make_practitioner(oak, email="ann@example.org", first_name="Ann", last_name="Able")
        bob = make_practitioner(oak, email="bob@example.org", first_name="Bob", last_name="Bell")
        bookings = {"ann": make_booking(session, ann).id, "bob": make_booking(session, bob).id}
        trainer = make_user(Role.PRACTITIONER)
        session.trainers = [make_trainer(user=trainer)]
        users = {
            "coordinator": make_user(Role.COORDINATOR),
            "trainer": trainer,
            "ann": make_user(Role.PRACTITIONER, practitioner=ann),
            "bob": make_user(Role.PRACTITIONER, practitioner=bob),
            "booker": make_user(Role.BOOKER, organisation=oak),
            "elm_booker": make_user(Role.BOOKER, organisation=elm),
            "lead": make_user(Role.WORKFORCE_LEAD),
        }
        days = [day.id for day in session.days]
        db.session.commit()
        return {"emails": {k: u.email for k, u in users.items()}, "bookings": bookings, "days": days, "today": today}


def _as(client, world, who):
    return signed_in(client, world["emails"][who])


def _complete_ann(app, world):
    with app.app_context():
        session = db.session.get(Booking, world["bookings"]["ann"]).session
        by = db.session.scalars(sa.select(User).filter_by(role=Role.COORDINATOR)).first()
        days = [day.date.isoformat() for day in session.days]
        mark_register(session, [Entry("ann@example.org", day, "attended") for day in days], by)
        return db.session.scalars(sa.select(Certificate.number)).one()


def test_the_register_shows_a_radio_group_per_person_per_day(client, world):
    page = _as(client, world, "coordinator").get("/sessions/REG-1/register")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and title_of(page).startswith("Register for REG-1")
    ann, bob = world["bookings"]["ann"], world["bookings"]["bob"]
    for booking in (ann, bob):
        for day in world["days"]:
            assert html.count(f'name="mark-{booking}-{day}"') == 4  # attended, partial, absent, not marked
    assert "Ann Able" in html and "Oak School" in html and "Add a walk-in" in html
    assert html.count('id="save"') == 1  # where an expired form's error links


def test_saving_the_register_marks_and_completes(client, app, world):
    _as(client, world, "trainer")
    page = client.get("/sessions/REG-1/register")
    ann, bob = world["bookings"]["ann"], world["bookings"]["bob"]
    first, second = world["days"]
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        f"mark-{ann}-{first}": "attended",
        f"mark-{ann}-{second}": "attended",
        f"mark-{bob}-{first}": "partial",
        f"time-{bob}-{first}": "10:40",
        f"notes-{bob}-{first}": "train late",
    }
    response = client.post("/sessions/REG-1/register", data=data)
    assert response.status_code == 302
    shown = client.get("/sessions/REG-1/register").get_data(as_text=True)
    assert "3 marks saved. Completed, with a certificate: Ann Able." in shown
    assert 'value="10:40"' in shown and 'value="train late"' in shown
    with app.app_context():
        assert db.session.get(Booking, ann).status == BookingStatus.ATTENDED
        assert db.session.scalar(sa.select(sa.func.count(Certificate.id))) == 1


def test_a_partial_day_without_a_time_is_refused_on_the_page_and_nothing_is_saved(client, app, world):
    _as(client, world, "trainer")
    page = client.get("/sessions/REG-1/register")
    ann, bob = world["bookings"]["ann"], world["bookings"]["bob"]
    first, _ = world["days"]
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        f"mark-{ann}-{first}": "attended",
        f"mark-{bob}-{first}": "partial",
        f"notes-{bob}-{first}": "left for a meeting",
    }
    response = client.post("/sessions/REG-1/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and title_of(response).startswith("Error: ")
    assert "There is a problem: nothing was saved" in html
    assert f'<a href="#time-{bob}-{first}">Give the time Bob Bell arrived or left</a>' in html
    assert 'value="left for a meeting"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AttendanceMark.id))) == 0


def test_a_bad_register_lists_every_problem_and_saves_nothing(client, app, world):
    _as(client, world, "coordinator")
    page = client.get("/sessions/REG-1/register")
    ann, bob = world["bookings"]["ann"], world["bookings"]["bob"]
    first, _ = world["days"]
    data = {
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        f"mark-{ann}-{first}": "attended",
        f"mark-{bob}-{first}": "asleep",
        f"mark-999999-{first}": "attended",
        f"mark-{ann}-999999": "attended",
    }
    response = client.post("/sessions/REG-1/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and title_of(response).startswith("Error: ")
    assert "There is a problem: nothing was saved" in html
    assert "Status must be one of attended, absent, partial or not_marked, not &#39;asleep&#39;" in html
    assert f'href="#mark-{bob}-{first}"' in html
    assert "booking 999999 is not on the register of REG-1" in html
    assert "Day must be a date written YYYY-MM-DD" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AttendanceMark.id))) == 0


def test_a_register_is_closed_before_the_first_day(client, app, world):
    with app.app_context():
        make_session(code="LATER", days=(world["today"] + timedelta(days=5),))
        db.session.commit()
    page = _as(client, world, "coordinator").get("/sessions/LATER/register")
    assert page.status_code == 200
    assert "The register of LATER opens on its first day" in page.get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(client.get("/sessions/REG-1/register").get_data(as_text=True))}
    refused = client.post("/sessions/LATER/register", data=data)
    assert refused.status_code == 422 and "opens on its first day" in refused.get_data(as_text=True)


@pytest.mark.parametrize("who", ["booker", "lead", "ann"])
def test_only_trainers_of_the_session_and_coordinators_reach_the_register(client, world, who):
    _as(client, world, who)
    paths = ("register", "sign-in-sheet", "sign-in-sheet.pdf", "register.xlsx")
    for path in (f"/sessions/REG-1/{name}" for name in paths):
        assert client.get(path).status_code == 403
    assert client.get("/sessions/NOPE/register").status_code == 404


def test_a_walk_in_is_added_and_a_bad_one_is_explained(client, app, world):
    _as(client, world, "coordinator")
    token = csrf_token_from(client.get("/sessions/REG-1/register").get_data(as_text=True))
    bad = client.post(
        "/sessions/REG-1/register/walk-in", data={"csrf_token": token, "email": "new@example.org", "organisation": "X"}
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Enter the walk-in&#39;s first name" in html and 'href="#organisation"' in html
    good = client.post(
        "/sessions/REG-1/register/walk-in",
        data={
            "csrf_token": token,
            "email": "new@example.org",
            "first_name": "Nia",
            "last_name": "New",
            "organisation": "OAK",
        },
    )
    assert good.status_code == 302
    assert "Nia New is on the register as a walk-in" in client.get("/sessions/REG-1/register").get_data(as_text=True)
    with app.app_context():
        booking = db.session.scalars(sa.select(Booking).filter_by(walk_in=True)).one()
        assert booking.practitioner.organisation.code == "OAK"


def test_the_sign_in_sheet_prints_names_days_and_blank_rows(client, world):
    _as(client, world, "trainer")
    sheet = client.get("/sessions/REG-1/sign-in-sheet")
    html = sheet.get_data(as_text=True)
    assert sheet.status_code == 200 and "Ann Able" in html and "Bob Bell" in html
    assert html.count("Blank row for a walk-in") == 8 and html.count(": signature</th>") == 2
    assert "sign-in-sheet.css" in html
    pdf = client.get("/sessions/REG-1/sign-in-sheet.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    workbook = client.get("/sessions/REG-1/register.xlsx")
    assert workbook.status_code == 200 and workbook.data.startswith(b"PK")
    assert workbook.headers["Content-Disposition"] == 'attachment; filename="register-REG-1.xlsx"'


def test_the_certificate_verifies_publicly_and_downloads_for_those_allowed(client, app, world):
    number = _complete_ann(app, world)
    page = client.get(f"/certificates/{number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This certificate is genuine and current" in html
    assert "Ann Able" in html and "CAF assessment" in html and "Oak School" not in html
    assert client.get("/certificates/CERT-999999").status_code == 404
    pdf_path = f"/certificates/{number}/certificate.pdf"
    for who, status in (
        ("ann", 200),
        ("booker", 200),
        ("coordinator", 200),
        ("bob", 403),
        ("elm_booker", 403),
        ("lead", 403),
    ):
        response = _as(app.test_client(), world, who).get(pdf_path)
        assert response.status_code == status, who
        if status == 200:
            assert response.data.startswith(b"%PDF")


def test_a_revoked_certificate_says_so(client, app, world):
    number = _complete_ann(app, world)
    with app.app_context():
        session = db.session.get(Booking, world["bookings"]["ann"]).session
        by = db.session.scalars(sa.select(User).filter_by(role=Role.COORDINATOR)).first()
        mark_register(session, [Entry("ann@example.org", session.days[0].date.isoformat(), "absent")], by)
    html = client.get(f"/certificates/{number}").get_data(as_text=True)
    assert "This certificate has been revoked" in html and "Ann Able" not in html


def test_training_records_page_and_a_historical_record(client, app, world):
    number = _complete_ann(app, world)
    own = _as(client, world, "ann").get("/practitioners/ann@example.org/training-records")
    html = own.get_data(as_text=True)
    assert own.status_code == 200 and h1_of(own) == "Your training records"
    assert "Session REG-1" in html and f"Download {number}" in html and "Add a historical record" not in html
    assert client.get("/practitioners/bob@example.org/training-records").status_code == 403
    client = _as(app.test_client(), world, "coordinator")
    form = client.get("/practitioners/ann@example.org/training-records/new")
    token = csrf_token_from(form.get_data(as_text=True))
    bad = client.post(
        "/practitioners/ann@example.org/training-records/new",
        data={"csrf_token": token, "course": "CAF", "completed_on": "2007-02-30", "source": "2007 register"},
    )
    assert bad.status_code == 422 and "There is a problem" in bad.get_data(as_text=True)
    good = client.post(
        "/practitioners/ann@example.org/training-records/new",
        data={"csrf_token": token, "course": "CAF", "completed_on": "2007-03-14", "source": "LLR CAF register 2007"},
    )
    assert good.status_code == 302
    html = client.get("/practitioners/ann@example.org/training-records").get_data(as_text=True)
    assert "Historical record: LLR CAF register 2007" in html and "14 March 2007" in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == 2
    assert re.search(r"Expired|Current|Due soon", html)


def test_dashboards_lead_to_todays_register_and_to_the_training_records(client, app, world):
    coordinator = _as(client, world, "coordinator").get("/").get_data(as_text=True)
    assert "Registers to mark today" in coordinator and 'href="/sessions/REG-1/register"' in coordinator
    own = _as(app.test_client(), world, "ann").get("/").get_data(as_text=True)
    assert 'href="/practitioners/ann@example.org/training-records"' in own


def test_not_marked_takes_a_mark_away_and_a_stale_page_leaves_newer_marks_alone(client, app, world):
    _complete_ann(app, world)
    _as(client, world, "trainer")
    page = client.get("/sessions/REG-1/register").get_data(as_text=True)
    ann, bob = world["bookings"]["ann"], world["bookings"]["bob"]
    first, second = world["days"]
    # Bob's days are shown not marked (that radio checked); Ann's shown attended, as the hidden fields remember.
    assert re.search(rf'name="mark-{bob}-{first}" type="radio" value="not_marked" checked', page)
    assert f'name="shown-{ann}-{second}" value="attended"' in page
    assert f'name="shown-{bob}-{first}" value=""' in page
    with app.app_context():  # meanwhile another trainer marks Bob on the first day
        session = db.session.get(Booking, bob).session
        mark_register(session, [Entry("bob@example.org", session.days[0].date.isoformat(), "attended")], _coordinator())
    data = {
        "csrf_token": csrf_token_from(page),
        f"mark-{ann}-{first}": "attended",
        f"shown-{ann}-{first}": "attended",
        f"mark-{ann}-{second}": "not_marked",
        f"shown-{ann}-{second}": "attended",
        f"mark-{bob}-{first}": "not_marked",  # as the page showed it, before the other trainer's mark
        f"shown-{bob}-{first}": "",
    }
    assert client.post("/sessions/REG-1/register", data=data).status_code == 302
    shown = client.get("/sessions/REG-1/register").get_data(as_text=True)
    assert (
        "1 mark saved. No longer complete, so the record is withdrawn and the certificate revoked: Ann Able." in shown
    )
    with app.app_context():
        marks = {(m.booking_id, m.session_day_id) for m in db.session.scalars(sa.select(AttendanceMark))}
        assert marks == {(ann, first), (bob, first)}
        assert db.session.get(Booking, ann).status == BookingStatus.BOOKED
        assert db.session.scalars(sa.select(Certificate.revoked_at)).one() is not None


def _coordinator() -> User:
    return db.session.scalars(sa.select(User).filter_by(role=Role.COORDINATOR)).first()


def test_names_on_the_register_open_the_persons_training_records_for_those_who_may_see_them(client, app, world):
    coordinator_html = _as(client, world, "coordinator").get("/sessions/REG-1/register").get_data(as_text=True)
    link = '<a class="govuk-link" href="/practitioners/ann@example.org/training-records">Ann Able</a>'
    assert link in coordinator_html
    assert client.get("/practitioners/ann@example.org/training-records").status_code == 200

    # The session's trainer here is a practitioner by role: they take the register but may not open records.
    trainer_html = _as(app.test_client(), world, "trainer").get("/sessions/REG-1/register").get_data(as_text=True)
    assert "Ann Able" in trainer_html and "/training-records" not in trainer_html


def test_a_coordinator_who_teaches_todays_session_sees_its_register_once(client, app, world):
    with app.app_context():
        session = db.session.scalar(sa.select(TrainingSession).where(TrainingSession.code == "REG-1"))
        coordinator = db.session.scalar(sa.select(User).where(User.email == world["emails"]["coordinator"]))
        session.trainers = [*session.trainers, make_trainer(user=coordinator)]
        db.session.commit()
    html = _as(client, world, "coordinator").get("/").get_data(as_text=True)
    assert "Your registers to mark" in html and "Registers to mark today" not in html
    assert html.count('href="/sessions/REG-1/register"') == 1
