"""`authorities`: code,name,partner,display_order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from ..extensions import db
from ..models import Authority
from .base import Reader, Row


@dataclass
class AuthorityRecord:
    """A checked authorities row."""

    row: Row
    code: str
    name: str
    partner: bool
    display_order: int


class AuthorityReader(Reader):
    """Authorities by code: whether they are partners, and the order reports show them in."""

    kind = "authorities"
    columns = ("code", "name", "partner", "display_order")
    key_columns = ("code",)

    def load(self, rows: Sequence[Row]) -> None:
        self.existing = {authority.code: authority for authority in db.session.scalars(sa.select(Authority))}

    def check(self, row: Row) -> AuthorityRecord | None:
        code = row.code("code", 40)
        name = row.text("name", 120)
        partner = row.yes_no("partner")
        display_order = row.integer("display_order", minimum=0)
        if not row.ok:
            return None
        return AuthorityRecord(row, row.checked(code), row.checked(name), row.checked(partner), display_order or 0)

    def write(self, records: list[AuthorityRecord]) -> tuple[int, int]:
        created = 0
        for record in records:
            authority = self.existing.get(record.code)
            if authority is None:
                authority = Authority(code=record.code)
                db.session.add(authority)
                created += 1
            authority.name = record.name
            authority.partner = record.partner
            authority.display_order = record.display_order
        return created, len(records) - created
