"""Every route says who may use it, and each role gets exactly what the matrix below says.

A new web route fails this test until it is added to EXPECTED: the permission is written down twice,
once on the view and once here, and the two must agree.
"""

import pytest

from tests.web.helpers import sign_in, signed_in, users_for_every_role
from training_app.models import Role
from training_app.permissions import PUBLIC, SIGNED_IN, STAFF

REPORT_READERS = {Role.ADMIN, Role.COORDINATOR, Role.WORKFORCE_LEAD}

EXPECTED = {
    "auth.sign_in": PUBLIC,
    "auth.sign_out": PUBLIC,
    "auth.single_sign_on": PUBLIC,
    "auth.single_sign_on_return": PUBLIC,
    "main.health": PUBLIC,
    "main.dashboard": SIGNED_IN,
    "evaluation.evaluate_page": SIGNED_IN,
    "evaluation.session_results_page": SIGNED_IN,
    "evaluation.course_results_page": STAFF,
    "evaluation.form_editor_page": STAFF,
    "sessions.message_page": STAFF,
    "evaluation.default_form_page": STAFF,
    "evaluation.evaluations_workbook": STAFF,
    "evaluation.trainer_results_page": SIGNED_IN,
    "main.refresh_dashboard": {Role.ADMIN, Role.COORDINATOR},
    "reports.trained_by_area_page": REPORT_READERS,
    "reports.trained_by_area_workbook": REPORT_READERS,
    "reports.attendance_by_authority_page": REPORT_READERS,
    "reports.attendance_by_authority_workbook": REPORT_READERS,
    "reports.coverage_page": REPORT_READERS,
    "reports.coverage_cell_page": REPORT_READERS,
    "reports.still_to_train_workbook": REPORT_READERS,
    "reports.training_records_workbook": REPORT_READERS,
    "targets.list_page": REPORT_READERS | {Role.BOOKER},
    "targets.workbook": REPORT_READERS | {Role.BOOKER},
    "targets.show_page": REPORT_READERS | {Role.BOOKER},
    "targets.new_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "report_emails.list_page": REPORT_READERS | {Role.BOOKER},
    "report_emails.change": REPORT_READERS | {Role.BOOKER},
    "targets.edit_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "awareness.sign_off_register": REPORT_READERS,
    "awareness.sign_off_workbook": REPORT_READERS,
    "awareness.sign_off_evidence": REPORT_READERS,
    "awareness.new_sign_off": {Role.ADMIN, Role.COORDINATOR},
    "awareness.edit_sign_off": {Role.ADMIN, Role.COORDINATOR},
    "awareness.coverage": REPORT_READERS,
    "awareness.mark_awareness_only": {Role.ADMIN, Role.COORDINATOR},
    "awareness.presentation_list": REPORT_READERS,
    "awareness.presentation_workbook": REPORT_READERS,
    "awareness.new_presentation": {Role.ADMIN, Role.COORDINATOR},
    "bookings.list_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "bookings.new_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "bookings.cancel_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "booking_requests.mine_page": {Role.PRACTITIONER},
    "booking_needs.change_page": {Role.ADMIN, Role.COORDINATOR, Role.PRACTITIONER},
    # A waiting-list offer: the person offered the place, their booker, or staff (each booking checked by the view).
    "booking_offers.offer_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "booking_offers.accept": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "booking_offers.decline": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "booking_requests.book_myself_page": {Role.PRACTITIONER},
    "booking_requests.requests_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "booking_requests.approve": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "booking_requests.decline_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "waiting_list.waiting_list_page": STAFF,
    "waiting_list.move_page": STAFF,
    "charges.charges_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "charges.charges_workbook": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "charges.waive_page": STAFF,
    "charges.substitute_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "bookings.transfer_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "bookings.substitute_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER},
    "reminders.reminders_page": STAFF,
    "reminders.send_again": STAFF,
    "staff.list_page": {Role.BOOKER},
    "staff.add_page": {Role.BOOKER},
    "staff.edit_page": {Role.BOOKER},
    "staff.leave_page": {Role.BOOKER},
    "staff.return_page": {Role.BOOKER},
    "claims.claims_page": {Role.BOOKER, Role.FINANCE, Role.ADMIN},
    "claims.start_claim": {Role.BOOKER},
    "claims.claim_page": {Role.BOOKER, Role.FINANCE, Role.ADMIN},
    "claims.add_evidence": {Role.BOOKER, Role.ADMIN},
    "claims.check_claim": {Role.BOOKER, Role.ADMIN},
    "claims.submit_claim": {Role.BOOKER, Role.ADMIN},
    "claims.approve_claim": {Role.FINANCE},
    "claims.reject_claim": {Role.FINANCE},
    "claims.mark_paid": {Role.FINANCE},
    "claims.claim_file": {Role.BOOKER, Role.FINANCE, Role.ADMIN},
    "claims.finance_page": {Role.FINANCE, Role.ADMIN},
    "claims.allocation_page": {Role.FINANCE, Role.ADMIN},
    "claims.claims_workbook": {Role.FINANCE, Role.ADMIN},
    "claims.new_fund": {Role.FINANCE, Role.ADMIN},
    "claims.edit_fund": {Role.FINANCE, Role.ADMIN},
    "claims.fund_page": {Role.FINANCE, Role.ADMIN},
    "claims.school_page": {Role.FINANCE, Role.ADMIN},
    "claims.extend_deadline": {Role.FINANCE},
    "sessions.list_page": SIGNED_IN,
    "sessions.month_page": SIGNED_IN,
    "sessions.show_page": SIGNED_IN,
    "sessions.calendar_file": SIGNED_IN,
    "sessions.new_page": {Role.ADMIN, Role.COORDINATOR},
    "sessions.edit_page": {Role.ADMIN, Role.COORDINATOR},
    "sessions.duplicate_page": {Role.ADMIN, Role.COORDINATOR},
    "sessions.cancel_page": {Role.ADMIN, Role.COORDINATOR},
    "calendar_feeds.trainer_feed_file": PUBLIC,
    "sessions.trainers_page": {Role.ADMIN, Role.COORDINATOR},
    "sessions.my_feed_page": SIGNED_IN,
    "sessions.issue_feed": SIGNED_IN,
    "sessions.revoke_feed": SIGNED_IN,
    "courses.course_list": STAFF,
    "courses.new_course": STAFF,
    "courses.edit_course": STAFF,
    "courses.retire_course": STAFF,
    "courses.reinstate_course": STAFF,
    "courses.redate_records": STAFF,
    "courses.course_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.WORKFORCE_LEAD, Role.PRACTITIONER},
    "courses.register_interest_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "courses.withdraw_interest_page": {Role.ADMIN, Role.COORDINATOR, Role.BOOKER, Role.PRACTITIONER},
    "venues.venue_list": STAFF,
    "venues.new_venue": STAFF,
    "venues.edit_venue": STAFF,
    "pathways.matrix": STAFF,
    "pathways.group_page": STAFF,
    "pathways.add_step": STAFF,
    "pathways.move_step": STAFF,
    "pathways.remove_step": STAFF,
    "pathways.set_requirement": STAFF,
    "practitioner_pathway.pathway_page": SIGNED_IN - {Role.FINANCE},
    "registers.register_page": SIGNED_IN,
    "registers.walk_in_page": SIGNED_IN,
    "registers.sign_in_sheet_page": SIGNED_IN,
    "registers.sign_in_sheet_file": SIGNED_IN,
    "registers.register_workbook": SIGNED_IN,
    "records.verify_page": PUBLIC,
    "records.certificate_file": SIGNED_IN,
    "records.records_page": SIGNED_IN - {Role.FINANCE},
    "records.add_record_page": STAFF,
    "records.dates_page": STAFF,
    "accounts.request_password_reset": PUBLIC,
    "accounts.set_password": PUBLIC,
    "accounts.api_tokens": SIGNED_IN,
    "accounts.revoke_token": SIGNED_IN,
    "admin.users_page": {Role.ADMIN},
    "admin.invite_page": {Role.ADMIN},
    "admin.user_page": {Role.ADMIN},
    "admin.deactivate": {Role.ADMIN},
    "admin.reactivate": {Role.ADMIN},
    "admin.resend_invitation": {Role.ADMIN},
    "webhooks.list_page": {Role.ADMIN},
    "webhooks.new_page": {Role.ADMIN},
    "webhooks.show_page": {Role.ADMIN},
    "webhooks.pause": {Role.ADMIN},
    "webhooks.resume": {Role.ADMIN},
    "webhooks.delete_page": {Role.ADMIN},
    "webhooks.send_again": {Role.ADMIN},
    "imports.upload_page": {Role.ADMIN, Role.COORDINATOR},
    "imports.confirm": {Role.ADMIN, Role.COORDINATOR},
    "imports.example_file": {Role.ADMIN, Role.COORDINATOR},
    "audit_log.log_page": {Role.ADMIN},
    "audit_log.log_workbook": {Role.ADMIN},
    "reference.list_page": {Role.ADMIN},
    "reference.record_page": {Role.ADMIN},
    "reference.practitioner_account": {Role.ADMIN},
    "reference.subject_access_file": {Role.ADMIN},
    "reference.anonymise_page": {Role.ADMIN},
    "reference.inactive_page": {Role.ADMIN},
    "reference.merge_page": {Role.ADMIN},
}

UNCHECKED = {"static"}
# Public pages that answer a bare GET with something else: the single sign-on return does not exist while single sign-on
# is off (as in these tests); tests/web/test_single_sign_on.py covers it.
BARE_GET_STATUS = {"auth.single_sign_on_return": 404}


def _web_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED and not rule.endpoint.startswith("api.")
    ]


def _plain_get_rules(rules):
    return [rule for rule in rules if "GET" in rule.methods and not rule.arguments]


def _allowed(app, endpoint):
    return getattr(app.view_functions[endpoint], "allowed_roles", None)


def test_every_endpoint_declares_who_may_use_it(app):
    missing = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNCHECKED and _allowed(app, rule.endpoint) is None
    ]
    assert missing == []


def test_web_permissions_match_the_expected_matrix(app):
    declared = {rule.endpoint: frozenset(_allowed(app, rule.endpoint)) for rule in _web_rules(app)}

    assert declared == {endpoint: frozenset(roles) for endpoint, roles in EXPECTED.items()}


def test_signed_out_visitors_are_sent_to_sign_in_from_every_protected_page(app, client):
    for rule in _plain_get_rules(_web_rules(app)):
        response = client.get(rule.rule)
        if EXPECTED[rule.endpoint] == PUBLIC:
            assert response.status_code == BARE_GET_STATUS.get(rule.endpoint, 200), rule.rule
        else:
            assert response.status_code == 302, rule.rule
            assert response.headers["Location"].startswith("/sign-in?next="), rule.rule


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_each_role_gets_exactly_the_pages_it_is_allowed(app, role):
    email = users_for_every_role(app)[role]
    client = app.test_client()
    signed_in(client, email)

    for rule in _plain_get_rules(_web_rules(app)):
        if rule.endpoint == "auth.sign_in":
            continue  # signed-in users are sent on from the sign-in page
        expected = EXPECTED[rule.endpoint]
        wanted = BARE_GET_STATUS.get(rule.endpoint, 200) if expected == PUBLIC or role in expected else 403
        assert client.get(rule.rule).status_code == wanted, (role, rule.rule)


def test_signed_in_users_are_sent_on_from_the_sign_in_page(app):
    email = users_for_every_role(app)[Role.BOOKER]
    client = app.test_client()
    sign_in(client, email)

    assert client.get("/sign-in").headers["Location"] == "/"


def test_api_endpoints_answer_strangers_with_401_json(app, client):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        and "GET" in rule.methods
        and not rule.arguments
        and not rule.rule.endswith("/openapi.json")
    ]
    if not rules:
        pytest.skip("no API routes without arguments yet")
    for rule in rules:
        response = client.get(rule.rule)
        assert response.status_code == 401, rule.rule
        assert response.is_json, rule.rule
        assert response.get_json()["error"]["code"], rule.rule
