"""A page that makes a secret link again names the link it showed: sent twice from one page (a double click, a page
left open), the second is told a new one was made a moment ago and nothing more is sent or replaced."""

from __future__ import annotations

import re

import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import make_trainer, make_user
from tests.outbox import emails_to
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import AuditEvent, Role, Trainer
from training_app.services.accounts.account_links import invite_user

REPLACING = re.compile(r'<input type="hidden" name="replacing" value="([^"]*)">')


def _form(page: str, action: str) -> dict[str, str]:
    """What the page's form posting to `action` sends: its CSRF token and the link it names."""
    start = page.index(f'action="{action}"')
    form = page[start : page.index("</form>", start)]
    return {"csrf_token": csrf_token_from(form), "replacing": REPLACING.search(form).group(1)}


def _audited(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).filter_by(action=action))


def test_an_invitation_sent_again_twice_from_one_page_is_sent_once(app, client):
    with app.app_context():
        admin = make_user(Role.ADMIN, email="admin@council.example")
        user_id = invite_user("resent.twice@council.example", Role.COORDINATOR, "http://x/{}".format, admin).id
    signed_in(client, "admin@council.example")
    action = f"/admin/users/{user_id}/resend-invitation"
    form = _form(client.get(f"/admin/users/{user_id}").get_data(as_text=True), action)
    assert form["replacing"]  # the invitation it shows

    first = client.post(action, data=form, follow_redirects=True).get_data(as_text=True)
    second = client.post(action, data=form, follow_redirects=True).get_data(as_text=True)

    assert "A new invitation has been sent to resent.twice@council.example" in first
    assert "A new invitation was sent to resent.twice@council.example a moment ago" in second
    assert len(emails_to(app, "resent.twice@council.example")) == 2  # the invitation, and one sent again
    with app.app_context():
        assert _audited("invitation_resent") == 1


def test_a_feed_address_made_twice_from_one_page_is_made_once(app, client):
    with app.app_context():
        trainer_id = make_trainer("Tess Teacher", user=make_user(Role.PRACTITIONER, email="tess@council.example")).id
        db.session.commit()
    signed_in(client, "tess@council.example")
    action = f"/sessions/trainers/{trainer_id}/feed"
    form = _form(client.get("/sessions/calendar-feed").get_data(as_text=True), action)
    assert form["replacing"] == ""  # no feed yet

    first = client.post(action, data=form)
    second = client.post(action, data=form)

    assert first.status_code == 200 and 'id="feed-url"' in first.get_data(as_text=True)
    assert second.status_code == 409
    page = second.get_data(as_text=True)
    assert "A new feed address for Tess Teacher was made a moment ago" in page and 'id="feed-url"' not in page
    with app.app_context():
        assert db.session.get(Trainer, trainer_id).feed_token_hash is not None
        assert _audited("trainer_feed_issued") == 1
