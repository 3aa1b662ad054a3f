"""Every group of radios, checkboxes or date boxes is a fieldset with a legend saying what it asks (WCAG 1.3.1,
3.3.2): a page passing the legend's classes without its text once dropped the legend altogether."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from seeds.users import DEMO_PASSWORD
from tests.web.helpers import signed_in
from training_app.extensions import db
from training_app.models import ResponsibilityGroup, TrainingSession

FIELDSET = re.compile(r"<fieldset\b.*?</fieldset>", re.S)
LEGEND = re.compile(r"<legend\b[^>]*>\s*(.*?)\s*</legend>", re.S)


@pytest.fixture
def coordinator(app, shared_demo):
    return signed_in(app.test_client(), "coordinator@demo.test", DEMO_PASSWORD)


def test_the_coordinators_forms_give_every_fieldset_a_legend(coordinator):
    session_code = db.session.scalar(sa.select(TrainingSession.code).order_by(TrainingSession.id).limit(1))
    group_code = db.session.scalar(sa.select(ResponsibilityGroup.code).order_by(ResponsibilityGroup.id).limit(1))
    db.session.commit()
    pages = [
        "/courses/new",
        "/sessions/new",
        f"/sessions/{session_code}/duplicate",
        f"/pathways/{group_code}",
        "/awareness/sign-offs/new",
        "/awareness/coverage",
        "/targets/new",
        "/targets",
    ]
    for path in pages:
        response = coordinator.get(path)
        assert response.status_code == 200, path
        fieldsets = FIELDSET.findall(response.get_data(as_text=True))
        assert fieldsets, f"{path} has no fieldset to check"
        for fieldset in fieldsets:
            legend = LEGEND.search(fieldset)
            assert legend and legend.group(1), f"{path}: a fieldset without a legend: {fieldset[:200]}"
