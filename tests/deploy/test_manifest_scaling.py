"""Production's scaling: an HPA for the ingress, KEDA for the workers on the queues they
serve, and the Secret keys KEDA's TriggerAuthentication reads."""

from __future__ import annotations

from collections.abc import Callable

from rq import Queue

from bridge.queueing.jobs import QUEUES_BY_PRIORITY
from bridge.store import keys
from tests.deploy.config_objects import secret_values
from tests.deploy.conftest import Manifest, bridge_containers, one

Render = Callable[[str], list[Manifest]]


def test_production_scales_ingress_with_an_hpa(rendered: Render) -> None:
    objects = rendered("production")
    hpa = one(objects, "HorizontalPodAutoscaler", "oabridge-ingress")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", "oabridge-ingress")
    dev_replicas = one(rendered("dev"), "Deployment", "oabridge-ingress")["spec"]["replicas"]
    assert hpa["spec"]["minReplicas"] > dev_replicas
    for name in ("oabridge-ingress", "oabridge-worker"):
        deployment = one(objects, "Deployment", name)
        assert "replicas" not in deployment["spec"], f"{name}: the autoscaler owns replicas"
    for name, _, container in bridge_containers(objects):
        resources = container["resources"]
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources.get(kind, {})), f"{name}: {kind}"


def test_keda_scales_workers_on_the_queues(rendered: Render) -> None:
    objects = rendered("production")
    scaled = one(objects, "ScaledObject", "oabridge-worker")
    assert scaled["apiVersion"] == "keda.sh/v1alpha1"
    spec = scaled["spec"]
    assert one(objects, "Deployment", spec["scaleTargetRef"]["name"])
    assert spec["minReplicaCount"] >= 1  # workers run the ticker: never scale to zero
    assert spec["maxReplicaCount"] > spec["minReplicaCount"]
    rq_lists = {Queue.redis_queue_namespace_prefix + q.value for q in QUEUES_BY_PRIORITY}
    lists = set()
    for trigger in spec["triggers"]:
        assert trigger["type"] == "redis"
        metadata = trigger["metadata"]
        assert metadata["listName"] in rq_lists | {keys.INTAKE}
        assert int(metadata["listLength"]) > 0
        lists.add(metadata["listName"])
        auth = one(objects, "TriggerAuthentication", trigger["authenticationRef"]["name"])
        assert auth["apiVersion"] == "keda.sh/v1alpha1"
    assert {"rq:queue:replies", "rq:queue:send", keys.INTAKE} <= lists


def test_trigger_authentication_reads_keys_the_secret_template_has(rendered: Render) -> None:
    auth = one(rendered("production"), "TriggerAuthentication", "oabridge-redis")
    template = secret_values(one(rendered("base"), "Secret", "oabridge"))
    parameters = set()
    for ref in auth["spec"]["secretTargetRef"]:
        assert set(ref) == {"parameter", "name", "key"}
        assert ref["name"] == "oabridge"
        assert ref["key"] in template, f"the Secret template lacks {ref['key']}"
        parameters.add(ref["parameter"])
    assert {"address", "password"} <= parameters


