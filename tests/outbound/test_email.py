"""The SMTP sender puts exactly one mailbox in `To`, whatever its caller passes."""

from __future__ import annotations

import pytest

from bridge.outbound.email import MailSender, SmtpTarget
from bridge.outbound.errors import PermanentSendError, SendHeldBack

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


def test_the_handing_hook_runs_just_before_data_and_can_stop_the_send() -> None:
    """`handing` marks the claim before the server has anything it could deliver; an
    error it raises sends nothing (real SMTP to the sink)."""
    from sandbox.mail import MailSink

    with MailSink() as sink:
        sender = MailSender(SmtpTarget.from_url(f"smtp://{sink.address}"), "praktijk@example.nl")
        seen: list[tuple[str, int]] = []
        receipt = sender.send("klant@example.nl", "Herinnering", "Tot morgen", None,
                              handing=lambda mid: seen.append((mid, len(sink.messages()))))
        assert seen == [(receipt.message_id, 0)]  # once, before the message, with its id
        assert len(sink.wait_for_messages(1)) == 1

        def lost(message_id: str) -> None:
            raise SendHeldBack("the claim is another attempt's now")

        with pytest.raises(SendHeldBack):
            sender.send("klant@example.nl", "Herinnering", "Tot morgen", None, handing=lost)
        assert len(sink.messages()) == 1  # nothing more delivered
