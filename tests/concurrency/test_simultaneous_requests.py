"""Many people at once on a 4-worker server: sign-ins, API tokens, reads and a CSV import, and never a 5xx."""

from __future__ import annotations

import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_authority, make_practitioner, make_session
from training_app.extensions import db
from training_app.models import ApiToken, Practitioner, Role, SignInFailure, User
from training_app.services.accounts.accounts import create_user, issue_api_token

from .server import LiveServer, all_at_once, run_flask

WRONG_DETAILS = "Enter a correct email address and password"
PRACTITIONERS_HEADER = "email,first_name,last_name,job_title,organisation,group,authorities,cover_category"
IMPORTED = 400
TIMEOUT = 60


@dataclass
class Reply:
    """One request's answer, labelled with who sent it."""

    who: str
    response: requests.Response


@dataclass
class People:
    """The committed accounts and tokens the test fires with."""

    session_code: str
    signers: list[str]
    shared: str
    forgetful: str
    mistaken: list[str]
    fresh_tokens: dict[str, str]
    reader_tokens: list[str]


def _people(app) -> People:
    """Accounts made through the services, committed before the server is hit."""
    with app.app_context():
        rutland = make_authority("RUTLAND", "Rutland")
        session_code = make_session(code="S-CONCURRENT", host=rutland).code

        def user(email: str, role: Role = Role.COORDINATOR) -> User:
            return create_user(email, role, PASSWORD)

        signers = [user(f"signer{i}@council.example").email for i in range(10)]
        shared = user("shared@council.example", Role.ADMIN).email
        forgetful = user("forgetful@council.example", Role.FINANCE).email
        mistaken = [user(f"mistaken{i}@council.example").email for i in range(4)]
        for i in range(12):  # a practitioner's account joins the practitioner record with its email
            make_practitioner(email=f"api{i}@council.example")
        api_users = [user(f"api{i}@council.example", Role.PRACTITIONER) for i in range(12)]
        fresh_tokens = {issue_api_token(api_user): api_user.email for api_user in api_users}
        reader = user("reader@council.example")
        reader_tokens = [issue_api_token(reader) for _ in range(4)]
        db.session.commit()
    return People(session_code, signers, shared, forgetful, mistaken, fresh_tokens, reader_tokens)


def _sign_in(server: LiveServer, email: str, password: str) -> Callable[[], list[Reply]]:
    """Open the sign-in page now; the returned call sends the form and, when let in, opens the dashboard."""
    browser = requests.Session()
    page = browser.get(server.url + "/sign-in", timeout=TIMEOUT)
    assert page.status_code == 200
    form = {"csrf_token": csrf_token_from(page.text), "email": email, "password": password}

    def send() -> list[Reply]:
        posted = browser.post(server.url + "/sign-in", data=form, allow_redirects=False, timeout=TIMEOUT)
        replies = [Reply(email, posted)]
        if posted.status_code == 302:
            replies.append(Reply(email, browser.get(server.url + posted.headers["Location"], timeout=TIMEOUT)))
        return replies

    return send


def _me(server: LiveServer, token: str, email: str) -> Callable[[], list[Reply]]:
    def call() -> list[Reply]:
        response = requests.get(server.url + "/api/v1/me", headers=_bearer(token), timeout=TIMEOUT)
        return [Reply(email, response)]

    return call


def _read_until(server: LiveServer, token: str, done: threading.Event) -> Callable[[], list[Reply]]:
    """Keep listing sessions until the import has finished: reads must keep answering while it writes."""

    def call() -> list[Reply]:
        replies = []
        while not replies or not done.is_set():
            response = requests.get(server.url + "/api/v1/sessions", headers=_bearer(token), timeout=TIMEOUT)
            replies.append(Reply("reader", response))
        return replies

    return call


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_simultaneous_sign_ins_token_calls_reads_and_an_import_all_get_their_answer(app, live_server, tmp_path):
    people = _people(app)
    server = live_server
    for token in people.reader_tokens:  # used a moment ago, so reading sessions writes nothing
        assert requests.get(server.url + "/api/v1/me", headers=_bearer(token), timeout=TIMEOUT).status_code == 200
    csv_path = tmp_path / "practitioners.csv"
    rows = [f"imported{i}@example.org,Pat,Imported{i},,,,RUTLAND," for i in range(IMPORTED)]
    csv_path.write_text("\n".join([PRACTITIONERS_HEADER, *rows]) + "\n", encoding="utf-8")
    import_done = threading.Event()

    def run_import() -> subprocess.CompletedProcess[str]:
        try:
            return run_flask(server.env, "import", "practitioners", str(csv_path))
        finally:
            import_done.set()

    nobody = [f"nobody{i}@council.example" for i in range(2)]
    tokens = list(people.fresh_tokens.items())
    groups: dict[str, list[Callable[[], Any]]] = {
        "sign-ins": [_sign_in(server, email, PASSWORD) for email in people.signers]
        + [_sign_in(server, people.shared, PASSWORD) for _ in range(4)],
        "mistakes": [_sign_in(server, people.forgetful, "not the password") for _ in range(4)]
        + [_sign_in(server, email, "not the password") for email in people.mistaken + nobody],
        "token calls": [_me(server, token, email) for token, email in tokens + tokens[:8]],
        "reads": [_read_until(server, token, import_done) for token in people.reader_tokens * 2],
    }
    assert sum(len(calls) for calls in groups.values()) >= 50
    groups["import"] = [run_import]

    results = iter(all_at_once([call for calls in groups.values() for call in calls], timeout=TIMEOUT * 2))
    answers = {name: [next(results) for _ in calls] for name, calls in groups.items()}

    replies = [reply for name, group in answers.items() if name != "import" for result in group for reply in result]
    server_errors = Counter(
        f"{reply.response.request.method} {urlsplit(reply.response.url).path}"
        for reply in replies
        if reply.response.status_code >= 500
    )
    assert not server_errors, f"{server_errors.total()} of {len(replies)} requests failed with a 5xx: {server_errors}"
    log = server.log()
    assert "database is locked" not in log
    assert "Unhandled error" not in log

    for posted, dashboard in answers["sign-ins"]:
        assert (posted.response.status_code, posted.response.headers["Location"]) == (302, "/")
        assert dashboard.response.status_code == 200
        assert posted.who in dashboard.response.text  # the dashboard of the person who signed in
    for [refused] in answers["mistakes"]:
        assert refused.response.status_code == 200
        assert WRONG_DETAILS in refused.response.text
    for [answer] in answers["token calls"]:
        assert answer.response.status_code == 200
        assert (answer.response.json()["email"], answer.response.json()["role"]) == (answer.who, "practitioner")
    for result in answers["reads"]:
        for reply in result:
            assert reply.response.status_code == 200
            assert [session["code"] for session in reply.response.json()["sessions"]] == [people.session_code]

    [imported] = answers["import"]
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == f"imported {IMPORTED} practitioners ({IMPORTED} created, 0 updated)"
    with app.app_context():
        emails = set(db.session.scalars(sa.select(Practitioner.email).where(Practitioner.email.like("imported%"))))
        assert emails == {f"imported{i}@example.org" for i in range(IMPORTED)}
        failures = dict(
            db.session.execute(sa.select(SignInFailure.email, sa.func.count()).group_by(SignInFailure.email)).all()
        )
        assert failures == {people.forgetful: 4} | dict.fromkeys(people.mistaken + nobody, 1)  # none lost
        signed_in = sa.select(User.email).where(User.last_sign_in_at.is_not(None))
        assert set(db.session.scalars(signed_in)) == {*people.signers, people.shared}
        unused = sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.last_used_at.is_(None))
        assert db.session.scalar(unused) == 0
