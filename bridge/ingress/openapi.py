"""The ingress's OpenAPI document, served at `/openapi.json`.

Written by hand, next to the routes it describes; a test checks that every route of
the app is in it and that its examples are accepted by the routes.
"""

from __future__ import annotations

from typing import Any

__all__ = ["openapi_document"]

_ERROR_REF = "#/components/schemas/Error"
_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}


def _answer(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or {"$ref": _ERROR_REF}}},
    }


_NOTICE = {
    "type": "object",
    "required": ["type", "data"],
    "additionalProperties": False,
    "properties": {
        "type": {"type": "string",
                 "enum": ["appointment.changed", "appointment.deleted", "customer.changed"]},
        "data": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "agenda_id": {"type": "integer", "minimum": 1},
                "appointment_id": {"type": "integer", "minimum": 1},
                "customer_id": {"type": "integer", "minimum": 1},
                "confirmation_code": {"type": "string", "pattern": "^[A-Za-z0-9]{1,32}$"},
            },
        },
    },
}

_ACCEPTED = {
    "type": "object",
    "required": ["job_id"],
    "properties": {
        "job_id": {"type": "string"},
        "duplicate": {"type": "boolean"},
        "already_queued": {"type": "boolean"},
        "type": {"type": "string"},
        "agenda_id": {"type": ["integer", "null"]},
    },
}


_TWILIO_STATUS = {
    "type": "object",
    "required": ["MessageSid", "MessageStatus"],
    "properties": {
        "MessageSid": {"type": "string", "pattern": "^(SM|MM)[0-9a-fA-F]{32}$"},
        "MessageStatus": {"type": "string"},
        "ErrorCode": {"type": "string", "pattern": "^[0-9]*$"},
    },
}


_TWILIO_INBOUND = {
    "type": "object",
    "required": ["MessageSid", "From", "Body"],
    "properties": {
        "MessageSid": {"type": "string", "pattern": "^(SM|MM)[0-9a-fA-F]{32}$"},
        "From": {"type": "string", "pattern": "^\\+[1-9][0-9]{6,14}$"},
        "To": {"type": "string"},
        "Body": {"type": "string", "maxLength": 1600},
    },
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
                    "413": _answer("Body over 64 KiB."),
                    "503": _answer("Redis unavailable; nothing was accepted."),
                },
            }},
            "/triggers/poll": {"post": {
                "summary": "Queue a poll of one agenda, or of all.",
                "security": [{"bearer": []}],
                "requestBody": {"required": False, "content": {"application/json": {"schema": {
                    "type": "object", "additionalProperties": False,
                    "properties": {"agenda_id": {"type": "integer", "minimum": 1}}}}}},
                "responses": {
                    "202": _answer("Queued (or already queued).",
                                   {"$ref": "#/components/schemas/Accepted"}),
                    "400": _answer("Malformed JSON or a field that does not fit."),
                    "401": _answer("Missing or wrong bearer token."),
                    "413": _answer("Body over 64 KiB."),
                    "503": _answer("Redis unavailable; nothing was queued."),
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
                    "413": _answer("Body over 64 KiB."),
                    "503": _answer("Redis unavailable."),
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
                    "413": _answer("Body over 64 KiB."),
                    "503": _answer("Redis unavailable."),
                },
            }},
            "/healthz": {"get": {"summary": "The process answers.",
                                 "responses": {"200": {"description": "Alive."}}}},
            "/readyz": {"get": {"summary": "Redis answers too.", "responses": {
                "200": {"description": "Ready."}, "503": {"description": "Redis unavailable."}}}},
            "/metrics": {"get": {"summary": "Prometheus text format.", "responses": {
                "200": {"description": "Metrics.", "content": {"text/plain": {}}},
                "503": _answer("Redis unavailable.")}}},
            "/openapi.json": {"get": {"summary": "This document.",
                                      "responses": {"200": {"description": "OpenAPI 3.1."}}}},
        },
    }
