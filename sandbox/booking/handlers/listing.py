"""Paged id queries shared by `getAppointments` and `getCustomers`."""

from __future__ import annotations

from sandbox.booking.context import Context


def page_of_ids(
    ctx: Context, table: str, where: str, args: list[object], limit: int, offset: int
) -> tuple[list[int], int]:
    """One page of matching ids in id order, and the total number of matches."""
    query = (table, where, tuple(args))

    def count() -> int:
        sql = f"SELECT COUNT(*) FROM {table} WHERE {where}"
        return int(ctx.conn.execute(sql, args).fetchone()[0])

    total = ctx.pages.total(query, count)
    after = ctx.pages.last_id_before(query, offset) if offset else None
    if after is None:
        sql = f'SELECT "Id" FROM {table} WHERE {where} ORDER BY "Id" LIMIT ? OFFSET ?'
        rows = ctx.conn.execute(sql, [*args, limit, offset])
    else:
        sql = f'SELECT "Id" FROM {table} WHERE {where} AND "Id" > ? ORDER BY "Id" LIMIT ?'
        rows = ctx.conn.execute(sql, [*args, after, limit])
    ids = [int(row[0]) for row in rows]
    if ids:
        ctx.pages.remember(query, offset + len(ids), ids[-1])
    return ids, total
