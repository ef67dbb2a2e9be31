"""The Kubernetes manifests: they render, validate, and agree with the code they deploy.

Names the manifests share with the code (settings' variables, routes, queues, job
timeouts) are read from the code, so a rename there fails here instead of in a cluster.
Here: rendering and schemas, probes, shutdown, security and what the public Ingress
exposes; the configuration in `test_manifest_config.py`, production's scaling in
`test_manifest_scaling.py`.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from kubernetes_validate.utils import all_versions
from packaging.version import Version

from bridge.cli import service_commands
from bridge.ingress.routes import ROUTES
from bridge.queueing.jobs import JOBS, QueueName
from tests.deploy.config_objects import config_map
from tests.deploy.conftest import (
    DEPLOY,
    OVERLAYS,
    Manifest,
    bridge_containers,
    find,
    one,
    pod_specs,
)
from workers import process

Render = Callable[[str], list[Manifest]]

ROUTE_PATHS = {route.path for route in ROUTES}
TARGET_VERSION = Version("1.32")
#: Custom resources kubernetes-validate has no schema for; checked by hand below.
CUSTOM_API_GROUPS = ("keda.sh/",)
#: The jobs a warm shutdown must let finish: a send or a reply cut off halfway may leave
#: a customer without an answer. Polls and reconciliations are retried and idempotent.
MUST_FINISH = {QueueName.SEND, QueueName.REPLIES}


def schema_version() -> str:
    """The Kubernetes version kubernetes-validate supports that is closest to 1.32."""
    return str(min(all_versions(), key=lambda v: (
        abs(Version(v).minor - TARGET_VERSION.minor), Version(v))))


# --- rendering and schemas -------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders_the_services(rendered: Render, overlay: str) -> None:
    objects = rendered(overlay)
    for kind, name in [("Deployment", "oabridge-ingress"), ("Deployment", "oabridge-worker"),
                       ("Service", "oabridge-ingress"), ("ServiceAccount", "oabridge"),
                       ("PodDisruptionBudget", "oabridge-ingress"),
                       ("PodDisruptionBudget", "oabridge-worker")]:
        one(objects, kind, name)
    assert find(objects, "NetworkPolicy")
    namespaced = [o for o in objects if o["kind"] != "Namespace"]
    (namespace,) = find(objects, "Namespace")
    assert {o["metadata"].get("namespace") for o in namespaced} == {
        namespace["metadata"]["name"]}


@pytest.mark.parametrize("overlay", [*OVERLAYS, "base"])
def test_every_object_validates_against_the_kubernetes_schema(
    rendered: Render, overlay: str
) -> None:
    version = schema_version()
    checked = 0
    for obj in rendered(overlay):
        if obj["apiVersion"].startswith(CUSTOM_API_GROUPS):
            continue
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {exc.message}")
        checked += 1
    assert checked >= 8


def test_optional_poll_cronjob_renders_into_an_overlay(
    with_poll_cronjob: list[Manifest], rendered: Render
) -> None:
    cronjob = one(with_poll_cronjob, "CronJob", "oabridge-poll")
    kubernetes_validate.validate(cronjob, schema_version(), strict=True)
    spec = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["args"] == ["poll"]
    # The overlay's transformations reach the component: namespace, image, ConfigMap name.
    worker = one(rendered("production"), "Deployment", "oabridge-worker")
    worker_container = worker["spec"]["template"]["spec"]["containers"][0]
    assert cronjob["metadata"]["namespace"] == worker["metadata"]["namespace"]
    assert container["image"] == worker_container["image"]
    assert container["envFrom"] == worker_container["envFrom"]
    assert cronjob["spec"]["concurrencyPolicy"] == "Forbid"


# --- probes, shutdown, security --------------------------------------------------------------

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_probes_use_existing_routes(rendered: Render, overlay: str) -> None:
    deployment = one(rendered(overlay), "Deployment", "oabridge-ingress")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["serve", "--host", "0.0.0.0", "--port", "8000"]
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        get = container[probe]["httpGet"]
        assert get["path"] in ROUTE_PATHS, f"{probe}: no route {get['path']}"
        assert ports.get(get["port"], get["port"]) == 8000
    service = one(rendered(overlay), "Service", "oabridge-ingress")
    assert service["spec"]["ports"][0]["targetPort"] in ports
    assert service["spec"]["selector"].items() <= (
        deployment["spec"]["template"]["metadata"]["labels"].items())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingress_drains_before_it_stops(rendered: Render, overlay: str) -> None:
    graceful = int(re.findall(r"timeout_graceful_shutdown=(\d+)",
                              inspect.getsource(service_commands.run_serve))[0])
    spec = one(rendered(overlay), "Deployment", "oabridge-ingress")["spec"]["template"]["spec"]
    sleep = spec["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
    assert sleep >= 5  # endpoints are removed asynchronously; give them time
    assert spec["terminationGracePeriodSeconds"] > sleep + graceful


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_worker_grace_period_outlasts_the_jobs_that_must_finish(
    rendered: Render, overlay: str
) -> None:
    spec = one(rendered(overlay), "Deployment", "oabridge-worker")["spec"]["template"]["spec"]
    longest = max(job.timeout_seconds for job in JOBS.values() if job.queue in MUST_FINISH)
    longest = max(longest, process.JOB_STOP_GRACE_SECONDS)  # a poll or sync job, cut short
    assert spec["terminationGracePeriodSeconds"] > longest + process.TEARDOWN_SECONDS
    (container,) = spec["containers"]
    assert container["args"] == ["worker"]
    for probe in ("livenessProbe", "startupProbe"):
        command = container[probe]["exec"]["command"]
        assert command[:2] == ["python", "-c"]
        compile(command[2], f"<{probe}>", "exec")  # tests/deploy/test_worker_probe runs it


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_run_unprivileged_on_a_read_only_root(rendered: Render, overlay: str) -> None:
    checked = 0
    for name, spec in pod_specs(rendered(overlay)):
        pod = spec.get("securityContext", {})
        assert pod.get("runAsNonRoot") is True, name
        assert pod.get("runAsUser", 0) != 0, name
        assert pod.get("seccompProfile", {}).get("type") == "RuntimeDefault", name
        for container in spec["containers"]:
            security = container.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, name
            assert security.get("readOnlyRootFilesystem") is True, name
            assert security.get("capabilities", {}).get("drop") == ["ALL"], name
            checked += 1
    assert checked >= 2
    for name, spec, container in bridge_containers(rendered(overlay)):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
        assert "/tmp" in mounts and "emptyDir" in volumes[mounts["/tmp"]], name
        assert spec.get("automountServiceAccountToken") is False, name


# --- exposure ------------------------------------------------------------------------------

def test_public_ingress_matches_public_url_and_exposes_only_callbacks(rendered: Render) -> None:
    objects = rendered("production")
    public_url = config_map(objects)["data"]["OABRIDGE_PUBLIC_URL"]
    (ingress,) = find(objects, "Ingress")
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == urlsplit(public_url).hostname
    assert urlsplit(public_url).scheme == "https"
    paths = {p["path"] for p in rule["http"]["paths"]}
    assert paths <= ROUTE_PATHS
    assert {"/webhooks/booking", "/twilio/status", "/twilio/inbound"} <= paths
    assert not paths & {"/metrics", "/openapi.json"}


def test_readme_names_every_file_it_documents() -> None:
    readme = (DEPLOY / "README.md").read_text(encoding="utf-8")
    for path in ["overlays/dev", "overlays/production", "components/poll-cronjob",
                 "grafana/oabridge-dashboard.json", "base/secret-template.env"]:
        assert path in readme, path
        assert (DEPLOY / path).exists(), path
