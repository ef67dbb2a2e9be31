"""Loads the appointments of the seed data, fast enough for benchmark-sized files.

Kept apart from `seeding.py` because appointments need the most care: dates may be
relative, finish and blocked times follow from the type, and pending ones get a
confirmation code recorded in the outbox as if it had been sent.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.booking.confirmation import new_code, send_code
from sandbox.booking.db import next_id
from sandbox.booking.errors import DataError
from sandbox.booking.labels import APPROVED, PENDING
from sandbox.booking.localtime import format_datetime, parse_time

DateResolver = Callable[[int, str, str], date]


#: How long before seeding a seed appointment counts as booked (its CreateTime).
SEED_BOOKED_DAYS_AGO = 7


def _types(conn: sqlite3.Connection) -> dict[int, tuple[str, timedelta, timedelta]]:
    rows = conn.execute('SELECT "Id", "Name", "Duration", "Buffer" FROM appointment_types')
    return {
        int(r[0]): (str(r[1]), timedelta(minutes=int(r[2])), timedelta(minutes=int(r[3])))
        for r in rows
    }


def _start(item: Mapping[str, Any], agenda_id: int, resolve: DateResolver, where: str) -> datetime:
    day = resolve(agenda_id, str(item["Date"]), where)
    start = parse_time(str(item["StartTime"]))
    if start is None:
        raise DataError(f"{where}: StartTime must be hh:mm")
    return datetime.combine(day, start)


def _finish(item: Mapping[str, Any], start: datetime, duration: timedelta, where: str) -> datetime:
    if not item.get("EndTime"):
        return start + duration
    end = parse_time(str(item["EndTime"]))
    if end is None or datetime.combine(start.date(), end) <= start:
        raise DataError(f"{where}: EndTime must be hh:mm after StartTime")
    return datetime.combine(start.date(), end)


def load_appointments(
    conn: sqlite3.Connection,
    items: Sequence[Mapping[str, Any]],
    resolve: DateResolver,
    now: datetime,
) -> None:
    """Insert seed appointments; pending ones get a code "sent" at `now`."""
    types = _types(conn)
    epoch = int(now.timestamp())
    next_free = next_id(conn, "appointments")
    rows: list[tuple[object, ...]] = []
    assignments: list[tuple[object, ...]] = []
    pending: list[tuple[int, int, str]] = []
    for index, item in enumerate(items):
        where = f"appointments[{index}]"
        appointment_id = int(item.get("Id") or next_free)
        next_free = max(next_free, appointment_id + 1)
        agenda_id, type_id = int(item["AgendaId"]), int(item["AppointmentTypeId"])
        if type_id not in types:
            raise DataError(f"{where}: unknown AppointmentTypeId {type_id}")
        name, duration, buffer = types[type_id]
        start = _start(item, agenda_id, resolve, where)
        finish = _finish(item, start, duration, where)
        label = int(item.get("Label", APPROVED))
        code = str(item.get("ConfirmationCode") or (new_code() if label == PENDING else ""))
        customer_id = item.get("CustomerId")
        rows.append(
            (
                appointment_id,
                agenda_id,
                str(item.get("Name") or name),
                str(item.get("Description", "")),
                format_datetime(start),
                format_datetime(finish),
                format_datetime(finish + buffer),
                int(item.get("Capacity", 1)),
                type_id,
                customer_id,
                int(item.get("Status", 1)),
                label,
                code,
                json.dumps(item.get("Extra") or {}),
                # Seeded appointments were booked earlier, as in a real agenda.
                epoch - 86400 * int(item.get("BookedDaysAgo", SEED_BOOKED_DAYS_AGO)),
                epoch,
            )
        )
        for resource_id in item.get("ResourceIds") or []:
            assignments.append(
                (appointment_id, int(resource_id), format_datetime(start), format_datetime(finish))
            )
        if label == PENDING and customer_id is not None:
            pending.append((appointment_id, int(customer_id), code))
    conn.executemany(
        "INSERT INTO appointments VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )
    conn.executemany("INSERT INTO appointment_resources VALUES (?, ?, ?, ?)", assignments)
    for appointment_id, customer_id, code in pending:
        customer = conn.execute('SELECT * FROM customers WHERE "Id" = ?', (customer_id,)).fetchone()
        if customer is None:
            raise DataError(f"appointment {appointment_id}: unknown CustomerId {customer_id}")
        send_code(conn, appointment_id, customer, code, now)
