"""Wall-clock readings to instants, including the DST gap and fold."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bridge.domain.local_time import resolve_local
from tests.domain.builders import AMS


def test_ordinary_reading() -> None:
    assert resolve_local(datetime(2026, 6, 10, 10, 0), AMS) == datetime(
        2026, 6, 10, 8, 0, tzinfo=UTC
    )


def test_result_is_utc() -> None:
    assert resolve_local(datetime(2026, 1, 5, 9, 0), AMS).tzinfo is UTC


def test_gap_takes_the_earlier_reading() -> None:
    # 02:30 on 29 March 2026 does not exist; read with the summer offset it is 00:30 UTC.
    assert resolve_local(datetime(2026, 3, 29, 2, 30), AMS) == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )


def test_fold_takes_the_first_occurrence() -> None:
    # 02:30 on 25 October 2026 happens twice: first in summer time (00:30 UTC).
    assert resolve_local(datetime(2026, 10, 25, 2, 30), AMS) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_reading_in_the_zone_itself_counts_by_its_wall_clock() -> None:
    assert resolve_local(datetime(2026, 3, 29, 2, 30, tzinfo=AMS), AMS) == datetime(
        2026, 3, 29, 0, 30, tzinfo=UTC
    )
    second = datetime(2026, 10, 25, 2, 30, tzinfo=AMS, fold=1)
    assert resolve_local(second, AMS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_reading_in_another_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_local(datetime(2026, 6, 10, 10, 0, tzinfo=UTC), AMS)


@pytest.mark.parametrize("hour", range(24))
@pytest.mark.parametrize("day", [(2026, 3, 29), (2026, 10, 25), (2026, 6, 10)])
def test_result_is_the_earliest_instant_showing_that_reading(
    day: tuple[int, int, int], hour: int
) -> None:
    wall = datetime(*day, hour, 30)
    readings = [wall.replace(tzinfo=AMS, fold=fold).astimezone(UTC) for fold in (0, 1)]
    assert resolve_local(wall, AMS) == min(readings)
