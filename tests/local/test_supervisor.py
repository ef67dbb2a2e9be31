"""The demo's supervisor says why a child stopped at start, not only where its log is:
a setting refused at start-up (a user's own short admin token) is one line, shown at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.local.supervisor import Supervisor
from tests.support.asgi_server import free_port


def test_a_child_refused_at_start_up_is_named_with_its_reason(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("OABRIDGE_")}
    env |= {"OABRIDGE_SANDBOX_MODE": "1", "OABRIDGE_ADMIN_TOKEN": "short",
            "OABRIDGE_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    supervisor = Supervisor(env, tmp_path / "logs")
    port = free_port()
    ingress = supervisor.start("ingress", ["serve", "--port", str(port)])
    try:
        with pytest.raises(RuntimeError) as refused:
            supervisor.wait_until_answering(ingress, f"http://127.0.0.1:{port}/healthz")
    finally:
        supervisor.stop()
    message = str(refused.value)
    assert message.startswith("ingress exited at start: ")
    assert "OABRIDGE_ADMIN_TOKEN" in message and "16 characters" in message
    assert str(tmp_path / "logs" / "ingress.log") in message
