"""Every API route that takes a JSON body, with a valid body for it (tests/api/test_request_schemas.py checks the
OpenAPI document against this list and each route's refusals against its schema). A new route with a body goes here."""

from __future__ import annotations

from typing import Any, NamedTuple

from training_app.models import Role


class BodyRoute(NamedTuple):
    method: str
    path: str  # as the document spells it
    url: str  # an address of it; schema checks come before any lookup, so nothing need exist
    schema: str
    role: Role
    body: dict[str, Any]  # valid against the schema
    brackets: bool = False  # nested fields named entries[0].day rather than evidence.0.date
    service_checks: frozenset[str] = frozenset()  # keywords the route's service checks and words itself
    all_optional: bool = False  # a change of some fields: every field may be left out


ROUTES = [
    BodyRoute(
        "post",
        "/sessions/{code}/bookings",
        "/api/v1/sessions/NO-SUCH/bookings",
        "NewBooking",
        Role.ADMIN,
        {"practitioner": "pat@example.org", "prerequisite_override": "Trained in Nottingham"},
    ),
    BodyRoute(
        "post",
        "/awareness/sign-offs",
        "/api/v1/awareness/sign-offs",
        "AwarenessSignOffInput",
        Role.ADMIN,
        {
            "service": "Adult Services Coalville",
            "sector": "adult_services",
            "authorities": ["LEICESTERSHIRE"],
            "contact_name": "Jim Lawrenson",
            "package": "Leicestershire Awareness Package",
            "completed_on": "2008-07",
            "status": "planned",
            "notes": "By email.",
        },
    ),
    BodyRoute(
        "post",
        "/claims",
        "/api/v1/claims",
        "NewClaim",
        Role.ADMIN,
        {
            "organisation": "NO-SUCH",
            "financial_year": 2007,
            "evidence": [
                {
                    "practitioner": "pat@example.org",
                    "date": "2007-10-01",
                    "supplier": "Agency",
                    "invoice": "INV-1",
                    "amount_pence": 100,
                }
            ],
        },
    ),
    BodyRoute(
        "post", "/claims/{claim_id}/reject", "/api/v1/claims/999/reject", "Rejection", Role.FINANCE, {"reason": "No"}
    ),
    BodyRoute(
        "put",
        "/funds/{financial_year}",
        "/api/v1/funds/2007",
        "FundSettings",
        Role.FINANCE,
        {
            "amount_pence": 100,
            "scheme_start": "2007-09-01",
            "claim_deadline": "2008-04-30",
            "rates": {"teacher": {"day": 1}},
            "contributions": [{"contributor": "Schools", "amount_pence": 1}],
        },
    ),
    BodyRoute(
        "put",
        "/sessions/{code}/register",
        "/api/v1/sessions/NO-SUCH/register",
        "RegisterEntries",
        Role.ADMIN,
        {"entries": [{"practitioner": "pat@example.org", "day": "2008-10-01", "status": "attended", "notes": "n"}]},
        brackets=True,
        service_checks=frozenset({"enum", "pattern", "maxLength"}),
    ),
    BodyRoute(
        "post",
        "/bookings/{booking_id}/evaluation",
        "/api/v1/bookings/999999/evaluation",
        "EvaluationAnswers",
        Role.PRACTITIONER,
        {"answers": [{"question": 1, "value": 4}, {"question": 2, "value": "A comment"}]},
        brackets=True,
    ),
    BodyRoute(
        "post",
        "/practitioners",
        "/api/v1/practitioners",
        "NewPractitioner",
        Role.ADMIN,
        {
            "email": "kim@example.org",
            "first_name": "Kim",
            "last_name": "Shaw",
            "job_title": None,
            "organisation": "NO-SUCH",
            "group": "3",
            "authorities": ["NO-SUCH"],
            "cover_category": "none",
            "started_on": "2026-09-01",
            "left_on": None,
        },
    ),
    BodyRoute(
        "put",
        "/practitioners/{email}",
        "/api/v1/practitioners/nobody@example.org",
        "PractitionerChanges",
        Role.ADMIN,
        {"first_name": "Kim", "authorities": ["NO-SUCH"], "started_on": "2026-09-01", "left_on": "2027-08-31"},
        all_optional=True,
    ),
    BodyRoute(
        "post",
        "/targets",
        "/api/v1/targets",
        "TargetInput",
        Role.ADMIN,
        {"organisation": "NO-SUCH", "groups": ["3"], "course": "CAF", "percent": 80, "due_on": "2030-03-31"},
    ),
    BodyRoute(
        "put",
        "/targets/{target_id}",
        "/api/v1/targets/999",
        "TargetInput",
        Role.ADMIN,
        {"authority": "NO-SUCH", "groups": ["3", "5"], "percent": 80, "due_on": "2030-03-31"},
    ),
    BodyRoute(
        "post",
        "/courses/{code}/interest",
        "/api/v1/courses/NO-SUCH/interest",
        "NewInterest",
        Role.ADMIN,
        {"practitioner": "pat@example.org"},
    ),
    BodyRoute(
        "post",
        "/webhooks",
        "/api/v1/webhooks",
        "NewWebhook",
        Role.ADMIN,
        {"url": "https://hr.example.org/hooks", "secret": "a-long-shared-secret-0123", "events": ["booking.created"]},
        service_checks=frozenset({"enum", "minItems", "minLength"}),
    ),
]
