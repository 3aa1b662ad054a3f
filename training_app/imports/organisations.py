"""`organisations`: code,name,kind,authority,area,urn,phase,pupils,awareness_only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Area, Authority, Organisation, OrganisationKind
from ..services.common.batches import fetch_in
from .base import Reader, Row, shown


@dataclass
class OrganisationRecord:
    """A checked organisations row."""

    row: Row
    code: str
    name: str
    kind: OrganisationKind
    authority: Authority
    area: Area | None
    urn: str | None
    phase: str | None
    pupils: int | None
    awareness_only: bool


def areas_by_authority() -> dict[tuple[int, str], Area]:
    """Every area, found by (authority id, area name)."""
    return {(area.authority_id, area.name): area for area in db.session.scalars(sa.select(Area))}


def area_of(row: Row, column: str, authority: Authority | None, areas: dict[tuple[int, str], Area]) -> Area | None:
    """The optional area named in `column`, which must be an area of `authority`."""
    name = row[column]
    if not name or authority is None:
        return None
    area = areas.get((authority.id, name))
    if area is None:
        row.error(column, f"no area named {shown(name)} in authority {authority.code}")
    return area


class OrganisationReader(Reader):
    """Schools, agencies and services by code, each in one authority and optionally one of its areas."""

    kind = "organisations"
    columns = ("code", "name", "kind", "authority", "area", "urn", "phase", "pupils", "awareness_only")
    key_columns = ("code",)

    def load(self, rows: Sequence[Row]) -> None:
        self.authorities = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}
        self.areas = areas_by_authority()
        found = fetch_in(sa.select(Organisation), Organisation.code, (row["code"] for row in rows))
        self.existing = {organisation.code: organisation for organisation in found}

    def check(self, row: Row) -> OrganisationRecord | None:
        code = row.code("code", 40)
        name = row.text("name", 200)
        kind = row.choice("kind", OrganisationKind)
        authority = row.ref("authority", self.authorities, "no authority with code {}")
        area = area_of(row, "area", authority, self.areas)
        urn = row.text("urn", 20, required=False)
        phase = row.text("phase", 40, required=False)
        pupils = row.integer("pupils", minimum=0)
        awareness_only = row.yes_no("awareness_only")
        if not row.ok:
            return None
        return OrganisationRecord(
            row,
            row.checked(code),
            row.checked(name),
            row.checked(kind),
            row.checked(authority),
            area,
            urn,
            phase,
            pupils,
            row.checked(awareness_only),
        )

    def write(self, records: list[OrganisationRecord]) -> tuple[int, int]:
        created = 0
        for record in records:
            organisation = self.existing.get(record.code)
            if organisation is None:
                organisation = Organisation(code=record.code)
                db.session.add(organisation)
                created += 1
            organisation.name, organisation.kind = record.name, record.kind
            organisation.authority_id = record.authority.id
            organisation.area_id = record.area.id if record.area else None
            organisation.urn, organisation.phase, organisation.pupils = record.urn, record.phase, record.pupils
            organisation.awareness_only = record.awareness_only
        return created, len(records) - created
