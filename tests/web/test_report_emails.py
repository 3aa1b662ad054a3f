"""Report emails on the pages (SPEC 3.11): "Email me this every week / every month" and "Stop emailing me this" on
each report page, for users who may read that report; the list of a user's report emails, where they stop them."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_authority, make_user
from tests.web.helpers import signed_in, title_of
from training_app.extensions import db
from training_app.models import ReportSubscription, Role

pytestmark = pytest.mark.usefixtures("app_ctx")

BOX = re.compile(r'id="report-email-([a-z-]+)"')


@pytest.fixture
def lead(app):
    user = make_user(Role.WORKFORCE_LEAD, authorities=[make_authority()])
    db.session.commit()
    return user


def subscriptions() -> dict[str, str]:
    rows = db.session.execute(sa.select(ReportSubscription.report, ReportSubscription.frequency))
    db.session.commit()
    return {report.value: frequency.value for report, frequency in rows}


def choose(client, report: str, frequency: str, page: str, back: str | None = None):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    data = {"csrf_token": token, "frequency": frequency} | ({"back": back} if back else {})
    return client.post(f"/report-emails/{report}", data=data)


def test_a_lead_subscribes_from_the_report_page_and_stops_from_the_list(client, lead):
    signed_in(client, lead.email)
    page = client.get("/reports/trained-by-area").get_data(as_text=True)
    assert BOX.findall(page) == ["trained-by-area", "still-to-train"]
    assert "Email me this every week" in page and "Stop emailing me this" not in page

    response = choose(client, "trained-by-area", "weekly", "/reports/trained-by-area")
    assert response.status_code == 302
    assert response.headers["Location"] == "/reports/trained-by-area#report-email-trained-by-area"
    page = client.get("/reports/trained-by-area").get_data(as_text=True)
    assert "You will get the trained by area report by email every week, on Mondays, at 07:30." in page
    assert "You get it by email every week, on Mondays, at 07:30" in page and "Stop emailing me this" in page
    assert subscriptions() == {"trained-by-area": "weekly"}

    choose(client, "trained-by-area", "monthly", "/reports/trained-by-area")
    choose(client, "attendance-by-authority", "weekly", "/reports/attendance-by-authority")
    assert subscriptions() == {"trained-by-area": "monthly", "attendance-by-authority": "weekly"}

    listing = client.get("/report-emails")
    text = listing.get_data(as_text=True)
    assert title_of(listing).startswith("Your report emails")
    assert "Every month, on the 1st" in text and "Every week, on Mondays" in text
    assert 'Stop<span class="govuk-visually-hidden"> emailing me the trained by area report' in text
    response = choose(client, "trained-by-area", "stop", "/report-emails", back="list")
    assert response.headers["Location"] == "/report-emails"
    assert "You will no longer get the trained by area report by email." in client.get("/report-emails").get_data(
        as_text=True
    )
    assert subscriptions() == {"attendance-by-authority": "weekly"}


def test_a_booker_may_have_targets_emailed_but_not_the_partnership_reports(client, app):
    booker = make_user(Role.BOOKER)
    db.session.commit()
    signed_in(client, booker.email)
    assert BOX.findall(client.get("/targets").get_data(as_text=True)) == ["targets"]
    for report in ("trained-by-area", "still-to-train", "attendance-by-authority"):
        assert choose(client, report, "weekly", "/targets").status_code == 403
    assert subscriptions() == {}
    assert choose(client, "targets", "monthly", "/targets").headers["Location"] == "/targets#report-email-targets"
    assert subscriptions() == {"targets": "monthly"}
    listing = client.get("/report-emails").get_data(as_text=True)
    assert "Targets" in listing and "Trained by area" not in listing


@pytest.mark.parametrize("role", [Role.FINANCE, Role.PRACTITIONER])
def test_roles_that_read_no_report_have_no_report_emails(client, role):
    user = make_user(role)
    db.session.commit()
    signed_in(client, user.email)
    assert client.get("/report-emails").status_code == 403
    response = choose(client, "targets", "weekly", "/")  # the token of the dashboard's sign-out form
    assert response.status_code == 403 and subscriptions() == {}


def test_a_choice_that_is_not_offered_changes_nothing(client, lead):
    signed_in(client, lead.email)
    response = choose(client, "targets", "daily", "/targets")
    assert response.status_code == 400
    assert "There is a problem" in response.get_data(as_text=True)
    assert "Choose every week, every month or stop" in response.get_data(as_text=True)
    assert subscriptions() == {}


def test_no_csrf_token_no_change_and_an_unknown_report_is_not_found(client, lead):
    signed_in(client, lead.email)
    assert client.post("/report-emails/targets", data={"frequency": "weekly"}).status_code == 400
    assert choose(client, "payroll", "weekly", "/targets").status_code == 404
    assert subscriptions() == {}
