"""`POST /triggers/poll`: ask for a poll of one agenda, or of all, now.

Authorised by a bearer token from settings. A poll already queued for an agenda is
not queued again (the claim is released when the poll starts).
"""

from __future__ import annotations

import hmac
import json
import uuid

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bridge.http.body import read_limited
from bridge.http.context import context_of
from bridge.http.problems import Problem
from bridge.queueing.jobs import ALL_AGENDAS
from bridge.store import keys

__all__ = ["poll_trigger"]


class PollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agenda_id: int | None = Field(default=None, strict=True, gt=0)


def _authorise(request: Request) -> None:
    token = context_of(request).settings.trigger_token.get_secret_value()
    given = request.headers.get("authorization", "")
    scheme, _, credential = given.partition(" ")
    if not token or scheme.lower() != "bearer" or not hmac.compare_digest(
        credential.strip().encode(), token.encode()
    ):
        raise Problem(401, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"})


def _parse(body: bytes) -> PollRequest:
    if not body.strip():
        return PollRequest()
    try:
        return PollRequest.model_validate(json.loads(body))
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            raise Problem(400, f"{where}: {first['msg']}") from None
        raise Problem(400, "body: not valid JSON") from None


async def poll_trigger(request: Request) -> JSONResponse:
    context = context_of(request)
    _authorise(request)
    wanted = _parse(await read_limited(request))
    agenda = wanted.agenda_id or ALL_AGENDAS
    result = await context.intake.accept(
        "poll_agenda", [agenda], f"poll-{agenda}-{uuid.uuid4().hex[:12]}",
        claim_key=keys.poll_queued(agenda), claim_ttl=keys.POLL_CLAIM_SECONDS,
        now=int(context.clock.now().timestamp()),
    )
    if result.enqueued:
        context.metrics.jobs_enqueued.labels(job="poll_agenda").inc()
    else:
        context.metrics.duplicates.labels(kind="poll").inc()
    return JSONResponse(
        {"job_id": result.job_id, "agenda_id": wanted.agenda_id, "already_queued":
         not result.enqueued},
        status_code=202,
    )
