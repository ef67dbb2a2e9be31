"""`MailSink`: an SMTP server that keeps every message instead of delivering it.

Built on aiosmtpd, so `smtplib` (and the bridge's mailer) talk real SMTP to it: EHLO,
optional AUTH, MAIL/RCPT/DATA, SMTPUTF8. AUTH PLAIN and LOGIN are offered *without TLS*
(`auth_require_tls=False`) and accept any user name and password: the sink checks that
the client authenticates when configured to, not that it knows a secret. Plain SMTP
without AUTH is accepted as well. STARTTLS is not offered: a certificate cannot be made
with the standard library alone, and the bridge's TLS settings are a deployment concern.

Faults (`faults.py`, `fault_rates.py`) are applied at the end of DATA: a `451` answer or
a closed connection, the message not kept either way.

The server runs on its own thread (aiosmtpd's `Controller`) on a socket bound before it
starts, so `port=0` gives a free port that is known immediately (`sink.port`).
"""

from __future__ import annotations

import copy
import logging
import socket
import threading
from datetime import UTC, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from sandbox.mail.fault_rates import MailFaultRates
from sandbox.mail.faults import TEMPORARY_FAILURE_REPLY, MailFaults
from sandbox.mail.parse import describe_message

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from starlette.routing import BaseRoute

SERVER_HOSTNAME = "sandbox.oabridge.local"


def _not_login_data_notice(record: logging.LogRecord) -> bool:
    # aiosmtpd 1.4 warns about its own deprecated `Session.login_data` on every AUTH.
    return "login_data is deprecated" not in record.getMessage()


logging.getLogger("mail.log").addFilter(_not_login_data_notice)


def _accept_any_credentials(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    return AuthResult(success=True, auth_data=auth_data)


class _BoundController(Controller):
    """aiosmtpd's threaded controller, serving on a socket we bound ourselves."""

    def __init__(self, handler: Any, sock: socket.socket, **smtp_options: Any) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, **smtp_options)
        self._sock = sock

    def _create_server(self) -> Awaitable[Any]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock)


def _hang_up(server: SMTP) -> None:
    """Close the connection without answering, as a server that died would.

    aiosmtpd still writes the reply we return, but a closed transport drops it, and
    the closing cancels the session's task, as when a client hangs up."""
    if server.transport is not None:
        server.transport.close()


class _Handler:
    """aiosmtpd's DATA hook: apply faults, then keep the message."""

    def __init__(self, sink: MailSink) -> None:
        self._sink = sink

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        fault = self._sink._fault()
        if fault == "drop":
            _hang_up(server)
            return "421 4.3.0 never sent: the connection is already closed"
        if fault == "temporary_failure":
            return TEMPORARY_FAILURE_REPLY
        raw = envelope.original_content
        if raw is None:
            content = envelope.content
            raw = content.encode("utf-8") if isinstance(content, str) else content or b""
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        number = self._sink._keep(
            raw,
            envelope_from=envelope.mail_from,
            envelope_to=list(envelope.rcpt_tos),
            peer=str(session.peer[0]) if isinstance(session.peer, tuple) else session.peer,
            auth_user=login.decode("utf-8", "replace") if login is not None else None,
        )
        return f"250 2.0.0 OK: kept as message {number}"


class MailSink:
    """`with MailSink() as sink: smtplib.SMTP("127.0.0.1", sink.port)...; sink.messages()`."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *, fault_rates: MailFaultRates | None = None
    ) -> None:
        self.host = host
        self.port = port
        self._requested_port = port
        self.faults = MailFaults()
        self.fault_rates = fault_rates or MailFaultRates()
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._messages: list[dict[str, Any]] = []
        self._count = 0
        self._controller: _BoundController | None = None

    def start(self) -> None:
        """Bind and serve; raises OSError if the port is taken."""
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self._requested_port))
            self.port = int(sock.getsockname()[1])
            controller = _BoundController(
                _Handler(self),
                sock,
                server_hostname=SERVER_HOSTNAME,
                authenticator=_accept_any_credentials,
                auth_require_tls=False,
                auth_required=False,
            )
            controller.start()
        except BaseException:
            sock.close()
            raise
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailSink:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def messages(self) -> list[dict[str, Any]]:
        """Every kept message, oldest first (copies)."""
        with self._lock:
            return copy.deepcopy(self._messages)

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()

    def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least `count` messages are kept (for senders that work in the
        background); returns them, or raises TimeoutError."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._messages) >= count, timeout):
                raise TimeoutError(f"{len(self._messages)} of {count} messages after {timeout} s")
            return copy.deepcopy(self._messages)

    def routes(self) -> list[BaseRoute]:
        """`/_sandbox/mail` routes, for `create_app(booking, extra_routes=...)`."""
        from sandbox.mail.routes import mail_routes

        return mail_routes(self)

    def _fault(self) -> str | None:
        """The fault for one message: the next-N queue first, then the seeded shares."""
        if self.faults.take_temporary_failure():
            self.fault_rates.count("temporary_failure")
            return "temporary_failure"
        return self.fault_rates.decide()

    def _keep(
        self,
        raw: bytes,
        *,
        envelope_from: str | None,
        envelope_to: list[str],
        peer: str | None,
        auth_user: str | None,
    ) -> int:
        with self._arrived:
            self._count += 1
            number = self._count
        received_at = datetime.now(UTC)
        try:
            described = describe_message(
                raw,
                number=number,
                envelope_from=envelope_from,
                envelope_to=envelope_to,
                received_at=received_at,
                peer=peer,
                auth_user=auth_user,
            )
        except Exception as exc:  # keep what arrived even if it cannot be parsed
            described = {
                "id": number,
                "received_at": received_at.isoformat(),
                "envelope_from": envelope_from,
                "envelope_to": envelope_to,
                "raw_size": len(raw),
                "parse_error": f"{type(exc).__name__}: {exc}",
            }
        with self._arrived:
            self._messages.append(described)
            self._arrived.notify_all()
        return number
