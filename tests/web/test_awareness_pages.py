"""The awareness pages: the register, the sign-off form and its errors, coverage, presentations, evidence, scope."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
import time_machine

from tests.awareness_data import awareness_world, values
from tests.conftest import csrf_token_from
from tests.web.helpers import h1_of, make_user, signed_in, title_of
from training_app.extensions import db
from training_app.models import AwarenessPresentation, AwarenessSignOff, Organisation, OrganisationKind, Role
from training_app.services.awareness import awareness

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "service": "Adult Services Coalville",
    "sector": "adult_services",
    "authorities": ["LEICESTERSHIRE"],
    "contact_name": "Jim Lawrenson",
    "contact_role": "Team Manager",
    "package": "Leicestershire Awareness Package",
    "version": "2007.1",
    "completed": ["", "7", "2008"],
    "status": "signed_off",
    "signed_off_by": "",
    "notes": "",
}


@pytest.fixture
def world(app):
    with app.app_context():
        found = awareness_world()
        awareness.record_sign_off(values())
        awareness.record_sign_off(
            values(service="Rutland GPs", sector_kind=OrganisationKind.GP, authority_codes=["RUTLAND"])
        )
        emails = {
            "coordinator": make_user(Role.COORDINATOR).email,
            "lead": make_user(Role.WORKFORCE_LEAD, authorities=[found["rutland"]]).email,
        }
        db.session.commit()
        return emails


def _client(app, email):
    return signed_in(app.test_client(), email)


def _post_form(client, url, data, files=None):
    page = "/awareness/coverage" if url.endswith("awareness-only") else url
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    payload = {"csrf_token": token, **data, **(files or {})}
    return client.post(url, data=payload, content_type="multipart/form-data")


def test_the_register_lists_sign_offs_with_contacts_and_months(app, world):
    page = _client(app, world["coordinator"]).get("/awareness/sign-offs")
    html = page.get_data(as_text=True)

    assert title_of(page).startswith("Awareness sign-offs – ")
    assert "Martin Curran, Assistant Chief Officer" in html and "October 2007" in html
    assert "Rutland GPs" in html and "31 October 2010" in html  # re-awareness after 36 months
    filtered = _client(app, world["coordinator"]).get("/awareness/sign-offs?sector=gp").get_data(as_text=True)
    assert "Rutland GPs" in filtered and "Probation Service" not in filtered


def test_a_workforce_lead_sees_only_their_authorities_and_cannot_record(app, world):
    client = _client(app, world["lead"])

    html = client.get("/awareness/sign-offs").get_data(as_text=True)
    probation = db_id(app, "Probation Service")

    assert "Rutland GPs" in html and "Probation Service" not in html
    assert "Record a sign-off" not in html
    assert client.get("/awareness/sign-offs/new").status_code == 403
    assert client.get(f"/awareness/sign-offs/{probation}/evidence").status_code == 403


def db_id(app, service):
    with app.app_context():
        return db.session.scalar(sa.select(AwarenessSignOff.id).filter_by(service=service))


def test_recording_a_sign_off_with_evidence_changes_the_coverage_grid(app, world):
    client = _client(app, world["coordinator"])
    before = client.get("/awareness/coverage").get_data(as_text=True)

    response = _post_form(client, "/awareness/sign-offs/new", FORM, {"evidence": (io.BytesIO(PDF), "minutes.pdf")})

    assert response.status_code == 302, response.get_data(as_text=True)
    after = client.get("/awareness/coverage").get_data(as_text=True)
    assert "Signed off July 2008" not in before and "Signed off July 2008" in after
    sign_off = db_id(app, "Adult Services Coalville")
    download = client.get(f"/awareness/sign-offs/{sign_off}/evidence")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"service": "probation service"}, "probation service already has a sign-off"),
        ({"sector": "bank"}, "Select a sector from the list"),
        ({"authorities": ["LEICESTERSHIRE", "DERBY"]}, "Select authorities from the list"),
        ({"completed": ["", "13", "2008"]}, "Date completed must be a real date or month"),
        ({"completed": ["30", "2", "2008"]}, "Date completed must be a real date or month"),
        ({"completed": ["", "", "2008"]}, "Date completed must include a month"),
        ({"authorities": []}, "Select at least one authority the sign-off covers."),
    ],
)
def test_bad_sign_offs_show_the_error_summary_and_change_nothing(app, world, changes, message):
    client = _client(app, world["coordinator"])

    response = _post_form(client, "/awareness/sign-offs/new", FORM | changes)

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert title_of(response).startswith("Error: Record a sign-off")
    assert "govuk-error-summary" in html and message in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessSignOff)) == 2


def test_an_evidence_file_that_is_not_a_document_is_refused(app, world):
    client = _client(app, world["coordinator"])

    response = _post_form(client, "/awareness/sign-offs/new", FORM, {"evidence": (io.BytesIO(b"<script>"), "x.pdf")})

    assert "The selected file must be a PDF" in response.get_data(as_text=True)
    assert db_id(app, "Adult Services Coalville") is None


def test_changing_a_sign_off_keeps_its_month(app, world):
    client = _client(app, world["coordinator"])
    url = f"/awareness/sign-offs/{db_id(app, 'Probation Service')}/edit"

    form_page = client.get(url).get_data(as_text=True)
    response = _post_form(
        client, url, FORM | {"service": "Probation Service", "sector": "probation", "status": "delivered"}
    )

    assert 'value="10"' in form_page and 'value="2007"' in form_page
    assert response.status_code == 302
    with app.app_context():
        sign_off = db.session.scalars(sa.select(AwarenessSignOff).filter_by(service="Probation Service")).one()
        assert (sign_off.status.value, sign_off.completed_month_only) == ("delivered", True)


def test_a_coordinator_marks_an_organisation_awareness_only(app, world):
    client = _client(app, world["coordinator"])

    done = _post_form(client, "/awareness/awareness-only", {"organisation": "AW-PROB", "awareness_only": "no"})
    unknown = _post_form(client, "/awareness/awareness-only", {"organisation": "NOPE", "awareness_only": "yes"})

    assert done.status_code == 302
    assert "There is no organisation with that code" in unknown.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(Organisation.awareness_only).filter_by(code="AW-PROB")) is False


def test_presentations_show_totals_and_a_coordinator_records_one(app, world):
    client = _client(app, world["coordinator"])
    data = {"presented_on": "2008-03-14", "audience": "Team briefing", "sector": "gp", "area": "RUTLAND"}

    bad = _post_form(client, "/awareness/presentations/new", data | {"headcount": "-2", "presenter": ""})
    good = _post_form(client, "/awareness/presentations/new", data | {"headcount": "25", "presenter": "Helen Ward"})
    page = client.get("/awareness/presentations")

    assert "Headcount must be a whole number from 0" in bad.get_data(as_text=True)
    assert good.status_code == 302
    assert h1_of(page) == "Awareness presentations"
    assert "1 presentations reaching 25 staff." in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AwarenessPresentation)) == 1
    lead_page = _client(app, world["lead"]).get("/awareness/presentations").get_data(as_text=True)
    assert "1 presentations reaching 25 staff." in lead_page


def test_the_register_downloads_as_a_workbook(app, world):
    response = _client(app, world["lead"]).get("/awareness/sign-offs.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.data[:2] == b"PK"


def test_the_coordinators_dashboard_shows_the_awareness_work(app, world):
    html = _client(app, world["coordinator"]).get("/").get_data(as_text=True)

    assert "Awareness-only sectors" in html
    assert "2 services signed off" in html
    assert "2 due for re-awareness" in html  # signed off in 2007, renewed after 36 months
    assert "0 presentations reaching 0 staff" in html


def test_the_register_shows_re_awareness_that_fell_due_long_ago_as_overdue(app, world):
    with app.app_context():
        awareness.record_sign_off(values(service="Recent Probation", completed_on=date(2025, 11, 30)))
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        html = _client(app, world["coordinator"]).get("/awareness/sign-offs").get_data(as_text=True)

    rows = html.split('<tr class="govuk-table__row">')
    old = next(row for row in rows if ">Probation Service<" in row)
    recent = next(row for row in rows if ">Recent Probation<" in row)
    assert "Overdue" in old and "was due 31 October 2010" in old
    assert "Overdue" not in recent and "30 November 2028" in recent
