"""The message log: status only moves forward, the timeline keeps every report, and a
provider's id leads back to its message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bridge.store.message_log import MessageLog, MessageRecord

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


def test_status_only_moves_forward_but_the_timeline_keeps_everything(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    log.open(MessageRecord("k:sms", "k", 7, "reminder", "sms", "+31612345678", "claimed"), NOW)
    log.link_provider("k:sms", "SM" + "0" * 32)
    assert log.advance("k:sms", "sent", NOW)
    assert log.advance("k:sms", "delivered", NOW + timedelta(seconds=2))
    assert log.advance("k:sms", "sent", NOW + timedelta(seconds=3))  # late and out of order
    record = log.get("k:sms")
    assert record is not None and record.status == "delivered"
    assert [s["status"] for s in record.timeline] == ["claimed", "sent", "delivered", "sent"]
    assert log.by_provider_id("SM" + "0" * 32) == "k:sms"
    assert not log.advance("nope:sms", "sent", NOW)


def test_the_count_and_the_statuses_reached(redis: Redis) -> None:
    log = MessageLog(redis, 3600)
    assert log.count() == 0 and log.status_counts() == {}
    for n in range(3):
        log.open(MessageRecord(f"{n}:sms", str(n), n, "reminder", "sms", "+31612345678",
                               "claimed"), NOW)
        log.advance(f"{n}:sms", "sent", NOW)
    log.advance("0:sms", "delivered", NOW)
    log.advance("1:sms", "sent", NOW)  # the same status again: reached once
    assert log.count() == 3
    assert log.status_counts() == {"sent": 3, "delivered": 1}
