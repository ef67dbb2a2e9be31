"""Diff and plan of 100,000 appointments against their stored snapshots.

    python -m bench.diff_plan [--appointments 100000]

The stored side is what Redis holds (snapshot JSON texts and schedule lists); the new
side is what a reconciliation reads from the API (parsed `Appointment`s): 90 % the
same, 8 % moved, 1 % confirmed, 1 % cancelled. Measured: the bridge's whole decision
(`observation_of` and `plan_store.decide`), against a baseline in the same
run that only decodes the stored JSON. Targets (issue #3): under 2 s, under 300 MB.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bench.table import print_table
from bridge.booking.models import Appointment
from bridge.domain.plan import PlanSettings, desired_schedule
from bridge.domain.snapshot import Snapshot
from bridge.domain.status import Label, RecordStatus
from bridge.observability.logging import configure_logging
from bridge.store.plan_store import decide
from bridge.sync.snapshots import observation_of, snapshot_of

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
AMS = ZoneInfo("Europe/Amsterdam")


def appointments(count: int, rng: random.Random) -> list[Appointment]:
    made = []
    for ident in range(1, count + 1):
        # As the API client returns them: aware, in the practice's zone.
        start = (NOW + timedelta(minutes=30 * rng.randrange(60, 60 * 48 * 2))).astimezone(AMS)
        made.append(Appointment(
            id=30_000_000 + ident, start=start, finish=start + timedelta(minutes=30),
            label=Label.PENDING if ident % 10 == 0 else Label.APPROVED,
            status=RecordStatus.ENABLED, customer_id=10_000_000 + ident % 5000,
            appointment_type_id=54102, updated=(NOW - timedelta(days=2)).astimezone(AMS),
            created=(NOW - timedelta(days=3)).astimezone(AMS),
        ))
    return made


def changed(before: list[Appointment], rng: random.Random) -> list[Appointment]:
    later = (NOW - timedelta(hours=1)).astimezone(AMS)
    after = []
    for appointment in before:
        roll = rng.random()
        if roll < 0.08:
            shift = timedelta(hours=rng.choice([-3, 2, 24]))
            appointment = replace(appointment, start=appointment.start + shift,
                                  finish=appointment.finish + shift, updated=later)
        elif roll < 0.09 and appointment.label is Label.PENDING:
            appointment = replace(appointment, label=Label.APPROVED, updated=later)
        elif roll < 0.10:
            appointment = replace(appointment, label=Label.CANCELLED, updated=later)
        after.append(appointment)
    return after


def main() -> None:
    configure_logging(json=False, level="WARNING")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appointments", type=int, default=100_000)
    count = parser.parse_args().appointments
    rng = random.Random(7)
    settings = PlanSettings.default()
    before = appointments(count, rng)
    stored_snapshots = [snapshot_of(a, 27041) for a in before]
    stored = [s.to_json() for s in stored_snapshots]
    schedules = [json.dumps(sorted(m.key for m in desired_schedule(s, settings, NOW)[0]))
                 for s in stored_snapshots]
    after = changed(before, rng)
    del stored_snapshots
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    decoded = [Snapshot.from_json(text) for text in stored]
    baseline = time.perf_counter() - started
    del decoded

    started = time.perf_counter()
    observed = [observation_of(a, 27041) for a in after]
    decisions = decide(stored, schedules, observed, settings, NOW)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    events = sum(len(change.events) for _, change, _ in decisions)

    print_table(
        f"Diff and plan of {count:,} appointments (CPython, one core)",
        ["measure", "seconds", "vs baseline", "target"],
        [
            ["baseline: decode every stored snapshot", f"{baseline:.3f}", "1.00", ""],
            ["diff + plan (the bridge's decision)", f"{elapsed:.3f}",
             f"{elapsed / baseline:.2f}", "< 2 s"],
        ],
    )
    print_table("Outcome", ["what", "value"], [
        ["changed appointments planned", f"{len(decisions):,}"],
        ["events", f"{events:,}"],
        ["peak RSS of the process (MB)", f"{peak:.0f} (before the run {rss_before:.0f}); "
                                         "target < 300"],
    ])


if __name__ == "__main__":
    main()
