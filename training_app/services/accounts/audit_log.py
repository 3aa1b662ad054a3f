"""Reading the audit trail: filtered by who, kind of record, record and London date; counted and paged in SQL."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVarTuple

import sqlalchemy as sa

from ...extensions import db
from ...models import AuditEvent
from ..common.calendar import london_to_utc

EXPORT_BATCH = 1000
Selected = TypeVarTuple("Selected")


@dataclass(frozen=True)
class AuditFilter:
    """What to show: part of the actor's email or label, one kind of record, one record id, London dates."""

    actor: str = ""
    entity_type: str = ""
    entity_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.actor:
            escaped = self.actor.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            conditions.append(sa.func.lower(AuditEvent.actor).like(f"%{escaped}%", escape="\\"))
        if self.entity_type:
            conditions.append(AuditEvent.entity_type == self.entity_type)
        if self.entity_id is not None:
            conditions.append(AuditEvent.entity_id == self.entity_id)
        if self.date_from is not None:
            conditions.append(AuditEvent.at >= london_to_utc(self.date_from, time(0)))
        if self.date_to is not None:
            conditions.append(AuditEvent.at < london_to_utc(self.date_to + timedelta(days=1), time(0)))
        return conditions


@dataclass(frozen=True)
class AuditPage:
    """One page of events, newest first, with how many match and how many of each kind of record."""

    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    by_kind: list[tuple[str, int]]


def audit_page(audit_filter: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """The events matching the filter on one page (three queries, whatever the page size)."""
    conditions = audit_filter.where()
    by_kind = [
        (kind, count)
        for kind, count in db.session.execute(
            sa.select(AuditEvent.entity_type, sa.func.count(AuditEvent.id))
            .where(*conditions)
            .group_by(AuditEvent.entity_type)
            .order_by(AuditEvent.entity_type)
        )
    ]
    total = sum(count for _, count in by_kind)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = db.session.execute(
        _newest_first(sa.select(AuditEvent).where(*conditions)).offset((page - 1) * per_page).limit(per_page)
    ).scalars()
    return AuditPage(list(events), total, page, pages, by_kind)


def entity_types() -> list[str]:
    """Every kind of record the trail has events for, for the filter's choices."""
    query = sa.select(AuditEvent.entity_type).distinct().order_by(AuditEvent.entity_type)
    return list(db.session.execute(query).scalars())


def audit_rows(
    audit_filter: AuditFilter,
) -> Iterator[sa.Row[datetime, str, str, str, int | None, Any | None, Any | None]]:
    """Every matching event as plain columns, newest first, fetched in batches (for the workbook)."""
    query = sa.select(
        AuditEvent.at,
        AuditEvent.actor,
        AuditEvent.action,
        AuditEvent.entity_type,
        AuditEvent.entity_id,
        AuditEvent.old_value,
        AuditEvent.new_value,
    )
    query = _newest_first(query.where(*audit_filter.where()))
    yield from db.session.execute(query.execution_options(yield_per=EXPORT_BATCH))


def _newest_first(query: sa.Select[*Selected]) -> sa.Select[*Selected]:
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
