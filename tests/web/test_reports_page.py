"""The trained-by-area report page and its workbook: what each reader sees, scoped, and bad dates."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from io import BytesIO

import openpyxl
import pytest

from tests.factories import (
    group,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.models import Pathway, PathwayCourse, Requirement, Role
from training_app.web.reports.routes import london_today

AS_OF = "?as_of=31&as_of=8&as_of=2008"


class _Tables(HTMLParser):
    """Every table's caption and rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._row = self._cell = None

    def handle_starttag(self, tag, attrs):
        if tag == "caption":
            self._caption = ""
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._current, self._caption = self._caption.strip(), None
            self.tables[self._current] = []
        elif tag in ("th", "td"):
            self._row.append(self._cell.strip())
            self._cell = None
        elif tag == "tr":
            self.tables[self._current].append(self._row)

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data
        elif self._caption is not None:
            self._caption += data


def tables_of(response) -> dict[str, list[list[str]]]:
    """The page's tables by caption; each a list of rows (header row first) of cell texts."""
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


def _require_caf_for_group(caf, code: str = "3") -> None:
    pathway = Pathway(group=group(code), name=f"Pathway {code}")
    pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)


def build_partnership() -> dict:
    """Three partner authorities and Nottingham, with trained staff, a joint worker, sessions and someone to train."""
    city = make_authority("LEICESTER", "Leicester", order=3)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    notts = make_authority("NOTTINGHAM", "Nottingham", partner=False, order=4)
    caf = make_course("CAF", counts_as_trained=True)
    _require_caf_for_group(caf)
    city_school, county_school = make_organisation(city), make_organisation(county)
    gps = make_organisation(city, awareness_only=True)
    trained = [
        make_practitioner(city_school, [city]),
        make_practitioner(city_school, [city]),
        make_practitioner(county_school, [county]),
        make_practitioner(city_school, [city, county]),  # joint: counted once, in the joint row
        make_practitioner(make_organisation(notts), [notts]),
    ]
    for practitioner in trained:
        make_record(practitioner, caf, date(2008, 6, 1))
    make_record(make_practitioner(county_school, [county]), caf, date(2008, 9, 1))  # after the date: not counted
    untrained = make_practitioner(city_school, [city], group=group("3"))
    make_practitioner(gps, [city], group=group("3"))  # awareness only: never still to train
    autumn = make_session(caf, days=(date(2008, 10, 1),), capacity=20, host=city)
    make_booking(autumn, untrained)
    make_session(caf, days=(date(2009, 3, 1),), capacity=15, host=city)
    make_session(caf, days=(date(2008, 11, 5),), capacity=25, host=rutland)
    return {"city": city, "county": county, "rutland": rutland, "notts": notts}


@pytest.fixture
def signed_in_as(app, client):
    """Build the partnership, sign in with the role (a lead of the named authorities) and return the client."""

    def sign_in_as(role: Role, lead_of: tuple[str, ...] = ()):
        with app.app_context():
            places = build_partnership()
            email = make_user(role, authorities=[places[name] for name in lead_of]).email
            db.session.commit()
        signed_in(client, email)
        return client

    return sign_in_as


def test_the_page_shows_the_table_counting_a_joint_worker_once(signed_in_as):
    response = signed_in_as(Role.COORDINATOR).get("/reports/trained-by-area" + AS_OF)

    assert response.status_code == 200
    assert title_of(response) == "Trained by area – Children's workforce training"
    assert h1_of(response) == "Trained by area"
    assert tables_of(response)["Staff trained to 31/08/2008"] == [
        ["Authority", "Staff trained to 31/08/2008", "Spaces to end 2008", "Spaces planned 2009"],
        ["Rutland", "0", "25", "0"],
        ["Leicestershire", "1", "0", "0"],
        ["Leicester", "2", "19", "15"],
        ["Leicester and Leicestershire", "1", "", ""],
        ["Other – Nottingham", "1", "", ""],
        ["Total Number Trained", "5", "", ""],
    ]


def test_the_total_row_is_bold_and_the_chart_has_a_bar_per_row(signed_in_as):
    page = signed_in_as(Role.ADMIN).get("/reports/trained-by-area" + AS_OF).get_data(as_text=True)

    assert re.search(r'app-table__total">\s*<th scope="row" class="govuk-table__header">Total Number Trained', page)
    bars = re.findall(
        r'app-bar-chart__label">([^<]+)</span>\s*<span class="app-bar-chart__track">\s*'
        r'<span class="app-bar-chart__bar app-bar-chart__bar--(\d+)">',
        page,
    )
    assert bars == [
        ("Rutland", "0"),
        ("Leicestershire", "50"),
        ("Leicester", "100"),
        ("Leicester and Leicestershire", "50"),
        ("Other – Nottingham", "50"),
    ]
    assert 'style="' not in page.split("<main", 1)[1]


def test_the_page_lists_who_is_still_to_train_leaving_out_awareness_only_staff(signed_in_as):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area" + AS_OF)

    assert tables_of(response)["Still to train on 31/08/2008"] == [
        ["Authority", "Staff still to train"],
        ["Rutland", "0"],
        ["Leicestershire", "0"],
        ["Leicester", "1"],
        ["Total Still to Train", "1"],
    ]


def test_without_a_date_the_page_counts_to_today_and_fills_in_the_boxes(signed_in_as):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area")
    today = london_today()

    assert f"Staff trained to {today:%d/%m/%Y}" in tables_of(response)
    page = response.get_data(as_text=True)
    assert f'id="as_of-year" name="as_of" type="text" value="{today.year}"' in page
    assert f"/reports/trained-by-area.xlsx?as_of={today.isoformat()}" in page


def test_a_workforce_lead_sees_only_rows_for_their_authorities(signed_in_as):
    response = signed_in_as(Role.WORKFORCE_LEAD, lead_of=("county",)).get("/reports/trained-by-area" + AS_OF)

    assert tables_of(response)["Staff trained to 31/08/2008"][1:] == [
        ["Leicestershire", "1", "0", "0"],
        ["Leicester and Leicestershire", "1", "", ""],
        ["Total Number Trained", "2", "", ""],
    ]
    assert tables_of(response)["Still to train on 31/08/2008"][1:] == [
        ["Leicestershire", "0"],
        ["Total Still to Train", "0"],
    ]


@pytest.mark.parametrize("role", [Role.BOOKER, Role.FINANCE, Role.PRACTITIONER], ids=lambda role: role.value)
def test_other_roles_are_refused_the_page_the_workbook_and_the_link(signed_in_as, role):
    client = signed_in_as(role)

    assert client.get("/reports/trained-by-area" + AS_OF).status_code == 403
    assert client.get("/reports/trained-by-area.xlsx?as_of=2008-08-31").status_code == 403
    assert "/reports/trained-by-area" not in client.get("/").get_data(as_text=True)


def test_report_readers_see_the_reports_link(signed_in_as):
    page = signed_in_as(Role.WORKFORCE_LEAD, lead_of=("city",)).get("/").get_data(as_text=True)

    assert re.search(r'href="/reports/trained-by-area">\s*Reports\s*</a>', page)


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        ("as_of=&as_of=&as_of=", "Enter the date to count up to"),
        ("as_of=31&as_of=&as_of=2008", "The date must include a month"),
        ("as_of=31&as_of=2&as_of=2008", "The date must be a real date"),
        ("as_of=1&as_of=two&as_of=2008", "The date must be a real date"),
        ("as_of=1&as_of=2&as_of=08", "Year must include 4 numbers"),
        ("as_of=1", "The date must include a month and a year"),
    ],
)
def test_a_date_that_is_not_real_shows_the_error_summary_and_no_table(signed_in_as, boxes, message):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area?" + boxes)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert title_of(response).startswith("Error: Trained by area")
    assert "There is a problem" in page
    assert f'<a href="#as_of-day">{message}</a>' in page
    assert f'<span class="govuk-visually-hidden">Error:</span> {message}' in page
    assert "<table" not in page


def _workbook(response) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(response.data), read_only=True)


def test_the_workbook_downloads_as_a_real_xlsx_with_the_by_authority_sheet(signed_in_as):
    response = signed_in_as(Role.COORDINATOR).get("/reports/trained-by-area.xlsx?as_of=2008-08-31")

    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"] == "attachment; filename=trained-by-area-2008-08-31.xlsx"
    rows = list(_workbook(response)["By authority"].iter_rows(values_only=True))
    assert rows[0] == ("Authority", "Staff trained to 31/08/2008", "Spaces to end 2008", "Spaces planned 2009")
    assert rows[3] == ("Leicester", 2, 19, 15)
    assert rows[-1] == ("Total Number Trained", 5, None, None)


def test_a_workbook_without_a_date_counts_to_today(signed_in_as):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f"trained-by-area-{london_today().isoformat()}.xlsx")


def test_a_workforce_leads_workbook_holds_only_their_authorities(signed_in_as):
    response = signed_in_as(Role.WORKFORCE_LEAD, lead_of=("county",)).get(
        "/reports/trained-by-area.xlsx?as_of=2008-08-31"
    )

    rows = list(_workbook(response)["By authority"].iter_rows(min_row=2, values_only=True))
    assert rows == [
        ("Leicestershire", 1, 0, 0),
        ("Leicester and Leicestershire", 1, None, None),
        ("Total Number Trained", 2, None, None),
    ]


@pytest.mark.parametrize("as_of", ["", "2008-02-30", "31/08/2008", "yesterday", "2008-8-31"])
def test_a_workbook_for_a_date_that_is_not_real_gets_a_friendly_400(signed_in_as, as_of):
    response = signed_in_as(Role.ADMIN).get(f"/reports/trained-by-area.xlsx?as_of={as_of}")

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert h1_of(response) == "The report date is not a real date"


@pytest.mark.parametrize(
    ("boxes", "message"),
    [
        ("as_of=99999999999999999999&as_of=1&as_of=2008", "The date must be a real date"),
        ("as_of=1&as_of=99999999999999999999&as_of=2008", "The date must be a real date"),
        ("as_of=1&as_of=1&as_of=99999999999999999999", "Year must include 4 numbers"),
        (f"as_of={'9' * 5000}&as_of=1&as_of=2008", "The date must be a real date"),
        ("as_of=31&as_of=12&as_of=9999", "The date must be between 1 January 1900 and 31 December 2100"),
        ("as_of=31&as_of=12&as_of=1899", "The date must be between 1 January 1900 and 31 December 2100"),
    ],
)
def test_huge_or_unsupported_dates_in_the_boxes_show_the_error_summary(signed_in_as, boxes, message):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area?" + boxes)
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'<a href="#as_of-day">{message}</a>' in page
    assert "<table" not in page


def test_the_page_takes_an_iso_date_so_a_report_address_can_be_shared(signed_in_as):
    response = signed_in_as(Role.COORDINATOR).get("/reports/trained-by-area?as_of=2008-08-31")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert tables_of(response)["Staff trained to 31/08/2008"][-1] == ["Total Number Trained", "5", "", ""]
    assert 'id="as_of-day" name="as_of" type="text" value="31"' in page
    assert 'id="as_of-year" name="as_of" type="text" value="2008"' in page
    assert "/reports/trained-by-area.xlsx?as_of=2008-08-31" in page


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("9999-12-31", "The date must be between 1 January 1900 and 31 December 2100"),
        ("2008-W35-7", "The date must be a real date"),
        ("20080831xx", "The date must be a real date"),
        ("2008-02-30", "The date must be a real date"),
    ],
)
def test_an_iso_date_the_page_cannot_use_shows_the_error_summary(signed_in_as, as_of, message):
    response = signed_in_as(Role.ADMIN).get(f"/reports/trained-by-area?as_of={as_of}")
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert f'<a href="#as_of-day">{message}</a>' in page
    assert "<table" not in page


@pytest.mark.parametrize(
    ("as_of", "heading"),
    [
        ("2008-W35-7", "The report date is not a real date"),
        ("20080831xx", "The report date is not a real date"),
        ("0000-01-01", "The report date is not a real date"),
        ("9999-12-31", "The report date must be between 1 January 1900 and 31 December 2100"),
        ("1899-12-31", "The report date must be between 1 January 1900 and 31 December 2100"),
    ],
)
def test_the_workbook_refuses_every_date_the_page_and_api_refuse(signed_in_as, as_of, heading):
    response = signed_in_as(Role.ADMIN).get(f"/reports/trained-by-area.xlsx?as_of={as_of}")

    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert h1_of(response) == heading


def test_the_workbook_takes_the_last_supported_day(signed_in_as):
    response = signed_in_as(Role.ADMIN).get("/reports/trained-by-area.xlsx?as_of=2100-12-31")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=trained-by-area-2100-12-31.xlsx"
