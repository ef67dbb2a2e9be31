"""Confirmation codes and the outbox that stands in for sending them.

When the account requires confirmation, a consumer booking stays pending until the
customer types the code they received. The sandbox cannot send SMS or e-mail itself, so
it records each "sent" code in an outbox that tests and demos read back.
"""

from __future__ import annotations

import secrets
import sqlite3
from datetime import datetime

from sandbox.booking.contact import to_e164
from sandbox.booking.db import next_id

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_code() -> str:
    """Six characters without look-alikes (no I, O, 0, 1), at least one digit."""
    while True:
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


def send_code(
    conn: sqlite3.Connection,
    appointment_id: int,
    customer: sqlite3.Row,
    code: str,
    sent_at: datetime,
) -> None:
    """Record the code as sent by SMS when the customer has a mobile number, else e-mail."""
    mobile = str(customer["MobilePhone"] or "")
    channel, recipient = ("sms", to_e164(mobile)) if mobile else ("email", str(customer["Email"]))
    conn.execute(
        'INSERT INTO outbox ("Id", "AppointmentId", "CustomerId", "Code", "Channel", '
        '"Recipient", "SentAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
        (
            next_id(conn, "outbox"),
            appointment_id,
            int(customer["Id"]),
            code,
            channel,
            recipient,
            sent_at.isoformat(),
        ),
    )


def outbox_entries(conn: sqlite3.Connection) -> list[dict[str, object]]:
    rows = conn.execute('SELECT * FROM outbox ORDER BY "Id"').fetchall()
    return [
        {
            "appointment_id": int(row["AppointmentId"]),
            "customer_id": int(row["CustomerId"]),
            "code": str(row["Code"]),
            "channel": str(row["Channel"]),
            "recipient": str(row["Recipient"]),
            "sent_at": str(row["SentAt"]),
        }
        for row in rows
    ]
