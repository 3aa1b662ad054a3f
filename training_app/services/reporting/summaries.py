"""Dashboard summaries (issue 25): the figures the coordinator's, admin's and workforce leads' dashboards show that
count the whole workforce (trained by authority, area and month, refresher status and outlook by area, practitioners
per authority, practitioners due for anonymising), each count of staff of those in post that day (SPEC 3.1), counted
once per scope and kept in `dashboard_summaries` as of
the time they were counted. The scheduler refreshes them (`refresh_summaries`, every 10 minutes and nightly), a
coordinator or admin may refresh now, and a scope nobody has counted yet is counted on its first visit and kept for
everyone after. A request then reads one row instead of counting a million practitioners. Reports keep counting
live, exactly, as of the date asked.

A dashboard shows at most TOP_ROWS rows of each table (the largest, in the report's order) and says how many more
the full report holds, so a national table of 16,000 authority sets never goes out as megabytes of HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ...database import write_transaction
from ...extensions import db
from ...models import Authority, DashboardSummary, Organisation, Practitioner, Role, TrainingSession, User, utcnow
from ...models.people import practitioner_authorities
from ...models.users import user_authorities
from ..accounts import settings
from ..accounts.personal_data import count_inactive_practitioners, retention_cutoff
from ..common.calendar import london_today, to_london
from ..workforce.in_post import in_post_on
from ..workforce.target_progress import kept_target_counts
from .counting import AreaRow
from .refresher_outlook import OutlookRow, RefresherOutlook, refresher_outlook
from .report_plots import DashboardPlots, RefresherRow, dashboard_plots
from .report_rows import AreaTrainedRow

ALL = "all"
TOP_ROWS = 20
TABLES = ("by_authority", "by_area", "refreshers", "outlook")
# Raised when the kept figures gain or change a field: a row kept by an earlier version is counted again on its
# first visit instead of being read without it.
SUMMARY_VERSION = 2


@dataclass(frozen=True)
class AuthorityCount:
    """Practitioners in post working for one authority (someone working for two is counted under each)."""

    name: str
    practitioners: int


@dataclass(frozen=True)
class Summary:
    """One scope's dashboard figures as counted at `refreshed_at` (for the day `as_of`)."""

    scope: str
    as_of: date
    refreshed_at: datetime
    plots: DashboardPlots
    outlook: RefresherOutlook
    left_out: dict[str, tuple[int, int]]  # per table: rows not shown, and what they add up to
    authorities: list[AuthorityCount]  # a lead's scope
    practitioners: int
    retention_years: int
    due_for_anonymising: int
    targets: dict[int, tuple[int, int]]  # a lead's scope: their panel's targets, id to (in post, current)
    organisations: int = 0  # everyone's scope: how many organisations and training sessions there are
    sessions: int = 0

    @property
    def counted_today(self) -> bool:
        """Whether the figures were counted today in London (else the page names the day)."""
        return to_london(self.refreshed_at).date() == london_today()


def scope_key(authority_ids: set[int] | None) -> str:
    """`all`, or a lead's authority ids in ascending order joined by commas."""
    return ALL if authority_ids is None else ",".join(str(i) for i in sorted(authority_ids))


def _authority_ids(scope: str) -> set[int] | None:
    return None if scope == ALL else {int(i) for i in scope.split(",") if i}


# Each scope's newest summary as decoded by this worker: a kept row never changes (a refresh writes a new
# `refreshed_at`), so a request reads that time alone and decodes the figures only when they were counted again.
_decoded_summaries: dict[str, Summary] = {}


def dashboard_summary(authority_ids: set[int] | None) -> Summary:
    """The kept summary of a scope; counted now (once, then kept for everyone) when there is none yet or the
    retention period it counted under has changed."""
    scope = scope_key(authority_ids)
    retention = settings.current(settings.RETENTION_YEARS)
    counted_at = db.session.execute(
        sa.select(DashboardSummary.refreshed_at).where(DashboardSummary.scope == scope)
    ).scalar_one_or_none()
    if counted_at is not None:
        decoded = _decoded_summaries.get(scope)
        if decoded is not None and decoded.refreshed_at == counted_at and decoded.retention_years == retention:
            return decoded
        row = db.session.execute(
            sa.select(DashboardSummary).where(DashboardSummary.scope == scope)
        ).scalar_one_or_none()
        if (
            row is not None
            and row.figures.get("retention_years") == retention
            and row.figures.get("version") == SUMMARY_VERSION
        ):
            decoded = _decoded_summaries[scope] = _decoded(row)
            return decoded
    return _refresh(scope)


def refresh_summary(authority_ids: set[int] | None) -> Summary:
    """Count a scope's figures now and keep them (committed): the coordinator's "refresh now"."""
    summary = _refresh(scope_key(authority_ids))
    db.session.commit()
    return summary


def refresh_summaries() -> int:
    """Count again every scope kept so far, everyone's (`all`) and each active workforce lead's; the scheduler's
    job. Each scope commits on its own, so a slow one never holds the others' locks. Returns how many."""
    scopes = {ALL, *db.session.execute(sa.select(DashboardSummary.scope)).scalars(), *_lead_scopes()}
    db.session.commit()
    for scope in sorted(scopes):
        _refresh(scope)
        db.session.commit()
    return len(scopes)


def _lead_scopes() -> set[str]:
    leads = db.session.execute(
        sa.select(user_authorities.c.user_id, user_authorities.c.authority_id)
        .join(User, User.id == user_authorities.c.user_id)
        .where(User.role == Role.WORKFORCE_LEAD, User.active.is_(True))
    ).all()
    per_lead: dict[int, set[int]] = {}
    for user_id, authority_id in leads:
        per_lead.setdefault(user_id, set()).add(authority_id)
    return {scope_key(ids) for ids in per_lead.values()}


def _refresh(scope: str) -> Summary:
    """Count the scope's figures (reading only), then write them in a short transaction of their own."""
    today, authority_ids = london_today(), _authority_ids(scope)
    figures = _count(today, authority_ids)
    values = {"scope": scope, "as_of": today, "refreshed_at": utcnow(), "figures": figures}
    with write_transaction():
        _upsert(values)
    return _decoded(DashboardSummary(**values))


def _upsert(values: dict[str, Any]) -> None:
    """Insert or replace the scope's row: two workers counting the same scope at once both land, the later wins."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(DashboardSummary).values(**values)
    changed = {name: statement.excluded[name] for name in ("as_of", "refreshed_at", "figures")}
    db.session.execute(statement.on_conflict_do_update(index_elements=["scope"], set_=changed))


def _count(today: date, authority_ids: set[int] | None) -> dict[str, Any]:
    """Every whole-workforce figure of the scope, as JSON."""
    plots, outlook = dashboard_plots(today, authority_ids), refresher_outlook(today, authority_ids)
    retention = settings.current(settings.RETENTION_YEARS)
    tables = {
        "by_authority": [[row.label, row.trained] for row in plots.by_authority],
        "by_area": [[row.authority, row.area, row.trained] for row in plots.by_area],
        "refreshers": [[row.authority, row.area, *row.values] for row in plots.refreshers],
        "outlook": [[row.area, row.expired, list(row.by_month)] for row in outlook.rows],
    }
    totals = {
        "by_authority": lambda row: row[1],
        "by_area": lambda row: row[2],
        "refreshers": lambda row: sum(row[2:]),
        "outlook": lambda row: row[1] + sum(row[2]),
    }
    figures: dict[str, Any] = {"left_out": {}}
    for name, rows in tables.items():
        figures[name], figures["left_out"][name] = _top(rows, totals[name])
    figures["over_time"] = [[day.isoformat(), count] for day, count in plots.over_time]
    figures["outlook_months"] = [day.isoformat() for day in outlook.months]
    figures["retention_years"], figures["version"] = retention, SUMMARY_VERSION
    if authority_ids is None:
        in_post = sa.select(sa.func.count(Practitioner.id)).where(in_post_on(today))
        figures["practitioners"] = db.session.execute(in_post).scalar_one()
        figures["due_for_anonymising"] = count_inactive_practitioners(retention_cutoff(today, retention))
        figures["organisations"], figures["sessions"] = db.session.execute(
            sa.select(
                sa.select(sa.func.count(Organisation.id)).scalar_subquery(),
                sa.select(sa.func.count(TrainingSession.id)).scalar_subquery(),
            )
        ).one()
        figures["authorities"] = []
    else:
        figures["practitioners"], figures["due_for_anonymising"] = 0, 0
        figures["authorities"] = practitioners_by_authority(authority_ids, today)
        figures["targets"] = [[i, *counts] for i, counts in kept_target_counts(authority_ids, today).items()]
    return figures


def _top(rows: list[list[Any]], total: Any) -> tuple[list[list[Any]], list[int]]:
    """The TOP_ROWS largest rows in their order, and how many were left out with what they add up to."""
    if len(rows) <= TOP_ROWS:
        return rows, [0, 0]
    keep = set(sorted(range(len(rows)), key=lambda i: -total(rows[i]))[:TOP_ROWS])
    left = [row for i, row in enumerate(rows) if i not in keep]
    return [row for i, row in enumerate(rows) if i in keep], [len(left), sum(total(row) for row in left)]


def practitioners_by_authority(authority_ids: set[int], on: date) -> list[list[Any]]:
    """(authority name, practitioners in post on `on` working for it) for each authority, in display order."""
    in_post = sa.select(practitioner_authorities.c.authority_id, practitioner_authorities.c.practitioner_id).join(
        Practitioner, sa.and_(Practitioner.id == practitioner_authorities.c.practitioner_id, in_post_on(on))
    )
    working = in_post.subquery()
    rows = db.session.execute(
        sa.select(Authority.name, sa.func.count(working.c.practitioner_id))
        .outerjoin(working, working.c.authority_id == Authority.id)
        .where(Authority.id.in_(authority_ids))
        .group_by(Authority.id, Authority.name, Authority.display_order)
        .order_by(Authority.display_order, Authority.name)
    ).all()
    return [[name, count] for name, count in rows]


def _decoded(row: DashboardSummary) -> Summary:
    figures = row.figures
    plots = DashboardPlots(
        row.as_of,
        [AreaRow(label, trained) for label, trained in figures["by_authority"]],
        [AreaTrainedRow(authority, area, trained) for authority, area, trained in figures["by_area"]],
        [(date.fromisoformat(day), count) for day, count in figures["over_time"]],
        [RefresherRow(*cells) for cells in figures["refreshers"]],
    )
    outlook = RefresherOutlook(
        tuple(date.fromisoformat(day) for day in figures["outlook_months"]),
        tuple(OutlookRow(area, expired, tuple(by_month)) for area, expired, by_month in figures["outlook"]),
    )
    left_out: dict[str, tuple[int, int]] = {name: _pair(figures["left_out"][name]) for name in TABLES}
    return Summary(
        row.scope,
        row.as_of,
        row.refreshed_at,
        plots,
        outlook,
        left_out,
        [AuthorityCount(name, count) for name, count in figures["authorities"]],
        figures["practitioners"],
        figures["retention_years"],
        figures["due_for_anonymising"],
        {int(i): (int(in_post), int(current)) for i, in_post, current in figures.get("targets", [])},
        figures.get("organisations", 0),
        figures.get("sessions", 0),
    )


def _pair(values: Sequence[int]) -> tuple[int, int]:
    return int(values[0]), int(values[1])
