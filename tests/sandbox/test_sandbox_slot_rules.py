"""The pure slot rules of `sandbox.booking.availability`: grid, buffers, free blocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.booking.availability import Interval, Lane, SlotRules, free_blocks, slot_starts


class TestPureRules:
    RULES = SlotRules(
        duration=timedelta(minutes=30),
        buffer=timedelta(minutes=10),
        grid_minutes=15,
        capacity=1,
        earliest=datetime(2026, 1, 1, tzinfo=UTC),
        latest=None,
    )

    def lane(self, *busy: tuple[int, int]) -> Lane:
        day = datetime(2026, 3, 2)
        return Lane(
            day.date(),
            1,
            windows=[Interval(day.replace(hour=9), day.replace(hour=11))],
            busy=[
                Interval(
                    day.replace(hour=h, minute=m),
                    day.replace(hour=h, minute=m) + timedelta(minutes=40),
                )
                for h, m in busy
            ],
        )

    def test_slots_on_grid(self) -> None:
        starts = [s.strftime("%H:%M") for s in slot_starts(self.lane(), self.RULES)]
        assert starts == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30"]

    def test_slot_with_buffer_must_not_reach_busy(self) -> None:
        starts = [s.strftime("%H:%M") for s in slot_starts(self.lane((10, 0)), self.RULES)]
        # 09:30 + 30 min + 10 min buffer reaches 10:10; busy until 10:40 blocks the rest.
        assert starts == ["09:00", "09:15"]

    def test_free_blocks(self) -> None:
        blocks = free_blocks(self.lane((10, 0)), self.RULES)
        assert [(b.start.strftime("%H:%M"), b.end.strftime("%H:%M")) for b in blocks] == [
            ("09:00", "10:00"),
        ]
