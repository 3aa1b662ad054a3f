"""The evaluations workbook (SPEC 3.5): a sheet per course with completions in the period, holding its response
rate (of those asked), each rating question's mean and counts of 1-5 (charted beside), yes/no counts, and the
comments with who wrote them (the workbook is for coordinators)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from ..extensions import db
from ..models import Booking, BookingStatus, Course, QuestionKind, TrainingSession
from ..services.evaluation.evaluation_results import RATINGS, course_results
from .xlsx import hardened_workbook

HEADER = ["Question", "Answers", "Mean", *RATINGS, "Yes", "No"]
UNSAFE_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\']")


def courses_with_completions(start: date | None, end: date | None) -> list[Course]:
    """Courses with a booking completed on a session ending in the period, by code."""
    sessions = sa.select(TrainingSession.id)
    if start is not None:
        sessions = sessions.where(TrainingSession.ends_on >= start)
    if end is not None:
        sessions = sessions.where(TrainingSession.ends_on <= end)
    completed = sa.select(Booking.course_id).where(
        Booking.status == BookingStatus.ATTENDED, Booking.session_id.in_(sessions)
    )
    return list(db.session.scalars(sa.select(Course).where(Course.id.in_(completed)).order_by(Course.code)))


def write_evaluations(path: str | Path, start: date | None = None, end: date | None = None) -> int:
    """Write the workbook; returns how many course sheets it holds (a sheet says so when there are none)."""
    workbook = hardened_workbook(path)
    try:
        bold = workbook.add_format({"bold": True})
        mean = workbook.add_format({"num_format": "0.00"})
        percent = workbook.add_format({"num_format": "0%"})
        courses = courses_with_completions(start, end)
        if not courses:
            workbook.add_worksheet("Evaluations").write_string(0, 0, "No course was completed in this period.")
        used: set[str] = set()
        for course in courses:
            name = _sheet_name(course.code, used)
            sheet = workbook.add_worksheet(name)
            results = course_results(course.id, start, end, with_names=True)
            sheet.write_row(0, 0, HEADER, bold)
            sheet.freeze_panes(1, 0)
            row = 1
            ratings: list[int] = []
            comments: list[tuple[str, str | None, str]] = []
            for question in results.questions:
                text = question.text + (" (no longer asked)" if question.retired else "")
                if question.kind == QuestionKind.TEXT:
                    comments += [(text, who, said) for who, said in question.comments]
                    continue
                sheet.write_string(row, 0, text)
                sheet.write_number(row, 1, question.answers)
                if question.kind == QuestionKind.RATING:
                    if question.mean is not None:
                        sheet.write_number(row, 2, question.mean, mean)
                    for offset, rating in enumerate(RATINGS):
                        sheet.write_number(row, 3 + offset, question.counts.get(rating, 0))
                    ratings.append(row)
                else:
                    sheet.write_number(row, 8, question.counts.get("yes", 0))
                    sheet.write_number(row, 9, question.counts.get("no", 0))
                row += 1
            row += 1
            sheet.write_string(row, 0, f"{course.title} ({course.code})", bold)
            sheet.write_string(row + 1, 0, "Completed")
            sheet.write_number(row + 1, 1, results.completed)
            sheet.write_string(row + 2, 0, "Asked to evaluate")
            sheet.write_number(row + 2, 1, results.asked)
            sheet.write_string(row + 3, 0, "Evaluations given")
            sheet.write_number(row + 3, 1, results.responses)
            sheet.write_string(row + 4, 0, "Response rate (of those asked)")
            if results.asked:
                sheet.write_number(row + 4, 1, results.responses / results.asked, percent)
            row += 6
            if comments:
                sheet.write_row(row, 0, ["Comment", "Written by", "Question"], bold)
                for question_text, who, said in comments:
                    row += 1
                    sheet.write_row(row, 0, [said, who or "", question_text])
                row += 2
            if ratings:
                _chart(workbook, sheet, name, ratings, row)
    finally:
        workbook.close()
    return len(courses)


def _chart(workbook, sheet, name: str, rows: list[int], at_row: int) -> None:
    """A stacked bar per rating question: how many people gave 1, 2, 3, 4 and 5."""
    chart = workbook.add_chart({"type": "bar", "subtype": "stacked"})
    for offset, rating in enumerate(RATINGS):
        chart.add_series(
            {
                "name": f"Rating {rating}",
                "categories": [name, rows[0], 0, rows[-1], 0],
                "values": [name, rows[0], 3 + offset, rows[-1], 3 + offset],
            }
        )
    chart.set_title({"name": "Ratings given"})
    chart.set_size({"width": 720, "height": 80 + 50 * len(rows)})
    sheet.insert_chart(at_row, 0, chart)


def _sheet_name(code: str, used: set[str]) -> str:
    """The course code as a sheet name Excel accepts (31 characters, none of []:*?/\\'), unique in the workbook."""
    base = UNSAFE_IN_SHEET_NAMES.sub("-", code)[:31] or "Course"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
