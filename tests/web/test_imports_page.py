"""Imports from the browser: every error by line before anything is written, or a summary and a confirmation."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_user
from tests.imports.helpers import csv_text, table_counts
from tests.web.helpers import h1_of, signed_in, title_of
from training_app.extensions import db
from training_app.imports.examples import example_csv
from training_app.imports.service import KINDS
from training_app.models import AuditEvent, Authority, Role

HEADER = "code,name,partner,display_order"
CONTENT = re.compile(r'name="content"[^>]*value="([^"]+)"')


@pytest.fixture
def coordinator_client(app):
    with app.app_context():
        make_user(Role.COORDINATOR, email="importer@council.example")
        db.session.commit()
    return signed_in(app.test_client(), "importer@council.example")


def _upload(client, text: str | bytes, kind: str = "authorities", filename: str = "authorities.csv"):
    token = csrf_token_from(client.get("/imports").get_data(as_text=True))
    data = text.encode() if isinstance(text, str) else text
    return client.post(
        "/imports",
        data={"csrf_token": token, "kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def _authorities(app) -> list[str]:
    with app.app_context():
        return list(db.session.execute(sa.select(Authority.code).order_by(Authority.code)).scalars())


def test_a_bad_line_is_shown_with_nothing_written_then_the_fixed_file_imports(app, coordinator_client):
    with app.app_context():
        before = table_counts()

    bad = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1", "LEICESTER,Leicester,perhaps,2"))

    assert title_of(bad).startswith("Error: Import records")
    page = bad.get_data(as_text=True)
    assert "1 error in the authorities file: nothing has been imported" in page
    assert re.search(r">3</td>\s*<td[^>]*>partner: ", page)
    with app.app_context():
        assert table_counts() == before

    good = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1", "LEICESTER,Leicester,yes,2"))
    assert h1_of(good) == "Check the import"
    assert re.search(r'id="will-create">2<', good.get_data(as_text=True))
    assert _authorities(app) == []

    token = csrf_token_from(good.get_data(as_text=True))
    content = CONTENT.search(good.get_data(as_text=True)).group(1)
    done = coordinator_client.post(
        "/imports/confirm", data={"csrf_token": token, "kind": "authorities", "content": content}
    )
    assert done.headers["Location"] == "/imports"
    assert "Authorities: 2 created, 0 updated." in coordinator_client.get("/imports").get_data(as_text=True)
    assert _authorities(app) == ["LEICESTER", "RUTLAND"]
    with app.app_context():
        event = db.session.execute(sa.select(AuditEvent).filter_by(action="import")).scalar_one()
        assert event.actor == "importer@council.example"


def test_an_update_is_counted_as_one(app, coordinator_client):
    _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1"))
    first = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1"))
    token = csrf_token_from(first.get_data(as_text=True))
    content = CONTENT.search(first.get_data(as_text=True)).group(1)
    coordinator_client.post("/imports/confirm", data={"csrf_token": token, "kind": "authorities", "content": content})

    again = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland County,yes,1"))

    assert re.search(r'id="will-update">1<', again.get_data(as_text=True))


def test_a_confirmation_sent_twice_imports_once_and_a_new_check_imports_again(app, coordinator_client):
    checked = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1")).get_data(as_text=True)
    form = {
        "csrf_token": csrf_token_from(checked),
        "kind": "authorities",
        "content": CONTENT.search(checked).group(1),
        "confirmation": re.search(r'name="confirmation"[^>]*value="([^"]+)"', checked).group(1),
    }

    first = coordinator_client.post("/imports/confirm", data=form)
    again = coordinator_client.post("/imports/confirm", data=form)  # a second click, or the page sent again

    assert (first.status_code, again.status_code) == (302, 302)
    page = coordinator_client.get("/imports").get_data(as_text=True)
    assert "This file was imported already, at " in page and ": nothing was imported again." in page
    with app.app_context():
        imports = db.session.scalars(sa.select(AuditEvent.new_value).filter_by(action="import")).all()
        assert [new["created"] for new in imports] == [1]
    rechecked = _upload(coordinator_client, csv_text(HEADER, "RUTLAND,Rutland,yes,1")).get_data(as_text=True)
    assert re.search(r'id="will-update">1<', rechecked)  # checked again, the same file may be imported again


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        ("code,name\n", "authorities.xlsx", "The selected file must be a CSV"),
        ("", "authorities.csv", "The selected file is empty"),
        ("x" * 2048, "authorities.csv", "The selected file must be smaller than 1KB"),
    ],
)
def test_a_file_that_is_not_a_csv_or_too_large_gets_a_clear_message(
    app, coordinator_client, content, filename, message
):
    limit = app.config.get("IMPORT_MAX_BYTES")
    app.config["IMPORT_MAX_BYTES"] = 1024
    try:
        response = _upload(coordinator_client, content, filename=filename)
    finally:
        app.config["IMPORT_MAX_BYTES"] = limit

    assert title_of(response).startswith("Error: Import records")
    assert message in response.get_data(as_text=True)
    assert _authorities(app) == []


def test_a_file_that_is_not_text_is_a_whole_file_problem(app, coordinator_client):
    response = _upload(coordinator_client, b"\xff\xfe\x00binary")

    assert title_of(response).startswith("Error: Import records")
    assert "nothing has been imported" in response.get_data(as_text=True)


def test_every_kind_has_an_example_file_to_download(app, coordinator_client):
    for kind in KINDS:
        response = coordinator_client.get(f"/imports/examples/{kind}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.get_data(as_text=True) == example_csv(kind)
    assert coordinator_client.get("/imports/examples/nonsense.csv").status_code == 404


def test_a_tampered_confirmation_is_refused(app, coordinator_client):
    token = csrf_token_from(coordinator_client.get("/imports").get_data(as_text=True))

    response = coordinator_client.post(
        "/imports/confirm", data={"csrf_token": token, "kind": "users", "content": "eA=="}
    )

    assert response.status_code == 400
