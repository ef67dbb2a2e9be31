"""`SyncServices`: everything the sync logic needs, built once per worker process.

Typed values only (stores, clients, the clock, settings already parsed), never the
whole `Settings` nor Redis itself: a job's dependencies are visible in one place, and a
test builds them from its own parts (`workers.runtime` builds them in production).
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bridge.booking import BookingClient
from bridge.clock import Clock
from bridge.outbound.contacts import ContactBook
from bridge.store.confirmation_codes import ConfirmationCodes
from bridge.store.epoch import Epochs
from bridge.store.periodic_claims import PeriodicClaims
from bridge.store.plan_store import PlanStore
from bridge.store.sync_state import SyncState
from bridge.sync.account import Account

__all__ = ["SyncServices"]


@dataclass(frozen=True, slots=True, kw_only=True)
class SyncServices:
    clock: Clock
    booking: BookingClient
    plans: PlanStore
    account: Account
    """The account's facts (plan settings, watched agendas); the one of this process."""
    state: SyncState
    """Each agenda's watermark and last poll."""
    codes: ConfirmationCodes
    contacts: ContactBook
    periodic_claims: PeriodicClaims
    tz: ZoneInfo
    """`OABRIDGE_TIMEZONE`, parsed: the practice's days, for the reconciliation window."""
    reconcile_window_days: int
    """`OABRIDGE_RECONCILE_WINDOW_DAYS`: how many days ahead a listing reads."""
    epochs: Epochs | None = None
    """Whether the bridge recovers from a lost memory (`bridge.sync.after_loss`); None:
    never asked (a test's own services)."""
