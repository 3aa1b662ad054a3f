"""Fixtures for the concurrency tests: a real multi-worker server on the test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import LiveServer, app_environment, start_server


@pytest.fixture
def live_server(app, tmp_path) -> Iterator[LiveServer]:
    """gunicorn with 4 sync workers on the `app` fixture's database; stopped before the tables are emptied."""
    server = start_server(app_environment(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path), tmp_path, workers=4)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="package")
def shared_live_server(app, tmp_path_factory) -> Iterator[LiveServer]:
    """One such server for the tests that take it (starting one costs seconds, many on a busy machine). Each test's
    rows go when it ends, so the server only ever sees the test at hand's; for tests whose requests leave nothing
    behind in the workers (no caches they rely on, no cookies carried over)."""
    workdir = tmp_path_factory.mktemp("server")
    server = start_server(app_environment(app.config["SQLALCHEMY_DATABASE_URI"], workdir), workdir, workers=4)
    try:
        yield server
    finally:
        server.stop()
