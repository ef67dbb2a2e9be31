"""One observed appointment state as the plan store takes it: text first, snapshot later."""

from __future__ import annotations

from collections.abc import Callable

from bridge.domain.snapshot import Snapshot

__all__ = ["Observation"]


class Observation:
    """One observed state: its snapshot's JSON text, and the snapshot when needed.

    A plain slotted class, not a frozen dataclass: a reconciliation makes one per
    appointment, and most are compared by text and dropped without ever building
    the snapshot (`build` makes it on demand; `bridge.sync.snapshots` supplies it).
    """

    __slots__ = ("_build", "_snapshot", "appointment_id", "text")

    def __init__(
        self,
        appointment_id: int,
        text: str,
        snapshot: Snapshot | None = None,
        build: Callable[[], Snapshot] | None = None,
    ) -> None:
        if snapshot is None and build is None:
            raise ValueError("an observation needs its snapshot or a way to build it")
        self.appointment_id = appointment_id
        self.text = text
        self._snapshot = snapshot
        self._build = build

    @classmethod
    def of_snapshot(cls, snapshot: Snapshot) -> Observation:
        return cls(snapshot.appointment_id, snapshot.to_json(), snapshot=snapshot)

    def make(self) -> Snapshot:
        if self._snapshot is None:
            assert self._build is not None
            self._snapshot = self._build()
        return self._snapshot
