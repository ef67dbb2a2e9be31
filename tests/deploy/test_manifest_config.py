"""The manifests' configuration: every variable is a setting, secrets sit in the Secret
with placeholders that fail closed, each overlay's ConfigMap is a valid configuration,
and dev runs as rendered against the sandbox."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest

from bridge.settings import Settings, SettingsError, load_settings, load_startup_settings
from tests.deploy.config_objects import config_map, secret_values
from tests.deploy.conftest import OVERLAYS, Manifest, bridge_containers, find, one

Render = Callable[[str], list[Manifest]]

SETTING_NAMES = {"OABRIDGE_" + field.upper() for field in Settings.model_fields}


@pytest.mark.parametrize("overlay", [*OVERLAYS, "base"])
def test_every_oabridge_variable_is_a_setting(rendered: Render, overlay: str) -> None:
    objects = rendered(overlay)
    names: set[str] = set()
    for obj in find(objects, "ConfigMap") + find(objects, "Secret"):
        names |= set(obj.get("data", {})) | set(obj.get("stringData", {}))
    for _, _, container in bridge_containers(objects):
        names |= {env["name"] for env in container.get("env", [])}
    # Anything else that spells a variable, e.g. inside the worker's probe.
    names |= set(re.findall(r"\bOABRIDGE_[A-Z0-9_]+", repr(objects)))
    unknown = {n for n in names if n.startswith("OABRIDGE_")} - SETTING_NAMES
    assert not unknown, f"no setting reads {sorted(unknown)}"


def test_secret_template_holds_the_secrets_with_placeholders(rendered: Render) -> None:
    template = secret_values(one(rendered("base"), "Secret", "oabridge"))
    for name in ["OABRIDGE_API_KEY", "OABRIDGE_API_SECRET", "OABRIDGE_WEBHOOK_SECRET",
                 "OABRIDGE_TRIGGER_TOKEN", "OABRIDGE_TWILIO_AUTH_TOKEN",
                 "OABRIDGE_REDIS_URL", "OABRIDGE_SMTP_URL"]:
        assert template[name] == "CHANGE_ME", name
    config = config_map(rendered("base"))["data"]
    assert not set(config) & set(template), "a variable in both: envFrom's order would decide"
    for name in config:  # a secret-looking value must not sit in the ConfigMap
        assert not re.search(r"SECRET|TOKEN|PASSWORD|_KEY$|REDIS_URL|SMTP_URL", name), name


def test_the_template_fails_closed(rendered: Render) -> None:
    """Deployed unchanged, the placeholders stop start-up with the variables named."""
    env = {**config_map(rendered("base"))["data"],
           **secret_values(one(rendered("base"), "Secret", "oabridge"))}
    with pytest.raises(SettingsError) as caught:
        load_settings({k: v for k, v in env.items() if k.startswith("OABRIDGE_")})
    for name in ["OABRIDGE_REDIS_URL", "OABRIDGE_WEBHOOK_SECRET", "OABRIDGE_SMTP_URL"]:
        assert name in str(caught.value)


@pytest.mark.parametrize("overlay", [*OVERLAYS, "base"])
def test_config_map_is_a_valid_configuration(rendered: Render, overlay: str) -> None:
    load_settings(config_map(rendered(overlay))["data"])


def test_dev_runs_as_rendered_against_the_sandbox(rendered: Render) -> None:
    from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
    from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER

    objects = rendered("dev")
    env = {**config_map(objects)["data"], **secret_values(one(objects, "Secret", "oabridge"))}
    settings = load_settings(env)
    assert settings.webhook_secret.get_secret_value()  # `serve` refuses to start without
    assert settings.sandbox_mode  # else the processes refuse the demo credentials:
    load_startup_settings("serve", env)
    load_startup_settings("worker", env)
    assert (settings.api_key, settings.api_secret.get_secret_value()) == (
        DEMO_API_KEY, DEMO_API_SECRET)
    assert (settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()) == (
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    assert settings.twilio_from == DEMO_NUMBER
    services = {s["metadata"]["name"]: s for s in find(objects, "Service")}
    for url in [settings.redis_url, settings.api_url, settings.twilio_base_url,
                settings.smtp_url, settings.public_url]:
        host, port = urlsplit(url).hostname, urlsplit(url).port or 80
        assert host in services, f"{url}: no Service {host}"
        assert port in {p["port"] for p in services[host]["spec"]["ports"]}, url


def test_production_renders_no_secret(rendered: Render) -> None:
    """Applying production must never overwrite the real Secret with the template."""
    assert not find(rendered("production"), "Secret")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bridge_pods_read_the_config_map_and_the_secret(rendered: Render, overlay: str) -> None:
    objects = rendered(overlay)
    config_name = config_map(objects)["metadata"]["name"]
    for name, _, container in bridge_containers(objects):
        sources = container.get("envFrom", [])
        if container["args"][0] == "sandbox":
            continue
        assert {"configMapRef": {"name": config_name}} in sources, name
        assert {"secretRef": {"name": "oabridge"}} in sources, name


