"""`take_backup`: one consistent read of every table, streamed into the backup file with the evidence folders."""

from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ...database import read_only
from ...extensions import db
from ...models.base import utcnow
from .archive import (
    CHUNK,
    MANIFEST,
    PLAIN_TYPES,
    FilePart,
    Manifest,
    TablePart,
    column_kind,
    manifest_json,
    row_line,
)
from .evidence import EVIDENCE_FOLDERS, stored_files
from .schema import check_schema

FETCH_ROWS = 2000  # rows fetched at a time, so a table of millions never sits in memory


@dataclass
class BackupResult:
    """What a backup holds, and any evidence file a row names that was not there to copy."""

    manifest: Manifest
    size: int
    missing_files: list[str] = field(default_factory=list)


@contextmanager
def consistent_read() -> Iterator[Connection]:
    """A connection whose every read sees the database as it was at one moment, writers carrying on meanwhile.

    PostgreSQL: one REPEATABLE READ, READ ONLY transaction. SQLite (WAL): one deferred read transaction, whose
    snapshot is fixed by its first read.
    """
    engine = db.engine
    with read_only(), engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            conn.execute(sa.text("SELECT 1 FROM alembic_version"))  # SQLite's snapshot starts with the first read
            yield conn


def _table_select(table: sa.Table, kinds: list[str]) -> sa.Select[Any]:
    """Every row of a table through plain types, in primary-key order."""
    columns: list[Any] = []
    for column, kind in zip(table.columns, kinds, strict=True):
        plain = sa.column(column.name, PLAIN_TYPES[kind]())
        columns.append(sa.cast(sa.column(column.name), sa.Text) if kind == "json" else plain)
    source = sa.table(table.name, *[sa.column(c.name) for c in table.columns])
    order: list[Any] = [sa.column(c.name) for c in table.primary_key.columns]
    return sa.select(*columns).select_from(source).order_by(*order)


def _write_table(conn: Connection, archive: zipfile.ZipFile, table: sa.Table) -> TablePart:
    kinds = [column_kind(column.type) for column in table.columns]
    member = f"tables/{table.name}.jsonl"
    digest, rows = hashlib.sha256(), 0
    result = conn.execution_options(yield_per=FETCH_ROWS).execute(_table_select(table, kinds))
    with archive.open(member, "w", force_zip64=True) as stream:
        for partition in result.partitions():
            lines = b"".join(row_line(kinds, row) for row in partition)
            digest.update(lines)
            stream.write(lines)
            rows += len(partition)
    self_references = sorted(
        fk.parent.name for fk in table.foreign_keys if fk.column.table is table and fk.parent.nullable
    )
    return TablePart(
        name=table.name,
        columns=[column.name for column in table.columns],
        kinds=kinds,
        primary_key=[column.name for column in table.primary_key.columns],
        self_references=self_references,
        rows=rows,
        member=member,
        sha256=digest.hexdigest(),
    )


def _write_files(conn: Connection, archive: zipfile.ZipFile) -> tuple[list[FilePart], list[str]]:
    """Every evidence file, and those the snapshot's rows name that were not found (deleted since, or lost)."""
    parts: list[FilePart] = []
    missing: list[str] = []
    for folder in EVIDENCE_FOLDERS:
        kept = {path.name: path for path in stored_files(folder.path())}
        for name, path in kept.items():
            member = f"files/{folder.name}/{name}"
            digest, size = hashlib.sha256(), 0
            try:
                with path.open("rb") as source, archive.open(member, "w", force_zip64=True) as stream:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        stream.write(chunk)
                        size += len(chunk)
            except FileNotFoundError:  # replaced and removed since the folder was listed: no row names it now
                continue
            parts.append(FilePart(folder.name, name, size, member, digest.hexdigest()))
        column: sa.ColumnClause[Any] = sa.column(folder.key_column)
        named = conn.execute(sa.select(column).select_from(sa.table(folder.table, column)).where(column.is_not(None)))
        copied = {part.name for part in parts if part.folder == folder.name}
        missing += [f"{folder.name}/{key}" for key in named.scalars() if key not in copied]
    return parts, missing


def take_backup(out: Path, progress: Callable[[str], None] | None = None) -> BackupResult:
    """Write one file holding every table (read in one consistent snapshot) and the evidence folders.

    Written beside `out` under a temporary name and renamed when complete, so a backup cut short never looks whole.
    """
    partial = out.with_name(f".{out.name}.partial")
    try:
        with consistent_read() as conn, zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
            revision = check_schema(conn)
            created_at = utcnow().isoformat()
            tables = []
            for table in db.metadata.sorted_tables:
                if progress:
                    progress(table.name)
                tables.append(_write_table(conn, archive, table))
            files, missing = _write_files(conn, archive)
            manifest = Manifest(revision, created_at, conn.dialect.name, tables, files)
            archive.writestr(MANIFEST, manifest_json(manifest))
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return BackupResult(manifest, out.stat().st_size, missing)
