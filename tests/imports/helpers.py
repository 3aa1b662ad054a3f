"""Helpers for the import tests: files on disk, the CLI, reference data and a picture of the database."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa

from tests.conftest import Statements
from tests.factories import (
    make_area,
    make_authority,
    make_booking,  # noqa: F401 (re-exported for the tests here)
    make_course,
    make_organisation,
    make_practitioner,
    make_session,
)
from training_app.extensions import db
from training_app.imports import ImportResult, import_csv
from training_app.models import AttendanceMark, Booking, MarkStatus


def csv_text(*lines: str) -> str:
    """Lines joined as a CSV file (the first is the header, line 1)."""
    return "\n".join(lines) + "\n"


def write_csv(tmp_path: Path, text: str | bytes, name: str = "import.csv") -> Path:
    """Write the file the way a user would save it, and return its path."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run_import(kind: str, *lines: str) -> ImportResult:
    """Import a file given as lines through the service."""
    return import_csv(kind, csv_text(*lines).encode())


def run_cli(app, tmp_path: Path, kind: str, text: str | bytes):
    """`flask import KIND FILE` on a file written to tmp_path."""
    path = write_csv(tmp_path, text)
    return app.test_cli_runner().invoke(args=["import", kind, str(path)])


def table_counts() -> dict[str, int]:
    """How many rows every table holds: equal before and after means nothing was written."""
    db.session.expire_all()
    return {
        table.name: db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for table in db.metadata.sorted_tables
    }


def mark(booking: Booking, day, status=MarkStatus.ATTENDED) -> AttendanceMark:
    """A register mark for one day."""
    attendance = AttendanceMark(booking_id=booking.id, session_day_id=day.id, status=status)
    db.session.add(attendance)
    db.session.flush()
    return attendance


def partnership() -> dict:
    """Two partner authorities with areas, an organisation in each, and two courses; committed."""
    shire = make_authority("LEICESTERSHIRE", "Leicestershire", order=2)
    city = make_authority("LEICESTER", "Leicester City", order=1)
    rutland = make_authority("RUTLAND", "Rutland", order=3)
    charnwood = make_area(shire, "Charnwood")
    make_area(shire, "Melton")
    make_area(city, "City North")
    school = make_organisation(shire, code="SCH1", name="Brook Primary", area=charnwood)
    make_organisation(city, code="HLT1", name="City Health Centre")
    awareness = make_course("AWA", title="Awareness")
    caf = make_course("CAF", title="CAF practitioner", validity_months=36, counts_as_trained=True)
    db.session.commit()
    return {"shire": shire, "city": city, "rutland": rutland, "school": school, "awareness": awareness, "caf": caf}


def batch_statements(statements: Statements) -> int:
    """The statements (from the count_statements fixture) to compare between batch sizes: the same count for 10
    rows and 100 means no query per row.

    SQLite cannot return the ids of a multi-row INSERT in order, so there SQLAlchemy inserts new rows one
    statement each; there only the lookups (SELECTs) are counted. PostgreSQL batches the inserts too.
    """
    if db.engine.dialect.name == "sqlite":
        return len(statements.starting("SELECT"))
    return len(statements)


def sample_world() -> dict:
    """The partnership plus a practitioner and a session, so a sample row of every kind refers to real records."""
    places = partnership()
    make_practitioner(places["school"], [places["shire"]], email="pat@example.org")
    make_session(places["caf"], days=(date(2008, 10, 1),), capacity=20, host=places["city"], code="S1")
    db.session.commit()
    return places


# One valid row of each kind, given sample_world(); a kind added to READERS needs a row here (a test says so).
SAMPLE_ROWS: dict[str, dict[str, str]] = {
    "authorities": {"code": "NOTTINGHAM", "name": "Nottingham", "partner": "no", "display_order": "4"},
    "areas": {"authority": "LEICESTER", "name": "City South"},
    "organisations": {
        "code": "SCH2",
        "name": "Hill School",
        "kind": "school",
        "authority": "LEICESTERSHIRE",
        "area": "Melton",
        "urn": "120001",
        "phase": "Primary",
        "pupils": "210",
        "awareness_only": "no",
    },
    "practitioners": {
        "email": "sam@example.org",
        "first_name": "Sam",
        "last_name": "Smith",
        "job_title": "Teacher",
        "organisation": "SCH1",
        "group": "3",
        "authorities": "LEICESTERSHIRE;LEICESTER",
        "cover_category": "teacher",
    },
    "courses": {
        "code": "CAF2",
        "title": "CAF refresher",
        "kind": "caf_practitioner",
        "validity_months": "36",
        "counts_as_trained": "yes",
        "prerequisites": "CAF",
    },
    "sessions": {
        "code": "S2",
        "course": "CAF",
        "date": "2008-11-05",
        "start": "09:30",
        "end": "16:00",
        "venue": "County Hall",
        "capacity": "20",
        "host_authority": "LEICESTER",
        "host_area": "City North",
        "status": "scheduled",
    },
    "pathways": {"group": "3", "course": "CAF", "requirement": "required", "position": "1"},
    "bookings": {"session": "S1", "practitioner": "pat@example.org", "status": "booked"},
    "training-records": {"practitioner": "pat@example.org", "course": "CAF", "completed_on": "2007-06-01"},
    "awareness-sign-offs": {
        "service": "Probation Service",
        "sector": "probation",
        "authorities": "LEICESTER;LEICESTERSHIRE;RUTLAND",
        "contact_name": "Martin Curran",
        "contact_role": "Assistant Chief Officer",
        "package": "Leicestershire Awareness Package",
        "version": "2007.1",
        "completed_on": "2007-10",
        "signed_off_by": "Bridges Training Coordinator",
        "notes": "Appendix B",
    },
    "presentations": {
        "date": "2007-03-14",
        "audience": "Staff meeting: Brook Primary",
        "sector": "school",
        "area": "Charnwood",
        "presenter": "Helen Ward",
        "headcount": "18",
    },
}


def sample_file(kind: str, **cells: str) -> str:
    """A one-row file of the kind: its sample row with some cells replaced."""
    row = SAMPLE_ROWS[kind] | cells
    return csv_text(",".join(row), ",".join(_quoted(value) for value in row.values()))


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\r\n') else value
