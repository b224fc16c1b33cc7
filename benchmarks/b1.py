"""B1: the full lifecycle through the public API on file SQLite vs raw sqlite3 doing the same
writes (see benchmarks/reference.py for how the writes are matched)."""

from __future__ import annotations

import os
import time

from benchmarks import common, reference


def engine_round(path: str, cases: int, case_cache: int | None = None) -> float:
    """Commands/s of ``cases`` lifecycles; ``case_cache=0``: wams as a stateless service
    (every step reads and parses its case)."""
    from wams.api import Wams
    from wams.core.clock import Clock
    from wams.core.engine.cache import CASE_CACHE_ENV

    before = os.environ.get(CASE_CACHE_ENV)
    if case_cache is not None:  # the engine reads its cache bound when it opens
        os.environ[CASE_CACHE_ENV] = str(case_cache)
    try:
        w = Wams.open(f"sqlite:///{path}", clock=Clock(common.START))
    finally:
        if before is None:
            os.environ.pop(CASE_CACHE_ENV, None)
        else:
            os.environ[CASE_CACHE_ENV] = before
    try:
        common.check_lifecycle(common.lifecycle(w, common.GEMEENTE, 0))  # warm (not timed)
        t0 = time.perf_counter()
        for i in range(1, cases + 1):
            common.lifecycle(w, common.GEMEENTE, i)
        elapsed = time.perf_counter() - t0
    finally:
        w.close()
    return cases * common.COMMANDS_PER_CASE / elapsed


def raw_round(path: str, steps: list[reference.Step], cases: int) -> float:
    from wams.api import Wams

    Wams.open(f"sqlite:///{path}").close()  # the engine's exact schema (tables and indexes)
    conn = reference.sqlite_dbapi(path)
    try:
        raw = reference.RawWriter(conn, steps, common.GEMEENTE, params="?",
                                  begin="BEGIN IMMEDIATE", lock_head=False)
        raw.run_case(0)  # warm (not timed), as the engine's
        t0 = time.perf_counter()
        for i in range(1, cases + 1):
            raw.run_case(i)
        elapsed = time.perf_counter() - t0
    finally:
        conn.close()
    return cases * common.COMMANDS_PER_CASE / elapsed


def run(cases: int = 300, rounds: int = 5) -> list[str]:
    with common.tempdir() as d:
        tpl = common.fresh_sqlite(d, "template.db")
        steps = reference.harvest(f"sqlite:///{tpl}", lambda: reference.sqlite_dbapi(tpl),
                                  common.GEMEENTE, "?")
        counts: dict[str, dict] = {}

        def eng() -> float:
            p = common.fresh_sqlite(d, "engine.db")
            r = engine_round(p, cases)
            counts["engine"] = _counts(p)
            return r

        def raw() -> float:
            p = common.fresh_sqlite(d, "raw.db")
            r = raw_round(p, steps, cases)
            counts["raw"] = _counts(p)
            return r

        e, r = common.interleave(rounds, eng, raw)
        reference.same_counts(counts["engine"], counts["raw"], "B1")
    ratio = common.median(common.ratios(e, r))
    return [common.line("B1", f"wams {common.median(e):.0f} cmd/s",
                        f"raw {common.median(r):.0f} cmd/s", ratio, "B1",
                        f"[{cases} cases × 10 cmds, {rounds} rounds, median]")]


def _counts(path: str) -> dict:
    conn = reference.sqlite_connect(path)
    try:
        return reference.row_counts(conn.cursor())
    finally:
        conn.close()
