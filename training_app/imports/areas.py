"""`areas`: authority,name (the key is both)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Area, Authority
from .base import Reader, Row


@dataclass
class AreaRecord:
    """A checked areas row."""

    row: Row
    authority: Authority
    name: str


class AreaReader(Reader):
    """Areas (districts, network areas, townships) inside an authority."""

    kind = "areas"
    columns = ("authority", "name")
    key_columns = ("authority", "name")

    def load(self, rows: Sequence[Row]) -> None:
        self.authorities = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}
        self.existing = {
            (authority_id, name) for authority_id, name in db.session.execute(sa.select(Area.authority_id, Area.name))
        }

    def check(self, row: Row) -> AreaRecord | None:
        authority = row.ref("authority", self.authorities, "no authority with code {}")
        name = row.text("name", 120)
        if not row.ok:
            return None
        return AreaRecord(row, row.checked(authority), row.checked(name))

    def write(self, records: list[AreaRecord]) -> tuple[int, int]:
        new = [record for record in records if (record.authority.id, record.name) not in self.existing]
        db.session.add_all(Area(authority_id=record.authority.id, name=record.name) for record in new)
        return len(new), len(records) - len(new)
