"""/api/v1/webhooks (SPEC 3.11, 4.5): admins register, list, pause, resume and delete webhooks, and read a
webhook's deliveries. The shared secret is taken once and never returned."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify

from ..models import Role, Webhook, WebhookDelivery, WebhookEvent
from ..services.webhooks import webhooks
from ..services.webhooks.webhooks import MAX_SECRET, WebhookError
from .auth import api_allow
from .docs import DATE_TIME, STRING, errors, json_body, json_response, ref
from .errors import ApiError
from .routes import bp
from .schemas import body_for


@bp.get("/webhooks")
@api_allow(Role.ADMIN)
def list_webhooks():
    """Every webhook, oldest first (never its secret)."""
    return jsonify(webhooks=[webhook_json(hook) for hook in webhooks.webhooks_listed()])


@bp.post("/webhooks")
@api_allow(Role.ADMIN)
def post_webhook():
    """Register a webhook: 201 with its id; 422 for a URL that is not http(s) or is this service, a short secret or
    unknown events."""
    body = body_for("NewWebhook", left_to_service=("enum", "minItems", "minLength"))
    try:
        hook = webhooks.register_webhook(body["url"], body["secret"], body["events"], by=g.api_user)
    except WebhookError as refused:
        raise ApiError.validation_failed(refused.fields) from None
    return jsonify(webhook_json(hook)), 201


@bp.delete("/webhooks/<number:webhook_id>")
@api_allow(Role.ADMIN)
def delete_webhook(webhook_id: int):
    """Delete a webhook and its delivery log: 204."""
    _changed(lambda: webhooks.delete_webhook(webhook_id, by=g.api_user))
    return "", 204


@bp.post("/webhooks/<number:webhook_id>/pause")
@api_allow(Role.ADMIN)
def pause_webhook(webhook_id: int):
    """Pause a webhook: nothing is recorded or sent for it until it is resumed."""
    return jsonify(webhook_json(_changed(lambda: webhooks.set_paused(webhook_id, True, by=g.api_user))))


@bp.post("/webhooks/<number:webhook_id>/resume")
@api_allow(Role.ADMIN)
def resume_webhook(webhook_id: int):
    """Resume a paused webhook."""
    return jsonify(webhook_json(_changed(lambda: webhooks.set_paused(webhook_id, False, by=g.api_user))))


@bp.get("/webhooks/<number:webhook_id>/deliveries")
@api_allow(Role.ADMIN)
def list_deliveries(webhook_id: int):
    """A webhook's latest 100 deliveries, newest first, with the receiver's status codes."""
    hook = _changed(lambda: webhooks.find_webhook(webhook_id))
    return jsonify(deliveries=[delivery_json(delivery) for delivery in webhooks.deliveries_of(hook.id)])


def _changed(action: Any) -> Any:
    try:
        return action()
    except WebhookError as refused:
        raise ApiError.not_found(str(refused)) from None


def _moment(value: Any) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def webhook_json(hook: Webhook) -> dict[str, Any]:
    """A webhook as the API shows it: never its secret."""
    return {**hook.values(), "id": hook.id, "created_at": _moment(hook.created_at)}


def delivery_json(delivery: WebhookDelivery) -> dict[str, Any]:
    """One delivery: the event's id and name, its status, attempts and the receiver's last answer."""
    return {
        "id": delivery.id,
        "event_id": delivery.event_id,
        "event": delivery.event,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "next_attempt_at": _moment(delivery.next_attempt_at) if delivery.status.value == "pending" else None,
        "delivered_at": _moment(delivery.delivered_at),
        "created_at": _moment(delivery.created_at),
    }


ID_PARAMETER = {"name": "webhook_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1}}
EVENT = {"type": "string", "enum": [event.value for event in WebhookEvent]}
NULLABLE_MOMENT = {"type": ["string", "null"], "format": "date-time"}
SECRET_LENGTH = f"The secret must be {webhooks.MIN_SECRET} to {MAX_SECRET} characters long."

OPENAPI = {
    "paths": {
        "/webhooks": {
            "get": {
                "operationId": "listWebhooks",
                "summary": "Every webhook (admins)",
                "responses": {"200": json_response("The webhooks.", ref("WebhookList")), **errors(403)},
            },
            "post": {
                "operationId": "registerWebhook",
                "summary": "Register a webhook: a URL, a shared secret and its events (admins)",
                "description": "Each event is POSTed as JSON {id, event, occurred_at, data} with X-Signature: "
                "sha256=HEX, the HMAC-SHA256 of the body with the secret; retried after 1, 5, 30 and 120 minutes, "
                "keeping its id. The URL must be http(s) and not this service.",
                "requestBody": json_body(ref("NewWebhook")),
                "responses": {"201": json_response("Registered.", ref("Webhook")), **errors(400, 403, 422)},
            },
        },
        "/webhooks/{webhook_id}": {
            "parameters": [ID_PARAMETER],
            "delete": {
                "operationId": "deleteWebhook",
                "summary": "Delete a webhook and its delivery log (admins)",
                "responses": {"204": {"description": "Deleted."}, **errors(403, 404)},
            },
        },
        "/webhooks/{webhook_id}/pause": {
            "parameters": [ID_PARAMETER],
            "post": {
                "operationId": "pauseWebhook",
                "summary": "Pause a webhook: nothing is recorded or sent for it (admins)",
                "responses": {"200": json_response("Paused.", ref("Webhook")), **errors(403, 404)},
            },
        },
        "/webhooks/{webhook_id}/resume": {
            "parameters": [ID_PARAMETER],
            "post": {
                "operationId": "resumeWebhook",
                "summary": "Resume a paused webhook (admins)",
                "responses": {"200": json_response("Resumed.", ref("Webhook")), **errors(403, 404)},
            },
        },
        "/webhooks/{webhook_id}/deliveries": {
            "parameters": [ID_PARAMETER],
            "get": {
                "operationId": "listWebhookDeliveries",
                "summary": "A webhook's latest 100 deliveries, newest first (admins)",
                "responses": {"200": json_response("The deliveries.", ref("DeliveryList")), **errors(403, 404)},
            },
        },
    },
    "schemas": {
        "NewWebhook": {
            "type": "object",
            "additionalProperties": False,
            "required": ["url", "secret", "events"],
            "examples": [
                {
                    "url": "https://hr.example.org/hooks/training",
                    "secret": "a-long-shared-secret-0123456789",
                    "events": ["booking.created", "training_record.created"],
                }
            ],
            "properties": {
                "url": {
                    "type": "string",
                    "maxLength": 2000,
                    "x-messages": {
                        "required": "Enter the URL to send events to.",
                        "null": "Enter the URL to send events to.",
                        "type": "The URL must be text.",
                        "maxLength": "The URL must be 2000 characters or fewer.",
                    },
                },
                "secret": {
                    "type": "string",
                    "minLength": webhooks.MIN_SECRET,
                    "maxLength": MAX_SECRET,
                    "description": "Shared with the receiver to check X-Signature; never returned.",
                    "x-messages": {
                        "required": "Enter the shared secret.",
                        "null": "Enter the shared secret.",
                        "type": "The secret must be text.",
                        "maxLength": SECRET_LENGTH,
                    },
                },
                "events": {
                    "type": "array",
                    "minItems": 1,
                    "items": EVENT,
                    "x-messages": {
                        "required": "Select at least one event.",
                        "null": "Select at least one event.",
                        "type": "Events must be a list of event names.",
                    },
                    "x-message": "Events must be a list of event names.",
                },
            },
        },
        "Webhook": {
            "type": "object",
            "required": ["id", "url", "events", "active", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "url": STRING,
                "events": {"type": "array", "items": EVENT},
                "active": {"type": "boolean", "description": "False while paused."},
                "created_at": DATE_TIME,
            },
        },
        "WebhookList": {
            "type": "object",
            "required": ["webhooks"],
            "properties": {"webhooks": {"type": "array", "items": ref("Webhook")}},
        },
        "Delivery": {
            "type": "object",
            "required": ["id", "event_id", "event", "status", "attempts", "created_at"],
            "properties": {
                "id": {"type": "integer"},
                "event_id": {"type": "string", "description": "The body's id: the same on every retry."},
                "event": EVENT,
                "status": {"type": "string", "enum": ["pending", "sending", "delivered", "failed"]},
                "attempts": {"type": "integer"},
                "last_status_code": {"type": ["integer", "null"]},
                "last_error": {"type": ["string", "null"]},
                "next_attempt_at": NULLABLE_MOMENT,
                "delivered_at": NULLABLE_MOMENT,
                "created_at": DATE_TIME,
            },
        },
        "DeliveryList": {
            "type": "object",
            "required": ["deliveries"],
            "properties": {"deliveries": {"type": "array", "items": ref("Delivery")}},
        },
    },
}
