"""The ingress's OpenAPI document, served at `/openapi.json`.

Written by hand, next to the routes it describes; a test checks that every route of
the app is in it and that its examples are accepted by the routes, and schemathesis
fuzzes every operation against it (tests/ingress/test_openapi_schemathesis.py): a
request body the document allows should reach the handler, and every answer, its
status, content type, headers and body, is one the document lists.
"""

from __future__ import annotations

from typing import Any

from bridge.ingress.ids import MAX_ID
from bridge.ingress.twilio_request import MESSAGE_SID
from bridge.ingress.twilio_status import MESSAGE_STATUSES

__all__ = ["openapi_document"]

_ERROR_REF = "#/components/schemas/Error"
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _answer(description: str, schema: dict[str, Any] | None = None,
            headers: tuple[str, ...] = ()) -> dict[str, Any]:
    answer: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema or {"$ref": _ERROR_REF}}},
    }
    if headers:
        answer["headers"] = {name: {"required": True, "schema": {"type": "string"}}
                             for name in headers}
    return answer


def _unavailable(description: str) -> dict[str, Any]:
    """Redis unreachable, or every place for a body taken (`bridge.http.body`): a 503
    with a Retry-After."""
    return _answer(description, headers=("Retry-After",))


#: The answers every route that reads a body may give about the body itself.
_BODY_REFUSALS = {
    "408": _answer("The body did not arrive in time; the connection is closed."),
    "413": _answer("Body over 64 KiB."),
}
_BUSY = " Or too many bodies are being read at once."

#: The booking API's ids: positive, within its integer range. JSON Schema's integer
#: includes `5783.0`, and the routes take it as 5783 (`bridge.ingress.ids`).
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_OPTIONAL_ID = {"type": ["integer", "null"], "minimum": 1, "maximum": MAX_ID}
#: The routes' own pattern, anchored (ECMA-262 `pattern`s are searches, not matches).
_SID_PATTERN = f"^{MESSAGE_SID.pattern}$"

#: What `bridge.ingress.notices` accepts, exactly: an appointment notice needs both ids,
#: a customer notice its customer id, and neither takes a field it does not name.
_NOTICE = {
    "oneOf": [
        {
            "type": "object",
            "required": ["type", "data"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string",
                         "enum": ["appointment.changed", "appointment.deleted"]},
                "data": {
                    "type": "object",
                    "required": ["agenda_id", "appointment_id"],
                    "additionalProperties": False,
                    "properties": {
                        "agenda_id": _ID,
                        "appointment_id": _ID,
                        "confirmation_code": {"type": ["string", "null"],
                                              "pattern": "^[A-Za-z0-9]{1,32}$"},
                    },
                },
            },
        },
        {
            "type": "object",
            "required": ["type", "data"],
            "additionalProperties": False,
            "properties": {
                "type": {"type": "string", "enum": ["customer.changed"]},
                "data": {
                    "type": "object",
                    "required": ["customer_id"],
                    "additionalProperties": False,
                    "properties": {
                        "customer_id": _ID,
                        "agenda_id": _OPTIONAL_ID,
                    },
                },
            },
        },
    ],
}

_ACCEPTED = {
    "type": "object",
    "required": ["job_id"],
    "properties": {
        "job_id": {"type": "string"},
        "duplicate": {"type": "boolean"},
        "already_queued": {"type": "boolean"},
        "coalesced": {"type": "boolean", "description": (
            "A poll trigger within the minimum interval after the last poll a trigger "
            "queued for this agenda: nothing was queued, and job_id is that poll.")},
        "type": {"type": "string"},
        "agenda_id": {"type": ["integer", "null"]},
    },
}


_TWILIO_STATUS = {
    "type": "object",
    "required": ["MessageSid", "MessageStatus"],
    "properties": {
        "MessageSid": {"type": "string", "pattern": _SID_PATTERN},
        "MessageStatus": {"type": "string", "enum": sorted(MESSAGE_STATUSES)},
        "ErrorCode": {"type": "string", "pattern": "^[0-9]{0,9}$"},
    },
}


_TWILIO_INBOUND = {
    "type": "object",
    "required": ["MessageSid", "From", "Body"],
    "properties": {
        "MessageSid": {"type": "string", "pattern": _SID_PATTERN},
        "From": {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"},
        "To": {"type": "string"},
        "Body": {"type": "string",
                 "description": "Kept up to 1600 characters, without control characters."},
    },
}


_HEALTH = {
    "type": "object",
    "required": ["status"],
    "properties": {"status": {"type": "string", "enum": ["ok", "ready", "unavailable"]},
                   "redis": {"type": "string"}},
}


def _signed_header(name: str, description: str) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": True, "description": description,
            "schema": {"type": "string"}}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "oabridge ingress", "version": "1"},
        "components": {
            "schemas": {"Error": _ERROR, "Notice": _NOTICE, "Accepted": _ACCEPTED},
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/webhooks/booking": {"post": {
                "summary": "A signed change notice (Standard Webhooks).",
                "parameters": [
                    _signed_header("webhook-id", "Unique per notice; redeliveries repeat it."),
                    _signed_header("webhook-timestamp", "Unix seconds; at most 5 minutes off."),
                    _signed_header("webhook-signature", "v1,<base64 HMAC-SHA256>"),
                ],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Notice"}}}},
                "responses": {
                    "202": _answer("Accepted (or accepted before).",
                                   {"$ref": "#/components/schemas/Accepted"}),
                    "400": _answer("Malformed JSON or a field that does not fit."),
                    "401": _answer("Missing or wrong signature, or a stale timestamp."),
                    **_BODY_REFUSALS,
                    "503": _unavailable("Redis unavailable; nothing was accepted." + _BUSY),
                },
            }},
            "/triggers/poll": {"post": {
                "summary": "Queue a poll of one agenda, or of all.",
                "security": [{"bearer": []}],
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"agenda_id": {**_OPTIONAL_ID,
                                                 "description": "Omitted or null: all."}}}}}},
                "responses": {
                    "202": _answer("Queued (or already queued, or coalesced).",
                                   {"$ref": "#/components/schemas/Accepted"}),
                    "400": _answer("Malformed JSON or a field that does not fit."),
                    "401": _answer("Missing or wrong bearer token.", headers=("WWW-Authenticate",)),
                    **_BODY_REFUSALS,
                    "503": _unavailable("Redis unavailable; nothing was queued." + _BUSY),
                },
            }},
            "/twilio/status": {"post": {
                "summary": "Twilio's status callback for a message the bridge sent.",
                "parameters": [_signed_header(
                    "X-Twilio-Signature", "HMAC-SHA1 of the public URL and the form fields.")],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": _TWILIO_STATUS}}},
                "responses": {
                    "204": {"description": "Recorded (or not a message of ours)."},
                    "400": _answer("A field that does not fit."),
                    "403": _answer("X-Twilio-Signature missing or wrong."),
                    **_BODY_REFUSALS,
                    "503": _unavailable("Redis unavailable." + _BUSY),
                },
            }},
            "/twilio/inbound": {"post": {
                "summary": "Twilio's incoming-message webhook: a customer's SMS reply.",
                "parameters": [_signed_header(
                    "X-Twilio-Signature", "HMAC-SHA1 of the public URL and the form fields.")],
                "requestBody": {"required": True, "content": {
                    "application/x-www-form-urlencoded": {"schema": _TWILIO_INBOUND}}},
                "responses": {
                    "200": {"description": "Recorded (once per MessageSid); empty TwiML.",
                            "content": {"text/xml": {}}},
                    "400": _answer("A field that does not fit."),
                    "403": _answer("X-Twilio-Signature missing or wrong."),
                    **_BODY_REFUSALS,
                    "503": _unavailable("Redis unavailable." + _BUSY),
                },
            }},
            "/healthz": {"get": {"summary": "The process answers.", "responses": {
                "200": _answer("Alive.", _HEALTH)}}},
            "/readyz": {"get": {"summary": "Redis answers too.", "responses": {
                "200": _answer("Ready.", _HEALTH),
                "503": _answer("Redis unavailable.", _HEALTH)}}},
            "/metrics": {"get": {"summary": "Prometheus text format.", "responses": {
                "200": {"description": "Metrics; with Redis unreachable, this process's own "
                                       "and oabridge_redis_up 0.",
                        "content": {"text/plain": {}}}}}},
            "/openapi.json": {"get": {"summary": "This document.", "responses": {
                "200": _answer("OpenAPI 3.1.", {"type": "object",
                                                "required": ["openapi", "paths"]})}}},
        },
    }
