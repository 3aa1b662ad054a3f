"""Refreshers that renew, and one stored expiry, as people see them (SPEC 3.2, 3.6): the pathway page, the staff list,
the API, the course's re-dating page, and the dashboard and reminders agreeing on the demo."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.api.helpers import bearer, user_with_token
from tests.conftest import csrf_token_from
from tests.factories import (
    group,
    make_area,
    make_authority,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_user,
)
from tests.web.helpers import signed_in
from tests.web.test_reports_page import tables_of
from training_app.extensions import db
from training_app.models import AuditEvent, CourseKind, Pathway, PathwayCourse, Requirement, Role
from training_app.services.common.calendar import london_today

EMAIL = "pat.renewed@school.example"


@pytest.fixture
def school(app):
    """Pat, in group 3 at a school, trained in CAF in 2007 and through CAF-REFRESH (which renews CAF) on
    10 November 2026; their booker and a coordinator."""
    with app.app_context():
        county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        school = make_organisation(county, name="Moira High School", area=make_area(county, "Moira"))
        caf = make_course(code="CAF", title="CAF practitioner", validity_months=36, counts_as_trained=True)
        refresh = make_course(
            code="CAF-REFRESH", title="CAF refresher", kind=CourseKind.REFRESHER, validity_months=36, renews=caf
        )
        pathway = Pathway(group=group("3"), name="Intensive")
        pathway.steps = [
            PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1),
            PathwayCourse(course=refresh, requirement=Requirement.OPTIONAL, position=2),
        ]
        db.session.add(pathway)
        pat = make_practitioner(school, first_name="Pat", last_name="Renewed", email=EMAIL, group=group("3"))
        make_record(pat, caf, date(2007, 5, 15))
        make_record(pat, refresh, date(2026, 11, 10))
        emails = {
            "booker": make_user(Role.BOOKER, organisation=school).email,
            "coordinator": make_user(Role.COORDINATOR).email,
        }
        db.session.commit()
    return emails


def _pathway_rows(client) -> dict[str, list[str]]:
    rows = tables_of(client.get(f"/practitioners/{EMAIL}/pathway"))["Courses on the pathway"][1:]
    return {row[0].split(":")[0]: row for row in rows}


def _staff_steps(client, query: str = "") -> dict[str, str]:
    """Each course on Pat's row of the staff list and its status tag's text ({} when Pat is not listed)."""
    html = client.get(f"/staff{query}").get_data(as_text=True)
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Pat Renewed(?:(?!</tr>).)*</tr>", html, re.S)
    if row is None:
        return {}
    steps = re.findall(
        r"<li>([A-Z-]+) <span[^>]*>\([a-z]+\)</span><strong[^>]*>\s*(.*?)\s*</strong>", row.group(0), re.S
    )
    return dict(steps)


def test_caf_refresh_on_10_november_2026_shows_caf_current_on_the_pathway_page_with_nothing_to_book(app, school):
    client = signed_in(app.test_client(), school["coordinator"])

    rows = _pathway_rows(client)

    assert rows["CAF"][2:5] == ["Current", "10 November 2026", "10 November 2029"]
    html = client.get(f"/practitioners/{EMAIL}/pathway").get_data(as_text=True)
    assert "Nothing: every course on the pathway is current or booked." in html


def test_caf_refresh_on_10_november_2026_shows_caf_current_on_the_bookers_staff_list(app, school):
    client = signed_in(app.test_client(), school["booker"])

    assert _staff_steps(client) == {"CAF": "Current", "CAF-REFRESH": "Current"}
    assert _staff_steps(client, "?needs=any") == {}  # Pat needs no required course
    assert "0 of your staff still need a course their pathway requires." in client.get("/staff").get_data(as_text=True)


def test_the_api_gives_the_same_status_and_dates(app, client, school):
    with app.app_context():
        _, token = user_with_token(Role.COORDINATOR)
        db.session.commit()

    answer = client.get(f"/api/v1/practitioners/{EMAIL}/pathway", headers=bearer(token)).json

    assert answer["courses"][0] == {
        "course": "CAF",
        "requirement": "required",
        "status": "current",
        "completed_on": "2026-11-10",
        "expires_on": "2029-11-10",
        "session": None,
    }


def _post(client, path: str, form_path: str, **data):
    token = csrf_token_from(client.get(form_path).get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **data})


def test_after_a_validity_change_every_page_agrees_until_the_coordinator_redates_the_previewed_records(app, client):
    with app.app_context():
        today = london_today()
        county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        school = make_organisation(county, area=make_area(county, "Moira"))
        caf = make_course(code="CAF", title="CAF practitioner", validity_months=12, counts_as_trained=True)
        pathway = Pathway(group=group("3"), name="Intensive")
        pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
        db.session.add(pathway)
        pat = make_practitioner(school, first_name="Pat", last_name="Renewed", email=EMAIL, group=group("3"))
        make_record(pat, caf, today - timedelta(days=400))  # 12 months: expired; 36 months: current
        make_record(make_practitioner(school), caf, today - timedelta(days=500))
        booker = make_user(Role.BOOKER, organisation=school).email
        coordinator = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, coordinator)
    _post(client, "/courses/CAF/edit", "/courses/CAF/edit", **_caf_form(validity_months="36"))
    booker_client = signed_in(app.test_client(), booker)

    # Every page reads the stored date: expired, though 36 months would say current.
    assert _pathway_rows(client)["CAF"][2] == "Expired"
    assert _staff_steps(booker_client) == {"CAF": "Expired"}
    assert tables_of(client.get("/"))["Refresher status by area"][1:] == [["Moira (Leicestershire)", "0", "0", "2"]]
    assert "2 records expire on a date set from another validity" in client.get("/courses/CAF/edit").get_data(True)

    preview = client.get("/courses/CAF/redate")
    assert "2 records change" in preview.get_data(as_text=True) and "Re-date 2 records" in preview.get_data(True)
    stale = _post(client, "/courses/CAF/redate", "/courses/CAF/redate", expected="3")
    assert stale.status_code == 200 and "2 records of CAF would change now, not the 3 previewed" in stale.get_data(True)
    assert _pathway_rows(client)["CAF"][2] == "Expired"

    done = _post(client, "/courses/CAF/redate", "/courses/CAF/redate", expected="2")

    assert done.status_code == 302
    assert _pathway_rows(client)["CAF"][2] == "Current"
    assert _staff_steps(booker_client) == {"CAF": "Current"}
    # The dashboard's figures are kept as of a stated time (issue 25): counted again, they agree.
    assert _post(client, "/dashboard/refresh", "/").status_code == 302
    assert tables_of(client.get("/"))["Refresher status by area"][1:] == [["Moira (Leicestershire)", "2", "0", "0"]]
    assert "Every record of this course expires as its validity says." in client.get("/courses/CAF/edit").get_data(True)
    with app.app_context():
        events = db.session.scalars(sa.select(AuditEvent).filter_by(action="training_records_redated")).all()
        assert [(event.actor, event.new_value) for event in events] == [
            (coordinator, {"records": 2, "validity_months": 36})
        ]


def _caf_form(**fields) -> dict[str, str]:
    form = {
        "code": "CAF",
        "title": "CAF practitioner",
        "kind": "caf_practitioner",
        "typical_duration_minutes": "",
        "validity_months": "12",
        "reminder_lead_days": "90",
        "booking_closes_days": "2",
        "cancellation_window_days": "2",
        "counts_as_trained": "yes",
        "prerequisites": "",
        "renews": "",
        "charge_half_day": "25.00",
        "charge_day": "50.00",
        "self_booking": "no",
        "waitlist_order": "first_come",
        "description": "",
        "joining_instructions": "",
    }
    return form | fields


def test_the_course_form_sets_what_a_refresher_renews_and_refuses_a_loop(app, client, school):
    signed_in(client, school["coordinator"])
    refresher = _caf_form(code="TOP-UP", title="Top-up", kind="refresher", counts_as_trained="no", renews="CAF")

    assert _post(client, "/courses/new", "/courses/new", **refresher).status_code == 302
    assert 'value="CAF"' in client.get("/courses/TOP-UP/edit").get_data(as_text=True)
    assert "Renews CAF: completing it completes CAF too" in client.get("/courses").get_data(as_text=True)

    loop = _post(client, "/courses/CAF/edit", "/courses/CAF/edit", **_caf_form(renews="CAF-REFRESH"))
    assert loop.status_code == 200
    assert "CAF-REFRESH renews CAF, so CAF cannot renew CAF-REFRESH (a loop)." in loop.get_data(as_text=True)


def test_the_dashboards_refresher_plot_its_outlook_and_the_reminders_page_agree_on_the_demo(app, client, shared_demo):
    signed_in(client, "coordinator@demo.test", DEMO_PASSWORD)

    tables = tables_of(client.get("/"))
    reminders = client.get("/reminders").get_data(as_text=True)

    status = {
        row[0]: [int(value.replace(",", "")) for value in row[1:]] for row in tables["Refresher status by area"][1:]
    }
    outlook = [[int(value.replace(",", "")) for value in row[1:]] for row in tables[OUTLOOK][1:]]
    stages = Counter(re.findall(r"Refresher: (due soon|due|overdue)</td>", reminders))
    due_soon = sum(values[1] for values in status.values())
    assert due_soon == 5 and stages["due soon"] == 5  # the demo's refreshers due within the lead time
    assert re.search(r"Refresher due soon 5\b", reminders)
    assert sum(sum(row[1:]) for row in outlook) == due_soon  # all of them expire within the outlook's months
    assert sum(row[0] for row in outlook) == stages["due"] + stages["overdue"]


OUTLOOK = "Refreshers due by area over the coming months"


def test_the_demo_practitioners_caf_is_current_through_last_months_refresher(app, client, shared_demo):
    signed_in(client, "practitioner@demo.test", DEMO_PASSWORD)
    pathway = re.search(r'href="(/practitioners/[^"]+/pathway)"', client.get("/").get_data(as_text=True)).group(1)
    rows = tables_of(client.get(pathway))["Courses on the pathway"][1:]
    statuses = {row[0].split(":")[0]: row[2:5] for row in rows}

    assert statuses["CAF"][0] == "Current" and statuses["CAF"] == statuses["CAF-REFRESH"]
    assert int(statuses["CAF"][1].split()[-1]) >= 2010  # the refresher's date, not the 2007-08 course's
