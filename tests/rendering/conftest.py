"""One renderer for the whole rendering suite: templates compile once."""

from __future__ import annotations

import pytest

from bridge.rendering import Renderer
from tests.rendering.builders import renderer


@pytest.fixture(scope="session")
def shipped() -> Renderer:
    return renderer()
