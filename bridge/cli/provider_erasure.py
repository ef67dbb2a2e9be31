"""`oabridge erase --at-provider`: delete the person's messages at Twilio as well.

Twilio keeps every message (its body, the number) until the account deletes it
(`DELETE .../Messages/{sid}.json`, 204). The person's messages are those sent to the
number and those received from it, listed by `To=` and `From=` with no date bound
(Twilio keeps them longer than the bridge's retention, and a date filter would miss a
message not sent yet), plus every MessageSid the bridge itself knew. A message already
gone (404) counts as deleted. One Twilio refuses is reported by its SID with the reason:
20009 means it has not reached a final state yet (e.g. `sent`, awaiting the carrier's
receipt; Twilio says it may take minutes, rarely days) and a later run deletes it. The
tombstones, written before, keep the bridge from recording it again meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

__all__ = ["NOT_FINAL_YET", "ProviderErasure", "delete_messages", "list_messages_of"]

#: Twilio's "Cannot delete this resource before it is complete".
NOT_FINAL_YET = 20009


@dataclass
class ProviderErasure:
    deleted: list[str] = field(default_factory=list)
    not_deleted: list[tuple[str, str]] = field(default_factory=list)
    """(MessageSid or what, why) for everything that could not be deleted or listed."""

    @property
    def complete(self) -> bool:
        return not self.not_deleted

    def lines(self) -> list[str]:
        done = f"at Twilio: {len(self.deleted)} messages deleted"
        if self.complete:
            return [done]
        return [f"{done}, {len(self.not_deleted)} NOT deleted:",
                *(f"  {what}: {why}" for what, why in self.not_deleted)]


def list_messages_of(client: Client, numbers: Iterable[str],
                     report: ProviderErasure) -> set[str]:
    """The SIDs of every message to or from the numbers; a failed listing is reported."""
    sids: set[str] = set()
    for number in numbers:
        for direction in ("to", "from_"):
            try:
                listed = client.messages.stream(**{direction: number})
                sids.update(str(m.sid) for m in listed)
            except (requests.RequestException, TwilioException) as exc:
                label = "To" if direction == "to" else "From"
                report.not_deleted.append((f"listing by {label}=", _why(exc)))
    return sids


def delete_messages(client: Client, sids: Iterable[str], report: ProviderErasure) -> None:
    for message_sid in sorted(set(sids)):
        try:
            client.messages(message_sid).delete()
        except TwilioRestException as exc:
            if exc.status == 404:  # already gone: what was asked for
                report.deleted.append(message_sid)
            else:
                report.not_deleted.append((message_sid, _why(exc)))
        except (requests.RequestException, TwilioException) as exc:
            report.not_deleted.append((message_sid, _why(exc)))
        else:
            report.deleted.append(message_sid)


def _why(exc: Exception) -> str:
    if isinstance(exc, TwilioRestException):
        if exc.code == NOT_FINAL_YET:
            return "not in a final state yet (Twilio 20009); run the erase again later"
        return f"Twilio answered {exc.status} (code {exc.code})"
    return f"Twilio could not be reached ({type(exc).__name__})"
