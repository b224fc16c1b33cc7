"""Counting what the engine asks of its database: statements issued on the engine's own
connection (both backends) and, on SQLite, the virtual-machine instructions they run (a scan
shows there even when it is one statement). For tests that bound work, not time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wams.api import Wams


class Counter:
    """Statements issued on the engine's connection (and, on SQLite, VM instructions)."""

    def __init__(self) -> None:
        self.statements = 0
        self.instructions = 0
        self.texts: list[str] = []

    def attach(self, w: Wams) -> Callable[[], None]:
        with w.engine.unit_of_work(None) as uow:
            driver: Any = uow.store.conn.connection.driver_connection
        if w.engine.dialect == "sqlite":
            def trace(sql: str) -> None:
                self.statements += 1
                self.texts.append(sql)

            def step() -> int:
                self.instructions += 100
                return 0
            driver.set_trace_callback(trace)
            driver.set_progress_handler(step, 100)

            def detach() -> None:
                driver.set_trace_callback(None)
                driver.set_progress_handler(None, 100)
            return detach
        import psycopg

        counter = self

        class Counting(psycopg.Cursor):  # type: ignore[type-arg]
            def execute(self, query: Any, *a: Any, **k: Any) -> Any:
                counter.statements += 1
                counter.texts.append(str(query))
                return super().execute(query, *a, **k)

            def executemany(self, query: Any, params: Any, **k: Any) -> Any:
                params = list(params)
                counter.statements += len(params)
                counter.texts += [str(query)] * len(params)
                return super().executemany(query, params, **k)
        before = driver.cursor_factory
        driver.cursor_factory = Counting

        def restore() -> None:
            driver.cursor_factory = before
        return restore
