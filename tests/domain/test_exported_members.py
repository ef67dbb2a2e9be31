"""The package's public surface: everything listed exists, and nothing is listed twice."""

from __future__ import annotations

import bridge.domain


def test_all_names_exist() -> None:
    names = bridge.domain.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(bridge.domain, name), name
