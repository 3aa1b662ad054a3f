"""Secret links made twice at once on a 4-worker server: an invitation sent again from two pages, a trainer's calendar
feed made from two pages, ten password resets asked for one address. Each ends with the one link that works, in the
one email or page that shows it, and the reset limit holds. SQLite and PostgreSQL (where each of these raced before
the account, the trainer or the address was locked)."""

from __future__ import annotations

import re
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

import requests
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD, make_trainer, make_user
from tests.outbox import link_in
from training_app.extensions import db
from training_app.models import AccountLink, LinkPurpose, OutgoingMail, ResetRequest, Role, Trainer, hash_token
from training_app.services.accounts.account_links import RESETS_PER_ADDRESS, invite_user
from training_app.services.sessions import calendars

from .server import LiveServer, all_at_once, signed_in
from .test_simultaneous_decisions import _actions, _post_form

TIMEOUT = 120
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([a-z_-]+)="([^"]*)"')


def form_fields(html: str, action: str) -> dict[str, str]:
    """The hidden fields of the page's form posting to `action`, as the browser would send them."""
    start = html.index(f'action="{action}"')
    form = html[start : html.index("</form>", start)]
    fields = {}
    for tag in INPUT.findall(form):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden":
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def _pages(server: LiveServer, email: str, count: int, page: str, action: str) -> list[tuple[requests.Session, dict]]:
    """`count` browsers signed in as the same person, each with the page open: the form's fields it would send."""
    opened = []
    for _ in range(count):
        browser = signed_in(server, email, PASSWORD)
        answer = browser.get(server.url + page, timeout=TIMEOUT)
        assert answer.status_code == 200, f"{page} answered {answer.status_code}"
        opened.append((browser, form_fields(answer.text, action)))
    return opened


def _emails_to(address: str) -> list[EmailMessage]:
    raws = db.session.scalars(
        sa.select(OutgoingMail.raw).where(OutgoingMail.recipients.contains(address)).order_by(OutgoingMail.id)
    )
    return [message_from_bytes(raw, policy=policy.default) for raw in raws]  # type: ignore[misc]


def _working_links(user_id: int, purpose: LinkPurpose) -> list[str]:
    query = sa.select(AccountLink.token_hash).where(
        AccountLink.user_id == user_id, AccountLink.purpose == purpose, AccountLink.used_at.is_(None)
    )
    return list(db.session.scalars(query))


def test_an_invitation_sent_again_from_two_pages_at_once_is_sent_once(app, app_ctx, shared_live_server):
    admin = make_user(Role.ADMIN, email="admin@council.example")
    invited = invite_user("newcomer@council.example", Role.COORDINATOR, "http://x/set-password/{}".format, admin)
    user_id = invited.id
    db.session.commit()
    server = shared_live_server
    action = f"/admin/users/{user_id}/resend-invitation"
    pages = _pages(server, "admin@council.example", 2, f"/admin/users/{user_id}", action)

    answers = all_at_once([_post_form(browser, server.url + action, form) for browser, form in pages], TIMEOUT)

    assert [answer.status_code for answer in answers] == [302, 302], server.log()[-3000:]
    db.session.expire_all()
    [working] = _working_links(user_id, LinkPurpose.INVITATION)
    first, *sent_again = _emails_to("newcomer@council.example")
    assert len(sent_again) == 1  # one email, with the one link that works
    assert hash_token(link_in(sent_again[0]).rsplit("/", 1)[1]) == working
    assert len(_actions("invitation_resent")) == 1
    assert "Traceback" not in server.log()


def test_a_calendar_feed_made_from_two_pages_at_once_is_made_once(app, app_ctx, shared_live_server):
    user = make_user(Role.PRACTITIONER, email="teacher@council.example")
    trainer = make_trainer("Tess Teacher", user=user)
    old_token = calendars.issue_feed_token(trainer, "test")  # subscribed already: a new address replaces it
    trainer_id = trainer.id
    db.session.commit()
    server = shared_live_server
    action = f"/sessions/trainers/{trainer_id}/feed"
    pages = _pages(server, "teacher@council.example", 2, "/sessions/calendar-feed", action)

    answers = all_at_once([_post_form(browser, server.url + action, form) for browser, form in pages], TIMEOUT)

    assert sorted(answer.status_code for answer in answers) == [200, 409], server.log()[-3000:]
    made = next(answer for answer in answers if answer.status_code == 200)
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert "a moment ago" in refused.text and 'id="feed-url"' not in refused.text
    shown = re.search(r'<code id="feed-url">(.*?)</code>', made.text).group(1)
    path = "/" + shown.split("/", 3)[3]
    assert requests.get(server.url + path, timeout=TIMEOUT).status_code == 200  # the address the page showed works
    assert requests.get(f"{server.url}/calendar/{old_token}.ics", timeout=TIMEOUT).status_code == 404
    db.session.expire_all()
    token = path.removeprefix("/calendar/").removesuffix(".ics")
    assert db.session.get(Trainer, trainer_id).feed_token_hash == calendars.token_hash(token)
    assert len(_actions("trainer_feed_issued")) == 2  # the one made before the rush, and one of the two


def test_ten_password_resets_asked_at_once_send_no_more_than_the_limit(app, app_ctx, shared_live_server):
    user_id = make_user(Role.COORDINATOR, email="forgetful@council.example").id
    db.session.commit()
    server = shared_live_server
    browsers = []
    for _ in range(10):
        browser = requests.Session()
        token = csrf_token_from(browser.get(server.url + "/password-reset", timeout=TIMEOUT).text)
        browsers.append((browser, {"csrf_token": token, "email": "forgetful@council.example"}))

    answers = all_at_once([_post_form(b, server.url + "/password-reset", form) for b, form in browsers], TIMEOUT)

    limit = RESETS_PER_ADDRESS
    assert Counter(answer.status_code for answer in answers) == {200: limit, 429: 10 - limit}, server.log()[-3000:]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResetRequest)) == limit
    emails = _emails_to("forgetful@council.example")
    assert len(emails) == limit
    [working] = _working_links(user_id, LinkPurpose.PASSWORD_RESET)  # only the newest link works, and was sent
    assert working in {hash_token(link_in(email).rsplit("/", 1)[1]) for email in emails}


def test_a_calendar_feed_turned_off_from_two_pages_at_once_is_turned_off_once(app, app_ctx, shared_live_server):
    user = make_user(Role.PRACTITIONER, email="teacher@council.example")
    trainer = make_trainer("Tess Teacher", user=user)
    old_token = calendars.issue_feed_token(trainer, "test")
    trainer_id = trainer.id
    db.session.commit()
    server = shared_live_server
    action = f"/sessions/trainers/{trainer_id}/feed/revoke"
    pages = _pages(server, "teacher@council.example", 2, "/sessions/calendar-feed", action)

    answers = all_at_once([_post_form(browser, server.url + action, form) for browser, form in pages], TIMEOUT)

    assert [answer.status_code for answer in answers] == [302, 302], server.log()[-3000:]
    told = [
        browser.get(server.url + answer.headers["Location"], timeout=TIMEOUT).text
        for (browser, _), answer in zip(pages, answers, strict=True)
    ]
    assert sum("is turned off." in page for page in told) == 1
    assert sum("was already off" in page for page in told) == 1
    assert requests.get(f"{server.url}/calendar/{old_token}.ics", timeout=TIMEOUT).status_code == 404
    db.session.expire_all()
    assert db.session.get(Trainer, trainer_id).feed_token_hash is None
    assert _actions("trainer_feed_revoked") == [("trainer_feed_revoked", {"had_feed": True}, {"had_feed": False})]
