"""Loads seed data (the built-in demo or a `--data` JSON file) into an empty database.

The format mirrors the API: objects use the API's field names. Dates of appointments and
blocks may be relative (`"+2"` = the second open day after today, `"-1"` = the last open
day before today, counted on the agenda's weekly schedule), so one data file stays useful
whatever day the sandbox starts. sandbox/README.md documents the format.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sandbox.booking.context import set_requires_confirmation
from sandbox.booking.errors import DataError
from sandbox.booking.localtime import parse_date, parse_time, to_local
from sandbox.booking.passwords import hash_password
from sandbox.booking.schema import (
    AGENDA_FIELDS,
    APPOINTMENT_TYPE_FIELDS,
    CUSTOMER_FIELDS,
    FIELD_FIELDS,
    RESOURCE_FIELDS,
    is_integer,
)
from sandbox.booking.seed_appointments import load_appointments
from sandbox.booking.xmlwriter import is_element_name

Data = Mapping[str, Any]

_RELATIVE = re.compile(r"^[+-]\d{1,4}$")

DEFAULTS: dict[str, Any] = {
    "Status": 1,
    "Label": 1,
    "AlignGrid": 5,
    "IsDefault": 0,
    "DateFormat": "D d/m/Y",
    "TimeFormat": "H:i",
    "SchedulingType": "resource",
    "PriceType": 1,
    "Price": "0.00",
    "MinTimeBeforeAppointment": 0,
    "MaxTimeBeforeAppointment": 0,
    "Buffer": 0,
    "CanBeBookedByConsumer": 1,
    "Capacity": 1,
    "CategoryId": 0,
    "Required": 0,
}


def _value(item: Mapping[str, Any], table: str, name: str, where: str) -> Any:
    value = item.get(name, DEFAULTS.get(name, ""))
    if is_integer(table, name):
        try:
            return int(value)
        except (TypeError, ValueError):
            raise DataError(f"{where}: {name} must be an integer, got {value!r}") from None
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "1" if value else "0"
    return "" if value is None else str(value)


def _insert_plain(
    conn: sqlite3.Connection,
    table: str,
    items: Iterable[Mapping[str, Any]],
    fields: Sequence[str],
    extra: Mapping[str, Any] | None = None,
) -> None:
    names = [*fields, *(extra or {})]
    columns = ", ".join(f'"{n}"' for n in names)
    sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"
    rows = []
    for index, item in enumerate(items):
        where = f"{table}[{index}]"
        if "Id" not in item:
            raise DataError(f"{where}: Id is required")
        row = [_value(item, table, name, where) for name in fields]
        row += [fill(item) for fill in (extra or {}).values()]
        rows.append(row)
    conn.executemany(sql, rows)


def _load_fields(conn: sqlite3.Connection, items: Sequence[Mapping[str, Any]]) -> None:
    for index, item in enumerate(items):
        if not is_element_name(str(item.get("Key", ""))):
            raise DataError(f"fields[{index}]: Key must be a valid XML element name")
    _insert_plain(
        conn,
        "fields",
        items,
        FIELD_FIELDS,
        {
            "Generic": lambda item: int(bool(item.get("Generic", False))),
            "AppointmentTypeIds": lambda item: ",".join(
                str(v) for v in item.get("AppointmentTypeIds") or []
            ),
            "Position": lambda item: int(item.get("Position", item["Id"])),
        },
    )


def _clock_time(value: Any, where: str) -> str:
    parsed = parse_time(str(value))
    if parsed is None:
        raise DataError(f"{where}: expected a time hh:mm, got {value!r}")
    return parsed.strftime("%H:%M")


def _load_schedule(conn: sqlite3.Connection, items: Sequence[Mapping[str, Any]]) -> None:
    rows = []
    for index, item in enumerate(items):
        where = f"schedule[{index}]"
        weekdays = item.get("Weekdays", [item.get("Weekday")])
        for weekday in weekdays:
            if weekday not in range(1, 8):
                raise DataError(f"{where}: weekdays are 1 (Monday) to 7 (Sunday)")
            rows.append(
                (
                    int(item["AgendaId"]),
                    item.get("ResourceId"),
                    item.get("AppointmentTypeId"),
                    weekday,
                    _clock_time(item.get("StartTime"), where),
                    _clock_time(item.get("EndTime"), where),
                )
            )
    conn.executemany(
        'INSERT INTO schedule ("AgendaId", "ResourceId", "AppointmentTypeId", "Weekday", '
        '"StartTime", "EndTime") VALUES (?, ?, ?, ?, ?, ?)',
        rows,
    )


class _Days:
    """Resolves absolute and relative (`+N`/`-N` open days) dates for one agenda."""

    def __init__(self, conn: sqlite3.Connection, today: date) -> None:
        self._today = today
        self._open: dict[int, set[int]] = {}
        for agenda_id, weekday in conn.execute('SELECT "AgendaId", "Weekday" FROM schedule'):
            self._open.setdefault(int(agenda_id), set()).add(int(weekday))
        self._walks: dict[tuple[int, int], list[date]] = {}

    def resolve(self, agenda_id: int, text: str, where: str) -> date:
        absolute = parse_date(text)
        if absolute is not None:
            return absolute
        if not _RELATIVE.match(text):
            raise DataError(f"{where}: Date must be yyyy-mm-dd or +N/-N, got {text!r}")
        steps = abs(int(text))
        if steps == 0:
            return self._today
        return self._walk(agenda_id, 1 if text.startswith("+") else -1, steps)

    def _walk(self, agenda_id: int, direction: int, steps: int) -> date:
        """The `steps`-th open day from today in `direction`, extending a cached walk."""
        open_days = self._open.get(agenda_id) or set(range(1, 8))
        walk = self._walks.setdefault((agenda_id, direction), [])
        day = walk[-1] if walk else self._today
        while len(walk) < steps:
            day += timedelta(days=direction)
            if day.isoweekday() in open_days:
                walk.append(day)
        return walk[steps - 1]


def _load_blocks(conn: sqlite3.Connection, items: Sequence[Mapping[str, Any]], days: _Days) -> None:
    for index, item in enumerate(items):
        where = f"blocks[{index}]"
        agenda_id = int(item["AgendaId"])
        conn.execute(
            'INSERT INTO blocks ("Id", "AgendaId", "ResourceId", "AppointmentTypeId", "Date", '
            '"StartTime", "EndTime") VALUES (?, ?, ?, ?, ?, ?, ?)',
            (
                item.get("Id"),
                agenda_id,
                item.get("ResourceId"),
                item.get("AppointmentTypeId"),
                days.resolve(agenda_id, str(item["Date"]), where).isoformat(),
                _clock_time(item.get("StartTime"), where),
                _clock_time(item.get("EndTime"), where),
            ),
        )


def _load_customers(
    conn: sqlite3.Connection, items: Sequence[Mapping[str, Any]], epoch: int
) -> None:
    def password_hash(item: Mapping[str, Any]) -> str:
        if item.get("PasswordHash"):
            return str(item["PasswordHash"])
        return hash_password(str(item["Password"])) if item.get("Password") else ""

    _insert_plain(
        conn,
        "customers",
        items,
        CUSTOMER_FIELDS,
        {
            "Username": lambda item: item.get("Username") or None,
            "PasswordHash": password_hash,
            "Extra": lambda item: json.dumps(item.get("Extra") or {}),
            "CreateTs": lambda item: epoch,
            "UpdateTs": lambda item: epoch,
        },
    )


def load(conn: sqlite3.Connection, data: Data, now: datetime) -> None:
    """Fill an empty database from seed data, relative to `now` (aware UTC)."""
    try:
        settings = data.get("Settings", {})
        set_requires_confirmation(conn, bool(settings.get("RequiresConfirmation", False)))
        _insert_plain(conn, "agendas", data.get("Agendas", []), AGENDA_FIELDS)
        _insert_plain(conn, "resources", data.get("Resources", []), RESOURCE_FIELDS)
        types = data.get("AppointmentTypes", [])
        _insert_plain(conn, "appointment_types", types, APPOINTMENT_TYPE_FIELDS)
        _load_fields(conn, data.get("Fields", []))
        _load_schedule(conn, data.get("Schedule", []))
        days = _Days(conn, to_local(now).date())
        _load_blocks(conn, data.get("Blocks", []), days)
        _load_customers(conn, data.get("Customers", []), int(now.timestamp()))
        load_appointments(conn, data.get("Appointments", []), days.resolve, now)
        for model in data.get("CalculationModels", []):
            conn.execute(
                "INSERT INTO calculation_models VALUES (?, ?, ?, ?)",
                (
                    int(model["AppointmentTypeId"]),
                    str(model["Name"]),
                    int(model.get("Enabled", 0)),
                    json.dumps(model.get("Value", {})),
                ),
            )
    except (KeyError, TypeError, sqlite3.IntegrityError) as exc:
        raise DataError(f"seed data rejected: {exc!r}") from exc
    if not conn.execute("SELECT 1 FROM agendas").fetchone():
        raise DataError("seed data must define at least one agenda")
