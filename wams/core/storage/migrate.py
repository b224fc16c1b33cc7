"""Schema migrations (alembic), configured in code: no alembic.ini is needed at run time.

The migration scripts live in ``migrations/`` inside the package, so an installed wams always
carries the migrations that match its models. ``wams db check`` proves the two agree: it
migrates an empty database and lets alembic's autogenerate compare it with ``tables.py``.

Opening a database (``ensure_schema``) migrates a brand-new empty one, so the embedded default
just works, but never upgrades a database that already holds data behind the operator's back:
that is an explicit ``wams db upgrade`` (a backup first is the operator's call).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Connection, Engine, MetaData, event, inspect

from wams.core.errors import DatabaseError
from wams.core.storage import sqlite_schema
from wams.core.storage.database import READ_ONLY, connect, resolve_url
from wams.core.storage.tables import Base

# alembic is imported where a migration or a comparison runs, not here: with mako and the
# lexers of pygments it is a fifth of a command's start-up, and opening a database that is at
# head (every command but the first on a new database) needs only the newest revision's name.
if TYPE_CHECKING:
    from alembic.config import Config

#: Where the scripts are; a module attribute so a test can point it at a copy with an extra
#: revision (a database "behind").
SCRIPT_LOCATION = str(Path(__file__).with_name("migrations"))
VERSION_TABLE = "alembic_version"
# Any fixed number: every wams process that migrates takes this PostgreSQL advisory lock, so two
# processes opening one new database at once do not both create the tables.
_PG_LOCK_KEY = 0x77616D73  # "wams"


# A version file's own ``revision = "0014"`` and ``down_revision = "0013"`` (a tuple for a
# merge), at the start of a line, as alembic's template writes them.
_ASSIGNED = re.compile(r"^(revision|down_revision)(?:\s*:[^=\n]*)?\s*=\s*(.+?)\s*$", re.M)


@functools.lru_cache(maxsize=4)
def revisions(location: str) -> dict[str, tuple[str, ...]]:
    """Each revision in ``location`` and the revisions it follows, read from the version
    files' text (alembic runs each file to read them); cached: Engine.open runs per scenario.
    A file that does not say it once, plainly, is left to alembic itself.
    tests/test_migrations.py holds it to what alembic reads."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted(Path(location, "versions").glob("*.py")):
        found: dict[str, list[str]] = {}
        for name, value in _ASSIGNED.findall(path.read_text(encoding="utf-8")):
            found.setdefault(name, []).append(value)
        if not found:  # not a revision (a package's __init__.py)
            continue
        try:
            (revision,), (down,) = found["revision"], found["down_revision"]
            graph[ast.literal_eval(revision)] = _follows(ast.literal_eval(down))
        except (KeyError, ValueError, SyntaxError):  # said twice (a docstring?), or computed
            return _alembic_revisions(location)
    return graph


def _alembic_revisions(location: str) -> dict[str, tuple[str, ...]]:
    from alembic.script import ScriptDirectory

    return {s.revision: _follows(s.down_revision)
            for s in ScriptDirectory(location).walk_revisions()}


def _follows(down_revision: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if down_revision is None:
        return ()
    return (down_revision,) if isinstance(down_revision, str) else tuple(down_revision)


def head() -> str:
    graph = revisions(SCRIPT_LOCATION)
    followed = {down for downs in graph.values() for down in downs}
    heads = sorted(r for r in graph if r not in followed)
    if len(heads) != 1:  # two revisions off one parent: a merge revision is missing
        raise DatabaseError(f"de migraties hebben {len(heads)} eindpunten ({', '.join(heads)}); "
                            "voeg een merge-revisie toe")
    return heads[0]


class Sealing(Protocol):
    """What revisions 0006 and 0011 need of the privacy room's sealing to seal (and bind to
    its place) the data of an older database. Storage sits below the privacy room, so the
    migrations never import it: whoever upgrades a database with data passes this in
    (:func:`wams.core.engine.database.upgrade` passes
    :data:`wams.core.privacy.sealing.MIGRATION_SEALING`)."""

    @property
    def sealed_columns(self) -> Mapping[str, tuple[str, Any]]: ...

    def data_keys(self, key_store: Any) -> Any: ...

    def is_sealed(self, value: str | None) -> bool: ...

    def place_of(self, table: str, row: Mapping[str, Any]) -> Any: ...


def _config(conn: Connection, metadata: MetaData | None = None,
            key_store: Any = None, sealing: Sealing | None = None,
            actors: Any = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", SCRIPT_LOCATION)
    # env.py runs on this connection, inside the caller's transaction (see env.py).
    cfg.attributes["connection"] = conn
    # 0006 seals the data of an older database under keys from the key store, 0011 binds
    # every sealed value to its place: both with the sealing passed in.
    cfg.attributes["key_store"] = key_store
    cfg.attributes["sealing"] = sealing
    # 0014 keeps who acted by pseudonym, with the privacy room's way of doing it passed in
    # too (wams.core.privacy.actors.Adoption).
    cfg.attributes["actors"] = actors
    cfg.attributes["target_metadata"] = metadata if metadata is not None else Base.metadata
    return cfg


#: What migrating an empty database to head made, per dialect, server version and scripts,
#: to make again. Alembic builds and compiles every table anew on each run (~15 ms); scenarios
#: open a fresh in-memory database each (speed goal B4: 20 ms a scenario), so after the first
#: real run in a process its result is made again: on an empty database the migrations are
#: deterministic, so this is the same schema, version row included. On SQLite that is the
#: schema as SQLite keeps it (each table's and index's CREATE statement, then the rows), run on
#: the driver: the migrations' own statements rebuild tables that were altered along the way
#: (111 statements against 31). Elsewhere the statements the migrations ran are run again.
#: On SQLite even the first needs no migration run: the schema ships with the scripts
#: (:mod:`wams.core.storage.sqlite_schema`).
_recorded: dict[tuple[Any, ...], list[tuple[str, Any]]] = {}


def _upgrade_empty(conn: Connection) -> None:
    key = (conn.dialect.name, conn.dialect.server_version_info, SCRIPT_LOCATION, head())
    recorded = _recorded.get(key)
    if recorded is None and conn.dialect.name == "sqlite":
        # the process's first: the schema packaged with the scripts, if made from these
        recorded = sqlite_schema.packaged(SCRIPT_LOCATION)
        if recorded is not None:
            _recorded[key] = recorded
    if recorded is not None:
        if conn.dialect.name == "sqlite":
            cursor = _driver(conn).cursor()
            for statement, params in recorded:
                cursor.execute(statement, params)
            cursor.close()
        else:
            for statement, params in recorded:
                conn.exec_driver_sql(statement, params)
        return
    seen: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, params: Any, _ctx: Any,
               executemany: bool) -> None:
        seen.append((statement, params))

    from alembic import command

    event.listen(conn, "before_cursor_execute", record)
    try:
        command.upgrade(_config(conn), "head")
    finally:
        event.remove(conn, "before_cursor_execute", record)
    _recorded[key] = sqlite_schema.statements_of(conn) if conn.dialect.name == "sqlite" \
        else seen


def _revision(conn: Connection) -> str | None:
    """The revision the database is at (None: no version table, or no row in it), read as
    alembic keeps it: one row in its version table."""
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}").all()
    if len(rows) > 1:  # alembic's branches, which wams' scripts never have
        raise DatabaseError(f"de database heeft {len(rows)} schemaversies "
                            f"({', '.join(r[0] for r in rows)}); wams kent er één")
    return rows[0][0] if rows else None


def _is_empty(conn: Connection) -> bool:
    return not inspect(conn).get_table_names()


def _lock(conn: Connection) -> None:
    # SQLite needs nothing: wams' BEGIN IMMEDIATE already serialises writers.
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK_KEY})")


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _require(conn: Connection, engine: Engine) -> None:
    """Raise DatabaseError unless the (non-empty) database is at head."""
    rev, want = _revision(conn), head()
    if rev == want:
        return
    if rev is None:
        raise DatabaseError(
            f"de database {_shown(engine)} heeft tabellen maar geen schemaversie (tabel "
            f"{VERSION_TABLE}); wams gebruikt alleen databases die het zelf heeft aangemaakt: "
            "geef een lege database op")
    if not _known(rev):
        raise DatabaseError(f"de database heeft schemaversie {rev}, nieuwer dan deze wams kent "
                            f"({want}); werk wams bij")
    raise DatabaseError(f"de database loopt achter op versie {want}; voer "
                        f"'wams db upgrade --db {_shown(engine)}' uit")


def _known(rev: str) -> bool:
    return rev in revisions(SCRIPT_LOCATION)


def ensure_schema(engine: Engine) -> bool:
    """For ``Engine.open``: migrate an empty database to head (True: it was empty); refuse one
    that is not at head."""
    with engine.begin() as conn:
        _lock(conn)
        if _is_empty(conn):
            _upgrade_empty(conn)
            return True
        _require(conn, engine)
        return False


def require_current(engine: Engine) -> None:
    """For commands that only read: the database must exist, hold wams' tables, be at head."""
    with engine.connect() as conn:
        conn.execution_options(**{READ_ONLY: True})
        if _is_empty(conn):
            raise DatabaseError(f"de database {_shown(engine)} heeft geen wams-tabellen; "
                                "controleer --db (of maak haar met 'wams db upgrade')")
        _require(conn, engine)


def upgrade(url: str | None = None, revision: str = "head", *,
            key_store: Any = None, sealing: Sealing | None = None,
            actors: Any = None) -> str | None:
    """Migrate the database at ``url`` to ``revision``; returns the revision it is at now.
    ``key_store`` (a :class:`wams.core.law.records.KeyStore`) and ``sealing`` are needed to
    migrate a database with data written before revision 0006 or 0011 (its data is sealed
    or bound to its place then), and ``actors`` (:class:`wams.core.privacy.actors.Adoption`)
    for data written before 0014 (who acted is then kept by pseudonym)."""
    from alembic import command

    engine = connect(resolve_url(url))
    try:
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            if sqlite:
                # SQLite's way to change a table others refer to (batch mode copies it): no
                # foreign-key actions during the copy (only settable outside a transaction),
                # then a foreign_key_check before COMMIT.
                _driver(conn).execute("PRAGMA foreign_keys=OFF")
            try:
                with conn.begin():
                    _lock(conn)
                    rev = None if _is_empty(conn) else _revision(conn)
                    if not _is_empty(conn) and (rev is None or not _known(rev)):
                        # Tables without a version, or a newer wams's version: refuse.
                        _require(conn, engine)
                    command.upgrade(_config(conn, key_store=key_store, sealing=sealing,
                                            actors=actors),
                                    revision)
                    if sqlite and conn.exec_driver_sql("PRAGMA foreign_key_check").first():
                        raise DatabaseError("de migratie liet verwijzingen zonder doel achter; "
                                            "er is niets veranderd")
                    return _revision(conn)
            finally:
                if sqlite:
                    _driver(conn).execute("PRAGMA foreign_keys=ON")
    finally:
        engine.dispose()


def _driver(conn: Connection) -> Any:
    """The DB-API connection under ``conn`` (pysqlite in autocommit: no BEGIN is issued)."""
    return conn.connection.dbapi_connection


def current(url: str | None = None) -> tuple[str | None, str]:
    """(the database's revision or None, the newest revision this wams has)."""
    engine = connect(resolve_url(url))
    try:
        with engine.connect() as conn:
            return _revision(conn.execution_options(**{READ_ONLY: True})), head()
    finally:
        engine.dispose()


def check(url: str | None = None, metadata: MetaData | None = None) -> list[str]:
    """Differences between the models (``metadata``) and what the migrations build.

    An empty database at ``url`` is migrated first (the intended use: a scratch database); a
    database with data must already be at head. An empty list means they agree.
    """
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = connect(resolve_url(url))
    try:
        with engine.begin() as conn:
            _lock(conn)
            if _is_empty(conn):
                command.upgrade(_config(conn), "head")
            else:
                _require(conn, engine)
            partitions = _partitions(conn)
            ctx = MigrationContext.configure(conn, opts={
                "compare_type": True,
                # A partition of the log (storage/partition.py) is part of the log table.
                "include_name": lambda name, kind, parent: (
                    name not in partitions if kind == "table"
                    else parent.get("table_name") not in partitions)})
            diffs = compare_metadata(ctx, metadata if metadata is not None else Base.metadata)
            return [_describe(d) for d in diffs]
    finally:
        engine.dispose()


def _partitions(conn: Connection) -> set[str]:
    if conn.dialect.name != "postgresql":
        return set()
    return {r[0] for r in conn.exec_driver_sql(
        "SELECT relname FROM pg_class WHERE relispartition AND relkind = 'r' "
        "AND relnamespace = current_schema()::regnamespace")}


def _describe(diff: Any) -> str:
    """One line per autogenerate diff, e.g. ``add_column cases extra``."""
    if isinstance(diff, list):  # a group of modify_* changes on one column
        return "; ".join(_describe(d) for d in diff)
    verb, *rest = diff
    if verb.startswith("modify_"):  # (verb, schema, table, column, existing, old, new)
        return f"{verb} {rest[1]}.{rest[2]}: {rest[4]!r} -> {rest[5]!r}"
    parts = [verb]
    for item in rest:
        if isinstance(item, str):
            parts.append(item)
        elif getattr(item, "name", None):
            parts.append(str(item.name))
    return " ".join(parts)


def write_sqlite_schema(path: Path = sqlite_schema.PACKAGED) -> str:
    """Migrate an empty in-memory SQLite database with the scripts and store what they made
    as the packaged schema (run after adding or changing a migration); returns the revision."""
    from alembic import command

    engine = connect("sqlite://")
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "head")
            rev = _revision(conn)
            assert rev == head(), (rev, head())
            sqlite_schema.write(sqlite_schema.statements_of(conn), revision=rev,
                                location=SCRIPT_LOCATION, path=path)
    finally:
        engine.dispose()
    return rev


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write-sqlite-schema"]:
        sys.exit("gebruik: python -m wams.core.storage.migrate --write-sqlite-schema")
    print(f"{sqlite_schema.PACKAGED}: schema van revisie {write_sqlite_schema()}")
