"""The SQLite schema packaged with the migrations: it is what the migrations make (every
table, column, index, constraint and row), it is used only when made from the scripts
installed beside it, and a process that makes a new SQLite database with it never runs (nor
imports) alembic."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import migration_modules_after_a_step
from wams.api import Wams
from wams.core.storage import migrate, sqlite_schema

REMAKE = "python -m wams.core.storage.migrate --write-sqlite-schema"


def _shape(url: str) -> dict[str, Any]:
    """A SQLite database's schema as SQLite reads it (column by column, index by index, each
    foreign key) and its statements with layout and quoting left out (another SQLAlchemy
    may lay out the same DDL differently), and the version row."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            def rows(sql: str) -> list[tuple[Any, ...]]:
                return [tuple(r) for r in conn.exec_driver_sql(sql)]

            objects = rows("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name")
            shape: dict[str, Any] = {
                "objects": [(kind, name, table, re.sub(r"[\s\"`\[\]]", "", sql or "").lower())
                            for kind, name, table, sql in objects],
                "version": rows("SELECT version_num FROM alembic_version")}
            for kind, name, _, _ in objects:
                if kind == "table":
                    shape[name] = (rows(f'PRAGMA table_xinfo("{name}")'),
                                   rows(f'PRAGMA foreign_key_list("{name}")'),
                                   rows(f'PRAGMA index_list("{name}")'))
                elif kind == "index":
                    shape[name] = rows(f'PRAGMA index_xinfo("{name}")')
            return shape
    finally:
        engine.dispose()


def test_the_packaged_schema_is_what_the_migrations_make(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    statements = sqlite_schema.packaged(migrate.SCRIPT_LOCATION)
    assert statements is not None, f"the packaged schema is not of these migrations: {REMAKE}"
    migrated, made = (f"sqlite:///{tmp_path / name}" for name in ("migrated.db", "made.db"))
    assert migrate.upgrade(migrated) == migrate.head()  # alembic, every revision replayed
    monkeypatch.setattr(migrate, "_recorded", {})  # this process's first new database
    Wams.open(made).close()
    assert migrate._recorded and list(migrate._recorded.values())[0] == statements, \
        "the new database should have been made from the packaged schema"
    assert _shape(made) == _shape(migrated), f"the packaged schema is stale: {REMAKE}"
    assert _shape(made)["version"] == [(migrate.head(),)]
    assert migrate.check(made) == []  # and the models agree with it


def test_a_schema_made_from_other_scripts_is_not_used(tmp_path: Path) -> None:
    """A migration added or changed (even by a comment) without making the file again: the
    packaged schema no longer names these scripts, so the migrations make the database."""
    copy = tmp_path / "migrations"
    shutil.copytree(migrate.SCRIPT_LOCATION, copy, ignore=shutil.ignore_patterns("__pycache__"))
    packaged = tmp_path / "sqlite_schema.json"
    statements = [("CREATE TABLE t (x INTEGER)", ()), ('INSERT INTO "t" VALUES (?)', (1,))]
    sqlite_schema.write(statements, revision="x", location=str(copy), path=packaged)
    assert sqlite_schema.packaged(str(copy), packaged) == statements

    last = sorted((copy / "versions").glob("0*.py"))[-1]
    last.write_text(last.read_text() + "# a comment\n")
    sqlite_schema.scripts_digest.cache_clear()
    sqlite_schema.packaged.cache_clear()
    assert sqlite_schema.packaged(str(copy), packaged) is None
    (copy / "versions" / "0099_more.py").write_text("revision = '0099'\n")
    last.write_text(last.read_text().removesuffix("# a comment\n"))  # back, and one more
    sqlite_schema.scripts_digest.cache_clear()
    sqlite_schema.packaged.cache_clear()
    assert sqlite_schema.packaged(str(copy), packaged) is None

    for broken in ("", "{}", '{"scripts": 1}', "[]", "not json"):
        packaged.write_text(broken)
        sqlite_schema.packaged.cache_clear()
        assert sqlite_schema.packaged(str(copy), packaged) is None, broken
    sqlite_schema.scripts_digest.cache_clear()
    sqlite_schema.packaged.cache_clear()


def test_a_new_sqlite_database_is_made_without_alembic(tmp_path: Path) -> None:
    """A CLI process's first new database (a scenario's, a new file) is made from the
    packaged schema: alembic, mako and pygments are never imported, and what was made is
    what the migrations make."""
    url = f"sqlite:///{tmp_path / 'new.db'}"
    # a file, then an in-memory database (a scenario's), both new
    assert migration_modules_after_a_step(url, "Wams.open('sqlite://').close()") == []
    assert migrate.check(url) == []
