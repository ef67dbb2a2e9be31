"""Structured logs: JSON lines for services, readable lines for a terminal.

Every string value passes `mask_text` before it is written, so a phone number or
e-mail address that slipped into a log call is still not written unmasked.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog

from bridge.observability.masking import mask_text

__all__ = ["configure_logging"]


def _mask_values(
    _logger: object, _method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    for key, value in list(event.items()):
        if isinstance(value, str):
            event[key] = mask_text(value)
    return event


class _CurrentStderr:
    """Writes to whatever `sys.stderr` is now (test runners and daemons replace it)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def configure_logging(*, json: bool = True, level: str = "INFO") -> None:
    """Set up structlog (and the stdlib loggers RQ and uvicorn use) once per process."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    renderer: Any = (
        structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            _mask_values,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=_CurrentStderr()),  # type: ignore[arg-type]
        cache_logger_on_first_use=True,
    )
    logging.basicConfig(
        level=numeric, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    # The twilio package logs every request's parameters (phone numbers, bodies) at INFO.
    logging.getLogger("twilio").setLevel(max(numeric, logging.WARNING))
