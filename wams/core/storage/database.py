"""Opening a database: the URL and the SQLite settings that make it safe and fast.

The schema itself is made and checked by ``migrate.py`` (alembic), never by create_all.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from wams.core.errors import DatabaseError, InputError

if TYPE_CHECKING:
    import sqlite3

    from sqlalchemy.pool import ConnectionPoolEntry

DEFAULT_URL = "sqlite:///wams.db"
URL_ENV = "WAMS_DATABASE_URL"
#: Execution option for a connection that only reads (see _on_begin).
READ_ONLY = "wams_read_only"
#: How long a SQLite writer waits for another's lock before "database is locked".
BUSY_TIMEOUT_MS = 30000
#: SQLite's page cache per connection, in MiB (``$WAMS_SQLITE_CACHE_MB`` overrides it).
#: SQLite's own default is 2 MiB: every step inserts into indexes keyed by random values (case
#: ids, pseudonyms, trace ids), and with 2 MiB nearly each of those page visits became a read
#: from the operating system; ``wams archive load`` spent a third of its CPU there at 10,000
#: cases already (benchmarks/RESULTS.md, B8). Pages are taken as they are touched, so a small
#: database never holds more than its own size.
SQLITE_CACHE_DEFAULT_MB = 64
SQLITE_CACHE_ENV = "WAMS_SQLITE_CACHE_MB"


def sqlite_cache_mb() -> int:
    """The page cache of each SQLite connection in MiB: ``$WAMS_SQLITE_CACHE_MB`` (a whole
    number ≥ 1), else the default. A bad value is one clear error, not SQLite's default."""
    source = os.environ.get(SQLITE_CACHE_ENV, "").strip()
    if source == "":
        return SQLITE_CACHE_DEFAULT_MB
    if not source.isdigit() or int(source) < 1:
        raise InputError(f"{SQLITE_CACHE_ENV} moet een geheel aantal MiB van 1 of meer zijn, "
                         f"niet {source!r}")
    return int(source)


def sqlite_pragmas(*, in_memory: bool = False) -> list[str]:
    """The PRAGMAs every SQLite connection of wams gets (a benchmark's raw reference uses the
    same, so the two differ only in the work they do). An in-memory database has no file to
    journal."""
    # In WAL mode NORMAL loses no committed transaction on a process crash (only on power loss
    # the last ones); FULL on every commit would cost the hot path dearly.
    journal = [] if in_memory else ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL"]
    return [
        *journal, "PRAGMA foreign_keys=ON", f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
        # Destroyed content must not linger in free pages of the file (quality C7).
        "PRAGMA secure_delete=ON",
        # Negative: a size in KiB rather than in pages.
        f"PRAGMA cache_size=-{sqlite_cache_mb() * 1024}",
    ]


def resolve_url(url: str | None) -> str:
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


def missing_file(url: str) -> str | None:
    """The path of a SQLite file that does not exist (connecting would create it), else None.

    Commands that only read or inspect (``wams audit verify``, ``wams db current``) refuse
    such a URL instead of leaving an empty database file behind a typo.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        return None  # connect() reports it
    path = parsed.database
    if parsed.get_backend_name() == "sqlite" and path not in (None, "", ":memory:") \
            and not path.startswith("file:") and not os.path.exists(path):
        return path
    return None


def _create_private(path: str) -> None:
    """A new SQLite file is created readable by its owner only (0600), before SQLite would
    create it with the umask's 0644: it holds sealed personal data, pseudonyms and the log.
    SQLite gives its -wal and -shm files the database file's permissions."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError:
        return  # a directory that does not exist: SQLite reports it when connecting
    os.close(fd)


def connect(url: str | None) -> Engine:
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"database-URL '{url}' is ongeldig; gebruik bijvoorbeeld "
                            "sqlite:///wams.db of postgresql+psycopg://gebruiker@host/db") from exc
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        # Read before the file is made: a bad setting leaves no empty database behind.
        pragmas = sqlite_pragmas(in_memory=memory)
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}} \
            if memory else {}
        if not memory and parsed.database and not parsed.database.startswith("file:"):
            _create_private(parsed.database)
        engine = create_engine(parsed, **kwargs)
        _sqlite_settings(engine, pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        try:
            engine = create_engine(parsed, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            # The driver is an optional extra: say which one to install, not the import error.
            raise DatabaseError(
                f"de PostgreSQL-driver ({exc.name or parsed.get_driver_name()}) is niet "
                "geïnstalleerd; installeer wams met de extra 'postgres': "
                "pip install 'wams[postgres]' (of pip install 'psycopg[binary]')") from exc
        _postgres_settings(engine)
        return engine
    raise DatabaseError(f"database '{parsed.get_backend_name()}' wordt niet ondersteund; "
                        "gebruik SQLite of PostgreSQL")


#: What every PostgreSQL connection of wams gets. psycopg prepares a statement it ran five
#: times, and PostgreSQL then keeps one generic plan for it, chosen without the values and kept
#: until the table's statistics change. Chosen while the tables were small (a new database,
#: before autovacuum's first ANALYZE), that plan took the wrong one of two indexes that start
#: alike: every command's idempotency lookup read the municipality's whole history through
#: ix_history_case, and a load of 3,000 cases ran at a third of its speed, more slowly the
#: longer it ran (benchmarks/RESULTS.md, B8pg). The parse stays prepared; the plan is made for
#: each execution's values (tens of microseconds for these lookups).
POSTGRES_SETTINGS = ("SET plan_cache_mode = force_custom_plan",)


def _postgres_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: ConnectionPoolEntry) -> None:
        # Outside a transaction, so that the setting is the session's (not rolled back).
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True
        cursor = dbapi_conn.cursor()
        for statement in POSTGRES_SETTINGS:
            cursor.execute(statement)
        cursor.close()
        dbapi_conn.autocommit = autocommit


def _sqlite_settings(engine: Engine, pragmas: list[str]) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: ConnectionPoolEntry) -> None:
        # We issue BEGIN ourselves (below): pysqlite's implicit BEGIN is DEFERRED, and two
        # processes upgrading a read to a write lock deadlock instead of waiting.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A long read (``wams audit verify``) asks for a plain deferred BEGIN: in WAL mode that
        # is a snapshot that does not hold the write lock, so writers go on meanwhile.
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        # On the driver connection: SQLAlchemy's execution path would cost a tenth of a
        # command on the hot path (benchmarks/RESULTS.md).
        raw = cast("sqlite3.Connection", conn.connection.dbapi_connection)
        raw.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
