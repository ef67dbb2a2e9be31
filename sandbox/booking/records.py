"""Stored rows turned into the API's XML objects (protocol notes §5).

Element order follows the real responses; extra fields follow the standard ones as
elements named by the field `Key`; every value is text (`1`/`0`, local date-times).
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache

from sandbox.booking import errors
from sandbox.booking.catalog import extra_fields
from sandbox.booking.localtime import epoch_to_local, format_datetime
from sandbox.booking.schema import (
    AGENDA_FIELDS,
    APPOINTMENT_FIELDS,
    APPOINTMENT_TYPE_FIELDS,
    CUSTOMER_FIELDS,
    FIELD_FIELDS,
    RESOURCE_FIELDS,
)
from sandbox.booking.xmlwriter import Node

_APPOINTMENT_SELECT = (
    'SELECT a.*, c."FirstName" AS "CustFirst", c."Insertions" AS "CustInsertions", '
    'c."LastName" AS "CustLast" FROM appointments a '
    'LEFT JOIN customers c ON c."Id" = a."CustomerId" '
)


def text(value: object) -> str:
    return "" if value is None else str(value)


def _plain(tag: str, row: sqlite3.Row, fields: Sequence[str]) -> Node:
    return (tag, [(name, text(row[name])) for name in fields])


def agenda_node(row: sqlite3.Row) -> Node:
    return _plain("Agenda", row, AGENDA_FIELDS)


def resource_node(row: sqlite3.Row) -> Node:
    return _plain("Resource", row, RESOURCE_FIELDS)


def appointment_type_node(row: sqlite3.Row) -> Node:
    return _plain("AppointmentType", row, APPOINTMENT_TYPE_FIELDS)


def field_node(row: sqlite3.Row) -> Node:
    return _plain("Field", row, FIELD_FIELDS)


def full_name(first: object, insertions: object, last: object) -> str:
    return " ".join(part for part in (text(first), text(insertions), text(last)) if part)


def _stamp(epoch: object) -> str:
    return _local_stamp(int(str(epoch)))


@lru_cache(maxsize=4096)
def _local_stamp(epoch: int) -> str:
    return format_datetime(epoch_to_local(epoch))


def customer_node(row: sqlite3.Row, extra_keys: Sequence[str]) -> Node:
    children: list[Node] = [(name, text(row[name])) for name in CUSTOMER_FIELDS]
    children.append(("UpdateTime", _stamp(row["UpdateTs"])))
    children.append(("CreateTime", _stamp(row["CreateTs"])))
    extra = json.loads(row["Extra"] or "{}")
    children.extend((key, text(extra.get(key))) for key in extra_keys)
    return ("Customer", children)


def deleted_customer_node(row: sqlite3.Row) -> Node:
    """Deleted customers only show Id and Status (seed: getCustomers with UpdatedAfter)."""
    return ("Customer", [("Id", text(row["Id"])), ("Status", text(row["Status"]))])


def appointment_row(conn: sqlite3.Connection, appointment_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        'SELECT * FROM appointments WHERE "Id" = ?', (appointment_id,)
    ).fetchone()
    if row is None:
        raise errors.not_found("Appointment", appointment_id)
    return row


def appointment_nodes(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Node]:
    """Full Appointment elements for the given ids, in the given order."""
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(_APPOINTMENT_SELECT + f'WHERE a."Id" IN ({marks})', tuple(ids)).fetchall()
    by_id = {int(row["Id"]): row for row in rows}
    resources: dict[int, list[Node]] = defaultdict(list)
    for res in conn.execute(
        "SELECT * FROM appointment_resources "
        f'WHERE "AppointmentId" IN ({marks}) ORDER BY "AppointmentId", "ResourceId"',
        tuple(ids),
    ):
        resources[int(res["AppointmentId"])].append(
            (
                "Resources",
                [
                    ("ResourceId", text(res["ResourceId"])),
                    ("AssignedStartTime", text(res["AssignedStartTime"])),
                    ("AssignedFinishTime", text(res["AssignedFinishTime"])),
                ],
            )
        )
    keys_by_type: dict[int, list[str]] = {}
    nodes: list[Node] = []
    for appointment_id in ids:
        row = by_id.get(appointment_id)
        if row is None:
            continue
        type_id = int(row["AppointmentTypeId"])
        if type_id not in keys_by_type:
            keys_by_type[type_id] = [f.key for f in extra_fields(conn, "Appointment", type_id)]
        nodes.append(_appointment_node(row, resources[appointment_id], keys_by_type[type_id]))
    return nodes


def _appointment_node(
    row: sqlite3.Row, resources: Sequence[Node], extra_keys: Sequence[str]
) -> Node:
    name = full_name(row["CustFirst"], row["CustInsertions"], row["CustLast"])
    children: list[Node] = [
        (field, name if field == "CustomerName" else text(row[field]))
        for field in APPOINTMENT_FIELDS
    ]
    children += [
        *resources,
        ("CreateTime", _stamp(row["CreateTs"])),
        ("UpdateTime", _stamp(row["UpdateTs"])),
    ]
    extra = json.loads(row["Extra"] or "{}")
    children.extend((key, text(extra.get(key))) for key in extra_keys)
    return ("Appointment", children)
