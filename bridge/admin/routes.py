"""The operator page's routes, mounted at /admin next to the ingress (`admin_routes()`).

Every page is one level below the mount (`/admin/messages`, `/admin/retry`) and links
and redirects relatively (`./messages`, `admin/` for a bare `/admin`), so the page works
under any prefix a proxy puts in front, and no answer names a host: Starlette's own
slash redirects, which build an absolute URL from the `Host` header, are off here.
All Redis reads are blocking calls on the app's sync client (`AppContext.sync_redis`),
run in the thread pool so the event loop keeps serving webhooks. "Now" (a session's
age, which appointments are still open) is the app's clock.

Without `OABRIDGE_ADMIN_TOKEN` every route answers 404, as if there were no page.
Without a valid session a GET is sent to the login form and anything else gets 401.
Failed logins are limited per client address and overall (`bridge.store.login_failures`:
then 429 with `Retry-After`): each attempt is counted before its token is compared, and
a right one is taken back. Failures are logged with the client's address, never what
it typed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlencode

import structlog
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router

from bridge.admin import auth
from bridge.admin.conversations import conversations
from bridge.admin.failed_jobs import failed_jobs, requeue
from bridge.admin.inbox import inbox
from bridge.admin.messages import recent_messages
from bridge.admin.overview import overview
from bridge.admin.pages import NAV, SECURITY_HEADERS, page
from bridge.admin.previews import preview_count, previews
from bridge.admin.upcoming import upcoming
from bridge.http.body import read_limited
from bridge.http.context import AppContext, context_of
from bridge.store.admin_sessions import AdminSessions
from bridge.store.inbox import Inbox
from bridge.store.login_failures import LoginFailures

__all__ = ["admin_routes"]

log = structlog.get_logger(__name__)

#: A form body is a token or a job id: anything larger is not from our forms.
MAX_FORM_BYTES = 4096
_PAGES = {path for path, _title in NAV}

#: A page for a logged-in operator: gets the app's context and the session's CSRF token.
Page = Callable[[Request, AppContext, str], Awaitable[Response]]
#: A change (a POST): gets the app's context and the form, its CSRF token checked.
Action = Callable[[Request, AppContext, dict[str, str]], Awaitable[Response]]


def _epoch(ctx: AppContext) -> int:
    return int(ctx.clock.now().timestamp())


async def _form(request: Request) -> dict[str, str]:
    body = await read_limited(request, MAX_FORM_BYTES)
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def _redirect(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)


def _cookie_path(request: Request) -> str:
    """The mount's own path (with any proxy prefix): the cookie goes nowhere else."""
    return str(request.scope.get("root_path") or "/admin")


def _enabled_context(request: Request) -> AppContext:
    ctx = context_of(request)
    if not auth.enabled(ctx.settings):
        raise HTTPException(404)
    return ctx


def guarded(endpoint: Page) -> Callable[[Request], Awaitable[Response]]:
    """`endpoint` for a logged-in operator; it receives the session's CSRF token."""

    async def check(request: Request) -> Response:
        ctx = _enabled_context(request)
        session = request.cookies.get(auth.COOKIE, "")
        if not await auth.session_valid(AdminSessions(ctx.redis), ctx.settings, session,
                                        _epoch(ctx)):
            if request.method in {"GET", "HEAD"}:
                here = request.url.path.rsplit("/", 1)[-1]
                return _redirect("./login?" + urlencode({"next": here}))
            return page("problem.html", 401, heading="Logged out",
                        message="Your session has ended. Log in again, then repeat.")
        return await endpoint(request, ctx, auth.csrf_token(ctx.settings, session))

    return check


async def login_form(request: Request) -> Response:
    _enabled_context(request)
    wanted = request.query_params.get("next", "")
    return page("login.html", next=wanted if wanted in _PAGES else "", message="")


def client_address(request: Request) -> str:
    """Whom failed logins are counted against: the peer's address as the server saw it
    (uvicorn takes X-Forwarded-For only from the proxies it is told to trust), an IPv6
    address by its /64."""
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


async def login(request: Request) -> Response:
    """The form is read first, through the body gate, so no unauthenticated request
    reaches Redis before that limit; then the attempt is counted, and only a counted
    attempt has its token compared (concurrent guesses cannot all pass one check)."""
    ctx = _enabled_context(request)
    form = await _form(request)
    now, client = _epoch(ctx), client_address(request)
    failures = LoginFailures(ctx.redis)
    attempt = await failures.attempt(client, now)
    if attempt.retry_after:  # the token is not even looked at: a right guess is not told apart
        wait = attempt.retry_after
        answer = page("login.html", 429, next="", message="Too many failed logins. "
                      f"Try again in {(wait + 59) // 60} minutes.")
        answer.headers["Retry-After"] = str(wait)
        return answer
    wanted = form.get("next", "")
    wanted = wanted if wanted in _PAGES else ""
    if not auth.token_matches(ctx.settings, form.get("token", "")):
        log.warning("admin_login_failed", client=client,
                    failures_from_client=attempt.from_client,
                    failures_overall=attempt.overall)
        return page("login.html", 401, next=wanted, message="That is not the admin token.")
    await failures.give_back(attempt)
    log.info("admin_login", client=client)
    response = _redirect("./" + wanted)
    response.set_cookie(
        auth.COOKIE, await auth.start_session(AdminSessions(ctx.redis), ctx.settings, now),
        max_age=auth.SESSION_SECONDS, path=_cookie_path(request),
        secure=request.url.scheme == "https" or ctx.settings.public_url.startswith("https:"),
        httponly=True, samesite="strict",
    )
    return response


def form_action(endpoint: Action) -> Page:
    """`endpoint` runs only when the form carries this session's CSRF token."""

    async def check(request: Request, ctx: AppContext, csrf: str) -> Response:
        form = await _form(request)
        if not auth.csrf_matches(csrf, form.get("csrf", "")):
            return page("problem.html", 403, heading="Refused",
                        message="This form is stale or did not come from this page. "
                                "Reload the page and try again.")
        return await endpoint(request, ctx, form)

    return check


async def logout(request: Request, ctx: AppContext, _fields: dict[str, str]) -> Response:
    """The session ends in Redis, not only in this browser: its cookie opens nothing."""
    await auth.end_session(AdminSessions(ctx.redis), request.cookies.get(auth.COOKIE))
    response = _redirect("./login")
    response.delete_cookie(auth.COOKIE, path=_cookie_path(request), httponly=True,
                           samesite="strict")
    return response


async def retry(request: Request, ctx: AppContext, form: dict[str, str]) -> Response:
    job_id = form.get("job_id", "")
    done = await run_in_threadpool(requeue, ctx.sync_redis, form.get("queue", ""), job_id)
    return _redirect("./failed?" + urlencode({"requeued" if done else "missing": job_id}))


async def overview_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    data = await run_in_threadpool(overview, ctx.sync_redis, ctx.message_log,
                                  ctx.conversations, ctx.optouts)
    return page("overview.html", data=data, templates=preview_count(), csrf=csrf, current="",
                timezone=ctx.settings.timezone)


async def messages_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    rows = await run_in_threadpool(recent_messages, ctx.message_log, ctx.settings.tz)
    return page("messages.html", rows=rows, csrf=csrf, current="messages",
                timezone=ctx.settings.timezone)


async def conversations_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    rows, total = await run_in_threadpool(conversations, ctx.conversations, ctx.optouts,
                                          ctx.settings.tz, ctx.clock.now())
    return page("conversations.html", rows=rows, total=total, csrf=csrf,
                current="conversations")


def _inbox(ctx: AppContext) -> Inbox:
    return Inbox(ctx.sync_redis, ctx.settings.retention_days * 86400)


async def inbox_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    rows, total = await run_in_threadpool(inbox, _inbox(ctx), ctx.settings.tz)
    return page("inbox.html", rows=rows, total=total, csrf=csrf, current="inbox",
                timezone=ctx.settings.timezone,
                marked=request.query_params.get("marked", ""),
                missing=request.query_params.get("missing", ""))


async def mark_handled(request: Request, ctx: AppContext, form: dict[str, str]) -> Response:
    done = await run_in_threadpool(_inbox(ctx).mark_handled, form.get("sid", ""),
                                   ctx.clock.now())
    return _redirect("./inbox?" + ("marked=1" if done else "missing=1"))


async def upcoming_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    rows, total = await run_in_threadpool(upcoming, ctx.sync_redis, ctx.settings.tz)
    return page("upcoming.html", rows=rows, total=total, csrf=csrf, current="upcoming",
                timezone=ctx.settings.timezone)


async def failed_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    queues = await run_in_threadpool(failed_jobs, ctx.sync_redis, ctx.settings.tz)
    return page("failed.html", queues=queues, csrf=csrf, current="failed",
                requeued=request.query_params.get("requeued", ""),
                missing=request.query_params.get("missing", ""))


async def templates_page(request: Request, ctx: AppContext, csrf: str) -> Response:
    shown, problem = await run_in_threadpool(previews, ctx.settings)
    return page("templates.html", previews=shown, problem=problem, csrf=csrf,
                current="templates")


async def bare_mount(request: Request) -> Response:
    """`/admin` without its slash: on to `admin/`, relative to wherever the page is."""
    _enabled_context(request)
    return _redirect("admin/")


def admin_routes() -> list[BaseRoute]:
    """The operator page, served next to the ingress's routes by `bridge.http.app`.
    The bare mount has a route of its own, and the mount's router makes no slash
    redirects: Starlette's would be absolute, built from the request's `Host`."""
    return [Route("/admin", bare_mount, methods=["GET"]), Mount("/admin", app=Router([
        Route("/", guarded(overview_page), methods=["GET"]),
        Route("/login", login_form, methods=["GET"]),
        Route("/login", login, methods=["POST"]),
        Route("/logout", guarded(form_action(logout)), methods=["POST"]),
        Route("/messages", guarded(messages_page), methods=["GET"]),
        Route("/conversations", guarded(conversations_page), methods=["GET"]),
        Route("/inbox", guarded(inbox_page), methods=["GET"]),
        Route("/handled", guarded(form_action(mark_handled)), methods=["POST"]),
        Route("/upcoming", guarded(upcoming_page), methods=["GET"]),
        Route("/failed", guarded(failed_page), methods=["GET"]),
        Route("/retry", guarded(form_action(retry)), methods=["POST"]),
        Route("/templates", guarded(templates_page), methods=["GET"]),
    ], redirect_slashes=False))]
