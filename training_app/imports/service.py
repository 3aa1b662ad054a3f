"""Import one CSV file of one kind, all or nothing, in one transaction (SPEC 4.3)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ..extensions import db
from ..models import AuditAction, AuditEvent, User
from ..services.accounts import audit
from ..services.common.calendar import to_london
from ..services.common.locks import lock_name
from ..services.common.statistics import gather_after_import
from ..services.common.unique_keys import broken_unique_keys
from .areas import AreaReader
from .authorities import AuthorityReader
from .awareness import AwarenessSignOffReader, PresentationReader
from .base import FileProblem, Reader, Row, RowError, read_rows
from .bookings import BookingReader
from .courses import CourseReader
from .organisations import OrganisationReader
from .pathways import PathwayReader
from .practitioners import PractitionerReader
from .sessions import SessionReader
from .training_records import TrainingRecordReader

READERS: dict[str, type[Reader]] = {
    reader.kind: reader
    for reader in (
        AuthorityReader,
        AreaReader,
        OrganisationReader,
        PractitionerReader,
        CourseReader,
        PathwayReader,
        SessionReader,
        BookingReader,
        TrainingRecordReader,
        AwarenessSignOffReader,
        PresentationReader,
    )
}
KINDS = tuple(READERS)


@dataclass
class ImportResult:
    """What an import did: counts when it worked, every error (and nothing written) when it did not."""

    kind: str
    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    imported_at: str | None = None  # the confirmed check was imported already, then (London time): nothing written

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        total = self.created + self.updated
        verb = "would import" if self.dry_run else "imported"
        return f"{verb} {total} {self.kind} ({self.created} created, {self.updated} updated)"


def import_csv(
    kind: str,
    data: bytes | str,
    actor: User | str = "system",
    dry_run: bool = False,
    confirmation: str | None = None,
    still_new: Callable[[], RowError | None] | None = None,
) -> ImportResult:
    """Import a CSV file of `kind` in one transaction: committed when every row is good, otherwise rolled back
    with every error listed. Anything else pending in the session is committed or rolled back with it.

    Imports of one kind take turns (a named lock), each reading what the one before wrote. `confirmation` names the
    check a person confirmed (the page's): it is imported once however many times it is sent, the others refused.
    `still_new` is a form's check that what it adds is not there yet, run once the lock is held (a request at the
    same moment may have added it): its problem refuses the import, where an import would update the record.

    A dry run checks and writes the same way, so the database's own checks run too, then rolls everything back
    and reports what would have been created and updated."""
    if kind not in READERS:
        raise ValueError(f"unknown import kind {kind!r}; the kinds are {', '.join(KINDS)}")
    reader = READERS[kind]()
    errors: list[RowError] = []
    try:
        if not dry_run:
            lock_name(f"import:{kind}")
            if confirmation and (done := _imported_at(kind, confirmation)):
                db.session.rollback()
                return ImportResult(kind, imported_at=done)
        if still_new is not None and (taken := still_new()) is not None:
            return _failed(kind, [str(taken)])
        records = _checked_records(reader, read_rows(data, reader.columns, kind, errors, reader.optional_columns))
        if errors:
            return _failed(kind, [str(error) for error in sorted(errors, key=_line)])
        created, updated = _write(reader, records, actor, dry_run, confirmation)
    except FileProblem as problem:
        return _failed(kind, [str(problem)])
    except IntegrityError as exc:
        return _failed(kind, [_refusal(exc)])
    except SQLAlchemyError as exc:
        return _failed(kind, [f"the database refused the file, so nothing was imported: {_first_line(exc)}"])
    except BaseException:
        db.session.rollback()
        raise
    if not dry_run:
        gather_after_import(created + updated)  # a large import changes what the planner should expect
    return ImportResult(kind, created, updated, dry_run=dry_run)


def _failed(kind: str, errors: list[str]) -> ImportResult:
    """Roll back whatever the import began (and the locks it took) and say why."""
    db.session.rollback()
    return ImportResult(kind, errors=errors)


def _checked_records(reader: Reader, rows: list[Row]) -> list:
    """Check every row and the rules across rows, so that every error in the file is found in one pass."""
    _check_repeated_keys(reader, rows)
    reader.load(rows)
    records = [record for row in rows if not row.malformed and (record := reader.check(row)) is not None]
    reader.check_file(records)
    return records


def _check_repeated_keys(reader: Reader, rows: Sequence[Row]) -> None:
    first_line: dict[tuple[str, ...], int] = {}
    for row in rows:
        key = reader.key(row)
        if row.malformed or not all(key):
            continue
        if key in first_line:
            columns = " and ".join(reader.key_columns)
            row.error(reader.key_columns[-1], f"repeats line {first_line[key]} (same {columns})")
        else:
            first_line[key] = row.line


def _imported_at(kind: str, confirmation: str) -> str | None:
    """When the confirmed check was imported (London time), or None: read under the kind's import lock."""
    query = sa.select(AuditEvent.at).where(
        AuditEvent.action == AuditAction.IMPORT,
        AuditEvent.entity_type == kind,
        AuditEvent.new_value["confirmation"].as_string() == confirmation,
    )
    at = db.session.scalar(query.limit(1))
    return f"{to_london(at):%H:%M on %-d %B %Y}" if at is not None else None


def _write(
    reader: Reader, records: list, actor: User | str, dry_run: bool = False, confirmation: str | None = None
) -> tuple[int, int]:
    with db.session.no_autoflush:
        created, updated = reader.write(records)
    if dry_run:
        db.session.flush()  # the database's constraints answer now, then nothing is kept
        db.session.rollback()
        return created, updated
    new: dict[str, object] = {"created": created, "updated": updated, "rows": len(records)}
    if confirmation:
        new["confirmation"] = confirmation
    audit.record(actor, AuditAction.IMPORT, entity_type=reader.kind, new=new)
    db.session.commit()
    return created, updated


def _refusal(exc: IntegrityError) -> str:
    """Why the database refused the file; a key written by someone else since the file was checked (a record with
    the same code created at the same moment) is said in words, as sending the file again updates that record."""
    if broken_unique_keys(exc):
        return (
            "a record with the same key was saved by someone else while this file was imported, so nothing was "
            "imported: send the file again"
        )
    return f"the database refused the file, so nothing was imported: {_first_line(exc)}"


def _line(error: RowError) -> int:
    return error.line


def _first_line(exc: SQLAlchemyError) -> str:
    message = str(getattr(exc, "orig", None) or exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__
