"""The deadline network backend: a silent server, a call abandoned mid-read, and a
deadline already past, over real sockets."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from bridge.booking.deadline import (
    ABORT_POLL_SECONDS,
    CallAborted,
    DeadlineTransport,
    attempt_budget,
)

SLACK = 3.0


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A server that takes every connection and request, and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(transport=DeadlineTransport(httpx.Limits()), timeout=60) as client:
        yield client


def test_a_silent_server_is_left_at_the_deadline(silent_url: str, http: httpx.Client) -> None:
    started = time.monotonic()
    with attempt_budget(1.0, threading.Event()), pytest.raises(httpx.ReadTimeout):
        http.get(silent_url)
    assert time.monotonic() - started < 1.0 + SLACK


def test_an_abort_ends_a_silent_read(silent_url: str, http: httpx.Client) -> None:
    abort = threading.Event()
    threading.Timer(0.3, abort.set).start()
    started = time.monotonic()
    with attempt_budget(60.0, abort), pytest.raises(CallAborted):
        http.get(silent_url)
    assert time.monotonic() - started < 0.3 + ABORT_POLL_SECONDS + SLACK


def test_no_time_left_means_no_connection(silent_url: str, http: httpx.Client) -> None:
    with attempt_budget(0.0, threading.Event()), pytest.raises(httpx.ConnectTimeout):
        http.get(silent_url)


def test_without_a_budget_the_client_is_plain_httpx(http: httpx.Client) -> None:
    with pytest.raises(httpx.ConnectError):
        http.get("http://127.0.0.1:9/")  # the discard port: nothing listens
