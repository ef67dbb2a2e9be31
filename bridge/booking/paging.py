"""Walking every page of `getAppointments` and `getCustomers`.

A page is the last one when it holds fewer items than asked for, or when the
offset has reached the `TotalRecords` the API reported, whichever comes first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import TypeVar

from bridge.booking.client import BookingClient
from bridge.booking.models import Appointment, Customer, Page

__all__ = ["iter_appointments", "iter_customers", "iter_pages"]

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 100


def iter_pages(fetch: Callable[[int, int], Page[T]], page_size: int) -> Iterator[T]:
    """Yield the items of `fetch(limit, offset)` page after page until exhausted."""
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    offset = 0
    while True:
        page = fetch(page_size, offset)
        yield from page.items
        offset += len(page.items)
        if len(page.items) < page_size:
            return
        if page.stats is not None and offset >= page.stats.total_records:
            return


def iter_appointments(
    client: BookingClient,
    agenda_id: int,
    start_date: date | None = None,
    end_date: date | None = None,
    *,
    updated_after: datetime | None = None,
    include_cancelled: bool | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Iterator[Appointment]:
    """Every appointment matching the filters, across all pages."""

    def fetch(limit: int, offset: int) -> Page[Appointment]:
        return client.get_appointments(
            agenda_id,
            start_date,
            end_date,
            updated_after=updated_after,
            include_cancelled=include_cancelled,
            limit=limit,
            offset=offset,
        )

    return iter_pages(fetch, page_size)


def iter_customers(
    client: BookingClient,
    *,
    updated_after: datetime | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Iterator[Customer]:
    """Every customer (changed after `updated_after`, if given), across all pages."""

    def fetch(limit: int, offset: int) -> Page[Customer]:
        return client.get_customers(limit=limit, offset=offset, updated_after=updated_after)

    return iter_pages(fetch, page_size)
