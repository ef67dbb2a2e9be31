"""Signed webhooks accepted and enqueued per second, against a bare LPUSH endpoint.

    python -m bench.ingress [--requests 20000] [--connections 50] [--rounds 3]

Both servers run as separate uvicorn processes (one worker each) against the same
Redis, loaded in turn by the same client: raw HTTP/1.1 keep-alive connections sending
pre-signed Standard-Webhooks notices, each with its own webhook-id. The baseline is
a Starlette endpoint that does one async Redis LPUSH per request, measured in the
same run; the two alternate for several rounds (this machine is shared and noisy)
and each one's best round counts. Also shown: CPU time per request of the server
process and of Redis, which the machine's noise disturbs less than wall-clock rates.
Target (issue #3): the ingress reaches at least 0.5 of the baseline.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from redis import Redis
from standardwebhooks import Webhook

from bench.table import print_table
from tests.support.redis_dbs import BENCH_INGRESS_DB
from tests.support.redis_server import redis_url_for_bench

#: Database 12 (declared in tests/support/redis_dbs.py, emptied here) of the system Redis,
#: or of a redis-server started for this run when none answers on 127.0.0.1:6379.
redis_url = partial(redis_url_for_bench, BENCH_INGRESS_DB)
SECRET = "whsec_" + base64.b64encode(b"benchmark-secret-of-32-bytes!!!!").decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def signed_requests(count: int, port: int) -> list[bytes]:
    webhook = Webhook(SECRET)
    now = datetime.now(UTC)
    made = []
    for index in range(count):
        body = json.dumps({"type": "appointment.changed",
                           "data": {"agenda_id": 27041, "appointment_id": 40_000_000 + index}})
        ident = f"msg_{uuid.uuid4().hex}"
        head = (
            f"POST /webhooks/booking HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            f"webhook-id: {ident}\r\nwebhook-timestamp: {int(now.timestamp())}\r\n"
            f"webhook-signature: {webhook.sign(ident, now, body)}\r\n\r\n"
        )
        made.append(head.encode() + body.encode())
    return made


async def _connection(port: int, requests: list[bytes], latencies: list[float],
                      statuses: dict[int, int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for request in requests:
        started = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        statuses[status] = statuses.get(status, 0) + 1
    writer.close()
    await writer.wait_closed()


async def _load(port: int, requests: list[bytes], connections: int) -> tuple[float, list[float],
                                                                              dict[int, int]]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    shares = [requests[i::connections] for i in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(_connection(port, share, latencies, statuses) for share in shares))
    return time.perf_counter() - started, latencies, statuses


def _wait_listening(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def _process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu(redis: Redis) -> float:
    info = redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def measure(mode: str, total: int, connections: int) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bench.ingress_server", "--mode", mode, "--port", str(port),
         "--redis", redis_url(), "--secret", SECRET],
        env={**os.environ}, stdout=subprocess.DEVNULL,
    )
    try:
        _wait_listening(port, server)
        asyncio.run(_load(port, signed_requests(1000, port), connections))  # warm-up
        requests = signed_requests(total, port)
        redis = Redis.from_url(redis_url())
        cpu_before, redis_before = _process_cpu(server.pid), _redis_cpu(redis)
        elapsed, latencies, statuses = asyncio.run(_load(port, requests, connections))
        server_cpu = _process_cpu(server.pid) - cpu_before
        redis_cpu = _redis_cpu(redis) - redis_before
    finally:
        server.terminate()
        server.wait(timeout=20)
    accepted = statuses.get(202, 0)
    latencies.sort()
    return {
        "rate": accepted / elapsed,
        "accepted": accepted,
        "other": total - accepted,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "server_us": server_cpu / total * 1e6,
        "redis_us": redis_cpu / total * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3,
                        help="alternate the two servers this often; the best round counts")
    args = parser.parse_args()
    redis = Redis.from_url(redis_url())
    results: dict[str, list[dict[str, float]]] = {"bare": [], "bridge": []}
    queued = 0
    for _ in range(args.rounds):
        for mode in ("bare", "bridge"):
            redis.flushdb()
            results[mode].append(measure(mode, args.requests, args.connections))
            queued = max(queued, redis.llen("oab:intake"))
    redis.flushdb()
    bare = max(results["bare"], key=lambda r: r["rate"])
    bridge = max(results["bridge"], key=lambda r: r["rate"])
    rows = [
        [name, f"{r['rate']:.0f}", f"{r['rate'] / bare['rate']:.2f}", f"{r['p50']:.1f}",
         f"{r['p99']:.1f}", f"{r['server_us']:.0f}", f"{r['redis_us']:.0f}",
         f"{r['accepted']:.0f}", f"{r['other']:.0f}"]
        for name, r in (("baseline: bare endpoint + one LPUSH", bare),
                        ("oabridge ingress (verify, validate, dedupe, enqueue)", bridge))
    ]
    print_table(
        f"Ingress: {args.requests:,} signed webhooks over {args.connections} connections",
        ["server", "accepted/s", "vs baseline", "p50 ms", "p99 ms", "server CPU µs/req",
         "Redis CPU µs/req", "202s", "other"],
        rows,
    )
    spread = {mode: ", ".join(f"{r['rate']:.0f}" for r in rounds) for mode, rounds in
              results.items()}
    print(f"\nrounds (accepted/s): bare {spread['bare']}; bridge {spread['bridge']}")
    print(f"notices on the intake after a round: {queued:,}; target ratio: at least 0.50")


if __name__ == "__main__":
    main()
