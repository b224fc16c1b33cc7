"""Opening a database: the URL, the SQLite settings that make it safe and fast, the schema."""

from __future__ import annotations

import os

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool

from wams.core.storage.tables import Base

DEFAULT_URL = "sqlite:///wams.db"
URL_ENV = "WAMS_DATABASE_URL"


class DatabaseError(Exception):
    """The database cannot be used as asked; the message says what to do."""


def resolve_url(url: str | None) -> str:
    return url or os.environ.get(URL_ENV) or DEFAULT_URL


def connect(url: str | None) -> Engine:
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"database-URL '{url}' is ongeldig; gebruik bijvoorbeeld "
                            "sqlite:///wams.db of postgresql+psycopg://gebruiker@host/db") from exc
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        kwargs = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}} \
            if memory else {}
        engine = create_engine(parsed, **kwargs)
        _sqlite_settings(engine, memory)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(parsed, pool_pre_ping=True)
    raise DatabaseError(f"database '{parsed.get_backend_name()}' wordt niet ondersteund; "
                        "gebruik SQLite of PostgreSQL")


def _sqlite_settings(engine: Engine, memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # We issue BEGIN ourselves (below): pysqlite's implicit BEGIN is DEFERRED, and two
        # processes upgrading a read to a write lock deadlock instead of waiting.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL loses no committed transaction on a process crash (only on
            # power loss the last ones); FULL on every commit would cost the hot path dearly.
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        # Destroyed content must not linger in free pages of the file (quality C7).
        cur.execute("PRAGMA secure_delete=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def create_schema(engine: Engine) -> None:
    Base.metadata.create_all(engine)
