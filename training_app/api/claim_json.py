"""The claims API's JSON (SPEC 4.5): a claimable line and a claim as the API shows them, and the OpenAPI paths
and schemas of the claims endpoints and the fund allocation, which api/openapi collects; the views are in api/claims.
"""

from __future__ import annotations

from typing import Any

from ..models import Claim
from ..services.claims.claims import MAX_REASON, ClaimableLine
from .docs import DATE, NOT_BLANK, STRING, errors, json_body, json_response, query_parameter, ref
from .funds import PENCE, YEAR_PARAMETER


def line_json(line: ClaimableLine) -> dict[str, Any]:
    """A claimable line as SPEC 4.5 shows it."""
    return {
        "practitioner": line.email,
        "session": line.session_code,
        "date": line.day.isoformat(),
        "unit": line.unit.value,
        "category": line.category.value,
        "retrospective": line.retrospective,
        "amount_pence": line.rate_pence,
    }


def claim_json(claim: Claim) -> dict[str, Any]:
    """A claim with its lines as the API shows it."""
    lines = sorted(claim.lines, key=lambda line: (line.session_day.date, line.practitioner.email))
    return {
        "id": claim.id,
        "organisation": claim.organisation.code,
        "financial_year": claim.fund.financial_year,
        "status": claim.status.value,
        "rejection_reason": claim.rejection_reason,
        "total_pence": claim.total_pence,
        "lines": [
            {
                "practitioner": line.practitioner.email,
                "session": line.session_day.session.code,
                "date": line.session_day.date.isoformat(),
                "unit": line.unit.value,
                "category": line.category.value,
                "retrospective": line.retrospective,
                "rate_pence": line.rate_pence,
                "amount_pence": line.amount_pence,
                "evidence": _line_evidence(line) if line.retrospective else None,
            }
            for line in lines
        ],
    }


def _line_evidence(line) -> dict[str, Any]:
    return {
        "supplier": line.evidence_supplier,
        "invoice": line.evidence_invoice,
        "amount_pence": line.evidence_amount_pence,
    }


def _entered(name: str) -> dict[str, Any]:
    """Evidence text that must hold more than spaces."""
    return {**STRING, "minLength": 1, "pattern": NOT_BLANK, "x-message": f"Enter the {name}."}


LINE_PROPERTIES = {
    "practitioner": {"type": "string", "description": "Email."},
    "session": STRING,
    "date": DATE,
    "unit": {"type": "string", "enum": ["half_day", "day"]},
    "category": {"type": "string", "enum": ["teacher", "teaching_assistant"]},
    "retrospective": {"type": "boolean"},
}
CLAIM_PATH = {"name": "claim_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
CLAIM_RESPONSE = json_response("The claim after the move.", ref("Claim"))

OPENAPI: dict[str, Any] = {
    "paths": {
        "/claims/preview": {
            "get": {
                "operationId": "previewClaim",
                "summary": "What a school could claim from a year's fund now (booker: own school; finance, admin)",
                "parameters": [
                    query_parameter("organisation", "School code; a booker's own school when left out."),
                    {
                        "name": "financial_year",
                        "in": "query",
                        "required": True,
                        "description": "2007 for 2007-08.",
                        "schema": {"type": "string", "pattern": "^[0-9]{4}$", "examples": ["2007"]},
                    },
                ],
                "responses": {"200": json_response("Claimable lines.", ref("ClaimPreview")), **errors(403, 404, 422)},
            }
        },
        "/claims": {
            "post": {
                "operationId": "createClaim",
                "summary": "A draft claim holding every claimable line not yet claimed (booker: own school; admin)",
                "requestBody": json_body(ref("NewClaim")),
                "responses": {
                    "201": json_response("The draft claim.", ref("CreatedClaim")),
                    **errors(400, 403, 404, 409, 422),
                },
            }
        },
        "/claims/{claim_id}": {
            "parameters": [CLAIM_PATH],
            "get": {
                "operationId": "getClaim",
                "summary": "One claim (booker: own school; finance, admin)",
                "responses": {"200": json_response("The claim.", ref("Claim")), **errors(403, 404)},
            },
        },
        **{
            f"/claims/{{claim_id}}/{move}": {
                "parameters": [CLAIM_PATH],
                "post": {
                    "operationId": operation,
                    "summary": summary,
                    **({"requestBody": json_body(ref("Rejection"))} if move == "reject" else {}),
                    "responses": {"200": CLAIM_RESPONSE, **errors(400, 403, 404, 409, 422)},
                },
            }
            for move, operation, summary in (
                ("submit", "submitClaim", "Send a draft to finance (booker: own school; admin)"),
                ("approve", "approveClaim", "Approve a submitted claim (finance only)"),
                ("reject", "rejectClaim", "Reject a submitted claim with a reason (finance only)"),
                ("paid", "markClaimPaid", "Record that an approved claim was paid (finance only)"),
            )
        },
        "/funds/{financial_year}/allocation": {
            "parameters": [YEAR_PARAMETER],
            "get": {
                "operationId": "getFundAllocation",
                "summary": "Each school's approved and payable pence, and the underspend return (finance, admin)",
                "responses": {"200": json_response("The allocation.", ref("Allocation")), **errors(403, 404)},
            },
        },
    },
    "schemas": {
        "ClaimableLine": {
            "type": "object",
            "required": [*LINE_PROPERTIES, "amount_pence"],
            "properties": {**LINE_PROPERTIES, "amount_pence": PENCE},
        },
        "ClaimPreview": {
            "type": "object",
            "required": ["lines", "total_pence"],
            "properties": {
                "lines": {"type": "array", "items": ref("ClaimableLine")},
                "total_pence": {"type": "integer"},
            },
        },
        "NewClaim": {
            "type": "object",
            "additionalProperties": False,
            "required": ["financial_year"],
            "properties": {
                "organisation": {
                    "type": ["string", "null"],
                    "description": "School code; a booker's own when left out or null.",
                    "x-message": "Give the code of an organisation that exists.",
                },
                "financial_year": {
                    "type": "integer",
                    "examples": [2007],
                    "x-messages": {"required": "Enter a whole number.", "null": "Enter a whole number."},
                    "x-message": "Must be a whole number (integer pence), not text or a decimal.",
                },
                "evidence": {
                    "type": "array",
                    "x-message": "Evidence must be a list.",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["practitioner", "date", "supplier", "invoice", "amount_pence"],
                        "x-message": "Must be an object.",
                        "properties": {
                            **{name: _entered(name) for name in ("practitioner", "supplier", "invoice")},
                            "date": {**DATE, "x-message": "'{field}' must be a real date written YYYY-MM-DD."},
                            "amount_pence": {
                                **PENCE,
                                "x-messages": {
                                    **PENCE["x-messages"],
                                    "minimum": "The invoice amount cannot be negative.",
                                },
                            },
                        },
                    },
                },
            },
        },
        "Claim": {
            "type": "object",
            "required": ["id", "organisation", "financial_year", "status", "total_pence", "lines"],
            "properties": {
                "id": {"type": "integer"},
                "organisation": STRING,
                "financial_year": {"type": "integer"},
                "status": {"type": "string", "enum": ["draft", "submitted", "approved", "rejected", "paid"]},
                "rejection_reason": {"type": ["string", "null"]},
                "total_pence": {"type": "integer"},
                "lines": {"type": "array", "items": {"type": "object"}},
            },
        },
        "CreatedClaim": {
            "allOf": [ref("Claim")],
            "type": "object",
            "required": ["needs_evidence"],
            "properties": {"needs_evidence": {"type": "array", "items": ref("ClaimableLine")}},
        },
        "Rejection": {
            "type": "object",
            "additionalProperties": False,
            "required": ["reason"],
            "properties": {
                "reason": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": MAX_REASON,
                    "pattern": NOT_BLANK,
                    "x-messages": {
                        "maxLength": f"Enter the reason for rejecting the claim, at most {MAX_REASON} characters"
                    },
                    "x-message": "Enter the reason for rejecting the claim.",
                }
            },
        },
        "Allocation": {
            "type": "object",
            "required": ["fund_pence", "schools"],
            "properties": {
                "fund_pence": {"type": "integer"},
                "approved_pence": {"type": "integer"},
                "payable_pence": {"type": "integer"},
                "remaining_pence": {"type": "integer"},
                "schools": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["organisation", "approved_pence", "payable_pence"],
                        "properties": {
                            "organisation": STRING,
                            "approved_pence": {"type": "integer"},
                            "payable_pence": {"type": "integer"},
                            "paid_pence": {"type": "integer"},
                        },
                    },
                },
                "underspend": {"type": "array", "items": {"type": "object"}},
            },
        },
    },
}
