"""`TwilioSandbox`: the state and rules of a pretend Twilio account, usable from Python.

The HTTP layer (`routes.py`, `controls.py`) is a thin shell over this class, so tests can
drive the same rules directly: create messages (validated as Twilio validates them),
receive inbound SMS, inspect everything, and wait until the background work (status
progression, webhooks) has settled. One instance is one account: one SID and auth
token, the numbers it owns (the first is its default sender), its Messaging Services
(the first holds all its numbers) and its opt-out list (`optouts.py`).
"""

from __future__ import annotations

import base64
import concurrent.futures
import hmac
import re
import threading
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sandbox.clock import Clock, SystemClock
from sandbox.twilio import errors
from sandbox.twilio.creation import outbound_record
from sandbox.twilio.delivery import Courier, steps_for
from sandbox.twilio.demo import DEMO_MESSAGING_SERVICE_SID, DEMO_NUMBER
from sandbox.twilio.fault_rates import TwilioFaultRates
from sandbox.twilio.faults import TwilioFaults
from sandbox.twilio.inbound import TwimlReply, incoming_message_params, twiml_replies
from sandbox.twilio.listing import list_page
from sandbox.twilio.numbers import delivery_outcome, is_valid_e164, validate_failures
from sandbox.twilio.optouts import DEFAULT_REPLIES, OptOutList, list_owner
from sandbox.twilio.segments import count_segments
from sandbox.twilio.settings import TwilioSettings, check_url
from sandbox.twilio.store import MessageRecord, MessageStore, new_sid
from sandbox.twilio.webhooks import WebhookResult, WebhookSender
from sandbox.twilio.worker import BackgroundLoop

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

ACCOUNT_SID = re.compile(r"AC[0-9a-f]{32}")
CALLBACK_LOG_SIZE = 10_000  # the newest webhook outcomes kept for `callbacks()`

Params = Mapping[str, str] | Iterable[tuple[str, str]]


class TwilioSandbox:
    """A Twilio account in memory; call `close()` (or use `with`) to stop its worker."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        clock: Clock | None = None,
        response_delay: float = 0.0,
        step_delay: float = 0.05,
        numbers: Sequence[str] = (DEMO_NUMBER,),
        messaging_services: Sequence[str] = (DEMO_MESSAGING_SERVICE_SID,),
        inbound_url: str | None = None,
        delivery_failures: Mapping[str, int] | None = None,
        fault_rates: TwilioFaultRates | None = None,
    ) -> None:
        if not ACCOUNT_SID.fullmatch(account_sid):
            raise ValueError("account_sid must be 'AC' followed by 32 lower-case hex digits")
        if not auth_token:
            raise ValueError("auth_token must not be empty")
        if not numbers:
            raise ValueError("the sandbox needs at least one number to send from")
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.numbers = tuple(numbers)
        self.messaging_services = tuple(messaging_services)
        self.clock: Clock = clock or SystemClock()
        self.settings = TwilioSettings(response_delay=response_delay, step_delay=step_delay)
        if inbound_url is not None:
            self.settings.inbound_url = check_url(inbound_url, "inbound_url")
        if delivery_failures is not None:
            self.settings.delivery_failures = validate_failures(dict(delivery_failures))
        self._initial_settings = self.settings.to_json()
        self.faults = TwilioFaults()
        self.fault_rates = fault_rates or TwilioFaultRates()
        self.opt_outs = OptOutList()
        self._store = MessageStore()
        self._log_lock = threading.Lock()
        self._callbacks: deque[dict[str, Any]] = deque(maxlen=CALLBACK_LOG_SIZE)
        self._sender = WebhookSender()
        self._loop = BackgroundLoop(f"twilio-sandbox-{account_sid[-6:]}")
        self._courier = Courier(
            self._store,
            self.clock,
            self.settings,
            self._sender,
            auth_token,
            self.numbers[0],
            self._log_webhook,
            self.fault_rates,
        )

    # -- the REST API's rules ---------------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """Check an HTTP Basic `Authorization` header; raise Twilio's 401 if it is wrong."""
        scheme, _, encoded = (authorization or "").partition(" ")
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
            raise errors.authenticate() from None
        user, _, password = decoded.partition(":")
        good_user = hmac.compare_digest(user.encode(), self.account_sid.encode())
        good_password = hmac.compare_digest(password.encode(), self.auth_token.encode())
        if scheme.lower() != "basic" or not (good_user and good_password):
            raise errors.authenticate()

    def create_message(self, params: Params) -> dict[str, Any]:
        """`POST .../Messages.json`: validate, store, start delivery; the 201 body."""
        fault = self.faults.take()
        if fault is not None:
            self.fault_rates.count("rate_limit" if fault.status == 429 else "error")
            raise fault.error()
        pairs = _pairs(params)
        values = dict(reversed(pairs))  # the first value of a repeated name wins
        media = sum(1 for name, _ in pairs if name == "MediaUrl")
        record = self._outbound(values, media, "outbound-api")
        return self._start(record).to_json()

    def fetch_message(self, sid: str, path: str | None = None) -> dict[str, Any]:
        record = self._store.get(sid)
        if record is None or record.account_sid != self.account_sid:
            raise errors.not_found(path or f"/2010-04-01/Accounts/{self.account_sid}/{sid}.json")
        return record.to_json()

    def list_messages(self, query: Mapping[str, str], path: str) -> dict[str, Any]:
        """`GET .../Messages.json`: one page, newest first, Twilio's envelope."""
        return list_page(self._store.newest_first(self.account_sid), query, path)

    # -- Python helpers for tests and demos -------------------------------------------

    def messages(self, direction: str | None = None) -> list[dict[str, Any]]:
        """Every message (Twilio JSON), newest first; optionally one direction only.

        Each also carries `sandbox_created_at` (ISO 8601, microseconds), which Twilio's
        own second-grain `date_created` cannot give a latency measurement, and
        `sandbox_auto_reply`: for Twilio's own answer to a keyword the `OptOutType` it
        answers (STOP, START, HELP), else null.
        """
        records = self._store.newest_first()
        return [{**r.to_json(), "sandbox_created_at": r.date_created.isoformat(),
                 "sandbox_auto_reply": r.auto_reply}
                for r in records if direction is None or r.direction == direction]

    def message(self, sid: str) -> dict[str, Any] | None:
        record = self._store.get(sid)
        return None if record is None else record.to_json()

    def callbacks(self) -> list[dict[str, Any]]:
        """The webhooks the sandbox sent (status callbacks and inbound), oldest first;
        the newest 10,000 are kept."""
        with self._log_lock:
            return [dict(entry) for entry in self._callbacks]

    def opted_out(self) -> list[dict[str, Any]]:
        """The opt-out list, oldest first: `phone`, `sender` (a Messaging Service SID or
        one of our numbers), `word`, `since`."""
        return [entry.to_json() for entry in self.opt_outs.entries()]

    def receive(self, from_: str, body: str, *, to: str | None = None) -> dict[str, Any]:
        """Record an inbound SMS from `from_` to one of our numbers (no webhook yet); an
        opt-out, opt-in or help keyword takes effect and is answered at once."""
        to = to or self.numbers[0]
        if to not in self.numbers:
            raise ValueError(f"{to} is not one of this sandbox's numbers {list(self.numbers)}")
        if not is_valid_e164(from_):
            raise ValueError(f"{from_!r} is not a valid E.164 phone number")
        now = self.clock.now()
        record = MessageRecord(
            sid=new_sid("SM"),
            account_sid=self.account_sid,
            to=to,
            from_=from_,
            body=body,
            direction="inbound",
            status="received",
            num_segments=count_segments(body).segments,
            date_created=now,
            date_updated=now,
            date_sent=now,
            messaging_service_sid=self.messaging_services[0] if self.messaging_services else None,
        )
        self._store.add(record)
        return self._answer_keyword(record).to_json()

    def deliver_inbound(self, sid: str) -> concurrent.futures.Future[dict[str, Any]]:
        """POST the incoming-message webhook for inbound message `sid` (in the background)."""
        return self._loop.submit(self._deliver_inbound(sid))

    def inbound(
        self,
        from_: str,
        body: str,
        *,
        to: str | None = None,
        deliver: bool = True,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Record an inbound SMS and, if asked, deliver it and wait for the answer."""
        message = self.receive(from_, body, to=to)
        if not deliver:
            return self.undelivered(message["sid"])
        return self.deliver_inbound(message["sid"]).result(timeout)

    def undelivered(self, sid: str) -> dict[str, Any]:
        """What `inbound(..., deliver=False)` answers for inbound message `sid`."""
        record = self._store.get(sid)
        if record is None or record.direction != "inbound":
            raise KeyError(f"no inbound message {sid}")
        return {"message": record.to_json(), "webhook": None, "replies": [],
                "auto_reply": self._auto_reply_of(record), "note": "not delivered"}

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every progression and webhook has finished; False on timeout."""
        return self._loop.wait_idle(timeout)

    def reset(self) -> None:
        """Back to the state after construction: no messages, webhooks, faults; the
        settings and fault rates given to the constructor, nobody opted out. Work in
        progress is cancelled."""
        self._loop.cancel_all()
        self._store.clear()
        with self._log_lock:
            self._callbacks.clear()
        self.faults.clear()
        self.fault_rates.reset()
        self.opt_outs.clear()
        self.settings.update_from_json(self._initial_settings)

    def routes(self) -> list[BaseRoute]:
        """The Twilio API and `/_sandbox/twilio/*` routes, for `create_app(extra_routes=)`."""
        from sandbox.twilio.controls import control_routes
        from sandbox.twilio.routes import api_routes

        return [*api_routes(self), *control_routes(self)]

    def close(self) -> None:
        """Stop the background worker (pending steps and webhooks are dropped)."""
        self._loop.close(cleanup=self._sender.aclose)

    def __enter__(self) -> TwilioSandbox:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- internals --------------------------------------------------------------------

    def _outbound(self, values: Mapping[str, str], media: int, direction: str) -> MessageRecord:
        """A new outbound record from API parameters, or Twilio's validation error."""
        return outbound_record(values, media, direction, account_sid=self.account_sid,
                               numbers=self.numbers, services=self.messaging_services,
                               opt_outs=self.opt_outs, now=self.clock.now())

    def _start(self, record: MessageRecord) -> MessageRecord:
        stored = self._store.add(record)
        outcome = delivery_outcome(record.to, self.settings.delivery_failures)
        # Twilio's own answers have no callbacks to plan: the seeded plan stays the API's.
        steps = 0 if record.auto_reply else len(steps_for(record, outcome))
        plan = self.fault_rates.plan_callbacks(steps)
        self._loop.submit(self._courier.run(record.sid, outcome, plan))
        return stored

    def _answer_keyword(self, inbound: MessageRecord) -> MessageRecord:
        """Twilio's STOP filtering: the list changes, then Twilio's own answer goes out
        (it may, as an opt-out confirmation, go to a number now opted out)."""
        assert inbound.from_ is not None
        owner = list_owner(inbound.to, self.numbers, self.messaging_services)
        kind = self.opt_outs.hear(owner, inbound.from_, inbound.body, inbound.date_created)
        if kind is None:
            return inbound
        text = DEFAULT_REPLIES[kind]
        now = self.clock.now()
        answer = self._start(MessageRecord(
            sid=new_sid("SM"), account_sid=self.account_sid, to=inbound.from_,
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
            return self._start(self._outbound(values, 0, "outbound-reply")).to_json()
        except errors.TwilioApiError as error:
            return {"error": error.body()}

    async def _deliver_inbound(self, sid: str) -> dict[str, Any]:
        record = self._store.get(sid)
        if record is None or record.direction != "inbound":
            raise KeyError(f"no inbound message {sid}")
        answer: dict[str, Any] = {"message": record.to_json(), "webhook": None, "replies": [],
                                  "auto_reply": self._auto_reply_of(record)}
        url = self.settings.inbound_url
        if url is None:
            answer["note"] = "no inbound_url configured; the message is only listable"
            return answer
        params = incoming_message_params(record)
        result = await self._sender.post(url, params, self.auth_token)
        self._log_webhook("inbound", record, params, result)
        answer["webhook"] = result.summary()
        if result.ok:
            replies = twiml_replies(result.body, result.content_type)
            answer["replies"] = [self._reply(record, reply) for reply in replies]
        return answer

    def _log_webhook(
        self,
        kind: str,
        record: MessageRecord,
        params: list[tuple[str, str]],
        result: WebhookResult,
    ) -> None:
        entry = {
            "kind": kind,
            "message_sid": record.sid,
            "message_status": record.status,
            "at": self.clock.now().isoformat(),
            "params": dict(params),
            **result.summary(),
        }
        with self._log_lock:
            self._callbacks.append(entry)


def _pairs(params: Params) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]
