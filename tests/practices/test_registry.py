"""The practices' registry in a real Redis: a practice starts in shadow, stores only
what it sets differently, its secrets only encrypted, and runs with the deployment's
settings under its own (#17)."""

from __future__ import annotations

import pytest
from redis import Redis

from bridge.practices import (
    DEFAULT_SLUG,
    Mode,
    PracticeError,
    PracticeNotFoundError,
    PracticeRegistry,
    SecretBox,
    SecretsKeyError,
    settings_for,
)
from bridge.settings import Settings
from bridge.store import keys

KEY = SecretBox.new_key()
BASE = Settings.model_validate({
    "api_key": "deployment-key", "api_secret": "deployment-secret-value",
    "twilio_messaging_service_sid": "MG" + "0" * 32, "practice_name": "Deployment",
    "timezone": "Europe/Amsterdam"})


class Clock:
    def __init__(self) -> None:
        self.now = 1_796_500_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def registry(redis: Redis) -> PracticeRegistry:
    box = SecretBox(KEY)
    return PracticeRegistry(redis, box, Clock(),
                            check=lambda practice: settings_for(BASE, practice, box))


def test_a_new_practice_is_in_shadow_with_its_own_settings_over_the_deployments(
        registry: PracticeRegistry) -> None:
    added = registry.add("fysio-linde", {"api_key": "fysio-key", "api_secret": "fysio-secret",
                                         "twilio_from": "+31612345678", "timezone":
                                         "Europe/London"})
    assert added.mode is Mode.SHADOW and added.mode_since == 1_796_500_000.0
    effective = settings_for(BASE, registry.get("fysio-linde"), registry.box)
    assert effective.api_key == "fysio-key"
    assert effective.api_secret.get_secret_value() == "fysio-secret"
    assert effective.tz.key == "Europe/London"
    assert effective.twilio_from == "+31612345678"
    assert effective.twilio_messaging_service_sid == ""  # its number, not the deployment's MG
    assert effective.practice_name == "Deployment"  # not set: the deployment's


def test_secrets_are_stored_only_sealed_and_shown_only_masked(
        registry: PracticeRegistry, redis: Redis) -> None:
    registry.add("tandarts", {"api_key": "k", "api_secret": "very-secret-value"})
    stored = redis.hget(keys.PRACTICES, "tandarts")
    assert stored is not None and b"very-secret-value" not in stored
    assert registry.get("tandarts").shown()["api-secret"] == "********"


def test_a_bad_value_is_refused_by_its_flag_and_nothing_is_stored(
        registry: PracticeRegistry, redis: Redis) -> None:
    with pytest.raises(PracticeError, match=r"--sender: must be an E\.164 number"):
        registry.add("salon", {"api_key": "k", "api_secret": "s", "twilio_from": "0612"})
    with pytest.raises(PracticeError, match="--timezone: unknown time zone"):
        registry.add("salon", {"api_key": "k", "api_secret": "s", "timezone": "Mars/Olympus"})
    assert not redis.hexists(keys.PRACTICES, "salon")
    with pytest.raises(PracticeError, match="slug"):
        registry.add("Salon_1", {"api_key": "k", "api_secret": "s"})
    registry.add("salon", {"api_key": "k", "api_secret": "s"})
    with pytest.raises(PracticeError, match="--language: must be nl or en"):
        registry.change("salon", {"default_language": "de"})
    assert registry.get("salon").overrides.get("default_language") is None


def test_an_empty_value_falls_back_to_the_deployment(registry: PracticeRegistry) -> None:
    registry.add("salon", {"api_key": "k", "api_secret": "s", "practice_name": "Salon"})
    registry.change("salon", {"practice_name": ""})
    assert settings_for(BASE, registry.get("salon"), registry.box).practice_name == "Deployment"


def test_modes_each_with_the_moment_they_began(registry: PracticeRegistry) -> None:
    registry.add("salon", {"api_key": "k", "api_secret": "s"})
    clock = registry.clock
    assert isinstance(clock, Clock)
    clock.now += 3600
    live, before = registry.set_mode("salon", Mode.LIVE)
    assert before is Mode.SHADOW and live.mode is Mode.LIVE and live.mode_since == clock.now
    clock.now += 60
    paused, _ = registry.set_mode("salon", Mode.PAUSED)
    assert registry.get("salon").mode is Mode.PAUSED and paused.mode_since == clock.now
    assert registry.get("salon").overrides["api_key"] == "k"  # settings kept


def test_the_deployment_itself_is_practice_default_live_without_a_record(
        registry: PracticeRegistry, redis: Redis) -> None:
    assert [p.slug for p in registry.all()] == [DEFAULT_SLUG]
    assert registry.get(DEFAULT_SLUG).mode is Mode.LIVE
    assert settings_for(BASE, registry.get(DEFAULT_SLUG), registry.box) == BASE
    registry.set_mode(DEFAULT_SLUG, Mode.PAUSED)
    assert registry.get(DEFAULT_SLUG).mode is Mode.PAUSED
    with pytest.raises(PracticeError, match="exists already"):
        registry.add(DEFAULT_SLUG, {"api_key": "k", "api_secret": "s"})
    with pytest.raises(PracticeError, match="pause it instead"):
        registry.remove(DEFAULT_SLUG)
    with pytest.raises(PracticeNotFoundError):
        registry.remove("nobody")


def test_rotating_the_key_reencrypts_every_secret(registry: PracticeRegistry,
                                                   redis: Redis) -> None:
    registry.add("salon", {"api_key": "k", "api_secret": "salon-secret",
                           "twilio_auth_token": "salon-token"})
    newer = SecretBox.new_key()
    rotating = PracticeRegistry(redis, SecretBox(f"{newer},{KEY}"), Clock())
    assert rotating.rotate_secrets() == 2
    only_new = SecretBox(newer)
    assert settings_for(BASE, registry.get("salon"), only_new).api_secret \
        .get_secret_value() == "salon-secret"
    with pytest.raises(SecretsKeyError, match="does not open"):
        settings_for(BASE, registry.get("salon"), SecretBox(KEY))


def test_without_a_key_a_secret_is_not_stored(redis: Redis) -> None:
    keyless = PracticeRegistry(redis, SecretBox(""), Clock())
    with pytest.raises(SecretsKeyError, match="needs OABRIDGE_SECRETS_KEY"):
        keyless.add("salon", {"api_key": "k", "api_secret": "s"})
    assert not redis.hexists(keys.PRACTICES, "salon")


def test_a_bad_secrets_key_is_refused_at_the_edge() -> None:
    with pytest.raises(SecretsKeyError, match="key 2 is not a Fernet key"):
        SecretBox(f"{KEY},not-a-key")
