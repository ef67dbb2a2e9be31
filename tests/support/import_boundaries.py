"""The import-boundary check: docs/architecture.md's table of parts, read and enforced.

The table names each part, the modules it holds (dotted prefixes; the longest prefix
wins, so `sandbox.local` is its own part inside `sandbox`) and the parts it may
import. Every `import` and `from … import` in every module, including those inside
functions and relative ones, is resolved to the part it names; an import of a part
the table does not allow is a violation. Modules of no part (the standard library,
third-party packages) are allowed, except where the table says `stdlib only`.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Part", "Violation", "check", "imports_of", "parse_parts", "part_of"]

_ROW = re.compile(r"^\|\s*(?P<name>[a-z][a-z -]*?)\s*\|\s*(?P<modules>`[^|]+`)\s*\|"
                  r"\s*(?P<allowed>[^|]*?)\s*\|")
STDLIB_ONLY = "stdlib only"


@dataclass(frozen=True)
class Part:
    name: str
    modules: tuple[str, ...]
    allowed: frozenset[str]
    stdlib_only: bool


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    imported: str
    part: str
    imported_part: str

    def __str__(self) -> str:
        what = "a third-party module" if self.imported_part == "" else \
            f"part {self.imported_part!r}"
        return (f"{self.path}:{self.line}: {self.part!r} imports {self.imported} "
                f"({what}), which docs/architecture.md does not allow")


def parse_parts(markdown: str) -> list[Part]:
    """The parts from the first table whose header row starts with `| part | modules |`."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines)
                 if re.match(r"^\|\s*part\s*\|\s*modules\s*\|", line))
    parts = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        match = _ROW.match(line)
        if match is None:
            raise ValueError(f"docs/architecture.md: cannot read the row {line!r}")
        modules = tuple(re.findall(r"`([^`]+)`", match["modules"]))
        allowed_text = match["allowed"].strip()
        stdlib_only = STDLIB_ONLY in allowed_text
        allowed_text = allowed_text.replace(STDLIB_ONLY, "")
        allowed = frozenset(a.strip() for a in re.split(r"[,;]", allowed_text)
                            if a.strip() and a.strip() not in {"-", "—", "nothing"})
        parts.append(Part(match["name"].strip(), modules, allowed, stdlib_only))
    names = {part.name for part in parts}
    for part in parts:
        unknown = part.allowed - names
        if unknown:
            raise ValueError(f"docs/architecture.md: part {part.name!r} may import "
                             f"{sorted(unknown)}, which are not parts")
    return parts


def part_of(module: str, parts: list[Part]) -> Part | None:
    """The part holding `module`: the longest module prefix that matches."""
    best: tuple[int, Part] | None = None
    for part in parts:
        for prefix in part.modules:
            matches = module == prefix or module.startswith(prefix + ".")
            if matches and (best is None or len(prefix) > best[0]):
                best = (len(prefix), part)
    return None if best is None else best[1]


def _module_name(path: Path, root: Path) -> str:
    relative = path.relative_to(root).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones resolved."""
    module = _module_name(path, root)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # `from bridge import booking` names a module too
                yield node.lineno, f"{target}.{alias.name}"


def check(root: Path, parts: list[Part]) -> list[Violation]:
    """Every import in the parts' modules under `root` that the table does not allow."""
    roots = {prefix.split(".")[0] for part in parts for prefix in part.modules}
    violations = []
    for path in sorted(root.rglob("*.py")):
        if any(piece.startswith(".") or piece in {"build", "__pycache__"}
               for piece in path.relative_to(root).parts):
            continue
        own = part_of(_module_name(path, root), parts)
        if own is None:
            continue
        for line, imported in imports_of(path, root):
            top = imported.split(".")[0]
            target = part_of(imported, parts)
            if target is None:
                if top in roots:  # a package root itself (`from bridge import x`)
                    continue
                if own.stdlib_only and top not in sys.stdlib_module_names \
                        and top != "__future__" and part_of(top, parts) is None:
                    violations.append(Violation(path, line, imported, own.name, ""))
                continue
            if target.name != own.name and target.name not in own.allowed:
                violations.append(Violation(path, line, imported, own.name, target.name))
    # `from bridge import x` yields both `bridge` and `bridge.x`: report each place once
    unique: dict[tuple[Path, int, str], Violation] = {}
    for violation in violations:
        unique.setdefault((violation.path, violation.line, violation.imported_part), violation)
    return list(unique.values())
