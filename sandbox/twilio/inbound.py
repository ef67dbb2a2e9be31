"""Incoming SMS: the webhook form Twilio posts, and the TwiML replies it understands.

When someone texts one of the account's numbers, Twilio records an `inbound` Message
(status `received`) and POSTs its incoming-message webhook to the number's URL, signed
like every webhook. A keyword Twilio acts on itself (STOP, START, HELP: `optouts.py`)
is posted too, with `OptOutType` when the number is in a Messaging Service. Twilio
does not queue that webhook for later: if it fails (after the connection-override
retries, see `webhooks.py`) the message is only listable, which is what a bridge that
"recovers replies by listing" relies on.

If the webhook answers TwiML with `<Message>` verbs, Twilio sends those as replies
(`direction` `outbound-reply`); the sandbox does the same for `<Message>text</Message>`
and `<Message><Body>text</Body></Message>` with optional `to`, `from` and
`statusCallback` attributes. Other verbs (`<Redirect>`, `<Media>`) are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree

from sandbox.twilio.demo import API_VERSION
from sandbox.twilio.numbers import country_of
from sandbox.twilio.optouts import opt_out_type
from sandbox.twilio.store import MessageRecord


def incoming_message_params(record: MessageRecord) -> list[tuple[str, str]]:
    """The form of Twilio's incoming-message webhook for an `inbound` record."""
    sender = record.from_ or ""
    params = [
        ("ToCountry", country_of(record.to)),
        ("ToState", ""),
        ("SmsMessageSid", record.sid),
        ("NumMedia", str(record.num_media)),
        ("ToCity", ""),
        ("FromZip", ""),
        ("SmsSid", record.sid),
        ("FromState", ""),
        ("SmsStatus", "received"),
        ("FromCity", ""),
        ("Body", record.body),
        ("FromCountry", country_of(sender)),
        ("To", record.to),
        ("ToZip", ""),
        ("NumSegments", str(record.num_segments)),
        ("MessageSid", record.sid),
        ("AccountSid", record.account_sid),
        ("From", sender),
        ("ApiVersion", API_VERSION),
    ]
    if record.messaging_service_sid:
        params.append(("MessagingServiceSid", record.messaging_service_sid))
        keyword = opt_out_type(record.body)  # Advanced Opt-Out is a Messaging Service's
        if keyword is not None:
            params.append(("OptOutType", keyword))
    return params


@dataclass(frozen=True)
class TwimlReply:
    """One `<Message>` of a TwiML answer."""

    body: str
    to: str | None = None
    from_: str | None = None
    status_callback: str | None = None


def twiml_replies(body: str, content_type: str) -> list[TwimlReply]:
    """The `<Message>` verbs of a webhook answer; nothing if it is not TwiML."""
    text = body.strip()
    if not text.startswith("<") or "json" in content_type:
        return []
    try:
        root = ElementTree.fromstring(text.encode("utf-8"))
    except (ParseError, ValueError):  # ValueError: defusedxml refused a DTD or entity
        return []
    if root.tag != "Response":
        return []
    replies = []
    for verb in root.findall("Message"):
        nested = verb.find("Body")
        content = nested.text if nested is not None else verb.text
        replies.append(
            TwimlReply(
                body=(content or "").strip(),
                to=verb.get("to"),
                from_=verb.get("from"),
                status_callback=verb.get("statusCallback"),
            )
        )
    return replies
