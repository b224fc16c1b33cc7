"""Prebuilt statements run straight on the DB-API cursor of the caller's transaction.

Each Core statement is compiled once per dialect into its SQL text, its parameter order and the
bind processors of its columns (SQLite stores dates and datetimes as text, for instance): the
same SQL and the same value conversions that ``Connection.execute`` would apply, without its
per-call execution machinery (context, events, result wrapping). On the hot path (one
transaction per command, ~6 statements) that machinery cost about 40 % of a command (speed goal
B1, benchmarks/RESULTS.md). Driver errors are re-raised as SQLAlchemy's ``DBAPIError``
subclasses, as ``Connection.execute`` does.

Appends (:meth:`Fast.append`): an INSERT whose result nobody waits for (a history entry, a
processing-log row) is kept until the connection's next statement of any kind, or its commit,
and then sent with the others of its kind as one ``executemany`` (on PostgreSQL all of them in
one pipeline: one round trip instead of one a row). Whatever runs next on the connection (a
Fast statement, anything through SQLAlchemy, a savepoint, the commit) finds them written, so a
reader sees what it would have seen; a rollback (or one to a savepoint) drops them. Only a
connection that :func:`watch_appends` follows defers; on any other an append is sent at once.
"""

from __future__ import annotations

import contextlib
import functools
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from sqlalchemy import Connection, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from sqlalchemy.engine.interfaces import DBAPIModule

#: per selected column its result conversion (None: the driver's value is right); None: none
_Reader: TypeAlias = "tuple[Callable[[Any], Any] | None, ...] | None"
_Compiled = tuple[str, "tuple[str, ...] | None", "tuple[tuple[str, Callable[[Any], Any]], ...]",
                  "dict[str, Any]", "tuple[tuple[str, Callable[[Any], Any] | None], ...] | None"]


class Fast:
    """One statement. ``by_keys``: an INSERT without explicit values, compiled for the column
    keys of the parameters given (as ``Connection.execute`` does), once per key set."""

    __slots__ = ("_by_dialect", "_readers", "by_keys", "stmt")

    def __init__(self, stmt: ClauseElement, *, by_keys: bool = False) -> None:
        self.stmt = stmt
        self.by_keys = by_keys
        self._by_dialect: dict[tuple[Any, ...], _Compiled] = {}
        self._readers: dict[tuple[str, str], _Reader] = {}

    def _compiled(self, dialect: Dialect, params: dict[str, Any]) -> _Compiled:
        keys = tuple(params) if self.by_keys else ()
        key = (dialect.name, dialect.driver, dialect.paramstyle, keys)
        found = self._by_dialect.get(key)
        if found is None:
            compiled = cast(SQLCompiler, self.stmt.compile(
                dialect=dialect, column_keys=list(keys) if self.by_keys else None))
            procs = []
            for name, bind in compiled.binds.items():
                proc = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if proc is not None:
                    procs.append((name, proc))
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            # Values the statement carries itself (SQLite's OFFSET 0 after a LIMIT).
            fixed = {compiled.bind_names[b]: b.value for b in compiled.binds.values()
                     if not b.required and b.value is not None}
            # Positional (SQLite): per place its parameter and its conversion, so the tuple is
            # built in one pass (a bulk load builds one for every row it writes).
            proc_of = dict(procs)
            plan = tuple((name, proc_of.get(name)) for name in order) \
                if order is not None else None
            found = self._by_dialect[key] = (compiled.string, order, tuple(procs), fixed, plan)
        return found

    def _params(self, compiled: _Compiled, params: dict[str, Any]) -> Any:
        _, _, procs, fixed, plan = compiled
        if fixed:
            params = {**fixed, **params}
        if plan is not None:
            return tuple([params[name] if proc is None else proc(params[name])
                          for name, proc in plan])
        if procs:
            params = dict(params)
            for name, proc in procs:
                if name in params:
                    params[name] = proc(params[name])
        return params

    def execute(self, conn: Connection, params: dict[str, Any]) -> Any:
        """Run with one parameter set; returns the DB-API cursor (rows, rowcount)."""
        compiled = self._compiled(conn.dialect, params)
        args = self._params(compiled, params)
        waiting = _pending.pop(conn, None) if _pending else None
        # None only once the connection is closed or invalidated, never inside a transaction.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if waiting:  # the appends first, in the same round trip
                with _together(conn):
                    _send(conn, waiting)
                    cursor.execute(compiled[0], args)
            else:
                cursor.execute(compiled[0], args)
        except conn.dialect.loaded_dbapi.Error as error:
            raise _wrap(conn, _sql(waiting, compiled[0]), args, error) from error
        return cursor

    def rows(self, conn: Connection, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        """Run a SELECT; its rows as tuples, each value converted by its column's type as a
        Result would (on SQLite a DateTime is stored as text, a Boolean as 0/1)."""
        cursor = self.execute(conn, params)
        try:
            found: list[tuple[Any, ...]] = cursor.fetchall()
        finally:
            cursor.close()
        reader = self._reader(conn.dialect)
        if reader is None:
            return found
        return [tuple(v if f is None or v is None else f(v) for f, v in zip(reader, row,
                                                                             strict=True))
                for row in found]

    def dicts(self, conn: Connection, params: dict[str, Any]) -> list[dict[str, Any]]:
        """As :meth:`rows`, each row a dict by column name."""
        names = [c.key for c in self.stmt.selected_columns]  # type: ignore[attr-defined]
        return [dict(zip(names, row, strict=True)) for row in self.rows(conn, params)]

    def _reader(self, dialect: Dialect) -> _Reader:
        key = (dialect.name, dialect.driver)
        if key not in self._readers:
            procs = tuple(c.type.dialect_impl(dialect).result_processor(dialect, None)
                          for c in self.stmt.selected_columns)  # type: ignore[attr-defined]
            self._readers[key] = procs if any(p is not None for p in procs) else None
        return self._readers[key]

    def executemany(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        if _pending:
            send_appends(conn)
        compiled = self._compiled(conn.dialect, rows[0])
        args = [self._params(compiled, r) for r in rows]
        # None only once the connection is closed or invalidated (see execute).
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(compiled[0], args)
        except conn.dialect.loaded_dbapi.Error as error:
            raise _wrap(conn, compiled[0], args, error) from error
        finally:
            cursor.close()


    def append(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """INSERT ``rows`` (one key set) before the connection's next statement or commit
        (see the module's docstring); at once on a connection :func:`watch_appends` does not
        follow."""
        if conn not in _deferring:
            self.executemany(conn, rows)
            return
        compiled = self._compiled(conn.dialect, rows[0])
        waiting = _pending.get(conn)
        if waiting is None:
            waiting = _pending[conn] = {}
        args = waiting.get(compiled[0])
        if args is None:
            args = waiting[compiled[0]] = []
        args.extend(self._params(compiled, r) for r in rows)


#: the connections that defer their appends (weakly: one closed and collected leaves)
_deferring: weakref.WeakSet[Connection] = weakref.WeakSet()
#: per connection with appends waiting: per SQL text its parameter sets, in the order given
_pending: dict[Connection, dict[str, list[Any]]] = {}


def watch_appends(conn: Connection) -> None:
    """Let ``conn`` defer its appends: follows its statements, commits and rollbacks."""
    if conn in _deferring:
        return
    event.listen(conn, "before_cursor_execute", _before_statement)
    event.listen(conn, "commit", send_appends)
    event.listen(conn, "rollback", _drop)
    event.listen(conn, "rollback_savepoint", _drop)
    _deferring.add(conn)


def send_appends(conn: Connection) -> None:
    """Write the appends ``conn`` holds now. Called before a commit by whoever commits, so a
    failure is the transaction's (the commit's own listener is the net behind it)."""
    waiting = _pending.pop(conn, None)
    if not waiting:
        return
    try:
        with _together(conn):
            _send(conn, waiting)
    except conn.dialect.loaded_dbapi.Error as error:
        raise _wrap(conn, _sql(waiting, None), None, error) from error


def _together(conn: Connection) -> contextlib.AbstractContextManager[Any]:
    """psycopg: every statement queued, one sync at the end (one round trip); SQLite has no
    round trips to save, nor has a libpq older than 14 (no pipeline mode)."""
    driver = conn.connection.driver_connection
    pipeline = getattr(driver, "pipeline", None)
    if pipeline is None or not _pipelines():
        return contextlib.nullcontext()
    return cast(contextlib.AbstractContextManager[Any], pipeline())


@functools.cache
def _pipelines() -> bool:
    import psycopg  # only asked when the driver is psycopg

    return bool(psycopg.Pipeline.is_supported())


def _send(conn: Connection, waiting: dict[str, list[Any]]) -> None:
    # None only once the connection is closed or invalidated, never inside a transaction.
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for sql, args in waiting.items():
            cursor.executemany(sql, args)
    finally:
        cursor.close()


def _sql(waiting: dict[str, list[Any]] | None, then: str | None) -> str:
    """What one round trip sent, for the error that names it."""
    return "; ".join([*(waiting or ()), *([then] if then else [])])


def drop_appends(conn: Connection) -> None:
    """Forget the appends ``conn`` holds (its transaction, or the savepoint, was undone)."""
    _pending.pop(conn, None)


def _before_statement(conn: Connection, *_: object) -> None:
    if _pending:
        send_appends(conn)


def _drop(conn: Connection, *_: object) -> None:
    drop_appends(conn)


def _wrap(conn: Connection, sql: str, params: Any, error: Exception) -> Exception:
    # As Connection.execute does: a lost connection is invalidated, so the next transaction
    # gets a fresh one instead of failing on the dead one forever.
    dbapi_error = cast("DBAPIModule.Error", error)  # raised as loaded_dbapi.Error: see callers
    disconnect = conn.dialect.is_disconnect(dbapi_error, conn.connection.dbapi_connection, None)
    if disconnect:
        conn.invalidate(error)
    return exc.DBAPIError.instance(sql, params, error, conn.dialect.loaded_dbapi.Error,
                                   dialect=conn.dialect, connection_invalidated=disconnect)
