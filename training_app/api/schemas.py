"""Request bodies checked against the schemas the OpenAPI document publishes, so the document is the contract.

`body_for("NewBooking")` reads the JSON object body (400s as `json_object` gives them) and validates it with
a Draft 2020-12 validator built once per schema, $refs resolved against the served document; every failing
field becomes a 422 `{"error": {"code", "message", "fields"}}`. A schema property words its own problems
with `x-messages` (per failing keyword, plus "null" for a null value) or `x-message` (any keyword), where
`{field}` stands for the field's name; otherwise the defaults below say it. Unknown fields come from
`additionalProperties: false`. Checks a schema cannot express (a real calendar date, a record that exists,
business rules) stay in the view or service:
`body_and_problems` hands back the problems so a view can add its own before answering.

Two readings are stricter than plain JSON Schema: an integer is a JSON number written without a decimal point
(100.0 is not integer pence), and `format` is never asserted (the views parse dates themselves).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .errors import ApiError
from .parsing import Problems, json_object

DOCUMENT_URI = "urn:training-app:api-v1:openapi"
TYPE_WORDS = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "object": "an object",
    "array": "a list",
    "boolean": "true or false",
}
MISSING = object()


def _whole_number(_checker: Any, instance: Any) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


BodyValidator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _whole_number),
)


def body_for(name: str, *, brackets: bool = False, left_to_service: Iterable[str] = ()) -> dict[str, Any]:
    """The body, valid against components/schemas/`name`, or a 422 naming every field that is not."""
    body, problems = body_and_problems(name, brackets=brackets, left_to_service=left_to_service)
    if problems:
        raise ApiError.validation_failed(problems)
    return body


def body_and_problems(
    name: str, *, brackets: bool = False, left_to_service: Iterable[str] = ()
) -> tuple[dict[str, Any], Problems]:
    """The body and what the schema finds wrong with it, for a view that adds the checks a schema cannot make.

    `brackets` names nested fields `entries[0].day` rather than `evidence.0.date`; `left_to_service` lists
    keywords (e.g. "enum") that a service checks and words itself, so the view lets those through to it.
    """
    body = json_object()
    return body, schema_problems(name, body, brackets=brackets, left_to_service=frozenset(left_to_service))


def schema_problems(
    name: str, body: Any, *, brackets: bool = False, left_to_service: frozenset[str] = frozenset()
) -> Problems:
    """One message per bad field; a wrong type outranks the other problems of the same field."""
    problems: Problems = {}
    for error in validator_for(name).iter_errors(body):
        if error.validator in left_to_service:
            continue
        for path, words in _described(error):
            field = field_name(path, brackets)
            if field not in problems or error.validator == "type":
                problems[field] = words.replace("{field}", field)
    return problems


@cache
def served_document() -> dict[str, Any]:
    """The OpenAPI document exactly as /api/v1/openapi.json serves it."""
    from .openapi import openapi_document  # openapi imports every API module, which import this one

    return json.loads(json.dumps(openapi_document()))


@cache
def validator_for(name: str) -> Draft202012Validator:
    """The validator of components/schemas/`name`, built once; a KeyError for a schema the document lacks."""
    document = served_document()
    if name not in document["components"]["schemas"]:
        raise KeyError(f"The OpenAPI document has no schema {name!r}.")
    registry: Registry = Registry().with_resource(DOCUMENT_URI, DRAFT202012.create_resource(document))
    return BodyValidator({"$ref": f"{DOCUMENT_URI}#/components/schemas/{name}"}, registry=registry)


def field_name(path: Sequence[str | int], brackets: bool = False) -> str:
    """`evidence.0.date` (or `entries[0].day` with brackets) for a path into the body."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]" if brackets else f".{part}"
        else:
            text += f".{part}" if text else part
    return text


def _described(error: ValidationError) -> list[tuple[list[str | int], str]]:
    """The fields one validation error is about, each with its message."""
    path = list(error.path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "required":
        properties = schema.get("properties", {})
        missing = [name for name in error.validator_value if name not in error.instance]
        return [(path + [name], message(properties.get(name, {}), "required")) for name in missing]
    if error.validator == "additionalProperties":
        known = schema.get("properties", {})
        return [(path + [name], "Unknown field.") for name in error.instance if name not in known]
    if path and isinstance(path[-1], int) and schema.get("type") not in ("object", "array"):
        path = path[:-1]  # an element of a list of codes or names is a problem of the list
    return [(path, message(schema, str(error.validator), error.instance, error.validator_value))]


def message(schema: dict[str, Any], keyword: str, instance: Any = MISSING, value: Any = None) -> str:
    """The schema's own words for a failing keyword (x-messages, then x-message), else the default ones."""
    messages = schema.get("x-messages", {})
    if keyword == "type" and instance is None and "null" in messages:
        return str(messages["null"])
    return str(messages.get(keyword) or schema.get("x-message") or _default(keyword, instance, value))


def _default(keyword: str, instance: Any, value: Any) -> str:
    if keyword == "type":
        if instance is None:
            return "Must not be null."
        kinds = value if isinstance(value, list) else [value]
        return f"Must be {' or '.join(TYPE_WORDS.get(kind, str(kind)) for kind in kinds)}."
    if keyword == "enum":
        return f"Must be one of {', '.join(str(item) for item in value)}."
    defaults = {
        "required": "This field is required.",
        "maxLength": f"Must be {value} characters or fewer.",
        "minLength": "Must not be empty.",
        "minimum": f"Must be {value} or more.",
        "maximum": f"Must be {value} or less.",
        "minItems": f"Give at least {value}.",
        "maxItems": f"Give at most {value}.",
    }
    return defaults.get(keyword, "Is not valid.")
