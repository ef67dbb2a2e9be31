"""Seed data of a generated practice: the demo practice, renamed and renumbered.

Practices 2, 3, ... of a many-practice sandbox (`--practices N`) are copies of the demo
practice (same schedule, types and kinds of appointments, so what a test knows of the
demo holds for them too) that a bridge must still be able to tell apart: a name of its
own, ids of its own (the real service numbers ids across all accounts, and the bridge
keys its state by them), customers' mobile numbers and e-mail addresses of their own,
and confirmation codes drawn from the seed instead of the demo's fixed ones.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping
from typing import Any

from sandbox.booking.confirmation import ALPHABET, CODE_LENGTH
from sandbox.booking.demo_data import demo_data

PLACES = (
    "Het Anker",
    "De Brug",
    "Zonnehof",
    "Oosterpark",
    "De Vaart",
    "Lindenhof",
    "Het Spoor",
    "De Molen",
)
"""Names of generated practices, in turn: "Fysiotherapie Het Anker", ..."""

ID_STRIDES = {
    "agendas": 1_000,
    "resources": 1_000,
    "types": 1_000,
    "fields": 1_000,
    "customers": 1_000_000,
    "appointments": 10_000_000,
}
"""Practice n's ids are the demo's plus (n - 1) strides, so ranges stay apart even after
many bookings (new ids continue from a practice's highest one)."""

MAX_PRACTICES = 1_000
"""Enough for any demo or soak; keeps the generated numbers within their digits."""


def practice_name(number: int) -> str:
    """The name of generated practice `number` (2, 3, ...); the demo practice is 1."""
    rounds, place = divmod(number - 2, len(PLACES))
    suffix = f" {rounds + 1}" if rounds else ""
    return f"Fysiotherapie {PLACES[place]}{suffix}"


def _mobile(phone: str, number: int, index: int) -> str:
    """The phone with its last eight digits (the subscriber number after the 6) made
    unique to (practice, customer), keeping the demo's spelling of it."""
    if not phone:
        return phone
    digits = f"{1 + index % 5}{number:04d}{index:03d}"
    positions = [i for i, ch in enumerate(phone) if ch.isdigit()][-8:]
    chars = list(phone)
    for position, digit in zip(positions, digits, strict=True):
        chars[position] = digit
    return "".join(chars)


def _code(rng: random.Random) -> str:
    """A confirmation code as the sandbox makes them (at least one digit), from `rng`."""
    while True:
        code = "".join(rng.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


class _Renumber:
    """Shifts the demo's ids by a practice's strides."""

    def __init__(self, number: int) -> None:
        self._steps = {table: (number - 1) * stride for table, stride in ID_STRIDES.items()}

    def __call__(self, table: str, value: Any) -> int:
        return int(value) + self._steps[table]

    def many(self, table: str, values: Any) -> list[int]:
        return [self(table, v) for v in values or []]

    def joined(self, table: str, text: str) -> str:
        """A comma-separated id list (an appointment type's `ResourceId`)."""
        return ",".join(str(self(table, v)) for v in text.split(",") if v.strip())

    def optional(self, table: str, value: Any) -> int | None:
        return None if value is None else self(table, value)


def _domain(number: int) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", practice_name(number).lower()).strip("-")
    return f"{slug}.example.com"


def _customers(data: Mapping[str, Any], number: int, ids: _Renumber) -> list[dict[str, Any]]:
    customers = []
    for index, item in enumerate(data["Customers"]):
        customer = {**item, "Id": ids("customers", item["Id"])}
        customer["MobilePhone"] = _mobile(str(item.get("MobilePhone", "")), number, index)
        if item.get("Email"):
            customer["Email"] = str(item["Email"]).split("@")[0] + "@" + _domain(number)
        customers.append(customer)
    return customers


def _appointments(
    data: Mapping[str, Any], ids: _Renumber, rng: random.Random
) -> list[dict[str, Any]]:
    appointments = []
    for item in data["Appointments"]:
        appointment = {
            **item,
            "Id": ids("appointments", item["Id"]),
            "AgendaId": ids("agendas", item["AgendaId"]),
            "AppointmentTypeId": ids("types", item["AppointmentTypeId"]),
            "CustomerId": ids.optional("customers", item.get("CustomerId")),
            "ResourceIds": ids.many("resources", item.get("ResourceIds")),
        }
        if item.get("ConfirmationCode"):
            appointment["ConfirmationCode"] = _code(rng)
        appointments.append(appointment)
    return appointments


def _catalogue(data: Mapping[str, Any], ids: _Renumber) -> dict[str, Any]:
    """Agendas, resources, types, fields, schedule, blocks and calculation models."""

    def placed(item: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **item,
            "AgendaId": ids("agendas", item["AgendaId"]),
            "ResourceId": ids.optional("resources", item.get("ResourceId")),
            "AppointmentTypeId": ids.optional("types", item.get("AppointmentTypeId")),
        }

    return {
        "Agendas": [{**a, "Id": ids("agendas", a["Id"])} for a in data["Agendas"]],
        "Resources": [{**r, "Id": ids("resources", r["Id"])} for r in data["Resources"]],
        "AppointmentTypes": [
            {
                **t,
                "Id": ids("types", t["Id"]),
                "ResourceId": ids.joined("resources", str(t.get("ResourceId", ""))),
            }
            for t in data["AppointmentTypes"]
        ],
        "Fields": [
            {
                **f,
                "Id": ids("fields", f["Id"]),
                "AppointmentTypeIds": ids.many("types", f.get("AppointmentTypeIds")),
            }
            for f in data["Fields"]
        ],
        "Schedule": [placed(s) for s in data["Schedule"]],
        "Blocks": [placed(b) for b in data["Blocks"]],
        "CalculationModels": [
            {**m, "AppointmentTypeId": ids("types", m["AppointmentTypeId"])}
            for m in data["CalculationModels"]
        ],
    }


def practice_data(number: int, seed: int = 0) -> dict[str, Any]:
    """Seed data of generated practice `number` (2 to MAX_PRACTICES); the same for the
    same number and seed."""
    if not 2 <= number <= MAX_PRACTICES:
        raise ValueError(f"generated practices are numbered 2 to {MAX_PRACTICES}, not {number}")
    demo = demo_data()
    ids = _Renumber(number)
    data = {"Settings": dict(demo["Settings"]), **_catalogue(demo, ids)}
    for agenda in data["Agendas"]:
        agenda["Name"] = practice_name(number)
    data["Customers"] = _customers(demo, number, ids)
    data["Appointments"] = _appointments(demo, ids, random.Random(f"{seed}:{number}:codes"))
    return data
