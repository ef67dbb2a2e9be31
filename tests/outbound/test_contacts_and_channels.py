"""Phone numbers, languages and the channel policy."""

from __future__ import annotations

import pytest

from bridge.booking import Customer
from bridge.domain.channels import (
    Channel,
    ChannelPolicy,
    Reachability,
    choose_channels,
    parse_channel_policy,
)
from bridge.domain.messages import MessageKind
from bridge.outbound.contacts import contact_from_customer, normalise_mobile


@pytest.mark.parametrize(
    ("raw", "e164", "problem"),
    [
        ("06-12345678", "+31612345678", None),
        ("+31 6 1234 5678", "+31612345678", None),
        ("0612345678", "+31612345678", None),
        ("0031612345678", "+31612345678", None),
        ("+32 470 12 34 56", "+32470123456", None),
        ("020-1234567", None, "not_a_mobile_number"),
        ("12345", None, "invalid_number"),
        ("bel me", None, "invalid_number"),
        ("", None, "no_mobile_number"),
    ],
)
def test_numbers_normalise_to_e164(raw: str, e164: str | None, problem: str | None) -> None:
    assert normalise_mobile(raw) == (e164, problem)


def test_contact_language_and_fallbacks() -> None:
    customer = Customer(id=1, first_name="Zoë", last_name="Bakker", mobile_phone="",
                        phone="06 12 34 56 78", email=" zoe@example.nl ", extra={"Taal": "EN"})
    contact = contact_from_customer(customer, "Taal", "nl")
    assert contact.mobile == "+31612345678" and contact.language == "en"
    assert contact.email == "zoe@example.nl" and contact.full_name == "Zoë Bakker"
    other = contact_from_customer(Customer(id=2, extra={"Taal": "fr"}, email="x"), "Taal", "nl")
    assert other.language == "nl" and other.email is None and other.mobile is None


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
