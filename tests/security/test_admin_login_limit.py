"""Finding 6 of #15: the operator page's login had no rate limit (about 550 guesses a
second).

Over real HTTP, on a manual clock and the suite's Redis: failed logins are limited per
client address and overall, across ingress replicas; a closed form answers 429 with
`Retry-After` and does not even look at the token; a new window opens it again; and
the failures are logged without what was typed (read from the captured output: the
server runs in this process, and structlog's loggers may be cached by then).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bridge.clock import ManualClock
from bridge.store.login_failures import OVERALL, PER_CLIENT, WINDOW_SECONDS
from tests.admin import conftest as admin_fixtures
from tests.admin.conftest import ADMIN_TOKEN, Admin, StartAdmin

#: The operator page served over real HTTP (tests/admin's fixture).
start_admin = admin_fixtures.start_admin
#: 100 s into a window, so the clock is not at its edge.
THEN = datetime.fromtimestamp((1_800_000_000 // WINDOW_SECONDS) * WINDOW_SECONDS + 100, UTC)
GUESS = "a-wrong-guess-0123456789"


class Clients:
    """One keep-alive HTTP client per source address (any 127/8 address)."""

    def __init__(self) -> None:
        self.made: dict[str, httpx.Client] = {}

    def log_in(self, admin: Admin, token: str, source: str = "127.0.0.1") -> httpx.Response:
        """POST the login form to `admin` from the client address `source`."""
        http = self.made.get(source)
        if http is None:
            transport = httpx.HTTPTransport(local_address=source)
            http = self.made[source] = httpx.Client(transport=transport)
        return http.post(f"{admin.url}/admin/login", data={"token": token})


@pytest.fixture
def clients() -> Iterator[Clients]:
    made = Clients()
    yield made
    for http in made.made.values():
        http.close()


def test_one_address_gets_its_share_of_guesses_then_429(
    start_admin: StartAdmin, clients: Clients, capfd: pytest.CaptureFixture[str],
) -> None:
    log_in = clients.log_in
    clock = ManualClock(THEN)
    admin = start_admin(clock=clock)
    capfd.readouterr()
    answers = [log_in(admin, f"{GUESS}{n}").status_code for n in range(PER_CLIENT)]
    closed = log_in(admin, ADMIN_TOKEN)  # even the right token
    logged = "".join(capfd.readouterr())  # the server's log: it runs in this process
    assert answers == [401] * PER_CLIENT
    assert closed.status_code == 429 and "set-cookie" not in closed.headers
    assert closed.headers["retry-after"] == str(WINDOW_SECONDS - 100)
    assert log_in(admin, ADMIN_TOKEN, "127.0.0.2").status_code == 303  # another address
    failed = [line for line in logged.splitlines() if "admin_login_failed" in line]
    assert len(failed) == PER_CLIENT and "127.0.0.1" in failed[-1]
    assert GUESS not in logged and ADMIN_TOKEN not in logged
    clock.advance(timedelta(seconds=WINDOW_SECONDS - 100))  # the next window
    assert log_in(admin, ADMIN_TOKEN).status_code == 303


def test_replicas_share_the_counts_and_all_addresses_have_one_limit(
    start_admin: StartAdmin, clients: Clients,
) -> None:
    log_in = clients.log_in
    clock = ManualClock(THEN)
    replicas = [start_admin(clock=clock), start_admin(clock=clock)]
    for n in range(PER_CLIENT):  # one address, its guesses spread over two replicas
        assert log_in(replicas[n % 2], GUESS).status_code == 401
    assert log_in(replicas[0], ADMIN_TOKEN).status_code == 429
    sources = [f"127.0.1.{n}" for n in range(1, OVERALL // PER_CLIENT)]
    for n, source in enumerate(sources):
        for _ in range(PER_CLIENT):
            assert log_in(replicas[n % 2], GUESS, source).status_code == 401
    refused = log_in(replicas[1], ADMIN_TOKEN, "127.0.2.1")  # never guessed before
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    clock.advance(timedelta(seconds=WINDOW_SECONDS))
    assert log_in(replicas[1], ADMIN_TOKEN, "127.0.2.1").status_code == 303
