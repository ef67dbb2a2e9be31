"""Which channels a message goes out on, per kind, from what we know of the customer.

Policies (`OABRIDGE_CHANNELS`, per message kind, default `sms_or_email`):
`sms`, `email`, `sms_or_email` (SMS when the customer has a usable mobile number and
has not opted out, else e-mail) and `both`. A channel that cannot be used is not an
error: it comes back with the reason, which the message log records.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bridge.domain.messages import MessageKind

__all__ = [
    "Channel",
    "ChannelChoice",
    "ChannelPolicy",
    "Reachability",
    "choose_channels",
    "parse_channel_policy",
    "same_channels",
]


class Channel(Enum):
    SMS = "sms"
    EMAIL = "email"


class ChannelPolicy(Enum):
    SMS = "sms"
    EMAIL = "email"
    SMS_OR_EMAIL = "sms_or_email"
    BOTH = "both"


@dataclass(frozen=True, slots=True)
class Reachability:
    """Whether each channel can reach this customer, and if not, why not."""

    sms_problem: str | None  # e.g. "no_mobile_number", "invalid_number", "opted_out"
    email_problem: str | None  # e.g. "no_email_address", "email_not_configured"

    def problem(self, channel: Channel) -> str | None:
        return self.sms_problem if channel is Channel.SMS else self.email_problem


@dataclass(frozen=True, slots=True)
class ChannelChoice:
    send: tuple[Channel, ...]
    refused: tuple[tuple[Channel, str], ...]

    def answerable_by_sms(self, sender_takes_replies: bool) -> bool:
        """Whether this customer can answer this message by SMS (templates' `can_reply`).

        Only when the message goes to them by SMS, from a sender that can receive
        replies (not an alphanumeric sender ID). An e-mail counts only beside an SMS of
        the same message (policy `both`): a customer without a usable mobile number, or
        one who sent STOP, gets e-mail alone and cannot answer it by SMS.
        """
        return sender_takes_replies and Channel.SMS in self.send


def parse_channel_policy(text: str) -> dict[MessageKind, ChannelPolicy]:
    """`"reminder:both,cancelled:email"` → a policy per kind; `ValueError` names the part."""
    policies: dict[MessageKind, ChannelPolicy] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kind_text, _, policy_text = part.partition(":")
        try:
            kind = MessageKind(kind_text.strip())
        except ValueError:
            known = ", ".join(k.value for k in MessageKind)
            raise ValueError(f"{part!r}: unknown message kind (known: {known})") from None
        try:
            policies[kind] = ChannelPolicy(policy_text.strip())
        except ValueError:
            known = ", ".join(p.value for p in ChannelPolicy)
            raise ValueError(f"{part!r}: unknown channel policy (known: {known})") from None
    return policies


def same_channels(
    policies: dict[MessageKind, ChannelPolicy], first: MessageKind, second: MessageKind
) -> bool:
    """Whether two kinds go out under the same policy (a kind not named: `sms_or_email`)."""
    default = ChannelPolicy.SMS_OR_EMAIL
    return policies.get(first, default) is policies.get(second, default)


def choose_channels(policy: ChannelPolicy, reach: Reachability) -> ChannelChoice:
    """The channels to send on under `policy`, and those refused with their reasons."""
    if policy is ChannelPolicy.SMS_OR_EMAIL:
        for channel in (Channel.SMS, Channel.EMAIL):
            if reach.problem(channel) is None:
                return ChannelChoice((channel,), ())
        return ChannelChoice((), _refusals((Channel.SMS, Channel.EMAIL), reach))
    wanted = {
        ChannelPolicy.SMS: (Channel.SMS,),
        ChannelPolicy.EMAIL: (Channel.EMAIL,),
        ChannelPolicy.BOTH: (Channel.SMS, Channel.EMAIL),
    }[policy]
    send = tuple(c for c in wanted if reach.problem(c) is None)
    return ChannelChoice(send, _refusals(tuple(c for c in wanted if c not in send), reach))


def _refusals(
    channels: tuple[Channel, ...], reach: Reachability
) -> tuple[tuple[Channel, str], ...]:
    return tuple((c, reach.problem(c) or "unavailable") for c in channels)
