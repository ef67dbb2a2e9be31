"""Typed objects of the booking API (upstream-api.md §5).

Plain frozen dataclasses: cheap to build in bulk (a poll may read tens of thousands
of appointments) and easy to compare. Fields the bridge does not know, such as a
practice's custom fields, are kept in `extra` by their element name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Generic, TypeVar

from bridge.booking.envelope import Stats
from bridge.domain.status import Label, RecordStatus

__all__ = [
    "Agenda",
    "Appointment",
    "AppointmentType",
    "AssignedResource",
    "Block",
    "BookableBlock",
    "BookableDay",
    "BookableTime",
    "BookingMode",
    "CalculationModel",
    "CalculationModelSettings",
    "CancelConfirmations",
    "CancelMode",
    "Customer",
    "Field",
    "Gender",
    "Label",
    "Page",
    "RecordStatus",
    "Resource",
    "SaveResult",
]

T = TypeVar("T")


class BookingMode(Enum):
    """`setAppointment` BookingMode: as a consumer (checked) or for the company (free)."""

    CONSUMER = "consumer"
    CUSTOMER = "customer"


class CancelMode(Enum):
    """`cancelAppointment` Mode: as the customer (deadline applies) or as the company."""

    CUSTOMER = "customer"
    COMPANY = "company"


class CancelConfirmations(IntEnum):
    """Which confirmation the booking system sends on a company cancel."""

    NONE = 0
    EMAIL = 1
    SMS = 2
    EMAIL_AND_SMS = 3


class Gender(Enum):
    MALE = "M"
    FEMALE = "F"


class CalculationModel(Enum):
    """The calculation-model plugins `get/setCalculationModelSettings` accept."""

    SPECIFIC_TIMES = "specificTimes"
    MULTIPLE = "multiple"
    LIMIT = "limit"
    COMBINATION = "combination"
    COMPLEX = "complex"
    TRAVEL = "travel"
    CONNECTING_APPS = "connectingApps"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a paged list call, with its Stats when the API sent them.

    `server_time` is the API's clock (`Status/Timestamp`, epoch seconds) when it
    answered: a poll's watermark comes from it, never from our own clock.
    """

    items: tuple[T, ...]
    stats: Stats | None
    server_time: int | None = None


@dataclass(frozen=True, slots=True)
class AssignedResource:
    resource_id: int
    start: datetime | None
    finish: datetime | None


@dataclass(frozen=True, slots=True)
class Appointment:
    id: int
    start: datetime
    finish: datetime
    label: Label
    status: RecordStatus
    name: str = ""
    description: str = ""
    blocked_until: datetime | None = None
    capacity: int = 1
    appointment_type_id: int | None = None
    customer_id: int | None = None
    customer_name: str = ""
    resources: tuple[AssignedResource, ...] = ()
    created: datetime | None = None
    updated: datetime | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    status: RecordStatus = RecordStatus.ENABLED
    first_name: str = ""
    last_name: str = ""
    insertions: str = ""
    email: str = ""
    phone: str = ""
    mobile_phone: str = ""
    account_number: str = ""
    birth_date: date | None = None
    gender: Gender | None = None
    street: str = ""
    house_nr: str = ""
    house_nr_addition: str = ""
    zip_code: str = ""
    city: str = ""
    country: str = ""
    created: datetime | None = None
    updated: datetime | None = None
    single_signon: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.insertions, self.last_name) if part)


@dataclass(frozen=True, slots=True)
class Agenda:
    id: int
    name: str = ""
    date_format: str = ""
    time_format: str = ""
    align_grid: int = 0
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class AppointmentType:
    id: int
    name: str = ""
    description: str = ""
    status: int = 1
    scheduling_type: str = ""
    price_type: int | None = None
    price: Decimal = Decimal("0")
    duration_minutes: int = 0
    min_hours_before: int = 0
    max_hours_before: int = 0
    buffer_minutes: int = 0
    bookable_by_consumer: bool = False
    explicit_end_date: date | None = None
    category: str = ""
    category_id: int | None = None
    capacity: int = 1
    resource_ids: tuple[int, ...] = ()
    extra: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Resource:
    id: int
    name: str = ""
    code: str = ""
    description: str = ""
    phone: str = ""
    mobile_phone: str = ""
    email: str = ""
    status: int = 1
    label: str = ""


@dataclass(frozen=True, slots=True)
class Field:
    """A practice's extra field; `key` is its parameter and element name."""

    id: int
    key: str
    label: str = ""
    type: str = ""
    required: bool = False


@dataclass(frozen=True, slots=True)
class BookableDay:
    date: date


@dataclass(frozen=True, slots=True)
class BookableTime:
    date: date
    start_time: time
    end_time: time
    start: datetime
    label_time: str = ""
    appointment_type_id: int | None = None
    resource_id: int | None = None


@dataclass(frozen=True, slots=True)
class BookableBlock:
    date: date
    start_time: time
    end_time: time
    appointment_type_id: int | None = None
    resource_id: int | None = None


@dataclass(frozen=True, slots=True)
class Block:
    id: int


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What `setAppointment` and `setCustomer` return: the id and its Status."""

    id: int
    status: str = ""


@dataclass(frozen=True, slots=True)
class CalculationModelSettings:
    name: str
    enabled: bool
    value_json: str
