"""The soak's check of the message log after Redis faults (#16): each provider message
its own log record, linked back; what an amnesia makes of that is allowed, and only that.

Real Redis (the suite's database): the records are written by the bridge's own
`MessageLog`, as the bridge writes them."""

from __future__ import annotations

from datetime import UTC, datetime

from redis import Redis

from bench.soaklib.evidence import Sent
from bench.soaklib.queues import leftovers
from bench.soaklib.texts import Reading
from bench.soaklib.verdict import Rules
from bridge.store.message_log import MessageLog, MessageRecord

KILL = 1_796_400_600.0
FOUND = KILL + 1
RULES = Rules({}, allowance=20.0, grace=5.0, checked_at=KILL + 3000,
              amnesia=((KILL, FOUND),), losses=((KILL, FOUND),))


def recorded(redis: Redis, log_id: str, provider_id: str) -> None:
    appointment, kind, _, _, channel = log_id.split(":")
    log = MessageLog(redis, 86400)
    log.open(MessageRecord(log_id, log_id.rsplit(":", 1)[0], int(appointment), kind,
                           channel, "+31600000001", "sent"), datetime.now(UTC))
    log.link_provider(log_id, provider_id)


def sent(channel: str, at: float, provider_id: str, log_id: str) -> Sent:
    return Sent(channel, "+31600000001", at, Reading("rescheduled", "10:00"), provider_id,
                "Uw afspraak is verplaatst", log_id)


def test_a_move_notice_emailed_again_across_the_amnesia_is_no_leftover(redis: Redis) -> None:
    log_id = "1:rescheduled::1796403600:email"
    recorded(redis, log_id, "mail-2")
    again = [sent("email", KILL - 100, "mail-1", log_id),
             sent("email", FOUND + 100, "mail-2", log_id)]
    assert leftovers(redis, again, RULES) == []
    sms_id = "1:rescheduled::1796403600:sms"  # an SMS twice is a problem, amnesia or not
    recorded(redis, sms_id, "SM2")
    twice = [sent("sms", KILL - 100, "SM1", sms_id), sent("sms", FOUND + 100, "SM2", sms_id)]
    assert leftovers(redis, twice, RULES) == [f"2 provider messages for one log record {sms_id}"]


def test_a_record_linked_after_the_loss_to_another_sms_from_before_it_is_no_leftover(
        redis: Redis) -> None:
    """After the loss the prompt's lookup found the move notice that had asked the same
    question before it (`texts_it_had`), and linked the prompt's record to that SMS."""
    prompt, notice = "1:confirm_request::1796403600:sms", "1:rescheduled::1796403600:sms"
    recorded(redis, prompt, "SMnotice")
    before_loss = [sent("sms", KILL - 300, "SMprompt", prompt),
                   sent("sms", KILL - 100, "SMnotice", notice)]
    assert leftovers(redis, before_loss, RULES) == []
    after_loss = [sent("sms", FOUND + 100, "SMprompt", prompt),
                  sent("sms", KILL - 100, "SMnotice", notice)]
    assert leftovers(redis, after_loss, RULES) == [
        f"log record {prompt} does not link back to SMprompt"]
