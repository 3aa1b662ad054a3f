"""Booking questions on the pages (SPEC 3.4, issue 21): access and dietary needs asked when a practitioner books
themself, when a booker books a group and when a coordinator books by email; changed on the booking's needs page;
shown on the register, the session page and the sign-in sheet to the session's trainers and coordinators only, and
never in a workbook or CSV."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.conftest import csrf_token_from
from tests.factories import (
    make_authority,
    make_booking,
    make_course,
    make_fund,
    make_organisation,
    make_practitioner,
    make_session,
    make_trainer,
    make_user,
)
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.imports import KINDS
from training_app.models import AuditEvent, Booking, BookingStatus, Practitioner, Role, SelfBooking, TrainingSession
from training_app.services.common.calendar import london_today

ANN_ACCESS = "Wheelchair user: step-free room please"
ANN_DIETARY = "Coeliac, no gluten"
BEN_DIETARY = "Halal meals"


def _weekday(days_ahead: int) -> date:
    day = london_today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@pytest.fixture
def world(app):
    """Oak School (booker, Ann and Ben with accounts, Cat without), a session three weeks ahead that Tess (a booker
    at another school) trains, a coordinator, a workforce lead and finance."""
    with app.app_context():
        authority = make_authority()
        oak = make_organisation(authority, name="Oak School", code="OAK")
        ann, ben, cat = (
            make_practitioner(oak, first_name=name, last_name="Oak", email=f"{name.lower()}@oak.example")
            for name in ("Ann", "Ben", "Cat")
        )
        make_user(Role.PRACTITIONER, email="ann-user@oak.example", practitioner_id=ann.id)
        make_user(Role.PRACTITIONER, email="ben-user@oak.example", practitioner_id=ben.id)
        make_user(Role.BOOKER, organisation=oak, email="bm@oak.example")
        tess = make_user(Role.BOOKER, organisation=make_organisation(code="ELM"), email="tess@elm.example")
        make_user(Role.COORDINATOR, email="co@council.example")
        make_user(Role.WORKFORCE_LEAD, email="lead@council.example", authorities=[authority])
        make_user(Role.FINANCE, email="fin@council.example")
        course = make_course(code="NEEDS", title="Needs course", self_booking=SelfBooking.YES)
        session = make_session(course=course, code="NEEDS-1", capacity=10, days=(_weekday(21),), host=authority)
        session.trainers = [make_trainer("Tess", user=tess)]
        db.session.commit()
        return {"ann": ann.id, "ben": ben.id, "cat": cat.id, "session": session.id}


def _form(client, path: str) -> dict[str, str]:
    return {"csrf_token": csrf_token_from(client.get(path).get_data(as_text=True))}


def _booking(practitioner_id: int) -> Booking | None:
    db.session.expire_all()
    return db.session.execute(sa.select(Booking).filter_by(practitioner_id=practitioner_id)).scalar_one_or_none()


def _give_needs(world) -> None:
    """Ann and Ben booked with needs, Cat without."""
    session = db.session.get(TrainingSession, world["session"])
    ann = make_booking(session, db.session.get(Practitioner, world["ann"]))
    ann.access_needs, ann.dietary_needs = ANN_ACCESS, ANN_DIETARY
    make_booking(session, db.session.get(Practitioner, world["ben"])).dietary_needs = BEN_DIETARY
    make_booking(session, db.session.get(Practitioner, world["cat"]))
    db.session.commit()


def _audit_values(action: str) -> list[str]:
    rows = db.session.execute(
        sa.select(AuditEvent.old_value, AuditEvent.new_value).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()
    return [f"{old} {new}" for old, new in rows]


def test_a_practitioner_gives_needs_when_booking_themself_and_changes_them_before_the_session(app, client, world):
    signed_in(client, "ann-user@oak.example")
    page = client.get("/bookings/self/NEEDS-1")
    text = page.get_data(as_text=True)
    assert 'name="access_needs"' in text and 'name="dietary_needs"' in text and "Access needs (optional)" in text

    typed = "Step-free access\x07 please\r\nand a hearing loop"
    done = client.post(
        "/bookings/self/NEEDS-1",
        data={**_form(client, "/bookings/self/NEEDS-1"), "access_needs": typed, "dietary_needs": "  "},
        follow_redirects=True,
    )
    assert "You have a place on NEEDS-1." in done.get_data(as_text=True)
    with app.app_context():
        booking = _booking(world["ann"])
        assert (booking.access_needs, booking.dietary_needs) == ("Step-free access please\nand a hearing loop", None)
        booking_id = booking.id
        made = _audit_values("booking_made")
        assert len(made) == 1 and "'needs': 'given'" in made[0] and "hearing" not in made[0]

    own = client.get("/sessions/NEEDS-1").get_data(as_text=True)
    assert "You have told the trainers of access or dietary needs." in own
    assert f"/bookings/{booking_id}/needs" in own and "hearing loop" not in own  # the page links, it does not list
    assert f"/bookings/{booking_id}/needs" in client.get("/bookings/mine").get_data(as_text=True)
    page = client.get(f"/bookings/{booking_id}/needs")
    assert h1_of(page) == "Your needs for NEEDS-1" and "and a hearing loop" in page.get_data(as_text=True)

    changed = client.post(
        f"/bookings/{booking_id}/needs",
        data={**_form(client, f"/bookings/{booking_id}/needs"), "access_needs": "", "dietary_needs": "Vegan"},
        follow_redirects=True,
    )
    assert "Your needs have been saved." in changed.get_data(as_text=True)
    with app.app_context():
        booking = _booking(world["ann"])
        assert (booking.access_needs, booking.dietary_needs) == (None, "Vegan")
        assert _audit_values("booking_needs_changed") == ["{'needs': 'given'} {'needs': 'given'}"]

    other = app.test_client()
    signed_in(other, "ben-user@oak.example")
    assert other.get(f"/bookings/{booking_id}/needs").status_code == 403
    booker = app.test_client()
    signed_in(booker, "bm@oak.example")
    assert booker.get(f"/bookings/{booking_id}/needs").status_code == 403


def test_needs_cannot_be_changed_once_the_session_has_started(app, client, world):
    with app.app_context():
        session = make_session(code="STARTED", days=(london_today() - timedelta(days=1), _weekday(7)))
        booking = make_booking(session, db.session.get(Practitioner, world["ann"]))
        booking.dietary_needs = "Vegan"
        db.session.commit()
        booking_id = booking.id
    signed_in(client, "ann-user@oak.example")
    page = client.get(f"/bookings/{booking_id}/needs")
    text = page.get_data(as_text=True)
    assert "can no longer be changed: session STARTED has started" in text and "Vegan" in text
    assert 'name="dietary_needs"' not in text


def test_a_booker_gives_each_chosen_persons_needs_on_the_group_form(app, client, world):
    signed_in(client, "bm@oak.example")
    staff = [world["ann"], world["ben"]]
    checked = client.post(
        "/bookings/new/NEEDS-1", data={**_form(client, "/bookings/new/NEEDS-1"), "staff": staff, "check": "1"}
    )
    text = checked.get_data(as_text=True)
    for person in staff:
        assert f'name="access-{person}"' in text and f'name="dietary-{person}"' in text
    assert "Access needs of Ann Oak" in text and "Dietary needs of Ben Oak" in text
    assert f'name="access-{world["cat"]}"' not in text  # only those chosen are asked

    done = client.post(
        "/bookings/new/NEEDS-1",
        data={
            "csrf_token": csrf_token_from(text),
            "staff": staff,
            f"access-{world['ann']}": ANN_ACCESS,
            f"dietary-{world['ben']}": BEN_DIETARY,
            "confirm": "1",
        },
        follow_redirects=True,
    )
    assert "Booked: Ann Oak, Ben Oak." in done.get_data(as_text=True)
    with app.app_context():
        ann, ben = _booking(world["ann"]), _booking(world["ben"])
        assert (ann.access_needs, ann.dietary_needs) == (ANN_ACCESS, None)
        assert (ben.access_needs, ben.dietary_needs) == (None, BEN_DIETARY)
        assert all(ANN_ACCESS not in value and BEN_DIETARY not in value for value in _audit_values("booking_made"))
    assert ANN_ACCESS not in client.get("/sessions/NEEDS-1").get_data(as_text=True)  # the booker does not see them


def test_a_coordinator_booking_by_email_gives_needs(app, client, world):
    signed_in(client, "co@council.example")
    form = {**_form(client, "/bookings/new/NEEDS-1"), "emails": "cat@oak.example"}
    checked = client.post("/bookings/new/NEEDS-1", data={**form, "check": "1"})
    assert f'name="dietary-{world["cat"]}"' in checked.get_data(as_text=True)
    client.post(
        "/bookings/new/NEEDS-1",
        data={**form, f"dietary-{world['cat']}": "Kosher", "confirm": "1"},
        follow_redirects=True,
    )
    with app.app_context():
        assert _booking(world["cat"]).dietary_needs == "Kosher"


def test_needs_too_long_show_the_error_summary_and_nothing_is_written(app, client, world):
    signed_in(client, "ann-user@oak.example")
    refused = client.post(
        "/bookings/self/NEEDS-1", data={**_form(client, "/bookings/self/NEEDS-1"), "access_needs": "x" * 501}
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 422 and title_of(refused).startswith("Error: ")
    assert "govuk-error-summary" in text and "Access needs must be 500 characters or fewer" in text
    assert 'href="#access_needs"' in text

    booker = app.test_client()
    signed_in(booker, "bm@oak.example")
    staff = [world["ann"], world["ben"]]
    group = booker.post(
        "/bookings/new/NEEDS-1",
        data={
            **_form(booker, "/bookings/new/NEEDS-1"),
            "staff": staff,
            f"dietary-{world['ben']}": "y" * 501,
            "confirm": "1",
        },
    )
    text = group.get_data(as_text=True)
    assert group.status_code == 422 and "nobody was booked" in text
    assert (
        "Ben Oak: Dietary needs must be 500 characters or fewer" in text and f'href="#dietary-{world["ben"]}"' in text
    )
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
        assert _audit_values("booking_made") == []


def test_the_sessions_trainer_and_a_coordinator_see_needs_on_the_register_session_page_and_sign_in_sheet(
    app, client, world
):
    with app.app_context():
        _give_needs(world)
    for email in ("tess@elm.example", "co@council.example"):
        viewer = app.test_client()
        signed_in(viewer, email)
        for path in ("/sessions/NEEDS-1", "/sessions/NEEDS-1/register", "/sessions/NEEDS-1/sign-in-sheet"):
            text = viewer.get(path).get_data(as_text=True)
            assert 'id="booking-needs"' in text, (email, path)
            assert ANN_ACCESS in text and ANN_DIETARY in text and BEN_DIETARY in text, (email, path)
        changes = "/needs" in viewer.get("/sessions/NEEDS-1").get_data(as_text=True)
        assert changes == (email == "co@council.example")  # a coordinator may change them; the trainer only reads
        pdf = viewer.get("/sessions/NEEDS-1/sign-in-sheet.pdf")
        pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf.data)).pages]
        assert ANN_ACCESS not in pages[0]  # the sheet that goes round the room carries no needs
        needs_page = pages[-1]
        assert "Needs: Needs course (NEEDS-1)" in needs_page
        assert ANN_ACCESS in needs_page and BEN_DIETARY in needs_page and "Cat Oak" not in needs_page
    coordinator = signed_in(app.test_client(), "co@council.example")
    with app.app_context():
        ben_booking = _booking(world["ben"]).id
    path = f"/bookings/{ben_booking}/needs"
    saved = coordinator.post(path, data={**_form(coordinator, path), "dietary_needs": "Halal, no gelatine"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith("/sessions/NEEDS-1")
    assert "Ben Oak&#39;s needs have been saved." in coordinator.get("/sessions/NEEDS-1").get_data(as_text=True)
    with app.app_context():
        assert _booking(world["ben"]).dietary_needs == "Halal, no gelatine"
    tess = signed_in(app.test_client(), "tess@elm.example")
    assert tess.get(path).status_code == 403  # a trainer (a booker elsewhere) reads needs but does not change them


def test_nobody_else_sees_needs_on_any_page(app, client, world):
    with app.app_context():
        _give_needs(world)
    secrets = (ANN_ACCESS, ANN_DIETARY, BEN_DIETARY)
    pages = {
        "bm@oak.example": ["/sessions/NEEDS-1", "/staff", "/bookings/", "/"],
        "ben-user@oak.example": ["/", "/bookings/mine", "/sessions/NEEDS-1"],
        "lead@council.example": ["/sessions/NEEDS-1", "/"],
        "fin@council.example": ["/sessions/NEEDS-1", "/"],
    }
    for email, paths in pages.items():
        viewer = app.test_client()
        signed_in(viewer, email)
        for path in paths:
            response = viewer.get(path)
            text = response.get_data(as_text=True)
            assert response.status_code == 200, (email, path)
            assert not any(secret in text for secret in secrets), (email, path)
            assert 'id="booking-needs"' not in text, (email, path)
        for path in ("/sessions/NEEDS-1/register", "/sessions/NEEDS-1/sign-in-sheet.pdf"):
            assert viewer.get(path).status_code == 403, (email, path)
    ben = app.test_client()
    signed_in(ben, "ben-user@oak.example")
    assert "Halal" not in ben.get("/sessions/NEEDS-1").get_data(as_text=True)  # not even his own in a list


def _build(rule, values) -> str:
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(value), path)
    return path


def _download_text(data: bytes) -> str:
    """Every string in a workbook (each part of the zip) or the text of a CSV."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return data.decode("utf-8", "replace")


def test_no_workbook_or_csv_export_carries_needs(app, client, world):
    with app.app_context():
        _give_needs(world)
        db.session.execute(sa.update(Booking).values(status=BookingStatus.ATTENDED))  # attended: in every report
        make_fund(financial_year=_financial_year(), scheme_start=date(_financial_year(), 4, 1))  # the claims batch
        db.session.commit()
    downloads = sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.endswith((".xlsx", ".csv"))), key=lambda r: r.rule
    )
    assert len(downloads) >= 12
    viewers = {}
    checked = []
    for rule in downloads:
        roles = app.view_functions[rule.endpoint].allowed_roles
        role = Role.ADMIN if Role.ADMIN in roles else Role.FINANCE if Role.FINANCE in roles else sorted(roles)[0]
        kinds = KINDS if "kind" in rule.arguments else [None]
        for kind in kinds:
            path = _build(rule, {"code": "NEEDS-1", "financial_year": _financial_year(), "kind": kind})
            if role not in viewers:
                with app.app_context():
                    email = make_user(role).email
                    db.session.commit()
                viewers[role] = signed_in(app.test_client(), email)
            response = viewers[role].get(path)
            assert response.status_code == 200, (path, response.status_code)
            text = _download_text(response.data)
            for secret in (ANN_ACCESS, ANN_DIETARY, BEN_DIETARY, "Wheelchair", "Halal", "Coeliac"):
                assert secret not in text, (path, secret)
            checked.append(path)
    assert any(path.endswith("register.xlsx") for path in checked)
    assert any(path.endswith("audit-log.xlsx") for path in checked)


def _financial_year() -> int:
    today = london_today()
    return today.year if today.month > 3 else today.year - 1
