"""Hypothesis strategies for the booking API's answers, for the fuzz tests of its reader.

The element names the decoders read and values at the edges of what the wire format's
parsers accept; records of them; whole answers in the API's shape, then broken in the
ways networks break them. `KINDS` has a well-formed record per kind, so a changed field
is read past the first required one.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from hypothesis import strategies as st

from bridge.booking.envelope import Record

#: The element names the decoders read (upstream-api.md §5), and a few they do not.
FIELDS = [
    "Id", "StartTime", "FinishTime", "EndTime", "Label", "Status", "Name", "Description",
    "BlockedTime", "Capacity", "AppointmentTypeId", "CustomerId", "CustomerName",
    "CreateTime", "UpdateTime", "FirstName", "LastName", "Email", "MobilePhone",
    "BirthDate", "Gender", "Date", "Timestamp", "LabelTime", "ResourceId", "IsDefault",
    "AlignGrid", "Price", "PriceType", "Duration", "ExplicitEndDate", "CategoryId", "Key",
    "Required", "Confirmed", "Confirmation", "Enabled", "Value", "Taal", "Unknown",
]

#: Values at the edges of what the wire format parsers accept.
TRICKY = [
    "", " ", "0", "-1", "1", "+7", " 42 ", "1_000", "9" * 5000, "9" * 20, "-" + "9" * 30,
    "1e3", "1.5", "nan", "-inf", "sNaN", "١٢", "²", "0x10", "true", "FALSE", "yes", "M",
    " f ", "X", "2026-02-29", "2024-02-29", "0001-01-01", "9999-12-31", "2026-13-01",
    "2026-03-29 02:30:00", "2026-10-25 02:30:00", "0001-01-01 00:00:00",
    "9999-12-31 23:59:59", "2026-03-29T10:00:00", "25:61", "24:00", "23:59:59", "09:00",
    "1,2,,3", "1,x", "-" * 50, "\u200b", "𝟙𝟚", "9" * 12, "99999999999999", "-99999999999",
]

#: Numbers past what a date, a time_t or an int conversion can take.
HUGE = ["9" * 12, "99999999999999", "-99999999999", "9" * 20, str(2**63), str(-(2**63)),
        "253402300800", "9" * 4300, "1" + "0" * 4300]

values = st.one_of(st.sampled_from(TRICKY), st.sampled_from(HUGE), st.text(max_size=30),
                   st.integers().map(str))


@st.composite
def records(draw: st.DrawFn, depth: int = 0) -> Record:
    """A record with any of the known fields, any values, and maybe nested resources."""
    fields = draw(st.dictionaries(st.sampled_from(FIELDS), values, max_size=12))
    nested: dict[str, tuple[Record, ...]] = {}
    if depth < 2 and draw(st.booleans()):
        nested["Resources"] = tuple(draw(st.lists(records(depth + 1), max_size=3)))
    return Record(draw(st.sampled_from(["Appointment", "Customer", "Item"])), fields, nested)


#: A well-formed record per kind, with its decoders: a changed field is then read past
#: the first required one.
KINDS: dict[str, tuple[dict[str, str], list[str]]] = {
    "appointment": ({
        "Id": "501", "StartTime": "2026-03-29 10:00:00", "FinishTime": "2026-03-29 10:30:00",
        "Label": "1", "Status": "1", "BlockedTime": "2026-03-29 09:00:00", "Capacity": "1",
        "CustomerId": "7", "CreateTime": "2026-03-01 08:00:00",
        "UpdateTime": "2026-03-02 08:00:00"}, ["appointment"]),
    "bookable": ({
        "Date": "2026-03-29", "StartTime": "09:00", "EndTime": "09:30",
        "Timestamp": "1774771200", "AppointmentTypeId": "3", "ResourceId": "2"},
        ["bookable_day", "bookable_time", "bookable_block"]),
    "customer": ({
        "Id": "7", "Status": "1", "BirthDate": "1980-01-01", "Gender": "F", "Taal": "nl",
        "CreateTime": "2026-03-01 08:00:00"}, ["customer"]),
    "catalogue": ({
        "Id": "3", "Price": "12.50", "PriceType": "1", "Duration": "30", "ResourceId": "1,2",
        "ExplicitEndDate": "2026-12-31", "CanBeBookedByConsumer": "1", "CategoryId": "4",
        "Status": "1"}, ["appointment_type", "resource", "agenda"]),
    "answers": ({
        "Id": "9", "Key": "Taal", "Required": "0", "Confirmed": "1", "Enabled": "1",
        "Value": "{}", "Status": "ok"},
        ["field", "save_result", "block_id", "confirmed", "confirmation_required",
         "calculation_model"]),
}


def _leaf(tag: str, text: str, raw: bool) -> str:
    return f"<{tag}>{text if raw else escape(text)}</{tag}>"


@st.composite
def documents(draw: st.DrawFn) -> bytes:
    """An answer in the API's shape, then maybe broken in one of the ways networks do."""
    raw = draw(st.booleans())  # sometimes unescaped text: '<', '&' straight in
    status = "".join([
        _leaf("Status", draw(st.sampled_from(["success", "failed", "SUCCESS", "", "ok"])), raw),
        _leaf("Timestamp", draw(values), raw) if draw(st.booleans()) else "",
        _leaf("Code", draw(values), raw) if draw(st.booleans()) else "",
        _leaf("Message", draw(st.text(max_size=60)), raw) if draw(st.booleans()) else "",
        "<Stats>" + "".join(_leaf(n, draw(values), raw) for n in
                            ("Limit", "Offset", "Records", "TotalRecords")) + "</Stats>"
        if draw(st.booleans()) else "",
    ])
    items = "".join(
        f"<{r.tag}>" + "".join(_leaf(k, v, raw) for k, v in r.values.items())
        + "".join(f"<Resources>{''.join(_leaf(k, v, raw) for k, v in n.values.items())}"
                  "</Resources>" for n in r.nested.get("Resources", ()))
        + f"</{r.tag}>"
        for r in draw(st.lists(records(), max_size=4))
    )
    payload = draw(st.sampled_from([f"<Objects>{items}</Objects>", items, ""]))
    encoding = draw(st.sampled_from(["utf-8", "UTF-8", "latin-1", "utf-16", "ascii",
                                     "shift_jis", "utf-7", "rot13", "idna", "nonsense", None]))
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else ""
    text = f"{declaration}<Response><Status>{status}</Status>{payload}</Response>"
    body = text.encode(draw(st.sampled_from(["utf-8", "utf-16", "utf-32", "latin-1"])),
                       errors="replace")
    return draw(broken(body))


def broken(body: bytes) -> st.SearchStrategy[bytes]:
    """`body` as sent, or cut short, or with bytes changed, added or taken out."""
    at = st.integers(min_value=0, max_value=len(body))
    return st.one_of(
        st.just(body),
        at.map(lambda i: body[:i]),  # truncated
        st.tuples(at, st.binary(min_size=1, max_size=8)).map(
            lambda p: body[:p[0]] + p[1] + body[p[0]:]),  # garbage inserted
        st.tuples(at, at).map(lambda p: body[:min(p)] + body[max(p):]),  # a piece lost
        st.tuples(at, st.integers(0, 255)).map(
            lambda p: body[:p[0]] + bytes([p[1]]) + body[p[0] + 1:]),  # one byte changed
    )



#: The start of a successful answer, for documents written by hand.
HEAD = b"<Response><Status><Status>success</Status></Status>"
