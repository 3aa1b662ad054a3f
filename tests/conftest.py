"""Test guard rails: one migrated database per run, emptied after every test; CSRF stays on.

Set TEST_DATABASE_URL (postgresql+psycopg://...) to run the whole suite on PostgreSQL; the default is
a SQLite file in a temporary folder. Under pytest-xdist (`-n 2`) each worker has a database of its own: its own
temporary folder on SQLite, and on PostgreSQL the named database with the worker's id after it, made if missing.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from training_app import create_app
from training_app.extensions import db
from training_app.models import EvaluationQuestion
from training_app.services.evaluation.evaluation_forms import DEFAULT_FORM

KEEP_TABLES = {"alembic_version", "responsibility_groups"}


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker and url.startswith("postgresql") else url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")


def _worker_database(url: str, worker: str) -> str:
    """`.../training_app_test` for worker gw1 becomes `.../training_app_test_gw1`, created on first use."""
    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        if not conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}).first():
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _reset_postgresql_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    """The app on a database built by the migrations, as production builds it."""
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgresql_schema(url)
    instance = tmp_path_factory.mktemp("instance")
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "test-secret-key",
            "SESSION_COOKIE_SECURE": False,
            "REMEMBER_COOKIE_SECURE": False,
            "MAIL_SERVER": "",
            # scrypt costs a tenth of a second a hash, and the suite makes and checks thousands of passwords.
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "MAIL_OUTBOX": str(instance / "outbox"),
            # Emptied by DELETE between tests: ANALYZE then would tell PostgreSQL every table is empty for good.
            "GATHER_STATISTICS": False,
        }
    )
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# The demo loaded by `shared_demo`, kept from one test that only reads it to the next (None: not loaded).
_shared_demo: dict[str, object] = {"result": None}


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every table but the reference data after each test that used the database.

    Tests that take `shared_demo` only read the demo, so it stays for the next of them; any other test that uses the
    database finds it emptied first.
    """
    sharing = "shared_demo" in request.fixturenames
    if not sharing and _shared_demo["result"] is not None and "app" in request.fixturenames:
        _empty_database(request.getfixturevalue("app"))
    yield
    if "app" not in request.fixturenames or sharing:
        return
    _empty_database(request.getfixturevalue("app"))


def _empty_database(app) -> None:
    _shared_demo["result"] = None
    with app.app_context():
        db.session.remove()
        tables = [t for t in reversed(db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name != "postgresql":
                for table in tables:
                    conn.execute(table.delete())
                _default_evaluation_form(conn)
                return
            # One round trip: every DELETE, then ids start at 1 again, as SQLite's do. DELETE and setval take
            # milliseconds where TRUNCATE of every table took most of a second, once per test; a statement a
            # table took 16 ms.
            quote = conn.dialect.identifier_preparer.format_table
            conn.exec_driver_sql(
                "".join(f"DELETE FROM {quote(table)}; " for table in tables)
                + "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c JOIN pg_namespace n ON n.oid = "
                "c.relnamespace WHERE c.relkind = 'S' AND n.nspname = 'public'"
            )
            _default_evaluation_form(conn)


def _default_evaluation_form(conn) -> None:
    """The partnership's default evaluation form, which migration 0033 puts in every fresh database."""
    conn.execute(
        EvaluationQuestion.__table__.insert(),
        [
            {"course_id": None, "position": n, "text": text, "kind": kind.value, "required": required}
            for n, (text, kind, required) in enumerate(DEFAULT_FORM, start=1)
        ],
    )


@pytest.fixture
def shared_demo(app, app_ctx):
    """The demo partnership loaded by `flask seed demo` (the click result), for tests that only read it.

    Loaded once and kept while tests taking this fixture follow one another, since loading costs seconds; a test
    that changes anything must seed its own copy instead.
    """
    if _shared_demo["result"] is None:
        _empty_database(app)
        result = app.test_cli_runner().invoke(args=["seed", "demo"])
        assert result.exit_code == 0, result.output
        _shared_demo["result"] = result
    return _shared_demo["result"]


@pytest.fixture
def app_ctx(app):
    """An application context with a fresh session."""
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


class Statements:
    """The SQL statements the app's engine sent while a `count_statements` block ran, in order."""

    def __init__(self) -> None:
        self.sql: list[str] = []

    def __len__(self) -> int:
        return len(self.sql)

    @property
    def count(self) -> int:
        return len(self.sql)

    def starting(self, *words: str) -> list[str]:
        """Those whose first word is one of these (`SELECT`, `INSERT`, ...), whatever its case."""
        wanted = {word.upper() for word in words}
        return [sql for sql in self.sql if sql.lstrip().split(None, 1)[0].upper() in wanted]

    def mentioning(self, text: str) -> list[str]:
        """Those whose text holds this, whatever its case."""
        return [sql for sql in self.sql if text.lower() in sql.lower()]


@pytest.fixture
def count_statements(app) -> Callable[[], AbstractContextManager[Statements]]:
    """`with count_statements() as statements:` records every statement the app's engine sends in the block
    (through SQLAlchemy's `before_cursor_execute` event, so the ORM's, Core's and raw ones alike); `len(statements)`
    counts them and `statements.sql` lists them."""
    with app.app_context():
        engine = db.engine

    @contextmanager
    def counting() -> Iterator[Statements]:
        statements = Statements()

        def record(conn, cursor, statement, parameters, context, executemany) -> None:
            statements.sql.append(statement)

        sa.event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            sa.event.remove(engine, "before_cursor_execute", record)

    return counting


CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token in a rendered form."""
    match = CSRF_PATTERN.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)
