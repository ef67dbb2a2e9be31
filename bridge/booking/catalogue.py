"""The practice's set-up: agendas, appointment types, resources, extra fields."""

from __future__ import annotations

from bridge.booking import decode
from bridge.booking.calls import CallerBase
from bridge.booking.models import Agenda, AppointmentType, Field, Resource

__all__ = ["CatalogueCalls"]


class CatalogueCalls(CallerBase):
    def get_agendas(self) -> list[Agenda]:
        """`getAgendas`: every agenda of the account."""
        return self._many("getAgendas", decode.agenda)

    def get_agenda(self, agenda_id: int) -> Agenda:
        """`getAgenda`."""
        return self._one("getAgenda", decode.agenda, {"Id": agenda_id})

    def get_appointment_types(self, agenda_id: int | None = None) -> list[AppointmentType]:
        """`getAppointmentTypes`, optionally for one agenda."""
        return self._many("getAppointmentTypes", decode.appointment_type, {"AgendaId": agenda_id})

    def get_appointment_type(self, appointment_type_id: int) -> AppointmentType:
        """`getAppointmentType`."""
        return self._one(
            "getAppointmentType", decode.appointment_type, {"Id": appointment_type_id}
        )

    def get_resources(self, agenda_id: int | None = None) -> list[Resource]:
        """`getResources`, optionally for one agenda."""
        return self._many("getResources", decode.resource, {"AgendaId": agenda_id})

    def get_resource(self, resource_id: int) -> Resource:
        """`getResource`."""
        return self._one("getResource", decode.resource, {"Id": resource_id})

    def get_fields(
        self,
        agenda_id: int,
        appointment_type_id: int | None = None,
        *,
        generic_fields: bool | None = None,
    ) -> list[Field]:
        """`getFields`: the extra fields of bookings and customers.

        The API may list one field twice; the required copy wins (as the vendor's own
        widget does).
        """
        fields = self._many(
            "getFields",
            decode.field,
            {
                "AgendaId": agenda_id,
                "AppointmentTypeId": appointment_type_id,
                "GenericFields": generic_fields,
            },
        )
        unique: dict[int, Field] = {}
        for item in fields:
            if item.id not in unique or item.required:
                unique[item.id] = item
        return list(unique.values())

    def requires_confirmation(self) -> bool:
        """`requiresConfirmation`: must new bookings be confirmed with a code?"""
        return self._one("requiresConfirmation", decode.confirmation_required)
