"""Report answers kept for the data as it stands (issue 25): a report page counts the workforce once per change of the
data, not once per request, and says how current every answer it shows is.

Every commit that wrote to a table the reports count (COUNTED_TABLES) raises the one data generation
(`report_generation`), in the same transaction, by the engine events `watch_writes` installs: they see every
INSERT, UPDATE and DELETE the app sends (ORM flushes, Core bulk statements of imports and seeds, raw SQL alike), so
no write path has to remember to say so. An answer is kept under (report, as-of date, scope) in `report_answers`
with the generation it counts; the generation is read before the counting starts, so an answer is never older than
the data its generation stands for (a write committed while counting raises the generation again).

**The rule (issue 25):** an answer of the current generation is shown as it is ("Counted at ..."). When there is
none, the first visit claims the count (one count shared by everyone: 32 simultaneous first visits make one) and
counts within REQUEST_BUDGET seconds, which the answers one request counts share (`count_budget.time_limit`); a
count that takes longer is stopped and handed over to the scheduler (its claim held for HAND_OVER), whose
`dashboard-summaries` job counts every handed-over answer (kept_reports.count_todays_reports) without a limit.
Meanwhile, and while another visit counts, a visit is shown the newest answer kept for an older generation, marked as
counted then, with a note that newer figures are being counted (`Kept.current` False), or, when the key has never
been counted, the "being counted" page (after waiting up to WAIT_SECONDS for another visit's count). No request
counts for more than REQUEST_BUDGET seconds; an older answer is never shown as if it were current. Older
generations' answers are kept KEEP_OLDER for this, then deleted.

A kept answer is read from the database and rebuilt once per process (`_MEMO`, keyed by the answer's key, generation
and counting time): a later request reads only the tiny row that says which answer is current. A claim left by a
worker that died expires after CLAIM_EXPIRES. The counting functions are not touched: their callers wrap them.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ...database import is_read_only, write_transaction
from ...extensions import db
from ...models import ReportAnswer, ReportGeneration, utcnow
from .answer_json import from_json, to_json
from .count_budget import CountTooSlow, time_limit

__all__ = ["Kept", "current_generation", "from_json", "kept_answer", "to_json", "watch_writes"]

T = TypeVar("T")

# The tables whose rows some report counts or labels by: people and where they work, records, courses and what they
# renew, pathways and groups, sessions, their days, bookings and register marks (spaces, attendance).
COUNTED_TABLES = frozenset(
    {
        "areas",
        "attendance_marks",
        "authorities",
        "bookings",
        "courses",
        "organisations",
        "pathway_courses",
        "pathways",
        "practitioner_authorities",
        "practitioners",
        "responsibility_groups",
        "session_days",
        "sessions",
        "training_records",
    }
)
WAIT_SECONDS = 3.0  # how long a visit with nothing to show waits for the count another one is making
POLL_SECONDS = 0.2
REQUEST_BUDGET = 3.0  # the longest a request counts (a worker is killed after 30 s)
CLAIM_EXPIRES = timedelta(seconds=60)  # longer than any request's count
HAND_OVER = timedelta(minutes=15)  # a count left to the scheduler (every 10 minutes); then a visit may try again
KEEP_OLDER = timedelta(days=7)  # how long an older generation's answer is kept to be shown while counting anew
MEMO_SIZE = 32  # answers rebuilt per process (a national trained-by-area answer is some 16,000 rows)
ALL = "all"
SOURCE = Path(__file__).resolve().parents[2]  # the training_app package
WRITE = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.IGNORECASE)
BUMP = (
    "INSERT INTO report_generation (id, generation) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET generation = report_generation.generation + 1"
)
STALE = "report_data_changed"  # in a connection's info: this transaction wrote to a counted table
READY = "report_generation_ready"  # in a connection's info: the table exists (it does not while migrating to it)
_watching = False
Key = tuple[str, date, str]
_MEMO: OrderedDict[Key, tuple[int, datetime, Any]] = OrderedDict()


@dataclass(frozen=True)
class Kept(Generic[T]):
    """A report's answer, when it was counted, and whether it counts the data as it stands (False: an older
    generation's answer, shown while the current one is being counted)."""

    value: T
    counted_at: datetime
    current: bool = True
    generation: int = 0  # of the data it counts: with the key and counted_at, names this answer (a page's fragments)


@dataclass(frozen=True)
class _Look:
    """What the database says of a key: the generation now, and the row's generation, counting and claim times."""

    generation_now: int
    generation: int | None = None
    counted_at: datetime | None = None
    claimed_at: datetime | None = None


def scope_key(authority_ids: set[int] | None) -> str:
    """`all`, or a lead's authority ids in ascending order joined by commas."""
    return ALL if authority_ids is None else ",".join(str(i) for i in sorted(authority_ids))


def current_generation() -> int:
    """The data generation now (0 before the first write)."""
    found = db.session.scalar(sa.select(ReportGeneration.generation).where(ReportGeneration.id == 1))
    return int(found or 0)


def report_key(report: str, as_of: date, authority_ids: set[int] | None) -> Key:
    """The key an answer is kept under: the report's name with the code's digest, the date and the scope."""
    return (f"{report}@{code_version()}", as_of, scope_key(authority_ids))


def kept_answer(
    report: str,
    kind: Any,
    as_of: date,
    authority_ids: set[int] | None,
    count: Callable[[], T],
    scheduler: bool = False,
) -> Kept[T] | None:
    """The answer of `count()` for this report, date and scope, by the rule above: the current generation's, counted
    now (once, for everyone, within REQUEST_BUDGET in a request) when there is none, else an older generation's
    (`current` False); None when there is nothing to show yet. `kind` is the answer's type (`list[AreaRow]`), which
    it is rebuilt as from its JSON. The scheduler (`scheduler`) counts without a limit, handed-over answers too."""
    key = report_key(report, as_of, authority_ids)
    budget = None if scheduler or not is_read_only() else _budget_left()
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        look = _look(key)
        if look.counted_at is not None and look.generation == look.generation_now:
            return _kept(key, kind, look, True)
        now = utcnow()
        handed_over = look.claimed_at is not None and look.claimed_at > now
        if look.claimed_at is None or look.claimed_at < now - CLAIM_EXPIRES or (scheduler and handed_over):
            claimed_at = _claim(key, look.generation_now, scheduler)
            if claimed_at is not None:
                kept = _count_and_keep(key, look.generation_now, claimed_at, count, budget)
                if kept is not None:
                    return kept
                handed_over = True
        if look.counted_at is not None:
            return _kept(key, kind, look, False)
        if handed_over or time.monotonic() >= deadline:
            return None
        if is_read_only():
            _end_read()
        time.sleep(POLL_SECONDS)


def _budget_left() -> float:
    """What is left of REQUEST_BUDGET for this request's counts (a page may count two answers: they share it)."""
    if not has_request_context():
        return REQUEST_BUDGET
    deadline: float = g.setdefault("report_count_deadline", time.monotonic() + REQUEST_BUDGET)
    return max(0.0, deadline - time.monotonic())


@functools.cache
def code_version() -> str:
    """A digest of the services' and models' source, in every key: answers counted by other code (a changed counting
    rule after a deploy) are never shown, though the data has not changed since."""
    digest = hashlib.sha256()
    for path in sorted([*SOURCE.joinpath("services").rglob("*.py"), *SOURCE.joinpath("models").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _where(key: Key) -> list[sa.ColumnElement[bool]]:
    report, as_of, scope = key
    return [ReportAnswer.report == report, ReportAnswer.as_of == as_of, ReportAnswer.scope == scope]


def _look(key: Key) -> _Look:
    """The key's row without its answer, and the generation now, in one statement."""
    now = sa.select(ReportGeneration.generation).where(ReportGeneration.id == 1).scalar_subquery()
    row = db.session.execute(
        sa.select(now, ReportAnswer.generation, ReportAnswer.counted_at, ReportAnswer.claimed_at).where(*_where(key))
    ).first()
    if row is None:
        return _Look(current_generation())
    return _Look(int(row[0] or 0), row[1], row[2], row[3])


def _kept(key: Key, kind: Any, look: _Look, current: bool) -> Kept[Any]:
    """The answer the look saw, rebuilt once per process: read and rebuilt again only when the row has changed."""
    memo = _MEMO.get(key)
    if memo is None or memo[0] != look.generation or memo[1] != look.counted_at:
        found = db.session.execute(
            sa.select(ReportAnswer.generation, ReportAnswer.counted_at, ReportAnswer.answer).where(*_where(key))
        ).one()
        memo = _MEMO[key] = (found[0], found[1], from_json(kind, found[2]))
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    with suppress(KeyError):  # another thread may have just let it go
        _MEMO.move_to_end(key)
    return Kept(memo[2], memo[1], current and memo[0] == look.generation_now, memo[0])


def _insert() -> Any:
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _claim(key: Key, generation: int, scheduler: bool = False) -> datetime | None:
    """Take the count of this key unless another visit is making it (a claim younger than CLAIM_EXPIRES; the
    scheduler also takes a count handed over to it): when this visit claimed it, the time of its claim."""
    report, as_of, scope = key
    now = utcnow()
    statement = _insert()(ReportAnswer).values(
        report=report, as_of=as_of, scope=scope, claimed_generation=generation, claimed_at=now
    )
    table = ReportAnswer.__table__.c
    free = [table.claimed_at.is_(None), table.claimed_at < now - CLAIM_EXPIRES]
    statement = statement.on_conflict_do_update(
        index_elements=["report", "as_of", "scope"],
        set_={"claimed_generation": generation, "claimed_at": now},
        where=sa.and_(
            sa.or_(table.generation.is_(None), table.generation < generation),
            sa.or_(*free, *([table.claimed_at > now] if scheduler else [])),
        ),
    ).returning(table.id)
    with write_transaction():
        claimed = db.session.execute(statement).scalar_one_or_none()
    return now if claimed is not None else None


def _count_and_keep(
    key: Key, generation: int, claimed_at: datetime, count: Callable[[], T], budget: float | None = None
) -> Kept[T] | None:
    """Count (within `budget` seconds when given), keep the answer under the generation read before counting, and let
    go of the claim; an older generation's answers of every report go once KEEP_OLDER has passed. None when the
    count ran past its budget: it is stopped and handed over to the scheduler (the claim held for HAND_OVER)."""
    mine = sa.and_(*_where(key), ReportAnswer.claimed_at == claimed_at)
    try:
        with time_limit(budget):
            value = count()
    except CountTooSlow:
        db.session.rollback()
        with write_transaction():
            db.session.execute(sa.update(ReportAnswer).where(mine).values(claimed_at=utcnow() + HAND_OVER))
        return None
    except BaseException:
        with write_transaction():
            db.session.execute(sa.update(ReportAnswer).where(mine).values(claimed_generation=None, claimed_at=None))
        raise
    counted_at = utcnow()
    with write_transaction():
        db.session.execute(
            sa.update(ReportAnswer)
            .where(mine)
            .values(
                generation=generation,
                counted_at=counted_at,
                answer=to_json(value),
                claimed_generation=None,
                claimed_at=None,
            )
        )
        db.session.execute(
            sa.delete(ReportAnswer).where(
                ReportAnswer.generation < generation,
                ReportAnswer.claimed_at.is_(None),
                ReportAnswer.counted_at < counted_at - KEEP_OLDER,
            )
        )
    return Kept(value, counted_at, True, generation)


def handed_over() -> list[Key]:
    """The keys of this code whose count a request handed over to the scheduler."""
    rows = db.session.execute(
        sa.select(ReportAnswer.report, ReportAnswer.as_of, ReportAnswer.scope).where(
            ReportAnswer.claimed_at > utcnow(), ReportAnswer.report.endswith(f"@{code_version()}")
        )
    )
    return [(report, as_of, scope) for report, as_of, scope in rows]


def _end_read() -> None:
    """End the read transaction (keeping what the request loaded), so the next look sees what others committed."""
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def watch_writes() -> None:
    """Raise the data generation in every transaction that writes to a counted table, just before it commits."""
    global _watching
    if _watching:
        return
    _watching = True

    @event.listens_for(Engine, "before_cursor_execute")
    def _note_write(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
        found = WRITE.match(statement)
        if found is not None and found.group(1).lower() in COUNTED_TABLES:
            conn.info[STALE] = True

    @event.listens_for(Engine, "commit")
    def _bump(conn: Connection) -> None:
        if conn.info.pop(STALE, False):
            _raise_generation(conn)

    @event.listens_for(Engine, "rollback")
    def _forget(conn: Connection) -> None:
        conn.info.pop(STALE, None)


def _raise_generation(conn: Connection) -> None:
    """One statement on the transaction's own DBAPI connection (this runs inside its commit, where the Connection
    itself takes no more statements); nothing while migrating to the table."""
    cursor = conn.connection.cursor()
    try:
        if not conn.info.get(READY):
            if conn.dialect.name == "postgresql":
                cursor.execute("SELECT to_regclass('report_generation') IS NOT NULL")
            else:
                cursor.execute("SELECT count(*) > 0 FROM sqlite_master WHERE name = 'report_generation'")
            found = cursor.fetchone()
            if found is None or not found[0]:
                return
            conn.info[READY] = True
        cursor.execute(BUMP)
    finally:
        cursor.close()
