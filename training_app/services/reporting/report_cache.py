"""Report answers kept for the data as it stands (issue 25): a report page counts the workforce once per change of the
data, not once per request, and every answer it shows is exact.

Every commit that wrote to a table the reports count (COUNTED_TABLES) raises the one data generation
(`report_generation`), in the same transaction, by the engine events `watch_writes` installs: they see every
INSERT, UPDATE and DELETE the app sends (ORM flushes, Core bulk statements of imports and seeds, raw SQL alike), so
no write path has to remember to say so. An answer is kept under (report, as-of date, scope, generation) in
`report_answers` and shown only while the generation is still the current one; the generation is read before the
counting starts, so an answer is never older than the data its generation stands for (a write committed while
counting raises the generation, and the answer is simply never shown).

The first visit after a change counts (`kept_answer`); it claims the count first, so of 32 simultaneous first
visits one counts and the others wait a few seconds for its answer, then are told it is being counted
(`None`), never left to run into the worker's timeout. A claim left by a worker that died expires after
CLAIM_EXPIRES. The counting functions are not touched: their callers wrap them.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import re
import time
import types
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar, Union, get_args, get_origin, get_type_hints

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from ...database import is_read_only, write_transaction
from ...extensions import db
from ...models import ReportAnswer, ReportGeneration, utcnow

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
WAIT_SECONDS = 3.0  # how long a visit waits for the count another one is making before saying it is under way
POLL_SECONDS = 0.2
CLAIM_EXPIRES = timedelta(seconds=60)  # longer than any count: a worker is killed after 30 s
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


@dataclass(frozen=True)
class Kept(Generic[T]):
    """A report's answer and when it was counted."""

    value: T
    counted_at: datetime


def scope_key(authority_ids: set[int] | None) -> str:
    """`all`, or a lead's authority ids in ascending order joined by commas."""
    return ALL if authority_ids is None else ",".join(str(i) for i in sorted(authority_ids))


def current_generation() -> int:
    """The data generation now (0 before the first write)."""
    found = db.session.scalar(sa.select(ReportGeneration.generation).where(ReportGeneration.id == 1))
    return int(found or 0)


def kept_answer(
    report: str, kind: Any, as_of: date, authority_ids: set[int] | None, count: Callable[[], T]
) -> Kept[T] | None:
    """The answer of `count()` kept for this report, date and scope while the data has not changed since; counted
    now (once, for everyone) when it has. None when another visit's count is still under way after a short wait.
    `kind` is the answer's type (`list[AreaRow]`), which it is rebuilt as from its JSON."""
    key = (f"{report}@{code_version()}", as_of, scope_key(authority_ids))
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        generation = current_generation()
        row = _row(key)
        if row is not None and row.generation == generation and row.counted_at is not None:
            return Kept(from_json(kind, row.answer), row.counted_at)
        if row is None or row.claimed_at is None or row.claimed_at < utcnow() - CLAIM_EXPIRES:
            claimed_at = _claim(key, generation)
            if claimed_at is not None:
                return _count_and_keep(key, generation, claimed_at, count)
        if time.monotonic() >= deadline:
            return None
        if is_read_only():
            _end_read()
        time.sleep(POLL_SECONDS)


@functools.cache
def code_version() -> str:
    """A digest of the services' and models' source, in every key: answers counted by other code (a changed counting
    rule after a deploy) are never shown, though the data has not changed since."""
    digest = hashlib.sha256()
    for path in sorted([*SOURCE.joinpath("services").rglob("*.py"), *SOURCE.joinpath("models").rglob("*.py")]):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _row(key: tuple[str, date, str]) -> Any:
    report, as_of, scope = key
    return db.session.execute(
        sa.select(ReportAnswer.generation, ReportAnswer.counted_at, ReportAnswer.answer, ReportAnswer.claimed_at).where(
            ReportAnswer.report == report, ReportAnswer.as_of == as_of, ReportAnswer.scope == scope
        )
    ).first()


def _insert() -> Any:
    return postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _claim(key: tuple[str, date, str], generation: int) -> datetime | None:
    """Take the count of this key unless another visit is making it (a claim younger than CLAIM_EXPIRES): when
    this visit claimed it, the time of its claim."""
    report, as_of, scope = key
    now = utcnow()
    statement = _insert()(ReportAnswer).values(
        report=report, as_of=as_of, scope=scope, claimed_generation=generation, claimed_at=now
    )
    table = ReportAnswer.__table__.c
    statement = statement.on_conflict_do_update(
        index_elements=["report", "as_of", "scope"],
        set_={"claimed_generation": generation, "claimed_at": now},
        where=sa.and_(
            sa.or_(table.generation.is_(None), table.generation < generation),
            sa.or_(table.claimed_at.is_(None), table.claimed_at < now - CLAIM_EXPIRES),
        ),
    ).returning(table.id)
    with write_transaction():
        claimed = db.session.execute(statement).scalar_one_or_none()
    return now if claimed is not None else None


def _count_and_keep(
    key: tuple[str, date, str], generation: int, claimed_at: datetime, count: Callable[[], T]
) -> Kept[T]:
    """Count, keep the answer under the generation read before counting, and let go of the claim; an older
    generation's answers of every report go, since they can never be shown again."""
    report, as_of, scope = key
    mine = sa.and_(
        ReportAnswer.report == report,
        ReportAnswer.as_of == as_of,
        ReportAnswer.scope == scope,
        ReportAnswer.claimed_at == claimed_at,
    )
    try:
        value = count()
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
            sa.delete(ReportAnswer).where(ReportAnswer.generation < generation, ReportAnswer.claimed_at.is_(None))
        )
    return Kept(value, counted_at)


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


def to_json(value: Any) -> Any:
    """A report's answer (dataclasses, lists, tuples, dicts, dates, enums) as JSON; dicts as [key, value] pairs so
    their keys keep their type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return [[to_json(k), to_json(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(kind: Any, data: Any) -> Any:
    """The answer of type `kind` that `to_json` wrote as `data`."""
    return _decoder(kind)(data)


def _same(data: Any) -> Any:
    return data


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """How to rebuild a value of this type from its JSON, worked out once per type (reading a dataclass's type hints
    for each of 16,000 rows took most of a national page's time)."""
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        return _optional(_decoder(present[0])) if len(present) == 1 else _same
    if origin is list:
        item = _decoder(args[0])
        return lambda data: [item(value) for value in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(value) for value in data)
        items = [_decoder(arg) for arg in args]
        return lambda data: tuple(item(value) for item, value in zip(items, data, strict=True))
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda data: {key(k): value(v) for k, v in data}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _dataclass_decoder(kind)
    if kind is datetime:
        return _optional(datetime.fromisoformat)
    if kind is date:
        return _optional(date.fromisoformat)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _optional(kind)
    return _same


def _dataclass_decoder(kind: type[Any]) -> Callable[[Any], Any]:
    hints = get_type_hints(kind)
    parts = [(field.name, _decoder(hints[field.name])) for field in dataclasses.fields(kind) if field.init]
    return lambda data: kind(**{name: part(data[name]) for name, part in parts if name in data})


def _optional(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: None if data is None else decode(data)
