"""What the oracle judges by and what it finds: its rules, the bridge's skip records,
and the verdict with its tallies, problems and latencies (the table prints all of it)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

#: How long before an amnesia a change may have been accepted and not yet acted on
#: (change -> notice accepted is under 40 s at the 99th percentile in the full run).
AMNESIA_LEAD = 60.0
#: How long after the bridge found a loss it sends nothing by SMS: attempts from before
#: the loss may still be talking to Twilio (the bridge's `ORPHAN_SECONDS` + 1).
AMNESIA_HOLD = 21.0
#: Then how long the bridge takes to catch up: every message whose time came is asked
#: about at Twilio before it is sent again (the full soak on 6dd862c: 370 found sent, few
#: new SMS until 92 s after the loss was found, under the booking API's faults and a
#: worker killed every 7 s). A change made in it waits behind that backlog.
AMNESIA_CATCH_UP = 80.0
#: How long after the bridge found the loss its first full read may take (the soak
#: polls every 2 s; a listing of the whole window under the booking API's faults).
AMNESIA_READ = 30.0


@dataclass(frozen=True)
class Rules:
    offsets: dict[str, float]
    """Reminder offsets by label, in seconds ("90s" -> 90)."""
    allowance: float
    grace: float
    checked_at: float
    inbound_reconcile: float = 5.0
    amnesia: tuple[tuple[float, float], ...] = ()
    """(began, back) of each time Redis lost its data (#16's amnesia)."""
    losses: tuple[tuple[float, float], ...] = ()
    """(began, back) of each fault that may lose writes (amnesia, failover): a provider
    message accepted before one may have no log record at all (below)."""
    orphaned: frozenset[tuple[int, str, int]] = frozenset()
    """(appointment, the bridge's kind, start) of each message an attempt held back
    behind a killed one (`orphans`): it may come `ORPHAN_WAIT` later than others."""

    def unread_before_amnesia(self, at: float) -> bool:
        """Whether a change made at `at` may never have been read by the bridge before
        an amnesia took what it knew: made from `AMNESIA_LEAD` before Redis lost its data
        (accepted, its job or its notice not yet done, all lost with the data) until
        `AMNESIA_READ` after the bridge found the loss (its first full read after it).
        A move then cannot be announced: the old start is gone with the memory, and the
        booking API keeps no history. (A cancellation can: `bridge.sync.after_loss`.)"""
        return self.read_again_by(at) is not None

    def silent(self, start: float, end: float) -> float:
        """How much of [start, end] fell in an amnesia's silence: from Redis losing its
        data until `AMNESIA_HOLD` after the bridge found the loss, nothing is sent (no
        epoch; then the wait for attempts from before it to end), and for
        `AMNESIA_CATCH_UP` after that little new is (the backlog of messages asked about
        at Twilio). A state must last the allowance outside it for its messages to be
        required."""
        quiet = AMNESIA_HOLD + AMNESIA_CATCH_UP
        return sum(max(0.0, min(end, back + quiet) - max(start, began))
                   for began, back in self.amnesia)

    def read_again_by(self, at: float) -> float | None:
        """When the bridge had read again what changed at `at`, if an amnesia kept it
        from reading it before (`unread_before_amnesia`); None otherwise."""
        return next((back + AMNESIA_READ for began, back in self.amnesia
                     if began - AMNESIA_LEAD <= at <= back + AMNESIA_READ), None)

    def before_loss(self, at: float, slack: float = 5.0) -> bool:
        """Whether `at` came before a loss was over (`slack` after Redis was back).

        A worker killed between the provider's accept and its link leaves the send to be
        resolved by a retry that asks the provider; a loss before that retry takes the
        claim and the job, and the bridge asks again only for a message it still means
        to send: the provider message may stay unlinked for good."""
        return any(at <= back + slack for _began, back in self.losses)
    tolerance: float = 1.5
    """Second-grain stamps and one shared clock: how early "not before" may be."""


@dataclass(frozen=True)
class Skip:
    appointment_id: int
    kind: str
    variant: str
    start: float
    reason: str
    at: float


@dataclass
class Tally:
    expected: int = 0
    sent: int = 0
    duplicate: int = 0
    missing: int = 0
    wrong: int = 0
    races: int = 0


@dataclass
class Verdict:
    messages: Tally = field(default_factory=Tally)
    answers: Tally = field(default_factory=Tally)
    problems: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    required_skipped: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Required messages the bridge skipped for a reason the rules allow (it was late)."""
    inferred_offsets: int = 0
    """Reminders sent before a Redis loss whose log record (and so offset) Redis lost
    before the soak could copy it: the offset is inferred from the send time."""
    forgotten_conversations: int = 0
    """Replies answered "no appointment" because an amnesia took their conversation
    before anything could open it again (#16 allows it: the answer changes nothing)."""
    set_aside_after_loss: int = 0
    """Replies received before an amnesia that the bridge left unanswered because Twilio
    lists an answer to the number after them (one to another reply), within 10 minutes
    and before the loss was found (#16's rule: old inbound messages are not answered
    again; the bridge cannot tell which reply an answer was for)."""
    orphan_waits: int = 0
    """Required messages not sent because the state they were for ended while an attempt
    waited behind a killed one (`orphans`), within the allowance plus that wait."""
    unannounced_moves: int = 0
    """Moves whose notice the bridge could not give: made just before an amnesia or
    before its first read after it (`Rules.unread_before_amnesia`), and not announced."""
    emailed_again: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Move notices e-mailed again after an amnesia for a start announced by e-mail
    before it (a move back there: the bridge's key again, and no SMTP server to ask;
    #16's rule sends an e-mail whose time came after the loss), by kind."""
    memory_lost: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    """Required e-mails the bridge skipped as `memory lost; may have been sent` after an
    amnesia (#16 allows it: nobody can ask an SMTP server what it delivered), by kind."""

    def problem(self, text: str) -> None:
        self.problems.append(text)

    @property
    def clean(self) -> bool:
        m, a = self.messages, self.answers
        return not (m.duplicate or m.missing or m.wrong or a.duplicate or a.missing or a.wrong
                    or self.problems)
