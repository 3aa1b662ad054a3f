"""The 2007-08 supply-cover fund (Dudley's £154,000 underspend) and schools' claims against it (SPEC 3.7)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime

from training_app.models import (
    DEFAULT_RATES_PENCE,
    Claim,
    ClaimCategory,
    ClaimLine,
    ClaimStatus,
    CoverCategory,
    Fund,
    FundContribution,
    RateCard,
)
from training_app.services.claims.funds import cover_unit, line_amount

from .common import Demo, insert_rows

FINANCIAL_YEAR = 2007
FUND_PENCE = 15_400_000
SCHEME_START = date(2007, 12, 11)
CLAIM_DEADLINE = date(2008, 4, 30)
# Dudley's pooled budget, 2007-08: schools gave £236k of £381k.
CONTRIBUTIONS = [
    ("Local Authority", 5_000_000),
    ("Schools (Dedicated Schools Grant)", 23_600_000),
    ("Further education colleges", 1_500_000),
    ("Health", 3_000_000),
    ("Police", 2_000_000),
    ("Connexions", 3_000_000),
]
SUPPLIERS = ["Capita Education Resourcing", "Teaching Personnel", "Select Education", "County Supply Pool"]


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, 0, tzinfo=UTC)


# One school per state, in the order claim_schools ranks them: created, submitted, decided, paid.
CLAIMS = [
    (ClaimStatus.PAID, date(2008, 2, 4), date(2008, 2, 6), date(2008, 2, 20), date(2008, 3, 14)),
    (ClaimStatus.APPROVED, date(2008, 3, 3), date(2008, 3, 5), date(2008, 3, 19), None),
    (ClaimStatus.SUBMITTED, date(2008, 4, 14), date(2008, 4, 21), None, None),
    (ClaimStatus.DRAFT, date(2008, 4, 24), None, None, None),
    (ClaimStatus.REJECTED, date(2008, 2, 11), date(2008, 2, 13), date(2008, 2, 27), None),
]
REJECTION = "The supply invoices attached do not match the days claimed."
BOOKER_SCHOOL_INDEX = 3  # the school with a draft claim


def claimable_days(demo: Demo) -> dict[int, list]:
    """Attended days of school teachers and teaching assistants in the fund's year, by school id."""
    year_start, year_end = date(FINANCIAL_YEAR, 4, 1), date(FINANCIAL_YEAR + 1, 3, 31)
    by_school = defaultdict(list)
    for attended in demo.attended_days:
        person = attended.person
        if (
            person.organisation.kind == "school"
            and person.cover != CoverCategory.NONE
            and year_start <= attended.day <= year_end
        ):
            by_school[person.organisation.id].append(attended)
    return by_school


def claim_schools(demo: Demo) -> list[tuple]:
    """The five schools with the most claimable days (ties by code), with those days."""
    by_school = claimable_days(demo)
    schools = [o for o in demo.organisations if o.id in by_school]
    schools.sort(key=lambda o: (-len(by_school[o.id]), o.code))
    return [(school, by_school[school.id]) for school in schools[: len(CLAIMS)]]


def seed_fund(demo: Demo) -> int:
    """The fund, its rate card and contributions, and claims in every state; returns the number of claims."""
    fund_id = insert_rows(
        Fund,
        [
            {
                "financial_year": FINANCIAL_YEAR,
                "amount_pence": FUND_PENCE,
                "scheme_start": SCHEME_START,
                "claim_deadline": CLAIM_DEADLINE,
            }
        ],
    )[0]
    insert_rows(
        RateCard,
        [
            {"fund_id": fund_id, "category": c, "unit": u, "amount_pence": p}
            for (c, u), p in DEFAULT_RATES_PENCE.items()
        ],
    )
    insert_rows(
        FundContribution,
        [{"fund_id": fund_id, "contributor": name, "amount_pence": amount} for name, amount in CONTRIBUTIONS],
    )
    claims = 0
    for index, ((school, days), timeline) in enumerate(zip(claim_schools(demo), CLAIMS, strict=True)):
        _claim(demo, fund_id, school, days, timeline, index == BOOKER_SCHOOL_INDEX)
        claims += 1
        if timeline[0] == ClaimStatus.REJECTED:  # the school claimed the same days again, with better evidence
            _claim(demo, fund_id, school, days, (ClaimStatus.DRAFT, date(2008, 3, 10), None, None, None), False)
            claims += 1
    return claims


def _claim(demo: Demo, fund_id: int, school, days: list, timeline: tuple, by_booker: bool) -> None:
    status, created, submitted, decided, paid = timeline
    decided_by = demo.user_ids["finance@demo.test"] if decided else None
    row = {
        "organisation_id": school.id,
        "fund_id": fund_id,
        "status": status,
        "created_at": _at(created),
        "created_by_id": demo.user_ids["booker@demo.test"] if by_booker else None,
        "submitted_at": _at(submitted) if submitted else None,
        "decided_at": _at(decided) if decided else None,
        "decided_by_id": decided_by,
        "rejection_reason": REJECTION if status == ClaimStatus.REJECTED else None,
        "paid_at": _at(paid) if paid else None,
    }
    claim_id = insert_rows(Claim, [row])[0]
    lines = [_line(demo, claim_id, day, status != ClaimStatus.REJECTED) for day in days]
    if status == ClaimStatus.DRAFT and by_booker:  # some retrospective days still wait for their invoices
        lines = [line for n, line in enumerate(lines) if not (line["retrospective"] and n % 3 == 0)]
    insert_rows(ClaimLine, lines)


def _line(demo: Demo, claim_id: int, attended, live: bool) -> dict:
    category = ClaimCategory(attended.person.cover.value)
    unit = cover_unit(attended.minutes)
    rate = DEFAULT_RATES_PENCE[(category, unit)]
    line = {
        "claim_id": claim_id,
        "attendance_mark_id": attended.mark_id,
        "practitioner_id": attended.person.id,
        "session_day_id": attended.session_day_id,
        "category": category,
        "unit": unit,
        "retrospective": False,
        "rate_pence": rate,
        "amount_pence": rate,
        "evidence_supplier": None,
        "evidence_invoice": None,
        "evidence_amount_pence": None,
        "live": live,
    }
    if attended.day < SCHEME_START:  # before the scheme: pays the lesser of the rate and the invoice
        evidence = rate + demo.rng.choice([-2500, -1000, 0, 0, 1500])
        line.update(
            retrospective=True,
            evidence_supplier=demo.rng.choice(SUPPLIERS),
            evidence_invoice=f"INV-{demo.rng.randint(10000, 99999)}",
            evidence_amount_pence=evidence,
            amount_pence=line_amount(rate, evidence),
        )
    return line
