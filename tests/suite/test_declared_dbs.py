"""Nothing empties a Redis database that `tests/support/redis_dbs.py` does not declare."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.redis_dbs import DECLARED, markdown_table, url_with_db

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tests", "bench", "bridge", "workers", "sandbox", "scripts")
#: A call of FLUSHDB or FLUSHALL, as a method or as a command's name.
FLUSH = re.compile(r"\.flush(db|all)\s*\(|[\"']flush(db|all)[\"']", re.IGNORECASE)


def flushing_files() -> dict[str, str]:
    found: dict[str, str] = {}
    for top in SCANNED:
        for path in sorted((ROOT / top).rglob("*")):
            if not path.is_file() or path.suffix not in {".py", ".lua", ".sh", ""}:
                continue
            text = path.read_text(errors="replace")
            match = FLUSH.search(text)
            if match:
                found[path.relative_to(ROOT).as_posix()] = match.group(0)
    return found


def test_every_file_that_empties_a_database_is_declared() -> None:
    declared = {file for entry in DECLARED for file in entry.files}
    found = flushing_files()
    assert set(found) - declared == set(), "undeclared: add them to tests/support/redis_dbs.py"
    assert declared - set(found) == set(), "declared but emptying nothing"
    assert not [f for f, call in found.items() if "all" in call.lower()], "no FLUSHALL"


def test_each_declared_database_has_one_owner_and_a_table_row() -> None:
    dbs = [entry.db for entry in DECLARED]
    assert len(dbs) == len(set(dbs))
    table = markdown_table().splitlines()
    assert len(table) == 2 + len(dbs)
    assert [row.split("|")[1].strip() for row in table[2:]] == [str(d) for d in sorted(dbs)]


def test_url_with_db_keeps_the_server() -> None:
    assert url_with_db("redis://127.0.0.1:6379/15", 14) == "redis://127.0.0.1:6379/14"
    assert url_with_db("redis://:pw@h:1", 3) == "redis://:pw@h:1/3"
    assert url_with_db("redis://h:1/0?db=2&x=1", 4) == "redis://h:1/4?x=1"
    assert url_with_db("unix:///tmp/r.sock?db=15", 14) == "unix:///tmp/r.sock?db=14"
