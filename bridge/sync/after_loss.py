"""What a read of the booking API announces while the bridge recovers from a lost memory.

With Redis emptied, the first read after the loss sees every appointment for the first
time; a cancellation made between the loss and that read is no change to it, and would
go unannounced (`bridge.domain.plan.unseen_cancellation`). While the epoch says the
bridge is recovering, a read announces a cancelled appointment first seen as such whose
last change came at most `UNSEEN_BOUND` before the loss was found: the loss itself
happened a little before it was found, and a cancellation made a poll interval (60 s by
default) before the loss may not have been read yet. One older was read, and announced,
before the loss. Its send looks in Twilio's log first (`bridge.sending.recovery`), so
one announced before is not announced again; its e-mail is skipped as memory lost.

The cost: an appointment the bridge first saw already cancelled (booked and cancelled
between two polls) within those minutes before a loss, whose customer was never told
of the cancellation, is told now.

No epoch at all (Redis just emptied, and no worker's ticker has yet decided whether
that is a loss or a first start) holds a read back (`SyncHeldBack`, retried by RQ): a
state recorded then would be a first sight without the rule above, and its
cancellation would never be announced. Seen in the full soak: the epoch took 13 s to
be written (Twilio, asked by a worker that had just started, failing), and the full
read made meanwhile recorded a dozen cancellations silently.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bridge.store.epoch import Epochs

__all__ = ["UNSEEN_BOUND", "SyncHeldBack", "unseen_cancelled_since"]

UNSEEN_BOUND = timedelta(minutes=10)


class SyncHeldBack(Exception):
    """A read that waits until the epoch is written; its job is retried (RQ's retries)."""


def unseen_cancelled_since(epochs: Epochs) -> datetime | None:
    """The moment since which a first-seen cancellation is announced; None when the
    bridge is not recovering (one GET). Raises `SyncHeldBack` when there is no epoch."""
    epoch = epochs.read()
    if epoch is None:
        raise SyncHeldBack("no epoch yet: Redis may have forgotten, and a worker's ticker "
                           "has not yet told a loss from a first start")
    if not epoch.recovering or epoch.lost_at is None:
        return None
    return epoch.lost_at - UNSEEN_BOUND
