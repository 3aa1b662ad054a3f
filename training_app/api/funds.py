"""GET and PUT /api/v1/funds/{financial_year}: the supply-cover fund and its rate card (SPEC 3.7, 4.5)."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import ClaimCategory, CoverUnit, Fund, Role
from ..services.claims import funds
from ..services.claims.funds import FundError, FundSettings, RateKey
from .auth import api_allow
from .docs import DATE, errors, json_body, json_response, ref
from .errors import ApiError
from .parsing import Problems, date_field, integer_field, json_object, unknown_fields
from .routes import bp

FUND_FIELDS = frozenset({"amount_pence", "scheme_start", "claim_deadline", "rates", "contributions"})
CONTRIBUTION_FIELDS = frozenset({"contributor", "amount_pence"})
FINANCE = (Role.FINANCE, Role.ADMIN)


@bp.get("/funds/<number:financial_year>")
@api_allow(FINANCE)
def get_fund(financial_year: int):
    """A year's fund with its rate card."""
    fund = funds.get_fund(financial_year)
    if fund is None:
        raise ApiError.not_found(f"There is no fund for financial year {financial_year}.")
    return jsonify(fund_json(fund))


@bp.put("/funds/<number:financial_year>")
@api_allow(FINANCE)
def put_fund(financial_year: int):
    """Create (201) or change (200) a year's fund; rates left out take the defaults."""
    settings = fund_settings(financial_year, json_object())
    try:
        fund, created = funds.set_fund(financial_year, settings, actor=g.api_user)
    except FundError as error:
        if error.conflict:
            raise ApiError(409, error.fields["financial_year"], error.fields) from None
        raise ApiError.validation_failed(error.fields) from None
    return jsonify(fund_json(fund)), 201 if created else 200


def fund_settings(financial_year: int, body: dict[str, Any]) -> FundSettings:
    """The body as fund settings, or a 422 naming every bad field."""
    problems: Problems = unknown_fields(body, FUND_FIELDS)
    amount = integer_field(body.get("amount_pence"), "amount_pence", problems)
    scheme_start = date_field(body, "scheme_start", problems, "Scheme start")
    claim_deadline = date_field(body, "claim_deadline", problems, "Claim deadline")
    rates = rate_fields(body, problems)
    contributions = contribution_fields(body, problems)
    problems |= funds.fund_problems(financial_year, amount, scheme_start, claim_deadline, rates)
    if problems:
        raise ApiError.validation_failed(problems)
    return FundSettings(amount, scheme_start, claim_deadline, rates, contributions)


def contribution_fields(body: dict[str, Any], problems: Problems) -> dict[str, int] | None:
    """[{"contributor", "amount_pence"}, ...] as pence by contributor; None when the body leaves them out."""
    if "contributions" not in body:
        return None
    given = body["contributions"]
    if not isinstance(given, list):
        problems["contributions"] = "Contributions must be a list of {contributor, amount_pence}."
        return None
    parsed: dict[str, int] = {}
    for index, item in enumerate(given):
        prefix = f"contributions.{index}."
        if not isinstance(item, dict):
            problems[f"contributions.{index}"] = "Must be an object with contributor and amount_pence."
            continue
        problems |= unknown_fields(item, CONTRIBUTION_FIELDS, prefix)
        name = item.get("contributor")
        pence = integer_field(item.get("amount_pence"), f"{prefix}amount_pence", problems)
        if not isinstance(name, str) or not name.strip() or len(name) > funds.MAX_CONTRIBUTOR:
            problems[f"{prefix}contributor"] = f"Name the contributor in 1 to {funds.MAX_CONTRIBUTOR} characters."
        elif name.strip() in parsed:
            problems[f"{prefix}contributor"] = "Each contributor is listed once."
        elif pence is not None and not 0 <= pence <= funds.MAX_PENCE:
            problems[f"{prefix}amount_pence"] = f"Must be a whole number of pence from 0 to {funds.MAX_PENCE}."
        elif pence is not None:
            parsed[name.strip()] = pence
    return parsed


def rate_fields(body: dict[str, Any], problems: Problems) -> dict[RateKey, int | None]:
    """{"teacher": {"half_day": 9000, ...}, ...} as rates by category and unit; both levels may be partial."""
    if "rates" not in body:
        return {}
    rates = body["rates"]
    if not isinstance(rates, dict):
        problems["rates"] = "Rates must be an object by cover category (teacher, teaching_assistant)."
        return {}
    problems |= unknown_fields(rates, frozenset(ClaimCategory), "rates.")
    parsed: dict[RateKey, int | None] = {}
    for category in ClaimCategory:
        if category.value not in rates:
            continue
        units = rates[category.value]
        if not isinstance(units, dict):
            problems[f"rates.{category}"] = "Must be an object with half_day and day in pence."
            continue
        problems |= unknown_fields(units, frozenset(CoverUnit), f"rates.{category}.")
        for unit in CoverUnit:
            if unit.value in units:
                name = funds.rate_field((category, unit))
                parsed[(category, unit)] = integer_field(units[unit.value], name, problems)
    return parsed


def fund_json(fund: Fund) -> dict[str, Any]:
    """A fund as the API shows it."""
    return {"financial_year": fund.financial_year, "label": fund.label, **funds.fund_values(fund)}


PENCE = {"type": "integer", "minimum": 0, "maximum": funds.MAX_PENCE}
UNIT_RATES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {unit.value: PENCE for unit in CoverUnit},
}
YEAR_PARAMETER = {
    "name": "financial_year",
    "in": "path",
    "required": True,
    "description": "The year the financial year starts in: 2007 is 1 April 2007 to 31 March 2008 (2007-08).",
    "schema": {
        "type": "integer",
        "minimum": funds.MIN_FINANCIAL_YEAR,
        "maximum": funds.MAX_FINANCIAL_YEAR,
        "examples": [2007],
    },
}

OPENAPI = {
    "paths": {
        "/funds/{financial_year}": {
            "parameters": [YEAR_PARAMETER],
            "get": {
                "operationId": "getFund",
                "summary": "A year's supply-cover fund and rate card (finance, admin)",
                "responses": {"200": json_response("The fund.", ref("Fund")), **errors(403, 404)},
            },
            "put": {
                "operationId": "putFund",
                "summary": "Create or change a year's fund (finance, admin); rates left out take the defaults",
                "requestBody": json_body(ref("FundSettings")),
                "responses": {
                    "200": json_response("The fund was changed.", ref("Fund")),
                    "201": json_response("The fund was created.", ref("Fund")),
                    **errors(400, 403, 404, 409, 422),
                },
            },
        }
    },
    "schemas": {
        "FundSettings": {
            "type": "object",
            "additionalProperties": False,
            "required": ["amount_pence", "scheme_start", "claim_deadline"],
            "examples": [
                {"amount_pence": 15_400_000, "scheme_start": "2007-09-01", "claim_deadline": "2008-04-30"},
                {
                    "amount_pence": 15_400_000,
                    "scheme_start": "2007-09-01",
                    "claim_deadline": "2008-04-30",
                    "rates": {"teacher": {"half_day": 9000, "day": 18000}, "teaching_assistant": {"day": 7000}},
                },
            ],
            "properties": {
                "amount_pence": PENCE,
                "scheme_start": {**DATE, "description": "Days before it are retrospective and need evidence."},
                "claim_deadline": {**DATE, "description": "After the scheme start."},
                "contributions": {
                    "type": "array",
                    "description": "Where a partnership pools budgets: each partner's contribution, for returning the "
                    "underspend pro rata. Replaces those held; left out, they stay as they are.",
                    "items": ref("Contribution"),
                },
                "rates": {
                    "type": "object",
                    "additionalProperties": False,
                    "description": "Pence per cover category and unit; defaults: teacher 9000/18000, "
                    "teaching assistant 3500/7000 (half day/day).",
                    "properties": {category.value: UNIT_RATES for category in ClaimCategory},
                },
            },
        },
        "Contribution": {
            "type": "object",
            "additionalProperties": False,
            "required": ["contributor", "amount_pence"],
            "properties": {"contributor": {"type": "string", "minLength": 1, "maxLength": 200}, "amount_pence": PENCE},
        },
        "Fund": {
            "type": "object",
            "required": ["financial_year", "label", "amount_pence", "scheme_start", "claim_deadline", "rates"],
            "properties": {
                "contributions": {"type": "array", "items": ref("Contribution")},
                "financial_year": {"type": "integer"},
                "label": {"type": "string", "examples": ["2007-08"]},
                "amount_pence": PENCE,
                "scheme_start": DATE,
                "claim_deadline": DATE,
                "rates": {
                    "type": "object",
                    "properties": {
                        category.value: {**UNIT_RATES, "required": [unit.value for unit in CoverUnit]}
                        for category in ClaimCategory
                    },
                },
            },
        },
    },
}
