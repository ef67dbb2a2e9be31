"""Every Redis database that the suite, a benchmark or the demo empties, declared here.

They all empty (FLUSHDB) a database of the Redis they are pointed at, so each takes a
number of its own, and only that one: a developer's data in database 0 of the same
Redis stays. `tests/suite/test_declared_dbs.py` fails when code empties a database
from a file not listed here; `markdown_table()` is the README's table.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = [
    "BENCH_INGRESS_DB", "BENCH_POLL_NO_CHANGE_DB", "BENCH_SEND_DB", "BENCH_SOAK_DB",
    "DECLARED", "DEMO_FRESH_DB", "SUITE_DB", "WORKER_PROBE_DB", "EmptiedDb",
    "markdown_table", "url_with_db",
]

#: The suite's database: the `redis` fixture empties it before and after each test.
SUITE_DB = 15
#: The worker probe's test: RQ workers of this host that other tests leave in db 15
#: would make "no worker here" untrue, so it has a database of its own.
WORKER_PROBE_DB = 14
BENCH_SOAK_DB = 10
BENCH_SEND_DB = 11
BENCH_INGRESS_DB = 12
BENCH_POLL_NO_CHANGE_DB = 13
#: `oabridge up --fresh` empties the demo's database (0, or that of OABRIDGE_REDIS_URL).
DEMO_FRESH_DB = 0


@dataclass(frozen=True)
class EmptiedDb:
    db: int
    #: The files whose code empties it (the only ones allowed to call flushdb).
    files: tuple[str, ...]
    when: str


DECLARED: tuple[EmptiedDb, ...] = (
    EmptiedDb(SUITE_DB, ("tests/conftest.py", "tests/ingress/test_openapi_schemathesis.py",
                         "tests/flow/test_redis_amnesia.py"),
              "the test suite, before and after each test that uses Redis, and mid-test where "
              "a flow forgets on purpose (amnesia)"),
    EmptiedDb(WORKER_PROBE_DB, ("tests/deploy/test_worker_probe.py",),
              "the worker liveness probe's test, before and after it"),
    EmptiedDb(BENCH_SOAK_DB, ("bench/soak.py",),
              "`python -m bench.soak --redis-faults none` at its start (`--redis-url` or "
              "`SOAK_REDIS_URL` choose another); with Redis faults (the default, and the "
              "suite's `tests/soak`) the soak runs on redis-servers of its own"),
    EmptiedDb(BENCH_SEND_DB, ("bench/send.py",), "`python -m bench.send`, per round"),
    EmptiedDb(BENCH_INGRESS_DB, ("bench/ingress.py",), "`python -m bench.ingress`, per round"),
    EmptiedDb(BENCH_POLL_NO_CHANGE_DB, ("bench/poll_no_change.py",),
              "`python -m bench.poll_no_change`, before and after"),
    EmptiedDb(DEMO_FRESH_DB, ("sandbox/local/up_command.py",),
              "`oabridge up --fresh`, on the demo's Redis (or that of OABRIDGE_REDIS_URL)"),
)


def url_with_db(url: str, db: int) -> str:
    """`url` with its database number replaced: redis://h:p/15 -> redis://h:p/14, and
    unix:///path?db=15 -> unix:///path?db=14."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"]
    if parts.scheme == "unix":  # urlunsplit would drop the empty host: unix:/path
        query.append(("db", str(db)))
        return f"unix://{parts.netloc}{parts.path}?{urlencode(query)}"
    return urlunsplit(parts._replace(path=f"/{db}", query=urlencode(query)))


def markdown_table() -> str:
    """The README's table of emptied databases."""
    rows = ["| Database | Emptied by | Code |", "| --- | --- | --- |"]
    for entry in sorted(DECLARED, key=lambda e: e.db):
        files = ", ".join(f"`{f}`" for f in entry.files)
        rows.append(f"| {entry.db} | {entry.when} | {files} |")
    return "\n".join(rows)
