"""`flask export attendance-by-authority`, `still-to-train`, `training-records` (SPEC 4.2), read with openpyxl."""

from __future__ import annotations

from datetime import date, datetime

import openpyxl
import pytest

from tests.factories import (
    group,
    make_authority,
    make_booking,
    make_course,
    make_mark,
    make_organisation,
    make_practitioner,
    make_record,
    make_session,
)
from training_app.cli import export as export_module
from training_app.exports.people_lists import RECORDS_HEADER
from training_app.extensions import db
from training_app.models import BookingStatus, MarkStatus, OrganisationKind, Pathway, PathwayCourse, Requirement


def export(app, kind, *args):
    return app.test_cli_runner().invoke(args=["export", kind, *args])


def rows_of(path, sheet=None):
    workbook = openpyxl.load_workbook(path)
    return [list(row) for row in workbook[sheet or workbook.sheetnames[0]].iter_rows(values_only=True)]


@pytest.fixture
def p(app_ctx):
    """Rutland and Leicestershire; CAF (required by group 3) and an awareness course; a GP practice (awareness-only)."""
    rutland = make_authority("RUTLAND", "Rutland", order=1)
    county = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    caf = make_course("CAF", counts_as_trained=True, title="CAF practitioner", validity_months=36)
    pathway = Pathway(group=group("3"), name="Group 3")
    pathway.steps = [PathwayCourse(course=caf, requirement=Requirement.REQUIRED, position=1)]
    db.session.add(pathway)
    school = make_organisation(county, name="=Beacon School")
    gp = make_organisation(county, kind=OrganisationKind.GP, awareness_only=True)
    return {"rutland": rutland, "county": county, "caf": caf, "school": school, "gp": gp, "group": group("3")}


def person(p, last, *authorities, organisation="school", email=None):
    return make_practitioner(
        p[organisation], [p[a] for a in authorities], email=email, last_name=last, first_name="Sam", group=p["group"]
    )


def test_attendance_by_authority_is_the_3_9_rows_with_numbers_as_numbers(app, p, tmp_path):
    session = make_session(p["caf"], days=(date(2008, 10, 1), date(2008, 10, 2)), host=p["county"], code="CAF-9")
    for authorities, status in [(("county",), MarkStatus.ATTENDED), (("county", "rutland"), MarkStatus.PARTIAL)]:
        booking = make_booking(session, person(p, "Ash", *authorities), BookingStatus.ATTENDED)
        make_mark(booking, session.days[1], status)
    db.session.commit()
    out = tmp_path / "attendance.xlsx"

    result = export(app, "attendance-by-authority", "--out", str(out), "--from", "2008-10-01", "--to", "2008-10-31")

    assert result.exit_code == 0, result.output
    assert rows_of(out) == [
        ["Authority", "Attended (01/10/2008 to 31/10/2008)"],
        ["Rutland", 0],
        ["Leicestershire", 1],
        ["Leicestershire and Rutland", 1],
        ["Total Attended", 2],
    ]
    by_session = tmp_path / "session.xlsx"
    assert export(app, "attendance-by-authority", "--out", str(by_session), "--session", "CAF-9").exit_code == 0
    assert rows_of(by_session)[0] == ["Authority", "Attended (session CAF-9, all dates)"]
    assert rows_of(by_session)[-1] == ["Total Attended", 2]


def test_still_to_train_lists_the_people_the_sheet_counts_with_their_set_of_authorities(app, p, tmp_path):
    person(p, "Trained", "county")
    make_record(person(p, "Late", "county", "rutland", email="late@example.org"), p["caf"], date(2008, 9, 1))
    make_record(person(p, "Trained", "county"), p["caf"], date(2008, 1, 1))
    person(p, "Doctor", "county", organisation="gp")  # awareness-only: never still to train
    db.session.commit()
    out = tmp_path / "still.xlsx"

    result = export(app, "still-to-train", "--out", str(out), "--as-of", "2008-08-31")

    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert rows[0][:3] == ["Last name", "First name", "Email"]
    assert [(row[0], row[4], row[5], row[7], row[8]) for row in rows[1:]] == [
        ("Late", "=Beacon School", "School", "3", "Leicestershire and Rutland"),
        ("Trained", "=Beacon School", "School", "3", "Leicestershire"),
    ]
    workbook = openpyxl.load_workbook(out)
    assert workbook.active["E2"].data_type == "s"  # a name starting '=' stays text
    later = tmp_path / "later.xlsx"
    assert export(app, "still-to-train", "--out", str(later), "--to", "2008-09-01").exit_code == 0
    assert [row[0] for row in rows_of(later)[1:]] == ["Trained"]


def test_training_records_in_a_period_with_dates_as_dates(app, p, tmp_path):
    ash = person(p, "Ash", "county", email="ash@example.org")
    make_record(ash, p["caf"], date(2008, 3, 1), expires_on=date(2011, 3, 1))
    make_record(ash, p["caf"], date(2007, 3, 1), expires_on=date(2010, 3, 1))
    make_record(person(p, "Birch", "rutland", email="birch@example.org"), p["caf"], date(2008, 6, 1), expires_on=None)
    db.session.commit()
    out = tmp_path / "records.xlsx"

    result = export(app, "training-records", "--out", str(out), "--from", "2008-01-01", "--to", "2008-12-31")

    assert result.exit_code == 0, result.output
    rows = rows_of(out)
    assert rows[0] == RECORDS_HEADER
    assert [(row[0], row[4], row[6], row[7]) for row in rows[1:]] == [
        ("ash@example.org", "CAF", datetime(2008, 3, 1), datetime(2011, 3, 1)),
        ("birch@example.org", "CAF", datetime(2008, 6, 1), None),
    ]


def test_a_progress_bar_shows_only_on_a_terminal(app, p, tmp_path, monkeypatch):
    make_record(person(p, "Ash", "county"), p["caf"], date(2008, 3, 1))
    db.session.commit()
    out = str(tmp_path / "records.xlsx")

    quiet = export(app, "training-records", "--out", out)
    monkeypatch.setattr(export_module, "is_terminal", lambda: True)
    shown = export(app, "training-records", "--out", out)

    assert quiet.output == f"wrote {out}\n"
    assert "Training records" in shown.output and shown.output.endswith(f"wrote {out}\n")


@pytest.mark.parametrize(
    ("kind", "args", "message"),
    [
        ("training-records", ["--from", "2008-02-01", "--to", "2008-01-01"], "must be on or before --to"),
        ("attendance-by-authority", ["--from", "2008-02-30"], "--from: '2008-02-30' is not a real date"),
        ("attendance-by-authority", ["--session", "NOPE"], "--session: there is no session with the code 'NOPE'"),
        ("still-to-train", ["--as-of", "2008-01-01", "--to", "2008-01-02"], "--as-of and --to name different dates"),
        ("still-to-train", ["--as-of", "9999-01-01"], "--as-of: 9999-01-01"),
    ],
)
def test_bad_options_are_refused_in_words_with_status_1(app, p, tmp_path, kind, args, message):
    result = export(app, kind, "--out", str(tmp_path / "x.xlsx"), *args)

    assert result.exit_code == 1
    assert message in result.output
    assert not (tmp_path / "x.xlsx").exists()
