"""Sandbox seed data with many appointments, for benchmarks."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources
from typing import Any


def practice_with(appointments: int, first_day: date, days: int = 60) -> dict[str, Any]:
    """The demo practice with `appointments` approved appointments over `days` days."""
    data: dict[str, Any] = json.loads(
        (resources.files("sandbox.booking") / "demo_data.json").read_text(encoding="utf-8")
    )
    customers = [c["Id"] for c in data["Customers"]]
    made = []
    per_day = max(1, appointments // days)
    for index in range(appointments):
        day = first_day + timedelta(days=index // per_day % days)
        minute = 8 * 60 + (index % per_day) * 5 % (11 * 60)
        made.append({
            "Id": 40_000_000 + index,
            "AgendaId": 27041,
            "AppointmentTypeId": 54102,
            "CustomerId": customers[index % len(customers)],
            "ResourceIds": [4821 + index % 2],
            "Date": day.isoformat(),
            "StartTime": f"{minute // 60:02d}:{minute % 60:02d}",
            "Label": 2,
        })
    data["Appointments"] = made
    return data
