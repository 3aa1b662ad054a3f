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


def _fonts(pdf: bytes) -> set[str]:
    """The names of the fonts embedded in the document (without their subset tags)."""
    fonts = (
        font.get_object() for page in PdfReader(io.BytesIO(pdf)).pages for font in page["/Resources"]["/Font"].values()
    )
    return {str(font["/BaseFont"]).split("+")[-1] for font in fonts}


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

    pdf = sign_in_sheet_pdf(session, people, blank_rows=3)
    text = _text(pdf)

    assert "Zoë Ó Súilleabháin" in text and "Şişli" in text
    assert "Αλέξανδρος Παπαδόπουλος-Κωνσταντ" in text and "…" in text  # the long name cut at its cell
    assert "Mon 2 Mar" in text and "Tue 3 Mar" in text
    assert "DroidSansFallback" not in _fonts(pdf)  # read (a second or more) only for a character DejaVu Sans lacks


CJK_NAMES = (("王", "小明"), ("山田", "太郎"), ("김", "민준"))


def test_a_certificate_prints_chinese_japanese_and_korean_names_as_they_are_spelt(app_ctx):
    for first_name, last_name in CJK_NAMES:
        record = make_record(
            make_practitioner(first_name=first_name, last_name=last_name), make_course(), date(2026, 3, 3)
        )
        certificate = Certificate(training_record=record, number=f"CERT-{record.id:06d}-ABCDEF")
        db.session.add(certificate)
        db.session.flush()

        pdf = certificate_pdf(certificate, f"https://example.org/certificates/{certificate.number}")

        text = _text(pdf)
        assert f"{first_name} {last_name}".replace(" ", "") in text.replace(" ", "")
        assert "attended every day of" in text and "3 March 2026" in text
        assert len(pdf) < 100_000  # the fallback font is embedded as the few glyphs used, not its 3 MB


def test_a_sign_in_sheet_prints_chinese_japanese_and_korean_names_as_they_are_spelt(app_ctx):
    session = make_session(days=(date(2026, 3, 2),))
    school = make_organisation(name="Oakfield Primary")
    people = [make_practitioner(school, first_name=first, last_name=last) for first, last in CJK_NAMES * 8]
    people.append(make_practitioner(school, first_name="Łukasz", last_name="Wiśniewski"))

    pdf = sign_in_sheet_pdf(session, people, blank_rows=0)

    text = _text(pdf).replace(" ", "")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2
    assert text.count("王小明") == text.count("山田太郎") == text.count("김민준") == 8
    # the text after a name in the fallback font is still drawn in DejaVu Sans, not in garbled glyphs
    assert text.count("OakfieldPrimary") == 25 and "ŁukaszWiśniewski" in text
    assert "DroidSansFallback" in _fonts(pdf)
    assert len(pdf) < 100_000


def test_a_sign_in_sheets_later_pages_repeat_its_title_and_header_and_organisations_print_whole(app_ctx):
    session = make_session(code="SIGN-2", days=(date(2026, 3, 2), date(2026, 3, 3)))
    school = make_organisation(name="St Bartholomew's Church of England Voluntary Aided Primary Academy and Nursery")
    people = [make_practitioner(school, first_name="Pat", last_name=f"Person{n:02}") for n in range(24)]

    pdf = sign_in_sheet_pdf(session, people, blank_rows=5)

    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) >= 2
    for page in pages:
        assert f"Sign-in sheet: {session.course.title} (SIGN-2)" in page
        assert "Name Organisation Mon 2 Mar" in page and "Tue 3 Mar" in page
    assert "Pat Person23" in pages[-1]
    text = " ".join(pages)
    assert text.count("St Bartholomew's Church of England Voluntary Aided Primary Academy and Nursery") == 24
    assert "…" not in text
