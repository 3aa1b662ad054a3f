"""Supply-cover funds per financial year and their rate cards (SPEC 3.7): set by finance, audited."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import DEFAULT_RATES_PENCE, AuditAction, ClaimCategory, CoverUnit, Fund, FundContribution, RateCard, User
from ...models.sessions import is_half_day
from ...validation import control_character_problem
from ..accounts import audit
from ..common.locks import locking
from ..common.unique_keys import refused_if_taken

MIN_FINANCIAL_YEAR = 2000
MAX_FINANCIAL_YEAR = 2099
MAX_PENCE = 2**31 - 1  # pence columns are 32-bit integers on PostgreSQL
MAX_CONTRIBUTOR = 200

RateKey = tuple[ClaimCategory, CoverUnit]


@dataclass(frozen=True)
class FundSettings:
    """What finance sets for one year's fund; rates not given take the defaults."""

    amount_pence: int
    scheme_start: date
    claim_deadline: date
    rates: Mapping[RateKey, int] = field(default_factory=dict)
    # Partners' contributions to a pooled fund by contributor; None leaves those held as they are.
    contributions: Mapping[str, int] | None = None

    def full_rates(self) -> dict[RateKey, int]:
        """Every category and unit: the given rates over the defaults."""
        return {**DEFAULT_RATES_PENCE, **self.rates}


class FundError(ValueError):
    """Fund settings were refused; `fields` maps each bad field to a message."""

    def __init__(self, fields: Mapping[str, str], conflict: bool = False) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in fields.items()))
        self.fields = dict(fields)
        self.conflict = conflict  # lost a race: the fund was set up at the same moment by someone else


def rate_field(key: RateKey) -> str:
    """The field name of one rate, as the API and its error messages spell it."""
    return f"rates.{key[0].value}.{key[1].value}"


def fund_problems(
    financial_year: int,
    amount_pence: int | None = None,
    scheme_start: date | None = None,
    claim_deadline: date | None = None,
    rates: Mapping[RateKey, int | None] | None = None,
    contributions: Mapping[str, int | None] | None = None,
) -> dict[str, str]:
    """Every rule the given settings break, by field; values left as None are not checked."""
    problems: dict[str, str] = {}
    if not MIN_FINANCIAL_YEAR <= financial_year <= MAX_FINANCIAL_YEAR:
        problems["financial_year"] = (
            f"Financial year must be a year from {MIN_FINANCIAL_YEAR} to {MAX_FINANCIAL_YEAR} (2007 means 2007-08)."
        )
    pence = {"amount_pence": amount_pence} | {rate_field(key): value for key, value in (rates or {}).items()}
    pence |= {f"contributions.{name}": value for name, value in (contributions or {}).items()}
    for name in contributions or {}:
        if not name.strip() or len(name) > MAX_CONTRIBUTOR:
            problems[f"contributions.{name}"] = f"Name each contributor in 1 to {MAX_CONTRIBUTOR} characters."
        elif problem := control_character_problem(name):
            problems[f"contributions.{name}"] = f"A contributor's name {problem}."
    for name, value in pence.items():
        if value is not None and not 0 <= value <= MAX_PENCE:
            problems[name] = f"Must be a whole number of pence from 0 to {MAX_PENCE}."
    if scheme_start and claim_deadline and claim_deadline <= scheme_start:
        problems["claim_deadline"] = "The claim deadline must be after the scheme start."
    return problems


def cover_unit(minutes: int) -> CoverUnit:
    """The unit a session day of this length is paid in: half a day up to four hours, else a day."""
    return CoverUnit.HALF_DAY if is_half_day(minutes) else CoverUnit.DAY


def line_amount(rate_pence: int, evidence_pence: int | None = None) -> int:
    """What a claim line pays: the rate, or for a retrospective line the lesser of the rate and the invoice."""
    return rate_pence if evidence_pence is None else min(rate_pence, evidence_pence)


def get_fund(financial_year: int) -> Fund | None:
    """The fund for a financial year with its rate card, or None."""
    query = sa.select(Fund).options(selectinload(Fund.rates), selectinload(Fund.contributions))
    return db.session.execute(query.filter_by(financial_year=financial_year)).scalar_one_or_none()


class FundConflict(FundError):
    """A simultaneous request created the same year's fund first: nothing was saved (the API answers 409)."""

    def __init__(self, financial_year: int) -> None:
        label = f"{financial_year}-{(financial_year + 1) % 100:02d}"
        super().__init__(
            {"financial_year": f"The {label} fund was saved by someone else at the same moment: check it, then save."}
        )


def set_fund(financial_year: int, settings: FundSettings, actor: User | None = None) -> tuple[Fund, bool]:
    """Create or change a year's fund and its whole rate card, audited and committed; returns the fund and whether
    it is new. Losing a race to create the same year's fund raises FundConflict, with nothing saved."""
    problems = fund_problems(
        financial_year,
        settings.amount_pence,
        settings.scheme_start,
        settings.claim_deadline,
        settings.rates,
        settings.contributions,
    )
    if problems:
        raise FundError(problems)
    existing = _locked_fund(financial_year)
    created = existing is None
    old = None if existing is None else fund_values(existing)
    fund = existing or Fund(financial_year=financial_year)
    if created:
        db.session.add(fund)
    fund.amount_pence = settings.amount_pence
    fund.scheme_start = settings.scheme_start
    fund.claim_deadline = settings.claim_deadline
    _set_rates(fund, settings.full_rates())
    if settings.contributions is not None:
        _set_contributions(fund, settings.contributions)
    with refused_if_taken({"uq_funds_financial_year": lambda: FundConflict(financial_year)}):
        db.session.flush()
        new = fund_values(fund)
        if new != old:
            _audit(fund, AuditAction.FUND_CREATED if created else AuditAction.FUND_CHANGED, old, new, actor)
        db.session.commit()
    return fund, created


def fund_values(fund: Fund) -> dict[str, Any]:
    """The fund's settings as plain JSON values (for the audit trail and the API)."""
    return {
        "amount_pence": fund.amount_pence,
        "scheme_start": fund.scheme_start.isoformat(),
        "claim_deadline": fund.claim_deadline.isoformat(),
        "rates": rate_table(fund),
        "contributions": [
            {"contributor": held.contributor, "amount_pence": held.amount_pence}
            for held in sorted(fund.contributions, key=lambda held: (-held.amount_pence, held.contributor))
        ],
    }


def rate_table(fund: Fund) -> dict[str, dict[str, int]]:
    """The rate card as {category: {unit: pence}}, defaults filling any gap."""
    held = {(rate.category, rate.unit): rate.amount_pence for rate in fund.rates}
    table: dict[str, dict[str, int]] = {}
    for (category, unit), default in DEFAULT_RATES_PENCE.items():
        table.setdefault(category.value, {})[unit.value] = held.get((category, unit), default)
    return table


def _locked_fund(financial_year: int) -> Fund | None:
    """The year's fund with its rate card as it is now, locked, so two changes at once audit one after the other."""
    query = sa.select(Fund).options(selectinload(Fund.rates), selectinload(Fund.contributions))
    return db.session.execute(locking(query.filter_by(financial_year=financial_year))).scalar_one_or_none()


def _set_rates(fund: Fund, rates: Mapping[RateKey, int]) -> None:
    held = {(rate.category, rate.unit): rate for rate in fund.rates}
    for (category, unit), pence in rates.items():
        rate = held.get((category, unit))
        if rate is None:
            fund.rates.append(RateCard(category=category, unit=unit, amount_pence=pence))
        else:
            rate.amount_pence = pence


def _set_contributions(fund: Fund, contributions: Mapping[str, int]) -> None:
    """Replace the fund's contributions with those given (by contributor, names trimmed)."""
    wanted = {name.strip(): pence for name, pence in contributions.items()}
    for held in list(fund.contributions):
        if held.contributor not in wanted:
            fund.contributions.remove(held)
    held_by_name = {held.contributor: held for held in fund.contributions}
    for name, pence in wanted.items():
        if name in held_by_name:
            held_by_name[name].amount_pence = pence
        else:
            fund.contributions.append(FundContribution(contributor=name, amount_pence=pence))


def list_funds() -> list[Fund]:
    """Every fund, latest year first, with its rate card and contributions."""
    query = sa.select(Fund).options(selectinload(Fund.rates), selectinload(Fund.contributions))
    return list(db.session.scalars(query.order_by(Fund.financial_year.desc())))


def _audit(
    fund: Fund, action: AuditAction, old: dict[str, Any] | None, new: dict[str, Any], actor: User | None
) -> None:
    audit.record(actor, action, fund, old, new)
