"""The Dockerfiles, checked statically (no container engine runs here or in CI).

What matters: a build stage and a final stage without compilers, python:3.11-slim,
a non-root user, `oabridge` as the entrypoint, the source tree kept together so
the shipped templates sit where bridge/rendering/environment.py looks for them, and
every dependency installed from the runtime lock with its hashes checked. The same holds
for sandbox/Dockerfile, the dev overlay's sandbox image, with its own lock. That the
product's image holds no sandbox is tests/deploy/test_product_image.py's.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import pytest

from tests.deploy.conftest import REPO

COMPILERS = ("build-essential", "gcc", "g++", "clang", "make", "cmake", "cc", "libc6-dev")


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [args for key, args in self.instructions if key == keyword]


PRODUCT = "Dockerfile"
SANDBOX = "sandbox/Dockerfile"


def instructions(dockerfile: str = PRODUCT) -> list[tuple[str, str]]:
    text = (REPO / dockerfile).read_text(encoding="utf-8")
    text = re.sub(r"\\\n", " ", text)  # line continuations
    lines = [line.strip() for line in text.splitlines()]
    result = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, args = line.partition(" ")
            result.append((keyword.upper(), args.strip()))
    return result


def stages(dockerfile: str = PRODUCT) -> list[Stage]:
    args: dict[str, str] = {}
    found: list[Stage] = []
    for keyword, rest in instructions(dockerfile):
        if keyword == "ARG" and not found:
            name, _, default = rest.partition("=")
            args[name] = default
        elif keyword == "FROM":
            words = rest.split()
            image = re.sub(r"\$\{(\w+)\}", lambda m: args[m.group(1)], words[0])
            alias = words[2] if len(words) > 2 and words[1].upper() == "AS" else ""
            found.append(Stage(image, alias))
        else:
            found[-1].instructions.append((keyword, rest))
    return found


def copies(stage: Stage) -> list[tuple[list[str], str, str]]:
    """(sources, destination, --from stage) of each COPY."""
    result = []
    for args in stage.all("COPY"):
        words = shlex.split(args)
        source_stage = next((w.split("=", 1)[1] for w in words if w.startswith("--from=")), "")
        paths = [w for w in words if not w.startswith("--")]
        result.append((paths[:-1], paths[-1], source_stage))
    return result


@pytest.mark.parametrize("dockerfile", [PRODUCT, SANDBOX])
def test_multi_stage_on_python_311_slim(dockerfile: str) -> None:
    found = stages(dockerfile)
    assert len(found) >= 2
    for stage in found:
        assert re.fullmatch(r"python:3\.11-slim(-\w+)?", stage.base), stage.base
    final = found[-1]
    assert any(source for _, _, source in copies(final)), "the final stage copies a build"


@pytest.mark.parametrize("dockerfile", [PRODUCT, SANDBOX])
def test_final_stage_has_no_compilers(dockerfile: str) -> None:
    for run in stages(dockerfile)[-1].all("RUN"):
        words = set(re.split(r"[\s;&|]+", run))
        assert not words & set(COMPILERS), run
        assert "pip" not in words, "the final stage installs nothing"


@pytest.mark.parametrize("dockerfile", [PRODUCT, SANDBOX])
def test_runs_as_a_non_root_user_with_oabridge_as_entrypoint(dockerfile: str) -> None:
    final = stages(dockerfile)[-1]
    (user,) = final.all("USER")
    name = user.split(":")[0]
    assert name not in {"root", "0"}
    assert name.isdigit(), "a numeric uid lets Kubernetes check runAsNonRoot"
    assert final.all("ENTRYPOINT") == ['["oabridge"]']


@pytest.mark.parametrize("dockerfile", [PRODUCT, SANDBOX])
def test_templates_sit_beside_the_bridge_package(dockerfile: str) -> None:
    """environment.py: SHIPPED_TEMPLATES = <parent of the bridge package>/templates."""
    build, final = stages(dockerfile)[0], stages(dockerfile)[-1]
    workdir = PurePosixPath(build.all("WORKDIR")[-1])
    placed = {}
    for sources, destination, _ in copies(build):
        for source in sources:
            placed[source.rstrip("/")] = workdir / destination
    bridge, templates = placed["bridge"], placed["templates"]
    assert templates == bridge.parent / "templates"
    # Imported from there (editable install), not from a copy in site-packages.
    editable = r"pip install (--\S+ )*(-e|--editable) \."
    assert any(re.search(editable, run) for run in build.all("RUN"))
    final_copies = {destination for _, destination, source in copies(final) if source}
    assert str(workdir) in final_copies
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    for pattern in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]:
        package = pattern.rstrip("*")
        assert package in placed, f"the package {package} is not copied"


@pytest.mark.parametrize(("dockerfile", "ignore"), [
    (PRODUCT, ".dockerignore"),
    (SANDBOX, "sandbox/Dockerfile.dockerignore"),  # BuildKit's file for `-f sandbox/Dockerfile`
])
def test_dockerignore_keeps_what_the_build_copies(dockerfile: str, ignore: str) -> None:
    ignored = [
        line.strip() for line in (REPO / ignore).read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    build = stages(dockerfile)[0]
    needed = {source for sources, _, _ in copies(build) for source in sources}
    assert {"pyproject.toml", "README.md", "templates"} <= needed
    for path in needed:
        assert not any(fnmatch.fnmatch(path.rstrip("/"), pattern) for pattern in ignored), path
    assert ".venv" in ignored and ".git" in ignored


def pip_installs(stage: Stage) -> list[list[str]]:
    """The arguments after `pip install` of each pip install in the stage's RUNs."""
    result = []
    for run in stage.all("RUN"):
        for command in re.split(r"&&|;", run):
            words = shlex.split(command)
            if words[:2] == ["pip", "install"]:
                result.append(words[2:])
    return result


def test_the_image_installs_from_the_runtime_lock_with_hashes() -> None:
    """Nothing reaches the image unchecked: the locked build backend, then the runtime lock,
    both with --require-hashes; then oabridge itself with --no-deps. All that may build
    (oabridge; a locked package without a wheel) builds without isolation, from the locked
    backend: pip's isolated builds fetch setuptools unchecked."""
    build = stages()[0]
    copied = {source for sources, _, _ in copies(build) for source in sources}
    backend, runtime, project = pip_installs(build)
    assert backend == ["--require-hashes", "-r", "requirements/build.txt"]
    assert runtime == [
        "--require-hashes", "--no-build-isolation", "-r", "requirements/runtime.txt"
    ]
    assert {"requirements/build.txt", "requirements/runtime.txt"} <= copied
    assert project == ["--no-deps", "--no-build-isolation", "-e", "."]


def test_the_sandbox_image_adds_the_sandbox_from_its_own_lock() -> None:
    """The dev overlay's sandbox: the product plus oabridge-sandbox, every file hash-checked
    (requirements/sandbox.txt: runtime.txt and the sandbox's own, as locked for the tests)."""
    build = stages(SANDBOX)[0]
    copied = {source for sources, _, _ in copies(build) for source in sources}
    backend, locked, projects = pip_installs(build)
    assert backend == ["--require-hashes", "-r", "requirements/build.txt"]
    assert locked == [
        "--require-hashes", "--no-build-isolation", "-r", "requirements/sandbox.txt"
    ]
    assert {"requirements/build.txt", "requirements/sandbox.txt", "sandbox"} <= copied
    assert projects == ["--no-deps", "--no-build-isolation", "-e", ".", "-e", "./sandbox"]
