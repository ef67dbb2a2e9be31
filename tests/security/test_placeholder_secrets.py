"""Finding 2 (#15): a placeholder left in the configuration stops every process at
start-up, in one line naming the variable.

deploy/README.md promised it; no code checked it, and with `CHANGE_ME` as the trigger
token, the Twilio auth token and the operator token a forged poll trigger, a forged
reply and an operator login were all accepted. Now the ingress does not start, so none
of them can happen. Each case runs the real command, from outside.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.settings import SettingsError, load_settings
from tests.security.secret_startup import GOOD, environment, refusal

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
PLACEHOLDER = "is the placeholder CHANGE_ME; set a real secret"


@pytest.mark.slow
@pytest.mark.parametrize(("command", "name", "value"), [
    # The three the attack used: a forged trigger, a forged "NEE", an operator login.
    ("serve", "TRIGGER_TOKEN", "CHANGE_ME"),
    ("serve", "TWILIO_AUTH_TOKEN", "CHANGE_ME"),
    ("serve", "ADMIN_TOKEN", "CHANGE_ME"),
    # The template's other placeholders, in the processes that use them.
    ("serve", "WEBHOOK_SECRET", "CHANGE_ME"),
    ("worker", "API_KEY", "CHANGE_ME"),
    ("worker", "API_SECRET", "CHANGE_ME"),
    ("worker", "TWILIO_ACCOUNT_SID", "CHANGE_ME"),
    ("worker", "REDIS_URL", "CHANGE_ME"),
    ("worker", "SMTP_URL", "CHANGE_ME"),
    # Half-filled, or written another way.
    ("worker", "REDIS_URL", "redis://:CHANGE_ME@redis.internal:6379/0"),
    ("worker", "SMTP_URL", "smtp://bridge:CHANGE_ME@mail.internal:587"),
    ("serve", "TRIGGER_TOKEN", "changeme-changeme-changeme"),
])
def test_a_placeholder_stops_the_process(command: str, name: str, value: str) -> None:
    line = refusal(command, environment(**{name: value}))
    assert line == f"oabridge: invalid configuration: OABRIDGE_{name} {PLACEHOLDER}"


def env_file(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#"))
    return {name: value for name, value in pairs if name.startswith("OABRIDGE_")}


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve", "worker", "config"])
def test_the_secret_template_deployed_unchanged_names_every_placeholder(command: str) -> None:
    template = env_file(DEPLOY / "base" / "secret-template.env")
    placeholders = sorted(n for n, v in template.items() if v == "CHANGE_ME")
    assert len(placeholders) >= 7
    env = environment(**{n.removeprefix("OABRIDGE_"): v for n, v in
                         {**env_file(DEPLOY / "base" / "config.env"), **template}.items()})
    line = refusal(command, env)
    assert line == ("oabridge: invalid configuration: " + ", ".join(placeholders)
                    + " are the placeholder CHANGE_ME; set real secrets")


@pytest.mark.slow
@pytest.mark.parametrize(("command", "changes", "name"), [
    ("serve", {"WEBHOOK_SECRET": ""}, "OABRIDGE_WEBHOOK_SECRET is empty"),
    ("worker", {"API_KEY": ""}, "OABRIDGE_API_KEY is empty"),
    ("worker", {"API_SECRET": "  "}, "OABRIDGE_API_SECRET is empty"),
    ("worker", {"TWILIO_AUTH_TOKEN": ""}, "OABRIDGE_TWILIO_AUTH_TOKEN is empty"),
])
def test_an_empty_secret_the_process_needs_stops_it(
    command: str, changes: dict[str, str], name: str
) -> None:
    line = refusal(command, environment(**changes))
    assert line.startswith(f"oabridge: invalid configuration: {name}"), line


@pytest.mark.slow
def test_the_production_overlays_example_address_stops_the_ingress() -> None:
    config = env_file(DEPLOY / "overlays" / "production" / "config.env")
    assert config["OABRIDGE_PUBLIC_URL"] == "https://oabridge.example.com"
    line = refusal("serve", environment(PUBLIC_URL=config["OABRIDGE_PUBLIC_URL"]))
    assert line.startswith("oabridge: invalid configuration: OABRIDGE_PUBLIC_URL is the "
                           "template's example https://oabridge.example.com; "), line


@pytest.mark.parametrize("value", ["whsec_CHANGE_ME", "Change-Me", "CHANGEME_later"])
def test_every_command_refuses_a_placeholder_however_written(value: str) -> None:
    with pytest.raises(SettingsError, match=f"OABRIDGE_WEBHOOK_SECRET {PLACEHOLDER}"):
        load_settings({**GOOD, "OABRIDGE_WEBHOOK_SECRET": value})


def test_a_word_that_holds_the_letters_is_no_placeholder() -> None:
    settings = load_settings({**GOOD, "OABRIDGE_PRACTICE_NAME": "Exchange Medical"})
    assert settings.practice_name == "Exchange Medical"
