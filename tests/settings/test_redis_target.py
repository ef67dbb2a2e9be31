"""The Redis settings: Sentinels and their master's name go together, each Sentinel is a
host and a port, and the replicas' rule has bounds; `redis_target` is built once."""

from __future__ import annotations

import pytest

from bridge.settings import SettingsError, load_settings
from bridge.settings.redis_target import DEFAULT_REPLICA_TIMEOUT_MS, ConfiguredRedis

SENTINELS = "OABRIDGE_REDIS_SENTINELS"
MASTER = "OABRIDGE_REDIS_SENTINEL_MASTER"


def test_without_sentinels_the_target_is_the_url() -> None:
    settings = load_settings({"OABRIDGE_REDIS_URL": "redis://r.example:6380/2"})
    assert settings.redis_target == ConfiguredRedis("redis://r.example:6380/2")
    assert settings.redis_target.min_replicas == 0
    assert settings.redis_target.replica_timeout_ms == DEFAULT_REPLICA_TIMEOUT_MS
    assert settings.redis_target is settings.redis_target  # built once


def test_sentinels_with_their_master_and_replicas() -> None:
    settings = load_settings({
        "OABRIDGE_REDIS_URL": "rediss://:pw@ignored:1/3",
        SENTINELS: " s1.redis:26379 ,[fd00::7]:26380,10.0.0.9:26381", MASTER: "mymaster",
        "OABRIDGE_REDIS_MIN_REPLICAS": "1", "OABRIDGE_REDIS_REPLICA_TIMEOUT_MS": "250",
    })
    assert settings.redis_target == ConfiguredRedis(
        "rediss://:pw@ignored:1/3",
        (("s1.redis", 26379), ("fd00::7", 26380), ("10.0.0.9", 26381)), "mymaster", 1, 250)


@pytest.mark.parametrize(("value", "named"), [
    ("s1:26379,s2", "'s2' is not host:port"),
    ("s1:0", "'s1:0' has no port from 1 to 65535"),
    ("s1:65536", "'s1:65536' has no port"),
    ("s1:x", "'s1:x' has no port"),
    (":26379", "':26379' is not host:port"),
    ("s 1:26379", "'s 1:26379' has no valid host"),
    ("s1:²", "'s1:²' has no port"),
    (",", "',' names no Sentinel"),
    (" , ", "' , ' names no Sentinel"),
    ("a:b:26379", "'a:b:26379' has a ':' in its host: write an IPv6 host in brackets"),
    ("::1:26379", "'::1:26379' has a ':' in its host"),
])
def test_a_bad_sentinel_is_named(value: str, named: str) -> None:
    with pytest.raises(SettingsError, match=f"{SENTINELS}: {named}"):
        load_settings({SENTINELS: value, MASTER: "mymaster"})


def test_sentinels_need_their_master_and_a_master_needs_sentinels() -> None:
    with pytest.raises(SettingsError, match=f"{MASTER}: required when {SENTINELS} is set"):
        load_settings({SENTINELS: "s1:26379"})
    with pytest.raises(SettingsError, match=f"{MASTER}: set without {SENTINELS}"):
        load_settings({MASTER: "mymaster"})
    with pytest.raises(SettingsError, match=MASTER):
        load_settings({SENTINELS: "s1:26379", MASTER: "my master"})


def test_sentinels_need_a_network_url() -> None:
    with pytest.raises(SettingsError, match=f"{SENTINELS}: needs a redis:// or rediss://"):
        load_settings({SENTINELS: "s1:26379", MASTER: "m",
                       "OABRIDGE_REDIS_URL": "unix:///run/redis.sock"})


@pytest.mark.parametrize(("name", "value"), [
    ("OABRIDGE_REDIS_MIN_REPLICAS", "-1"),
    ("OABRIDGE_REDIS_MIN_REPLICAS", "17"),
    ("OABRIDGE_REDIS_REPLICA_TIMEOUT_MS", "0"),  # WAIT 0 would wait for ever
    ("OABRIDGE_REDIS_REPLICA_TIMEOUT_MS", "5000"),  # longer than the ingress's socket timeout
])
def test_the_replicas_rule_is_bounded(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})


@pytest.mark.parametrize("option", ["socket_timeout", "socket_connect_timeout"])
@pytest.mark.parametrize("with_sentinels", [False, True])
def test_the_url_may_not_set_the_bridges_timeouts(option: str, with_sentinels: bool) -> None:
    """With Sentinels such an option ended in a TypeError at connect (two values for one
    keyword); without, it silently replaced the bridge's timeouts: refused either way,
    with the setting and the option named (and not the URL's password)."""
    env = {"OABRIDGE_REDIS_URL": f"redis://:hunter2@r:6379/0?{option}=30"}
    if with_sentinels:
        env |= {SENTINELS: "s1:26379", MASTER: "mymaster"}
    with pytest.raises(SettingsError, match=f"OABRIDGE_REDIS_URL: must not set {option}") \
            as raised:
        load_settings(env)
    assert "hunter2" not in str(raised.value)


def test_other_url_options_and_bracketed_ipv6_are_kept() -> None:
    settings = load_settings({"OABRIDGE_REDIS_URL": "redis://r:6379/0?health_check_interval=5",
                              SENTINELS: "[::1]:26379", MASTER: "m"})
    assert settings.redis_target.sentinels == (("::1", 26379),)
