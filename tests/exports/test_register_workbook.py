"""A session's register as a workbook, from the page and from `flask export register`: marks per day, hardened."""

from __future__ import annotations

from datetime import date, time

import openpyxl
import pytest

from tests.factories import make_booking, make_mark, make_organisation, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import MarkStatus


@pytest.fixture
def session_marked(app_ctx):
    """Two days; Ann attended both, Zed (a walk-in, whose note looks like a formula) partial on the first."""
    session = make_session(code="REG-X", days=(date(2026, 3, 2), date(2026, 3, 3)))
    oak = make_organisation(name="Oak School")
    ann = make_booking(session, make_practitioner(oak, email="ann@example.org", first_name="Ann", last_name="Able"))
    zed = make_booking(session, make_practitioner(oak, email="zed@example.org", first_name="Zed", last_name="Zim"))
    zed.walk_in = True
    for day in session.days:
        make_mark(ann, day)
    partial = make_mark(zed, session.days[0], MarkStatus.PARTIAL)
    partial.noted_time, partial.notes = time(11, 0), '=HYPERLINK("http://x")'
    db.session.commit()
    return session


def test_flask_export_register_writes_each_persons_marks(app, session_marked, tmp_path):
    out = tmp_path / "register.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "register", "--session", "REG-X", "--out", str(out)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(out)["Register"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == [
        "Name", "Email", "Organisation", "Booking", "Walk-in",
        "02/03/2026 mark", "02/03/2026 time", "02/03/2026 notes",
        "03/03/2026 mark", "03/03/2026 time", "03/03/2026 notes",
    ]  # fmt: skip
    assert rows[1] == [
        "Ann Able",
        "ann@example.org",
        "Oak School",
        "Booked",
        "no",
        "attended",
        None,
        None,
        "attended",
        None,
        None,
    ]
    assert rows[2][:8] == [
        "Zed Zim",
        "zed@example.org",
        "Oak School",
        "Booked",
        "yes",
        "partial",
        "11:00",
        '=HYPERLINK("http://x")',
    ]
    assert sheet.cell(3, 8).data_type == "s"  # text, never a formula


def test_an_unknown_session_is_refused_in_words(app, app_ctx, tmp_path):
    result = app.test_cli_runner().invoke(
        args=["export", "register", "--session", "NOPE", "--out", str(tmp_path / "r.xlsx")]
    )
    assert result.exit_code != 0 and "there is no session with code 'NOPE'" in result.output
