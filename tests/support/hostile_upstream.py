"""A hostile booking API on a free port: a raw-socket HTTP/1.1 server that answers every
request with what the test plans, as fast or as slowly as it plans.

- `pages(records, record_bytes)`: a valid `getAppointments` answer of `records`
  appointments of about `record_bytes` each, generated as it is sent (no length given:
  the connection's close ends it), so a huge answer costs this process nothing.
- `drip(seconds)`: the same small valid answer, one byte every `seconds`, the status
  line and headers included.

It counts what it sent and how many requests it served; it stops sending when the
client goes away.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

__all__ = ["HostileUpstream", "appointment_xml", "page_chunks"]

HEAD = (b"<?xml version='1.0' encoding='UTF-8'?><Response><Status><APIVersion>1.0</APIVersion>"
        b"<Status>success</Status></Status><Objects>")
TAIL = b"</Objects></Response>"


def appointment_xml(number: int, padding: int = 0) -> bytes:
    """One valid appointment; `padding` characters of remarks make it as large as asked."""
    return (f"<Appointment><Id>{number}</Id><AgendaId>1</AgendaId>"
            "<StartTime>2026-03-29 10:00:00</StartTime>"
            "<FinishTime>2026-03-29 10:30:00</FinishTime><Label>1</Label><Status>1</Status>"
            f"<Remarks>{'x' * padding}</Remarks></Appointment>").encode()


def page_chunks(records: int, record_bytes: int) -> Iterator[bytes]:
    """A valid answer of `records` appointments of `record_bytes` bytes each, in chunks."""
    padding = max(0, record_bytes - len(appointment_xml(0)) - 8)
    yield HEAD
    batch: list[bytes] = []
    for number in range(1, records + 1):
        batch.append(appointment_xml(number, padding))
        if len(batch) == 64:
            yield b"".join(batch)
            batch = []
    yield b"".join(batch) + TAIL


def _response(body: Iterator[bytes]) -> Iterator[bytes]:
    yield b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nConnection: close\r\n\r\n"
    yield from body


class HostileUpstream:
    """Serves `answer()` to every request; with `drip_seconds`, one byte at a time."""

    def __init__(self, answer: Callable[[], Iterator[bytes]], drip_seconds: float = 0) -> None:
        self._answer = answer
        self._drip = drip_seconds
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.requests = 0
        self.sent_bytes = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/APIREST"
        self._thread = threading.Thread(target=self._serve, name="hostile-upstream",
                                        daemon=True)

    @classmethod
    def pages(cls, records: int, record_bytes: int) -> HostileUpstream:
        return cls(lambda: page_chunks(records, record_bytes))

    @classmethod
    def drip(cls, seconds: float) -> HostileUpstream:
        return cls(lambda: page_chunks(1, 200), drip_seconds=seconds)

    def __enter__(self) -> HostileUpstream:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    data = conn.recv(4096)
                    if not data:
                        return
                    request += data
                with self._lock:
                    self.requests += 1
                for chunk in _response(self._answer()):
                    if self._stop.is_set():
                        return
                    self._send(conn, chunk)
            except OSError:  # the client went away: that is what a bound looks like
                return

    def _send(self, conn: socket.socket, chunk: bytes) -> None:
        pieces = [chunk[i:i + 1] for i in range(len(chunk))] if self._drip else [chunk]
        for piece in pieces:
            if self._drip and self._stop.wait(self._drip):
                return
            conn.sendall(piece)
            with self._lock:
                self.sent_bytes += len(piece)
