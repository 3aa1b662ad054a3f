"""The evaluations workbook (SPEC 3.5, `flask export evaluations`): a sheet per course with completions in the
period, its ratings' means and counts charted, yes/no counts, comments with who wrote them."""

from __future__ import annotations

from datetime import timedelta

import openpyxl
import pytest

from tests.factories import make_booking, make_course, make_practitioner, make_session, make_user
from training_app.extensions import db
from training_app.models import BookingStatus, QuestionKind, Role
from training_app.services.attendance.records import record_completions
from training_app.services.common.calendar import london_today
from training_app.services.evaluation.evaluation_forms import current_questions
from training_app.services.evaluation.evaluations import give_evaluation


@pytest.fixture
def evaluated(app_ctx):
    yesterday = london_today() - timedelta(days=1)
    for code, rating in (("CAF", "5"), ("LP/2", "2")):
        course = make_course(code=code, title=f"{code} course")
        session = make_session(course=course, days=(yesterday,))
        person = make_practitioner(first_name="Ann", last_name=f"Able{rating}")
        booking = make_booking(session, person, BookingStatus.ATTENDED)
        other = make_booking(session, make_practitioner(), BookingStatus.ATTENDED)
        user = make_user(Role.PRACTITIONER, practitioner=person)
        db.session.commit()
        record_completions([booking, other])
        db.session.commit()
        values = {QuestionKind.RATING: rating, QuestionKind.YES_NO: "yes", QuestionKind.TEXT: f"Said {rating}"}
        give_evaluation(booking.id, {q.id: values[q.kind] for q in current_questions(course.id)}, user)


def test_the_workbook_has_a_sheet_per_course_with_figures_a_chart_and_comments(app, evaluated, tmp_path):
    out = tmp_path / "evaluations.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "evaluations", "--out", str(out)])
    assert result.exit_code == 0, result.output

    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["CAF", "LP-2"]
    rows = list(workbook["CAF"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Question", "Answers", "Mean", "1")
    assert rows[1][:3] == ("How useful was the course to your work?", 1, 5) and rows[1][7] == 1
    assert rows[4][:2] == ("Would you recommend the course to a colleague?", 1) and rows[4][8:10] == (1, 0)
    assert any(row[:2] == ("Said 5", "Ann Able5") for row in rows)
    assert any(row[:2] == ("Completed", 2) for row in rows) and any(row[:2] == ("Evaluations given", 1) for row in rows)
    assert any(row[:2] == ("Response rate (of those asked)", 0.5) for row in rows)
    assert len(workbook["CAF"]._charts) == 1


def test_a_period_without_completions_says_so(app, evaluated, tmp_path):
    out = tmp_path / "later.xlsx"
    later = (london_today() + timedelta(days=1)).isoformat()
    result = app.test_cli_runner().invoke(args=["export", "evaluations", "--out", str(out), "--from", later])
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == ["Evaluations"]
    assert workbook["Evaluations"]["A1"].value == "No course was completed in this period."


def test_bad_dates_are_refused_in_the_command_lines_words(app, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "evaluations", "--out", str(tmp_path / "e.xlsx"), "--from", "2026-13-01"]
    )
    assert result.exit_code != 0 and "--from" in result.output
