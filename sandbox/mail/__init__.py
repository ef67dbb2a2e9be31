"""An SMTP sink: a local mail server that keeps what the bridge sends, for tests and demos.

`MailSink` (aiosmtpd underneath) accepts plain SMTP and AUTH PLAIN/LOGIN with any
credentials, keeps every message decoded (`messages()`), can refuse on cue
(`faults.temporary_failures_next`) or at random (`fault_rates`), and lists them over
HTTP at `/_sandbox/mail`. `MailSink` needs aiosmtpd and is imported on first use, so the
fault settings can be checked (`oabridge up`, the CLI's flags) where it is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox.mail.fault_rates import MailFaultRates
from sandbox.mail.faults import MailFaults

if TYPE_CHECKING:
    from sandbox.mail.sink import MailSink

__all__ = ["MailFaultRates", "MailFaults", "MailSink"]


def __getattr__(name: str) -> Any:
    if name == "MailSink":
        from sandbox.mail.sink import MailSink

        return MailSink
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
