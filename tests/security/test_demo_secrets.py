"""Finding 2 (#15): the sandbox's public demo credentials stop a process outside
sandbox mode; in sandbox mode (the demo, dev) they run.

The product keeps its own list of them (hashes, `bridge.settings.demo_credentials`),
because it must not import the sandbox: the first test keeps that list exactly what
the sandbox and the dev overlay publish.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from bridge.settings import load_startup_settings
from bridge.settings.demo_credentials import DEMO_CREDENTIAL_HASHES, credential_hash
from bridge.settings.secret_checks import Process
from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER
from tests.security.secret_startup import GOOD, ROOT, environment, refusal
from tests.support.asgi_server import free_port

DEV_SECRET = Path(__file__).resolve().parents[2] / "deploy/overlays/dev/secret.env"


def dev_secret() -> dict[str, str]:
    lines = DEV_SECRET.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


#: Each published value, and the variable it is published for.
PUBLISHED = {
    "API_KEY": DEMO_API_KEY,
    "API_SECRET": DEMO_API_SECRET,
    "TWILIO_ACCOUNT_SID": DEMO_ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": DEMO_AUTH_TOKEN,
    "WEBHOOK_SECRET": dev_secret()["OABRIDGE_WEBHOOK_SECRET"],
    "TRIGGER_TOKEN": dev_secret()["OABRIDGE_TRIGGER_TOKEN"],
}


def test_the_products_list_is_what_the_sandbox_and_dev_publish() -> None:
    published = {credential_hash(value) for value in PUBLISHED.values()}
    assert published == set(DEMO_CREDENTIAL_HASHES)
    # Every secret of the dev overlay is one of them (or not a credential at all).
    for name, value in dev_secret().items():
        if not name.endswith("_URL"):
            assert credential_hash(value) in DEMO_CREDENTIAL_HASHES, name


@pytest.mark.slow
@pytest.mark.parametrize(("command", "name"), [
    ("worker", "API_KEY"), ("worker", "API_SECRET"), ("worker", "TWILIO_ACCOUNT_SID"),
    ("serve", "TWILIO_AUTH_TOKEN"), ("serve", "WEBHOOK_SECRET"), ("serve", "TRIGGER_TOKEN"),
])
def test_a_demo_credential_stops_the_process_outside_sandbox_mode(
    command: str, name: str
) -> None:
    line = refusal(command, environment(**{name: PUBLISHED[name]}))
    assert line.startswith(f"oabridge: invalid configuration: OABRIDGE_{name} is a public "
                           "demo credential of the sandbox; set a real secret"), line
    assert PUBLISHED[name] not in line


@pytest.mark.slow
def test_a_demo_credential_under_another_name_stops_it_too() -> None:
    line = refusal("serve", environment(ADMIN_TOKEN=DEMO_AUTH_TOKEN))
    assert "OABRIDGE_ADMIN_TOKEN is a public demo credential" in line


def demo_environment() -> dict[str, str]:
    """What `oabridge up` and dev run with: every published value, in sandbox mode."""
    return {**GOOD, **{f"OABRIDGE_{name}": value for name, value in PUBLISHED.items()},
            "OABRIDGE_TWILIO_FROM": DEMO_NUMBER, "OABRIDGE_SANDBOX_MODE": "1"}


def test_in_sandbox_mode_the_demo_credentials_are_allowed() -> None:
    processes: list[Process | None] = ["serve", "worker", None]
    for process in processes:
        load_startup_settings(process, demo_environment())


@pytest.mark.slow
def test_in_sandbox_mode_the_ingress_starts_with_them() -> None:
    """The refusals above are not a process that never starts: this one serves (its
    Redis answers nothing, which `/healthz` does not need)."""
    port = free_port()
    env = {**environment(), **demo_environment()}
    ingress = subprocess.Popen(
        [sys.executable, "-m", "bridge.cli.main", "serve", "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # poll the other process until it answers
            assert ingress.poll() is None, ingress.communicate()[1]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the ingress did not answer"
            time.sleep(0.1)
    finally:
        ingress.terminate()
        ingress.communicate(timeout=30)
