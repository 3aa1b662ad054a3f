"""An import confirmed ten times at once, and the dashboard's figures refreshed ten times at once, on a 4-worker
server (issue 24): the file is imported once (its people once, one audit entry), and every refresh answers without
an error leaving one summary row per scope. SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from collections import Counter

import requests
import sqlalchemy as sa

from tests.factories import PASSWORD, make_authority, make_organisation, make_user
from training_app.extensions import db
from training_app.models import AuditEvent, DashboardSummary, Practitioner, Role

from .server import all_at_once, form_token, signed_in
from .test_simultaneous_decisions import _browsers, _post_form

TIMEOUT = 120
HIDDEN = re.compile(r'<input[^>]*name="(kind|content|confirmation)"[^>]*value="([^"]*)"')
PEOPLE = (
    "email,first_name,last_name,job_title,organisation,group,authorities,cover_category\n"
    + "".join(f"person{n}@school.example,Pat,Person{n},Teacher,SCHOOL-G,3,LEICESTER,teacher\n" for n in range(25))
).encode()


def _checked_file(server_url: str, browser: requests.Session) -> dict[str, str]:
    """Upload the file and check it, as the import page does: the confirmation form's hidden fields."""
    token = form_token(browser, server_url + "/imports")
    files = {"file": ("people.csv", PEOPLE, "text/csv")}
    data = {"csrf_token": token, "kind": "practitioners"}
    page = browser.post(server_url + "/imports", data=data, files=files, allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 200 and 'id="will-create">25<' in page.text, page.text[-2000:]
    return {name: html.unescape(value) for name, value in HIDDEN.findall(page.text)}


def test_one_import_confirmed_ten_times_at_once_imports_once(app, app_ctx, shared_live_server):
    make_organisation(authority=make_authority("LEICESTER", "Leicester City"), code="SCHOOL-G")
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    db.session.commit()
    server = shared_live_server
    checked = _checked_file(server.url, signed_in(server, "coordinator@council.example", PASSWORD))
    # ten tabs of the one confirmation page (or one impatient double click): the same checked file each time
    browsers = _browsers(server, "coordinator@council.example", 10, "/imports")
    url = server.url + "/imports/confirm"

    answers = all_at_once([_post_form(b, url, checked | {"csrf_token": t}) for b, t in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 10}, server.log()[-3000:]
    told = [browser.get(server.url + "/imports", timeout=TIMEOUT).text for browser, _ in browsers]
    assert sorted("25 created, 0 updated" in page for page in told) == [False] * 9 + [True]
    assert sum("This file was imported already, at " in page for page in told) == 9
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Practitioner)) == 25
    imports = db.session.scalars(sa.select(AuditEvent.new_value).where(AuditEvent.action == "import")).all()
    assert [{key: value for key, value in new.items() if key != "confirmation"} for new in imports] == [
        {"created": 25, "updated": 0, "rows": 25}
    ]
    assert "Traceback" not in server.log()


def test_ten_refreshes_of_the_dashboard_at_once_keep_one_summary(app, app_ctx, shared_live_server):
    make_user(Role.COORDINATOR, email="coordinator@council.example")
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, "coordinator@council.example", 10, "/")
    url = server.url + "/dashboard/refresh"

    answers = all_at_once([_post_form(b, url, {"csrf_token": t}) for b, t in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 10}, server.log()[-3000:]
    db.session.expire_all()
    assert db.session.scalars(sa.select(DashboardSummary.scope)).all() == ["all"]
    assert "Traceback" not in server.log()
