"""An SMTP sink: a local mail server that keeps what the bridge sends, for tests and demos.

`MailSink` (aiosmtpd underneath) accepts plain SMTP and AUTH PLAIN/LOGIN with any
credentials, keeps every message decoded (`messages()`), can refuse on cue
(`faults.temporary_failures_next`), and lists them over HTTP at `/_sandbox/mail`.
aiosmtpd is a test/demo dependency: import this package only where it is installed.
"""

from __future__ import annotations

from sandbox.mail.faults import MailFaults
from sandbox.mail.sink import MailSink

__all__ = ["MailFaults", "MailSink"]
