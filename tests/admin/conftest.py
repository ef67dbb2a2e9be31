"""The operator page served over real HTTP, in the service's app next to the ingress.

Two ways to real data: `seeded` writes records through the bridge's own stores (and
fails one real job against an API that is down), fast enough for the plain HTTP tests;
the browser test runs a whole flow (`make_flow`, imported from tests/flow) so the
delivered message has come back through the Twilio sandbox's status callback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from redis import Redis
from starlette.applications import Starlette

from bridge.clock import Clock
from bridge.domain.plan import PlanSettings
from bridge.http.app import create_app
from bridge.queueing.dequeue import build_worker
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.jobs import JOBS, JobSpec
from bridge.settings import Settings, load_settings
from bridge.store.conversations import Conversations, PendingChoice
from bridge.store.message_log import MessageLog, MessageRecord
from bridge.store.optouts import OptOuts
from bridge.store.plan_store import PlanStore
from tests.domain.builders import snapshot
from tests.flow.conftest import make_flow  # noqa: F401  (the browser test's fixture)
from tests.support.asgi_server import free_port, serve
from workers import runtime
from workers.runtime import Runtime

ADMIN_TOKEN = "admin-token-for-tests-0123456789abcdef"
#: The customers of the seeded data: none of these may appear in full on any page.
PHONE = "+31611112222"
OTHER_PHONE = "+31655556666"
EMAIL = "daan.jansen@example.nl"
FAILING_JOB = "sync-fails-for-good"


def admin_settings(redis_url: str, **extra: str) -> Settings:
    return load_settings({
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_SANDBOX_MODE": "1",
        "OABRIDGE_ADMIN_TOKEN": ADMIN_TOKEN,
        "OABRIDGE_API_URL": f"http://127.0.0.1:{free_port()}/APIREST",  # nothing listens
        "OABRIDGE_API_KEY": "admintests00-abcdef",
        "OABRIDGE_API_SECRET": "s3cr3t-value",
        "OABRIDGE_API_TIMEOUT": "0.5",
        **extra,
    })


def admin_app(settings: Settings, clock: Clock | None = None) -> Starlette:
    """The service's app: the ingress's routes and the operator page."""
    return create_app(settings, clock=clock)


@dataclass
class Admin:
    url: str
    settings: Settings
    http: httpx.Client

    def login(self) -> None:
        answer = self.http.post(f"{self.url}/admin/login", data={"token": ADMIN_TOKEN})
        assert answer.status_code == 303, answer.text


StartAdmin = Callable[..., Admin]


@pytest.fixture
def start_admin(redis: Redis, redis_url: str) -> Iterator[StartAdmin]:
    """Serve the ingress + admin page with settings changed by keyword (env names),
    on the system clock or the `clock` given."""
    with ExitStack() as stack:
        http = stack.enter_context(httpx.Client(follow_redirects=False))

        def start(clock: Clock | None = None, **extra: str) -> Admin:
            settings = admin_settings(redis_url, **extra)
            return Admin(stack.enter_context(serve(admin_app(settings, clock))), settings, http)

        yield start


@pytest.fixture
def admin(start_admin: StartAdmin) -> Admin:
    return start_admin()


def fail_a_job(redis: Redis, settings: Settings, job_id: str = FAILING_JOB) -> None:
    """A sync job with no retries left, run against an API that is down: it fails."""
    no_retry = JobSpec("workers.sync.sync_appointment", JOBS["sync_appointment"].queue, 30, ())
    JobWriter(redis).enqueue(no_retry, [27041, 502, None], job_id)
    rt = Runtime.from_settings(settings)
    runtime.install(rt)
    try:
        build_worker(redis, simple=True).work(burst=True, logging_level="CRITICAL")
    finally:
        runtime.install(None)
        rt.close()


@pytest.fixture
def seeded(redis: Redis, admin: Admin) -> Admin:
    """Records of each kind the page shows, written through the bridge's own stores."""
    now = datetime.now(UTC)
    retention = 90 * 86400
    log = MessageLog(redis, retention)
    text = f"Herinnering voor Daan. Vragen? Mail {EMAIL} of bel 06-11112222."
    log.open(MessageRecord("501:reminder:1d:1:sms", "501:reminder:1d:1", 501, "reminder",
                           "sms", PHONE, "claimed", text=text), now - timedelta(minutes=5))
    log.advance("501:reminder:1d:1:sms", "sent", now - timedelta(minutes=4))
    log.advance("501:reminder:1d:1:sms", "delivered", now - timedelta(minutes=3))
    log.open(MessageRecord("502:cancelled:-:1:email", "502:cancelled:-:1", 502, "cancelled",
                           "email", EMAIL, "claimed", text="Afgezegd.",
                           subject=f"Afspraak {PHONE}"), now)
    log.advance("502:cancelled:-:1:email", "failed", now, code=550, detail=f"rejected {EMAIL}")
    talk = Conversations(redis, retention)
    talk.remember(PHONE, 501, "reminder", now + timedelta(days=2), now)
    talk.ask(PHONE, PendingChoice("cancel", (501, 503), None))
    OptOuts(redis).opt_out(OTHER_PHONE, "STOP", now)
    PlanStore(redis).observe(
        [snapshot(start=now + timedelta(days=3), created=now - timedelta(days=1),
                  updated=now - timedelta(days=1))],
        PlanSettings.default(), now)
    fail_a_job(redis, admin.settings)
    return admin
