"""Certificates of attendance (SPEC 3.5): finding one by number, who may download it, checking it publicly, and
the PDF itself.

The PDF is drawn with fpdf2 in DejaVu Sans (services/common/pdf.py says why), so any name prints as it is spelt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from ...extensions import db
from ...models import Booking, Certificate, Course, Practitioner, Role, TrainingRecord, TrainingSession, User
from ..accounts.scope import acts_for, is_staff, organisation_scope
from ..common.calendar import to_london
from ..common.pdf import FONT, new_pdf
from ..evaluation.evaluations import is_withheld, withheld_certificate_ids

MAX_NUMBER_LENGTH = 40


@dataclass(frozen=True)
class CertificateCheck:
    """What the public verification page says: only whether it is genuine and current, the name, course, date."""

    number: str
    genuine: bool
    current: bool
    name: str = ""
    course: str = ""
    completed_on: date | None = None
    revoked_at: datetime | None = None
    # Issued, but withheld until the practitioner's evaluation is in (SPEC 3.5).
    awaiting_evaluation: bool = False


def certificate_with_number(number: str) -> Certificate | None:
    """The certificate printed with exactly this number (with its record, person and course), or None."""
    if not 0 < len(number) <= MAX_NUMBER_LENGTH or "\x00" in number:
        return None
    query = (
        sa.select(Certificate)
        .options(
            joinedload(Certificate.training_record).joinedload(TrainingRecord.practitioner),
            joinedload(Certificate.training_record).joinedload(TrainingRecord.course),
        )
        .filter_by(number=number)
    )
    return db.session.execute(query).scalar_one_or_none()


def check_certificate(number: str) -> CertificateCheck:
    """Whether a number is a certificate this service issued and, if so, whether it still stands."""
    certificate = certificate_with_number(number)
    if certificate is None:
        return CertificateCheck(number, genuine=False, current=False)
    record = certificate.training_record
    if certificate.revoked_at is not None or record is None:
        return CertificateCheck(number, genuine=True, current=False, revoked_at=certificate.revoked_at)
    if is_withheld(certificate):
        return CertificateCheck(number, genuine=True, current=False, awaiting_evaluation=True)
    return CertificateCheck(
        number,
        genuine=True,
        current=True,
        name=record.practitioner.full_name,
        course=record.course.title,
        completed_on=record.completed_on,
    )


def can_download_certificate(user: User, certificate: Certificate) -> bool:
    """The practitioner themself (an account linked to them), their organisation's bookers, and coordinators; nobody
    while it is withheld for an evaluation (`is_withheld`, which the page says first)."""
    record = certificate.training_record
    if record is None or certificate.revoked_at is not None or is_withheld(certificate):
        return False
    if is_staff(user):
        return True
    if organisation_scope(user) is not None:
        return acts_for(user, record.practitioner.organisation_id)
    if user.role == Role.PRACTITIONER:
        return user.practitioner_id == record.practitioner_id
    return False


@dataclass(frozen=True)
class RecordRow:
    """One training record as the practitioner's training records page shows it."""

    id: int
    course_code: str
    course_title: str
    completed_on: date
    expires_on: date | None
    lead_days: int
    source: str
    source_note: str | None
    session_code: str | None
    certificate: str | None
    booking_id: int | None = None
    # The certificate waits for the practitioner's evaluation of the course (SPEC 3.5).
    withheld: bool = False


def training_records_of(practitioner: Practitioner) -> list[RecordRow]:
    """Every training record of the practitioner, latest first, with its session and certificate: one query."""
    query = (
        sa.select(
            TrainingRecord.id,
            Course.code,
            Course.title,
            TrainingRecord.completed_on,
            TrainingRecord.expires_on,
            Course.reminder_lead_days,
            TrainingRecord.source,
            TrainingRecord.source_note,
            TrainingSession.code,
            Certificate.number,
            Booking.id,
            Certificate.id,
        )
        .join(Course, Course.id == TrainingRecord.course_id)
        .outerjoin(Booking, Booking.id == TrainingRecord.booking_id)
        .outerjoin(TrainingSession, TrainingSession.id == Booking.session_id)
        .outerjoin(Certificate, Certificate.training_record_id == TrainingRecord.id)
        .where(TrainingRecord.practitioner_id == practitioner.id)
        .order_by(TrainingRecord.completed_on.desc(), Course.code)
    )
    rows = db.session.execute(query).all()
    withheld = withheld_certificate_ids([row[11] for row in rows if row[11] is not None])
    return [
        RecordRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6].value,
            row[7],
            row[8],
            row[9],
            row[10],
            withheld=row[11] in withheld,
        )
        for row in rows
    ]


def certificate_pdf(certificate: Certificate, verify_url: str) -> bytes:
    """The certificate of attendance as an A4 landscape PDF: name, course, date, number and where to check it."""
    record = certificate.training_record
    if record is None:
        raise ValueError(f"certificate {certificate.number} was revoked")
    pdf = new_pdf(f"Certificate of attendance {certificate.number}")
    pdf.set_author("Children's workforce training")
    pdf.set_creation_date(certificate.issued_at)
    pdf.add_page()
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(35)
    lines = [
        (FONT, "B", 30, "Certificate of attendance"),
        (FONT, "", 14, "This is to certify that"),
        (FONT, "B", 26, record.practitioner.full_name),
        (FONT, "", 14, "attended every day of"),
        (FONT, "B", 20, record.course.title),
        (FONT, "", 14, f"completed on {record.completed_on:%-d %B %Y}"),
    ]
    for family, style, size, text in lines:
        pdf.set_font(family, style, size)
        pdf.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
    if record.expires_on is not None:
        pdf.set_font(FONT, "", 12)
        pdf.cell(0, 8, f"Refresh by {record.expires_on:%-d %B %Y}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(pdf.h - 45)
    pdf.set_font(FONT, "", 11)
    issued = to_london(certificate.issued_at).date()
    footer = f"Certificate number {certificate.number}, issued {issued:%-d %B %Y}. Check it at {verify_url}"
    pdf.multi_cell(0, 6, footer, align="C")
    return bytes(pdf.output())
