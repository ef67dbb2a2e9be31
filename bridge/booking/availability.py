"""Availability: what can be booked, and the blocks that open time for booking."""

from __future__ import annotations

from datetime import date, time

from bridge.booking import decode
from bridge.booking.calls import CallerBase
from bridge.booking.models import BookableBlock, BookableDay, BookableTime

__all__ = ["AvailabilityCalls"]


class AvailabilityCalls(CallerBase):
    def get_bookable_days(
        self,
        agenda_id: int,
        appointment_type_id: int,
        start_date: date,
        end_date: date,
        *,
        resource_id: int | None = None,
    ) -> list[BookableDay]:
        """`getBookableDays`: days with at least one free slot."""
        return self._many(
            "getBookableDays",
            decode.bookable_day,
            {
                "AgendaId": agenda_id,
                "AppointmentTypeId": appointment_type_id,
                "StartDate": start_date,
                "EndDate": end_date,
                "ResourceId": resource_id,
            },
        )

    def get_bookable_times(
        self,
        agenda_id: int,
        appointment_type_id: int,
        day: date,
        *,
        end_date: date | None = None,
        resource_id: int | None = None,
    ) -> list[BookableTime]:
        """`getBookableTimes`: free slots of one day (or up to `end_date`)."""
        return self._many(
            "getBookableTimes",
            decode.bookable_time,
            {
                "AgendaId": agenda_id,
                "AppointmentTypeId": appointment_type_id,
                "Date": day,
                "EndDate": end_date,
                "ResourceId": resource_id,
            },
        )

    def get_bookable_blocks(
        self,
        agenda_id: int,
        appointment_type_id: int,
        day: date,
        *,
        end_date: date | None = None,
        resource_id: int | None = None,
        consumer_bookable: bool | None = None,
    ) -> list[BookableBlock]:
        """`getBookableBlocks`: free intervals, not split into slots."""
        return self._many(
            "getBookableBlocks",
            decode.bookable_block,
            {
                "AgendaId": agenda_id,
                "AppointmentTypeId": appointment_type_id,
                "Date": day,
                "EndDate": end_date,
                "ResourceId": resource_id,
                "ConsumerBookable": consumer_bookable,
            },
        )

    def ch_add_block(
        self,
        agenda_id: int,
        day: date,
        start_time: time,
        end_time: time,
        *,
        appointment_type_id: int | None = None,
        resource_id: int | None = None,
    ) -> int:
        """`CHAddBlock`: open a block of availability; returns its id (the only chance)."""
        return self._one(
            "CHAddBlock",
            decode.block_id,
            {
                "AgendaId": agenda_id,
                # The API spells this one without "Id" (upstream-api.md §4.5).
                "AppointmentType": appointment_type_id,
                "ResourceId": resource_id,
                "Date": day,
                "StartTime": start_time,
                "EndTime": end_time,
            },
        )

    def ch_remove_block(self, agenda_id: int, block_id: int) -> None:
        """`CHRemoveBlock`."""
        self._void("CHRemoveBlock", {"AgendaId": agenda_id, "id": block_id})
