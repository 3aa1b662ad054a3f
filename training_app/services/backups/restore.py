"""`restore_backup`: check the whole file, then load it into an empty database of either kind, all or nothing."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection

from ...extensions import db
from .archive import CHUNK, PLAIN_TYPES, BackupError, Manifest, TablePart, sha256_of, table_rows, verify_backup
from .evidence import EVIDENCE_FOLDERS
from .schema import known_revision, schema_revision

INSERT_ROWS = 1000  # rows per executemany

# Tables whose rows the migrations themselves put into every new database (the responsibility groups, the report
# generation counter, the default evaluation form): a database holding only these is empty, and the backup's rows
# replace them. tests/services/test_backups.py checks this list against a freshly migrated database.
SEEDED_BY_MIGRATIONS = ("evaluation_questions", "report_generation", "responsibility_groups")


@dataclass(frozen=True)
class RestoreResult:
    """What was restored."""

    manifest: Manifest
    migrated: bool  # whether the database was new and built by the migrations first


def _rows_by_table(conn: Connection, names: list[str]) -> dict[str, int]:
    """How many rows each table holds, in one statement."""
    if not names:
        return {}
    counts = sa.union_all(
        *[
            sa.select(sa.literal(name).label("name"), sa.func.count().label("rows")).select_from(sa.table(name))
            for name in names
        ]
    )
    return {str(name): int(rows) for name, rows in conn.execute(counts)}


def _check_target(conn: Connection, manifest: Manifest) -> bool:
    """Refuse a target that is at another migration or holds data; whether it is new (no tables: to be migrated)."""
    revision = schema_revision(conn)
    if revision is None:
        if not known_revision(manifest.schema_revision):
            raise BackupError(
                f"the backup is at migration {manifest.schema_revision}, which this version of the application does "
                "not have: restore it with the version that made it"
            )
        return True
    if revision != manifest.schema_revision:
        raise BackupError(
            f"the database is at migration {revision} and the backup at {manifest.schema_revision}: restore into a "
            "new, empty database (no tables), which is built at the backup's migration, then run `flask db upgrade`"
        )
    inspector = sa.inspect(conn)
    present = set(inspector.get_table_names())
    for table in manifest.tables:
        if table.name not in present:
            raise BackupError(f"the database has no table {table.name}")
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        if lacking := [name for name in table.columns if name not in columns]:
            raise BackupError(f"the database's table {table.name} has no column {lacking[0]}")
    holding = {
        name: rows
        for name, rows in _rows_by_table(conn, sorted(present - {"alembic_version"})).items()
        if rows and name not in SEEDED_BY_MIGRATIONS
    }
    if holding:
        listed = ", ".join(f"{name} ({rows} rows)" for name, rows in sorted(holding.items())[:5])
        raise BackupError(f"the database is not empty: {listed}; restore only into a new, empty database")
    return False


def _insert_statement(conn: Connection, table: TablePart) -> sa.Insert:
    """An INSERT of every column through plain types (JSON text cast to JSON on PostgreSQL)."""
    target = sa.table(table.name, *[sa.column(name) for name in table.columns])
    values: dict[str, Any] = {}
    for position, (name, kind) in enumerate(zip(table.columns, table.kinds, strict=True)):
        value: Any = sa.bindparam(f"v{position}", type_=PLAIN_TYPES[kind]())
        if kind == "json" and conn.dialect.name == "postgresql":
            value = sa.cast(value, postgresql.JSON)
        values[name] = value
    return sa.insert(target).values(values)


def _batches(rows: Iterator[list[Any]]) -> Iterator[list[list[Any]]]:
    while batch := list(islice(rows, INSERT_ROWS)):
        yield batch


def _load_table(conn: Connection, archive: zipfile.ZipFile, table: TablePart) -> None:
    """Insert a table's rows in batches; columns that refer to the same table are filled in afterwards, once every row
    they may name is there."""
    statement = _insert_statement(conn, table)
    later = {name: table.columns.index(name) for name in table.self_references}
    keys = [table.columns.index(name) for name in table.primary_key]
    pending: dict[str, list[dict[str, Any]]] = {name: [] for name in later}
    for batch in _batches(table_rows(archive, table)):
        for row in batch:
            for name, position in later.items():
                if row[position] is not None:
                    pending[name].append({"value": row[position], **{f"k{n}": row[k] for n, k in enumerate(keys)}})
                    row[position] = None
        conn.execute(statement, [{f"v{n}": value for n, value in enumerate(row)} for row in batch])
    for name, changes in pending.items():
        if not changes:
            continue
        target = sa.table(table.name, *[sa.column(column) for column in [name, *table.primary_key]])
        update = (
            sa.update(target)
            .where(*[target.c[key] == sa.bindparam(f"k{n}") for n, key in enumerate(table.primary_key)])
            .values({name: sa.bindparam("value")})
        )
        conn.execute(update, changes)


def _reset_sequences(conn: Connection, manifest: Manifest) -> None:
    """PostgreSQL: every sequence behind a restored column continues after the largest value restored."""
    if conn.dialect.name != "postgresql":
        return  # SQLite's next rowid follows the largest present by itself
    owned = conn.execute(
        sa.text(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL"
        )
    ).all()
    restored = {table.name for table in manifest.tables}
    for table, column, sequence in owned:
        if table in restored:
            largest = sa.select(sa.func.max(sa.column(column))).select_from(sa.table(table)).scalar_subquery()
            conn.execute(sa.select(sa.func.setval(sequence, sa.func.coalesce(largest, 0) + 1, False)))


def _unpack_files(archive: zipfile.ZipFile, manifest: Manifest) -> list[tuple[Path, Path]]:
    """Write the evidence files beside where they belong under temporary names: (temporary, final) pairs.

    A file already there with the same name must hold the same bytes; any other is refused (it belongs to nothing
    the backup knows, and overwriting it could lose evidence)."""
    folders = {folder.name: folder.path() for folder in EVIDENCE_FOLDERS}
    placed: list[tuple[Path, Path]] = []
    try:
        for file in manifest.files:
            if file.folder not in folders:
                raise BackupError(f"the backup holds files for a folder this application does not keep: {file.folder}")
            folder = folders[file.folder]
            folder.mkdir(parents=True, exist_ok=True)
            final, temporary = folder / file.name, folder / f".{file.name}.restoring"
            if final.exists() and sha256_of(final) != (file.sha256, file.size):
                raise BackupError(f"{final} already exists and differs from the backup's copy; move it away first")
            with archive.open(file.member) as reader, temporary.open("wb") as writer:
                while chunk := reader.read(CHUNK):
                    writer.write(chunk)
            placed.append((temporary, final))
    except BaseException:
        for temporary, _ in placed:
            temporary.unlink(missing_ok=True)
        raise
    return placed


def restore_backup(path: Path, progress: Callable[[str], None] | None = None) -> RestoreResult:
    """Load a backup into the app's database, which must be new (no tables) or empty and at the backup's migration.

    The whole file is checked first (format version, every checksum and row count): a damaged file changes nothing.
    Rows go in one transaction in dependency order, in batches; the evidence files are put in place once it commits.
    """
    manifest = verify_backup(path)
    db.session.remove()
    with db.engine.connect() as conn:
        migrate_first = _check_target(conn, manifest)
        conn.rollback()
    if migrate_first:
        upgrade(revision=manifest.schema_revision)
        with db.engine.connect() as conn:
            _check_target(conn, manifest)
            conn.rollback()
    with zipfile.ZipFile(path) as archive:
        placed = _unpack_files(archive, manifest)
        try:
            with db.engine.begin() as conn:  # BEGIN IMMEDIATE on SQLite: no writer slips in between
                _check_target(conn, manifest)
                restoring = {table.name for table in manifest.tables}
                for name in SEEDED_BY_MIGRATIONS:
                    if name in restoring:
                        conn.execute(sa.delete(sa.table(name)))
                for table in manifest.tables:
                    if progress:
                        progress(table.name)
                    _load_table(conn, archive, table)
                _reset_sequences(conn, manifest)
        except BaseException:
            for temporary, _ in placed:
                temporary.unlink(missing_ok=True)
            raise
    for temporary, final in placed:
        os.replace(temporary, final)
    return RestoreResult(manifest, migrate_first)
