"""The ids the ingress accepts: the booking API's integers, positive and at most 2**31 - 1.

An id becomes part of Redis keys, job arguments and log lines, so one with thousands
of digits must be refused at the edge (400), not carried. The bound is the API's
integer range (signed 32-bit).

JSON has one kind of number, and the OpenAPI document (JSON Schema 2020-12) calls
any number with a zero fraction an integer: so `5783.0` is the id 5783, as the
document promises, and is carried on as the int. Anything else that is not an int
(`5783.5`, `"5783"`, `true`) is refused, as strictly as before.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

__all__ = ["MAX_ID", "ApiId"]

#: The largest id the booking API's integers can hold.
MAX_ID = 2**31 - 1


def _integral(value: object) -> object:
    """A float with a zero fraction, within range, as the int it is; anything else as given."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_ID:
        return int(value)
    return value


ApiId = Annotated[int, BeforeValidator(_integral), Field(strict=True, gt=0, le=MAX_ID)]
