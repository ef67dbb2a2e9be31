"""An answer is bounded by what its call can return: objects, elements and bytes."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bridge.booking import BookingClient, BookingProtocolError, RetryPolicy
from bridge.booking.calls import DEFAULT_LIMIT, LIST_RECORDS, ONE_RECORDS
from bridge.booking.envelope import MAX_RECORD_ELEMENTS, parse_envelope
from bridge.booking.transport import Transport, answer_bound

HEAD = "<Response><Status><Status>success</Status></Status><Objects>"
TAIL = "</Objects></Response>"


def agendas(count: int) -> bytes:
    return (HEAD + "".join(f"<Agenda><Id>{n}</Id></Agenda>" for n in range(1, count + 1))
            + TAIL).encode()


def customers(count: int) -> bytes:
    return (HEAD + "".join(f"<Customer><Id>{n}</Id></Customer>" for n in range(1, count + 1))
            + TAIL).encode()


def client_answering(response: httpx.Response) -> BookingClient:
    http = httpx.Client(transport=httpx.MockTransport(lambda _request: response))
    transport = Transport("http://api.invalid/", "key", "secret", http=http,
                          retry=RetryPolicy(attempts=1), sleep=lambda _s: None)
    return BookingClient("http://api.invalid/", "key", "secret", transport=transport)


def test_an_answer_may_hold_as_many_objects_as_asked_for_and_no_more() -> None:
    assert len(parse_envelope(agendas(3), max_records=3).records) == 3
    with pytest.raises(BookingProtocolError, match="more than 2 objects"):
        parse_envelope(agendas(3), max_records=2)


def test_an_object_of_too_many_elements_is_refused() -> None:
    def agenda(fields: int) -> bytes:  # the <Agenda> element and its fields
        inside = "".join(f"<F{n}>x</F{n}>" for n in range(fields))
        return f"{HEAD}<Agenda>{inside}</Agenda>{TAIL}".encode()

    with pytest.raises(BookingProtocolError, match=f"more than {MAX_RECORD_ELEMENTS} elements"):
        parse_envelope(agenda(MAX_RECORD_ELEMENTS))
    assert parse_envelope(agenda(MAX_RECORD_ELEMENTS - 1)).records


def test_a_page_is_bounded_by_its_limit() -> None:
    assert len(client_answering(httpx.Response(200, content=customers(3)))
               .get_customers(limit=3).items) == 3
    with pytest.raises(BookingProtocolError, match="more than 2 objects"):
        client_answering(httpx.Response(200, content=customers(3))).get_customers(limit=2)
    with pytest.raises(BookingProtocolError, match=f"more than {DEFAULT_LIMIT} objects"):
        client_answering(httpx.Response(200, content=customers(DEFAULT_LIMIT + 1))
                         ).get_customers()


def test_a_list_without_paging_and_a_single_object_have_their_own_bounds() -> None:
    assert len(client_answering(httpx.Response(200, content=agendas(LIST_RECORDS)))
               .get_agendas()) == LIST_RECORDS
    with pytest.raises(BookingProtocolError, match=f"more than {LIST_RECORDS} objects"):
        client_answering(httpx.Response(200, content=agendas(LIST_RECORDS + 1))).get_agendas()
    with pytest.raises(BookingProtocolError, match="objects"):
        client_answering(httpx.Response(200, content=agendas(500))).get_agenda(1)


def never_read() -> Iterator[bytes]:
    raise AssertionError("the body was read")
    yield b""  # pragma: no cover


def test_a_declared_length_beyond_the_bound_is_refused_unread() -> None:
    declared = str(answer_bound(ONE_RECORDS) + 1)
    answer = httpx.Response(200, headers={"Content-Length": declared}, content=never_read())
    with pytest.raises(BookingProtocolError,
                       match=f"more than the {answer_bound(ONE_RECORDS)} bytes"):
        client_answering(answer).get_agenda(1)


def test_an_undeclared_body_beyond_the_bound_is_refused_as_it_streams() -> None:
    def body() -> Iterator[bytes]:
        yield HEAD.encode() + b"<Agenda><Id>1</Id><Name>"
        while True:
            yield b"x" * 65536

    bound = answer_bound(ONE_RECORDS)
    with pytest.raises(BookingProtocolError, match=f"larger than {bound} bytes"):
        client_answering(httpx.Response(200, content=body())).get_agenda(1)


def test_a_compressed_answer_is_refused() -> None:
    answer = httpx.Response(200, headers={"Content-Encoding": "gzip"}, content=never_read())
    with pytest.raises(BookingProtocolError, match="gzip"):
        client_answering(answer).get_agendas()
