"""GET and PUT /api/v1/funds/{financial_year}: the supply-cover fund and its rate card (SPEC 3.7, 4.5)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import g, jsonify

from ..models import ClaimCategory, CoverUnit, Fund, Role
from ..services.claims import funds
from ..services.claims.funds import FundConflict, FundError, FundSettings, RateKey
from .auth import api_allow
from .docs import DATE, NOT_BLANK, errors, json_body, json_response, ref
from .errors import ApiError
from .parsing import Problems, date_problem
from .routes import bp
from .schemas import body_and_problems

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
    settings = fund_settings(financial_year, *body_and_problems("FundSettings"))
    try:
        fund, created = funds.set_fund(financial_year, settings, actor=g.api_user)
    except FundConflict as conflict:
        raise ApiError(409, conflict.fields["financial_year"]) from None
    except FundError as error:
        if error.conflict:
            raise ApiError(409, error.fields["financial_year"], error.fields) from None
        raise ApiError.validation_failed(error.fields) from None
    return jsonify(fund_json(fund)), 201 if created else 200


def fund_settings(financial_year: int, body: dict[str, Any], problems: Problems) -> FundSettings:
    """The body (already checked against its schema) as fund settings, or a 422 naming every bad field."""
    amount = None if "amount_pence" in problems else body.get("amount_pence")
    scheme_start = _date(body, "scheme_start", "Scheme start", problems)
    claim_deadline = _date(body, "claim_deadline", "Claim deadline", problems)
    rates = rate_values(body, problems)
    contributions = contribution_values(body, problems)
    problems |= funds.fund_problems(financial_year, amount, scheme_start, claim_deadline, rates)
    if problems or amount is None or scheme_start is None or claim_deadline is None:
        raise ApiError.validation_failed(problems)
    return FundSettings(amount, scheme_start, claim_deadline, rates, contributions)


def _date(body: dict[str, Any], name: str, label: str, problems: Problems) -> date | None:
    """A real calendar date within the supported years (the schema has made sure it is text)."""
    if name in problems:
        return None
    value, problem = date_problem(body[name], name, label)
    if problem:
        problems[name] = problem
    return value


def contribution_values(body: dict[str, Any], problems: Problems) -> dict[str, int] | None:
    """[{"contributor", "amount_pence"}, ...] as pence by contributor, each listed once; None when left out."""
    if "contributions" not in body or "contributions" in problems:
        return None
    parsed: dict[str, int] = {}
    for index, item in enumerate(body["contributions"]):
        prefix = f"contributions.{index}"
        if any(field == prefix or field.startswith(f"{prefix}.") for field in problems):
            continue
        name = item["contributor"].strip()
        if name in parsed:
            problems[f"{prefix}.contributor"] = "Each contributor is listed once."
        else:
            parsed[name] = item["amount_pence"]
    return parsed


def rate_values(body: dict[str, Any], problems: Problems) -> dict[RateKey, int]:
    """{"teacher": {"half_day": 9000, ...}, ...} as rates by category and unit; both levels may be partial."""
    rates = {} if "rates" in problems else body.get("rates", {})
    parsed: dict[RateKey, int] = {}
    for category in ClaimCategory:
        units = {} if f"rates.{category.value}" in problems else rates.get(category.value, {})
        for unit in CoverUnit:
            if unit.value in units and funds.rate_field((category, unit)) not in problems:
                parsed[(category, unit)] = units[unit.value]
    return parsed


def fund_json(fund: Fund) -> dict[str, Any]:
    """A fund as the API shows it."""
    return {"financial_year": fund.financial_year, "label": fund.label, **funds.fund_values(fund)}


PENCE_RANGE = f"Must be a whole number of pence from 0 to {funds.MAX_PENCE}."
PENCE: dict[str, Any] = {
    "type": "integer",
    "minimum": 0,
    "maximum": funds.MAX_PENCE,
    "x-messages": {
        "required": "Enter a whole number.",
        "null": "Enter a whole number.",
        "type": "Must be a whole number (integer pence), not text or a decimal.",
        "minimum": PENCE_RANGE,
        "maximum": PENCE_RANGE,
    },
}
ENTER_DATE = {"required": "Enter a date as YYYY-MM-DD.", "null": "Enter a date as YYYY-MM-DD."}
CONTRIBUTOR = f"Name the contributor in 1 to {funds.MAX_CONTRIBUTOR} characters."
UNIT_RATES = {
    "type": "object",
    "additionalProperties": False,
    "properties": {unit.value: PENCE for unit in CoverUnit},
    "x-message": "Must be an object with half_day and day in pence.",
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
                "scheme_start": {
                    **DATE,
                    "description": "Days before it are retrospective and need evidence.",
                    "x-messages": ENTER_DATE,
                    "x-message": "Scheme start must be a real date written YYYY-MM-DD.",
                },
                "claim_deadline": {
                    **DATE,
                    "description": "After the scheme start.",
                    "x-messages": ENTER_DATE,
                    "x-message": "Claim deadline must be a real date written YYYY-MM-DD.",
                },
                "contributions": {
                    "type": "array",
                    "x-message": "Contributions must be a list of {contributor, amount_pence}.",
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
                    "x-message": "Rates must be an object by cover category (teacher, teaching_assistant).",
                },
            },
        },
        "Contribution": {
            "type": "object",
            "additionalProperties": False,
            "required": ["contributor", "amount_pence"],
            "x-message": "Must be an object with contributor and amount_pence.",
            "properties": {
                "contributor": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": funds.MAX_CONTRIBUTOR,
                    "pattern": NOT_BLANK,
                    "x-message": CONTRIBUTOR,
                },
                "amount_pence": PENCE,
            },
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
