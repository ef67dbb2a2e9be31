"""The built-in demo account: a Dutch physiotherapy practice, and its API credentials.

The data itself lives in `demo_data.json` (the same format `--data FILE` takes, so it
doubles as the example file); dates in it are relative to the day the sandbox starts.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

DEMO_API_KEY = "fysiodelinde-k3v9q2"
DEMO_API_SECRET = "c6a861a6f360c9d464509ecadb4a708cefd00ded"

DEMO_AGENDA_ID = 27041
DEMO_RESOURCE_IDS = (4821, 4822)
DEMO_APPOINTMENT_TYPE_IDS = (54101, 54102, 54103)
"""Intake (45 min), Behandeling (30 min), Huisbezoek (60 min, not consumer-bookable)."""
DEMO_CUSTOMER_IDS = (10482317, 10482318, 10482319, 10482320, 10482321, 10482322, 10482323)
DEMO_LOGIN = ("zoe.dejong", "Welkom2024")
"""Username and password of the demo customer with a user account (for loginCustomer)."""


def demo_data() -> dict[str, Any]:
    """A fresh copy of the demo seed data."""
    text = resources.files("sandbox.booking").joinpath("demo_data.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
