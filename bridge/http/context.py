"""What every route needs, opened once per app in its lifespan and reached via `app.state`.

The Redis connections are opened when the app starts serving, not when it is built
(`bridge.http.app`), through the one connection factory (`bridge.store.connection`),
and closed when it stops. Opening does not talk to Redis: an ingress started while
Redis is down serves, and answers 503 until Redis is back (`bridge.http.problems`).
"""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from starlette.datastructures import State
from starlette.requests import Request

from bridge.clock import Clock
from bridge.observability.metrics import IngressMetrics
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.intake import Intake
from bridge.settings import Settings
from bridge.settings.webhook_secrets import WebhookKeys
from bridge.store.connection import connect, connect_async
from bridge.store.conversations import Conversations
from bridge.store.inbound import InboundStore
from bridge.store.message_log import MessageLog
from bridge.store.optouts import OptOuts
from bridge.store.poll_triggers import PollTriggers
from bridge.store.replication import Replication

__all__ = ["SOCKET_TIMEOUT_SECONDS", "AppContext", "context_in", "context_of"]

#: Shorter than the factory's default: Twilio waits 15 s for an inbound webhook's answer,
#: and a route makes a few Redis calls; a stalled Redis must become a 503 within that.
SOCKET_TIMEOUT_SECONDS = 5.0


@dataclass
class AppContext:
    settings: Settings
    #: The one source of "now" for every route (signature windows, records, sessions).
    clock: Clock
    redis: AsyncRedis
    #: For the stores below, RQ's command building and the operator page's reads, which
    #: are blocking calls run in the thread pool (they are few; a sync client keeps them
    #: simple). One pool, shared: redis-py's pools are thread-safe.
    sync_redis: Redis
    intake: Intake
    writer: JobWriter
    #: Verify Standard-Webhooks signatures (two secrets while rotating one); None only in
    #: sandbox mode without a secret.
    webhook: WebhookKeys | None
    metrics: IngressMetrics
    message_log: MessageLog
    inbound: InboundStore
    conversations: Conversations
    optouts: OptOuts
    #: When triggers last queued each agenda's poll (the minimum interval between them).
    poll_triggers: PollTriggers

    @classmethod
    def open(cls, settings: Settings, clock: Clock) -> AppContext:
        """Everything the routes use, with its connection pools (no connection made yet)."""
        target = settings.redis_target
        redis = connect_async(target, socket_timeout=SOCKET_TIMEOUT_SECONDS)
        sync_redis = connect(target, socket_timeout=SOCKET_TIMEOUT_SECONDS)
        retention = settings.retention_days * 86400
        return cls(
            settings=settings,
            clock=clock,
            redis=redis,
            sync_redis=sync_redis,
            intake=Intake(redis, Replication.of(target)),
            # Lets RQ build its commands (and learn the server version once); every
            # write from a route goes through the intake's asyncio connection.
            writer=JobWriter(sync_redis),
            webhook=settings.webhook_keys,
            metrics=IngressMetrics(),
            message_log=MessageLog(sync_redis, retention),
            inbound=InboundStore(sync_redis, retention),
            conversations=Conversations(sync_redis, retention),
            optouts=OptOuts(sync_redis),
            poll_triggers=PollTriggers(redis),
        )

    async def aclose(self) -> None:
        await self.redis.aclose()
        self.sync_redis.close()


def context_in(state: State) -> AppContext:
    """The context of an app whose lifespan has started (set by `bridge.http.app`)."""
    context: AppContext | None = getattr(state, "context", None)
    if context is None:
        raise RuntimeError("the app has not started: serve it with its lifespan on")
    return context


def context_of(request: Request) -> AppContext:
    return context_in(request.app.state)
