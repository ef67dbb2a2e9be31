"""Outbound messages of one account: checked as Twilio checks them, stored, then taken
through their statuses (and status callbacks) on the background loop.

API creates, TwiML replies and Twilio's own answers to STOP, START and HELP all leave
through here, so they share one set of delivery-failure rules and callback faults.
"""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.clock import Clock
from sandbox.twilio.account import Account
from sandbox.twilio.creation import outbound_record
from sandbox.twilio.delivery import Courier, Log, steps_for
from sandbox.twilio.fault_rates import TwilioFaultRates
from sandbox.twilio.numbers import delivery_outcome
from sandbox.twilio.optouts import OptOutList
from sandbox.twilio.settings import TwilioSettings
from sandbox.twilio.store import MessageRecord, MessageStore
from sandbox.twilio.webhooks import WebhookSender
from sandbox.twilio.worker import BackgroundLoop


class Outbox:
    """Creates an account's outbound messages and starts their delivery."""

    def __init__(
        self,
        account: Account,
        *,
        store: MessageStore,
        clock: Clock,
        settings: TwilioSettings,
        opt_outs: OptOutList,
        fault_rates: TwilioFaultRates,
        loop: BackgroundLoop,
        sender: WebhookSender,
        log: Log,
    ) -> None:
        self._account = account
        self._store = store
        self._clock = clock
        self._settings = settings
        self._opt_outs = opt_outs
        self._fault_rates = fault_rates
        self._loop = loop
        self._courier = Courier(
            store,
            clock,
            settings,
            sender,
            account.auth_token,
            account.default_number,
            log,
            fault_rates,
        )

    def create(self, values: Mapping[str, str], media: int, direction: str) -> MessageRecord:
        """A new message from API parameters, stored and on its way; or Twilio's
        validation error (`TwilioApiError`), with nothing stored."""
        account = self._account
        record = outbound_record(values, media, direction, account_sid=account.sid,
                                 numbers=account.numbers, services=account.messaging_services,
                                 opt_outs=self._opt_outs, now=self._clock.now())
        return self.start(record)

    def start(self, record: MessageRecord) -> MessageRecord:
        """Store `record` and run its status progression in the background."""
        stored = self._store.add(record)
        outcome = delivery_outcome(record.to, self._settings.delivery_failures)
        # Twilio's own answers have no callbacks to plan: the seeded plan stays the API's.
        steps = 0 if record.auto_reply else len(steps_for(record, outcome))
        plan = self._fault_rates.plan_callbacks(steps)
        self._loop.submit(self._courier.run(record.sid, outcome, plan))
        return stored
