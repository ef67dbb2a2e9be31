"""Finding 5: JSON nested 1,500 deep is a 400, not a 500 from a `RecursionError`.

`json.loads` recurses once per level; 1,500 `[` (1.5 KB, far under the body limit)
exhausted the recursion limit, on `/webhooks/booking` in sandbox mode (where no
signature is needed) and on `/triggers/poll`. Served over real HTTP.
"""

from __future__ import annotations

import httpx
import pytest
from redis import Redis

from bridge.http.app import create_app
from bridge.settings import load_settings
from bridge.store import keys
from tests.ingress.conftest import TRIGGER_TOKEN, ingress_settings
from tests.support.asgi_server import serve

AUTH = {"authorization": f"Bearer {TRIGGER_TOKEN}"}
DEEP = ["[" * 1_500, "[" * 1_500 + "]" * 1_500, '{"a":' * 1_500 + "1" + "}" * 1_500,
        "[" * 60_000]


def nested_in(field: str, depth: int) -> str:
    return '{"' + field + '": ' + "[" * depth + "]" * depth + "}"


@pytest.mark.parametrize("body", [*DEEP, nested_in("agenda_id", 1_500)],
                         ids=["open", "closed", "objects", "60k", "in-a-field"])
def test_deep_json_on_the_poll_trigger_is_a_400(redis: Redis, redis_url: str, body: str) -> None:
    with serve(create_app(ingress_settings(redis_url))) as url:
        answer = httpx.post(f"{url}/triggers/poll", content=body, headers=AUTH)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"].startswith(("body:", "agenda_id:"))
    assert redis.llen(keys.INTAKE) == 0


@pytest.mark.parametrize("body", [*DEEP, '{"type": "appointment.changed", "data": '
                                  + "[" * 1_500 + "]" * 1_500 + "}"],
                         ids=["open", "closed", "objects", "60k", "in-a-field"])
def test_deep_json_on_an_unsigned_sandbox_webhook_is_a_400(
    redis: Redis, redis_url: str, body: str
) -> None:
    sandbox = load_settings({"OABRIDGE_REDIS_URL": redis_url, "OABRIDGE_SANDBOX_MODE": "1"})
    with serve(create_app(sandbox)) as url:
        answer = httpx.post(f"{url}/webhooks/booking", content=body,
                            headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert redis.llen(keys.INTAKE) == 0
