"""Which sends waited behind a killed attempt, from the workers' own logs.

A worker killed mid-send leaves its claim in flight; the next attempt holds the message
until the claim is `ORPHAN_SECONDS` old (the dead worker's request may still reach
Twilio) and only then asks Twilio and sends. The soak kills a worker every 7 s, so now
and then a prompt or notice is that much later than the allowance: for a state that
lasted less than the allowance plus that wait, the message may be missing (the rules'
`orphaned`). The evidence is the bridge's `send_held_back` event with the reason
"another attempt's worker stopped mid-send", logged by the attempt that waited.
"""

from __future__ import annotations

import json
from pathlib import Path

__all__ = ["ORPHAN_WAIT", "orphaned_sends"]

#: The bridge's `ORPHAN_SECONDS` (a claim's age before its dead attempt is judged) + 1.
ORPHAN_WAIT = 21.0
_REASON = "worker stopped mid-send"
_DECODER = json.JSONDecoder()


def orphaned_sends(logs: Path) -> frozenset[tuple[int, str, int]]:
    """(appointment, the bridge's kind, start) of each planned message an attempt held
    back behind a killed one."""
    found: set[tuple[int, str, int]] = set()
    for path in sorted(logs.glob("worker-*.log")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if '"send_held_back"' not in line or _REASON not in line:
                continue
            start = line.find("{")
            try:  # a line may run on into another process's (interleaved writes)
                event, _end = _DECODER.raw_decode(line, start)
            except ValueError:
                continue
            parts = str(event.get("message", "")).split(":")
            if len(parts) >= 4 and parts[0].isdigit() and parts[3].isdigit():
                found.add((int(parts[0]), parts[1], int(parts[3])))
    return frozenset(found)
