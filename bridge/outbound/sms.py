"""SMS through Twilio, with the official `twilio` package.

`OABRIDGE_TWILIO_BASE_URL` points the package at another API host (the sandbox);
nothing else here knows about it. Errors are classified for the caller: Twilio's
429/5xx and queue-full codes are transient, invalid recipients and the like are
permanent, and 21610 (the recipient sent STOP: Twilio refuses every message to them
until START) is an opt-out the caller records (Twilio error codes,
https://www.twilio.com/docs/api/errors).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests
import requests.adapters
import structlog
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from bridge.observability.masking import mask_phone
from bridge.outbound.errors import OptedOutError, PermanentSendError, TransientSendError

__all__ = ["TWILIO_OPTED_OUT", "TWILIO_TRANSIENT_CODES", "LoggedSms", "SmsReceipt", "SmsSender"]

log = structlog.get_logger(__name__)

#: Twilio codes worth retrying: too many requests, server errors, a full queue.
TWILIO_TRANSIENT_CODES = frozenset({20429, 20500, 20503, 21611, 30001})
#: "Attempt to send to unsubscribed recipient": the recipient opted out (STOP).
TWILIO_OPTED_OUT = 21610
#: Messages per page when Twilio's log is searched (every page is read).
LOOKUP_PAGE_SIZE = 200
#: Messages per page when the whole log of a span is read (`listed_since`): Twilio's
#: largest page.
LOG_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class SmsReceipt:
    provider_id: str
    status: str
    segments: int | None


@dataclass(frozen=True, slots=True)
class LoggedSms:
    """One SMS the bridge sent, or a customer sent it, as Twilio's log lists it
    (`SmsSender.listed_since`)."""

    sid: str
    to: str
    body: str
    status: str
    sent: datetime | None
    created: datetime | None
    sender: str = ""
    """A customer's text (Twilio's `inbound`): its number; "" for one the bridge sent."""


class SmsSender:
    """Sends one SMS at a time; safe to share between threads (one pooled session each)."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        sender: str = "",
        messaging_service_sid: str = "",
        base_url: str = "",
        timeout: float = 10.0,
        connections: int = 16,
    ) -> None:
        if not account_sid or not auth_token:
            raise ValueError("Twilio needs OABRIDGE_TWILIO_ACCOUNT_SID and _AUTH_TOKEN")
        if not sender and not messaging_service_sid:
            raise ValueError("set OABRIDGE_TWILIO_FROM or OABRIDGE_TWILIO_MESSAGING_SERVICE_SID")
        http = TwilioHttpClient(timeout=timeout)
        if http.session is not None:  # one kept-alive connection per send thread
            adapter = requests.adapters.HTTPAdapter(pool_connections=4, pool_maxsize=connections)
            http.session.mount("https://", adapter)
            http.session.mount("http://", adapter)
        self.client = Client(account_sid, auth_token, http_client=http)
        if base_url:
            self.client.api.base_url = base_url.rstrip("/")
        self.sender = sender
        self.messaging_service_sid = messaging_service_sid

    def send(self, to: str, body: str, status_callback: str | None) -> SmsReceipt:
        started = time.perf_counter()
        try:
            if self.messaging_service_sid:
                message = self.client.messages.create(
                    to=to, body=body, messaging_service_sid=self.messaging_service_sid,
                    status_callback=status_callback or None,
                )
            else:
                message = self.client.messages.create(
                    to=to, body=body, from_=self.sender, status_callback=status_callback or None,
                )
        except TwilioRestException as exc:
            raise _classify(exc, to) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        log.info("sms_accepted", to=mask_phone(to), sid=message.sid,
                 ms=round((time.perf_counter() - started) * 1000, 1))
        segments = int(message.num_segments) if message.num_segments else None
        return SmsReceipt(str(message.sid), str(message.status), segments)

    def find_sent(self, to: str, body: str, since: datetime) -> SmsReceipt | None:
        """A message with this body to `to` created since `since`, if Twilio has one.

        Resolves a send whose outcome a crash left unknown: Twilio lists every
        message it accepted, so its absence means the send never happened.
        """
        return self.find_matching(to, lambda text: text == body, since)

    def find_matching(self, to: str, matches: Callable[[str], bool], since: datetime,
                      taken: Callable[[str], bool] | None = None) -> SmsReceipt | None:
        """`find_sent` for a body `matches` accepts (after a loss, the texts a message
        may have had: `bridge.sending.recovery`). Reads every page of Twilio's list of
        messages to `to` sent since `since` (`DateSent>`, checked again here), however
        many; then the newest page for one Twilio accepted but had not sent yet as the
        first walk passed (no `DateSent`, so the filter left it out), created since
        `since`, whatever its state now: it may have been sent between the two reads,
        and a message missed here is sent twice. A message whose SID `taken` says is
        another's already is passed over."""
        free: Callable[[str], bool] = (lambda sid: True) if taken is None else \
            (lambda sid: not taken(sid))
        try:
            for message in self.client.messages.stream(to=to, date_sent_after=since,
                                                        page_size=LOOKUP_PAGE_SIZE):
                sent = message.date_sent
                if (sent is None or sent >= since) and matches(str(message.body or "")) \
                        and free(str(message.sid)):
                    return SmsReceipt(str(message.sid), str(message.status), None)
            for message in self.client.messages.list(to=to, limit=LOOKUP_PAGE_SIZE,
                                                      page_size=LOOKUP_PAGE_SIZE):
                created = message.date_created
                if (created is None or created >= since) \
                        and matches(str(message.body or "")) and free(str(message.sid)):
                    return SmsReceipt(str(message.sid), str(message.status), None)
        except TwilioRestException as exc:
            raise _classify(exc, to) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        return None

    def first_sent_between(self, to: str, after: datetime, until: datetime,
                           taken: Callable[[str], bool]) -> SmsReceipt | None:
        """The earliest SMS sent through the API to `to` that Twilio created from `after`
        to `until` and that `taken` does not say is another message's, whatever its
        text (`bridge.sending.orphans`: a dead attempt's SMS, whose text the bridge
        may no longer render alike). The newest page of messages to `to`."""
        try:
            listed = self.client.messages.list(to=to, limit=LOOKUP_PAGE_SIZE,
                                               page_size=LOOKUP_PAGE_SIZE)
        except TwilioRestException as exc:
            raise _classify(exc, to) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        found = [m for m in listed
                 if str(m.direction or "") == "outbound-api" and m.date_created is not None
                 and after <= m.date_created <= until and not taken(str(m.sid))]
        if not found:
            return None
        first = min(found, key=lambda m: m.date_created)
        return SmsReceipt(str(first.sid), str(first.status), None)

    def sent_to_between(self, to: str, after: datetime, until: datetime,
                        matches: Callable[[str], bool] | None = None) -> bool:
        """Whether Twilio lists an SMS sent through the API to `to` from `after` to
        `until` whose text `matches` accepts (after a loss: was a reply answered?
        `bridge.sending.recovery`). Every page of `DateSent>` `after`; Twilio's own
        STOP/HELP answers (`outbound-reply`) are not the bridge's."""
        try:
            for message in self.client.messages.stream(to=to, date_sent_after=after,
                                                        page_size=LOOKUP_PAGE_SIZE):
                sent = message.date_sent
                if str(message.direction or "") == "outbound-api" and sent is not None \
                        and after <= sent <= until \
                        and (matches is None or matches(str(message.body or ""))):
                    return True
        except TwilioRestException as exc:
            raise _classify(exc, to) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        return False

    def listed_since(self, since: datetime, max_pages: int) -> tuple[list[LoggedSms], bool]:
        """Every SMS sent through the API (as the bridge sends) that Twilio lists as sent
        since `since`, to any number, and those on its newest page not sent yet; every
        text a customer sent since then (`inbound`, with its `sender`); and whether the
        listing is complete (not cut at `max_pages` pages of `LOG_PAGE_SIZE`). One
        listing in place of a lookup per message after a loss
        (`bridge.sending.sent_log`)."""
        found: dict[str, LoggedSms] = {}
        complete = True
        try:
            page: Any = self.client.messages.page(date_sent_after=since,
                                                  page_size=LOG_PAGE_SIZE)
            for read in range(1, max_pages + 1):
                for message in page:
                    _keep(found, message, since)
                if not page.next_page_url:
                    break
                if read == max_pages:
                    complete = False
                    break
                page = page.next_page()
            for message in self.client.messages.page(page_size=LOG_PAGE_SIZE):
                _keep(found, message, since)
        except TwilioRestException as exc:
            raise _classify(exc, "") from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        return list(found.values()), complete

    def texts_from(self, number: str, since: datetime) -> list[tuple[datetime, str]]:
        """What `number` texted the account since `since` (when, body): every page of
        Twilio's list filtered on `From` and `DateSent>` (after a loss: was the number
        opted out when a message was due? `bridge.sending.asked_first`)."""
        try:
            return [(message.date_sent, str(message.body or ""))
                    for message in self.client.messages.stream(
                        from_=number, date_sent_after=since, page_size=LOOKUP_PAGE_SIZE)
                    if str(message.direction or "") == "inbound"
                    and message.date_sent is not None and message.date_sent >= since]
        except TwilioRestException as exc:
            raise _classify(exc, number) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None

    def sent_since(self, since: datetime) -> bool:
        """Whether this account sent an SMS through the API from this sender since `since`
        (one page of Twilio's list, filtered on `From` and `DateSent`; for a messaging
        service, whose numbers vary, any such message of the account). Raises `TransientSendError`
        when Twilio cannot be asked, `PermanentSendError` when it refuses."""
        try:
            if self.sender and not self.messaging_service_sid:
                listed = self.client.messages.list(from_=self.sender, date_sent_after=since,
                                                   limit=20)
            else:
                listed = self.client.messages.list(date_sent_after=since, limit=20)
        except TwilioRestException as exc:
            raise _classify(exc, "") from None
        except TwilioException as exc:
            raise _listing_refused(exc) from None
        except requests.RequestException as exc:
            raise TransientSendError(f"Twilio unreachable: {type(exc).__name__}") from None
        # Sent through the API, as the bridge sends: not Twilio's own answers to STOP/HELP
        # (`outbound-reply`), which a customer's text brings about on a new deployment too.
        return any(str(m.direction or "") == "outbound-api" for m in listed)


def _keep(found: dict[str, LoggedSms], message: Any, since: datetime) -> None:
    """Add a listed message to `found` when the bridge sent it (`outbound-api`) or a
    customer did (`inbound`) since `since` (sent then, or created then and not sent yet)."""
    sent, created = message.date_sent, message.date_created
    when = sent if sent is not None else created
    direction = str(message.direction or "")
    if direction not in ("outbound-api", "inbound") or when is None or when < since:
        return
    sender = str(message.from_ or "") if direction == "inbound" else ""
    found[str(message.sid)] = LoggedSms(str(message.sid), str(message.to or ""),
                                        str(message.body or ""), str(message.status),
                                        sent, created, sender)


def _listing_refused(exc: TwilioException) -> TransientSendError | PermanentSendError:
    """A list page Twilio did not answer with 200 (the package raises a bare
    `TwilioException` with the response): a 4xx other than 429 (bad credentials, a
    suspended account) is permanent, anything else transient."""
    response = exc.args[1] if len(exc.args) > 1 else None
    status = getattr(response, "status_code", None)
    if isinstance(status, int) and 400 <= status < 500 and status != 429:
        return PermanentSendError("Twilio refused to list messages", status)
    return TransientSendError(f"Twilio unreachable: {type(exc).__name__}")


def _classify(exc: TwilioRestException, to: str) -> TransientSendError | PermanentSendError:
    code = int(exc.code) if exc.code else None
    reason = (exc.msg or "Twilio refused the message").strip()
    if exc.status == 429 or exc.status >= 500 or code in TWILIO_TRANSIENT_CODES:
        return TransientSendError(reason, code or exc.status)
    if code == TWILIO_OPTED_OUT:
        # Twilio's text only names the number; the recipient travels apart from it.
        return OptedOutError("the recipient opted out (STOP) at Twilio", code, to)
    return PermanentSendError(reason, code or exc.status)
