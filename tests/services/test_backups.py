"""Backups (SPEC 3.11): `flask backup` and `flask restore` round trips between SQLite and PostgreSQL on the demo with
evidence files, refusals (a non-empty database, a damaged or truncated file, another format version) that change
nothing, and a backup taken while bookings are being made holding one moment's data.

The demo is seeded once per module into a source database of each kind (a SQLite file; PostgreSQL
`ta_backups_src_<worker>_<pid>`) and backed up once; each test restores into a new target (a SQLite file; PostgreSQL
`ta_backups_dst_<worker>_<pid>`, made afresh).
The PostgreSQL parts are skipped when no server answers.
"""

from __future__ import annotations

import json
import os
import threading
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade

from tests.factories import make_course, make_organisation, make_practitioner, make_session, make_user
from training_app import create_app
from training_app.extensions import db
from training_app.models import AuditEvent, Authority, AwarenessSignOff, Claim, Role
from training_app.services.awareness.evidence_files import attach_evidence
from training_app.services.backups.restore import SEEDED_BY_MIGRATIONS
from training_app.services.backups.schema import application_revision, scripts
from training_app.services.booking.bookings import book_place
from training_app.services.claims.claim_files import store_invoice

POSTGRES = sa.make_url(os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PDF_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 30


def _postgres_answers() -> bool:
    if not POSTGRES.drivername.startswith("postgresql"):
        return False
    engine = sa.create_engine(POSTGRES.set(database="postgres"), connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


needs_postgres = pytest.mark.skipif(not _postgres_answers(), reason="no PostgreSQL server answers")


def _own(name: str) -> str:
    """The database's name for this test process: each xdist worker (and each run beside another) has its own."""
    return f"{name}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"


def _fresh_postgres(name: str) -> str:
    """A new, empty PostgreSQL database (dropped first if a run left it behind)."""
    name = _own(name)
    engine = sa.create_engine(POSTGRES.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return POSTGRES.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(name: str) -> None:
    name = _own(name)
    engine = sa.create_engine(POSTGRES.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    engine.dispose()


def _app(url: str, folder: Path) -> Flask:
    """The app on its own database, with its own evidence folders."""
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key",
            "MAIL_SERVER": "",
            "MAIL_OUTBOX": str(folder / "outbox"),
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "GATHER_STATISTICS": False,
            "AWARENESS_EVIDENCE_FOLDER": str(folder / "awareness-evidence"),
            "CLAIM_EVIDENCE_FOLDER": str(folder / "claim-evidence"),
        }
    )


def _close(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


class Source:
    """A database holding the demo and evidence files, and the backup taken of it."""

    def __init__(self, app: Flask, backup: Path) -> None:
        self.app, self.backup = app, backup


def _make_source(url: str, folder: Path) -> Source:
    app = _app(url, folder)
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
        claim = db.session.scalars(sa.select(Claim).order_by(Claim.id).limit(1)).one()
        store_invoice(claim, "March invoice.pdf", PDF_BYTES, None)
        db.session.commit()
        sign_offs = db.session.scalars(sa.select(AwarenessSignOff).order_by(AwarenessSignOff.id).limit(2)).all()
        attach_evidence(sign_offs[0], "register.png", PNG_BYTES)
        attach_evidence(sign_offs[1], "scan.pdf", PDF_BYTES[:-3])
        db.session.remove()
    backup = folder / "backup.zip"
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(backup)])
    assert result.exit_code == 0, result.output
    assert f"backup written to {backup}" in result.output
    return Source(app, backup)


@pytest.fixture(scope="module")
def sqlite_source(tmp_path_factory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("sqlite-source")
    source = _make_source(f"sqlite:///{folder / 'source.sqlite3'}", folder)
    yield source
    _close(source.app)


@pytest.fixture(scope="module")
def postgresql_source(tmp_path_factory) -> Iterator[Source]:
    folder = tmp_path_factory.mktemp("postgres-source")
    source = _make_source(_fresh_postgres("ta_backups_src"), folder)
    yield source
    _close(source.app)
    _drop_postgres("ta_backups_src")


@pytest.fixture
def target(request, tmp_path) -> Iterator[Flask]:
    """A new database of the kind asked for (`sqlite` or `postgresql`), with no tables, and empty evidence folders."""
    if request.param == "postgresql":
        app = _app(_fresh_postgres("ta_backups_dst"), tmp_path)
    else:
        app = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    yield app
    _close(app)
    if request.param == "postgresql":
        _drop_postgres("ta_backups_dst")


def _source(request, kind: str) -> Source:
    return request.getfixturevalue(f"{kind}_source")


def _contents(app: Flask) -> dict[str, list[tuple]]:
    """Every row of every table, in key order; JSON columns as their stored text (SQL NULL apart from JSON null)."""
    with app.app_context():
        contents = {}
        for table in db.metadata.sorted_tables:
            columns = [sa.cast(c, sa.Text) if isinstance(c.type, sa.JSON) else c for c in table.columns]
            query = sa.select(*columns).order_by(*table.primary_key.columns)
            contents[table.name] = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
    return contents


def _files(app: Flask) -> dict[str, bytes]:
    found = {}
    for key in ("AWARENESS_EVIDENCE_FOLDER", "CLAIM_EVIDENCE_FOLDER"):
        folder = Path(app.config[key])
        if folder.is_dir():
            found |= {f"{folder.name}/{path.name}": path.read_bytes() for path in folder.iterdir()}
    return found


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        names = set(sa.inspect(db.engine).get_table_names())
        db.session.remove()
    return names


def _restore(app: Flask, backup: Path):
    return app.test_cli_runner().invoke(args=["restore", str(backup)])


ROUND_TRIPS = [
    pytest.param("sqlite", "sqlite", False, id="sqlite-to-sqlite"),
    pytest.param("sqlite", "postgresql", True, id="sqlite-to-postgresql", marks=needs_postgres),
    pytest.param("postgresql", "sqlite", True, id="postgresql-to-sqlite", marks=needs_postgres),
    pytest.param("postgresql", "postgresql", False, id="postgresql-to-postgresql", marks=needs_postgres),
]


@pytest.mark.parametrize(("source_kind", "target", "migrated_first"), ROUND_TRIPS, indirect=["target"])
def test_a_restore_brings_back_every_row_and_file(request, source_kind, target, migrated_first):
    """Every table's rows and every evidence file come back exactly, into a new database (built at the backup's
    migration) or one `flask db upgrade` made (whose reference rows the backup's replace); new rows then get new ids."""
    source = _source(request, source_kind)
    if migrated_first:
        with target.app_context():
            upgrade()
    result = _restore(target, source.backup)

    assert result.exit_code == 0, result.output
    assert f"restored {source.backup} (taken " in result.output
    assert ("built the new database at migration" in result.output) is not migrated_first
    expected, restored = _contents(source.app), _contents(target)
    assert set(restored) == set(expected)
    # The restore's commit raises the reports' data generation like any write, so answers kept before are counted again.
    assert restored.pop("report_generation") == [(1, expected.pop("report_generation")[0][1] + 1)]
    for name in expected:
        assert restored[name] == expected[name], name
    assert sum(len(rows) for rows in restored.values()) > 10_000
    assert len(restored["bookings"]) > 1000
    files = _files(target)
    assert files == _files(source.app)
    assert sorted(files.values()) == sorted([PDF_BYTES, PNG_BYTES, PDF_BYTES[:-3]])
    with target.app_context():  # PostgreSQL's sequences were moved past the restored ids
        authority = Authority(code="NEW", name="A new authority", partner=False, display_order=99)
        db.session.add(authority)
        db.session.commit()
        assert authority.id > max(row[0] for row in expected["authorities"])
        db.session.remove()


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgresql", marks=needs_postgres)], indirect=True)
def test_a_database_holding_data_is_refused(target, sqlite_source):
    """A second restore into the same database is refused with the tables that hold data; nothing changes."""
    assert _restore(target, sqlite_source.backup).exit_code == 0
    before, files_before = _contents(target), _files(target)

    result = _restore(target, sqlite_source.backup)

    assert result.exit_code == 1
    assert "the database is not empty: areas (" in result.output
    assert "restore only into a new, empty database" in result.output
    assert _contents(target) == before
    assert _files(target) == files_before


def _damaged(backup: Path, folder: Path, how: str) -> Path:
    data = bytearray(backup.read_bytes())
    damaged = folder / f"{how}.zip"
    if how.startswith("flipped"):
        member = "manifest.json" if how == "flipped-manifest" else "tables/bookings.jsonl"
        with zipfile.ZipFile(backup) as archive:  # a byte in the middle of the member's compressed bytes
            info = archive.getinfo(member)
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
        data[start + info.compress_size // 2] ^= 0x01
        damaged.write_bytes(bytes(data))
    elif how == "truncated":
        damaged.write_bytes(bytes(data[: len(data) * 2 // 3]))
    elif how == "edited":  # a row changed and the file rebuilt (so the zip's own checks pass), the manifest left alone
        with zipfile.ZipFile(backup) as archive, zipfile.ZipFile(damaged, "w") as copy:
            for info in archive.infolist():
                content = archive.read(info)
                if info.filename == "tables/authorities.jsonl":
                    content = content.replace(b"Leicester", b"Leicaster", 1)
                copy.writestr(info.filename, content)
    elif how == "newer-format":
        with zipfile.ZipFile(backup) as archive, zipfile.ZipFile(damaged, "w") as copy:
            for info in archive.infolist():
                content = archive.read(info)
                if info.filename == "manifest.json":
                    manifest = json.loads(content)
                    manifest["format_version"] = 2
                    content = json.dumps(manifest).encode()
                copy.writestr(info.filename, content)
    return damaged


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("flipped", "is damaged or truncated"),
        ("flipped-manifest", "is damaged or truncated"),
        ("truncated", "is damaged or truncated"),
        ("edited", "cannot be restored: table authorities's checksum does not match the manifest"),
        ("newer-format", "cannot be restored: it is in backup format version 2; this application reads version 1"),
    ],
)
@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgresql", marks=needs_postgres)], indirect=True)
def test_a_damaged_file_is_refused_and_nothing_is_written(target, sqlite_source, tmp_path, how, message):
    """The whole file is checked before anything is written: the new database stays without tables, the evidence
    folders stay empty, and the message says what is wrong."""
    damaged = _damaged(sqlite_source.backup, tmp_path, how)

    result = _restore(target, damaged)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert _tables(target) == set()
    assert _files(target) == {}


def test_a_backup_says_when_a_record_names_an_evidence_file_that_is_not_there(sqlite_source, tmp_path):
    target = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    assert _restore(target, sqlite_source.backup).exit_code == 0
    lost = next((tmp_path / "claim-evidence").iterdir())
    lost.unlink()

    result = target.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "again.zip")])

    assert result.exit_code == 0, result.output
    assert f"warning: evidence file claim-evidence/{lost.name} is named by a record but was not found" in result.output
    with zipfile.ZipFile(tmp_path / "again.zip") as archive:
        assert len(json.loads(archive.read("manifest.json"))["files"]) == 2
    _close(target)


def _with_manifest(backup: Path, copy_to: Path, **changes) -> Path:
    """A copy of the backup whose manifest says something else (the zip rebuilt, so only the manifest differs)."""
    with zipfile.ZipFile(backup) as archive, zipfile.ZipFile(copy_to, "w") as copy:
        for info in archive.infolist():
            content = archive.read(info)
            if info.filename == "manifest.json":
                content = json.dumps(json.loads(content) | changes).encode()
            copy.writestr(info.filename, content)
    return copy_to


def test_a_backup_naming_a_file_outside_the_evidence_folders_is_refused(sqlite_source, tmp_path):
    target = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    with zipfile.ZipFile(sqlite_source.backup) as archive:
        files = json.loads(archive.read("manifest.json"))["files"]
    files[0]["name"] = "../../escaped"
    crafted = _with_manifest(sqlite_source.backup, tmp_path / "crafted.zip", files=files)

    result = _restore(target, crafted)

    assert result.exit_code == 1
    assert "its manifest names an evidence file outside its folder: claim-evidence/../../escaped" in result.output
    assert _tables(target) == set()
    assert not (tmp_path.parent / "escaped").exists()
    _close(target)


def test_a_backup_from_a_version_this_one_does_not_know_is_refused(sqlite_source, tmp_path):
    target = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    newer = _with_manifest(sqlite_source.backup, tmp_path / "newer.zip", schema_revision="9999")

    result = _restore(target, newer)

    assert result.exit_code == 1
    assert "the backup is at migration 9999, which this version of the application does not have" in result.output
    assert _tables(target) == set()
    _close(target)


def test_a_database_at_another_migration_is_refused(sqlite_source, tmp_path):
    """Restoring into a database migrated to an earlier point, and backing one up, are both refused with the fix."""
    target = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    with target.app_context():
        head = application_revision()
        earlier = scripts().get_revision(head).down_revision
        upgrade(revision=earlier)
        db.session.remove()
    restored = _restore(target, sqlite_source.backup)
    backed_up = target.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "old.zip")])

    assert restored.exit_code == 1
    assert f"the database is at migration {earlier} and the backup at {head}: restore into a new, empty" in (
        restored.output
    )
    assert backed_up.exit_code == 1
    assert f"the database is at migration {earlier}, this application at {head}; run `flask db upgrade` first" in (
        backed_up.output
    )
    assert not (tmp_path / "old.zip").exists()
    assert not list(tmp_path.glob(".old.zip*"))
    _close(target)


def test_a_missing_file_is_refused(tmp_path):
    app = _app(f"sqlite:///{tmp_path / 'target.sqlite3'}", tmp_path)
    result = _restore(app, tmp_path / "nowhere.zip")
    assert result.exit_code == 1
    assert "nowhere.zip does not exist" in result.output
    _close(app)


@pytest.mark.parametrize("target", ["sqlite", pytest.param("postgresql", marks=needs_postgres)], indirect=True)
def test_a_backup_taken_while_bookings_are_made_holds_one_moment(target, sqlite_source, tmp_path):
    """Bookings are made one after another (each with its audit entry, in one transaction) while the backup reads:
    the file holds every booking whose audit entry it holds and no other, and its counts match its rows."""
    assert _restore(target, sqlite_source.backup).exit_code == 0
    with target.app_context():
        course = make_course(code="BUSY")
        session = make_session(course=course, days=(date.today() + timedelta(days=60),), capacity=5, code="S-BUSY")
        coordinator = make_user(Role.COORDINATOR, email="busy-coordinator@council.example")
        organisation = make_organisation(code="BUSYORG")
        db.session.commit()
        ids = (session.id, coordinator.id, organisation.id)
        db.session.remove()
    stop, made, problems = threading.Event(), [], []

    def book_while_backing_up() -> None:
        with target.app_context():
            try:
                while not stop.is_set():
                    training = db.session.get(type(session), ids[0])
                    person = make_practitioner(organisation=db.session.get(type(organisation), ids[2]))
                    db.session.commit()
                    made.append(book_place(training, person, db.session.get(type(coordinator), ids[1])).id)
            except Exception as error:  # noqa: BLE001 - reported by the test below
                problems.append(error)
            finally:
                db.session.remove()

    writer = threading.Thread(target=book_while_backing_up)
    writer.start()
    try:
        while len(made) < 3 and not problems:
            threading.Event().wait(0.05)
        before = len(made)
        result = target.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "busy.zip")])
        during = len(made)
    finally:
        stop.set()
        writer.join()
    assert not problems, problems
    assert result.exit_code == 0, result.output
    assert during > before  # bookings went on while it read

    with zipfile.ZipFile(tmp_path / "busy.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        tables = {table["name"]: table for table in manifest["tables"]}
        rows = {name: archive.read(table["member"]).decode().splitlines() for name, table in tables.items()}
    for name, table in tables.items():
        assert len(rows[name]) == table["rows"], name

    def column(name: str, wanted: str) -> int:
        return tables[name]["columns"].index(wanted)

    bookings = {
        json.loads(line)[column("bookings", "id")]
        for line in rows["bookings"]
        if json.loads(line)[column("bookings", "session_id")] == ids[0]
    }
    audited = {
        json.loads(line)[column("audit_events", "entity_id")]
        for line in rows["audit_events"]
        if json.loads(line)[column("audit_events", "entity_type")] == "booking"
        and json.loads(line)[column("audit_events", "entity_id")] in set(made)
    }
    assert bookings, "the backup holds some of the bookings made"
    assert bookings == audited
    assert bookings <= set(made)
    assert len(bookings) >= before  # everything committed before it began
    with target.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) > 0
        db.session.remove()


def test_the_migrations_seed_only_the_tables_a_restore_replaces(tmp_path):
    """A database `flask db upgrade` just made holds rows only in SEEDED_BY_MIGRATIONS (the restore's idea of empty)."""
    app = _app(f"sqlite:///{tmp_path / 'new.sqlite3'}", tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            holding = {
                table.name
                for table in db.metadata.sorted_tables
                if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            }
        db.session.remove()
    _close(app)
    assert holding == set(SEEDED_BY_MIGRATIONS)
