"""Prometheus metrics of one process, in a registry of its own (no globals).

Counts that several processes contribute to (events from every worker) live in
Redis and are read at scrape time by the ingress; see `bridge.ingress.health`.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

__all__ = ["IngressMetrics"]


class IngressMetrics:
    """What the ingress counts itself."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "oabridge_http_requests",
            "HTTP requests answered by the ingress.",
            ["route", "status"],
            registry=self.registry,
        )
        self.jobs_enqueued = Counter(
            "oabridge_jobs_enqueued",
            "Jobs the ingress accepted for its queues (via the intake).",
            ["job"],
            registry=self.registry,
        )
        self.duplicates = Counter(
            "oabridge_duplicates_ignored",
            "Notices or triggers already accepted, not enqueued again.",
            ["kind"],
            registry=self.registry,
        )
        self.erased_ignored = Counter(
            "oabridge_erased_ignored",
            "Inbound SMS from erased people (a tombstone), not recorded nor handled.",
            registry=self.registry,
        )
        self.events = Gauge(
            "oabridge_events",
            "Appointment events found by the diff since the start, by type (from Redis).",
            ["type"],
            registry=self.registry,
        )
        self.messages = Gauge(
            "oabridge_messages",
            "Messages that reached each status since the start (from Redis).",
            ["status"],
            registry=self.registry,
        )
        self.reply_intents = Gauge(
            "oabridge_reply_intents",
            "Customers' SMS replies by what they meant (from Redis).",
            ["intent"],
            registry=self.registry,
        )
        self.upstream_errors = Gauge(
            "oabridge_upstream_errors",
            "Booking-API errors jobs met, by kind (from Redis).",
            ["kind"],
            registry=self.registry,
        )
        self.poll_lag = Gauge(
            "oabridge_poll_lag_seconds",
            "Seconds since the last complete poll of an agenda (from Redis).",
            ["agenda"],
            registry=self.registry,
        )
        self.intake_depth = Gauge(
            "oabridge_intake_depth",
            "Accepted notices not yet turned into jobs by a worker's relay (from Redis).",
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "oabridge_queue_depth",
            "Jobs waiting in each queue (from Redis).",
            ["queue"],
            registry=self.registry,
        )
        self.memory_lost = Gauge(
            "oabridge_redis_memory_lost",
            "Times a worker found Redis had forgotten the bridge (no epoch, but Twilio shows "
            "recent sends), counted in Redis since then: 0 or 1 (from Redis).",
            registry=self.registry,
        )
        self.recovery = Gauge(
            "oabridge_recovery",
            "1 while the bridge recovers after Redis forgot it, else 0 (from Redis).",
            registry=self.registry,
        )
        self.recovery_messages = Gauge(
            "oabridge_recovery_messages",
            "After Redis forgot: SMS found in Twilio's log and not sent again (found_sent), "
            "e-mails due before the loss skipped (email_skipped), SMS of messages that may have "
            "gone by e-mail before it skipped (sms_skipped), replies from before the "
            "loss that Twilio shows answered, not handled again (reply_skipped) (from Redis).",
            ["outcome"],
            registry=self.registry,
        )
        #: Not `redis_up`: a "redis" attribute reads as a raw client to the key-owner test.
        self.store_up = Gauge(
            "oabridge_redis_up",
            "1 when this scrape read the figures in Redis, 0 when Redis was unreachable "
            "(those figures are then left out).",
            registry=self.registry,
        )
