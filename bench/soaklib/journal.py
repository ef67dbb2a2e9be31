"""What the soak did, as it did it: the oracle's only source besides the sandbox.

Times are epoch seconds on this machine's clock, which every process shares. A change
is in effect from `at` (when the API call returned); `began` is when it was asked for.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

PENDING, APPROVED, CANCELLED, REMOVED = "PENDING", "APPROVED", "CANCELLED", "REMOVED"
LIVE = frozenset({PENDING, APPROVED})


@dataclass(frozen=True)
class State:
    """An appointment as the practice left it after one change."""

    began: float
    at: float
    action: str
    """book, confirm, move, cancel, remove; or the customer's sms-cancel / sms-confirm."""
    status: str
    start: datetime
    """Aware; the appointment's start (unchanged by cancel and remove)."""


@dataclass
class Appointment:
    id: int
    customer_id: int
    type_id: int
    code: str | None
    history: list[State] = field(default_factory=list)
    frozen: bool = False
    """A customer's answerable reply is out: the practice leaves it alone from then on."""

    @property
    def state(self) -> State:
        return self.history[-1]

    def starts(self) -> list[datetime]:
        seen: list[datetime] = []
        for state in self.history:
            if state.start not in seen:
                seen.append(state.start)
        return seen

    def story(self, at: float) -> str:
        """Its history for a problem report, each change's time relative to `at`."""
        steps = [f"{s.action}->{s.status}@{s.start:%H:%M} {s.at - at:+.1f}s"
                 for s in self.history]
        return "; ".join(steps)


@dataclass(frozen=True)
class Reply:
    """One SMS a customer sent; `kind` is what the soak meant by it."""

    at: float
    phone: str
    body: str
    kind: str
    """code, wrong_code, ja, nee, text, stop, start."""
    appointment_id: int | None
    status: str | None
    """The appointment's status when the reply was sent."""
    ingress_down: bool


@dataclass
class Journal:
    appointments: dict[int, Appointment] = field(default_factory=dict)
    replies: list[Reply] = field(default_factory=list)
    changes: Counter[str] = field(default_factory=Counter)
    webhooks: Counter[str] = field(default_factory=Counter)
    driver_errors: Counter[str] = field(default_factory=Counter)
    kills: Counter[str] = field(default_factory=Counter)
    ingress_down: list[tuple[float, float]] = field(default_factory=list)
    """(down, up) of each time the soak took the ingress down."""
    redis_down: list[tuple[float, float]] = field(default_factory=list)
    """(down, back) of each Redis fault: the ingress answered 503 meanwhile."""
    started: float = 0.0
    changes_ended: float = 0.0
    checked_at: float = 0.0

    def record(self, appointment: Appointment, state: State) -> None:
        appointment.history.append(state)
        self.changes[state.action] += 1

    def movable(self, now: float, status: str | None = None) -> list[Appointment]:
        """Live appointments the practice may still change: not frozen by a customer's
        reply, starting more than 5 s from `now`; optionally of one status only."""
        return [a for a in self.appointments.values()
                if not a.frozen and a.state.status in LIVE
                and (status is None or a.state.status == status)
                and a.state.start.timestamp() > now + 5]
