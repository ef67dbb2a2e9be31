"""`TwilioSandbox`: the state and rules of a pretend Twilio account, usable from Python.

The HTTP layer (`routes.py`, `controls.py`) is a thin shell over this class, so tests can
drive the same rules directly: create messages (validated as Twilio validates them),
receive inbound SMS, inspect everything, and wait until the background work (status
progression, webhooks) has settled. One instance is one account (`account.py`: its SID
and auth token, its numbers, its Messaging Services) with its opt-out list
(`optouts.py`); outbound messages leave through its `Outbox`, inbound ones arrive
through its `Inbox`.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sandbox.clock import Clock, SystemClock
from sandbox.twilio import errors
from sandbox.twilio.account import Account
from sandbox.twilio.callback_log import CallbackLog
from sandbox.twilio.demo import DEMO_MESSAGING_SERVICE_SID, DEMO_NUMBER
from sandbox.twilio.fault_rates import TwilioFaultRates
from sandbox.twilio.faults import TwilioFaults
from sandbox.twilio.inbox import Inbox
from sandbox.twilio.listing import list_page
from sandbox.twilio.numbers import validate_failures
from sandbox.twilio.optouts import OptOutList
from sandbox.twilio.outbox import Outbox
from sandbox.twilio.settings import TwilioSettings, check_url
from sandbox.twilio.store import FINAL_STATUSES, MessageStore
from sandbox.twilio.webhooks import WebhookSender
from sandbox.twilio.worker import BackgroundLoop

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

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
        self.account = Account(account_sid, auth_token, tuple(numbers), tuple(messaging_services))
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.numbers = self.account.numbers
        self.messaging_services = self.account.messaging_services
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
        self._callbacks = CallbackLog(self.clock)
        self._sender = WebhookSender()
        self._loop = BackgroundLoop(f"twilio-sandbox-{account_sid[-6:]}")
        log = self._callbacks.add
        self._outbox = Outbox(
            self.account, store=self._store, clock=self.clock, settings=self.settings,
            opt_outs=self.opt_outs, fault_rates=self.fault_rates, loop=self._loop,
            sender=self._sender, log=log,
        )
        self._inbox = Inbox(
            self.account, store=self._store, clock=self.clock, settings=self.settings,
            opt_outs=self.opt_outs, outbox=self._outbox, sender=self._sender, log=log,
        )

    # -- the REST API's rules ---------------------------------------------------------

    def authenticate(self, authorization: str | None) -> None:
        """Check an HTTP Basic `Authorization` header; raise Twilio's 401 if it is wrong."""
        self.account.authenticate(authorization)

    def create_message(self, params: Params) -> dict[str, Any]:
        """`POST .../Messages.json`: validate, store, start delivery; the 201 body."""
        fault = self.faults.take()
        if fault is not None:
            self.fault_rates.count("rate_limit" if fault.status == 429 else "error")
            raise fault.error()
        pairs = _pairs(params)
        values = dict(reversed(pairs))  # the first value of a repeated name wins
        media = sum(1 for name, _ in pairs if name == "MediaUrl")
        return self._outbox.create(values, media, "outbound-api").to_json()

    def fetch_message(self, sid: str, path: str | None = None) -> dict[str, Any]:
        record = self._store.get(sid)
        if record is None or record.account_sid != self.account_sid:
            raise errors.not_found(path or f"/2010-04-01/Accounts/{self.account_sid}/{sid}.json")
        return record.to_json()

    def delete_message(self, sid: str, path: str | None = None) -> None:
        """`DELETE .../Messages/{sid}.json`: gone from fetch and listing (204); 404 if
        unknown; 20009 while the message is not in a final state."""
        record = self._store.get(sid)
        if record is None or record.account_sid != self.account_sid:
            raise errors.not_found(path or f"/2010-04-01/Accounts/{self.account_sid}/{sid}.json")
        if record.status not in FINAL_STATUSES:
            raise errors.cannot_delete_yet()
        self._store.remove(sid)

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
        return self._callbacks.entries()

    def opted_out(self) -> list[dict[str, Any]]:
        """The opt-out list, oldest first: `phone`, `sender` (a Messaging Service SID or
        one of our numbers), `word`, `since`."""
        return [entry.to_json() for entry in self.opt_outs.entries()]

    def receive(self, from_: str, body: str, *, to: str | None = None) -> dict[str, Any]:
        """Record an inbound SMS from `from_` to one of our numbers (no webhook yet); an
        opt-out, opt-in or help keyword takes effect and is answered at once."""
        return self._inbox.receive(from_, body, to).to_json()

    def deliver_inbound(self, sid: str) -> concurrent.futures.Future[dict[str, Any]]:
        """POST the incoming-message webhook for inbound message `sid` (in the background)."""
        return self._loop.submit(self._inbox.deliver(sid))

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
        return self._inbox.undelivered(sid)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every progression and webhook has finished; False on timeout."""
        return self._loop.wait_idle(timeout)

    def reset(self) -> None:
        """Back to the state after construction: no messages, webhooks, faults; the
        settings and fault rates given to the constructor, nobody opted out. Work in
        progress is cancelled."""
        self._loop.cancel_all()
        self._store.clear()
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


def _pairs(params: Params) -> list[tuple[str, str]]:
    if isinstance(params, Mapping):
        return [(str(k), str(v)) for k, v in params.items()]
    return [(str(k), str(v)) for k, v in params]
