"""Property: no sequence of consumer bookings and cancels can overbook a resource."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET, BookingSandbox
from sandbox.clock import ManualClock
from tests.sandbox.testkit import Api, small_data

DAYS = ["2026-10-23", "2026-10-26"]  # Friday before and Monday after the DST change
TYPES = [1001, 1002]
CAPACITY = {1002: 3}

book = st.tuples(
    st.just("book"),
    st.sampled_from(DAYS),
    st.integers(min_value=8 * 12, max_value=21 * 12),  # five-minute steps from 08:00
    st.sampled_from(TYPES),
    st.sampled_from(["", "-1", "11", "12", "11,12"]),
)
book_listed = st.tuples(
    st.just("listed"), st.sampled_from(DAYS), st.integers(0, 40), st.sampled_from(TYPES)
)
cancel = st.tuples(st.just("cancel"), st.integers(0, 30), st.sampled_from(["customer", "company"]))
operations = st.lists(st.one_of(book, book_listed, cancel), max_size=25)


def run(api: Api, operation: tuple[object, ...], booked: list[str]) -> None:
    base = {"AgendaId": 1, "CustomerId": 501, "RequiredFieldsCheck": 0}
    if operation[0] == "book":
        _, day, step, type_id, resource = operation
        minutes = int(str(step)) * 5
        start = f"{minutes // 60:02d}:{minutes % 60:02d}"
        params = {**base, "AppointmentTypeId": type_id, "Date": day, "StartTime": start}
        if resource:
            params["ResourceId"] = resource
        root = api.call("setAppointment", **params)
    elif operation[0] == "listed":
        _, day, index, type_id = operation
        slots = api.items(
            "getBookableTimes", "BookableTime", AgendaId=1, AppointmentTypeId=type_id, Date=day
        )
        if not slots:
            return
        slot = slots[int(str(index)) % len(slots)]
        root = api.call(
            "setAppointment",
            **base,
            AppointmentTypeId=type_id,
            Date=day,
            StartTime=slot["StartTime"],
            ResourceId=slot["ResourceId"],
        )
        assert root.findtext("Status/Status") == "success", root.findtext("Status/Message")
    else:
        _, index, mode = operation
        if booked:
            api.call("cancelAppointment", Id=booked[int(str(index)) % len(booked)], Mode=mode)
        return
    new_id = root.findtext("Objects/Appointment/Id")
    if new_id:
        booked.append(new_id)


def peak(intervals: list[tuple[str, str]]) -> int:
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    load = best = 0
    for _, delta in events:  # ends sort before starts at the same instant
        load += delta
        best = max(best, load)
    return best


def assert_not_overbooked(api: Api) -> None:
    items = api.ok("getAppointments", AgendaId=1, StartDate="2026-10-01", Limit=1000)
    per_resource: dict[str, list[tuple[str, str]]] = defaultdict(list)
    per_type: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for item in items.findall("Objects/Appointment"):
        span = (item.findtext("StartTime") or "", item.findtext("BlockedTime") or "")
        resources = [r.text or "" for r in item.findall("Resources/ResourceId")]
        for resource in resources:
            per_resource[resource].append(span)
        if not resources:
            per_type[item.findtext("AppointmentTypeId") or ""].append(span)
    for resource, spans in per_resource.items():
        assert peak(spans) <= 1, f"resource {resource} overbooked: {sorted(spans)}"
    for type_id, spans in per_type.items():
        assert peak(spans) <= CAPACITY[int(type_id)], f"type {type_id} overbooked"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_consumer_bookings_never_overbook(ops: list[tuple[object, ...]]) -> None:
    clock = ManualClock(datetime.fromisoformat("2026-10-22T12:00:00+00:00"))
    booking = BookingSandbox(DEMO_API_KEY, DEMO_API_SECRET, clock=clock, data=small_data())
    api = Api(booking, clock)
    booked: list[str] = []
    for operation in ops:
        run(api, operation, booked)
    assert_not_overbooked(api)
    booking.close()
