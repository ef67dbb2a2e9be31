"""What every ingress route needs, built once per app and reached via `request.app.state`."""

from __future__ import annotations

from dataclasses import dataclass

from redis import Redis
from redis.asyncio import Redis as AsyncRedis
from standardwebhooks import Webhook
from starlette.requests import Request

from bridge.observability.metrics import IngressMetrics
from bridge.queueing.enqueue import JobWriter
from bridge.queueing.intake import Intake
from bridge.settings import Settings
from bridge.store.inbound import InboundStore
from bridge.store.message_log import MessageLog

__all__ = ["IngressContext", "context_of"]


@dataclass
class IngressContext:
    settings: Settings
    redis: AsyncRedis
    intake: Intake
    writer: JobWriter
    #: Verifies Standard-Webhooks signatures; None only in sandbox mode without a secret.
    webhook: Webhook | None
    metrics: IngressMetrics
    #: Written from a thread pool (callbacks are few; the sync client keeps it simple).
    message_log: MessageLog
    inbound: InboundStore

    @classmethod
    def build(cls, settings: Settings) -> IngressContext:
        secret = settings.webhook_secret.get_secret_value()
        redis = AsyncRedis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
        sync_redis = Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
        return cls(
            settings=settings,
            redis=redis,
            intake=Intake(redis),
            # The sync connection only lets RQ build its commands (and learn the server
            # version once); every write goes through the asyncio connection.
            writer=JobWriter(Redis.from_url(settings.redis_url, socket_timeout=5,
                                            socket_connect_timeout=2)),
            webhook=Webhook(secret) if secret else None,
            metrics=IngressMetrics(),
            message_log=MessageLog(sync_redis, settings.retention_days * 86400),
            inbound=InboundStore(sync_redis, settings.retention_days * 86400),
        )


def context_of(request: Request) -> IngressContext:
    context: IngressContext = request.app.state.ingress
    return context
