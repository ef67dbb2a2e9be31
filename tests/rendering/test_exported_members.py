"""The package's public surface: everything listed exists, and nothing is listed twice."""

from __future__ import annotations

import bridge.rendering


def test_all_names_exist() -> None:
    names = bridge.rendering.__all__
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(bridge.rendering, name), name


def test_the_names_other_code_relies_on_are_public() -> None:
    expected = {
        "Encoding",
        "SmsCost",
        "sms_cost",
        "to_gsm",
        "MessageContext",
        "Choice",
        "Rendered",
        "Renderer",
        "RenderError",
    }
    assert expected <= set(bridge.rendering.__all__)
