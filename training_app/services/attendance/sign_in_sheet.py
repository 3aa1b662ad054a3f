"""The sign-in sheet of a session as a PDF (SPEC 3.5): the names, a column per day to sign, blank rows for
walk-ins; for the session's trainers and coordinators, a last page of the access and dietary needs people gave
(SPEC 3.4, apart from the sheet that goes round the room). Drawn with fpdf2 in DejaVu Sans, as the certificates are
(services/common/pdf.py)."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF

from ...models import Practitioner, TrainingSession
from ..booking.booking_needs import NeedsRow
from ..common.calendar import to_london
from ..common.pdf import FONT, new_pdf

NAME_WIDTH = 80
ORGANISATION_WIDTH = 60
ROW_HEIGHT = 9
LINE_HEIGHT = 5  # an organisation's name wraps within its cell, a line at a time


def sign_in_sheet_pdf(
    session: TrainingSession,
    people: Sequence[Practitioner],
    blank_rows: int,
    needs: Sequence[NeedsRow] | None = None,
) -> bytes:
    """An A4 landscape sheet: a header naming the session, then one row per person and `blank_rows` empty ones;
    every page starts with the session's title and the header row. `needs` (given only where
    booking_needs.may_see_needs allows) adds a page of them after the sheet."""
    pdf = new_pdf(f"Sign-in sheet {session.code}")
    pdf.set_auto_page_break(auto=True, margin=15)
    day_width = (pdf.w - pdf.l_margin - pdf.r_margin - NAME_WIDTH - ORGANISATION_WIDTH) / max(1, len(session.days))
    _new_page(pdf, session, day_width)
    for person in people:
        organisation = person.organisation.name if person.organisation is not None else ""
        _row(pdf, session, person.full_name, organisation, day_width)
    for _ in range(blank_rows):
        _row(pdf, session, "", "", day_width)
    if needs is not None:
        _needs_pages(pdf, session, needs)
    return bytes(pdf.output())


def _needs_pages(pdf: FPDF, session: TrainingSession, needs: Sequence[NeedsRow]) -> None:
    """The needs on pages of their own, so the sheet passed round the room does not carry them."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.multi_cell(0, 8, f"Needs: {session.course.title} ({session.code})", align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 10)
    note = "For the trainers only: keep this page apart from the sign-in sheet."
    pdf.multi_cell(0, 6, note, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not needs:
        pdf.multi_cell(
            0, 6, "Nobody on this session has given any access or dietary needs.", new_x="LMARGIN", new_y="NEXT"
        )
    for row in needs:
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, row.name, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FONT, "", 10)
        for label, text in (("Access needs", row.access), ("Dietary needs", row.dietary)):
            pdf.multi_cell(0, 5, f"{label}: {text or 'none given'}", align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)


def _new_page(pdf: FPDF, session: TrainingSession, day_width: float) -> None:
    """A page that starts as the first does: the title, the venue and the header row."""
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    title = f"Sign-in sheet: {session.course.title} ({session.code})"
    pdf.multi_cell(0, 8, title, align="L", new_x="LMARGIN", new_y="NEXT")  # a long title wraps
    pdf.set_font(FONT, "", 11)
    venue = session.venue.name if session.venue is not None else "Venue to be confirmed"
    pdf.cell(0, 7, venue, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    _header(pdf, session, day_width)
    pdf.set_font(FONT, "", 10)


def _header(pdf: FPDF, session: TrainingSession, day_width: float) -> None:
    pdf.set_font(FONT, "B", 10)
    pdf.cell(NAME_WIDTH, ROW_HEIGHT, "Name", border=1)
    pdf.cell(ORGANISATION_WIDTH, ROW_HEIGHT, "Organisation", border=1)
    for day in session.days:
        start = to_london(day.starts_at)
        pdf.cell(day_width, ROW_HEIGHT, f"{day.date:%a %-d %b} {start:%H:%M}: signature", border=1)
    pdf.ln(ROW_HEIGHT)


def _row(pdf: FPDF, session: TrainingSession, name: str, organisation: str, day_width: float) -> None:
    """One person's row, as tall as their organisation's name needs; on a new page if it would not fit."""
    wrapped = pdf.multi_cell(ORGANISATION_WIDTH, LINE_HEIGHT, organisation, align="L", dry_run=True, output="LINES")
    lines = len(wrapped) if isinstance(wrapped, list) else 1
    height = max(ROW_HEIGHT, lines * LINE_HEIGHT + 2)
    if pdf.will_page_break(height):
        _new_page(pdf, session, day_width)
    top = pdf.get_y()
    pdf.cell(NAME_WIDTH, height, _fitted(pdf, name, NAME_WIDTH), border=1)
    left = pdf.get_x()
    pdf.rect(left, top, ORGANISATION_WIDTH, height)
    pdf.set_y(top + (height - lines * LINE_HEIGHT) / 2)
    pdf.set_x(left)
    pdf.multi_cell(ORGANISATION_WIDTH, LINE_HEIGHT, organisation, align="L", new_x="RIGHT", new_y="TOP")
    pdf.set_xy(left + ORGANISATION_WIDTH, top)
    for _ in session.days:
        pdf.cell(day_width, height, "", border=1)
    pdf.ln(height)


def _fitted(pdf: FPDF, text: str, width: float) -> str:
    """The text, shortened with an ellipsis if it would not fit the cell (its padding left either side)."""
    room = width - 2 * pdf.c_margin
    if pdf.get_string_width(text) <= room:
        return text
    while text and pdf.get_string_width(text + "…") > room:
        text = text[:-1]
    return text.rstrip() + "…"
