"""Cheap deep paging: remembers totals and page ends until the data changes.

A client that syncs 50,000 appointments walks `Offset` forward page by page with the same
filter. Counting all matches and skipping `Offset` rows on every page makes that walk
quadratic, so the sandbox remembers, per filter, the total and the last id of each page
it served; the next page then continues after that id. Any committed write invalidates
everything, so answers are always exactly what a fresh query would give.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

MAX_QUERIES = 32


class PageCache:
    """Totals and page boundaries per query, valid for one data version."""

    def __init__(self) -> None:
        self._version = -1
        self._totals: dict[Hashable, int] = {}
        self._ends: dict[tuple[Hashable, int], int] = {}

    def sync(self, version: int) -> None:
        """Forget everything when the data has changed since the last call."""
        if version != self._version:
            self._version = version
            self._totals.clear()
            self._ends.clear()

    def total(self, query: Hashable, count: Callable[[], int]) -> int:
        if query not in self._totals:
            if len(self._totals) >= MAX_QUERIES:
                self._totals.clear()
                self._ends.clear()
            self._totals[query] = count()
        return self._totals[query]

    def last_id_before(self, query: Hashable, offset: int) -> int | None:
        """The id of the row just before `offset`, if a served page ended there."""
        return self._ends.get((query, offset))

    def remember(self, query: Hashable, end_offset: int, last_id: int) -> None:
        self._ends[(query, end_offset)] = last_id
