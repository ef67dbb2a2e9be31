"""The session cookie and CSRF tokens, without HTTP."""

from __future__ import annotations

from bridge.admin import auth
from bridge.settings import Settings, load_settings

NOW = 1_800_000_000


def settings(token: str = "first-token-0123456789") -> Settings:
    return load_settings({"OABRIDGE_ADMIN_TOKEN": token})


def test_a_session_lasts_its_time_and_no_longer() -> None:
    cookie = auth.new_session(settings(), NOW)
    assert auth.session_valid(settings(), cookie, NOW)
    assert auth.session_valid(settings(), cookie, NOW + auth.SESSION_SECONDS)
    assert not auth.session_valid(settings(), cookie, NOW + auth.SESSION_SECONDS + 1)
    assert auth.session_valid(settings(), cookie, NOW - 30)  # another replica's clock
    assert not auth.session_valid(settings(), cookie, NOW - 3600)


def test_a_session_is_bound_to_the_token_and_cannot_be_edited() -> None:
    cookie = auth.new_session(settings(), NOW)
    assert "first-token" not in cookie
    assert not auth.session_valid(settings("rotated-token-0123456789"), cookie, NOW)
    assert not auth.session_valid(load_settings({}), cookie, NOW)  # page switched off
    issued, mac = cookie.split(".")
    assert not auth.session_valid(settings(), f"{int(issued) + 3600}.{mac}", NOW + 3600)
    for garbage in ("", ".", "x.y", mac, f"{issued}.", f"-5.{mac}"):
        assert not auth.session_valid(settings(), garbage, NOW)


def test_csrf_tokens_belong_to_one_session() -> None:
    one = auth.new_session(settings(), NOW)
    two = auth.new_session(settings(), NOW + 1)
    token = auth.csrf_token(settings(), one)
    assert auth.csrf_matches(token, auth.csrf_token(settings(), one))
    assert not auth.csrf_matches(token, auth.csrf_token(settings(), two))
    assert not auth.csrf_matches(token, "")


def test_the_token_check() -> None:
    assert auth.token_matches(settings(), "first-token-0123456789")
    assert not auth.token_matches(settings(), "first-token-012345678")
    assert not auth.token_matches(load_settings({}), "")  # no token: nobody gets in
