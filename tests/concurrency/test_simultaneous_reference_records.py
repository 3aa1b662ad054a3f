"""Reference records saved from several administrators' pages at once on a 4-worker server: ten adds of one new
authority make one (an add whose code exists meanwhile saves over it, as the page does one at a time), and six
edits of one organisation, each changing a different cell, leave one whole edit, never cells of two. Each save is
audited as the one-row import it is. Nothing answers with a 500. SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from tests.factories import make_authority, make_organisation, make_user
from training_app.extensions import db
from training_app.models import Authority, Role
from training_app.services.catalogue.reference_data import record_row

from .server import all_at_once
from .test_simultaneous_catalogue_changes import _fine
from .test_simultaneous_decisions import TIMEOUT, _actions
from .test_simultaneous_settings_changes import _sends

ADMIN = "admin@council.example"


def test_ten_adds_of_one_new_authority_at_once_make_one(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    db.session.commit()
    page = "/admin/reference/authorities/record"
    form = {"code": "NEWSHIRE", "name": "New Shire", "partner": "yes", "display_order": "3"}
    calls = _sends(shared_live_server, ADMIN, page, [(page, form)] * 10)

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})
    imports = _actions("import")
    assert len(imports) == 10
    assert sum(new["created"] for _, _, new in imports) == 1, imports
    held = db.session.scalars(sa.select(Authority).where(Authority.code == "NEWSHIRE")).all()
    assert [(a.name, a.partner, a.display_order) for a in held] == [("New Shire", True, 3)]


def test_six_edits_of_one_organisation_at_once_leave_one_whole_edit(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    make_organisation(make_authority("SHIRE", "Shire"), code="OAK", name="Oak Primary", urn=None)
    db.session.commit()
    first = record_row("organisations", "OAK")
    assert first is not None
    db.session.commit()
    page = "/admin/reference/organisations/record?key=OAK"
    forms = [first | ({"name": f"Oak Academy {n}"} if n % 2 == 0 else {"urn": f"10000{n}"}) for n in range(6)]
    calls = _sends(shared_live_server, ADMIN, page, [(page, form) for form in forms])

    answers = all_at_once(calls, TIMEOUT)

    _fine(answers, shared_live_server, {302})
    assert len(_actions("import")) == 6
    db.session.expire_all()
    assert record_row("organisations", "OAK") in forms  # the last save whole: a new name or a URN, not both
