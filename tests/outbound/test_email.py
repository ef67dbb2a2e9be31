"""The SMTP sender puts exactly one mailbox in `To`, whatever its caller passes."""

from __future__ import annotations

import pytest

from bridge.outbound.email import MailSender, SmtpTarget
from bridge.outbound.errors import PermanentSendError

SENDER = MailSender(SmtpTarget.from_url("smtp://127.0.0.1:1"), "praktijk@delinde.example")


def test_one_mailbox_goes_into_to() -> None:
    message = SENDER.compose(" Daan.Jansen@Example.NL", "Herinnering", "tekst", None)
    assert message["To"] == "Daan.Jansen@Example.NL"


@pytest.mark.parametrize("to", [
    "victim@example.com, attacker@evil.example",
    "Victim <victim@example.com>",
    "victim@example.com\r\nBcc: attacker@evil.example",
])
def test_more_than_one_mailbox_is_refused_before_any_connection(to: str) -> None:
    with pytest.raises(PermanentSendError, match="invalid e-mail address"):
        SENDER.send(to, "Herinnering", "tekst", None)  # nothing listens on port 1
