"""Inbound SMS of one account: recorded, filtered for STOP, START and HELP (answered at
once by Twilio itself), then posted to the incoming-message webhook, whose TwiML
`<Message>` replies go out as `outbound-reply` messages.

Recording and delivering are separate steps, so a test can hold a reply back (it is then
only listable, as when Twilio's webhook fails) and deliver it later, or never.
"""

from __future__ import annotations

from typing import Any

from sandbox.clock import Clock
from sandbox.twilio import errors
from sandbox.twilio.account import Account
from sandbox.twilio.delivery import Log
from sandbox.twilio.inbound import TwimlReply, incoming_message_params, twiml_replies
from sandbox.twilio.numbers import is_valid_e164
from sandbox.twilio.optouts import DEFAULT_REPLIES, OptOutList, list_owner
from sandbox.twilio.outbox import Outbox
from sandbox.twilio.segments import count_segments
from sandbox.twilio.settings import TwilioSettings
from sandbox.twilio.store import MessageRecord, MessageStore, new_sid
from sandbox.twilio.webhooks import WebhookSender


class Inbox:
    """Receives an account's inbound SMS and delivers them to its webhook."""

    def __init__(
        self,
        account: Account,
        *,
        store: MessageStore,
        clock: Clock,
        settings: TwilioSettings,
        opt_outs: OptOutList,
        outbox: Outbox,
        sender: WebhookSender,
        log: Log,
    ) -> None:
        self._account = account
        self._store = store
        self._clock = clock
        self._settings = settings
        self._opt_outs = opt_outs
        self._outbox = outbox
        self._sender = sender
        self._log = log

    def receive(self, from_: str, body: str, to: str | None = None) -> MessageRecord:
        """Record an inbound SMS from `from_` to one of our numbers (no webhook yet); an
        opt-out, opt-in or help keyword takes effect and is answered at once."""
        numbers = self._account.numbers
        to = to or numbers[0]
        if to not in numbers:
            raise ValueError(f"{to} is not one of this sandbox's numbers {list(numbers)}")
        if not is_valid_e164(from_):
            raise ValueError(f"{from_!r} is not a valid E.164 phone number")
        now = self._clock.now()
        record = MessageRecord(
            sid=new_sid("SM"),
            account_sid=self._account.sid,
            to=to,
            from_=from_,
            body=body,
            direction="inbound",
            status="received",
            num_segments=count_segments(body).segments,
            date_created=now,
            date_updated=now,
            date_sent=now,
            messaging_service_sid=self._account.default_service,
        )
        self._store.add(record)
        return self._answer_keyword(record)

    def undelivered(self, sid: str) -> dict[str, Any]:
        """What `TwilioSandbox.inbound(..., deliver=False)` answers for message `sid`."""
        record = self._inbound(sid)
        return {"message": record.to_json(), "webhook": None, "replies": [],
                "auto_reply": self._auto_reply_of(record), "note": "not delivered"}

    async def deliver(self, sid: str) -> dict[str, Any]:
        """POST the incoming-message webhook for inbound message `sid`, send the TwiML
        replies it answers with; the record, the webhook's outcome and the replies."""
        record = self._inbound(sid)
        answer: dict[str, Any] = {"message": record.to_json(), "webhook": None, "replies": [],
                                  "auto_reply": self._auto_reply_of(record)}
        url = self._settings.inbound_url
        if url is None:
            answer["note"] = "no inbound_url configured; the message is only listable"
            return answer
        params = incoming_message_params(record)
        result = await self._sender.post(url, params, self._account.auth_token)
        self._log("inbound", record, params, result)
        answer["webhook"] = result.summary()
        if result.ok:
            replies = twiml_replies(result.body, result.content_type)
            answer["replies"] = [self._reply(record, reply) for reply in replies]
        return answer

    def _inbound(self, sid: str) -> MessageRecord:
        record = self._store.get(sid)
        if record is None or record.direction != "inbound":
            raise KeyError(f"no inbound message {sid}")
        return record

    def _answer_keyword(self, inbound: MessageRecord) -> MessageRecord:
        """Twilio's STOP filtering: the list changes, then Twilio's own answer goes out
        (it may, as an opt-out confirmation, go to a number now opted out)."""
        assert inbound.from_ is not None
        account = self._account
        owner = list_owner(inbound.to, account.numbers, account.messaging_services)
        kind = self._opt_outs.hear(owner, inbound.from_, inbound.body, inbound.date_created)
        if kind is None:
            return inbound
        text = DEFAULT_REPLIES[kind]
        now = self._clock.now()
        answer = self._outbox.start(MessageRecord(
            sid=new_sid("SM"), account_sid=account.sid, to=inbound.from_,
            from_=inbound.to, body=text, direction="outbound-reply", status="queued",
            num_segments=count_segments(text).segments, date_created=now, date_updated=now,
            messaging_service_sid=inbound.messaging_service_sid, auto_reply=kind,
        ))
        return self._store.update(inbound.sid, answered_by=answer.sid) or inbound

    def _auto_reply_of(self, inbound: MessageRecord) -> dict[str, Any] | None:
        answer = self._store.get(inbound.answered_by) if inbound.answered_by else None
        return None if answer is None else answer.to_json()

    def _reply(self, inbound: MessageRecord, reply: TwimlReply) -> dict[str, Any]:
        values = {
            "To": reply.to or inbound.from_ or "",
            "From": reply.from_ or inbound.to,
            "Body": reply.body,
            "StatusCallback": reply.status_callback or "",
        }
        try:
            return self._outbox.create(values, 0, "outbound-reply").to_json()
        except errors.TwilioApiError as error:
            return {"error": error.body()}
