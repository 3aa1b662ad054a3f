"""Charges on the web and in the workbook (SPEC 3.4, 4.2): a booker sees their organisation's, staff everyone's;
waivers by a coordinator with a reason or for a colleague who attended; `flask export charges` in pence and pounds."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_booking, make_course, make_organisation, make_practitioner, make_session, make_user
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import BookingStatus, Charge, Role
from training_app.services.booking.charges import charge_late_cancellation, charge_no_show


@pytest.fixture
def charged(app):
    """Two schools' charges: Oak's no-show (two days, £100) and late cancellation (£50), Elm's no-show (£50)."""
    with app.app_context():
        course = make_course(code="CAF")
        oak = make_organisation(code="OAK", name="Oak School")
        elm = make_organisation(code="ELM", name="Elm School")
        first = make_session(course=course, code="CAF-1", days=(date(2026, 3, 2), date(2026, 3, 3)))
        second = make_session(course=course, code="CAF-2", days=(date(2026, 5, 4),))
        ann = make_practitioner(organisation=oak, first_name="Ann", last_name="Oak")
        colleague = make_practitioner(organisation=oak, first_name="Col", last_name="Oak")
        no_show = charge_no_show(make_booking(first, ann, BookingStatus.NO_SHOW))
        late = make_booking(second, make_practitioner(organisation=oak, first_name="=HYPERLINK(1)", last_name="Lee"))
        late.status = BookingStatus.LATE_CANCELLED
        charge_late_cancellation(late, second)
        charge_no_show(
            make_booking(second, make_practitioner(organisation=elm, first_name="Eli"), BookingStatus.NO_SHOW)
        )
        make_booking(first, colleague, BookingStatus.ATTENDED)
        booker = make_user(Role.BOOKER, organisation=oak, email="bm@oak.example").email
        coordinator = make_user(Role.COORDINATOR, email="co@council.example").email
        elm_booker = make_user(Role.BOOKER, organisation=elm, email="bm@elm.example").email
        db.session.commit()
        return {"no_show": no_show.id, "booker": booker, "coordinator": coordinator, "elm_booker": elm_booker}


def _rows(content: bytes, tmp_path, sheet: str) -> list[tuple]:
    path = tmp_path / "charges.xlsx"
    path.write_bytes(content)
    book = openpyxl.load_workbook(path)
    try:
        return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def test_a_booker_sees_only_their_organisations_charges(client, charged):
    signed_in(client, charged["booker"])
    page = client.get("/bookings/charges")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and h1_of(page) == "Charges"
    assert "Oak School" in text and "£150.00" in text and "Eli" not in text and "Elm School" not in text
    assert "Waive<" not in text  # only coordinators waive with a reason
    assert "£150.00 in charges" in client.get("/").get_data(as_text=True)
    assert client.get(f"/bookings/charges/{charged['no_show']}/waive").status_code == 403
    other = client.application.test_client()
    signed_in(other, charged["elm_booker"])
    assert other.get(f"/bookings/charges/{charged['no_show']}/substitute").status_code == 403


def test_a_booker_names_the_colleague_who_attended_and_the_charge_is_waived(app, client, charged):
    signed_in(client, charged["booker"])
    path = f"/bookings/charges/{charged['no_show']}/substitute"
    page = client.get(path)
    assert h1_of(page) == "Who attended instead of Ann Oak?"
    html = page.get_data(as_text=True)
    assert '<span class="govuk-caption-l">CAF-1: £100.00</span>' in html and 'href="/bookings/charges"' in html
    token = csrf_token_from(html)
    with app.app_context():
        ids = dict(db.session.execute(sa.text("SELECT first_name, id FROM practitioners")).all())
    not_there = client.post(path, data={"csrf_token": token, "colleague": ids["=HYPERLINK(1)"]})
    assert not_there.status_code == 422 and "did not attend session CAF-1" in not_there.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "colleague": ids["Col"]}, follow_redirects=True)
    assert "has been waived: Col Oak attended" in done.get_data(as_text=True)
    assert "£50.00" in done.get_data(as_text=True)  # still payable: the late cancellation


def test_a_coordinator_waives_with_a_reason(app, client, charged):
    signed_in(client, charged["coordinator"])
    listing = client.get("/bookings/charges").get_data(as_text=True)
    assert "Elm School" in listing and "Oak School" in listing
    path = f"/bookings/charges/{charged['no_show']}/waive"
    page = client.get(path)
    assert h1_of(page) == "Waive the charge for Ann Oak"
    token = csrf_token_from(page.get_data(as_text=True))
    empty = client.post(path, data={"csrf_token": token, "reason": ""})
    assert empty.status_code == 422 and "Enter why the charge is waived" in empty.get_data(as_text=True)
    assert title_of(empty).startswith("Error: Waive the charge for Ann Oak")
    assert 'class="govuk-error-summary"' in empty.get_data(as_text=True)
    client.post(path, data={"csrf_token": token, "reason": "Trainer cancelled day two"})
    with app.app_context():
        assert db.session.get(Charge, charged["no_show"]).waived_reason == "Trainer cancelled day two"


def test_the_download_and_the_command_write_pence_and_pounds_as_numbers(app, client, charged, tmp_path):
    signed_in(client, charged["booker"])
    download = client.get("/bookings/charges.xlsx?from=2026-01-01&to=2026-12-31")
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")
    totals = _rows(download.data, tmp_path, "By organisation")
    assert totals[1:] == [("OAK", "Oak School", 2, 15000, 150, 15000, 150), ("Total", None, 2, 15000, 150, 15000, 150)]
    assert client.get("/bookings/charges?from=2026-02-30").status_code == 422
    assert client.get("/bookings/charges.xlsx?from=2026-06-01&to=2026-01-01").status_code == 400

    out = tmp_path / "all.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "charges", "--out", str(out), "--from", "2026-05-01"])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    charges = [tuple(row) for row in book["Charges"].iter_rows(values_only=True)]
    pounds = book["Charges"]["J2"].number_format
    formula_cell_type = book["Charges"]["C3"].data_type
    book.close()
    assert charges[0][:10] == (
        "Organisation code",
        "Organisation",
        "Practitioner",
        "Email",
        "Course",
        "Session",
        "First day",
        "Reason",
        "Amount (pence)",
        "Amount",
    )
    assert [(row[0], row[7], row[8], row[9], row[10]) for row in charges[1:]] == [
        ("ELM", "No-show", 5000, 50, "no"),
        ("OAK", "Late cancellation", 5000, 50, "no"),
    ]
    assert charges[1][2].startswith("Eli ") and charges[2][2] == "=HYPERLINK(1) Lee"
    assert formula_cell_type == "s"  # written as text, never as a formula
    assert "£" in pounds
    bad = app.test_cli_runner().invoke(args=["export", "charges", "--out", str(out), "--to", "2026-13-01"])
    assert bad.exit_code != 0 and "--to" in bad.output
