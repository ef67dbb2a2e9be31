"""Replies an inbound scan finds again after a loss of Redis's memory, set aside by the
scan itself when they were answered before it.

An emptied Redis has no record of the replies of the last minutes, so the next inbound
scan finds them all again (`bridge.replies.reconcile`). Each one queued asks Twilio
whether it was answered before the loss (`Recovery.answered_before_loss`) in a job of
its own, on the queue every worker takes first: in the full soak, 81 of them held both
workers for half a minute, and no poll read the changes made meanwhile. So the scan
reads Twilio's log of its window once (`Recovery.read_sent_log`) and sets aside those
it shows answered, as their jobs would have; the rest are queued as before, and so is
every one when the log cannot be read or cannot tell.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from bridge.observability.masking import mask_phone
from bridge.outbound.errors import SendError
from bridge.replies.services import ReplyServices
from bridge.sending.answer_texts import answer_matcher
from bridge.sending.recovery import REPLY_MEMORY_LOST
from bridge.sending.sent_log import SentLog
from bridge.store.epoch import Epoch

__all__ = ["AnsweredInScan"]

log = structlog.get_logger(__name__)


class AnsweredInScan:
    """One scan's questions; Redis and Twilio are asked at the first reply that needs it."""

    def __init__(self, sv: ReplyServices, since: datetime) -> None:
        self.sv = sv
        self.since = since
        self._epoch_read = False
        self._log_read = False
        self._epoch: Epoch | None = None
        self._log: SentLog | None = None

    def set_aside(self, message_sid: str, sender: str, received: datetime) -> bool:
        """Whether the reply just recorded was answered before the loss, by the log:
        then it is finished as ignored, as its job would have, and not queued."""
        recovery = self.sv.sending.recovery
        if not self._epoch_read:
            self._epoch_read, self._epoch = True, recovery.epochs.read()
        window = None if self._epoch is None else recovery.answer_window(self._epoch,
                                                                          received)
        if window is None:  # no loss, or a reply since it: its job handles it
            return False
        sent_log = self._sent_log()
        if sent_log is None or not sent_log.covers(*window):
            return False
        if not sent_log.answered(sender, *window, answer_matcher(self.sv.sending.renderer)):
            return False
        log.info("reply_skipped_after_loss", to=mask_phone(sender))
        self.sv.inbound.finish(message_sid, f"ignored:{REPLY_MEMORY_LOST}")
        recovery.epochs.count("reply_skipped")
        return True

    def _sent_log(self) -> SentLog | None:
        """The log of the scan's window, read at the first reply from before the loss."""
        if not self._log_read:
            self._log_read = True
            try:
                self._log = self.sv.sending.recovery.read_sent_log(self.since)
            except SendError as exc:  # the replies' own jobs decide
                log.info("sent_log_unread", error=type(exc).__name__)
        return self._log
