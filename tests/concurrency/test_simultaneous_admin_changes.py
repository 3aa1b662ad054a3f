"""Administrators' decisions sent from several pages at once on a 4-worker server: an account switched back on, a
role and scope changed, the retention period changed, a practitioner anonymised or merged (twice, or each into the
other), a booker's staff member edited. Each is taken once, or one after the other with each audit entry's old value
what the change before it left; the others get the page's usual answer, never a 500. SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter

import requests
import sqlalchemy as sa

from tests.factories import make_authority, make_organisation, make_practitioner, make_user
from training_app.extensions import db
from training_app.models import Practitioner, Role, Setting, User
from training_app.services.accounts.accounts import deactivate_user

from .server import all_at_once
from .test_simultaneous_decisions import _actions, _browsers, _post_form

TIMEOUT = 120
ADMIN = "admin@council.example"


def _chained(changes: list[tuple[str, object, object]], first: object, key: str | None = None) -> object:
    """Check each change's old value is what the change before it left; the value the last one left."""
    held = first
    for _, old, new in changes:
        assert (old[key] if key else old) == held, changes
        held = new[key] if key else new
    return held


def _no_server_errors(answers: list[requests.Response], log: str) -> None:
    assert all(answer.status_code < 500 for answer in answers), log[-3000:]
    assert "Traceback" not in log


def test_ten_simultaneous_reactivations_switch_the_account_on_once(app, app_ctx, shared_live_server):
    admin = make_user(Role.ADMIN, email=ADMIN)
    leaver = make_user(Role.COORDINATOR, email="leaver@council.example")
    deactivate_user(leaver, admin)
    leaver_id, version = leaver.id, db.session.get(User, leaver.id).session_version
    db.session.commit()
    server = shared_live_server
    browsers = _browsers(server, ADMIN, 10, f"/admin/users/{leaver_id}")
    url = f"{server.url}/admin/users/{leaver_id}/reactivate"

    answers = all_at_once([_post_form(b, url, {"csrf_token": token}) for b, token in browsers], TIMEOUT)

    assert Counter(answer.status_code for answer in answers) == {302: 10}, server.log()[-3000:]
    db.session.expire_all()
    back = db.session.get(User, leaver_id)
    assert (back.active, back.session_version) == (True, version + 1)
    assert _actions("user_reactivated") == [("user_reactivated", {"active": False}, {"active": True})]


def test_two_role_and_scope_changes_at_once_are_audited_one_after_the_other(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    rutland, leicester = make_authority("RUTLAND", "Rutland"), make_authority("LEICS", "Leicestershire")
    school = make_organisation(rutland, code="SCH1")
    person_id = make_user(Role.COORDINATOR, email="person@council.example").id
    codes = school.code, rutland.code, leicester.code
    db.session.commit()  # and touch no model until the rush is over: this process must not hold SQLite's lock
    server = shared_live_server
    page = f"/admin/users/{person_id}"
    [(one, one_token), (two, two_token)] = _browsers(server, ADMIN, 2, page)
    as_booker = {"csrf_token": one_token, "role": "booker", "organisation": codes[0]}
    as_lead = {"csrf_token": two_token, "role": "workforce_lead", "authorities": list(codes[1:])}

    answers = all_at_once([_post_form(one, server.url + page, as_booker), _post_form(two, server.url + page, as_lead)])

    assert [answer.status_code for answer in answers] == [302, 302], server.log()[-3000:]
    changes = _actions("user_access_changed")
    assert len(changes) == 2
    start = {"role": "coordinator", "organisation": None, "authorities": []}
    left = _chained(changes, start)
    db.session.expire_all()
    person = db.session.get(User, person_id)
    assert left == {
        "role": person.role.value,
        "organisation": person.organisation.code if person.organisation else None,
        "authorities": sorted(a.code for a in person.authorities),
    }


def test_six_simultaneous_changes_of_the_retention_period_are_audited_one_after_the_other(
    app, app_ctx, shared_live_server
):
    make_user(Role.ADMIN, email=ADMIN)
    db.session.commit()  # never saved before: the first change makes its row
    server = shared_live_server
    page = "/admin/reference/practitioners/inactive"
    browsers = _browsers(server, ADMIN, 6, page)
    years = [str(7 + n) for n in range(6)]

    forms = [{"csrf_token": token, "years": y} for (_, token), y in zip(browsers, years, strict=True)]
    sends = [_post_form(browser, server.url + page, form) for (browser, _), form in zip(browsers, forms, strict=True)]

    answers = all_at_once(sends)

    assert Counter(answer.status_code for answer in answers) == {302: 6}, server.log()[-3000:]
    changes = _actions("setting_changed")
    assert len(changes) == 6
    left = _chained(changes, app.config.get("RETENTION_YEARS", 6), "retention_years")
    db.session.expire_all()
    assert db.session.scalars(sa.select(Setting.value)).one() == str(left)


def _practitioner_emails() -> set[str]:
    return set(db.session.scalars(sa.select(Practitioner.email)))


def test_anonymising_a_practitioner_from_two_pages_at_once_anonymises_them_once(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    person_id = make_practitioner(email="leaver@school.example").id
    db.session.commit()
    server = shared_live_server
    page = "/admin/reference/practitioners/leaver@school.example/anonymise"
    browsers = _browsers(server, ADMIN, 2, page)

    answers = all_at_once([_post_form(b, server.url + page, {"csrf_token": t}) for b, t in browsers])

    _no_server_errors(answers, server.log())
    assert sorted(answer.status_code for answer in answers) in ([302, 302], [302, 404])
    assert len(_actions("practitioner_anonymised")) == 1
    db.session.expire_all()
    assert db.session.get(Practitioner, person_id).first_name == "Anonymised"


def _merge(browser: requests.Session, token: str, url: str, duplicate: str):
    return _post_form(browser, url, {"csrf_token": token, "duplicate": duplicate, "confirm": "yes"})


def test_one_merge_sent_from_two_pages_at_once_merges_once(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    school = make_organisation()
    make_practitioner(organisation=school, email="kept@school.example")
    make_practitioner(organisation=school, email="copy@school.example")
    db.session.commit()
    server = shared_live_server
    page = "/admin/reference/practitioners/kept@school.example/merge"
    browsers = _browsers(server, ADMIN, 2, page)

    answers = all_at_once([_merge(b, t, server.url + page, "copy@school.example") for b, t in browsers])

    _no_server_errors(answers, server.log())
    assert sorted(answer.status_code for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_code == 200)
    assert "govuk-error-summary" in refused.text
    assert len(_actions("practitioners_merged")) == 1
    assert _practitioner_emails() == {"kept@school.example"}


def test_two_records_merged_each_into_the_other_at_once_merge_once(app, app_ctx, shared_live_server):
    make_user(Role.ADMIN, email=ADMIN)
    school = make_organisation()
    make_practitioner(organisation=school, email="first@school.example")
    make_practitioner(organisation=school, email="second@school.example")
    db.session.commit()
    server = shared_live_server
    into_first = "/admin/reference/practitioners/first@school.example/merge"
    into_second = "/admin/reference/practitioners/second@school.example/merge"
    [(one, one_token)] = _browsers(server, ADMIN, 1, into_first)
    [(two, two_token)] = _browsers(server, ADMIN, 1, into_second)

    answers = all_at_once(
        [
            _merge(one, one_token, server.url + into_first, "second@school.example"),
            _merge(two, two_token, server.url + into_second, "first@school.example"),
        ]
    )

    _no_server_errors(answers, server.log())
    # the loser is told on its page, or (its own record merged away) on the list it is sent back to, or finds it gone
    assert sorted(answer.status_code for answer in answers) in ([200, 302], [302, 302], [302, 404])
    [(_, old, new)] = _actions("practitioners_merged")
    assert _practitioner_emails() == {new["kept"]} and old["email"] != new["kept"]


def test_a_booker_saving_a_staff_member_from_two_pages_at_once_saves_one_whole_edit(app, app_ctx, shared_live_server):
    rutland, leicester = make_authority("RUTLAND", "Rutland"), make_authority("LEICS", "Leicestershire")
    school = make_organisation(rutland, code="SCH1")
    make_user(Role.BOOKER, email="booker@school.example", organisation=school)
    person_id = make_practitioner(organisation=school, authorities=[rutland], email="staff@school.example").id
    codes = rutland.code, leicester.code
    db.session.commit()  # and touch no model until the rush is over
    server = shared_live_server
    page = f"/staff/{person_id}/edit"
    [(one, one_token), (two, two_token)] = _browsers(server, "booker@school.example", 2, page)
    edits = [
        {"first_name": "Lee", "last_name": "One", "authorities": [codes[1]], "cover_category": "teacher"},
        {"first_name": "Sam", "last_name": "Two", "authorities": list(codes)} | {"cover_category": "none"},
    ]
    base = {"email": "staff@school.example", "job_title": "", "group": ""}

    answers = all_at_once(
        [
            _post_form(one, server.url + page, base | edits[0] | {"csrf_token": one_token}),
            _post_form(two, server.url + page, base | edits[1] | {"csrf_token": two_token}),
        ]
    )

    assert [answer.status_code for answer in answers] == [302, 302], server.log()[-3000:]
    db.session.expire_all()
    person = db.session.get(Practitioner, person_id)
    saved = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "authorities": sorted(a.code for a in person.authorities),
        "cover_category": person.cover_category.value,
    }
    assert saved in [edit | {"authorities": sorted(edit["authorities"])} for edit in edits]  # one edit, never a mix
    assert person.authority_key == ",".join(str(a.id) for a in sorted(person.authorities, key=lambda a: a.id))
