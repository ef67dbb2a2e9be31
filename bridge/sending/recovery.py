"""After Redis forgot: notice it, and ask before repeating what may have gone out.

Redis is the bridge's memory: the claims that keep a message from going out twice live
there. Emptied (a restart without persistence, a failover to a replica that missed the
last writes), the next poll finds every appointment new and plans again what was sent.
So the bridge keeps an epoch (`bridge.store.epoch`), and every send and every tick
reads it first (one GET):

- **No epoch, and this process saw one before**: the memory is gone.
- **No epoch, first seen by this process**: ask Twilio whether this account sent an
  SMS within the lookback (one page of its message list, `From` and `DateSent`). Some:
  the memory is gone; none: a first start. Twilio unreachable: nothing is sent (the
  send is retried, never sent blind) until it can be asked.
- **No epoch and no SMS configured**: nobody can be asked; a first start, unless this
  process saw an epoch before. An e-mail-only bridge whose every process restarted with
  the Redis cannot tell, and may send its e-mails again.

A loss is logged once (`redis_memory_lost`, by the worker whose epoch won) and counted
(`oabridge_redis_memory_losses`). The bridge is then in recovery, and:

- every SMS in recovery, and every SMS whose time came before the loss also after it,
  is first looked for in Twilio's log (the same number, the same text, within the
  lookback before the loss; "the same text" allows for what the loss made the bridge
  forget: a confirmation code, and that a prompt went out inside a move's notice:
  `texts_it_had`). Found: recorded as sent with Twilio's id, and not sent.
- an e-mail whose time came before the loss is skipped with `MEMORY_LOST` (no SMTP
  server says what it delivered), counted apart (`email_skipped`).
- a message whose time came after the loss goes as usual.

"Its time came before the loss": a reminder whose due time (moved out of quiet hours
as the plan does) was before `lost_at`; a prompt for an appointment created before it.
A notice (moved, cancelled) is never: with the old states gone the diff finds no move
or cancellation to announce, so any notice comes from a change seen after the loss.
`lost_at` is when the loss was found, a bound on when it happened (nothing is sent
without an epoch, so nothing went out between the two).

Recovery ends on a tick that finds every agenda fully read since the loss (a complete
poll or reconciliation; an emptied Redis has no watermark, so the first poll reads the
whole window) and no due message waiting in the plan: what the loss made the bridge
plan again has been planned and handed to the send jobs, whose checks do not depend on
the recovery flag. A ticker looks at most every `END_CHECK_SECONDS` (the agendas' last
polls are found by SCAN).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import structlog

from bridge.clock import Clock
from bridge.domain.messages import MessageKind, PlannedMessage
from bridge.domain.plan import PlanSettings, send_time
from bridge.domain.snapshot import Snapshot
from bridge.outbound.errors import SendError, TransientSendError
from bridge.outbound.sms import SmsReceipt, SmsSender
from bridge.rendering import RESCHEDULED_CONFIRM, Renderer, RenderError
from bridge.sending.facts import MessageFacts
from bridge.store.epoch import Epoch, Epochs, new_epoch
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState

__all__ = ["MEMORY_LOST", "Recovery", "texts_it_had"]

log = structlog.get_logger(__name__)

#: The skip reason of an e-mail whose time came before the loss (the issue's words).
MEMORY_LOST = "memory lost; may have been sent"
#: After Twilio could not be asked whether the memory is lost, how long a process waits
#: before asking again (sends meanwhile are retried).
ASK_AGAIN_SECONDS = 10
#: How often a process's ticker looks whether a recovery is done (it SCANs for the
#: agendas' last polls: not every second).
END_CHECK_SECONDS = 15
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
    """How far back Twilio's log is read: for sends since before the loss, and the
    account's recent activity (the retention, for which the bridge keeps its records)."""
    plans: PlanStore
    sync_state: SyncState
    _seen: bool = field(default=False, init=False)
    _asked_at: datetime | None = field(default=None, init=False)
    _checked_at: datetime | None = field(default=None, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def epoch(self) -> Epoch:
        """The current epoch, written first if there is none; raises `TransientSendError`
        when a loss cannot be told from a first start (Twilio unreachable)."""
        current = self.epochs.read()
        if current is None:
            current = self._decide()
        self._seen = True
        return current

    def _decide(self) -> Epoch:
        now = self.clock.now()
        with self._lock:
            if self._asked_at is not None and \
                    (now - self._asked_at).total_seconds() < ASK_AGAIN_SECONDS:
                raise TransientSendError("cannot yet tell a lost memory from a first start")
            lost = self._seen or self._sent_recently(now)
        epoch, ours = self.epochs.begin(new_epoch(now, lost))
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
            sent = self.sms.sent_since(now - self.lookback)
        except SendError:
            self._asked_at = now
            log.warning("epoch_undecided", why="Twilio could not be asked")
            raise TransientSendError("cannot ask Twilio whether the memory was lost") from None
        self._asked_at = None
        return sent

    def watch(self) -> None:
        """The ticker's look (each tick): notice a loss early, and end a recovery. While
        Twilio cannot be asked it does nothing (logged once per attempt; the sends hold
        back themselves); a Redis error propagates."""
        try:
            epoch = self.epoch()
        except TransientSendError:
            return
        if not epoch.recovering or epoch.lost_at is None:
            return
        now = self.clock.now()
        if self._checked_at is not None and \
                (now - self._checked_at).total_seconds() < END_CHECK_SECONDS:
            return
        self._checked_at = now
        polls = self.sync_state.last_polls()
        lost = epoch.lost_at.timestamp()
        if not polls or min(polls.values()) < lost:
            return
        if self.plans.due(now, 1):
            return
        if self.epochs.end_recovery(epoch, now):
            log.info("recovery_ended", epoch=epoch.id,
                     seconds=round((now - epoch.lost_at).total_seconds()))

    def came_before_loss(self, epoch: Epoch, message: PlannedMessage, state: Snapshot,
                         settings: PlanSettings) -> bool:
        """Whether `message` may have gone out before the memory was lost (module)."""
        lost_at = epoch.lost_at
        if lost_at is None:
            return False
        if message.kind is MessageKind.REMINDER:
            offsets = [o for o in settings.reminder_offsets if o.label == message.variant]
            if not offsets:  # rules changed since: it may have been sent
                return True
            nominal = offsets[0].due(message.start, settings.tz)
            when = send_time(nominal, message.start, state.created, settings, nominal)
        elif message.kind is MessageKind.CONFIRM_REQUEST:
            if state.created is None:
                return True
            when = send_time(state.created, message.start, None, settings, state.created)
        else:
            return False
        return not isinstance(when, str) and when < lost_at

    def find_sent(self, epoch: Epoch, to: str, matches: Callable[[str], bool]) -> SmsReceipt | None:
        """Twilio's record of a text `matches` accepts to `to` since the lookback before
        the loss; raises `TransientSendError` when Twilio cannot be asked."""
        assert self.sms is not None
        since = (epoch.lost_at or self.clock.now()) - self.lookback
        try:
            return self.sms.find_matching(to, matches, since)
        except SendError:
            raise TransientSendError("cannot ask Twilio whether it was sent before the "
                                     "memory was lost") from None


def texts_it_had(renderer: Renderer, facts: MessageFacts, text: str) -> Callable[[str], bool]:
    """Whether a text Twilio lists is this message as it may have been sent before the
    loss: as rendered now, or with any confirmation code or none (the bridge learns a
    code only from a change notice, and the loss took the codes too). A prompt may also
    have gone out inside the notice of a move (`rescheduled_confirm`, from any previous
    start): the loss took the old start, so the diff now plans the prompt itself."""
    kinds = [facts.kind]
    if facts.kind == MessageKind.CONFIRM_REQUEST.value:
        kinds.append(RESCHEDULED_CONFIRM)
    try:
        patterns = [re.compile(_pattern(renderer, facts, kind, code).replace(_ANY_CODE, r"\S+"))
                    for kind in kinds for code in (_ANY_CODE, None)]
    except RenderError:
        return lambda body: body == text
    return lambda body: body == text or any(p.fullmatch(body) for p in patterns)


def _pattern(renderer: Renderer, facts: MessageFacts, kind: str, code: str | None) -> str:
    """A regular expression of `kind`'s SMS text with `code`; for a move notice, with
    any previous start (what rendering with one adds to rendering without)."""
    context = replace(facts.context, confirmation_code=code)
    text = renderer.render(kind, facts.language, "sms", context).text
    if kind != RESCHEDULED_CONFIRM:
        return re.escape(text)
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
