"""Which Redis the bridge talks to, and how many replicas must have seen a claim.

One Redis is `OABRIDGE_REDIS_URL`. Under Redis Sentinel (the failover engine most
Kubernetes Redis charts run) the primary moves, so the bridge asks the Sentinels of
`OABRIDGE_REDIS_SENTINELS` (`host:port,…`) where the primary named
`OABRIDGE_REDIS_SENTINEL_MASTER` is now; the URL then still gives what a connection
to that primary needs (database number, user and password, `rediss://` for TLS), and
its host and port are not used. The Sentinels themselves are asked with the same
timeouts, without the password: a Sentinel with a password of its own is not
supported yet.

`OABRIDGE_REDIS_MIN_REPLICAS` (default 0) asks Redis, with `WAIT`, that many replicas
to acknowledge a claim before the provider is called and an intake entry before the
ingress answers; `OABRIDGE_REDIS_REPLICA_TIMEOUT_MS` bounds that wait
(`bridge.store.replication`).

The URL may not set `socket_timeout` or `socket_connect_timeout` (`refused_url_options`):
the bridge sizes its Redis timeouts itself (the ingress's 5 s socket timeout above the
replicas' wait, the workers' longer one), and a URL's value would silently override
them, or, with Sentinels, clash with them at connect.

`ConfiguredRedis` is what `Settings.redis_target` builds once from those four; the
connection factory (`bridge.store.connection`) takes it, or a bare URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

__all__ = [
    "DEFAULT_REPLICA_TIMEOUT_MS", "MAX_REPLICA_TIMEOUT_MS", "REFUSED_URL_OPTIONS",
    "ConfiguredRedis", "parse_master_name", "parse_sentinels", "refused_url_options",
]

#: How long a claim waits for its replicas: a replica on the same network acknowledges
#: within a millisecond, so half a second is only reached when one is lagging or gone.
DEFAULT_REPLICA_TIMEOUT_MS = 500
#: Under the ingress's 5 s socket timeout (`bridge.http.context`): a WAIT that ran
#: longer would be cut off as a Redis timeout, not answered as "not replicated".
MAX_REPLICA_TIMEOUT_MS = 4000


@dataclass(frozen=True, slots=True)
class ConfiguredRedis:
    """The Redis of the settings: a URL, or Sentinels and a master's name, and the
    replicas that must acknowledge a claim."""

    url: str
    sentinels: tuple[tuple[str, int], ...] = ()
    sentinel_master: str = ""
    min_replicas: int = 0
    replica_timeout_ms: int = DEFAULT_REPLICA_TIMEOUT_MS


def parse_sentinels(text: str) -> tuple[tuple[str, int], ...]:
    """`host:port,host:port` (an IPv6 host in brackets) into pairs; `ValueError` naming
    the first item that is not one. Empty or blank: no Sentinels (the URL's Redis). A
    value with only separators (`","`) is refused: someone meant to name Sentinels, and
    falling back to the URL without a word would connect elsewhere."""
    found: list[tuple[str, int]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        found.append(_address(item))
    if not found and text.strip():
        raise ValueError(f"{text[:60]!r} names no Sentinel (host:port,host:port)")
    return tuple(found)


def _address(item: str) -> tuple[str, int]:
    shown = repr(item[:60])
    host, colon, port = item.rpartition(":")
    if not colon or not host:
        raise ValueError(f"{shown} is not host:port")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:  # `::1:26379` or `a:b:26379`: which colon ends the host?
        raise ValueError(f"{shown} has a ':' in its host: write an IPv6 host in brackets, "
                         "[::1]:26379")
    if not host or not all(c.isascii() and (c.isalnum() or c in ".-_:") for c in host):
        raise ValueError(f"{shown} has no valid host")
    if not (port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535):
        raise ValueError(f"{shown} has no port from 1 to 65535")
    return host, int(port)


#: Query options of `OABRIDGE_REDIS_URL` the bridge sets itself (see above).
REFUSED_URL_OPTIONS = ("socket_timeout", "socket_connect_timeout")


def refused_url_options(url: str) -> list[str]:
    """The query options of a Redis URL that the bridge refuses (`REFUSED_URL_OPTIONS`)."""
    names = {name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)}
    return [name for name in REFUSED_URL_OPTIONS if name in names]


def parse_master_name(text: str) -> str:
    """A Sentinel master's name: printable ASCII without spaces, as in `sentinel.conf`."""
    name = text.strip()
    if len(name) > 200 or not all(c.isascii() and c.isprintable() and c != " " for c in name):
        raise ValueError("must be the master's name as the Sentinels know it "
                         "(printable ASCII, no spaces)")
    return name
