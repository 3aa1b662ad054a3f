"""Finance download the claims workbook in the browser (issue 18): labels rather than codes, and the underspend
returned to the partners; the dashboard's claim counts open the list of claims of that status."""

from __future__ import annotations

import io
from datetime import date, time

import openpyxl
import pytest

from tests.factories import make_attendance, make_fund, make_organisation, make_practitioner, make_user
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import CoverCategory, OrganisationKind, Role
from training_app.services.claims import claim_decisions, claims

WORKBOOK = "/finance/funds/2007/claims.xlsx"


@pytest.fixture
def approved(app):
    """A £1,000 pooled fund (schools 236, the authority 145) and one approved claim: a teaching assistant's half
    day, £35, so £965 is returned to the partners: £597.74 and £367.26 (the odd penny to the larger remainder)."""
    with app.app_context():
        fund = make_fund(2007, amount_pence=100_000, contributions=[("Schools", 236), ("Local Authority", 145)])
        school = make_organisation(kind=OrganisationKind.SCHOOL, code="SCH-A", name="Alpha Primary")
        assistant = make_practitioner(
            school, first_name="Tia", last_name="Assistant", cover=CoverCategory.TEACHING_ASSISTANT
        )
        make_attendance(assistant, [date(2007, 10, 10)], start=time(9, 0), end=time(12, 30), code="S-OCT")
        booker, finance = make_user(Role.BOOKER, organisation=school), make_user(Role.FINANCE)
        claim = claims.create_claim(school, fund, booker).claim
        claim_decisions.submit_claim(claim, booker)
        claim_decisions.approve_claim(claim, finance)
        emails = {"finance": finance.email, "booker": booker.email, "admin": make_user(Role.ADMIN).email}
        db.session.commit()
    return emails


def test_finance_download_the_workbook_with_labels_and_the_underspend_returned(app, approved):
    client = signed_in(app.test_client(), approved["finance"])
    assert f'href="{WORKBOOK}"' in client.get("/finance").get_data(as_text=True)
    assert f'href="{WORKBOOK}"' in client.get("/finance/funds/2007/allocation").get_data(as_text=True)

    response = client.get(WORKBOOK)

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=claims-2007-08.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    line = next(workbook["Lines"].iter_rows(min_row=2, values_only=True))
    assert line[1] == "Approved" and line[8] == "Teaching assistant" and line[9] == "Half day" and line[15] == 35
    allocation = [list(row) for row in workbook["Allocation"].iter_rows(values_only=True)]
    start = allocation.index(["Underspend returned to the partners", None, None, None, None])
    assert allocation[start + 1 : start + 5] == [
        ["Partner", None, "Contribution", "Returned", None],
        ["Schools", None, 2.36, 597.74, None],
        ["Local Authority", None, 1.45, 367.26, None],
        ["Total", None, 3.81, 965, None],
    ]


def test_admin_may_download_it_and_a_school_may_not(app, approved):
    assert signed_in(app.test_client(), approved["admin"]).get(WORKBOOK).status_code == 200
    assert signed_in(app.test_client(), approved["booker"]).get(WORKBOOK).status_code == 403
    assert signed_in(app.test_client(), approved["finance"]).get("/finance/funds/2011/claims.xlsx").status_code == 404


def test_the_dashboards_claim_counts_open_the_claims_of_that_status(app, approved):
    client = signed_in(app.test_client(), approved["finance"])
    dashboard = client.get("/").get_data(as_text=True)
    assert 'href="/claims?status=approved">1' in dashboard
    assert 'href="/claims?status=paid"' not in dashboard  # none paid: nothing to open
    listed = client.get("/claims?status=approved").get_data(as_text=True)
    assert "Approved claims" in listed and "Alpha Primary (SCH-A)" in listed
    assert "Alpha Primary" not in client.get("/claims?status=paid").get_data(as_text=True)


def test_a_status_that_does_not_exist_is_explained_and_every_claim_listed(app, approved):
    client = signed_in(app.test_client(), approved["finance"])
    page = client.get("/claims?status=lost").get_data(as_text=True)
    assert "govuk-error-summary" in page and "There is no claim status called lost" in page
    assert "Alpha Primary (SCH-A)" in page
