"""Helpers for the booking sandbox tests: request signing, an API caller, test data.

The signing code here is written independently of `sandbox.booking.auth` (and of the
bridge's client) from the protocol notes, so the tests check the sandbox against the
protocol rather than against itself.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingAccounts, BookingSandbox
from sandbox.clock import ManualClock

# Wednesday 21 October 2026, 10:00 in Amsterdam (CEST); DST ends on Sunday 25 October.
START = datetime(2026, 10, 21, 8, 0, tzinfo=UTC)

AGENDA = 27041
MARIEKE, JOOST = 4821, 4822
INTAKE, BEHANDELING, HUISBEZOEK = 54101, 54102, 54103
ZOE, SEBASTIEN, HENK = 10482318, 10482319, 10482321

RESERVED = {"api_key", "api_salt", "api_signature", "api_format", "api_lang", "api_jsonp_callback"}


def sign(params: Mapping[str, str], secret: str, salt: str) -> str:
    """Protocol notes §2.1, written out step by step."""
    pairs = [(k, v) for k, v in params.items() if k not in RESERVED]
    pairs.sort(key=lambda kv: kv[0].encode())
    text = "".join(k + v for k, v in pairs) + secret + salt
    return hashlib.sha1(text.replace(" ", "").encode()).hexdigest()


class Api:
    """Signs calls with the sandbox clock's time and parses the XML answers."""

    def __init__(self, sandbox: BookingSandbox | BookingAccounts, clock: ManualClock) -> None:
        self.sandbox = sandbox
        self.clock = clock
        self.key = DEMO_API_KEY
        self.secret = DEMO_API_SECRET

    def signed(self, method: str, **params: object) -> dict[str, str]:
        query = {"method": method, **{k: str(v) for k, v in params.items()}}
        salt = str(int(self.clock.now().timestamp()))
        query.update(api_key=self.key, api_salt=salt)
        query["api_signature"] = sign(query, self.secret, salt)
        return query

    def raw(self, method: str, **params: object) -> str:
        return self.sandbox.handle(self.signed(method, **params))

    def call(self, method: str, **params: object) -> Element:
        root: Element = ElementTree.fromstring(self.raw(method, **params).encode())
        return root

    def ok(self, method: str, **params: object) -> Element:
        root = self.call(method, **params)
        status = root.find("Status")
        assert status is not None
        assert status.findtext("Status") == "success", status.findtext("Message")
        return root

    def fail(self, method: str, **params: object) -> tuple[str, str]:
        root = self.call(method, **params)
        return failure(root)

    def items(self, method: str, tag: str, **params: object) -> list[dict[str, str]]:
        root = self.ok(method, **params)
        return [flat(item) for item in root.findall(f"Objects/{tag}")]


def bookable_times(api: Api, **params: object) -> list[tuple[str, str, str]]:
    """`getBookableTimes` in agenda `AGENDA`: (date, start time, resource id) each."""
    items = api.items("getBookableTimes", "BookableTime", **{"AgendaId": AGENDA, **params})
    return [(i["Date"], i["StartTime"], i["ResourceId"]) for i in items]


def bookable_days(api: Api, **params: object) -> list[str]:
    """`getBookableDays` in agenda `AGENDA`: the dates."""
    items = api.items("getBookableDays", "BookableDay", **{"AgendaId": AGENDA, **params})
    return [i["Date"] for i in items]


def failure(root: Element) -> tuple[str, str]:
    status = root.find("Status")
    assert status is not None
    assert status.findtext("Status") == "failed"
    return status.findtext("Code") or "", status.findtext("Message") or ""


def flat(element: Element) -> dict[str, str]:
    """Leaf children as a dict (repeated elements keep the last one)."""
    return {child.tag: child.text or "" for child in element if len(child) == 0}


def small_data(**settings: Any) -> dict[str, Any]:
    """A minimal account: one agenda, two resources, a resource type, a capacity type.

    Schedule Mon-Fri 09:00-12:00 for both resources, group lessons Mon-Fri 18:00-20:00;
    no appointments, no customers except one, no lead times.
    """
    data: dict[str, Any] = {
        "Settings": {"RequiresConfirmation": False, **settings},
        "Agendas": [{"Id": 1, "Name": "Test", "AlignGrid": 15, "IsDefault": 1}],
        "Resources": [{"Id": 11, "Name": "Anna"}, {"Id": 12, "Name": "Bert"}],
        "AppointmentTypes": [
            {"Id": 1001, "Name": "Consult", "Duration": 30, "Buffer": 15, "ResourceId": "11,12"},
            {
                "Id": 1002,
                "Name": "Groepsles",
                "Duration": 60,
                "SchedulingType": "capacity",
                "Capacity": 3,
                "ResourceId": "",
            },
        ],
        "Fields": [
            {
                "Id": 1,
                "Label": "Verwijzer",
                "Key": "Verwijzer",
                "Type": "Appointment",
                "Required": 1,
                "AppointmentTypeIds": [1001],
            },
        ],
        "Schedule": [
            {
                "AgendaId": 1,
                "ResourceId": 11,
                "Weekdays": [1, 2, 3, 4, 5],
                "StartTime": "09:00",
                "EndTime": "12:00",
            },
            {
                "AgendaId": 1,
                "ResourceId": 12,
                "Weekdays": [1, 2, 3, 4, 5],
                "StartTime": "09:00",
                "EndTime": "12:00",
            },
            {
                "AgendaId": 1,
                "AppointmentTypeId": 1002,
                "Weekdays": [1, 2, 3, 4, 5],
                "StartTime": "18:00",
                "EndTime": "20:00",
            },
        ],
        "Customers": [
            {
                "Id": 501,
                "FirstName": "Test",
                "LastName": "Klant",
                "Email": "t@example.com",
                "MobilePhone": "0612345678",
            },
        ],
    }
    return copy.deepcopy(data)
