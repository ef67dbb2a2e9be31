"""`oabridge practices`: add, list, show, set, the modes, remove and the key's rotation,
as an operator types them; a refusal is one line naming what, and status 2 (#17)."""

from __future__ import annotations

import os

import pytest
from redis import Redis

from bridge.cli.main import main
from bridge.practices import SecretBox
from bridge.settings import SettingsError, load_settings
from bridge.store import keys

KEY = SecretBox.new_key()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    for name in list(os.environ):
        if name.startswith("OABRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("OABRIDGE_REDIS_URL", redis_url)
    monkeypatch.setenv("OABRIDGE_SECRETS_KEY", KEY)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["practices", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_a_practice_from_add_to_remove(env: None, redis: Redis,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "add", "fysio", "--api-key", "fysio-key", "--api-secret",
                       "fysio-secret-value", "--sender", "+31612345678", "--name",
                       "Fysio De Linde", "--agenda-ids", "1,2")
    assert code == 0 and "in shadow" in out
    code, out, _ = run(capsys, "list")
    lines = out.splitlines()
    assert lines[0].startswith("default  live")
    assert lines[1].startswith("fysio  shadow") and "+31612345678" in lines[1]
    assert "fysio-secret-value" not in out
    code, out, _ = run(capsys, "show", "fysio")
    assert "  --api-secret: ********" in out and "  --agenda-ids: 1,2" in out
    assert "fysio-secret-value" not in out
    assert run(capsys, "set", "fysio", "--language", "en")[0] == 0
    assert "  --language: en" in run(capsys, "show", "fysio")[1]
    assert "fysio: live since" in run(capsys, "go-live", "fysio")[1]
    assert "fysio: paused since" in run(capsys, "pause", "fysio")[1]
    assert "fysio: live since" in run(capsys, "resume", "fysio")[1]
    assert run(capsys, "remove", "fysio")[0] == 0
    assert not redis.hexists(keys.PRACTICES, "fysio")


@pytest.mark.parametrize(("argv", "said"), [
    (["add", "x_y", "--api-key", "k", "--api-secret", "s"], "practice slug 'x_y'"),
    (["add", "salon", "--api-key", "k", "--api-secret", "s", "--language", "fr"],
     "--language: must be nl or en"),
    (["show", "nobody"], "no practice 'nobody'"),
    (["go-live", "default"], "practice default is live, not in shadow"),
    (["resume", "default"], "practice default is live, not paused"),
    (["set", "default"], "nothing to set"),
])
def test_a_refusal_names_what_and_changes_nothing(
        env: None, redis: Redis, capsys: pytest.CaptureFixture[str], argv: list[str],
        said: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and said in err and len(err.splitlines()) == 1
    assert not redis.exists(keys.PRACTICES)


def test_without_a_secrets_key_no_secret_is_stored(
        env: None, redis: Redis, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("OABRIDGE_SECRETS_KEY")
    code, _, err = run(capsys, "add", "salon", "--api-key", "k", "--api-secret", "s")
    assert code == 2 and "needs OABRIDGE_SECRETS_KEY" in err
    assert not redis.exists(keys.PRACTICES)


def test_rotating_the_key_in_two_steps(env: None, redis: Redis,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "add", "salon", "--api-key", "k", "--api-secret", "salon-secret")
    code, new_key, _ = run(capsys, "new-key")
    assert code == 0
    monkeypatch.setenv("OABRIDGE_SECRETS_KEY", f"{new_key.strip()},{KEY}")
    assert "re-encrypted 1 stored secrets" in run(capsys, "rotate-key")[1]
    monkeypatch.setenv("OABRIDGE_SECRETS_KEY", new_key.strip())
    out = run(capsys, "list")[1]
    assert "salon  shadow" in out and "settings refused" not in out


def test_a_secrets_key_that_is_no_fernet_key_stops_every_command() -> None:
    with pytest.raises(SettingsError, match="OABRIDGE_SECRETS_KEY: key 1 is not a Fernet"):
        load_settings({"OABRIDGE_SECRETS_KEY": "hunter2"})
