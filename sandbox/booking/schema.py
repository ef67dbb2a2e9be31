"""The SQLite schema and the API field order of every object.

Columns of API-visible objects are named exactly like the API's XML elements, so one list
per object type drives the table, the seed loader and the XML output alike. Columns that
the API never shows (hashes, codes, epoch timestamps) are listed separately.
"""

from __future__ import annotations

AGENDA_FIELDS = ("Id", "Name", "DateFormat", "TimeFormat", "AlignGrid", "IsDefault")

RESOURCE_FIELDS = (
    "Id",
    "Name",
    "Code",
    "Description",
    "Phone",
    "MobilePhone",
    "Email",
    "Status",
    "Label",
)

APPOINTMENT_TYPE_FIELDS = (
    "Id",
    "Name",
    "Description",
    "Status",
    "SchedulingType",
    "PriceType",
    "Price",
    "Duration",
    "MinTimeBeforeAppointment",
    "MaxTimeBeforeAppointment",
    "Buffer",
    "CanBeBookedByConsumer",
    "ExplicitEndDate",
    "Category",
    "CategoryId",
    "Capacity",
    "ResourceId",
)

FIELD_FIELDS = ("Id", "Label", "Key", "Type", "Required")

CUSTOMER_FIELDS = (
    "Id",
    "AccountNumber",
    "FirstName",
    "LastName",
    "Insertions",
    "BirthDate",
    "Gender",
    "Street",
    "HouseNr",
    "HouseNrAddition",
    "ZipCode",
    "City",
    "Country",
    "Phone",
    "MobilePhone",
    "Email",
    "Status",
)
"""Stored customer fields in output order; `UpdateTime`/`CreateTime` follow them."""

APPOINTMENT_FIELDS = (
    "Id",
    "Name",
    "Description",
    "StartTime",
    "FinishTime",
    "BlockedTime",
    "Capacity",
    "AppointmentTypeId",
    "CustomerId",
    "CustomerName",
    "Status",
    "Label",
)
"""Appointment fields before the repeated `Resources`; `CreateTime`/`UpdateTime` follow."""

INTEGER_COLUMNS = frozenset(
    {
        "Id",
        "AlignGrid",
        "IsDefault",
        "Status",
        "Label",
        "PriceType",
        "Duration",
        "MinTimeBeforeAppointment",
        "MaxTimeBeforeAppointment",
        "Buffer",
        "CanBeBookedByConsumer",
        "CategoryId",
        "Capacity",
        "Required",
    }
)


TEXT_COLUMNS = {"fields": frozenset({"Label"})}
"""Exceptions to INTEGER_COLUMNS: a Field's Label is its display text."""


def is_integer(table: str, name: str) -> bool:
    return name in INTEGER_COLUMNS and name not in TEXT_COLUMNS.get(table, frozenset())


def _columns(table: str, fields: tuple[str, ...]) -> str:
    parts = []
    for name in fields:
        kind = "INTEGER" if is_integer(table, name) else "TEXT NOT NULL DEFAULT ''"
        parts.append(f'"{name}" {kind}' + (" PRIMARY KEY" if name == "Id" else ""))
    return ", ".join(parts)


DDL = f"""
CREATE TABLE IF NOT EXISTS settings ("Name" TEXT PRIMARY KEY, "Value" TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agendas ({_columns("agendas", AGENDA_FIELDS)});
CREATE TABLE IF NOT EXISTS resources ({_columns("resources", RESOURCE_FIELDS)});
CREATE TABLE IF NOT EXISTS appointment_types (
    {_columns("appointment_types", APPOINTMENT_TYPE_FIELDS)}
);
CREATE TABLE IF NOT EXISTS fields (
    {_columns("fields", FIELD_FIELDS)},
    "Generic" INTEGER NOT NULL DEFAULT 0,
    "AppointmentTypeIds" TEXT NOT NULL DEFAULT '',
    "Position" INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS schedule (
    "Id" INTEGER PRIMARY KEY,
    "AgendaId" INTEGER NOT NULL,
    "ResourceId" INTEGER,
    "AppointmentTypeId" INTEGER,
    "Weekday" INTEGER NOT NULL,
    "StartTime" TEXT NOT NULL,
    "EndTime" TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS blocks (
    "Id" INTEGER PRIMARY KEY,
    "AgendaId" INTEGER NOT NULL,
    "ResourceId" INTEGER,
    "AppointmentTypeId" INTEGER,
    "Date" TEXT NOT NULL,
    "StartTime" TEXT NOT NULL,
    "EndTime" TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS blocks_by_date ON blocks ("AgendaId", "Date");
CREATE TABLE IF NOT EXISTS customers (
    {_columns("customers", CUSTOMER_FIELDS)},
    "Username" TEXT UNIQUE COLLATE NOCASE,
    "PasswordHash" TEXT NOT NULL DEFAULT '',
    "Extra" TEXT NOT NULL DEFAULT '{{}}',
    "CreateTs" INTEGER NOT NULL,
    "UpdateTs" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_by_update ON customers ("UpdateTs");
CREATE INDEX IF NOT EXISTS customers_by_email ON customers ("Email" COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS appointments (
    "Id" INTEGER PRIMARY KEY,
    "AgendaId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL DEFAULT '',
    "Description" TEXT NOT NULL DEFAULT '',
    "StartTime" TEXT NOT NULL,
    "FinishTime" TEXT NOT NULL,
    "BlockedTime" TEXT NOT NULL,
    "Capacity" INTEGER NOT NULL DEFAULT 1,
    "AppointmentTypeId" INTEGER NOT NULL,
    "CustomerId" INTEGER,
    "Status" INTEGER NOT NULL DEFAULT 1,
    "Label" INTEGER NOT NULL,
    "ConfirmationCode" TEXT NOT NULL DEFAULT '',
    "Extra" TEXT NOT NULL DEFAULT '{{}}',
    "CreateTs" INTEGER NOT NULL,
    "UpdateTs" INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS appointments_page
    ON appointments ("AgendaId", "Id", "StartTime", "Label", "UpdateTs", "CreateTs");
CREATE INDEX IF NOT EXISTS appointments_by_update ON appointments ("AgendaId", "UpdateTs");
CREATE INDEX IF NOT EXISTS appointments_by_start ON appointments ("StartTime");
CREATE INDEX IF NOT EXISTS appointments_by_customer ON appointments ("CustomerId");
CREATE TABLE IF NOT EXISTS appointment_resources (
    "AppointmentId" INTEGER NOT NULL REFERENCES appointments ("Id") ON DELETE CASCADE,
    "ResourceId" INTEGER NOT NULL,
    "AssignedStartTime" TEXT NOT NULL,
    "AssignedFinishTime" TEXT NOT NULL,
    PRIMARY KEY ("AppointmentId", "ResourceId")
);
CREATE INDEX IF NOT EXISTS appointment_resources_by_resource
    ON appointment_resources ("ResourceId", "AppointmentId");
CREATE TABLE IF NOT EXISTS calculation_models (
    "AppointmentTypeId" INTEGER NOT NULL,
    "Name" TEXT NOT NULL,
    "Enabled" INTEGER NOT NULL,
    "Value" TEXT NOT NULL,
    PRIMARY KEY ("AppointmentTypeId", "Name")
);
CREATE TABLE IF NOT EXISTS outbox (
    "Id" INTEGER PRIMARY KEY,
    "AppointmentId" INTEGER NOT NULL,
    "CustomerId" INTEGER NOT NULL,
    "Code" TEXT NOT NULL,
    "Channel" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "SentAt" TEXT NOT NULL
);
"""
