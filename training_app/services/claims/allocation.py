"""Sharing a fund among approved claims, and returning its underspend to the partners (SPEC 3.7), to the penny."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa

from ...extensions import db
from ...models import Claim, ClaimLine, ClaimStatus, Fund, FundContribution, Organisation
from .claims import APPROVED_STATUSES

K = TypeVar("K", bound=Hashable)


def apportion(total: int, weights: Mapping[K, int], order: Mapping[K, str]) -> dict[K, int]:
    """Share `total` pence pro rata to `weights`: floor(weight × total ÷ sum) each, then the pennies left over one
    each to the largest remainders, ties by `order` (a school's code). Integer arithmetic only; sums to `total`."""
    whole = sum(weights.values())
    if whole <= 0:
        return dict.fromkeys(weights, 0)
    shares = {key: weight * total // whole for key, weight in weights.items()}
    remainders = {key: weight * total % whole for key, weight in weights.items()}
    left = total - sum(shares.values())
    for key in sorted(weights, key=lambda key: (-remainders[key], order[key]))[:left]:
        shares[key] += 1
    return shares


def payable(fund_pence: int, approved: Mapping[K, int], order: Mapping[K, str]) -> dict[K, int]:
    """Each in full while the approved total fits the fund; above it, the fund pro rata (apportion)."""
    if sum(approved.values()) <= fund_pence:
        return dict(approved)
    return apportion(fund_pence, approved, order)


@dataclass(frozen=True)
class SchoolAllocation:
    """One school's approved total, what it is paid, and what was already marked paid."""

    organisation_id: int
    code: str
    name: str
    approved_pence: int
    payable_pence: int
    paid_pence: int


@dataclass(frozen=True)
class UnderspendReturn:
    """A partner's contribution to a pooled fund and its share of the unspent fund."""

    contributor: str
    contribution_pence: int
    return_pence: int


@dataclass(frozen=True)
class Allocation:
    """A fund's allocation: per school, the totals, what remains and how it goes back to the partners."""

    fund: Fund
    schools: list[SchoolAllocation]
    underspend: list[UnderspendReturn]

    @property
    def approved_pence(self) -> int:
        return sum(school.approved_pence for school in self.schools)

    @property
    def payable_pence(self) -> int:
        return sum(school.payable_pence for school in self.schools)

    @property
    def remaining_pence(self) -> int:
        return self.fund.amount_pence - self.payable_pence

    @property
    def oversubscribed(self) -> bool:
        return self.approved_pence > self.fund.amount_pence


def allocate_fund(fund: Fund) -> Allocation:
    """The fund shared among schools' approved (and paid) claims, and the underspend returned pro rata."""
    rows = db.session.execute(_approved_by_school(fund.id)).all()
    approved = {row.id: int(row.approved) for row in rows}
    codes = {row.id: row.code for row in rows}
    paying = payable(fund.amount_pence, approved, codes)
    schools = [
        SchoolAllocation(row.id, row.code, row.name, approved[row.id], paying[row.id], int(row.paid)) for row in rows
    ]
    contributions = db.session.execute(
        sa.select(FundContribution.contributor, FundContribution.amount_pence)
        .where(FundContribution.fund_id == fund.id)
        .order_by(FundContribution.amount_pence.desc(), FundContribution.contributor)
    ).all()
    remaining = fund.amount_pence - sum(paying.values())
    weights = {row.contributor: row.amount_pence for row in contributions}
    returns = apportion(remaining, weights, {name: name for name in weights})
    underspend = [UnderspendReturn(name, weights[name], returns[name]) for name in weights]
    return Allocation(fund, schools, underspend)


def _approved_by_school(fund_id: int) -> sa.Select[*tuple[Any, ...]]:
    paid = sa.case((Claim.status == ClaimStatus.PAID, ClaimLine.amount_pence), else_=0)
    return (
        sa.select(
            Organisation.id,
            Organisation.code,
            Organisation.name,
            sa.func.sum(ClaimLine.amount_pence).label("approved"),
            sa.func.sum(paid).label("paid"),
        )
        .join(Claim, Claim.organisation_id == Organisation.id)
        .join(ClaimLine, ClaimLine.claim_id == Claim.id)
        .where(Claim.fund_id == fund_id, Claim.status.in_(APPROVED_STATUSES), ClaimLine.live)
        .group_by(Organisation.id, Organisation.code, Organisation.name)
        .order_by(Organisation.code)
    )
