"""Finding 5: slow bodies and half-sent heads cannot hold the ingress.

A client that sent part of its body, or half its headers, and stalled was held for
as long as it liked (40 s and more), with what it had sent. Now:

- the whole body must arrive within the app's deadline, else 408 and the connection
  closed (here a short deadline and a client that really stalls, or dribbles);
- at most 64 bodies are read at once: one more is a 503 with `Retry-After`, at once,
  and the connection closed (the real `oabridge serve`, with its defaults);
- a request's head must arrive within its deadline, else 408 and closed, and may not
  exceed 16 KiB, else 431 (uvicorn's httptools protocol limited neither).
"""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest
from redis import Redis

from bridge.http.app import create_app
from bridge.http.body import BodyLimits
from bridge.http.edge_protocol import HeadLimits
from tests.ingress.conftest import ingress_settings
from tests.security.edge_server import read_answer, serve_edge_app
from tests.security.ingress_process import ingress_process, stalled_body, wait_for

SHORT = 0.3


def test_a_body_that_stalls_is_refused_at_its_deadline(redis: Redis, redis_url: str) -> None:
    app = create_app(ingress_settings(redis_url), body_limits=BodyLimits(deadline_seconds=SHORT))
    with serve_edge_app(app) as port, stalled_body(port, b'{"type": ', 1000) as sock:
        answer, closed = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert b"connection: close" in answer.lower() and b"body not received within" in answer
    assert closed


def test_a_body_that_dribbles_is_refused_at_its_deadline(redis: Redis, redis_url: str) -> None:
    """The deadline is for the whole body, not for each read: a byte at a time is no way
    around it."""
    app = create_app(ingress_settings(redis_url), body_limits=BodyLimits(deadline_seconds=SHORT))
    with serve_edge_app(app) as port, stalled_body(port, b"[", 1000) as sock:
        sock.settimeout(0.05)
        answer, sent = b"", 1
        while not answer and sent < 1000:
            try:
                answer = sock.recv(65536)
            except TimeoutError:  # nothing yet: one more byte (the client's pace)
                sock.sendall(b"[")
                sent += 1
        rest, closed = read_answer(sock)
    assert (answer + rest).startswith(b"HTTP/1.1 408 "), answer + rest
    assert sent < 1000 and closed


@pytest.mark.slow
def test_bodies_beyond_the_cap_get_503_with_retry_after_at_once(
    redis: Redis, redis_url: str, tmp_path: Path
) -> None:
    with ingress_process(redis_url, tmp_path / "ingress.log") as ingress, \
            httpx.Client(timeout=5) as http:
        url = f"{ingress.url}/webhooks/booking"
        stalled = [stalled_body(ingress.port, b"[" * 1000, 60_000) for _ in range(64)]
        try:
            answers: list[httpx.Response] = []

            def refused() -> bool:
                answers.append(http.post(url, content=b"[]"))
                return answers[-1].status_code == 503

            wait_for(refused, "a body beyond the 64 being read to be refused", seconds=15)
            busy = answers[-1]
            assert busy.headers["retry-after"].isdigit()
            assert busy.headers["connection"] == "close"
            assert "too many request bodies" in busy.json()["error"]
            assert {a.status_code for a in answers} <= {401, 503}
        finally:
            for sock in stalled:
                sock.close()
        # Their places are free again: the next body is read (and its signature refused).
        wait_for(lambda: http.post(url, content=b"[]").status_code == 401,
                 "the places to be given back", seconds=15)


def test_a_head_sent_in_part_is_closed_at_its_deadline(redis: Redis, redis_url: str) -> None:
    app = create_app(ingress_settings(redis_url))
    with serve_edge_app(app, HeadLimits(head_seconds=SHORT)) as port:
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-")
            answer, closed = read_answer(sock)
        assert answer.startswith(b"HTTP/1.1 408 ") and closed, answer
        with socket.create_connection(("127.0.0.1", port)) as idle:  # sends nothing at all
            assert read_answer(idle) == (b"", True)
        # After an answer on a kept-alive connection, the next head has its deadline too.
        with socket.create_connection(("127.0.0.1", port)) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            first = b""
            while not first.endswith(b'{"status":"ok"}'):
                first += sock.recv(65536)
            sock.sendall(b"GET /hea")
            answer, closed = read_answer(sock)
        assert first.startswith(b"HTTP/1.1 200 ")
        assert answer.startswith(b"HTTP/1.1 408 ") and closed, answer


@pytest.mark.slow
def test_a_head_over_16_kib_is_refused(redis: Redis, redis_url: str, tmp_path: Path) -> None:
    with ingress_process(redis_url, tmp_path / "ingress.log") as ingress, \
            socket.create_connection(("127.0.0.1", ingress.port)) as sock:
        sock.sendall(b"POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     + b"X-Padding: " + b"a" * 20_000 + b"\r\nContent-Length: 2\r\n\r\n[]")
        answer, closed = read_answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 ") and closed, answer[:200]
