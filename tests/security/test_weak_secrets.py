"""Finding 2 (#15): a token shorter than 16 characters, or a webhook secret whose key
is shorter than 24 bytes, stops the process at start-up in one line naming it."""

from __future__ import annotations

import base64

import pytest

from bridge.settings import SettingsError, load_settings, load_startup_settings
from bridge.settings.secret_checks import Process
from tests.security.secret_startup import GOOD, environment, refusal


def whsec(size: int, fill: bytes = b"k") -> str:
    return "whsec_" + base64.b64encode(fill * size).decode()


@pytest.mark.slow
@pytest.mark.parametrize(("command", "name"), [
    ("serve", "TRIGGER_TOKEN"),
    ("serve", "ADMIN_TOKEN"),
    ("serve", "TWILIO_AUTH_TOKEN"),
    ("worker", "API_SECRET"),
    ("config", "TRIGGER_TOKEN"),
])
def test_a_short_token_stops_the_process(command: str, name: str) -> None:
    line = refusal(command, environment(**{name: "x" * 15}))
    assert line == (f"oabridge: invalid configuration: OABRIDGE_{name} is shorter than 16 "
                    "characters; set a random secret at least that long")


@pytest.mark.slow
@pytest.mark.parametrize("secret", [
    whsec(23),  # accepted before: the least was 16 bytes
    whsec(16),
    f"{whsec(32)},{whsec(20, b'o')}",  # the old one of a rotation is checked too
])
def test_a_short_webhook_secret_stops_the_ingress(secret: str) -> None:
    line = refusal("serve", environment(WEBHOOK_SECRET=secret))
    assert line == ("oabridge: invalid configuration: OABRIDGE_WEBHOOK_SECRET: must be whsec_ "
                    "followed by at least 24 base64-encoded bytes")
    assert secret.removeprefix("whsec_")[:8] not in line  # the secret is never shown


def test_sixteen_characters_and_24_bytes_are_enough() -> None:
    env = {**GOOD, "OABRIDGE_TRIGGER_TOKEN": "y" * 16, "OABRIDGE_ADMIN_TOKEN": "z" * 16,
           "OABRIDGE_WEBHOOK_SECRET": whsec(24)}
    processes: list[Process | None] = ["serve", "worker", None]
    for process in processes:
        load_startup_settings(process, env)


def test_settings_built_in_code_are_not_checked_only_processes() -> None:
    """Tests build settings with short tokens; only a process's start refuses them."""
    env = {**GOOD, "OABRIDGE_TRIGGER_TOKEN": "short"}
    assert load_settings(env).trigger_token.get_secret_value() == "short"
    with pytest.raises(SettingsError, match="OABRIDGE_TRIGGER_TOKEN is shorter than 16"):
        load_startup_settings("serve", env)
