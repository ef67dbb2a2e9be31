"""`load_settings` on any value of any `OABRIDGE_` setting, and on odd variable names.

The answer is a `Settings` object or a `SettingsError` naming the variable (the
documented error), never another exception. And a `Settings` that was accepted is
usable: the values derived from it at start-up (time zone, watched agendas, message
rules, the `oabridge config` listing, whether the sender takes replies) do not raise.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridge.settings import ENV_PREFIX, Settings, SettingsError, load_settings
from tests.fuzz.conftest import fuzz_settings, no_hang

#: Every variable, e.g. OABRIDGE_TIMEZONE.
NAMES = sorted(Settings.env_name(name) for name in Settings.model_fields)

NUMBERS = [
    "0", "1", "-1", "+5", " 7 ", "1_000", "1e3", "1.0", "1.5", "0x10", "١٢", "²", "nan", "NaN",
    "inf", "-inf", "1e309", "9" * 5000, "9" * 30, "", " ", "true", "None",
]
FLAGS = ["1", "0", "true", "False", "yes", "off", "on", "t", "2", "", " ", "ja", "\x00"]
URLS = [
    "http://x", "https://api.example.nl/APIREST", "http://[x", "http://[::1]:80/",
    "http://u:p@[x", "redis://:pw@127.0.0.1:6379/0", "redis://[::1", "rediss://h", "unix:///s",
    "smtp://user:pass@host:587?starttls=1", "smtps://h:465", "smtp://[", "ftp://x", "//[",
    "http://h:99999", "http://h:x", "http://", "x", "", "\ud800", "http://\x00",
]
ZONES = [
    "Europe/Amsterdam", "UTC", "America", "Europe", "Europe/", "Etc", "__pycache__", "zone.tab",
    "tzdata.zi", "leapseconds", "posixrules", "Factory", "x" * 300, "a/" * 200, "..", "../x",
    "/etc/localtime", "Europe/../Europe/Amsterdam", "\x00", "Europe/Amsterdam\n", "\ud800",
]
SHAPES = [  # offsets, quiet hours, channels, agenda ids, senders, languages
    "1d", "1d,2h", "1d,1d", "0d", "366d", "999999999999d", "1x", "1d,", ",", "d", "1 d",
    "21:00-08:00", "08:00-08:00", "24:00-01:00", "9:00-10:00", "off", "none", "21:00-",
    "reminder:both", "reminder:sms,cancelled:email", "x:y", "reminder:", ":sms",
    "1,2,3", "1,,2", " 1 , 2 ", "1,x", "²", "١", "-1",
    "+31612345678", "+", "+31 6", "Praktijk", "PraktijkXYZW", "12345", "Ünïcode", "nl", "en",
]
SECRETS = ["whsec_" + "A" * 24, "whsec_", "whsec_é", "A" * 22, "whsec_" + "A" * 20 + "=", ""]

#: Every curated value, each tried for every variable before any generated one.
CURATED = list(dict.fromkeys(NUMBERS + FLAGS + URLS + ZONES + SHAPES + SECRETS))

value = st.one_of(
    st.sampled_from(CURATED),
    st.text(max_size=60),
    st.text(alphabet=string.digits + ",:-dhms .", max_size=30),
    st.integers().map(str),
    st.floats().map(str),
)


def use(settings: Settings) -> None:
    """What start-up derives from the settings."""
    assert settings.tz is not None
    assert all(isinstance(agenda, int) for agenda in settings.watched_agendas)
    settings.plan_settings(requires_confirmation=True)
    rows = settings.describe()
    assert len(rows) == len(NAMES)
    for (_name, shown), field in zip(rows, Settings.model_fields, strict=True):
        secret = getattr(settings, field)
        if hasattr(secret, "get_secret_value") and secret.get_secret_value():
            assert shown == "****"
    assert isinstance(settings.sender_takes_replies, bool)


def load(environ: dict[str, str]) -> Settings | None:
    with no_hang():
        try:
            settings = load_settings(environ)
        except SettingsError as exc:
            message = str(exc)
            assert message.startswith("invalid configuration: ")
            assert any(name in message for name in environ), message
            return None
        use(settings)
    return settings


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_any_value_of_one_setting_is_accepted_or_a_settings_error(name: str) -> None:
    for text in CURATED:
        load({name: text})

    @fuzz_settings(60)
    @given(value)
    def one(text: str) -> None:
        load({name: text})

    one()


@pytest.mark.slow
@fuzz_settings(300)
@given(st.dictionaries(st.sampled_from(NAMES), value, max_size=8))
def test_any_mix_of_settings_is_accepted_or_a_settings_error(environ: dict[str, str]) -> None:
    load(environ)


names = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(NAMES).map(str.lower),
    st.sampled_from(NAMES).map(lambda n: n[:-1]),  # a typo
    st.text(alphabet=string.ascii_uppercase + "_", max_size=20).map(ENV_PREFIX.__add__),
    st.text(max_size=20).map(ENV_PREFIX.__add__),
    st.text(max_size=20),
)


@fuzz_settings(200)
@given(st.dictionaries(names, value, max_size=5))
def test_any_variable_names_are_accepted_or_a_settings_error(environ: dict[str, str]) -> None:
    load(environ)


# The bugs these properties found, pinned.


@pytest.mark.parametrize("zone", ["America", "Europe", "__pycache__", "x" * 300])
def test_a_zone_database_directory_or_an_overlong_name_is_a_settings_error(zone: str) -> None:
    with pytest.raises(SettingsError, match="OABRIDGE_TIMEZONE: unknown time zone"):
        load_settings({"OABRIDGE_TIMEZONE": zone})


@pytest.mark.parametrize("ids", ["²", "1,²", "١", "9" * 19, "9" * 5000])
def test_agenda_ids_are_ascii_digits_that_fit_an_id(ids: str) -> None:
    # These used to pass ("²".isdigit() is true), and `watched_agendas` then raised.
    with pytest.raises(SettingsError, match="OABRIDGE_AGENDA_IDS"):
        load_settings({"OABRIDGE_AGENDA_IDS": ids})
    assert load_settings({"OABRIDGE_AGENDA_IDS": " 1 , 2 "}).watched_agendas == (1, 2)


@pytest.mark.parametrize(
    ("name", "url", "shown"),
    [("OABRIDGE_MAIL_FROM", "http://[x", "http://[x"),
     ("OABRIDGE_PRACTICE_PHONE", "http://user:secret@[x", "http://user:****@[x"),
     ("OABRIDGE_PRACTICE_NAME", "//[", "//[")],
)
def test_describe_lists_a_value_urlsplit_cannot_read(name: str, url: str, shown: str) -> None:
    rows: dict[str, Any] = dict(load_settings({name: url}).describe())
    assert rows[name] == shown


@pytest.mark.parametrize(("name", "value"), [
    ("OABRIDGE_SMS_RATE", "inf"),
    ("OABRIDGE_SMS_RATE", "nan"),
    ("OABRIDGE_PUBLIC_URL", "bridge.example.nl"),
    ("OABRIDGE_PUBLIC_URL", "ftp://bridge.example.nl"),
    ("OABRIDGE_TWILIO_BASE_URL", "localhost:8765"),
])
def test_settings_the_fuzzing_let_through_are_refused(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({name: value})
    assert name in str(refused.value)
