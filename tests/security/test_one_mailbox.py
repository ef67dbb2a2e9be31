"""Finding 3 of #15: one e-mail field, many recipients.

The booking API answers with a customer whose address field holds more than one
mailbox (a list, a display name, a header break). The bridge sends that customer no
e-mail at all: nothing reaches the SMTP sink for any address in the field, the message
is recorded as skipped with the reason `invalid e-mail address`, and /metrics counts
the skip. A customer with one plain address still gets exactly one mail, to that
address alone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from xml.sax.saxutils import escape

import httpx
import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tests.contract.helpers import book, bookable_slot, new_customer
from tests.flow import conftest as flow_fixtures
from tests.flow.conftest import Flow

MakeFlow = Callable[..., Flow]
#: The flow tests' sandbox, ingress, Redis and in-process RQ worker (tests/flow's fixture).
make_flow = flow_fixtures.make_flow
#: Each case runs the sandbox, the ingress and an RQ worker for a second or two.
pytestmark = pytest.mark.slow

VICTIM = "victim@example.com"
CONTROL = "control@example.nl"
HOSTILE = [
    "victim@example.com, attacker@evil.example",
    "victim@example.com;attacker@evil.example",
    "Victim <victim@example.com>, attacker@evil.example",
    "victim@example.com\r\nBcc: attacker@evil.example",
]


class HostileEmailField:
    """The booking API, except that the victim's address field reads `field`."""

    def __init__(self, app: ASGIApp, field: str) -> None:
        self.app = app
        entities = escape(field, {"\r": "&#13;", "\n": "&#10;"})
        self.plain = f"<Email>{VICTIM}</Email>".encode()
        self.hostile = f"<Email>{entities}</Email>".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: list[Message] = []
        body = bytearray()

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.append(message)
                return
            body.extend(message.get("body", b""))
            if message.get("more_body"):
                return
            changed = bytes(body).replace(self.plain, self.hostile)
            headers = [(k, v) for k, v in start[0]["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(changed)).encode()))
            await send({**start[0], "headers": headers})
            await send({"type": "http.response.body", "body": changed})

        await self.app(scope, receive, keep)


def recipients(flow: Flow) -> list[str]:
    """Every envelope recipient and `To` header the SMTP sink received."""
    found: list[str] = []
    for mail in flow.mail.messages():
        found += [str(r) for r in mail["envelope_to"]] + [str(mail["to"])]
    return found


def booked(flow: Flow, index: int, email: str) -> int:
    slot = bookable_slot(flow.api, flow.clock.now().date() + timedelta(days=3), index=index)
    return book(flow.api, slot, new_customer(flow.api, mobile_phone="", email=email))


def skipped_messages(flow: Flow) -> float:
    """`oabridge_messages{status="skipped"}` as the ingress's /metrics reports it."""
    text = httpx.get(f"{flow.settings.public_url}/metrics").text
    for line in text.splitlines():
        if line.startswith('oabridge_messages{status="skipped"}'):
            return float(line.split()[-1])
    return 0.0


@pytest.mark.parametrize("field", HOSTILE)
def test_a_field_with_more_than_one_mailbox_gets_no_mail(make_flow: MakeFlow,
                                                         field: str) -> None:
    flow = make_flow(wrap=lambda app: HostileEmailField(app, field))
    flow.ticker.tick()
    flow.run_jobs()
    before = skipped_messages(flow)
    victim = booked(flow, 0, VICTIM)
    control = booked(flow, 1, CONTROL)
    flow.poll()
    flow.ticker.tick()
    flow.run_jobs()
    mails = [m for m in flow.mail.messages() if CONTROL in m["envelope_to"]]
    assert len(mails) == 1 and mails[0]["envelope_to"] == [CONTROL]
    assert not [r for r in recipients(flow) if "evil.example" in r or VICTIM in r]
    skips = [s for s in flow.skipped() if s["appointment"] == str(victim)]
    assert {(s["channel"], s["reason"]) for s in skips} >= {("email", "invalid e-mail address")}
    records = [r for r in flow.rt.messages.recent(100) if r.appointment_id == victim]
    email = next(r for r in records if r.channel == "email")
    assert email.status == "skipped" and "evil.example" not in email.recipient
    assert email.timeline[-1].get("detail") == "invalid e-mail address"
    assert skipped_messages(flow) >= before + 1
    assert control != victim
