"""What `bench.send` measures and how it reports: messages sent, CPU, exactly-once, and the
rate a limited phase kept, printed as the two tables of its run.
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from bench.table import print_table

__all__ = ["DISCARDS", "Noops", "PoolDiscards", "Sent", "print_report", "print_wait_cost",
           "process_cpu", "window_rate"]


class PoolDiscards(logging.Filter):
    """Counts (and silences) urllib3's "Connection pool is full, discarding connection":
    a connection the Twilio client opened and then could not keep."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if "pool is full" in record.getMessage():
            self.count += 1
            return False
        return True


DISCARDS = PoolDiscards()
logging.getLogger("urllib3.connectionpool").addFilter(DISCARDS)


@dataclass
class Sent:
    queued: int = 0
    seconds: float = 0.0
    cpu: float = 0.0  # this process, every thread
    sandbox_cpu: float = 0.0
    discarded: int = 0  # HTTP connections the Twilio client could not keep in its pool
    at_twilio: int = 0
    logged: int = 0  # planned messages the bridge logged as handed to Twilio
    same_ids: bool = False
    failed_jobs: int = 0
    accepted: list[float] = field(default_factory=list)  # sandbox time of each accepted

    @property
    def exactly_once(self) -> bool:
        return self.same_ids and self.at_twilio == self.logged == self.queued

    @property
    def rate(self) -> float:
        return self.at_twilio / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.at_twilio * 1000


@dataclass
class Noops:
    jobs: int = 0
    seconds: float = 0.0
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.jobs / self.seconds

    @property
    def cpu_ms(self) -> float:
        return self.cpu / self.jobs * 1000


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def window_rate(accepted: list[float], seconds: float, skip: float = 0.0) -> float | None:
    """Messages per second over `seconds` from the first one (+`skip`), if sending lasted."""
    if not accepted:
        return None
    start = accepted[0] + skip
    if accepted[-1] < start + seconds - 1:  # sending stopped well before the window ended
        return None
    return sum(1 for t in accepted if start <= t < start + seconds) / seconds


def print_report(args: argparse.Namespace, slow: Sent, fast: Sent, limited: Sent,
                 noop: Noops, total: float) -> None:
    """The run's tables: each phase against its target, then the baseline and details."""
    measured = window_rate(limited.accepted, args.rate_seconds)
    steady = window_rate(limited.accepted, args.rate_seconds - 1, skip=1)

    def row(name: str, sent: Sent, result: str, target: str) -> list[str]:
        return [name, f"{sent.at_twilio:,}", f"{sent.logged:,}",
                "yes" if sent.exactly_once else "NO", str(sent.failed_jobs),
                f"{sent.seconds:.1f}", f"{sent.rate:.0f}", f"{sent.cpu_ms:.2f}",
                f"{sent.sandbox_cpu / sent.seconds:.0%}", f"{sent.discarded:,}", result, target]

    deviation = "n/a" if measured is None else f"{measured:.2f}/s ({measured / args.rate - 1:+.1%})"
    print_table(
        f"Sending {args.messages:,} planned reminders with one worker "
        f"(SimpleWorker, send concurrency {args.concurrency})",
        ["phase", "at Twilio", "logged", "exactly once", "failed jobs", "seconds", "msg/s",
         "worker CPU ms/msg", "sandbox CPU", "connections discarded", "result", "target"],
        [
            row(f"Twilio answers after {args.delay_ms:.0f} ms, no limit", slow,
                f"{slow.rate:.0f} msg/s", ">= 50 msg/s"),
            row("Twilio answers at once, no limit", fast,
                f"{fast.rate / noop.rate:.2f} x RQ no-op", ">= 0.50"),
            row(f"limit {args.rate:g}/s, {args.delay_ms:.0f} ms", limited,
                f"{deviation} over {args.rate_seconds:g} s", f"within 5% of {args.rate:g}/s"),
        ],
    )
    print_table("Baseline and details", ["measure", "value"], [
        [f"RQ no-op jobs, same worker class and queue set-up (before each of the "
         f"{args.rounds} rounds of phase 2)",
         f"{noop.jobs:,} in {noop.seconds:.1f} s = {noop.rate:.0f} jobs/s "
         f"({noop.cpu_ms:.2f} ms CPU/job)"],
        ["CPU ratio: RQ no-op ms/job / worker ms/msg (no delay)",
         f"{noop.cpu_ms / fast.cpu_ms:.2f}"],
        ["limited phase after its first second",
         "n/a" if steady is None else f"{steady:.2f}/s"],
        ["whole benchmark run (set-up, planning, every phase)", f"{total:.0f} s"],
    ])



def print_wait_cost(args: argparse.Namespace, base: Sent, waited: Sent) -> None:
    """Phase 4: the same sending on a primary with a local replica, without and with WAIT."""
    def row(name: str, sent: Sent, result: str) -> list[str]:
        return [name, f"{sent.at_twilio:,}", "yes" if sent.exactly_once else "NO",
                str(sent.failed_jobs), f"{sent.seconds:.1f}", f"{sent.rate:.0f}",
                f"{sent.cpu_ms:.2f}", f"{sent.seconds / sent.at_twilio * 1000:.2f}", result]

    extra = (waited.seconds / waited.at_twilio - base.seconds / base.at_twilio) * 1000
    print_table(
        f"The cost of WAIT: Twilio answers at once, no limit, a primary with one local "
        f"replica (send concurrency {args.concurrency})",
        ["OABRIDGE_REDIS_MIN_REPLICAS", "at Twilio", "exactly once", "failed jobs", "seconds",
         "msg/s", "worker CPU ms/msg", "wall ms/msg", "result"],
        [row("0 (baseline, same servers)", base, "-"),
         row("1 (claim + WAIT 1 500 in one pipeline)", waited,
             f"{waited.rate / base.rate:.2f} x baseline, {extra:+.2f} ms/msg")],
    )
