"""Appointment methods: read, book, change, confirm, cancel, remove."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from bridge.booking import decode
from bridge.booking.calls import CallerBase
from bridge.booking.models import (
    Appointment,
    BookingMode,
    CancelConfirmations,
    CancelMode,
    Page,
    SaveResult,
)
from bridge.booking.wire import ParamValue

__all__ = ["AppointmentCalls"]


class AppointmentCalls(CallerBase):
    def get_appointments(
        self,
        agenda_id: int,
        start_date: date | None = None,
        end_date: date | None = None,
        *,
        updated_after: datetime | None = None,
        created_after: datetime | None = None,
        customer_id: int | None = None,
        appointment_type_id: int | None = None,
        resource_id: int | None = None,
        include_cancelled: bool | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> Page[Appointment]:
        """`getAppointments`: one page; see `bridge.booking.paging` for all pages."""
        return self._page(
            "getAppointments",
            decode.appointment,
            {
                "AgendaId": agenda_id,
                "StartDate": start_date,
                "EndDate": end_date,
                "UpdatedAfter": updated_after,
                "CreatedAfter": created_after,
                "CustomerId": customer_id,
                "AppointmentTypeId": appointment_type_id,
                "ResourceId": resource_id,
                "IncludeCancelled": include_cancelled,
                "Limit": limit,
                "Offset": offset,
            },
        )

    def get_appointment(self, appointment_id: int) -> Appointment:
        """`getAppointment`; raises `BookingNotFoundError` once it was removed."""
        return self._one("getAppointment", decode.appointment, {"Id": appointment_id})

    def set_appointment(
        self,
        agenda_id: int,
        customer_id: int,
        appointment_type_id: int,
        day: date,
        start_time: time,
        end_time: time | None = None,
        *,
        appointment_id: int | None = None,
        resource_id: int | None = None,
        name: str | None = None,
        description: str | None = None,
        booking_mode: BookingMode | None = None,
        override_mode: bool | None = None,
        required_fields_check: bool | None = None,
        confirmations: bool | None = None,
        notifications: bool | None = None,
        extra_fields: Mapping[str, str] | None = None,
    ) -> SaveResult:
        """`setAppointment`: book (no `appointment_id`) or change an appointment."""
        params: dict[str, ParamValue | None] = {
            "AgendaId": agenda_id,
            "CustomerId": customer_id,
            "AppointmentTypeId": appointment_type_id,
            "Date": day,
            "StartTime": start_time,
            "EndTime": end_time,
            "Id": appointment_id,
            "ResourceId": resource_id,
            "Name": name,
            "Description": description,
            "BookingMode": booking_mode,
            "OverrideMode": override_mode,
            "RequiredFieldsCheck": required_fields_check,
            "Confirmations": confirmations,
            "Notifications": notifications,
        }
        params.update(extra_fields or {})
        return self._one("setAppointment", decode.save_result, params)

    def cancel_appointment(
        self,
        appointment_id: int,
        *,
        mode: CancelMode | None = None,
        remarks: str | None = None,
        confirmations: CancelConfirmations | None = None,
        dry_run: bool = False,
    ) -> None:
        """`cancelAppointment`; with `dry_run` it only checks that a cancel is allowed."""
        self._void(
            "cancelAppointment",
            {
                "Id": appointment_id,
                "Mode": mode,
                "Remarks": remarks,
                "Confirmations": confirmations,
                "DryRun": True if dry_run else None,
            },
        )

    def confirm_appointment(self, appointment_id: int, confirmation_code: str) -> bool:
        """`confirmAppointment`: True when the code was right and the booking is approved."""
        return self._one(
            "confirmAppointment",
            decode.confirmed,
            {"id": appointment_id, "ConfirmationCode": confirmation_code},
        )

    def remove_appointment(self, appointment_id: int) -> None:
        """`removeAppointment`: delete for good."""
        self._void("removeAppointment", {"Id": appointment_id})
