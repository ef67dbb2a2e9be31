"""The tombstones' key is the deployment's own (`OABRIDGE_ERASURE_KEY`): rotating the
booking API's secret must not void an erasure, so nobody comes back after a rotation."""

from __future__ import annotations

from pydantic import SecretStr
from redis import Redis

from bridge.settings import Settings
from bridge.settings.secret_checks import startup_problems
from bridge.store.tombstones import Tombstones, derive_key, phone

NUMBER = "+31612345678"
ERASURE_KEY = "an-erasure-key-set-once-and-kept"


def _settings(api_secret: str, erasure_key: str = "") -> Settings:
    return Settings(api_key="key", api_secret=SecretStr(api_secret),
                    erasure_key=SecretStr(erasure_key))


def _stones(redis: Redis, settings: Settings) -> Tombstones:
    return Tombstones(redis, derive_key(settings.erasure_secret), 3600)


def test_an_erasure_outlives_a_rotation_of_the_api_secret(redis: Redis) -> None:
    _stones(redis, _settings("the-old-api-secret-0001", ERASURE_KEY)).bury(phone(NUMBER))
    rotated = _settings("the-new-api-secret-0002", ERASURE_KEY)
    assert _stones(redis, rotated).holds(phone(NUMBER))


def test_without_a_key_of_its_own_the_api_secret_keys_the_tombstones(redis: Redis) -> None:
    """The fallback, documented in SECURITY.md: then a rotation voids old tombstones."""
    _stones(redis, _settings("the-old-api-secret-0001")).bury(phone(NUMBER))
    assert _stones(redis, _settings("the-old-api-secret-0001")).holds(phone(NUMBER))
    assert not _stones(redis, _settings("the-new-api-secret-0002")).holds(phone(NUMBER))


def test_a_short_erasure_key_is_refused_at_start_up() -> None:
    problems = startup_problems(_settings("an-api-secret-long-enough", "short"), None)
    assert any("OABRIDGE_ERASURE_KEY" in problem for problem in problems)
