"""The README's configuration table names every setting, and no setting that is gone."""

from __future__ import annotations

import re
from pathlib import Path

from bridge.settings import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_configuration_table() -> None:
    text = README.read_text(encoding="utf-8")
    table = {m for m in re.findall(r"^\| `(OABRIDGE_[A-Z_]+)` \|", text, flags=re.MULTILINE)}
    settings = {Settings.env_name(name) for name in Settings.model_fields}
    assert table == settings


def test_the_emptied_databases_are_in_the_readme() -> None:
    from tests.support.redis_dbs import markdown_table

    assert markdown_table() in README.read_text(encoding="utf-8")
