"""The awareness coverage grid (SPEC 3.8): sector kinds by authorities, signed off when, and which are not."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ...extensions import db
from ...models import Authority, AwarenessSignOff, Organisation, OrganisationKind
from ...models.awareness import SignOffStatus, signoff_authorities

# The sectors the partnership signs off service by service: always rows of the coverage grid.
AWARENESS_SECTORS = (
    OrganisationKind.PROBATION,
    OrganisationKind.PRISON,
    OrganisationKind.GP,
    OrganisationKind.ADULT_SERVICES,
    OrganisationKind.VOLUNTARY,
    OrganisationKind.OTHER,
)
STATUS_RANK = {SignOffStatus.PLANNED: 1, SignOffStatus.DELIVERED: 2, SignOffStatus.SIGNED_OFF: 3}


@dataclass
class CoverageCell:
    """One sector in one authority: the furthest status reached, and the latest completion at that status."""

    status: SignOffStatus | None = None
    completed_on: date | None = None
    services: list[str] = field(default_factory=list)


@dataclass
class Coverage:
    """The grid: sector kinds (rows) by authorities (columns)."""

    authorities: list[Authority]
    rows: list[tuple[OrganisationKind, list[CoverageCell]]]


def coverage(authority_ids: set[int] | None = None) -> Coverage:
    """Sector kinds by authorities: which are signed off and when, which are only planned or delivered, which not."""
    found = db.session.execute(
        sa.select(
            AwarenessSignOff.sector_kind,
            signoff_authorities.c.authority_id,
            AwarenessSignOff.status,
            AwarenessSignOff.completed_on,
            AwarenessSignOff.service,
        )
        .join(signoff_authorities, signoff_authorities.c.signoff_id == AwarenessSignOff.id)
        .order_by(AwarenessSignOff.completed_on, AwarenessSignOff.service)
    ).all()
    authorities = _grid_authorities({row.authority_id for row in found}, authority_ids)
    cells: dict[tuple[OrganisationKind, int], CoverageCell] = {}
    for kind, authority_id, status, completed_on, service in found:
        cell = cells.setdefault((kind, authority_id), CoverageCell())
        if cell.status is None or STATUS_RANK[status] >= STATUS_RANK[cell.status]:
            cell.status, cell.completed_on = status, completed_on
        cell.services.append(service)
    kinds = set(AWARENESS_SECTORS) | {kind for kind, _ in cells} | _awareness_only_kinds()
    rows = [(kind, [cells.get((kind, a.id), CoverageCell()) for a in authorities]) for kind in OrganisationKind]
    return Coverage(authorities, [(kind, row) for kind, row in rows if kind in kinds])


def _grid_authorities(covered: set[int], authority_ids: set[int] | None) -> list[Authority]:
    """The partner authorities and any other a sign-off covers, within the scope, in display order."""
    query = sa.select(Authority).where(sa.or_(Authority.partner.is_(True), Authority.id.in_(covered or {0})))
    if authority_ids is not None:
        query = query.where(Authority.id.in_(authority_ids or {0}))
    return list(db.session.scalars(query.order_by(Authority.partner.desc(), Authority.display_order, Authority.name)))


def _awareness_only_kinds() -> set[OrganisationKind]:
    query = sa.select(Organisation.kind).where(Organisation.awareness_only.is_(True)).distinct()
    return set(db.session.scalars(query))
