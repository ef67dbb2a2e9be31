"""Render the Kustomize trees under deploy/ once per test session, with kubectl.

`kubectl kustomize` is the only renderer used: it is what operators run (`kubectl apply
-k`), and it needs no tool beyond kubectl. Without kubectl the deploy tests are skipped
with that reason; it is installed on the development machines and in CI.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
OVERLAYS = ("dev", "production")

Manifest = dict[str, Any]


def kubectl() -> str:
    path = shutil.which("kubectl")
    if path is None:
        pytest.skip("kubectl is not installed: it renders the Kustomize overlays "
                    "(`kubectl kustomize deploy/overlays/dev`)")
    return path


def render(directory: Path) -> list[Manifest]:
    """The objects `kubectl kustomize DIRECTORY` produces; a failure shows kubectl's error."""
    result = subprocess.run(
        [kubectl(), "kustomize", str(directory)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, f"kubectl kustomize {directory} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="session")
def rendered() -> Callable[[str], list[Manifest]]:
    """`rendered("dev")`, `rendered("production")` or `rendered("base")`, cached."""
    cache: dict[str, list[Manifest]] = {}

    def get(name: str) -> list[Manifest]:
        if name not in cache:
            cache[name] = render(DEPLOY / name if name == "base" else DEPLOY / "overlays" / name)
        return cache[name]

    return get


@pytest.fixture(scope="session")
def with_poll_cronjob(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Manifest]]:
    """Production with the optional poll CronJob component added, as the README says."""
    copy = tmp_path_factory.mktemp("deploy") / "deploy"
    shutil.copytree(DEPLOY, copy)
    kustomization = copy / "overlays" / "production" / "kustomization.yaml"
    with kustomization.open("a", encoding="utf-8") as handle:
        handle.write("\ncomponents:\n  - ../../components/poll-cronjob\n")
    yield render(copy / "overlays" / "production")


def find(objects: list[Manifest], kind: str, name: str | None = None) -> list[Manifest]:
    return [
        o for o in objects
        if o["kind"] == kind and (name is None or o["metadata"]["name"] == name)
    ]


def one(objects: list[Manifest], kind: str, name: str) -> Manifest:
    found = find(objects, kind, name)
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_specs(objects: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    """(kind/name, pod spec) of every workload."""
    for obj in objects:
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            yield name, obj["spec"]["template"]["spec"]
        elif obj["kind"] == "CronJob":
            yield name, obj["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def bridge_containers(objects: list[Manifest]) -> Iterator[tuple[str, Manifest, Manifest]]:
    """(kind/name, pod spec, container) of every container running the oabridge image."""
    for name, spec in pod_specs(objects):
        for container in spec["containers"]:
            if container["image"].split(":")[0].rsplit("/", 1)[-1] == "oabridge":
                yield name, spec, container
