"""`POST /triggers/poll`: ask for a poll of one agenda, or of all, now.

Authorised by a bearer token from settings. A poll already queued for an agenda is
not queued again (the claim is released when the poll starts). Nor is one within
10 seconds of the last poll a trigger queued for that agenda
(`bridge.store.poll_triggers`): such a trigger is still answered 202, with
`coalesced: true` and the job id of that poll, so a caller that fires on every
change cannot make the bridge call the booking API once per change.
"""

from __future__ import annotations

import hmac
import uuid

from pydantic import BaseModel, ConfigDict, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse

from bridge.http.body import read_limited
from bridge.http.context import AppContext, context_of
from bridge.http.json_body import decode_json
from bridge.http.problems import Problem
from bridge.ingress.ids import ApiId
from bridge.queueing.enqueue import ClaimResult
from bridge.queueing.jobs import ALL_AGENDAS
from bridge.store import keys

__all__ = ["poll_trigger"]


class PollRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    agenda_id: ApiId | None = None


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
    payload = decode_json(body)
    try:
        return PollRequest.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise Problem(400, f"{where}: {first['msg']}") from None


async def _queue(context: AppContext, agenda: int, job_id: str, now: int) -> ClaimResult:
    result = await context.intake.accept(
        "poll_agenda", [agenda], job_id,
        claim_key=keys.poll_queued(agenda), claim_ttl=keys.POLL_CLAIM_SECONDS, now=now,
    )
    if result.enqueued:
        context.metrics.jobs_enqueued.labels(job="poll_agenda").inc()
    else:
        context.metrics.duplicates.labels(kind="poll").inc()
    return result


async def poll_trigger(request: Request) -> JSONResponse:
    context = context_of(request)
    _authorise(request)
    wanted = _parse(await read_limited(request))
    agenda = wanted.agenda_id or ALL_AGENDAS
    now = int(context.clock.now().timestamp())
    triggers = context.poll_triggers
    claim = await triggers.claim(agenda, f"poll-{agenda}-{uuid.uuid4().hex[:12]}", now)
    if not claim.claimed:
        context.metrics.duplicates.labels(kind="poll_coalesced").inc()
        return _accepted(claim.job_id, wanted.agenda_id, queued=False, coalesced=True)
    result = await _queue(context, agenda, claim.job_id, now)
    if result.job_id != claim.job_id:  # a poll was still queued: this interval is that one's
        await triggers.settle(agenda, claim, result.job_id)
    return _accepted(result.job_id, wanted.agenda_id, queued=result.enqueued, coalesced=False)


def _accepted(job_id: str, agenda_id: int | None, *, queued: bool,
              coalesced: bool) -> JSONResponse:
    return JSONResponse(
        {"job_id": job_id, "agenda_id": agenda_id, "already_queued": not queued,
         "coalesced": coalesced},
        status_code=202,
    )
