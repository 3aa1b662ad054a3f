"""A report page shows at most a hundred rows (issue 25): a national trained-by-area table has 16,000 authority sets,
attendance by authority as many and a national coverage grid 600 areas, megabytes of HTML; the rest are a page on,
the totals are on every page, and the spreadsheet has them all."""

from __future__ import annotations

import re
from datetime import date

from tests.factories import (
    group,
    make_area,
    make_attendance,
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
from training_app.models import Pathway, PathwayCourse, Requirement, Role

AUTHORITIES = 105


def build(app) -> str:
    with app.app_context():
        caf = make_course("CAF", counts_as_trained=True)
        for n in range(1, AUTHORITIES + 1):
            authority = make_authority(f"A{n:03d}", f"Authority {n:03d}", order=n)
            make_record(make_practitioner(make_organisation(authority), authorities=[authority]), caf, date(2008, 5, 1))
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    return email


def test_the_trained_by_area_table_pages_past_a_hundred_rows_with_the_total_on_each(app, client):
    signed_in(client, build(app))

    first = client.get("/reports/trained-by-area?as_of=2008-08-31")
    second = client.get("/reports/trained-by-area?as_of=2008-08-31&page=2")

    table = next(rows for caption, rows in tables_of(first).items() if caption.startswith("Staff trained"))
    assert len(table) == 1 + 100 + 1  # header, a hundred rows, the total
    assert table[1][0] == "Authority 001" and table[-1][:2] == ["Total Number Trained", str(AUTHORITIES)]
    assert "Rows 1 to 100 of 105" in first.get_data(as_text=True)
    table = next(rows for caption, rows in tables_of(second).items() if caption.startswith("Staff trained"))
    assert [row[0] for row in table[1:]] == [f"Authority {n:03d}" for n in range(101, 106)] + ["Total Number Trained"]
    assert "Rows 101 to 105 of 105" in second.get_data(as_text=True)


def test_the_coverage_grid_pages_past_a_hundred_areas_with_the_totals_on_each(app, client):
    with app.app_context():
        caf = make_course("CAF", counts_as_trained=True)
        pathway = Pathway(group=group("3"), name="Group 3")
        pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
        db.session.add(pathway)
        county = make_authority("COUNTY", "County", order=1)
        for n in range(1, AUTHORITIES + 1):
            school = make_organisation(county, area=make_area(county, f"Area {n:03d}"))
            make_practitioner(school, [county], group=group("3"))
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, email)

    first = client.get("/reports/coverage?as_of=2008-08-31")
    second = client.get("/reports/coverage?as_of=2008-08-31&page=2")

    caption = "Trained and current on 31/08/2008, by area and responsibility group"
    table = tables_of(first)[caption]
    assert len(table) == 1 + 100 + 1 and table[-1][0] == "All areas"
    assert re.sub(r"\s+", " ", table[-1][-1]).startswith(f"0% Very low 0 of {AUTHORITIES}")
    assert "Areas 1 to 100 of 105" in first.get_data(as_text=True)
    rows = tables_of(second)[caption][1:]
    assert [re.sub(r"\s+", " ", row[0]) for row in rows] == [f"Area {n:03d}County" for n in range(101, 106)] + [
        "All areas"
    ]


def test_attendance_by_authority_pages_past_a_hundred_rows_keeping_the_period_and_the_exact_total(app, client):
    with app.app_context():
        for n in range(1, AUTHORITIES + 1):
            authority = make_authority(f"A{n:03d}", f"Authority {n:03d}", order=n)
            person = make_practitioner(make_organisation(authority), authorities=[authority])
            make_attendance(person, [date(2008, 10, 1 + n % 28)], host=authority)
        email = make_user(Role.COORDINATOR).email
        db.session.commit()
    signed_in(client, email)

    first = client.get("/reports/attendance-by-authority?from=2008-10-01&to=2008-10-31")
    html = first.get_data(as_text=True)
    next_page = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    second = client.get(next_page)

    table = next(rows for title, rows in tables_of(first).items() if title.startswith("Attended"))
    assert len(table) == 1 + 100 + 1 and table[-1] == ["Total Attended", str(AUTHORITIES)]
    assert "Rows 1 to 100 of 105" in html
    assert "from=2008-10-01" in next_page and "to=2008-10-31" in next_page
    rows = next(rows for title, rows in tables_of(second).items() if title.startswith("Attended"))[1:]
    assert [row[0] for row in rows] == [f"Authority {n:03d}" for n in range(101, 106)] + ["Total Attended"]
    assert rows[-1][1] == str(AUTHORITIES)
