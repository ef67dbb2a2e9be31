"""docs/architecture.md's table of parts is the law of imports; this test enforces it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.import_boundaries import check, imports_of, parse_parts, part_of

ROOT = Path(__file__).resolve().parents[2]
TABLE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
PARTS = parse_parts(TABLE)
PRODUCT = ("bridge", "workers")


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_every_module_of_the_code_belongs_to_a_part() -> None:
    orphans = [str(path.relative_to(ROOT)) for top in (*PRODUCT, "sandbox")
               for path in (ROOT / top).rglob("*.py")
               if "build" not in path.parts and part_of(
                   ".".join(path.relative_to(ROOT).with_suffix("").parts), PARTS) is None
               and path.name != "__init__.py"]
    assert orphans == [], f"modules in no part of docs/architecture.md: {orphans}"


def test_the_code_keeps_to_the_table() -> None:
    violations = check(ROOT, [p for p in PARTS])
    assert violations == [], "\n".join(map(str, violations))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param({"bridge/domain/plan.py": "def f():\n    from bridge.booking import x\n"},
                     "bridge/domain/plan.py:2: 'domain' imports bridge.booking",
                     id="domain imports the client, inside a function"),
        pytest.param({"bridge/domain/plan.py": "import redis\n"},
                     "bridge/domain/plan.py:1: 'domain' imports redis (a third-party module)",
                     id="domain imports a third-party package"),
        pytest.param({"bridge/cli/main.py": "from sandbox.booking import app\n"},
                     "bridge/cli/main.py:1: 'cli' imports sandbox.booking (part 'sandbox')",
                     id="the product imports the sandbox"),
        pytest.param({"sandbox/booking/app.py": "from bridge.booking import wire\n"},
                     "sandbox/booking/app.py:1: 'sandbox' imports bridge.booking",
                     id="the sandbox shares the client's protocol code"),
        pytest.param({"bridge/admin/routes.py": "from ..ingress import body\n"},
                     "bridge/admin/routes.py:1: 'admin' imports bridge.ingress",
                     id="admin imports ingress, relatively"),
        pytest.param({"bridge/ingress/app.py": "from bridge import admin\n"},
                     "bridge/ingress/app.py:1: 'ingress' imports bridge.admin",
                     id="ingress imports admin by package"),
        pytest.param({"bridge/store/claims.py": "import workers.runtime\n"},
                     "bridge/store/claims.py:1: 'store' imports workers.runtime",
                     id="the product's library imports the worker process"),
    ],
)
def test_a_planted_violation_is_found(tmp_path: Path, files: dict[str, str],
                                      expected: str) -> None:
    violations = [str(v).replace(str(tmp_path) + "/", "")
                  for v in check(_tree(tmp_path, files), PARTS)]
    assert len(violations) == 1 and violations[0].startswith(expected), violations


def test_allowed_imports_pass(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {
        "bridge/domain/plan.py": "from __future__ import annotations\nimport json\n"
                                 "from bridge.domain.status import Label\n",
        "bridge/sending/delivery.py": "from bridge.domain import plan\nimport structlog\n",
        "sandbox/local/up.py": "from bridge.booking import client\nfrom sandbox import app\n",
        "workers/deliver.py": "from bridge.sending.delivery import x\n",
    })
    assert check(tree, PARTS) == []


def test_relative_imports_resolve(tmp_path: Path) -> None:
    tree = _tree(tmp_path, {"bridge/admin/__init__.py": "from .routes import x\n",
                            "bridge/admin/routes.py": "from ..store import keys\n"})
    assert sorted(m for _, m in imports_of(tree / "bridge/admin/routes.py", tree)) == \
        ["bridge.store", "bridge.store.keys"]
    assert sorted(m for _, m in imports_of(tree / "bridge/admin/__init__.py", tree)) == \
        ["bridge.admin.routes", "bridge.admin.routes.x"]


def test_the_table_names_only_parts_it_defines() -> None:
    names = {part.name for part in PARTS}
    assert {"domain", "sandbox", "local tools", "workers", "ingress", "admin"} <= names
    assert all(part.allowed <= names for part in PARTS)
