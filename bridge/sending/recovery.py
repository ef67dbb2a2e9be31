"""After Redis forgot: notice it, and ask before repeating what may have gone out.

Redis is the bridge's memory: the claims that keep a message from going out twice live
there. Emptied (a restart without persistence, a failover to a replica that missed the
last writes), the next poll finds every appointment new and plans again what was sent.
So the bridge keeps an epoch (`bridge.store.epoch`), and every send, every reply and
every tick of every worker process (leading or not) reads it first (one GET). Only a
ticker decides what an absent epoch means (`decide`, from `watch`):

- **No epoch, and this process saw one before**: the memory is gone. Every worker
  parent reads the epoch each second, so each of them has seen it; the send jobs run
  in short-lived processes that have not, and never decide (below).
- **No epoch, first seen by this process**: ask Twilio whether this account sent an
  SMS within the lookback (one page of its message list, `From` and `DateSent`). Some:
  the memory is gone; none: a first start. Twilio unreachable: nothing is decided and
  nothing sent (held back, `SendHeldBack`) until it can be asked. Twilio refusing the
  question (a permanent error, e.g. revoked credentials) counts as no evidence, logged
  as an error (`epoch_question_refused`).
- **No epoch and no SMS configured**: nobody can be asked; a first start, unless this
  process saw an epoch before. An e-mail-only bridge whose every process restarted with
  the Redis cannot tell, and may send its e-mails again; so may one where a worker
  started just then decides before a running one does.

A send or a reply that finds no epoch decides a loss when its process saw an epoch,
and otherwise holds back (`SendHeldBack("epoch not yet written")`): it never writes a
first start, so a process that never saw the old epoch cannot hide a loss.

A loss is logged once (`redis_memory_lost`, by the worker whose epoch won) and counted
(`oabridge_redis_memory_lost`). The bridge is then in recovery, and:

- every SMS in recovery, and every SMS whose time came before the loss also after it,
  is first looked for in Twilio's log (the same number, the same text, sent since the
  earliest moment this very message could have gone out: `lookup_since`; "the same
  text" allows for what the loss made the bridge forget: a confirmation code, and that
  a prompt went out inside a move's notice: `texts_it_had`). Found: recorded as sent
  with Twilio's id, and not sent.
- an e-mail whose time came before the loss is skipped with `MEMORY_LOST` (no SMTP
  server says what it delivered), counted apart (`email_skipped`); so is the SMS of
  such a message under `sms_or_email` that Twilio's log does not have when the number
  was opted out at some moment from the message's earliest time to the loss: it may
  have gone by e-mail (`bridge.sending.asked_first`, counted as `sms_skipped`).
- a customer's reply dated before the loss is not handled (no answer, no confirm or
  cancel) when Twilio lists an SMS the bridge sent to that number after it, within
  `ANSWER_BOUND` and before the loss (`answered_before_loss`): the reply's answer was
  in the lost memory, and its text cannot be matched (the answer given now differs,
  the loss took the phone's appointments too).
- a message whose time came after the loss goes as usual.

"Its time came before the loss": a reminder whose due time (moved out of quiet hours
as the plan does) was before `lost_at`; a prompt for an appointment created before it.
A notice (moved, cancelled) is not: with the old states gone the diff finds no move
or cancellation to announce, so a notice comes from a change seen after the loss;
except a cancelled appointment first seen as such while recovering
(`bridge.sync.after_loss`), whose time came before the loss when it was cancelled
(`UpdateTime`) before it, and whose lookup starts there. But a move notice's key is
its new start, and a move after the loss back to a start announced before it makes a
key sent before the loss: such a notice's SMS is asked about too (`may_repeat`,
`bridge.sending.repeated_notice`).
`lost_at` is when the loss was found, a bound on when it happened (nothing is sent
without an epoch, so nothing went out between the two).

Recovery ends on a leading tick that finds every agenda to watch (the configured ones,
else the account's: `agendas`) completely read since the loss (a complete poll or
reconciliation; an emptied Redis has no watermark, so the first poll reads the whole
window) and no due message waiting in the plan: what the loss made the bridge plan
again has been planned and handed to the send jobs, whose checks do not depend on the
recovery flag. A ticker looks at most every `END_CHECK_SECONDS`. While the booking API
cannot be read, the recovery does not end.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import structlog

from bridge.clock import Clock
from bridge.domain.messages import UNSEEN_CANCELLATION, MessageKind, PlannedMessage
from bridge.domain.opt_out_history import opted_out_during
from bridge.domain.plan import PlanSettings, send_time
from bridge.domain.snapshot import Snapshot
from bridge.observability.masking import mask_phone
from bridge.outbound.errors import PermanentSendError, SendError, SendHeldBack
from bridge.outbound.sms import SmsReceipt, SmsSender
from bridge.rendering import RESCHEDULED_CONFIRM, Renderer, RenderError
from bridge.sending.facts import MessageFacts
from bridge.sending.sent_log import SentLog
from bridge.store.epoch import Epoch, Epochs, new_epoch
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from bridge.sync.after_loss import UNSEEN_BOUND

__all__ = ["ANSWER_BOUND", "MEMORY_LOST", "REPLY_MEMORY_LOST", "Recovery", "texts_it_had"]

log = structlog.get_logger(__name__)

_T = TypeVar("_T")

#: The skip reason of an e-mail whose time came before the loss (the issue's words).
MEMORY_LOST = "memory lost; may have been sent"
#: What becomes of a reply dated before the loss that Twilio shows answered (the
#: inbound message's state: `ignored:<this>`).
REPLY_MEMORY_LOST = "memory lost; may have been answered"
#: How long after a reply an answer to its sender counts as its answer. Answers go out
#: within seconds; an upstream error retries the reply job after 10, 30, 60 and 180 s,
#: so 10 minutes covers an answer held up by four retries. Only answers count (a
#: reminder or a notice does not: `bridge.sending.answer_texts`); the price left is a
#: reply not yet answered when an answer to another reply from the same number went out
#: in those minutes before the loss: it is taken as answered and dropped.
ANSWER_BOUND = timedelta(minutes=10)
#: After Twilio could not be asked whether the memory is lost (asked again once after
#: the first of the short `LOOKUP_PAUSES`: a tick waits for it), how long a process
#: waits before asking again: sends,
#: replies and reads of the booking API are held back meanwhile. Seen in the full soak:
#: one failed question (its injected 5xx) held everything for 13 s after an amnesia.
ASK_AGAIN_SECONDS = 5
#: How often a leading ticker looks whether a recovery is done.
END_CHECK_SECONDS = 15
#: Twilio's clock and the bridge's may differ a little: a lookup starts this much
#: before the earliest moment a message could have gone out.
CLOCK_SLACK = timedelta(seconds=30)
#: A lookup in Twilio's log that fails is made again after these pauses (seconds)
#: before the send or reply is held back: Twilio answers a page now and then with a
#: 429 or a 5xx, and a lookup reads several pages.
LOOKUP_PAUSES = (0.2, 0.5, 1.0)
#: How many pages of 1,000 a read of Twilio's log in one go (`SentLog`) reads at most.
SENT_LOG_PAGES = 20
#: Stands for any confirmation code in a text rendered to be matched (`texts_it_had`).
_ANY_CODE = "QQANYCODEQQ"
#: Stands for any previous start of a moved appointment (`texts_it_had`).
_ANY_START = datetime(2001, 1, 1, 1, 1, tzinfo=UTC)


@dataclass
class Recovery:
    """Reads the epoch, notices a loss, and answers the send path's questions."""

    epochs: Epochs
    sms: SmsSender | None
    clock: Clock
    lookback: timedelta
    """How far back Twilio's log is read at most: the account's recent activity, and
    sends since before the loss (the retention, for which the bridge keeps its records)."""
    plans: PlanStore
    sync_state: SyncState
    agendas: Callable[[], Collection[int]] | None = None
    """The agendas to watch (the configured ones, else the account's), each of which is
    read in full before a recovery ends; None: those polled since the loss (SCAN)."""
    pause: Callable[[float], None] = time.sleep
    """How a lookup waits before asking Twilio again (`LOOKUP_PAUSES`)."""
    _seen: bool = field(default=False, init=False)
    _asked_at: datetime | None = field(default=None, init=False)
    _checked_at: datetime | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _sharing: bool = field(default=False, init=False)
    _shared: SentLog | None = field(default=None, init=False)
    _shared_read: bool = field(default=False, init=False)
    _log_lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def epoch(self) -> Epoch:
        """The current epoch, for a send or a reply. Without one: a loss if this process
        saw an epoch before, else `SendHeldBack` (only a ticker decides: `decide`)."""
        current = self.epochs.read()
        if current is None:
            if not self._seen:
                raise SendHeldBack("epoch not yet written")
            current = self._write(lost=True)
        self._seen = True
        return current

    def decide(self) -> Epoch:
        """The current epoch, written first if there is none (a ticker's part); raises
        `SendHeldBack` when a loss cannot be told from a first start (Twilio unreachable)."""
        current = self.epochs.read()
        if current is None:
            now = self.clock.now()
            with self._lock:
                if self._asked_at is not None and \
                        (now - self._asked_at).total_seconds() < ASK_AGAIN_SECONDS:
                    raise SendHeldBack("cannot yet tell a lost memory from a first start")
                lost = self._seen or self._sent_recently(now)
            current = self._write(lost)
        self._seen = True
        return current

    def _write(self, lost: bool) -> Epoch:
        epoch, ours = self.epochs.begin(new_epoch(self.clock.now(), lost))
        if ours and lost:
            log.warning("redis_memory_lost", epoch=epoch.id,
                        effect="recovery: SMS looked up at Twilio before sending; "
                               "e-mails due before now skipped")
        elif ours:
            log.info("epoch_started", epoch=epoch.id)
        return epoch

    def _sent_recently(self, now: datetime) -> bool:
        if self.sms is None:
            return False
        try:
            sent = self.asking(lambda: self._sender().sent_since(now - self.lookback),
                               pauses=LOOKUP_PAUSES[:1])
        except PermanentSendError as exc:  # asking again will not help: no evidence
            log.error("epoch_question_refused", code=exc.code,
                      effect="no SMS evidence: a missing epoch counts as a first start "
                             "unless this process saw one")
            sent = False
        except SendError:
            self._asked_at = self.clock.now()  # after the asking, which may have taken long
            log.warning("epoch_undecided", why="Twilio could not be asked")
            raise SendHeldBack("cannot ask Twilio whether the memory was lost") from None
        self._asked_at = None
        return sent

    def watch(self, leading: bool = True) -> None:
        """A ticker's look (each tick, leading or not): notice a loss early and keep this
        process's sight of the epoch; a leading one also ends a recovery. While Twilio
        cannot be asked it does nothing (the sends hold back themselves); a Redis error
        propagates."""
        try:
            epoch = self.decide()
        except SendHeldBack:
            return
        if not leading or not epoch.recovering or epoch.lost_at is None:
            return
        now = self.clock.now()
        if self._checked_at is not None and \
                (now - self._checked_at).total_seconds() < END_CHECK_SECONDS:
            return
        self._checked_at = now
        if not self._read_since(epoch.lost_at) or self.plans.due(now, 1):
            return
        if self.epochs.end_recovery(epoch, now):
            log.info("recovery_ended", epoch=epoch.id,
                     seconds=round((now - epoch.lost_at).total_seconds()))

    def _read_since(self, lost_at: datetime) -> bool:
        """Whether every agenda to watch was read in full since the loss."""
        polls = self.sync_state.last_polls()
        lost = lost_at.timestamp()
        if self.agendas is None:
            return bool(polls) and min(polls.values()) >= lost
        try:
            wanted = self.agendas()
        except Exception as exc:  # the booking API is down: not yet, look again later
            log.warning("recovery_agendas_unknown", error=type(exc).__name__)
            return False
        return all(polls.get(agenda, 0) >= lost for agenda in wanted)

    def came_before_loss(self, epoch: Epoch, message: PlannedMessage, state: Snapshot,
                         settings: PlanSettings) -> bool:
        """Whether `message` may have gone out before the memory was lost (module)."""
        lost_at = epoch.lost_at
        if lost_at is None:
            return False
        if message.kind is MessageKind.REMINDER:
            nominal = _nominal(message, settings)
            if nominal is None:  # rules changed since: it may have been sent
                return True
            when = send_time(nominal, message.start, state.created, settings, nominal)
        elif message.kind is MessageKind.CONFIRM_REQUEST:
            if state.created is None:
                return True
            when = send_time(state.created, message.start, None, settings, state.created)
        elif message.variant == UNSEEN_CANCELLATION:  # its cancellation, if before
            return state.updated is None or state.updated < lost_at
        else:
            return False
        return not isinstance(when, str) and when < lost_at

    def may_repeat(self, epoch: Epoch, message: PlannedMessage, state: Snapshot) -> bool:
        """Whether `message`, a move notice planned after the loss, may be one that went
        out before it: its key is its start, and a move back to a start the appointment
        had before the loss (announced then) makes the same key. So any move notice of an
        appointment that existed before the loss (`bridge.sending.repeated_notice`)."""
        lost_at = epoch.lost_at
        return (lost_at is not None and message.kind is MessageKind.RESCHEDULED
                and (state.created is None or state.created < lost_at))

    def lookup_since(self, epoch: Epoch, message: PlannedMessage, state: Snapshot,
                     settings: PlanSettings) -> datetime:
        """The earliest moment `message` could have gone out, less `CLOCK_SLACK`, and
        never before the lookback before the loss: an identical text sent earlier (the
        same slot booked again, a template without the date) is another message's.
        A reminder: its nominal due time (quiet hours only move it later); a prompt and
        a notice: its appointment's creation (a notice is planned from a change seen
        after the loss, but a state read out of order, a webhook held back, can make
        the diff announce again a move announced before it: seen in the full soak)."""
        floor = (epoch.lost_at or self.clock.now()) - self.lookback
        if message.kind is MessageKind.REMINDER:
            earliest = _nominal(message, settings)
        elif message.kind is MessageKind.CONFIRM_REQUEST:
            earliest = state.created
        elif message.variant == UNSEEN_CANCELLATION:
            earliest = state.updated
        else:  # a notice: the same one may have gone out before the loss, since booking
            earliest = state.created or message.send_at
        return floor if earliest is None else max(floor, earliest - CLOCK_SLACK)

    def find_sent(self, to: str, matches: Callable[[str], bool], since: datetime,
                  taken: Callable[[str], bool] | None = None) -> SmsReceipt | None:
        """Twilio's record of a text `matches` accepts to `to`, sent since `since`
        (`lookup_since`) and not `taken` by another message already (two reminders of
        one appointment have the same text); raises `SendHeldBack` when Twilio's log
        cannot be read."""
        shared = self._shared_log()
        found = None if shared is None else shared.find(to, matches, since, taken)
        if found is not None:
            return found
        try:
            return self.asking(lambda: self._sender().find_matching(to, matches, since,
                                                                    taken))
        except SendError:
            raise SendHeldBack("cannot ask Twilio whether it was sent before the "
                               "memory was lost") from None

    @contextmanager
    def sharing_sent_log(self) -> Iterator[None]:
        """While inside, `find_sent` and `texts_between` look first in one read of
        Twilio's log since the unseen-cancellation bound and an answer's bound before
        the loss (`SentLog`), read at the first lookup and shared by every thread: a
        batch of sends after a loss asks once, not once a message. Outside, nothing is
        kept."""
        self._sharing = True
        try:
            yield
        finally:
            with self._log_lock:
                self._sharing, self._shared, self._shared_read = False, None, False

    def _shared_log(self) -> SentLog | None:
        """The shared read of Twilio's log, read now if it was not; None outside
        `sharing_sent_log`, without a loss, or when Twilio could not be read (each
        lookup then asks on its own)."""
        if not self._sharing or self.sms is None:
            return None
        with self._log_lock:
            if not self._shared_read:
                self._shared_read = True
                epoch = self.epochs.read()
                if epoch is not None and epoch.lost_at is not None:
                    # Back to the earliest reply that may have cancelled an unseen
                    # cancellation (`texts_between`, `bridge.sending.own_cancellation`).
                    since = epoch.lost_at - UNSEEN_BOUND - ANSWER_BOUND - CLOCK_SLACK
                    try:
                        self._shared = self.read_sent_log(since)
                    except SendError as exc:
                        log.info("sent_log_unread", error=type(exc).__name__)
            return self._shared

    def read_sent_log(self, since: datetime) -> SentLog:
        """Twilio's log of what the bridge sent since `since`, read in one go (asked
        again after the short pauses); raises `SendError` when it cannot be read."""
        complete_until = self.clock.now()  # all sent before the read began is in it
        sent, complete = self.asking(
            lambda: self._sender().listed_since(since, SENT_LOG_PAGES))
        return SentLog(sent, since, complete_until if complete else None)

    def texts_between(self, phone: str, after: datetime,
                      until: datetime) -> list[tuple[datetime, str]]:
        """What `phone` texted from `after` to `until` (when, body), from the shared read
        of Twilio's log when it covers the span, else asked (after the short pauses);
        raises `SendHeldBack` when Twilio's log cannot be read."""
        shared = self._shared_log()
        if shared is not None and shared.covers(after, until):
            return shared.texts_from(phone, after, until)
        try:
            texts = self.asking(lambda: self._sender().texts_from(phone, after))
        except SendError:
            raise SendHeldBack("cannot ask Twilio what the number texted before the "
                               "memory was lost") from None
        return [(at, body) for at, body in texts if at <= until]

    def first_sent_between(self, to: str, since: datetime, until: datetime,
                           taken: Callable[[str], bool]) -> SmsReceipt | None:
        """The earliest SMS to `to` Twilio accepted from `since` to `until`, not `taken`
        (`bridge.sending.orphans`), asked again after the short pauses; raises
        `SendError` when Twilio's log cannot be read."""
        return self.asking(lambda: self._sender().first_sent_between(to, since, until,
                                                                     taken=taken))

    def opted_out_between(self, phone: str, after: datetime, until: datetime) -> bool:
        """Whether `phone` was opted out of SMS at some moment from `after` to `until`, by
        what it texted since the lookback before `until` (`opted_out_during`); raises
        `SendHeldBack` when Twilio's log cannot be read."""
        return opted_out_during(self.texts_between(phone, until - self.lookback, until),
                                after, until)

    def _sender(self) -> SmsSender:
        assert self.sms is not None
        return self.sms

    def asking(self, ask: Callable[[], _T],
               pauses: tuple[float, ...] = LOOKUP_PAUSES) -> _T:
        """`ask` Twilio, again after a short pause when it fails (`LOOKUP_PAUSES`): a
        lookup reads every page since the message's earliest time, and one page in a
        few dozen failing (a 429, a 5xx) would otherwise hold the send back for 30 s
        or more, past the appointment's start for a reminder due shortly before it."""
        for pause in pauses:
            try:
                return ask()
            except PermanentSendError:
                raise
            except SendError as exc:
                log.info("recovery_lookup_retry", error=type(exc).__name__, wait_s=pause)
                self.pause(pause)
        return ask()

    def answered_before_loss(self, epoch: Epoch, phone: str, received: datetime,
                             is_answer: Callable[[str], bool]) -> bool:
        """Whether a reply from `phone` received at `received` may have been answered
        before the memory was lost: it came before `lost_at`, and Twilio lists an answer
        to a reply (`is_answer`: `bridge.sending.answer_texts`) the bridge sent to
        `phone` after it, within `ANSWER_BOUND` and before the loss. A reminder or a
        prompt in those minutes is not its answer (seen in the soak: a prompt sent in
        the second of the loss, answered by the customer in that second, was taken for
        the answer). `received` and Twilio's DateSent are whole seconds, so a reply and
        its answer in the second of the loss count as before it (seen too: answered
        0.3 s before the loss). A reply received since the loss costs nothing (no
        question asked). Raises `SendHeldBack` when Twilio's log cannot be read: never
        answered blind. (An inbound scan asks its own read of the log instead:
        `bridge.replies.answered_in_scan`.)"""
        window = self.answer_window(epoch, received)
        if window is None or self.sms is None:
            return False
        after, until = window
        try:
            answered = self.asking(lambda: self._sender().sent_to_between(
                phone, after, until, is_answer))
        except SendError:
            raise SendHeldBack("cannot ask Twilio whether the reply was answered before "
                               "the memory was lost") from None
        if answered:
            log.info("reply_skipped_after_loss", to=mask_phone(phone))
        return answered

    def answer_window(self, epoch: Epoch,
                      received: datetime) -> tuple[datetime, datetime] | None:
        """When an answer to a reply received at `received` counts as given before the
        loss (`answered_before_loss`); None for a reply that came after it."""
        lost_at = epoch.lost_at
        if lost_at is None or received > lost_at:
            return None
        return received, min(received + ANSWER_BOUND, lost_at)


def _nominal(message: PlannedMessage, settings: PlanSettings) -> datetime | None:
    """A reminder's nominal due time; None when its offset is no longer configured."""
    offsets = [o for o in settings.reminder_offsets if o.label == message.variant]
    return offsets[0].due(message.start, settings.tz) if offsets else None


#: A move's notices: told only, or asking to confirm too (`ASKS_TO_CONFIRM`).
_MOVE_NOTICES = (MessageKind.RESCHEDULED.value, RESCHEDULED_CONFIRM)
#: The answer to a customer's NEE that cancelled: it stands for the cancelled notice.
REPLY_CANCELLED = "reply_cancelled"


def texts_it_had(renderer: Renderer, facts: MessageFacts, text: str) -> Callable[[str], bool]:
    """Whether a text Twilio lists is this message as it may have been sent before the
    loss: as rendered now, or with any confirmation code or none (the bridge learns a
    code only from a change notice, and the loss took the codes too). A prompt may also
    have gone out inside the notice of a move (`rescheduled_confirm`, from any previous
    start): the loss took the old start, so the diff now plans the prompt itself. A
    cancellation the customer made by SMS was told by the reply's answer
    (`reply_cancelled`), which stands for the notice (`bridge.replies.upstream`). A
    move's notice may have named another previous start or none, and asked or not: the
    state the bridge now diffs from may not be the one it diffed from before the loss
    (seen in the full soak: a notice sent again after a poll's page read before the
    loss was recorded after it)."""
    kinds = [facts.kind]
    if facts.kind == MessageKind.CONFIRM_REQUEST.value:
        kinds.append(RESCHEDULED_CONFIRM)
    if facts.kind in _MOVE_NOTICES:
        kinds = list(_MOVE_NOTICES)
    if facts.kind == MessageKind.CANCELLED.value:
        kinds.append(REPLY_CANCELLED)
    try:
        patterns = [re.compile(_pattern(renderer, facts, kind, code).replace(_ANY_CODE, r"\S+"))
                    for kind in kinds for code in (_ANY_CODE, None)]
    except RenderError:
        return lambda body: body == text
    return lambda body: body == text or any(p.fullmatch(body) for p in patterns)


def _pattern(renderer: Renderer, facts: MessageFacts, kind: str, code: str | None) -> str:
    """A regular expression of `kind`'s SMS text with `code`; for a move notice, with
    any previous start or none (what rendering with one adds to rendering without)."""
    context = replace(facts.context, confirmation_code=code)
    if kind not in _MOVE_NOTICES:
        return re.escape(renderer.render(kind, facts.language, "sms", context).text)
    context = replace(context, previous_start=None)
    text = renderer.render(kind, facts.language, "sms", context).text
    moved = renderer.render(kind, facts.language, "sms",
                            replace(context, previous_start=_ANY_START)).text
    if moved == text:
        return re.escape(text)
    head = _shared(moved, text)
    tail = min(_shared(moved[::-1], text[::-1]), len(text) - head)
    return re.escape(moved[:head]) + ".*?" + re.escape(moved[len(moved) - tail:])


def _shared(one: str, other: str) -> int:
    """How many characters the two begin with alike."""
    return next((i for i, (a, b) in enumerate(zip(one, other, strict=False)) if a != b),
                min(len(one), len(other)))
