"""Certificates and sign-in sheets print names as they are spelt, whatever the alphabet (services/common/pdf.py)."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from tests.factories import make_course, make_organisation, make_practitioner, make_record, make_session
from training_app.extensions import db
from training_app.models import Certificate
from training_app.services.attendance.certificates import certificate_pdf
from training_app.services.attendance.sign_in_sheet import sign_in_sheet_pdf


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_a_certificate_prints_a_name_outside_windows_1252_as_it_is_spelt(app_ctx):
    person = make_practitioner(first_name="Łukasz", last_name="Wiśniewski-Nguyễn")
    course = make_course(title="Praca z rodziną: Ψυχολογία і сім'я")
    record = make_record(person, course, date(2026, 3, 3), expires_on=date(2029, 3, 3))
    certificate = Certificate(training_record=record, number="CERT-000001-ABCDEF")
    db.session.add(certificate)
    db.session.flush()

    text = _text(certificate_pdf(certificate, "https://example.org/certificates/CERT-000001-ABCDEF"))

    assert "Łukasz Wiśniewski-Nguyễn" in text
    assert "Praca z rodziną: Ψυχολογία і сім'я" in text
    assert "?" not in text.replace("Check it at", "")
    assert "3 March 2026" in text and "CERT-000001-ABCDEF" in text


def test_a_sign_in_sheet_prints_every_name_and_shortens_what_would_not_fit_its_cell(app_ctx):
    session = make_session(days=(date(2026, 3, 2), date(2026, 3, 3)))
    people = [
        make_practitioner(first_name="Zoë", last_name="Ó Súilleabháin", organisation=make_organisation(name="Şişli")),
        make_practitioner(first_name="Αλέξανδρος", last_name="Παπαδόπουλος-" + "Κωνσταντινίδης" * 3),
    ]

    text = _text(sign_in_sheet_pdf(session, people, blank_rows=3))

    assert "Zoë Ó Súilleabháin" in text and "Şişli" in text
    assert "Αλέξανδρος Παπαδόπουλος-Κωνσταντ" in text and "…" in text  # the long name cut at its cell
    assert "Mon 2 Mar" in text and "Tue 3 Mar" in text
