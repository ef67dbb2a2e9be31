"""/metrics shows the recovery after Redis forgot (`bridge.sending.recovery`): whether
the bridge is in it, how often it found its memory gone, and what it did not repeat."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from bridge.store.epoch import Epochs, new_epoch
from tests.ingress.conftest import Ingress

LOST = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)


def test_no_recovery_before_any_loss(ingress: Ingress, redis: Redis) -> None:
    Epochs(redis).begin(new_epoch(LOST, lost=False))
    text = ingress.http.get(f"{ingress.url}/metrics").text
    assert "oabridge_recovery 0.0" in text and "oabridge_redis_memory_lost 0.0" in text
    assert 'oabridge_recovery_messages{outcome="found_sent"} 0.0' in text


def test_a_loss_and_its_recovery(ingress: Ingress, redis: Redis) -> None:
    epochs = Epochs(redis)
    epoch, _ = epochs.begin(new_epoch(LOST, lost=True))
    epochs.count("found_sent")
    epochs.count("found_sent")
    epochs.count("email_skipped")
    text = ingress.http.get(f"{ingress.url}/metrics").text
    assert "oabridge_recovery 1.0" in text and "oabridge_redis_memory_lost 1.0" in text
    assert 'oabridge_recovery_messages{outcome="found_sent"} 2.0' in text
    assert 'oabridge_recovery_messages{outcome="email_skipped"} 1.0' in text
    epochs.end_recovery(epoch, LOST)
    assert "oabridge_recovery 0.0" in ingress.http.get(f"{ingress.url}/metrics").text
