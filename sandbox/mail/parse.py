"""Turning a received e-mail into the JSON the sandbox lists: what a test wants to check.

Tests of the bridge's mailer ask "did the reminder go to the right address, with the
right subject, and do the text and HTML parts say the right thing?", so headers are
decoded (RFC 2047 encoded words become text), and the first text/plain and text/html
bodies are decoded from their transfer encoding and charset. The raw size and every
header (in order, repeats kept) are there for anything more specific.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any


def _header_text(message: EmailMessage, name: str) -> str | None:
    value = message.get(name)
    return None if value is None else str(value)


def _part_text(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    if part is None:
        return None
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset or broken encoding
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else None
    return content if isinstance(content, str) else None


def _attachments(message: EmailMessage) -> list[dict[str, Any]]:
    if not message.is_multipart():
        return []
    found = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        found.append(
            {
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(payload) if isinstance(payload, bytes) else 0,
            }
        )
    return found


def describe_message(
    raw: bytes,
    *,
    number: int,
    envelope_from: str | None,
    envelope_to: list[str],
    received_at: datetime,
    peer: str | None,
    auth_user: str | None,
) -> dict[str, Any]:
    """One received message as a JSON-ready dict."""
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)  # policy.default always builds EmailMessage
    return {
        "id": number,
        "received_at": received_at.isoformat(),
        "peer": peer,
        "auth_user": auth_user,
        "envelope_from": envelope_from,
        "envelope_to": list(envelope_to),
        "message_id": _header_text(parsed, "Message-ID"),
        "subject": _header_text(parsed, "Subject"),
        "from": _header_text(parsed, "From"),
        "to": _header_text(parsed, "To"),
        "cc": _header_text(parsed, "Cc"),
        "reply_to": _header_text(parsed, "Reply-To"),
        "date": _header_text(parsed, "Date"),
        "content_type": parsed.get_content_type(),
        "headers": [[name, str(value)] for name, value in parsed.items()],
        "text": _part_text(parsed, "plain"),
        "html": _part_text(parsed, "html"),
        "attachments": _attachments(parsed),
        "raw_size": len(raw),
    }
