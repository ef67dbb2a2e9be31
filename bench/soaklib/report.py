"""The soak's table: what was done to the system and what the oracle found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from bench.soaklib.journal import Journal
from bench.soaklib.verdict import Verdict
from bench.table import print_table


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _counts(counter: Counter[str] | dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(counter.items())) or "none"


def show(title: str, journal: Journal, verdict: Verdict, faults: dict[str, dict[str, int]],
         extra: Iterable[tuple[str, str]], redis_rows: Iterable[tuple[str, str]] = ()) -> None:
    """`redis_rows`: one per Redis fault (`redis_faults.rows`), after the processes."""
    m, a = verdict.messages, verdict.answers
    replies = Counter(r.kind for r in journal.replies)
    while_down = sum(1 for r in journal.replies if r.ingress_down)
    rows: list[tuple[str, str]] = [
        ("changes made", f"{sum(journal.changes.values())} ({_counts(journal.changes)})"),
        ("webhooks", _counts(journal.webhooks)),
        ("replies", f"{len(journal.replies)} ({_counts(replies)}); "
                    f"{while_down} while the ingress was down"),
        *((f"faults injected: {section}", _counts(kinds)) for section, kinds in faults.items()),
        ("processes killed", _counts(journal.kills)),
        *redis_rows,
        ("driver calls that failed", _counts(journal.driver_errors)),
        ("messages expected / sent", f"{m.expected} / {m.sent}"),
        ("messages duplicate / missing / wrong", f"{m.duplicate} / {m.missing} / {m.wrong}"),
        ("answers expected / sent", f"{a.expected} / {a.sent}"),
        ("answers duplicate / missing / wrong", f"{a.duplicate} / {a.missing} / {a.wrong}"),
        ("races (within the grace)", str(m.races + a.races)),
        ("expected, skipped late as allowed", _counts(verdict.required_skipped)),
        ("expected e-mails skipped: memory lost (allowed)", _counts(verdict.memory_lost)),
        ("move notices e-mailed again after a memory loss (allowed)",
         _counts(verdict.emailed_again)),
        ("missing behind a killed attempt's wait (allowed)", str(verdict.orphan_waits)),
        ("moves unannounced, unread before a memory loss (allowed)",
         str(verdict.unannounced_moves)),
        ("answered without its conversation after a memory loss (allowed)",
         str(verdict.forgotten_conversations)),
        ("replies set aside after a memory loss, maybe answered (allowed)",
         str(verdict.set_aside_after_loss)),
        ("reminders whose offset Redis lost (inferred)", str(verdict.inferred_offsets)),
        ("skipped by the bridge", _counts(verdict.skipped)),
        *extra,
    ]
    for name, values in sorted(verdict.latency.items()):
        if values:
            rows.append((f"{name} p50 / p95 / p99 (s)",
                         " / ".join(f"{percentile(values, p):.2f}" for p in (0.5, 0.95, 0.99))
                         + f"  (n={len(values)})"))
    print_table(title, ["", "result"], rows)
