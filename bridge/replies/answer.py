"""The answer to a reply, as stored with the inbound message before it goes out.

What was decided and done upstream is kept (`InboundStore.decide`), so a retry after
an upstream error answers once, with the first decision. Its JSON is read back by
later attempts, possibly of a newer release: the field names do not change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from bridge.domain.reply_decision import Step

__all__ = ["Answer", "plain_answer"]

#: The answers that follow from the decision alone, by their reply template kind.
_PLAIN = {
    Step.HELP: "reply_help",
    Step.ALREADY_CONFIRMED: "reply_already_confirmed",
    Step.NO_APPOINTMENT: "reply_no_appointment",
    Step.NEED_CODE: "reply_need_code",
}


@dataclass(frozen=True, slots=True)
class Answer:
    kind: str
    """A reply template kind (`reply_confirmed`, ...), or "" for no answer."""
    appointment_id: int = 0
    choices: tuple[int, ...] = ()
    action: str | None = None
    """For `reply_choose`: what the chosen appointment will get (confirm, cancel)."""

    def to_json(self) -> str:
        return json.dumps({"answer": self.kind, "appointment": self.appointment_id,
                           "choices": list(self.choices), "action": self.action})

    @classmethod
    def from_json(cls, text: str) -> Answer:
        data = json.loads(text)
        return cls(str(data["answer"]), int(data["appointment"]),
                   tuple(int(i) for i in data["choices"]), data.get("action"))


def plain_answer(step: Step, appointment_id: int) -> Answer | None:
    """The answer for a step that needs nothing done upstream, if it is one."""
    kind = _PLAIN.get(step)
    return None if kind is None else Answer(kind, appointment_id)
