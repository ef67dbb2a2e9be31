"""The sandbox's seeded faults for a soak run: on while the practice changes things,
off (and counted) before the system drains and is judged."""

from __future__ import annotations

import httpx

FAULTS: dict[str, dict[str, float]] = {
    "booking": {"error_rate": 0.05, "hang_rate": 0.01, "hang_seconds": 3, "latency_ms": 5,
                "page_failure_rate": 0.1},
    "twilio": {"rate_limit_rate": 0.05, "error_rate": 0.03, "latency_ms": 40,
               "callback_late_rate": 0.1, "callback_late_seconds": 3,
               "callback_twice_rate": 0.1, "callback_reorder_rate": 0.1},
    "mail": {"temporary_failure_rate": 0.1, "drop_rate": 0.05},
}


def put_faults(sandbox: str, faults: dict[str, dict[str, float]], seed: int) -> None:
    body = {section: {**values, "seed": seed} for section, values in faults.items()}
    answer = httpx.put(f"{sandbox}/_sandbox/faults", json=body, timeout=10)
    answer.raise_for_status()


def faults_off(sandbox: str) -> dict[str, dict[str, int]]:
    """Turn every fault of `FAULTS` off; the faults injected, by section and kind."""
    zero = {section: {k: 0 for k in values if not k.endswith("_seconds")}
            for section, values in FAULTS.items()}
    httpx.put(f"{sandbox}/_sandbox/faults", json=zero, timeout=10).raise_for_status()
    state = httpx.get(f"{sandbox}/_sandbox/faults", timeout=10).json()
    return {section: dict(values.get("injected", {})) for section, values in state.items()}
