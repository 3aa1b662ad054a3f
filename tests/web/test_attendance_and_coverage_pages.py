"""The attendance-by-authority and coverage pages and the people downloads: figures, scope for leads, bad input."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from io import BytesIO

import openpyxl
import pytest
import sqlalchemy as sa
import time_machine

from tests.factories import (
    group,
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_mark,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.web.helpers import h1_of, signed_in, title_of
from tests.web.test_reports_page import tables_of
from training_app.extensions import db
from training_app.models import (
    Area,
    Authority,
    BookingStatus,
    Course,
    Pathway,
    PathwayCourse,
    Practitioner,
    Requirement,
    Role,
)


@pytest.fixture
def p(app):
    """Rutland and Leicestershire (Melton); CAF required by group 3; a session in October with three attendees."""
    with app.app_context():
        rutland = make_authority("RUTLAND", "Rutland", order=1)
        county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        caf = make_course("CAF", counts_as_trained=True, validity_months=36)
        pathway = Pathway(group=group("3"), name="Group 3")
        pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
        db.session.add(pathway)
        melton = make_area(county, "Melton")
        school = make_organisation(county, area=melton, name="Melton School")
        session = make_session(caf, days=(date(2008, 10, 1),), host=county, code="CAF-OCT")
        people = {}
        for name, authorities in (("Cole", [county]), ("Dale", [county, rutland]), ("Ezra", [rutland])):
            people[name] = make_practitioner(school, authorities, last_name=name, group=group("3"))
            make_mark(make_booking(session, people[name], BookingStatus.ATTENDED), session.days[0])
        make_record(people["Cole"], caf, date(2008, 1, 1), expires_on=date(2011, 1, 1))
        lead = make_user(Role.WORKFORCE_LEAD, authorities=[rutland]).email
        coordinator = make_user(Role.COORDINATOR).email
        booker = make_user(Role.BOOKER, organisation=school).email
        ids = {"melton": melton.id, "rutland": rutland.id}
        db.session.commit()
    return {"lead": lead, "coordinator": coordinator, "booker": booker, **ids}


def test_attendance_page_shows_the_rows_and_a_download_of_the_same(client, p):
    signed_in(client, p["coordinator"])

    response = client.get("/reports/attendance-by-authority?from=1&from=10&from=2008&to=31&to=10&to=2008")

    assert response.status_code == 200
    assert title_of(response) == "Attendance by authority – Children's workforce training"
    assert tables_of(response)["Attended: 01/10/2008 to 31/10/2008"] == [
        ["Authority", "Attended"],
        ["Rutland", "1"],
        ["Leicestershire", "1"],
        ["Leicestershire and Rutland", "1"],
        ["Total Attended", "3"],
    ]
    link = re.search(r'href="(/reports/attendance-by-authority\.xlsx[^"]*)"', response.get_data(as_text=True))
    assert link.group(1).replace("&amp;", "&") == "/reports/attendance-by-authority.xlsx?from=2008-10-01&to=2008-10-31"
    download = client.get(link.group(1).replace("&amp;", "&"))
    rows = list(openpyxl.load_workbook(BytesIO(download.data)).active.iter_rows(values_only=True))
    assert rows[-1] == ("Total Attended", 3)


def test_a_lead_sees_attendance_of_their_authorities_only(client, p):
    signed_in(client, p["lead"])

    response = client.get("/reports/attendance-by-authority?session=CAF-OCT")

    assert tables_of(response)["Attended: session CAF-OCT, all dates"] == [
        ["Authority", "Attended"],
        ["Rutland", "1"],
        ["Leicestershire and Rutland", "1"],
        ["Total Attended", "2"],
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2008-10-02&to=2008-10-01", "The end date must be the same as or after 2 October 2008"),
        ("from=31&from=2&from=2008", "The date must be a real date"),
        ("session=NOPE", "There is no session with that code"),
        ("to=9999-01-01", "The date must be between 1 January 1900 and 31 December 2100"),
    ],
)
def test_bad_periods_and_unknown_sessions_are_listed_in_an_error_summary(client, p, query, message):
    signed_in(client, p["coordinator"])

    response = client.get(f"/reports/attendance-by-authority?{query}")
    workbook = client.get(f"/reports/attendance-by-authority.xlsx?{query}")

    assert response.status_code == 200
    assert title_of(response).startswith("Error: ")
    assert "govuk-error-summary" in response.get_data(as_text=True)
    assert message in response.get_data(as_text=True)
    assert workbook.status_code == 400


def test_coverage_page_has_the_heat_map_with_words_and_links_to_who_is_left(client, p):
    signed_in(client, p["coordinator"])

    response = client.get("/reports/coverage?as_of=2008-08-31")

    assert h1_of(response) == "Training coverage"
    table = tables_of(response)["Trained and current on 31/08/2008, by area and responsibility group"]
    assert table[0] == ["Area", "Group 3", "All groups"]
    assert re.sub(r"\s+", " ", table[1][1]) == "33% Low 1 of 3 2 to train: Melton, Leicestershire, group 3"
    page = response.get_data(as_text=True)
    assert "<svg" in page and 'role="img"' in page and "style=" not in page
    link = f'href="/reports/coverage/areas/{p["melton"]}/groups/3?as_of=2008-08-31">2 to train'
    assert link in page  # the cell's own link, followed here
    cell = client.get(f"/reports/coverage/areas/{p['melton']}/groups/3?as_of=2008-08-31")
    assert cell.status_code == 200
    assert [row[0] for row in tables_of(cell)["Page 1 of 1"][1:]] == ["Pat Dale", "Pat Ezra"]


def test_a_lead_sees_coverage_and_the_people_behind_it_for_their_authorities(client, p):
    signed_in(client, p["lead"])

    table = tables_of(client.get("/reports/coverage?as_of=2008-08-31"))
    cell = client.get(f"/reports/coverage/areas/{p['melton']}/groups/3?as_of=2008-08-31")

    grid = table["Trained and current on 31/08/2008, by area and responsibility group"]
    assert re.sub(r"\s+", " ", grid[1][1]).startswith("0% Very low 0 of 2")
    assert [row[0] for row in tables_of(cell)["Page 1 of 1"][1:]] == ["Pat Dale", "Pat Ezra"]


def test_a_lead_gets_403_for_a_cell_of_another_authority_that_holds_none_of_their_people(app, client, p):
    with app.app_context():
        county = db.session.get(Area, p["melton"]).authority
        charnwood = make_area(county, "Charnwood")
        charnwood_school = make_organisation(county, area=charnwood, name="Charnwood School")
        make_practitioner(charnwood_school, [county], last_name="Fenn", group=group("3"))
        make_practitioner(None, [county], last_name="Gray", group=group("3")).organisation = None  # 'No area'
        oakham = make_area(db.session.get(Authority, p["rutland"]), "Oakham")
        ids = {"charnwood": charnwood.id, "oakham": oakham.id}
        db.session.commit()
    coordinator = signed_in(app.test_client(), p["coordinator"])
    assert coordinator.get(f"/reports/coverage/areas/{ids['charnwood']}/groups/3").status_code == 200
    signed_in(client, p["lead"])

    charnwood_cell = client.get(f"/reports/coverage/areas/{ids['charnwood']}/groups/3?as_of=2008-08-31")
    no_area_cell = client.get("/reports/coverage/areas/0/groups/3?as_of=2008-08-31")
    own_empty_cell = client.get(f"/reports/coverage/areas/{ids['oakham']}/groups/3?as_of=2008-08-31")
    shared_cell = client.get(f"/reports/coverage/areas/{p['melton']}/groups/3?as_of=2008-08-31")

    assert charnwood_cell.status_code == 403
    assert "Fenn" not in charnwood_cell.get_data(as_text=True)
    assert no_area_cell.status_code == 403
    assert own_empty_cell.status_code == 200  # an area of their own authority, nobody to train there yet
    assert shared_cell.status_code == 200
    assert [row[0] for row in tables_of(shared_cell)["Page 1 of 1"][1:]] == ["Pat Dale", "Pat Ezra"]


def _coverage_without_a_date(client, email: str) -> tuple[str, dict]:
    """The coverage page with no date asked for, on 2 March 2026."""
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        response = signed_in(client, email).get("/reports/coverage")
    return " ".join(response.get_data(as_text=True).split()), tables_of(response)


def test_coverage_opens_on_the_latest_day_with_figures_when_no_one_is_current_today(client, p):
    page, tables = _coverage_without_a_date(client, p["coordinator"])

    # Cole's record (completed 1 January 2008) expired in 2011: today every cell would read 0%.
    grid = tables["Trained and current on 01/01/2008, by area and responsibility group"]
    assert re.sub(r"\s+", " ", grid[1][1]).startswith("33% Low 1 of 3")
    assert "No one in the partnership who must train is trained and current today, so this shows 1 January 2008" in page
    assert 'value="2008"' in page  # the date boxes hold the day shown


def test_coverage_opens_on_today_when_someone_is_current_and_says_why_when_no_one_ever_trained(app, client, p):
    # Rutland's lead sees Dale and Ezra, neither ever trained.
    page, tables = _coverage_without_a_date(client, p["lead"])
    assert "Trained and current on 02/03/2026, by area and responsibility group" in tables
    assert "has completed the course that counts as trained yet, so every cell is 0%" in page

    with app.app_context():
        dale = db.session.scalar(sa.select(Practitioner).filter_by(last_name="Dale"))
        caf = db.session.scalar(sa.select(Course).filter_by(code="CAF"))
        make_record(dale, caf, date(2025, 6, 1), expires_on=date(2028, 6, 1))
        db.session.commit()
    page, tables = _coverage_without_a_date(app.test_client(), p["lead"])
    grid = tables["Trained and current on 02/03/2026, by area and responsibility group"]
    assert re.sub(r"\s+", " ", grid[1][1]).startswith("50% Low 1 of 2")
    assert "govuk-inset-text" not in page


def test_unknown_cells_are_404_and_other_roles_403(app, client, p):
    signed_in(client, p["coordinator"])
    assert client.get("/reports/coverage/areas/999999/groups/3").status_code == 404
    assert client.get(f"/reports/coverage/areas/{p['melton']}/groups/99").status_code == 404
    assert "The date must be a real date" in client.get("/reports/coverage?as_of=2008-02-30").get_data(as_text=True)
    booker = signed_in(app.test_client(), p["booker"])
    assert booker.get("/reports/coverage").status_code == 403
    assert booker.get("/reports/still-to-train.xlsx").status_code == 403


def test_people_downloads_are_scoped_for_a_lead(client, p):
    signed_in(client, p["lead"])

    still = client.get("/reports/still-to-train.xlsx?as_of=2008-08-31")
    records = client.get("/reports/training-records.xlsx?from=2008-01-01")

    still_rows = list(openpyxl.load_workbook(BytesIO(still.data)).active.iter_rows(values_only=True))
    assert [(row[0], row[8]) for row in still_rows[1:]] == [("Dale", "Leicestershire and Rutland"), ("Ezra", "Rutland")]
    record_rows = list(openpyxl.load_workbook(BytesIO(records.data)).active.iter_rows(values_only=True))
    assert record_rows[1:] == []  # Cole works for Leicestershire only
    assert client.get("/reports/training-records.xlsx?from=2008-02-01&to=2008-01-01").status_code == 400
