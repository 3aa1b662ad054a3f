"""Every sheet of the trained-by-area workbook (SPEC 4.4) against counts worked out by hand for a small partnership
with joint-authority staff, a renewal, an awareness-only practice, a completion after the date and a cancelled session;
the chart is a native one, and a workforce lead's download keeps to their authorities."""

from __future__ import annotations

import zipfile
from datetime import date
from io import BytesIO

import openpyxl
import pytest
import xlsxwriter

from tests.factories import (
    group,
    make_area,
    make_authority,
    make_booking,
    make_course,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
    make_user,
)
from tests.web.helpers import signed_in
from training_app.exports.trained_by_area import MAX_CHART_BARS, SHEET, _add_chart
from training_app.extensions import db
from training_app.models import OrganisationKind, Pathway, PathwayCourse, Requirement, Role, SessionStatus
from training_app.services.reporting.counting import AreaRow


@pytest.fixture
def partnership(app):
    with app.app_context():
        rutland = make_authority("RUTLAND", "Rutland", order=1)
        county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
        city = make_authority("LEICESTER", "Leicester", order=3)
        notts = make_authority("NOTTINGHAM", "Nottingham", partner=False, order=4)
        caf = make_course("CAF", counts_as_trained=True, validity_months=36)
        aware = make_course("AWARE")
        for code, course in (("3", caf), ("6", aware)):
            pathway = Pathway(group=group(code), name=f"Pathway {code}")
            pathway.steps = [PathwayCourse(course=course, requirement=Requirement.REQUIRED, position=1)]
            db.session.add(pathway)
        melton = make_organisation(county, area=make_area(county, "Melton"))
        oakham = make_organisation(rutland, area=make_area(rutland, "Oakham"))
        clinic = make_organisation(city, kind=OrganisationKind.HEALTH)
        gp = make_organisation(county, kind=OrganisationKind.GP, awareness_only=True)

        def person(organisation, authorities, code="3", *completions):
            practitioner = make_practitioner(organisation, authorities, group=group(code))
            for on in completions:
                make_record(practitioner, caf, on)

        person(melton, [county], "3", date(2008, 1, 1))  # A: trained
        person(melton, [county, city], "3", date(2007, 1, 1), date(2008, 5, 1))  # B: renewed, counted once
        person(oakham, [rutland], "3", date(2008, 9, 1))  # C: trained after the date: still to train
        person(gp, [county], "3")  # D: awareness-only: never still to train
        person(clinic, [city], "6")  # E: group 6 need not take CAF
        person(clinic, [city, notts], "3", date(2008, 2, 1))  # F: trained, a partner and another authority
        person(oakham, [rutland, county], "3")  # G: still to train
        coming = make_session(caf, days=(date(2008, 10, 1),), capacity=10, host=county)
        for _ in range(2):
            make_booking(coming, make_practitioner(melton, [county]))
        make_session(caf, days=(date(2008, 11, 1),), capacity=20, host=county, status=SessionStatus.CANCELLED)
        make_session(caf, days=(date(2009, 3, 1),), capacity=15, host=county)
        lead = make_user(Role.WORKFORCE_LEAD, authorities=[rutland]).email
        db.session.commit()
    return {"lead": lead}


def sheets(content) -> dict[str, list[list]]:
    workbook = openpyxl.load_workbook(BytesIO(content))
    return {name: [list(row) for row in workbook[name].iter_rows(values_only=True)] for name in workbook.sheetnames}


def test_every_sheet_holds_the_hand_worked_counts(app, partnership, tmp_path):
    out = tmp_path / "trained.xlsx"
    args = ["export", "trained-by-area", "--as-of", "2008-08-31", "--out", str(out)]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output

    book = sheets(out.read_bytes())

    assert list(book) == ["By authority", "By area", "By group", "By organisation kind", "Still to train"]
    assert book["By authority"] == [
        ["Authority", "Staff trained to 31/08/2008", "Spaces to end 2008", "Spaces planned 2009"],
        ["Rutland", 0, 0, 0],
        ["Leicestershire", 1, 8, 15],
        ["Leicester", 0, 0, 0],
        ["Leicester and Leicestershire", 1, None, None],
        ["Leicester and Nottingham", 1, None, None],
        ["Total Number Trained", 3, None, None],
    ]
    assert book["By area"][1:] == [["Leicestershire", "Melton", 2], ["Leicester", "No area", 1]]
    by_group = {row[0]: (row[2], row[3]) for row in book["By group"][1:]}
    no_group = {"": (0, 2)}  # the two booked on the coming session have no group
    assert by_group == {str(code): (0, 0) for code in range(1, 9)} | {"3": (3, 2), "6": (0, 1)} | no_group
    by_kind = {row[0]: (row[1], row[2]) for row in book["By organisation kind"][1:]}
    assert (by_kind["School"], by_kind["Health"], by_kind["GP"], by_kind["Police"]) == ((2, 6), (1, 2), (0, 1), (0, 0))
    assert book["Still to train"] == [
        ["Authority", "Still to train at 31/08/2008"],
        ["Rutland", 1],
        ["Leicestershire", 0],
        ["Leicester", 0],
        ["Leicestershire and Rutland", 1],
        ["Total Still to Train", 2],
    ]
    with zipfile.ZipFile(out) as archive:
        charts = [name for name in archive.namelist() if name.startswith("xl/charts/chart")]
        assert charts, "no native chart"
        chart = archive.read(charts[0]).decode()
    # the chart plots every row but the total (rows 2-6)
    assert "<c:f>'By authority'!$A$2:$A$6</c:f>" in chart
    assert "<c:f>'By authority'!$B$2:$B$6</c:f>" in chart


def test_a_national_table_is_charted_by_its_single_partner_rows(tmp_path):
    rows = [AreaRow(f"Partner {n}", n, 0, 0) for n in range(3)]
    rows += [AreaRow(f"Combination {n}", 1) for n in range(MAX_CHART_BARS)] + [AreaRow("Total Number Trained", 99)]
    out = tmp_path / "chart.xlsx"
    workbook = xlsxwriter.Workbook(str(out))
    _add_chart(workbook, workbook.add_worksheet(SHEET), rows, "Staff trained")
    workbook.close()
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("xl/charts/chart1.xml").decode()
    assert "<c:f>'By authority'!$A$2:$A$4</c:f>" in chart and "<c:f>'By authority'!$B$2:$B$4</c:f>" in chart


def test_a_later_date_moves_the_late_completion_into_trained(app, partnership, tmp_path):
    out = tmp_path / "later.xlsx"
    app.test_cli_runner().invoke(args=["export", "trained-by-area", "--as-of", "2008-09-30", "--out", str(out)])

    book = sheets(out.read_bytes())

    assert book["By authority"][1] == ["Rutland", 1, 0, 0]
    assert book["Still to train"][-1] == ["Total Still to Train", 1]


def test_a_workforce_leads_download_keeps_to_their_authorities(app, client, partnership):
    signed_in(client, partnership["lead"])

    response = client.get("/reports/trained-by-area.xlsx?as_of=2008-08-31")

    book = sheets(response.data)
    assert book["By authority"][1:] == [["Rutland", 0, 0, 0], ["Total Number Trained", 0, None, None]]
    assert book["Still to train"][1:] == [
        ["Rutland", 1],
        ["Leicestershire and Rutland", 1],
        ["Total Still to Train", 2],
    ]
