"""The live programme's supply cover (SPEC 5): a fund for the load day's financial year, and from last month's
attended days of school teachers and teaching assistants a claim waiting for finance and a paid one.

The booker's school keeps its 2007-08 draft from the history, long past that fund's deadline (30 April 2008); finance
have extended the school's deadline to the end of next month (through the service, audited), so the booker still has
a claim to finish and submit and the fund's page shows an extension.

Last month's attended days come from the registers slice when it has marked them; until it has, this module makes
its own small set (`own_last_month_plans`: two sessions of school staff, a half day and a day), clearly apart.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from training_app.extensions import db
from training_app.models import (
    DEFAULT_RATES_PENCE,
    Claim,
    ClaimCategory,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    Fund,
    Organisation,
    RateCard,
    User,
)
from training_app.services.claims.deadlines import grant_extension
from training_app.services.claims.funds import cover_unit, get_fund

from .common import Demo, insert_rows, next_working_day
from .funds import BOOKER_SCHOOL_INDEX, FINANCIAL_YEAR, claim_schools
from .names import AREAS
from .sessions import AttendedDay, SessionPlan, write_sessions

LIVE_FUND_PENCE = 6_000_000  # £60,000
STAFF_PER_SCHOOL = 3
EXTENSION_REASON = (
    "Supply invoices for the 2007 autumn term turned up when the school archived its records; finance agreed to take "
    "the draft claim late."
)
OWN_SESSIONS = (  # course, London start and end on a day of last month: a half day, then a day
    ("AWARE-PLUS", 8, time(9, 30), time(12, 30)),
    ("LP", 15, time(9, 30), time(16, 0)),
)


def financial_year_of(day: date) -> int:
    """The financial year a day falls in: 2026 for 1 April 2026 to 31 March 2027."""
    return day.year if day.month >= 4 else day.year - 1


def last_month(today: date) -> tuple[date, date]:
    """The first and last day of the month before today's."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def seed_live_claims(demo: Demo, today: date) -> int:
    """The fund(s) and two claims (submitted, paid) from last month's attended days; returns the claims made."""
    first, last = last_month(today)
    # The claim schools of the 2007-08 history, ranked before this module adds any attendance.
    schools = [school for school, _ in claim_schools(demo)]
    days = _school_days(demo, first, last)
    if not days:
        write_sessions(demo, own_last_month_plans(demo, first, schools))
        days = _school_days(demo, first, last)
    years = {financial_year_of(today)} | {financial_year_of(day.day) for day in days}
    fund_ids = {year: _fund(year) for year in sorted(years)}
    by_school: dict[int, list[AttendedDay]] = defaultdict(list)
    for day in days:
        by_school[day.person.organisation.id].append(day)
    booker_school = schools[BOOKER_SCHOOL_INDEX]
    ranked = sorted(by_school, key=lambda school_id: (school_id != booker_school.id, -len(by_school[school_id])))
    made = 0
    for school_id, status in zip(ranked, (ClaimStatus.SUBMITTED, ClaimStatus.PAID), strict=False):
        made += _claims(demo, school_id, by_school[school_id], status, fund_ids, today)
    _extend_booker_school(demo, booker_school.id, today)
    return made


def end_of_next_month(today: date) -> date:
    """The last day of the month after today's."""
    after = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (after + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _extend_booker_school(demo: Demo, school_id: int, today: date) -> None:
    """Finance's extension of the booker's school's 2007-08 deadline, granted through the service (audited)."""
    fund = get_fund(FINANCIAL_YEAR)
    finance = db.session.get(User, demo.user_ids["finance@demo.test"])
    school = db.session.get(Organisation, school_id)
    if fund is None or finance is None or school is None:
        raise RuntimeError("the demo's 2007-08 fund, finance user and booker's school come first")
    grant_extension(fund, school, end_of_next_month(today), EXTENSION_REASON, finance, today)


def _school_days(demo: Demo, first: date, last: date) -> list[AttendedDay]:
    return [
        day
        for day in demo.attended_days
        if first <= day.day <= last
        and day.person.organisation.kind == "school"
        and day.person.cover != CoverCategory.NONE
    ]


def own_last_month_plans(demo: Demo, first: date, schools: list) -> list[SessionPlan]:
    """Two sessions last month attended by teachers and teaching assistants of the booker's school and another."""
    chosen = [schools[BOOKER_SCHOOL_INDEX], *(s for n, s in enumerate(schools) if n != BOOKER_SCHOOL_INDEX)][:2]
    staff = [
        [p for p in demo.people if p.organisation.id == school.id and p.cover != CoverCategory.NONE][:STAFF_PER_SCHOOL]
        for school in chosen
    ]
    host = chosen[0].authority
    area = sorted(AREAS[host])[0]
    plans = []
    for number, (course, day_of_month, start, end) in enumerate(OWN_SESSIONS, start=1):
        day = next_working_day(first.replace(day=day_of_month))
        plan = SessionPlan(
            course, host, area, [(day, start, end)], capacity=20, code=f"{course}-{day.year}-C{number:02d}"
        )
        plan.attended = [person for people in staff for person in people]
        plans.append(plan)
    return plans


def _fund(year: int) -> int:
    start = date(year, 4, 1)
    row = {
        "financial_year": year,
        "amount_pence": LIVE_FUND_PENCE,
        "scheme_start": start,
        "claim_deadline": date(year + 1, 4, 30),
    }
    fund_id = insert_rows(Fund, [row])[0]
    rates = [
        {"fund_id": fund_id, "category": c, "unit": u, "amount_pence": p} for (c, u), p in DEFAULT_RATES_PENCE.items()
    ]
    insert_rows(RateCard, rates)
    return fund_id


def _claims(demo: Demo, school_id: int, days: list[AttendedDay], status: ClaimStatus, funds: dict, today: date) -> int:
    """One claim per financial year the days fall in, in the given state."""
    by_year: dict[int, list[AttendedDay]] = defaultdict(list)
    for day in days:
        by_year[financial_year_of(day.day)].append(day)
    for year, year_days in sorted(by_year.items()):
        claim_id = insert_rows(Claim, [_claim_row(demo, school_id, funds[year], status, today)])[0]
        insert_rows(ClaimLine, [_line(claim_id, day) for day in year_days])
    return len(by_year)


def _claim_row(demo: Demo, school_id: int, fund_id: int, status: ClaimStatus, today: date) -> dict:
    def days_ago(n: int) -> datetime:
        return datetime(today.year, today.month, today.day, 10, 0, tzinfo=UTC) - timedelta(days=n)

    paid = status == ClaimStatus.PAID
    return {
        "organisation_id": school_id,
        "fund_id": fund_id,
        "status": status,
        "created_at": days_ago(4),
        "created_by_id": demo.user_ids["booker@demo.test"] if not paid else None,
        "submitted_at": days_ago(3),
        "decided_at": days_ago(2) if paid else None,
        "decided_by_id": demo.user_ids["finance@demo.test"] if paid else None,
        "rejection_reason": None,
        "paid_at": days_ago(1) if paid else None,
    }


def _line(claim_id: int, day: AttendedDay) -> dict:
    category = ClaimCategory(day.person.cover.value)
    rate = DEFAULT_RATES_PENCE[(category, cover_unit(day.minutes))]
    return {
        "claim_id": claim_id,
        "attendance_mark_id": day.mark_id,
        "practitioner_id": day.person.id,
        "session_day_id": day.session_day_id,
        "category": category,
        "unit": cover_unit(day.minutes),
        "retrospective": False,
        "rate_pence": rate,
        "amount_pence": rate,
        "evidence_supplier": None,
        "evidence_invoice": None,
        "evidence_amount_pence": None,
        "live": True,
    }
