"""Each customer is told the truth about answering by SMS, on every channel they get.

The cases are the customer's and the sender's situation; `can_reply` is decided as the
send job decides it (`ChannelChoice.answerable_by_sms`), and every message the customer
gets is rendered with it.
"""

from __future__ import annotations

import re

import pytest

from bridge.domain.channels import ChannelPolicy, Reachability, choose_channels
from bridge.rendering import Renderer
from tests.rendering.builders import LANGUAGES, context, invites_a_reply

#: (case, channel policy, reachability, sender takes replies, can answer by SMS)
CASES = [
    ("mobile, by SMS", ChannelPolicy.SMS_OR_EMAIL, Reachability(None, None), True, True),
    ("no mobile number", ChannelPolicy.SMS_OR_EMAIL,
     Reachability("no_mobile_number", None), True, False),
    ("sent STOP", ChannelPolicy.SMS_OR_EMAIL, Reachability("opted_out", None), True, False),
    ("both channels", ChannelPolicy.BOTH, Reachability(None, None), True, True),
    ("both, but sent STOP", ChannelPolicy.BOTH, Reachability("opted_out", None), True, False),
    ("e-mail policy", ChannelPolicy.EMAIL, Reachability(None, None), True, False),
    ("alphanumeric sender", ChannelPolicy.BOTH, Reachability(None, None), False, False),
]
#: What an e-mail says when the customer can answer the SMS beside it.
MENTIONS_THE_SMS = re.compile(r"ook per sms: antwoord daarop|by text message: reply to it")


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["confirm_request", "reminder", "rescheduled_confirm"])
@pytest.mark.parametrize(("case", "policy", "reach", "sender", "expected"), CASES)
def test_a_reply_is_invited_exactly_when_this_customer_can_send_one(
    shipped: Renderer, kind: str, language: str, case: str, policy: ChannelPolicy,
    reach: Reachability, sender: bool, expected: bool,
) -> None:
    choice = choose_channels(policy, reach)
    can_reply = choice.answerable_by_sms(sender)
    assert can_reply is expected, case
    assert choice.send, case
    for channel in choice.send:
        rendered = shipped.render(kind, language, channel.value,
                                  context(kind, language, can_reply=can_reply))
        for text in filter(None, (rendered.text, rendered.html)):
            assert invites_a_reply(text) is expected, (case, channel, text)
            if channel.value == "email":
                assert bool(MENTIONS_THE_SMS.search(text)) is expected, (case, text)
            if not expected:
                assert "030-2345678" in text  # pointed to the phone instead
