"""`can_reply`: whether this customer can answer this message by SMS, case by case."""

from __future__ import annotations

import pytest

from bridge.domain.channels import ChannelPolicy, Reachability, choose_channels

BOTH_WAYS = Reachability(None, None)
NO_MOBILE = Reachability("no_mobile_number", None)
OPTED_OUT = Reachability("opted_out", None)
LANDLINE = Reachability("not_a_mobile_number", None)
SMS_OFF = Reachability("sms_not_configured", None)


@pytest.mark.parametrize(
    ("policy", "reach", "expected"),
    [
        (ChannelPolicy.SMS_OR_EMAIL, BOTH_WAYS, True),  # by SMS
        (ChannelPolicy.SMS_OR_EMAIL, NO_MOBILE, False),  # e-mail alone
        (ChannelPolicy.SMS_OR_EMAIL, OPTED_OUT, False),  # e-mail alone: sent STOP
        (ChannelPolicy.SMS_OR_EMAIL, LANDLINE, False),
        (ChannelPolicy.SMS_OR_EMAIL, SMS_OFF, False),
        (ChannelPolicy.BOTH, BOTH_WAYS, True),  # the e-mail goes beside an SMS
        (ChannelPolicy.BOTH, OPTED_OUT, False),  # the SMS is refused: e-mail alone
        (ChannelPolicy.BOTH, NO_MOBILE, False),
        (ChannelPolicy.EMAIL, BOTH_WAYS, False),  # has a mobile, but this went by e-mail
        (ChannelPolicy.SMS, BOTH_WAYS, True),
        (ChannelPolicy.SMS, OPTED_OUT, False),  # nothing goes out at all
    ],
)
def test_only_a_customer_this_message_reaches_by_sms_can_answer_it(
    policy: ChannelPolicy, reach: Reachability, expected: bool
) -> None:
    choice = choose_channels(policy, reach)
    assert choice.answerable_by_sms(sender_takes_replies=True) is expected


@pytest.mark.parametrize("policy", list(ChannelPolicy))
def test_nobody_can_answer_an_alphanumeric_sender(policy: ChannelPolicy) -> None:
    choice = choose_channels(policy, BOTH_WAYS)
    assert not choice.answerable_by_sms(sender_takes_replies=False)
