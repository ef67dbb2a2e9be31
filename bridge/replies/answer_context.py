"""What an answer's template is given: the appointment, the choices, the practice, the
customer's language."""

from __future__ import annotations

from bridge.booking import BookingError, BookingNotFoundError
from bridge.domain.snapshot import Snapshot
from bridge.rendering import Choice, MessageContext
from bridge.replies.answer import Answer
from bridge.replies.services import ReplyServices

__all__ = ["context_of", "language_of"]


def context_of(sv: ReplyServices, answer: Answer) -> MessageContext:
    appointment = None
    if answer.appointment_id:
        try:
            appointment = sv.booking.get_appointment(answer.appointment_id)
        except BookingNotFoundError:
            appointment = None
    choices = []
    for number, ident in enumerate(answer.choices, start=1):
        try:
            chosen = sv.booking.get_appointment(ident)
        except BookingNotFoundError:
            continue
        choices.append(Choice(number, chosen.start, chosen.name))
    return MessageContext(
        practice_name=sv.sending.catalogue.practice_name(sv.practice_name, _agenda(sv, answer)),
        practice_phone=sv.practice_phone,
        start=appointment.start if appointment else None,
        end=appointment.finish if appointment else None,
        appointment_type=appointment.name if appointment else "",
        choices=tuple(choices),
        action="confirm" if answer.action == "confirm" else
        ("cancel" if answer.action == "cancel" else None),
        can_reply=sv.sender_takes_replies,
    )


def language_of(sv: ReplyServices, answer: Answer) -> str:
    known = _snapshot(sv, answer)
    if known is not None and known.customer_id:
        contact = sv.contacts.get(known.customer_id)
        if contact is not None:
            return contact.language
    return sv.default_language


def _snapshot(sv: ReplyServices, answer: Answer) -> Snapshot | None:
    ident = answer.appointment_id or (answer.choices[0] if answer.choices else 0)
    return sv.plans.snapshot(ident) if ident else None


def _agenda(sv: ReplyServices, answer: Answer) -> int | None:
    """The agenda the answer is about; with none, the account's only agenda (if one)."""
    known = _snapshot(sv, answer)
    try:
        agendas = (known.agenda_id,) if known is not None else sv.agendas()
    except BookingError:  # a name is nice to have; the answer still goes out
        return None
    return agendas[0] if len(agendas) == 1 else None
