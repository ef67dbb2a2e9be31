"""E-mail over SMTP: multipart text and HTML, a Message-ID, a List-Unsubscribe header.

`OABRIDGE_SMTP_URL`: `smtp://user:pass@host:587?starttls=1` (STARTTLS), `smtps://…:465`
(TLS from the start) or `smtp://host:25` (plain, for a local relay or the sandbox).
One connection per message keeps threads independent. SMTP 4xx answers and network
errors are transient, 5xx answers permanent.

A recipient must be exactly one mailbox (`bridge.outbound.contacts.normalise_email`):
the contacts already refuse anything else, and the sender checks again, so no caller
can put a list, a display name or a header break into `To` (a permanent error).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

import structlog

from bridge.observability.masking import mask_email
from bridge.outbound.contacts import INVALID_EMAIL, normalise_email
from bridge.outbound.errors import PermanentSendError, SendError, TransientSendError

__all__ = ["MailReceipt", "MailSender", "SmtpTarget"]

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

log = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class SmtpTarget:
    host: str
    port: int
    tls: bool
    starttls: bool
    username: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> SmtpTarget:
        parts = urlsplit(url)
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("OABRIDGE_SMTP_URL must look like smtp://user:pass@host:587")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=query.get("starttls", ["0"])[0] in {"1", "true", "yes"},
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )


@dataclass(frozen=True, slots=True)
class MailReceipt:
    message_id: str


class MailSender:
    def __init__(self, target: SmtpTarget, sender: str, *, timeout: float = 15.0) -> None:
        if not sender or "@" not in sender:
            raise ValueError("OABRIDGE_MAIL_FROM must be an e-mail address")
        self.target = target
        self.sender = sender
        self.timeout = timeout

    def compose(self, to: str, subject: str, text: str, html: str | None) -> EmailMessage:
        mailbox, _ = normalise_email(to)
        if mailbox is None:
            raise PermanentSendError(INVALID_EMAIL)
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mailbox
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = make_msgid(domain=self.sender.rsplit("@", 1)[1])
        message["List-Unsubscribe"] = f"<mailto:{self.sender}?subject=unsubscribe>"
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        return message

    def send(self, to: str, subject: str, text: str, html: str | None,
             handing: Callable[[str], None] | None = None) -> MailReceipt:
        """Deliver one e-mail. `handing` is called with the message's Message-ID just
        before the message itself goes (SMTP's DATA): up to then the server has nothing
        it could deliver, so a sender that dies before that point certainly sent nothing
        (`bridge.store.claims`), and one that dies after it has its Message-ID on record;
        an error it raises ends the send with nothing handed over."""
        message = self.compose(to, subject, text, html)  # refuses more than one mailbox
        message_id = str(message["Message-ID"])
        try:
            self._deliver(message, None if handing is None else lambda: handing(message_id))
        except SendError:
            raise
        except smtplib.SMTPRecipientsRefused as exc:
            code = next(iter(exc.recipients.values()))[0]
            raise _by_code("recipient refused", code) from None
        except smtplib.SMTPResponseException as exc:
            error = exc.smtp_error
            text = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
            raise _by_code(text, exc.smtp_code) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(f"SMTP: {type(exc).__name__}") from None
        log.info("mail_accepted", to=mask_email(to), message_id=message["Message-ID"])
        return MailReceipt(str(message["Message-ID"]))

    def _deliver(self, message: EmailMessage, handing: Callable[[], None] | None) -> None:
        target = self.target
        context = ssl.create_default_context()
        smtp: _HandingSMTP
        if target.tls:
            smtp = _HandingSMTPSSL(target.host, target.port, timeout=self.timeout,
                                   context=context)
        else:
            smtp = _HandingSMTP(target.host, target.port, timeout=self.timeout)
        smtp.handing = handing
        with smtp:
            if target.starttls:
                smtp.starttls(context=context)
            if target.username:
                smtp.login(target.username, target.password)
            smtp.send_message(message)


class _HandingSMTP(smtplib.SMTP):
    """Calls `handing` once MAIL and RCPT are accepted, just before DATA."""

    handing: Callable[[], None] | None = None

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        if self.handing is not None:
            self.handing()
        return super().data(msg)


class _HandingSMTPSSL(_HandingSMTP, smtplib.SMTP_SSL):
    """`_HandingSMTP` over TLS from the first byte."""


def _by_code(reason: str, code: int) -> SendError:
    if 400 <= code < 500:
        return TransientSendError(reason, code)
    return PermanentSendError(reason, code)
