"""The change notices a booking webhook may carry, validated at the edge.

A notice is a hint, never the truth: it names what changed, and the job it becomes
fetches the current state from the booking API.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bridge.ingress.ids import ApiId

__all__ = ["AppointmentNotice", "CustomerNotice", "Notice", "parse_notice"]

PositiveId = ApiId


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AppointmentData(_Strict):
    agenda_id: PositiveId
    appointment_id: PositiveId
    #: A confirmation code, when the upstream supplies one with the notice.
    confirmation_code: Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z0-9]+$")] | None = None


class CustomerData(_Strict):
    customer_id: PositiveId
    agenda_id: PositiveId | None = None


class AppointmentNotice(_Strict):
    type: Literal["appointment.changed", "appointment.deleted"]
    data: AppointmentData


class CustomerNotice(_Strict):
    type: Literal["customer.changed"]
    data: CustomerData


class _Envelope(_Strict):
    notice: Annotated[AppointmentNotice | CustomerNotice, Field(discriminator="type")]


Notice = AppointmentNotice | CustomerNotice


_TAGS = {"appointment.changed", "appointment.deleted", "customer.changed"}


def _field_path(error_type: str, location: tuple[int | str, ...]) -> str:
    if error_type.startswith("union_tag"):
        return "type"
    parts = [str(p) for p in location[1:] if str(p) not in _TAGS]
    return ".".join(parts) or "body"


def parse_notice(payload: object) -> Notice:
    """The notice in a decoded JSON body; `ValueError` names the first bad field."""
    try:
        return _Envelope.model_validate({"notice": payload}).notice
    except ValidationError as exc:
        first = exc.errors()[0]
        where = _field_path(first["type"], tuple(first["loc"]))
        raise ValueError(f"{where}: {first['msg']}") from None
