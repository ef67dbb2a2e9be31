"""Decoding a request body as JSON, every failure a 400 and never a 500.

`json.loads` recurses once per nested array or object; a body of 1,500 `[` (well
under the 64 KiB limit) exhausts Python's recursion limit inside the decoder, and
the `RecursionError` would otherwise surface as a 500. None of the ingress's bodies
nests more than a few levels, so deep nesting is simply malformed here.
"""

from __future__ import annotations

import json

from bridge.http.problems import Problem

__all__ = ["decode_json"]


def decode_json(body: bytes) -> object:
    """The decoded body, or a `Problem(400)` saying why it is not JSON we read."""
    try:
        return json.loads(body)
    except RecursionError:
        raise Problem(400, "body: JSON nested too deeply") from None
    except (ValueError, UnicodeDecodeError):
        raise Problem(400, "body: not valid JSON") from None
