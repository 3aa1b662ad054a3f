"""The backup file's format: a zip holding `manifest.json`, one JSON-lines file per table and the evidence files.

The manifest names the format and its version, the schema revision, when and from which kind of database the backup
was taken, each table's columns (with a portable kind per column), row count and SHA-256, and each evidence file's
size and SHA-256. A table's file holds one JSON array per row, values written by kind so that they come back exactly
on either database: dates, times and datetimes (naive UTC, as the app stores them) in ISO form, bytes in base64,
JSON columns as their stored text (so SQL NULL and JSON null stay apart).
"""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator, TypeEngine

FORMAT = "training-app-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup could not be taken or restored; the message says why in words an operator can act on."""


def column_kind(type_: TypeEngine[Any]) -> str:
    """The portable kind a column's values are written as."""
    if isinstance(type_, TypeDecorator):
        type_ = type_.impl_instance
    for cls, kind in (
        (sa.Boolean, "bool"),
        (sa.JSON, "json"),
        (sa.LargeBinary, "bytes"),
        (sa.DateTime, "datetime"),
        (sa.Date, "date"),
        (sa.Time, "time"),
        (sa.Float, "float"),
        (sa.Numeric, "decimal"),
        (sa.Integer, "int"),
        (sa.String, "str"),  # Text and the portable enums (VARCHAR) too
    ):
        if isinstance(type_, cls):
            return kind
    raise BackupError(f"a column of type {type_!r} cannot be backed up")


# The plain type each kind is read and written through: no model-level processing, so values pass unchanged.
PLAIN_TYPES: dict[str, Callable[[], TypeEngine[Any]]] = {
    "bool": sa.Boolean,
    "json": sa.Text,  # read as CAST(column AS TEXT), written through CAST(value AS JSON) on PostgreSQL
    "bytes": sa.LargeBinary,
    "datetime": sa.DateTime,
    "date": sa.Date,
    "time": sa.Time,
    "float": sa.Float,
    "decimal": lambda: sa.Numeric(asdecimal=True),
    "int": sa.BigInteger,
    "str": sa.Text,
}


def encode(kind: str, value: Any) -> Any:
    """A value as JSON can hold it."""
    if value is None:
        return None
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind == "decimal":
        return str(value)
    return value


def decode(kind: str, value: Any) -> Any:
    """A value read back from JSON, as the database takes it."""
    if value is None:
        return None
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value, validate=True)
    if kind == "decimal":
        return Decimal(value)
    return value


def row_line(kinds: list[str], row: Any) -> bytes:
    """One row as a line of the table's file."""
    values = [encode(kind, value) for kind, value in zip(kinds, row, strict=True)]
    return json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


@dataclass(frozen=True)
class TablePart:
    """A table as the manifest describes it."""

    name: str
    columns: list[str]
    kinds: list[str]
    primary_key: list[str]
    self_references: list[str]  # nullable columns referring to the same table: filled in after every row is in
    rows: int
    member: str
    sha256: str


@dataclass(frozen=True)
class FilePart:
    """An evidence file as the manifest describes it."""

    folder: str
    name: str
    size: int
    member: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a backup holds, read from its manifest."""

    schema_revision: str
    created_at: str
    source_dialect: str
    tables: list[TablePart]
    files: list[FilePart]

    @property
    def total_rows(self) -> int:
        """Rows in every table together."""
        return sum(table.rows for table in self.tables)


def manifest_json(manifest: Manifest) -> bytes:
    """The manifest as stored in the file."""
    document = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": manifest.schema_revision,
        "created_at": manifest.created_at,
        "source_dialect": manifest.source_dialect,
        "tables": [table.__dict__ for table in manifest.tables],
        "files": [file.__dict__ for file in manifest.files],
    }
    return json.dumps(document, indent=1).encode("utf-8")


def _parse_manifest(raw: bytes) -> Manifest:
    try:
        document = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BackupError("its manifest is not readable JSON") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError("it is not a backup made by this application")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise BackupError(f"it is in backup format version {version}; this application reads version {FORMAT_VERSION}")
    try:
        return Manifest(
            schema_revision=str(document["schema_revision"]),
            created_at=str(document["created_at"]),
            source_dialect=str(document["source_dialect"]),
            tables=[TablePart(**table) for table in document["tables"]],
            files=[FilePart(**file) for file in document["files"]],
        )
    except (KeyError, TypeError):
        raise BackupError("its manifest is incomplete") from None


def _member_digest(archive: zipfile.ZipFile, member: str) -> tuple[str, int, int]:
    """The member's SHA-256, size and number of lines, read in chunks."""
    digest, size, lines = hashlib.sha256(), 0, 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), size, lines


def _plain_name(name: str) -> bool:
    """Whether a name is one file's or folder's, going nowhere else (no separators, not hidden, not `..`)."""
    return bool(name) and Path(name).name == name and not name.startswith(".") and "\\" not in name


_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError, ValueError)


def verify_backup(path: Path) -> Manifest:
    """Read the whole file and check it against its manifest (format version, every checksum and row count);
    BackupError saying what is wrong when it is damaged or not a backup. Nothing is written."""
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                raw = archive.read(MANIFEST)
            except KeyError:
                raise BackupError("it has no manifest") from None
            manifest = _parse_manifest(raw)
            expected = {MANIFEST} | {t.member for t in manifest.tables} | {f.member for f in manifest.files}
            present = set(archive.namelist())
            if missing := sorted(expected - present):
                raise BackupError(f"it lacks {missing[0]}" + (f" and {len(missing) - 1} more" if missing[1:] else ""))
            if extra := sorted(present - expected):
                raise BackupError(f"it holds {extra[0]}, which its manifest does not list")
            for table in manifest.tables:
                sha256, _, lines = _member_digest(archive, table.member)
                if sha256 != table.sha256:
                    raise BackupError(f"table {table.name}'s checksum does not match the manifest")
                if lines != table.rows:
                    raise BackupError(f"table {table.name} holds {lines} rows where the manifest says {table.rows}")
            for file in manifest.files:
                if not _plain_name(file.folder) or not _plain_name(file.name):
                    where = f"{file.folder}/{file.name}"
                    raise BackupError(f"its manifest names an evidence file outside its folder: {where}")
                sha256, size, _ = _member_digest(archive, file.member)
                if sha256 != file.sha256 or size != file.size:
                    raise BackupError(f"evidence file {file.folder}/{file.name}'s checksum does not match the manifest")
    except BackupError as problem:
        raise BackupError(f"{path} cannot be restored: {problem}") from None
    except FileNotFoundError:
        raise BackupError(f"{path} does not exist") from None
    except _DAMAGE as error:
        raise BackupError(f"{path} is damaged or truncated ({error}); nothing was restored") from None
    return manifest


def table_rows(archive: zipfile.ZipFile, table: TablePart) -> Iterator[list[Any]]:
    """A table's rows, decoded, one at a time."""
    with archive.open(table.member) as stream:
        for number, line in enumerate(stream, start=1):
            values = json.loads(line)
            if len(values) != len(table.kinds):
                raise BackupError(
                    f"table {table.name}, row {number}: {len(values)} values for {len(table.kinds)} columns"
                )
            yield [decode(kind, value) for kind, value in zip(table.kinds, values, strict=True)]


def sha256_of(path: Path) -> tuple[str, int]:
    """A file's SHA-256 and size, read in chunks."""
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size
