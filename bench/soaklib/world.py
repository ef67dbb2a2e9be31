"""The soak's practice: one agenda open day and night, customers enough for the run.

Every appointment gets a customer of its own, so a message's recipient names its
appointment without asking the bridge. Two appointment types: `QUICK` can be booked
by consumers right up to its start and cancelled by the customer until then; `FIRM`
needs an hour's notice, so a customer's NEE is always too late.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

#: The practice's time zone: the booking API speaks its wall-clock time.
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
AGENDA_ID = 5001
QUICK_TYPE = 6101
FIRM_TYPE = 6102
FIRST_CUSTOMER_ID = 20000001
PRACTICE_NAME = "Praktijk Soak"
PRACTICE_PHONE = "030 765 43 21"

_FIRST = ["Anna", "Bram", "Daniëlle", "Zoë", "Henk", "Fatima", "Sem", "Chloë", "Noah", "Lotte"]
_LAST = ["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"]


@dataclass(frozen=True)
class Customer:
    id: int
    first_name: str
    mobile: str | None
    """E.164, or None for a customer who can only be reached by e-mail."""
    email: str
    language: str


def customers(count: int, rng: random.Random) -> list[Customer]:
    out = []
    for i in range(count):
        mobile = None if rng.random() < 0.1 else f"+3161{i:07d}"
        out.append(Customer(
            id=FIRST_CUSTOMER_ID + i,
            first_name=rng.choice(_FIRST),
            mobile=mobile,
            email=f"klant{i}@soak.example",
            language="en" if rng.random() < 0.15 else "nl",
        ))
    return out


def data_file(path: Path, people: list[Customer], rng: random.Random) -> None:
    """Write the sandbox's `--data` file for this world."""
    data = {
        "Settings": {"RequiresConfirmation": True},
        "Agendas": [{"Id": AGENDA_ID, "Name": PRACTICE_NAME, "DateFormat": "D d/m/Y",
                     "TimeFormat": "H:i", "AlignGrid": 1, "IsDefault": 1}],
        "Resources": [{"Id": 7001, "Name": "Sanne de Wit", "Code": "SW", "Description": "",
                       "Phone": "", "MobilePhone": "", "Email": "", "Status": 1, "Label": 1}],
        "AppointmentTypes": [
            _type(QUICK_TYPE, "Consult", consumer=True, notice_hours=0),
            _type(FIRM_TYPE, "Behandeling", consumer=False, notice_hours=1),
        ],
        "Fields": [{"Id": 310, "Label": "Voorkeurstaal", "Key": "Taal",
                    "Type": "Registration", "Required": 0}],
        "Schedule": [{"AgendaId": AGENDA_ID, "ResourceId": None, "AppointmentTypeId": None,
                      "Weekdays": [1, 2, 3, 4, 5, 6, 7], "StartTime": "00:00",
                      "EndTime": "23:59"}],
        "Blocks": [],
        "Customers": [{
            "Id": c.id, "FirstName": c.first_name, "LastName": rng.choice(_LAST),
            "MobilePhone": c.mobile or "", "Email": c.email, "Status": 1,
            "Extra": {"Taal": c.language},
        } for c in people],
        "Appointments": [],
        "CalculationModels": [],
    }
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _type(type_id: int, name: str, *, consumer: bool, notice_hours: int) -> dict[str, object]:
    return {
        "Id": type_id, "Name": name, "Description": "", "Status": 1,
        "SchedulingType": "capacity", "Capacity": 100000, "PriceType": 1, "Price": "40.00",
        "Duration": 5, "Buffer": 0, "MinTimeBeforeAppointment": notice_hours,
        "MaxTimeBeforeAppointment": 48, "CanBeBookedByConsumer": 1 if consumer else 0,
        "ExplicitEndDate": "", "Category": "", "CategoryId": 1, "ResourceId": "7001",
    }
