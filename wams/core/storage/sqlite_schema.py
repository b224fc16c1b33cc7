"""The schema a new SQLite database gets, packaged with wams: what the migrations make of an
empty database, as SQLite keeps it, stored once instead of made again in every process.

Migrating an empty database is deterministic, so its result can ship with the migrations
(``migrations/sqlite_schema.json``): each table's and index's CREATE statement as SQLite keeps
it, then the rows (only the version row). Running those 31 statements on the driver takes a
few milliseconds; running the migrations took a third of a one-scenario ``wams scenario run``
(alembic, mako and pygments imported, then every revision replayed, tables rebuilt by later
revisions included).

The file names the migration scripts it was made from by a digest of their bytes. Where that
is not the digest of the scripts installed beside it (a migration added or changed without
making the file again), it is not used: the migrations make the database, as before; slower,
never a different schema. ``tests/test_migrations.py`` fails until it is made again with
``python -m wams.core.storage.migrate --write-sqlite-schema``.
"""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

#: one statement for the driver and its parameters
Statement = tuple[str, tuple[Any, ...]]

PACKAGED = Path(__file__).with_name("migrations") / "sqlite_schema.json"


def statements_of(conn: Connection) -> list[Statement]:
    """The statements that make this SQLite database's schema and rows again: tables, then
    indexes (in the order SQLite made them, so each after its table), then each table's rows
    (an empty database's migrations leave only the version row)."""
    objects = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
        "AND name NOT LIKE 'sqlite_%' ORDER BY type <> 'table', rowid").all()
    made: list[Statement] = [(sql, ()) for _, _, sql in objects]
    for kind, name, _ in objects:
        if kind != "table":
            continue
        for row in conn.exec_driver_sql(f'SELECT * FROM "{name}"').all():
            marks = ", ".join("?" * len(row))
            made.append((f'INSERT INTO "{name}" VALUES ({marks})', tuple(row)))
    return made


@functools.lru_cache(maxsize=4)
def scripts_digest(location: str) -> str:
    """SHA-256 over the migration scripts' names and bytes: what the packaged schema was made
    from, and what it must still be made from to be used."""
    digest = hashlib.sha256()
    for path in sorted(Path(location, "versions").glob("*.py")):
        content = path.read_bytes()
        digest.update(f"{path.name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@functools.lru_cache(maxsize=4)
def packaged(location: str, path: Path = PACKAGED) -> list[Statement] | None:
    """The packaged statements, if they were made from the scripts at ``location``; None
    otherwise (or when the file is missing or unreadable): then the migrations run."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
        if stored["scripts"] != scripts_digest(location):
            return None
        return [(str(sql), tuple(params)) for sql, params in stored["statements"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write(statements: list[Statement], *, revision: str, location: str,
          path: Path = PACKAGED) -> None:
    """Store ``statements`` (see :func:`statements_of`) as made from the scripts at
    ``location``, which end at ``revision`` (said in the file for whoever reads it)."""
    stored = {"revision": revision, "scripts": scripts_digest(location),
              "statements": [[sql, list(params)] for sql, params in statements]}
    path.write_text(json.dumps(stored, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    packaged.cache_clear()
