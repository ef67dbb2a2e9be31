"""A Twilio-compatible SMS API (the Messages resource) and its webhooks, in memory.

Faithful enough that the official `twilio` package cannot tell it from Twilio: same
paths, Basic auth, JSON shapes, error codes, test numbers, paging, status callbacks and
signed webhooks. It shares no code with the bridge's Twilio client (`bridge/`) and does
not use the `twilio` package, so a contract test between them catches a mistake on
either side. Mount it with `create_app(booking, extra_routes=twilio.routes())`.
"""

from __future__ import annotations

from sandbox.twilio.demo import (
    API_VERSION,
    DEMO_ACCOUNT_SID,
    DEMO_AUTH_TOKEN,
    DEMO_MESSAGING_SERVICE_SID,
    DEMO_NUMBER,
    MAGIC_VALID_SENDER,
)
from sandbox.twilio.errors import TwilioApiError
from sandbox.twilio.fault_rates import TwilioFaultRates
from sandbox.twilio.faults import Fault, TwilioFaults
from sandbox.twilio.sandbox import TwilioSandbox
from sandbox.twilio.segments import SegmentCount, count_segments
from sandbox.twilio.settings import TwilioSettings
from sandbox.twilio.signature import SIGNATURE_HEADER, compute_signature, is_valid_signature

__all__ = [
    "API_VERSION",
    "DEMO_ACCOUNT_SID",
    "DEMO_AUTH_TOKEN",
    "DEMO_MESSAGING_SERVICE_SID",
    "DEMO_NUMBER",
    "MAGIC_VALID_SENDER",
    "SIGNATURE_HEADER",
    "Fault",
    "SegmentCount",
    "TwilioApiError",
    "TwilioFaultRates",
    "TwilioFaults",
    "TwilioSandbox",
    "TwilioSettings",
    "compute_signature",
    "count_segments",
    "is_valid_signature",
]
