"""The channel policy: which channels a message goes out on, given who can be reached,
and the setting that chooses a policy per message kind."""

from __future__ import annotations

import pytest

from bridge.domain.channels import (
    Channel,
    ChannelPolicy,
    Reachability,
    choose_channels,
    parse_channel_policy,
)
from bridge.domain.messages import MessageKind

SMS_OK = Reachability(None, None)
NO_SMS = Reachability("opted_out", None)
NOTHING = Reachability("invalid_number", "no_email_address")


@pytest.mark.parametrize(
    ("policy", "reach", "send", "refused"),
    [
        (ChannelPolicy.SMS_OR_EMAIL, SMS_OK, (Channel.SMS,), ()),
        (ChannelPolicy.SMS_OR_EMAIL, NO_SMS, (Channel.EMAIL,), ()),
        (ChannelPolicy.SMS_OR_EMAIL, NOTHING, (),
         ((Channel.SMS, "invalid_number"), (Channel.EMAIL, "no_email_address"))),
        (ChannelPolicy.BOTH, SMS_OK, (Channel.SMS, Channel.EMAIL), ()),
        (ChannelPolicy.BOTH, NO_SMS, (Channel.EMAIL,), ((Channel.SMS, "opted_out"),)),
        (ChannelPolicy.SMS, NO_SMS, (), ((Channel.SMS, "opted_out"),)),
        (ChannelPolicy.EMAIL, SMS_OK, (Channel.EMAIL,), ()),
    ],
)
def test_channel_policy(policy: ChannelPolicy, reach: Reachability,
                        send: tuple[Channel, ...], refused: tuple[object, ...]) -> None:
    choice = choose_channels(policy, reach)
    assert choice.send == send and choice.refused == refused


def test_channel_policy_setting() -> None:
    assert parse_channel_policy("reminder:both, cancelled:email") == {
        MessageKind.REMINDER: ChannelPolicy.BOTH, MessageKind.CANCELLED: ChannelPolicy.EMAIL,
    }
    with pytest.raises(ValueError, match="unknown message kind"):
        parse_channel_policy("remind:sms")
    with pytest.raises(ValueError, match="unknown channel policy"):
        parse_channel_policy("reminder:pigeon")
