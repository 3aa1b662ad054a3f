"""Request bodies are checked against the schemas /api/v1/openapi.json publishes (api/schemas), answering as before.

Every route taking a body is listed here with a valid body; the document's requestBody schemas must be exactly
these, and each route must refuse what its published schema refuses: a missing required field, a wrong type, an
unknown field, all named in the usual 422 `{"error": {"code", "message", "fields"}}`.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.body_routes import ROUTES, BodyRoute
from training_app.api.schemas import validator_for
from training_app.models import Role

VALIDATION_FAILED = {"code": "validation_failed", "message": "Some fields are not valid."}


IDS = [route.schema for route in ROUTES]


def test_every_request_body_in_the_document_is_one_of_these_routes(client):
    document = client.get("/api/v1/openapi.json").json
    bodies = {
        (method, path): operation["requestBody"]["content"]["application/json"]["schema"]
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "requestBody" in operation
    }

    assert bodies == {(r.method, r.path): {"$ref": f"#/components/schemas/{r.schema}"} for r in ROUTES}
    for route in ROUTES:
        assert validator_for(route.schema).is_valid(route.body), route.schema
        assert validator_for(route.schema).schema == {
            "$ref": f"urn:training-app:api-v1:openapi#/components/schemas/{route.schema}"
        }


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _required_fields(document, route: BodyRoute):
    """(path into the valid body, the property's schema) for every required field at any depth of it."""
    found = []

    def walk(value: Any, schema: dict[str, Any], path: tuple) -> None:
        schema = _resolve(document, schema)
        if isinstance(value, dict):
            for name in schema.get("required", []):
                found.append((path + (name,), _resolve(document, schema["properties"][name])))
            for name, item in value.items():
                walk(item, schema["properties"][name], path + (name,))
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                walk(item, schema["items"], path + (index,))

    walk(route.body, document["components"]["schemas"][route.schema], ())
    return found


def _name(path: tuple, brackets: bool) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]" if brackets else f".{part}"
        else:
            text += f".{part}" if text else part
    return text


def _without(body: dict[str, Any], path: tuple) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return changed


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_a_body_missing_a_required_field_is_a_422_naming_it_in_the_schemas_words(client, headers_for, route):
    document = client.get("/api/v1/openapi.json").json
    headers = headers_for(route.role)
    required = _required_fields(document, route)
    assert required or route.all_optional

    for path, schema in required:
        response = getattr(client, route.method)(route.url, json=_without(route.body, path), headers=headers)

        name = _name(path, route.brackets)
        assert response.status_code == 422, name
        error = response.json["error"]
        assert {key: error[key] for key in ("code", "message")} == VALIDATION_FAILED
        words = schema.get("x-messages", {}).get("required") or schema.get("x-message") or "This field is required."
        assert error["fields"][name] == words.replace("{field}", name)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    """Every property of the body at any depth, and every object in its lists."""
    found = []
    if isinstance(value, dict):
        for name, item in value.items():
            found += [path + (name,), *_paths(item, path + (name,))]
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                found += [path + (index,), *_paths(item, path + (index,))]
    return found


def _replaced(body: dict[str, Any], path: tuple, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    target = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_field_the_schema_refuses_is_a_422_naming_it(client, headers_for, route, data):
    path = data.draw(st.sampled_from(_paths(route.body)), label="field")
    body = _replaced(route.body, path, data.draw(JSON_VALUES, label="value"))
    refused = [e for e in validator_for(route.schema).iter_errors(body) if e.validator not in route.service_checks]

    response = getattr(client, route.method)(route.url, json=body, headers=headers_for(route.role))

    assert response.status_code < 500
    if refused:
        name = _name(path, route.brackets)
        assert response.status_code == 422
        assert {key: response.json["error"][key] for key in ("code", "message")} == VALIDATION_FAILED
        fields = response.json["error"]["fields"]
        assert any(field == name or field.startswith((f"{name}.", f"{name}[")) for field in fields), (name, fields)
        assert all(isinstance(message, str) and message for message in fields.values())


# Bad bodies and the answers the hand-written checks gave before the schemas took over, word for word.
BOOKINGS, CLAIMS, FUND = "/api/v1/sessions/NO-SUCH/bookings", "/api/v1/claims", "/api/v1/funds/2007"
SIGN_OFFS, REGISTER = "/api/v1/awareness/sign-offs", "/api/v1/sessions/NO-SUCH/register"
SECTORS = (
    "school, early_years, health, police, social_care, youth, voluntary, probation, prison, adult_services, gp, fe"
)
COMPLETED = "Must be a real date written YYYY-MM-DD, or a month written YYYY-MM, from 1900."
INTEGER_PENCE = "Must be a whole number (integer pence), not text or a decimal."
PENCE_RANGE = "Must be a whole number of pence from 0 to 2147483647."
ENTER_PRACTITIONER = "Enter the practitioner's email address."
OVERRIDE = "Give the reason as text of at most 400 characters."
ENTRIES = "Give 'entries' as a non-empty list of {practitioner, day, status}."
REASON = "Enter the reason for rejecting the claim."
CONTRIBUTIONS = "Contributions must be a list of {contributor, amount_pence}."
AS_BEFORE = [
    ("post", BOOKINGS, {}, {"practitioner": ENTER_PRACTITIONER}),
    ("post", BOOKINGS, {"practitoner": "a@b.c"}, {"practitioner": ENTER_PRACTITIONER, "practitoner": "Unknown field."}),
    (
        "post",
        BOOKINGS,
        {"practitioner": "  ", "prerequisite_override": 5},
        {"practitioner": ENTER_PRACTITIONER, "prerequisite_override": OVERRIDE},
    ),
    (
        "post",
        BOOKINGS,
        {"practitioner": None, "prerequisite_override": "x" * 401},
        {"practitioner": ENTER_PRACTITIONER, "prerequisite_override": OVERRIDE},
    ),
    (
        "post",
        SIGN_OFFS,
        {},
        dict.fromkeys(
            ("authorities", "completed_on", "contact_name", "package", "sector", "service"), "This field is required."
        ),
    ),
    (
        "post",
        SIGN_OFFS,
        {
            "service": 5,
            "sector": "bank",
            "authorities": [],
            "contact_name": None,
            "package": "p" * 201,
            "completed_on": "2008-13",
            "status": 3,
            "extra": 1,
        },
        {
            "authorities": "Must be a list of authority codes, at least one.",
            "completed_on": COMPLETED,
            "contact_name": "Must not be null.",
            "extra": "Unknown field.",
            "package": "Must be 200 characters or fewer.",
            "sector": f"Must be one of {SECTORS}, other.",
            "service": "Must be text.",
            "status": "Must be one of planned, delivered, signed_off.",
        },
    ),
    (
        "post",
        SIGN_OFFS,
        {
            "service": "a\x00b",
            "sector": 7,
            "authorities": ["X" * 41],
            "contact_name": "c",
            "package": "p",
            "completed_on": 2008,
            "notes": None,
        },
        {
            "authorities": "No authority has that code.",
            "completed_on": COMPLETED,
            "notes": "Must not be null.",
            "sector": f"Must be one of {SECTORS}, other.",
            "service": "Must be text without control characters.",
        },
    ),
    (
        "post",
        SIGN_OFFS,
        {
            "service": "s",
            "sector": "gp",
            "authorities": ["", 5],
            "contact_name": "c",
            "package": "p",
            "completed_on": "X",
        },
        {"authorities": "Must be a list of authority codes, at least one.", "completed_on": COMPLETED},
    ),
    (
        "post",
        CLAIMS,
        {"financial_year": "2007", "organisation": 5, "evidence": {}, "x": 1},
        {
            "evidence": "Evidence must be a list.",
            "financial_year": INTEGER_PENCE,
            "organisation": "Give the code of an organisation that exists.",
            "x": "Unknown field.",
        },
    ),
    (
        "post",
        CLAIMS,
        {
            "financial_year": 2007.0,
            "organisation": None,
            "evidence": [
                5,
                {"practitioner": " ", "date": 5, "supplier": "s", "invoice": "i", "amount_pence": "1", "y": 2},
                {"practitioner": "p", "date": "2007-10-01", "supplier": "s", "invoice": "i", "amount_pence": -1},
            ],
        },
        {
            "evidence.0": "Must be an object.",
            "evidence.1.amount_pence": INTEGER_PENCE,
            "evidence.1.date": "'evidence.1.date' must be a real date written YYYY-MM-DD.",
            "evidence.1.practitioner": "Enter the practitioner.",
            "evidence.1.y": "Unknown field.",
            "evidence.2.amount_pence": "The invoice amount cannot be negative.",
            "financial_year": INTEGER_PENCE,
            "organisation": "Give the code of an organisation that exists.",
        },
    ),
    (
        "post",
        CLAIMS,
        {"financial_year": None, "evidence": None},
        {
            "evidence": "Evidence must be a list.",
            "financial_year": "Enter a whole number.",
            "organisation": "Give the code of an organisation that exists.",
        },
    ),
    ("post", "/api/v1/claims/999/reject", {"reason": "   ", "why": 1}, {"reason": REASON, "why": "Unknown field."}),
    ("post", "/api/v1/claims/999/reject", {"reason": 5}, {"reason": REASON}),
    (
        "put",
        FUND,
        {"amount_pence": None, "scheme_start": None, "claim_deadline": 5, "rates": None, "contributions": None},
        {
            "amount_pence": "Enter a whole number.",
            "claim_deadline": "Claim deadline must be a real date written YYYY-MM-DD.",
            "contributions": CONTRIBUTIONS,
            "rates": "Rates must be an object by cover category (teacher, teaching_assistant).",
            "scheme_start": "Enter a date as YYYY-MM-DD.",
        },
    ),
    (
        "put",
        FUND,
        {
            "amount_pence": -1,
            "scheme_start": "2007-02-30",
            "claim_deadline": "2008-01-01",
            "rates": {"teacher": {"day": 2**31, "half_day": None}, "teaching_assistant": 5, "x": {}},
            "contributions": [
                5,
                {"contributor": " ", "amount_pence": 1},
                {"contributor": "A", "amount_pence": "1"},
                {"amount_pence": 1, "z": 1},
                {"contributor": "B", "amount_pence": 1},
                {"contributor": "B ", "amount_pence": 2},
            ],
        },
        {
            "amount_pence": PENCE_RANGE,
            "contributions.0": "Must be an object with contributor and amount_pence.",
            "contributions.1.contributor": "Name the contributor in 1 to 200 characters.",
            "contributions.2.amount_pence": INTEGER_PENCE,
            "contributions.3.contributor": "Name the contributor in 1 to 200 characters.",
            "contributions.3.z": "Unknown field.",
            "contributions.5.contributor": "Each contributor is listed once.",
            "rates.teacher.day": PENCE_RANGE,
            "rates.teacher.half_day": "Enter a whole number.",
            "rates.teaching_assistant": "Must be an object with half_day and day in pence.",
            "rates.x": "Unknown field.",
            "scheme_start": "Scheme start must be a real date written YYYY-MM-DD.",
        },
    ),
    ("put", REGISTER, {"entries": 5, "x": 1}, {"entries": ENTRIES, "x": "Unknown field."}),
    (
        "put",
        REGISTER,
        {
            "entries": [
                None,
                {"practitioner": "", "day": 5, "status": None, "time": 5, "notes": 7, "q": 1},
                {"practitioner": "p", "day": "d", "status": "s", "time": None, "notes": None},
            ]
        },
        {
            "entries[0]": "Each entry must be an object {practitioner, day, status}.",
            "entries[1].day": "Give 'day' as text.",
            "entries[1].notes": "Give 'notes' as text.",
            "entries[1].practitioner": "Give 'practitioner' as text.",
            "entries[1].q": "Unknown field.",
            "entries[1].status": "Give 'status' as text.",
            "entries[1].time": "Give 'time' as text.",
        },
    ),
    (
        "put",
        REGISTER,
        {"entries": [{"practitioner": "p", "day": "d", "status": "s"}] * 5001},
        {"entries": "Give at most 5000 entries at once."},
    ),
]


@pytest.mark.parametrize(("method", "url", "body", "fields"), AS_BEFORE)
def test_bad_bodies_get_the_same_answer_word_for_word_as_before(client, headers_for, method, url, body, fields):
    role = Role.FINANCE if url.endswith("reject") or url == FUND else Role.ADMIN

    response = getattr(client, method)(url, json=body, headers=headers_for(role))

    assert (response.status_code, response.json) == (422, {"error": {**VALIDATION_FAILED, "fields": fields}})


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (BOOKINGS, {"practitioner": "pat@example.org", "prerequisite_override": None}),
        (REGISTER, {"entries": [{"practitioner": "p", "day": "d", "status": "late", "time": "9", "notes": "n" * 500}]}),
    ],
)
def test_what_the_service_checks_itself_reaches_it(client, headers_for, url, body):
    response = (client.post if url == BOOKINGS else client.put)(url, json=body, headers=headers_for(Role.ADMIN))

    assert response.status_code == 404  # the schema let it through to the session lookup
    assert response.json["error"]["message"] == "There is no session with that code."


def test_one_validator_per_schema_and_integers_written_without_a_point():
    assert validator_for("FundSettings") is validator_for("FundSettings")
    settings_body = {"amount_pence": 100, "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"}
    assert validator_for("FundSettings").is_valid(settings_body)
    assert not validator_for("FundSettings").is_valid(settings_body | {"amount_pence": 100.0})
    assert not validator_for("FundSettings").is_valid(settings_body | {"amount_pence": True})
    with pytest.raises(KeyError):
        validator_for("NoSuchSchema")
