"""A send claim no replica acknowledged is held back like a 429: given back, recorded
as retrying on the message, and raised as transient, so the provider is never called
and the message is retried (`bridge.sending.handover.claim_for_send`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from redis import Redis

from bridge.clock import ManualClock
from bridge.outbound.errors import TransientSendError
from bridge.sending.handover import claim_for_send
from bridge.settings import load_settings
from bridge.store import keys
from bridge.store.claims import ClaimState
from bridge.store.message_log import MessageRecord
from workers.runtime import Runtime

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
MESSAGE = "30012001:reminder:1d:1796112000:sms"


def runtime_on(redis_url: str, replicas: int) -> Runtime:
    return Runtime.from_settings(load_settings({
        "OABRIDGE_API_KEY": "claim-test-key", "OABRIDGE_API_SECRET": "s" * 40,
        "OABRIDGE_REDIS_URL": redis_url, "OABRIDGE_REDIS_MIN_REPLICAS": str(replicas),
        "OABRIDGE_REDIS_REPLICA_TIMEOUT_MS": "20",
    }), clock=ManualClock(NOW))


@pytest.fixture
def asking(redis: Redis, redis_url: str) -> Iterator[Runtime]:
    rt = runtime_on(redis_url, 1)  # the suite's Redis has no replica: never acknowledged
    rt.messages.open(MessageRecord(
        message_id=MESSAGE, message_key=MESSAGE.rsplit(":", 1)[0], appointment_id=30012001,
        kind="reminder", channel="sms", recipient="+31612345678", status="claimed"), NOW)
    yield rt
    rt.close()


def test_a_claim_no_replica_acknowledged_is_retried_not_sent(
        asking: Runtime, redis: Redis, redis_url: str) -> None:
    with pytest.raises(TransientSendError, match="claim not replicated"):
        claim_for_send(asking.sending, MESSAGE, NOW)
    assert redis.get(keys.send_claim(MESSAGE)) == b"released"
    record = asking.messages.get(MESSAGE)
    assert record is not None
    assert record.timeline[-1]["status"] == "retrying"  # as after a 429
    # The retry, on a Redis that does not ask for replicas (or whose replica is back):
    plain = runtime_on(redis_url, 0)
    try:
        assert claim_for_send(plain.sending, MESSAGE, NOW).state is ClaimState.CLAIMED
    finally:
        plain.close()
