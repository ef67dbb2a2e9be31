"""`SandboxFaults`: the seeded faults of the whole sandbox, behind `/_sandbox/faults`.

One object holds the three sections (booking API, Twilio API, SMTP sink), so a chaos
run sets and reads them in one place and with one seed. A `PUT` may change any subset
of sections, each partially; every section is checked before any is changed, so a bad
value anywhere changes nothing. A sandbox without a Twilio API or an SMTP sink just
has fewer sections.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.booking.faults import BookingFaults
from sandbox.fault_settings import SeededFaults, check_seed
from sandbox.mail.fault_rates import MailFaultRates
from sandbox.twilio.fault_rates import TwilioFaultRates

__all__ = ["SECTIONS", "SandboxFaults"]

SECTIONS = ("booking", "twilio", "mail")
_ABSENT = {"twilio": "Twilio API", "mail": "SMTP sink (it did not start, or none was asked for)"}

Changes = dict[str, dict[str, Any]]


class SandboxFaults:
    """The fault sections of one sandbox; `None` for a part it does not run (the booking
    API is always there)."""

    def __init__(
        self,
        booking: BookingFaults | None = None,
        twilio: TwilioFaultRates | None = None,
        mail: MailFaultRates | None = None,
    ) -> None:
        self.booking = booking if booking is not None else BookingFaults()
        self.twilio = twilio
        self.mail = mail

    @classmethod
    def complete(cls) -> SandboxFaults:
        """All three sections with their defaults (e.g. to check settings up front)."""
        return cls(BookingFaults(), TwilioFaultRates(), MailFaultRates())

    def sections(self) -> dict[str, SeededFaults]:
        present: dict[str, SeededFaults | None] = {
            "booking": self.booking, "twilio": self.twilio, "mail": self.mail}
        return {name: section for name, section in present.items() if section is not None}

    def to_json(self) -> dict[str, Any]:
        """`{"booking": {...settings, "injected": {kind: n}}, "twilio": ..., "mail": ...}`."""
        return {name: section.to_json() for name, section in self.sections().items()}

    def check(self, body: object) -> Changes:
        """The changes `body` asks for, all checked; ValueError naming the problem.

        A top-level `seed` goes to every section that does not give its own."""
        if not isinstance(body, Mapping):
            raise ValueError('expected a JSON object: {"seed"?: n, "booking"?: {...}, '
                             '"twilio"?: {...}, "mail"?: {...}}')
        unknown = sorted(set(body) - {"seed", *SECTIONS})
        if unknown:
            raise ValueError(f"unknown fault section(s) {', '.join(unknown)} "
                             f"(known: seed, {', '.join(SECTIONS)})")
        present = self.sections()
        for name in SECTIONS:
            if name in body and name not in present:
                raise ValueError(f"{name}: this sandbox runs no {_ABSENT[name]}")
        seed = {"seed": check_seed(body["seed"])} if "seed" in body else {}
        changes: Changes = {}
        for name, section in present.items():
            part = body.get(name, {})
            try:
                if not isinstance(part, Mapping):
                    raise ValueError("expected a JSON object of settings")
                changes[name] = section.check({**seed, **part})
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        return changes

    def apply(self, changes: Changes) -> None:
        present = self.sections()
        for name, section_changes in changes.items():
            present[name].apply(section_changes)

    def update_from_json(self, body: object) -> None:
        """Check every section, then change them (all-or-nothing)."""
        self.apply(self.check(body))
