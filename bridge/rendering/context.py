"""Everything a message template may use, in one place (see also docs/templates.md).

Callers fill a `MessageContext`; templates see it under readable names (the table in
`MessageContext`'s docstring). Keeping the two apart lets the Python side stay flat
and typed while templates read naturally (`appointment.start|date_long`), and it is
the one list an operator writing their own templates needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

__all__ = ["Choice", "MessageContext"]


@dataclass(frozen=True, slots=True)
class Choice:
    """One numbered appointment in a `reply_choose` text ("1 = di 24 nov 14:30 …")."""

    number: int
    start: datetime
    appointment_type: str

    def __post_init__(self) -> None:
        _require_aware("Choice.start", self.start)


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageContext:
    """The data of one message. Templates see these names:

    | template name | field | notes |
    |---|---|---|
    | `customer.first_name` | `customer_first_name` | may be empty: greet without it |
    | `customer.name` | `customer_name` | full name, e.g. "Daniëlle van den Berg" |
    | `appointment` | | `none` when the message is not about one appointment |
    | `appointment.start` | `start` | aware; filters show it in the practice's zone |
    | `appointment.end` | `end` | aware, or `none` |
    | `appointment.previous_start` | `previous_start` | `rescheduled(_confirm)`, else `none` |
    | `appointment.type` | `appointment_type` | e.g. "Behandeling"; may be empty |
    | `appointment.practitioner` | `practitioner` | may be empty |
    | `practice.name` | `practice_name` | required: every text names the practice |
    | `practice.phone` | `practice_phone` | may be empty: then say "contact" without it |
    | `code` | `confirmation_code` | the confirmation code, or `none` when unknown |
    | `can_reply` | `can_reply` | this customer can answer this message by SMS (see below) |
    | `choices` | `choices` | for `reply_choose`: items with `number`, `start`, `type` |
    | `action` | `action` | for `reply_choose`: "confirm", "cancel" or `none` |
    | `language` | | the language being rendered ("nl", "en"), set by the renderer |
    | `subject` | | HTML e-mail templates only: the rendered subject |

    `can_reply` is about the customer, not only the sender: true when this message
    goes to them by SMS from a sender that takes replies, so an e-mail has it only
    beside an SMS of the same message (`ChannelChoice.answerable_by_sms`).

    The customer's phone number and e-mail address are deliberately not here: a
    message never needs to show them.
    """

    practice_name: str
    practice_phone: str = ""
    customer_first_name: str = ""
    customer_name: str = ""
    start: datetime | None = None
    end: datetime | None = None
    previous_start: datetime | None = None
    appointment_type: str = ""
    practitioner: str = ""
    confirmation_code: str | None = None
    can_reply: bool = False
    choices: tuple[Choice, ...] = ()
    action: Literal["confirm", "cancel"] | None = None

    def __post_init__(self) -> None:
        if not self.practice_name.strip():
            raise ValueError("practice_name is empty: every message names the practice")
        for name in ("start", "end", "previous_start"):
            _require_aware(name, getattr(self, name))
        if self.start is None and (self.end is not None or self.previous_start is not None):
            raise ValueError("end and previous_start need a start")
        if self.start is not None and self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        if self.action not in (None, "confirm", "cancel"):
            raise ValueError(f"action must be confirm, cancel or None, not {self.action!r}")

    def template_variables(self) -> dict[str, Any]:
        """The names templates see (the table above), as plain dicts and values."""
        appointment = None
        if self.start is not None:
            appointment = {
                "start": self.start,
                "end": self.end,
                "previous_start": self.previous_start,
                "type": self.appointment_type,
                "practitioner": self.practitioner,
            }
        return {
            "customer": {
                "first_name": self.customer_first_name.strip(),
                "name": self.customer_name.strip(),
            },
            "appointment": appointment,
            "practice": {"name": self.practice_name, "phone": self.practice_phone},
            "code": self.confirmation_code or None,
            "can_reply": self.can_reply,
            "choices": [
                {"number": c.number, "start": c.start, "type": c.appointment_type}
                for c in self.choices
            ],
            "action": self.action,
        }


def _require_aware(name: str, value: datetime | None) -> None:
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, not naive {value!r}")
