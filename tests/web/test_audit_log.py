"""The audit log page: filters by who, kind of record, record and date; old and new values; paging; xlsx."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import openpyxl
import pytest
import sqlalchemy as sa

from tests.factories import make_booking, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import AuditEvent, Role, User
from training_app.web.audit_log.values import shown

ADMIN = "auditor@council.example"


def _event(at: datetime, actor: str, action: str, entity_type: str, entity_id: int | None, old=None, new=None):
    db.session.add(
        AuditEvent(
            at=at,
            actor=actor,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            old_value=old,
            new_value=new,
        )
    )


@pytest.fixture
def admin_client(app):
    with app.app_context():
        make_user(Role.ADMIN, email=ADMIN)
        _event(
            datetime(2026, 3, 1, 10, tzinfo=UTC),
            "helen@council.example",
            "course_changed",
            "course",
            7,
            {"title": "CAF"},
            {"title": "CAF practitioner"},
        )
        _event(datetime(2026, 3, 2, 23, 30, tzinfo=UTC), "system", "import", "authorities", None, None, {"created": 3})
        _event(datetime(2026, 6, 30, 23, 30, tzinfo=UTC), "sam@council.example", "booking_made", "booking", 12)
        db.session.commit()
    return signed_in(app.test_client(), ADMIN)


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_every_change_shows_with_its_old_and_new_values(admin_client):
    response = admin_client.get("/admin/audit-log")

    assert h1_of(response) == "Audit log"
    page = _text(response)
    assert "course_changed".replace("_", " ").capitalize() in page
    assert "CAF practitioner" in page and "<dd>CAF</dd>" in page


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("actor=HELEN", "CAF practitioner", "Booking made"),
        ("entity_type=booking", "Booking made", "CAF practitioner"),
        ("entity_id=7", "CAF practitioner", "Booking made"),
        # 23:30 UTC on 30 June is 1 July in London: the London date counts.
        ("date_from=1&date_from=7&date_from=2026", "Booking made", "CAF practitioner"),
        ("date_to=2&date_to=3&date_to=2026", "CAF practitioner", "Booking made"),
    ],
)
def test_the_filters_narrow_the_log(admin_client, query, present, absent):
    page = _text(admin_client.get(f"/admin/audit-log?{query}"))

    assert present in page and absent not in page


def test_a_bad_filter_shows_the_error_summary(admin_client):
    response = admin_client.get(
        "/admin/audit-log?entity_id=abc&date_from=1&date_from=3&date_from=2026&date_to=1&date_to=2&date_to=2026"
    )

    assert response.status_code == 400
    assert title_of(response).startswith("Error: Audit log")
    assert "Record number must be a whole number" in _text(response)
    assert "The To date must be the same as or after the From date" in _text(response)


def test_the_log_is_paged(app, admin_client):
    with app.app_context():
        for n in range(60):
            _event(datetime(2025, 1, 1, tzinfo=UTC), "bulk@council.example", "bulk_change", "widget", n + 1)
        db.session.commit()

    first = _text(admin_client.get("/admin/audit-log?actor=bulk"))
    second = _text(admin_client.get("/admin/audit-log?actor=bulk&page=2"))

    assert "60 changes match" in first
    assert first.count("Bulk change") == 50 and second.count("Bulk change") == 10
    assert 'href="/admin/audit-log?actor=bulk&amp;page=2"' in first


def test_the_filtered_log_downloads_as_a_workbook(admin_client):
    response = admin_client.get("/admin/audit-log.xlsx?entity_type=course")

    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = openpyxl.load_workbook(BytesIO(response.data))["Audit log"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("When (London)", "Who", "Action", "Record", "Record id", "Old value", "New value")
    assert rows[1][1:] == (
        "helen@council.example",
        "Course changed",
        "Course 7 (since removed)",
        7,
        '{"title": "CAF"}',
        '{"title": "CAF practitioner"}',
    )
    assert rows[1][0] == datetime(2026, 3, 1, 10, 0)
    assert len(rows) == 2


def test_the_workbook_names_records_and_the_ids_in_values_as_the_page_does(app, admin_client):
    with app.app_context():
        _booking_events(3)
        db.session.commit()

    response = admin_client.get("/admin/audit-log.xlsx?entity_type=booking")
    rows = list(openpyxl.load_workbook(BytesIO(response.data))["Audit log"].iter_rows(values_only=True))

    removed = [row for row in rows[1:] if row[3].endswith("(since removed)")]  # the fixture's, of no booking
    named = [row for row in rows[1:] if row not in removed]
    assert [row[3] for row in removed] == [f"Booking {removed[0][4]} (since removed)"]
    assert sorted(row[3] for row in named) == [
        "Booking: Jane Smith on CAF-2026-01",
        "Booking: Pat Person1 on CAF-2026-01",
        "Booking: Pat Person2 on CAF-2026-01",
    ]
    assert all(row[6] == '{"position": null, "session": "CAF-2026-01", "status": "booked"}' for row in named)


def _booking_events(count: int, code: str = "CAF-2026-01") -> None:
    """A session with this code, `count` bookings on it (Jane Smith's first) and their audit events."""
    session = make_session(code=code, days=(date(2026, 3, 2),))
    for n in range(count):
        first, last = ("Jane", "Smith") if n == 0 else ("Pat", f"Person{n}")
        booking = make_booking(session, make_practitioner(first_name=first, last_name=last))
        new = {"session_id": session.id, "status": "booked", "position": None}
        _event(datetime(2026, 3, 3, 9, n, tzinfo=UTC), ADMIN, "booking_made", "booking", booking.id, None, new)


def test_records_and_ids_show_by_name_and_values_read_plainly(app, admin_client):
    with app.app_context():
        _booking_events(1)
        user = db.session.scalar(sa.select(User).filter_by(email=ADMIN))
        old = {"active": True, "authorities": [], "note": None}
        new = {"active": False, "authorities": ["RUTLAND"], "starts_on": "2026-03-02", "amount_pence": 2500}
        _event(datetime(2026, 3, 4, 9, tzinfo=UTC), ADMIN, "user_access_changed", "user", user.id, old, new)
        db.session.commit()

    page = _text(admin_client.get("/admin/audit-log"))
    events = page[page.index('id="audit-events"') :]

    assert "Booking: Jane Smith on CAF-2026-01" in events
    assert "<dt>Session</dt> <dd>CAF-2026-01</dd>" in events
    assert f"User: {ADMIN}" in events
    assert "<dt>Active</dt> <dd>Yes</dd>" in events and "<dt>Active</dt> <dd>No</dd>" in events
    assert "<dt>Authorities</dt> <dd>none</dd>" in events and "<dt>Note</dt> <dd>—</dd>" in events
    assert "<dt>Starts on</dt> <dd>2 March 2026</dd>" in events and "<dt>Amount</dt> <dd>£25.00</dd>" in events
    for raw in ("None", "[]", "session_id", "null"):
        assert raw not in events


def _statements(app, client, url: str) -> int:
    """How many SQL statements a page takes."""
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_names_are_looked_up_for_the_page_not_for_each_event(app, admin_client):
    url = "/admin/audit-log?entity_type=booking"
    with app.app_context():
        _booking_events(1)
        db.session.commit()
    one = _statements(app, admin_client, url)
    with app.app_context():
        _booking_events(20, "CAF-2026-02")
        db.session.commit()

    page = _text(admin_client.get(url))
    assert "22 changes match" in page and "Booking: Pat Person19 on CAF-2026-02" in page
    assert _statements(app, admin_client, url) == one


@pytest.mark.parametrize(
    ("value", "key", "text"),
    [
        (None, "", "—"),
        ("", "", "—"),
        ([], "", "none"),
        (True, "", "Yes"),
        (False, "", "No"),
        (2500, "amount_pence", "£25.00"),
        (2500, "headcount", "2500"),
        ("2026-03-02", "", "2 March 2026"),
        (["2026-03-02 09:30-16:00"], "days", "2 March 2026, 9:30am to 4pm"),  # London wall-clock, not an offset
        ("2026-07-02T09:30:00+00:00", "", "2 July 2026, 10:30am"),  # a UTC moment, shown in London
        ("CAF-2026-01-02", "", "CAF-2026-01-02"),
        ({"status": "booked", "position": None}, "", "Position: —; Status: booked"),
    ],
)
def test_recorded_values_read_plainly(value, key, text):
    assert shown(value, key) == text
