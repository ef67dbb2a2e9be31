"""Customer methods: list, get, create/update and credential check."""

from __future__ import annotations

import json
import sqlite3

from sandbox.booking import errors
from sandbox.booking.catalog import customer_row, extra_fields, missing_fields
from sandbox.booking.context import Context, Handler
from sandbox.booking.customer_form import account_problems, customer_problems
from sandbox.booking.db import next_id
from sandbox.booking.handlers.listing import page_of_ids
from sandbox.booking.labels import DELETED, ENABLED
from sandbox.booking.localtime import to_epoch
from sandbox.booking.params import Params
from sandbox.booking.passwords import hash_password, verify_password
from sandbox.booking.records import customer_node, deleted_customer_node, text
from sandbox.booking.schema import CUSTOMER_FIELDS
from sandbox.booking.xmlwriter import Node, Payload, Shape, Stats

DEFAULT_LIMIT = 500
EDITABLE = tuple(name for name in CUSTOMER_FIELDS if name != "Id")


def _registration_keys(ctx: Context) -> list[str]:
    return [field.key for field in extra_fields(ctx.conn, "Registration", None)]


def get_customers(ctx: Context, p: Params) -> Payload:
    limit = p.count("Limit", DEFAULT_LIMIT, minimum=1)
    offset = p.count("Offset", 0, minimum=0)
    clauses: list[str] = []
    args: list[object] = []
    updated_after = p.get_datetime("UpdatedAfter")
    if updated_after is None:
        clauses.append('"Status" != ?')
        args.append(DELETED)
    else:
        clauses.append('"UpdateTs" > ?')
        args.append(to_epoch(updated_after))
    if p.has("Email"):
        clauses.append('"Email" = ? COLLATE NOCASE')
        args.append(p.text("Email").strip())
    birth = p.get_date("BirthDate")
    if birth is not None:
        clauses.append('"BirthDate" = ?')
        args.append(birth.isoformat())
    if p.has("AccountNumber"):
        clauses.append('"AccountNumber" = ?')
        args.append(p.text("AccountNumber"))
    where = " AND ".join(clauses)
    ids, total = page_of_ids(ctx, "customers", where, args, limit, offset)
    marks = ",".join("?" * len(ids))
    rows = ctx.conn.execute(
        f'SELECT * FROM customers WHERE "Id" IN ({marks}) ORDER BY "Id"', ids
    ).fetchall()
    keys = _registration_keys(ctx)
    items: list[Node] = [
        deleted_customer_node(row) if int(row["Status"]) == DELETED else customer_node(row, keys)
        for row in rows
    ]
    return Payload(Shape.OBJECTS, items, Stats(limit, offset, len(items), total))


def get_customer(ctx: Context, p: Params) -> Payload:
    row = customer_row(ctx.conn, p.require_int("Id"))
    return Payload(Shape.ROOT, [customer_node(row, _registration_keys(ctx))])


def _merged(ctx: Context, p: Params, current: sqlite3.Row | None) -> dict[str, str]:
    values = {name: "" if current is None else text(current[name]) for name in EDITABLE}
    if current is None:
        values["Status"] = str(ENABLED)
    values.update(p.pick(EDITABLE))
    if values["Gender"]:
        values["Gender"] = values["Gender"].upper()
    return values


def _check(ctx: Context, p: Params, values: dict[str, str], creating: bool) -> dict[str, str]:
    """Validate the merged record; return the extra-field values to store."""
    problems = customer_problems(values, ctx.today)
    fields = extra_fields(ctx.conn, "Registration", None)
    extra = p.pick(field.key for field in fields)
    if creating:
        problems += missing_fields(fields, extra)
        username = p.text("Username").strip()
        taken = (
            username
            and ctx.conn.execute(
                'SELECT 1 FROM customers WHERE "Username" = ?', (username,)
            ).fetchone()
        )
        problems += account_problems(username, p.text("Password"), bool(taken))
    if problems:
        raise errors.validation_failed("Customer could not be saved", problems)
    return extra


def _insert(ctx: Context, p: Params, values: dict[str, str], extra: dict[str, str]) -> int:
    customer_id = next_id(ctx.conn, "customers")
    username = p.text("Username").strip() or None
    password_hash = hash_password(p.text("Password")) if username else ""
    names = ["Id", *EDITABLE, "Username", "PasswordHash", "Extra", "CreateTs", "UpdateTs"]
    row = [
        customer_id,
        *(values[n] for n in EDITABLE),
        username,
        password_hash,
        json.dumps(extra),
        ctx.epoch,
        ctx.epoch,
    ]
    columns = ", ".join(f'"{n}"' for n in names)
    marks = ", ".join("?" * len(names))
    ctx.conn.execute(f"INSERT INTO customers ({columns}) VALUES ({marks})", row)
    return customer_id


def set_customer(ctx: Context, p: Params) -> Payload:
    customer_id = p.get_int("Id")
    current = None if customer_id is None else customer_row(ctx.conn, customer_id)
    values = _merged(ctx, p, current)
    extra = _check(ctx, p, values, creating=current is None)
    if current is None:
        customer_id = _insert(ctx, p, values, extra)
    else:
        stored = json.loads(current["Extra"] or "{}")
        stored.update(extra)
        assignments = ", ".join(f'"{n}" = ?' for n in EDITABLE)
        ctx.conn.execute(
            f'UPDATE customers SET {assignments}, "Extra" = ?, "UpdateTs" = ? WHERE "Id" = ?',
            [*(values[n] for n in EDITABLE), json.dumps(stored), ctx.epoch, customer_id],
        )
    result = ("Customer", [("Id", str(customer_id)), ("Status", values["Status"])])
    return Payload(Shape.OBJECTS, [result])


def login_customer(ctx: Context, p: Params) -> Payload:
    username = p.require_text("Username").strip()
    password = p.require_text("Password")
    row = ctx.conn.execute(
        'SELECT * FROM customers WHERE "Username" = ? AND "Status" != ?', (username, DELETED)
    ).fetchone()
    if row is None or not verify_password(password, str(row["PasswordHash"])):
        raise errors.ApiError(errors.LOGIN_FAILED, "Invalid username or password")
    if int(row["Status"]) != ENABLED:
        raise errors.ApiError(errors.LOGIN_FAILED, "This customer account is disabled")
    return Payload(Shape.ROOT, [customer_node(row, _registration_keys(ctx))])


METHODS: dict[str, Handler] = {
    "getCustomers": get_customers,
    "getCustomer": get_customer,
    "setCustomer": set_customer,
    "loginCustomer": login_customer,
}
