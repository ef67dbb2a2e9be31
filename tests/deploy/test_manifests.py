"""The Kubernetes manifests: they render, validate, and agree with the code they deploy.

Names the manifests share with the code (settings' variables, routes, queues, job
timeouts) are read from the code, so a rename there fails here instead of in a cluster.
"""

from __future__ import annotations

import base64
import inspect
import re
from collections.abc import Callable
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
from kubernetes_validate.utils import all_versions
from packaging.version import Version
from rq import Queue

from bridge.cli import service_commands
from bridge.ingress.routes import ROUTES
from bridge.queueing.jobs import JOBS, QUEUES_BY_PRIORITY, QueueName
from bridge.settings import Settings, SettingsError, load_settings
from bridge.store import keys
from tests.deploy.conftest import (
    DEPLOY,
    OVERLAYS,
    Manifest,
    bridge_containers,
    find,
    one,
    pod_specs,
)

Render = Callable[[str], list[Manifest]]

SETTING_NAMES = {"OABRIDGE_" + field.upper() for field in Settings.model_fields}
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


def secret_values(secret: Manifest) -> dict[str, str]:
    values = {k: base64.b64decode(v).decode() for k, v in secret.get("data", {}).items()}
    values.update(secret.get("stringData", {}))
    return values


def config_map(objects: list[Manifest]) -> Manifest:
    (found,) = [o for o in find(objects, "ConfigMap")
                if o["metadata"]["name"].startswith("oabridge-config")]
    return found


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


# --- configuration -----------------------------------------------------------------------

@pytest.mark.parametrize("overlay", [*OVERLAYS, "base"])
def test_every_oabridge_variable_is_a_setting(rendered: Render, overlay: str) -> None:
    objects = rendered(overlay)
    names: set[str] = set()
    for obj in find(objects, "ConfigMap") + find(objects, "Secret"):
        names |= set(obj.get("data", {})) | set(obj.get("stringData", {}))
    for _, _, container in bridge_containers(objects):
        names |= {env["name"] for env in container.get("env", [])}
    # Anything else that spells a variable, e.g. inside the worker's probe.
    names |= set(re.findall(r"\bOABRIDGE_[A-Z0-9_]+", repr(objects)))
    unknown = {n for n in names if n.startswith("OABRIDGE_")} - SETTING_NAMES
    assert not unknown, f"no setting reads {sorted(unknown)}"


def test_secret_template_holds_the_secrets_with_placeholders(rendered: Render) -> None:
    template = secret_values(one(rendered("base"), "Secret", "oabridge"))
    for name in ["OABRIDGE_API_KEY", "OABRIDGE_API_SECRET", "OABRIDGE_WEBHOOK_SECRET",
                 "OABRIDGE_TRIGGER_TOKEN", "OABRIDGE_TWILIO_AUTH_TOKEN",
                 "OABRIDGE_REDIS_URL", "OABRIDGE_SMTP_URL"]:
        assert template[name] == "CHANGE_ME", name
    config = config_map(rendered("base"))["data"]
    assert not set(config) & set(template), "a variable in both: envFrom's order would decide"
    for name in config:  # a secret-looking value must not sit in the ConfigMap
        assert not re.search(r"SECRET|TOKEN|PASSWORD|_KEY$|REDIS_URL|SMTP_URL", name), name


def test_the_template_fails_closed(rendered: Render) -> None:
    """Deployed unchanged, the placeholders stop start-up with the variables named."""
    env = {**config_map(rendered("base"))["data"],
           **secret_values(one(rendered("base"), "Secret", "oabridge"))}
    with pytest.raises(SettingsError) as caught:
        load_settings({k: v for k, v in env.items() if k.startswith("OABRIDGE_")})
    for name in ["OABRIDGE_REDIS_URL", "OABRIDGE_WEBHOOK_SECRET", "OABRIDGE_SMTP_URL"]:
        assert name in str(caught.value)


@pytest.mark.parametrize("overlay", [*OVERLAYS, "base"])
def test_config_map_is_a_valid_configuration(rendered: Render, overlay: str) -> None:
    load_settings(config_map(rendered(overlay))["data"])


def test_dev_runs_as_rendered_against_the_sandbox(rendered: Render) -> None:
    from sandbox.booking import DEMO_API_KEY, DEMO_API_SECRET
    from sandbox.twilio import DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN, DEMO_NUMBER

    objects = rendered("dev")
    env = {**config_map(objects)["data"], **secret_values(one(objects, "Secret", "oabridge"))}
    settings = load_settings(env)
    assert settings.webhook_secret.get_secret_value()  # `serve` refuses to start without
    assert (settings.api_key, settings.api_secret.get_secret_value()) == (
        DEMO_API_KEY, DEMO_API_SECRET)
    assert (settings.twilio_account_sid, settings.twilio_auth_token.get_secret_value()) == (
        DEMO_ACCOUNT_SID, DEMO_AUTH_TOKEN)
    assert settings.twilio_from == DEMO_NUMBER
    services = {s["metadata"]["name"]: s for s in find(objects, "Service")}
    for url in [settings.redis_url, settings.api_url, settings.twilio_base_url,
                settings.smtp_url, settings.public_url]:
        host, port = urlsplit(url).hostname, urlsplit(url).port or 80
        assert host in services, f"{url}: no Service {host}"
        assert port in {p["port"] for p in services[host]["spec"]["ports"]}, url


def test_production_renders_no_secret(rendered: Render) -> None:
    """Applying production must never overwrite the real Secret with the template."""
    assert not find(rendered("production"), "Secret")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bridge_pods_read_the_config_map_and_the_secret(rendered: Render, overlay: str) -> None:
    objects = rendered(overlay)
    config_name = config_map(objects)["metadata"]["name"]
    for name, _, container in bridge_containers(objects):
        sources = container.get("envFrom", [])
        if container["args"][0] == "sandbox":
            continue
        assert {"configMapRef": {"name": config_name}} in sources, name
        assert {"secretRef": {"name": "oabridge"}} in sources, name


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
    assert spec["terminationGracePeriodSeconds"] > longest
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


# --- production scaling -------------------------------------------------------------------------

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
