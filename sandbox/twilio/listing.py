"""`GET .../Messages.json`: Twilio's filters and its page envelope.

The `twilio` package's `list()`/`stream()` follow `next_page_uri` until it is null and
take the records from the single non-meta key (`messages`), so the envelope must carry
exactly Twilio's meta keys. Paging is by token like Twilio's: `PageToken=PA<sid>` means
"the records after this one", so a page walk stays stable while new messages arrive (they
appear at the top, newest first). Without a token, `Page` x `PageSize` is the offset.

Date filters: `DateSent=`, `DateSent<=` (on or before) and `DateSent>=` (on or after);
in the query string the operator is part of the name (`DateSent%3C=2026-10-21`). A date
(or a datetime at exactly midnight UTC, which is how the `twilio` package sends a
`date`) compares by UTC day; any other datetime compares to the second. Messages not sent
yet (no `date_sent`) never match a date filter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

from sandbox.twilio import errors
from sandbox.twilio.store import MessageRecord

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
FILTER_NAMES = ("To", "From", "DateSent", "DateSent<", "DateSent>")


@dataclass(frozen=True)
class DateFilter:
    """One `DateSent` bound: `op` is `=`, `<` (on or before) or `>` (on or after)."""

    op: str
    day: date | None = None
    moment: datetime | None = None

    def matches(self, sent: datetime | None) -> bool:
        if sent is None:
            return False
        sent = sent.astimezone(UTC)
        if self.moment is not None:
            return _compare(self.op, sent.replace(microsecond=0), self.moment)
        assert self.day is not None
        return _compare(self.op, sent.date(), self.day)


def _compare(op: str, left: date, right: date) -> bool:
    if op == "<":
        return left <= right
    if op == ">":
        return left >= right
    return left == right


def parse_date_filter(name: str, raw: str) -> DateFilter:
    op = name[len("DateSent") :] or "="
    text = raw.strip()
    try:
        if len(text) == 10:
            return DateFilter(op, day=date.fromisoformat(text))
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise errors.bad_parameter(name, raw) from None
    moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return DateFilter(op, day=moment.date())
    return DateFilter(op, moment=moment.replace(microsecond=0))


def _non_negative_int(name: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise errors.bad_parameter(name, raw)
    return int(raw)


def _filter(records: Sequence[MessageRecord], query: Mapping[str, str]) -> list[MessageRecord]:
    to, sender = query.get("To"), query.get("From")
    dates = [parse_date_filter(n, query[n]) for n in FILTER_NAMES[2:] if n in query]
    return [
        r
        for r in records
        if (to is None or r.to == to)
        and (sender is None or r.from_ == sender)
        and all(d.matches(r.date_sent) for d in dates)
    ]


def _start_index(records: list[MessageRecord], token: str | None, page: int, page_size: int) -> int:
    if token and len(token) > 2:
        sids = [r.sid for r in records]
        sid = token[2:]
        if sid in sids:
            index = sids.index(sid)
            return index + 1 if token.startswith("PA") else max(0, index - page_size)
    return page * page_size


def list_page(
    records: Sequence[MessageRecord], query: Mapping[str, str], path: str
) -> dict[str, Any]:
    """One page of `records` (already newest first) as Twilio's list envelope."""
    page_size = _non_negative_int("PageSize", query.get("PageSize"), DEFAULT_PAGE_SIZE)
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise errors.bad_parameter("PageSize", str(page_size))
    page = _non_negative_int("Page", query.get("Page"), 0)
    token = query.get("PageToken")
    matching = _filter(records, query)
    start = _start_index(matching, token, page, page_size)
    items = matching[start : start + page_size]
    filters = [(name, query[name]) for name in FILTER_NAMES if name in query]

    def uri(page_number: int, page_token: str | None = None) -> str:
        params = [*filters, ("PageSize", str(page_size)), ("Page", str(page_number))]
        if page_token:
            params.append(("PageToken", page_token))
        return f"{path}?{urlencode(params)}"

    has_next = bool(items) and start + len(items) < len(matching)
    return {
        "end": start + max(len(items) - 1, 0),
        "first_page_uri": uri(0),
        "messages": [r.to_json() for r in items],
        "next_page_uri": uri(page + 1, "PA" + items[-1].sid) if has_next else None,
        "page": page,
        "page_size": page_size,
        "previous_page_uri": (
            uri(page - 1, "PB" + items[0].sid) if page > 0 and items and start > 0 else None
        ),
        "start": start,
        "uri": uri(page, token),
    }
