"""Every Redis key the bridge writes, and how long each lives.

One module names them all (style lesson 10), so an operator can find what a key is
and `oabridge erase` can find everything held about a person.
"""

from __future__ import annotations

PREFIX = "oab:"

#: The newest accepted snapshot of one appointment (JSON, see domain.snapshot).
def snapshot(appointment_id: int) -> str:
    return f"{PREFIX}snap:{appointment_id}"


#: Snapshots live until this long after the week after their appointment.
SNAPSHOT_EXTRA_SECONDS = 23 * 24 * 3600


#: Known appointments of one agenda by start time (a sorted set), for reconciliation.
def agenda_index(agenda_id: int) -> str:
    return f"{PREFIX}agenda:{agenda_id}:appointments"


#: The keys of the scheduled (replaceable) messages of one appointment (JSON list).
def appointment_schedule(appointment_id: int) -> str:
    return f"{PREFIX}sched:{appointment_id}"


#: All planned messages by send time: a sorted set of message keys scored by epoch.
SCHEDULE = f"{PREFIX}schedule"


#: One planned message (JSON), by its message key.
def planned(message_key: str) -> str:
    return f"{PREFIX}plan:{message_key}"


#: Set once a planned message was handed to the sending queue; it is never planned again.
def dispatched(message_key: str) -> str:
    return f"{PREFIX}dispatched:{message_key}"


#: Events from the diff, newest last (a capped stream, for operators and tests).
EVENTS = f"{PREFIX}events"
#: Messages not sent, with their reason (a capped stream; written by `skips.SkipLog`).
SKIPPED = f"{PREFIX}skipped"
#: Events counted by kind since the start (a hash), for the metrics endpoint.
EVENT_COUNTS = f"{PREFIX}stats:events"
#: Messages counted by the status they reached (a hash), for the metrics endpoint.
MESSAGE_COUNTS = f"{PREFIX}stats:messages"
#: Customers' replies counted by intent (a hash).
INTENT_COUNTS = f"{PREFIX}stats:intents"
#: Booking-API errors met by jobs, counted by kind (a hash).
UPSTREAM_ERROR_COUNTS = f"{PREFIX}stats:upstream-errors"
#: How many entries the two streams keep (approximately).
STREAM_LENGTH = 10_000


#: The newest UpdateTime (epoch seconds) a complete poll of one agenda has seen.
def watermark(agenda_id: int) -> str:
    return f"{PREFIX}watermark:{agenda_id}"


#: When the last complete poll of one agenda finished (epoch seconds).
def last_poll(agenda_id: int) -> str:
    return f"{PREFIX}lastpoll:{agenda_id}"


#: A poll of this agenda is queued and has not started yet (a claim with a TTL).
def poll_queued(agenda_id: int) -> str:
    return f"{PREFIX}poll-queued:{agenda_id}"


POLL_CLAIM_SECONDS = 600


#: When a trigger last queued a poll of this agenda, and that poll's job id
#: (`store.poll_triggers`): triggers within the minimum interval are coalesced into it.
def poll_triggered(agenda_id: int) -> str:
    return f"{PREFIX}poll-triggered:{agenda_id}"


#: A reconciliation is queued and has not started yet (a claim with a TTL).
RECONCILE_QUEUED = f"{PREFIX}reconcile-queued"

#: When a periodic task last ran (epoch seconds), by task name.
def last_run(task: str) -> str:
    return f"{PREFIX}lastrun:{task}"


#: The worker that currently runs the periodic tasks (a lease).
TICKER_LEASE = f"{PREFIX}ticker-lease"


#: A worker process is alive while this key is (refreshed every second).
def worker_alive(worker_name: str) -> str:
    return f"{PREFIX}alive:{worker_name}"


WORKER_ALIVE_SECONDS = 5


#: When the ticker first saw a job in a queue's intermediate list but not started.
def dequeued_seen(job_id: str) -> str:
    return f"{PREFIX}dequeued-seen:{job_id}"

#: Names of the worker processes that keep an alive key (a set): only their jobs are
#: put back when the key is gone, never those of a worker that keeps none.
WORKERS = f"{PREFIX}workers"


#: Accepted notices waiting to become RQ jobs (a list; see bridge.queueing.intake).
INTAKE = f"{PREFIX}intake"
#: Entries a relay has taken from the intake and not yet turned into jobs.
INTAKE_PROCESSING = f"{PREFIX}intake:processing"
#: When the ticker first saw each entry in processing (a hash: entry -> seconds).
INTAKE_PROCESSING_SEEN = f"{PREFIX}intake:processing-seen"
#: A relay turns its entries into jobs within milliseconds; an entry the ticker has seen
#: in processing this long belongs to a relay that died, and goes back to the intake.
INTAKE_RECOVER_SECONDS = 5


#: A webhook-id seen in the last 24 h, holding the job id it was enqueued as.
def webhook_seen(webhook_id: str) -> str:
    return f"{PREFIX}webhook:{webhook_id}"


WEBHOOK_DEDUPE_SECONDS = 24 * 3600

#: A confirmation code an upstream notice supplied for an appointment.
def confirmation_code(appointment_id: int) -> str:
    return f"{PREFIX}code:{appointment_id}"


#: A customer's cached contact details (JSON), dropped on a customer.changed notice.
def customer_cache(customer_id: int) -> str:
    return f"{PREFIX}customer:{customer_id}"


#: One outbound message's record (a hash), by message id (`<message key>:<channel>`).
def message(message_id: str) -> str:
    return f"{PREFIX}msg:{message_id}"


#: One message's status timeline (a list of JSON entries, oldest first).
def message_timeline(message_id: str) -> str:
    return f"{PREFIX}msg:{message_id}:timeline"


#: Every message id by creation time (a sorted set), for listings.
MESSAGES = f"{PREFIX}messages"


#: The message id a provider's id (Twilio SID, e-mail Message-ID) belongs to.
def provider_message(provider_id: str) -> str:
    return f"{PREFIX}provider:{provider_id}"


#: The exactly-once claim of one message on one channel.
def send_claim(message_id: str) -> str:
    return f"{PREFIX}claim:{message_id}"


#: A phone number (E.164) that opted out of SMS, with when and how.
def opt_out(phone: str) -> str:
    return f"{PREFIX}optout:{phone}"


def opt_in(phone: str) -> str:
    """When the number last opted in (START), to put late-handled replies in order."""
    return f"{PREFIX}optin:{phone}"


#: How long an opt-in's time is kept: replies are handled out of order by seconds or
#: minutes (a retry, a killed worker), never by a week.
OPT_IN_SECONDS = 7 * 24 * 3600


#: One inbound SMS (a hash: from, to, body, received, state), by Twilio's MessageSid.
def inbound(message_sid: str) -> str:
    return f"{PREFIX}inbound:{message_sid}"


#: Every inbound SMS the bridge has recorded, by when it was received (a sorted set).
INBOUND = f"{PREFIX}inbound-seen"

#: An inbound reconciliation is queued and has not started yet.
INBOUND_RECONCILE_QUEUED = f"{PREFIX}inbound-reconcile-queued"
#: When the last complete inbound reconciliation began (epoch seconds): the next one
#: lists only messages sent since then, less an overlap (`store.inbound_window`).
INBOUND_WATERMARK = f"{PREFIX}inbound-watermark"


#: An erased person's phone number, address, customer id or MessageSid, as a keyed
#: hash only, kept for the retention (`store.tombstones`).
def tombstone(digest: str) -> str:
    return f"{PREFIX}tombstone:{digest}"


#: Which appointments were last prompted or reminded at a phone number (a hash).
def conversation(phone: str) -> str:
    return f"{PREFIX}conversation:{phone}"


#: A question the bridge asked a phone number ("which appointment?"), awaiting a number.
def pending_choice(phone: str) -> str:
    return f"{PREFIX}conversation:{phone}:choice"


PENDING_CHOICE_SECONDS = 24 * 3600


#: The appointment whose confirmation code the bridge asked a number for (its answer
#: "send your code"): shown as the pending question; kept as long as a choice.
def code_asked(phone: str) -> str:
    return f"{PREFIX}conversation:{phone}:code"


#: What replies changed upstream (a capped stream; senders masked): `reply_effects.py`.
REPLY_EFFECTS = f"{PREFIX}reply-effects"


#: Replies handled per phone number in the current window (a counter with a TTL).
def reply_rate(phone: str) -> str:
    return f"{PREFIX}reply-rate:{phone}"


#: One operator-page session (JSON: issued, bound), by the SHA-256 of the random id its
#: cookie holds (`store.admin_sessions`): a copy of Redis holds no usable cookie.
def admin_session(id_digest: str) -> str:
    return f"{PREFIX}admin-session:{id_digest}"


#: Failed operator logins in one fixed window (`store.login_failures`), from one client
#: address, or from all of them (`client` "*").
def admin_login_failures(window: int, client: str) -> str:
    return f"{PREFIX}admin-login-failures:{window}:{client}"


#: A token bucket for a sender (a hash: tokens, at).
def rate_bucket(name: str) -> str:
    return f"{PREFIX}rate:{name}"


#: Whether the account requires confirmation codes (cached `requiresConfirmation`).
REQUIRES_CONFIRMATION = f"{PREFIX}requires-confirmation"
#: The account's agenda ids (JSON list), when no agendas are configured.
AGENDAS = f"{PREFIX}agendas"
#: How long the two account facts above are kept (`account_cache.AccountCache`).
ACCOUNT_CACHE_SECONDS = 3600

#: Keep a dispatched marker and a planned message this long after the appointment.
AFTER_APPOINTMENT_SECONDS = 7 * 24 * 3600

#: The practices this deployment serves (a hash: slug -> JSON, secrets sealed;
#: `bridge.practices.registry`). Kept until removed.
PRACTICES = f"{PREFIX}practices"

#: Customers' free-text replies for the practice's desk (a sorted set: MessageSid ->
#: received, epoch s; `store.inbox`). The text and the "handled" mark live in the
#: inbound record (`inbound(sid)`), which expires with the retention.
INBOX = f"{PREFIX}inbox"
