"""The change-detection flow end to end, in-process: sandbox over HTTP, real Redis,
RQ's SimpleWorker in burst mode, the ticker driven by hand, one manual clock for all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis
from starlette.types import ASGIApp

from bridge.booking import BookingClient
from bridge.domain.plan import PlannedMessage
from bridge.http.app import create_app as create_ingress
from bridge.queueing.dequeue import build_worker
from bridge.queueing.relay import Relay
from bridge.queueing.ticker import Ticker
from bridge.settings import Settings, load_settings
from bridge.store import keys
from bridge.store.message_log import MessageRecord
from sandbox.app import create_app
from sandbox.booking import BookingSandbox
from sandbox.clock import ManualClock
from sandbox.mail import MailSink
from sandbox.twilio import DEMO_NUMBER, TwilioSandbox
from tests.support.asgi_server import port_of, reserve_socket, serve
from workers import runtime
from workers.process import build_ticker
from workers.runtime import Runtime

Wrapper = Callable[[ASGIApp], ASGIApp]
FLOWS = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every flow is slow (`./scripts/test --fast` leaves them out): each runs the sandbox,
    the ingress and RQ workers for 1-5 s, together half of the suite without the soak."""
    for item in items:
        if item.path.is_relative_to(FLOWS):
            item.add_marker(pytest.mark.slow)


TWILIO_SID = "AC" + "f" * 32
TWILIO_TOKEN = "flow-test-twilio-token"
API_KEY = "flowtestkey1-abc123"
API_SECRET = "a" * 40
#: Monday 30 November 2026, 09:00 in Amsterdam.
START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@dataclass
class Flow:
    clock: ManualClock
    booking: BookingSandbox
    twilio: TwilioSandbox
    mail: MailSink
    sandbox_url: str
    settings: Settings
    redis: Redis
    rt: Runtime
    ticker: Ticker
    api: BookingClient  # the practice's own client, acting like another app
    cleanup: ExitStack = field(default_factory=ExitStack)

    def restart(self) -> None:
        """Every bridge process stops (handing back the ticker lease) and starts afresh."""
        self.ticker.release_lease()
        self.rt.close()
        self.rt = Runtime.from_settings(self.settings, clock=self.clock)
        self.cleanup.callback(self.rt.close)
        runtime.install(self.rt)
        self.ticker = build_ticker(self.rt)

    def run_jobs(self) -> int:
        """Relay accepted notices, then run every queued job with an in-process worker.
        A worker process's ticker reads the epoch each second, deciding it when it is
        missing (`Recovery.watch`), whether it leads or not: so does this first."""
        if self.ticker.watch is not None:
            self.ticker.watch(False)
        while Relay(self.redis, self.rt.writer, self.clock).pump():
            pass
        worker = build_worker(self.redis, simple=True)
        worker.work(burst=True, logging_level="WARNING")
        return worker.successful_job_count

    def poll(self) -> None:
        """Let a poll interval pass, tick, and run what the tick queued."""
        self.clock.advance(timedelta(seconds=self.settings.poll_interval))
        self.ticker.tick()
        self.run_jobs()

    def events(self) -> list[tuple[str, int]]:
        entries = self.redis.xrange(keys.EVENTS)
        return [(f[b"kind"].decode(), int(f[b"appointment"])) for _, f in entries]

    def skipped(self) -> list[dict[str, str]]:
        entries = self.redis.xrange(keys.SKIPPED)
        return [{k.decode(): v.decode() for k, v in f.items()} for _, f in entries]

    def sent(self, channel: str = "sms") -> list[MessageRecord]:
        """Messages the bridge handed to a provider, oldest first."""
        records = [r for r in self.rt.messages.recent(1000) if r.channel == channel]
        return sorted((r for r in records if r.provider_id), key=lambda r: r.created)

    def sent_keys(self, channel: str = "sms") -> list[str]:
        return [r.message_key for r in self.sent(channel)]

    def planned_for(self, appointment_id: int) -> list[PlannedMessage]:
        return [m for m in self.rt.plans.scheduled() if m.appointment_id == appointment_id]

    def failed_jobs(self) -> list[str]:
        from rq.registry import FailedJobRegistry

        return [
            job_id
            for name in ("replies", "send", "sync", "poll")
            for job_id in FailedJobRegistry(queue=self.rt.writer.queue(_queue(name))).get_job_ids()
        ]


def _queue(name: str):  # type: ignore[no-untyped-def]
    from bridge.queueing.jobs import QueueName

    return QueueName(name)


def flow_settings(api_url: str, redis_url: str, **extra: str) -> Settings:
    return load_settings({
        "OABRIDGE_API_URL": api_url,
        "OABRIDGE_API_KEY": API_KEY,
        "OABRIDGE_API_SECRET": API_SECRET,
        "OABRIDGE_REDIS_URL": redis_url,
        "OABRIDGE_SANDBOX_MODE": "1",
        **extra,
    })


@pytest.fixture
def make_flow(redis: Redis, redis_url: str) -> Iterator[Callable[..., Flow]]:
    def make(start: datetime = START, wrap: Wrapper | None = None, **extra: str) -> Flow:
        clock = ManualClock(start)
        booking = BookingSandbox(API_KEY, API_SECRET, clock=clock)
        ingress_socket = reserve_socket()  # bound now: the public URL needs its port
        stack.callback(ingress_socket.close)
        ingress_url = f"http://127.0.0.1:{port_of(ingress_socket)}"
        twilio = stack.enter_context(TwilioSandbox(
            TWILIO_SID, TWILIO_TOKEN, clock=clock, step_delay=0.01,
            inbound_url=f"{ingress_url}/twilio/inbound",
        ))
        mail = stack.enter_context(MailSink())
        app = create_app(booking, extra_routes=[*twilio.routes(), *mail.routes()])
        server = serve(wrap(app) if wrap else app)
        sandbox_url = stack.enter_context(server)
        api_url = f"{sandbox_url}/APIREST"
        settings = flow_settings(api_url, redis_url, **{
            "OABRIDGE_TWILIO_ACCOUNT_SID": TWILIO_SID,
            "OABRIDGE_TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
            "OABRIDGE_TWILIO_FROM": DEMO_NUMBER,
            "OABRIDGE_TWILIO_BASE_URL": sandbox_url,
            "OABRIDGE_SMTP_URL": f"smtp://127.0.0.1:{mail.port}",
            "OABRIDGE_MAIL_FROM": "praktijk@delinde.example",
            "OABRIDGE_PUBLIC_URL": ingress_url,
            "OABRIDGE_SMS_RATE": "0",
            **extra,
        })
        stack.enter_context(serve(create_ingress(settings), ingress_socket))
        rt = Runtime.from_settings(settings, clock=clock)
        runtime.install(rt)
        api = stack.enter_context(BookingClient(api_url, API_KEY, API_SECRET, clock=clock))
        flow = Flow(clock, booking, twilio, mail, sandbox_url, settings, redis, rt,
                    build_ticker(rt), api)
        flow.cleanup.callback(lambda: flow.rt.close())
        stack.enter_context(flow.cleanup)
        return flow

    with ExitStack() as stack:
        yield make
        runtime.install(None)


@pytest.fixture
def flow(make_flow: Callable[..., Flow]) -> Flow:
    return make_flow()
