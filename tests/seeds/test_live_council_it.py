"""The demo's fit with a council's IT (SPEC 3.11, 5): the lead's monthly trained-by-area email and the coordinator's
weekly still-to-train email are listed on their report-emails page, the HR webhook is registered and paused, so none
of the demo's bookings queued a delivery, and the 2008 table stands."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.reference import TRAINED_BY_AREA_2008_08_31
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import Webhook, WebhookDelivery
from training_app.services.reporting.counting import AreaRow, trained_by_area

TODAY = date(2026, 12, 1)


@pytest.fixture
def live(app):
    """The demo pinned to 1 December 2026 (one seed for this module's one test: seeding takes seconds)."""
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--today", TODAY.isoformat()])
    assert result.exit_code == 0, result.output


def _page(app, email: str, path: str) -> str:
    client = signed_in(app.test_client(), email, DEMO_PASSWORD)
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_demo_has_report_emails_and_a_paused_webhook_that_sent_nothing(app, live):
    with app.app_context():
        webhook = db.session.scalars(sa.select(Webhook)).one()
        assert webhook.url == "https://hr.demo.invalid/hooks/training" and not webhook.active
        assert db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)) == 0
        assert trained_by_area(date(2008, 8, 31)) == [AreaRow(*row) for row in TRAINED_BY_AREA_2008_08_31]
    lead = _page(app, "lead@demo.test", "/report-emails")
    assert "Trained by area" in lead and "every month" in lead.lower()
    coordinator = _page(app, "coordinator@demo.test", "/report-emails")
    assert "Still to train" in coordinator and "every week" in coordinator.lower()
    admin = _page(app, "admin@demo.test", "/admin/webhooks")
    assert "hr.demo.invalid" in admin and "Paused" in admin
