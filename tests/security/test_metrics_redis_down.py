"""Finding 5: `/metrics` answers during a Redis outage, and says Redis is down.

It answered 503, so the outage erased the ingress's own figures (answers by status,
jobs accepted) just when they were wanted. Now it answers 200 with those and
`oabridge_redis_up 0`, leaving out the figures it reads from Redis (a stale value
would look current); with Redis back, `oabridge_redis_up 1` and all of them.
"""

from __future__ import annotations

import httpx
from redis import Redis

from bridge.http.app import create_app
from tests.ingress.conftest import ingress_settings
from tests.support.asgi_server import free_port, serve

FROM_REDIS = ("oabridge_queue_depth", "oabridge_intake_depth", "oabridge_events",
              "oabridge_messages")


def test_metrics_while_redis_is_down() -> None:
    down = ingress_settings(f"redis://127.0.0.1:{free_port()}/0")
    with serve(create_app(down)) as url, httpx.Client(base_url=url, timeout=10) as http:
        assert http.post("/triggers/poll").status_code == 401  # counted by the process
        assert http.get("/readyz").status_code == 503
        answer = http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    text = answer.text
    assert "oabridge_redis_up 0.0" in text
    assert 'oabridge_http_requests_total{route="/triggers/poll",status="401"} 1.0' in text
    assert not [name for name in FROM_REDIS if f"\n{name}" in text]


def test_metrics_with_redis_up_say_so(redis: Redis, redis_url: str) -> None:
    with serve(create_app(ingress_settings(redis_url))) as url:
        text = httpx.get(f"{url}/metrics").text
    assert "oabridge_redis_up 1.0" in text and "oabridge_intake_depth 0.0" in text
