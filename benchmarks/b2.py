"""B2: the B1 lifecycle on PostgreSQL with 1 and 8 worker processes (each its own Wams, distinct
cases) vs raw psycopg doing the same writes (benchmarks/reference.py) with the same workers.

Two placements of the workers are measured, because every write of a municipality takes its
chain-head row lock (SELECT … FOR UPDATE) to extend the hash chain: *same* (all workers in one
municipality: they serialise on that row) and *spread* (one municipality per worker)."""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from typing import Any

from benchmarks import common, goals, reference


def _libpq(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _worker(kind: str, url: str, gemeente: str, first: int, cases: int, steps: Any,
            ready: Any, go: Any, results: Any) -> None:
    try:
        if kind == "wams":
            from wams.api import Wams
            from wams.core.clock import Clock
            w = Wams.open(url, clock=Clock(common.START))

            def run(i: int) -> list[Any]:
                return common.lifecycle(w, gemeente, i)

            close = w.close
        else:
            conn = reference.pg_dbapi(_libpq(url))
            raw = reference.RawWriter(conn, steps, gemeente, params="%s", begin=None,
                                      lock_head=True)
            run, close = raw.run_case, conn.close
        ready.put(None)
        go.wait()
        t0 = time.monotonic()
        for i in range(first, first + cases):
            run(i)
        t1 = time.monotonic()
        close()
        results.put((t0, t1, None))
    except BaseException as exc:  # noqa: BLE001 - report it, never hang the parent
        ready.put(None)
        results.put((0.0, 0.0, repr(exc)))


def _reset(url: str) -> None:
    import psycopg
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")]
        if names:
            conn.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")


def _prepare(kind: str, url: str, gemeenten: list[str], steps: Any) -> None:
    """Before timing: the municipality's key and chain head exist (the first command of a
    municipality creates them; concurrent first commands would race on the insert)."""
    if kind == "wams":
        from wams.api import Wams
        from wams.core.clock import Clock
        with Wams.open(url, clock=Clock(common.START)) as w:
            for g in gemeenten:
                common.check_lifecycle(common.lifecycle(w, g, 0))
    else:
        import psycopg
        with psycopg.connect(_libpq(url)) as conn:
            for g in gemeenten:
                raw = reference.RawWriter(conn, steps, g, params="%s", begin=None,
                                          lock_head=True)
                raw.run_case(0)


def _counts(url: str) -> dict:
    import psycopg
    with psycopg.connect(_libpq(url)) as conn:
        return reference.row_counts(conn.cursor())


def measure(kind: str, url: str, steps: Any, workers: int, spread: bool,
            cases_per_worker: int) -> tuple[float, dict]:
    _reset(url)
    gemeenten = [f"{599 + k:04d}" if spread else common.GEMEENTE for k in range(workers)]
    _prepare(kind, url, sorted(set(gemeenten)), steps)
    ctx = mp.get_context("spawn")
    ready, results, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_worker, args=(kind, url, gemeenten[k],
                                               1 + k * cases_per_worker, cases_per_worker,
                                               steps, ready, go, results))
             for k in range(workers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get(timeout=120)
    go.set()
    spans = [results.get(timeout=600) for _ in procs]
    for p in procs:
        p.join()
    errors = [e for _, _, e in spans if e]
    if errors:
        raise SystemExit(f"B2 {kind} worker failed: {errors[0]}")
    elapsed = max(t1 for _, t1, _ in spans) - min(t0 for t0, _, _ in spans)
    return workers * cases_per_worker * common.COMMANDS_PER_CASE / elapsed, _counts(url)


def run(url: str, rounds: int = 3, cases_1: int = 60, cases_8: int = 25) -> list[str]:
    import psycopg

    libpq = _libpq(url)
    with psycopg.connect(libpq, autocommit=True) as conn:  # a clean schema, then the engine's
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    steps = reference.harvest(url, lambda: psycopg.connect(libpq), common.GEMEENTE, "%s")

    configs = {"1w": (1, False, cases_1), "2w-spread": (2, True, cases_8),
               "8w-same": (8, False, cases_8), "8w-spread": (8, True, cases_8)}
    res: dict[tuple[str, str], list[float]] = {}
    for r in range(rounds):
        for name, (workers, spread, cases) in configs.items():
            order = ("wams", "raw") if r % 2 == 0 else ("raw", "wams")
            counts = {}
            for kind in order:
                rate, counts[kind] = measure(kind, url, steps, workers, spread, cases)
                res.setdefault((kind, name), []).append(rate)
            reference.same_counts(counts["wams"], counts["raw"], f"B2 {name}")

    out = []
    med = {k: common.median(v) for k, v in res.items()}
    for name in configs:
        ratio = common.median(common.ratios(res[("wams", name)], res[("raw", name)]))
        out.append(common.line("B2", f"{name:<9} wams {med[('wams', name)]:.0f} cmd/s",
                               f"raw {med[('raw', name)]:.0f} cmd/s", ratio, "B2"))
    cores = os.cpu_count() or 1
    # 8 workers and the server on fewer than 8 cores cannot show scaling: said, not judged.
    judged = cores >= goals.SCALING_CORES
    for name in ("2w-spread", "8w-same", "8w-spread"):
        for kind in ("wams", "raw"):
            sc = common.median(common.ratios(res[(kind, name)], res[(kind, "1w")]))
            out.append(common.line("B2", f"scaling {kind} {name} / 1w",
                                   f"{med[(kind, name)]:.0f} vs {med[(kind, '1w')]:.0f} cmd/s",
                                   sc, "B2-scaling",
                                   ("" if kind == "wams" and name.startswith("8w")
                                    else "(for scale)") + ("" if judged else
                                   f" ({cores} cores: scaling needs ≥ {goals.SCALING_CORES}, "
                                   "reported, not claimed)"),
                                   judged=judged and kind == "wams" and name.startswith("8w")))
    out.append(f"B2  [{rounds} rounds interleaved, median; 1w {cases_1} cases, 8w "
               f"{cases_8} cases per worker × 10 cmds; chain head locked FOR UPDATE; "
               f"{os.cpu_count()} CPUs shared with the server]")
    return out
