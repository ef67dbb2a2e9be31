"""The ingress's size-limited body reader on any Content-Length header and any body.

`read_limited` answers with the body or a 413 and nothing else, whatever the header
says: a number too large for `int`, digits that are not ASCII, or no number at all.
The servers we run behind (uvicorn) refuse most such headers themselves; the reader
does not rely on it.
"""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.datastructures import State
from starlette.requests import Request
from starlette.types import Message

from bridge.http.body import BodyGate, BodyLimits, read_limited
from bridge.http.problems import Problem
from tests.fuzz.conftest import fuzz_settings, no_hang

LIMIT = 1024

ODD = ["²", "³¹", "9" * 5000, "0" * 5000 + "1", "0" * 5000, "1e3", " 5", "5 ", "-1", "+5",
       "0x10", "", "1024", "1025", "0", "00001025", "1_000"]

content_lengths = st.one_of(
    st.none(),
    st.sampled_from(ODD).map(lambda text: text.encode("latin-1")),
    st.integers(min_value=0, max_value=10 * LIMIT).map(lambda n: str(n).encode()),
    st.binary(max_size=24),
)


async def _read(content_length: bytes | None, body: bytes) -> bytes | int:
    headers = [] if content_length is None else [(b"content-length", content_length)]
    app = SimpleNamespace(state=State({"body_gate": BodyGate(BodyLimits())}))
    scope = {"type": "http", "method": "POST", "path": "/", "headers": headers,
             "query_string": b"", "app": app}
    chunks = [body[i:i + 300] for i in range(0, len(body), 300)] or [b""]

    async def receive() -> Message:
        chunk = chunks.pop(0) if chunks else b""
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    try:
        return await read_limited(Request(scope, receive), LIMIT)
    except Problem as exc:
        assert exc.status == 413
        return 413


def _declared(content_length: bytes | None) -> int | None:
    text = (content_length or b"").decode("latin-1")
    if content_length is None or not (text.isascii() and text.isdigit()):
        return None
    return int(text.lstrip("0") or "0") if len(text.lstrip("0")) < 100 else 10**100


@fuzz_settings(300)
@given(content_lengths, st.binary(max_size=2 * LIMIT))
def test_any_content_length_gives_the_body_or_a_413(
    content_length: bytes | None, body: bytes
) -> None:
    with no_hang():
        answer = asyncio.run(_read(content_length, body))
    declared = _declared(content_length)
    too_large = len(body) > LIMIT or (declared is not None and declared > LIMIT)
    assert answer == (413 if too_large else body)


@pytest.mark.parametrize("header", ["²", "9" * 5000, "0" * 5000 + "1"])
def test_a_content_length_int_cannot_read_is_no_server_error(header: str) -> None:
    # "²".isdigit() is true but int("²") fails; int() refuses 5,000 digits: both were 500s.
    assert asyncio.run(_read(header.encode("latin-1"), b"{}")) == (413 if header[0] == "9"
                                                                    else b"{}")
