"""CPU time and statements of the command path, for before/after comparisons on a shared machine.

Not a speed goal: the goals are ratios against a same-run reference (B1–B8). On a machine
whose load average is several times its core count, wall-clock rates move with the other
processes; the CPU time of this process moves much less, so it shows what a change did to the
work a command costs. Printed with the load beside each figure, like the goals.

- ``command``: CPU µs per command of the B1 lifecycle (one transaction per command, file SQLite,
  case cache on), best of three rounds;
- ``load``: CPU ms per case of ``wams archive load``'s path (``archive.load`` in this process,
  start-up excluded) on a generated archive, best of three;
- ``statements``: statements one B1 lifecycle issues on the engine's connection (SQLite, and
  PostgreSQL with ``--pg``), counted as ``tests/statements.py`` counts them.

``python -m benchmarks.cpu [--cases N] [--pg URL]`` (the PostgreSQL database is emptied).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Sequence


def _load() -> str:
    return f"[load {os.getloadavg()[0]:.1f}]"


def command(directory: str, cases: int) -> str:
    from benchmarks import common
    from wams.api import Wams
    from wams.core.clock import Clock

    rounds = []
    for r in range(3):
        with Wams.open(f"sqlite:///{directory}/command-{r}.db", clock=Clock(common.START)) as w:
            common.check_lifecycle(common.lifecycle(w, common.GEMEENTE, 0))  # warm
            t0 = time.process_time()
            for i in range(1, cases + 1):
                common.lifecycle(w, common.GEMEENTE, i)
            rounds.append((time.process_time() - t0) / (cases * common.COMMANDS_PER_CASE))
    return (f"cpu command {min(rounds) * 1e6:.0f} µs per command (B1 lifecycle, {cases} cases, "
            f"best of 3: {', '.join(f'{x * 1e6:.0f}' for x in rounds)})  {_load()}")


def load(directory: str, cases: int) -> str:
    from benchmarks.b8 import write_archive
    from wams import archive
    from wams.api import Wams

    path = f"{directory}/archief.jsonl"
    write_archive(path, cases)
    rounds = []
    for r in range(3):
        with Wams.open(f"sqlite:///{directory}/load-{r}.db") as w:
            t0 = time.process_time()
            archive.load(w, path)
            rounds.append((time.process_time() - t0) / cases)
    best = min(rounds)
    return (f"cpu load {best * 1e3:.2f} ms per case ({1 / best:.0f} cases per CPU-second; "
            f"{cases} cases through archive.load, start-up excluded, best of 3: "
            f"{', '.join(f'{x * 1e3:.2f}' for x in rounds)})  {_load()}")


def statements(url: str) -> str:
    from benchmarks import common
    from tests.statements import Counter
    from wams.api import Wams
    from wams.core.clock import Clock

    with Wams.open(url, clock=Clock(common.START)) as w:
        common.check_lifecycle(common.lifecycle(w, common.GEMEENTE, 0))
        counter = Counter()
        detach = counter.attach(w)
        try:
            common.check_lifecycle(common.lifecycle(w, common.GEMEENTE, 1))
        finally:
            detach()
        dialect = w.engine.dialect
    return f"statements {dialect} {counter.statements} for the ten commands of one B1 lifecycle"


def _empty_postgres(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.cpu", description=__doc__)
    p.add_argument("--cases", type=int, default=100, help="B1 lifecycles per round (100)")
    p.add_argument("--load-cases", type=int, default=300, help="archive cases (300)")
    p.add_argument("--pg", help="PostgreSQL URL for the statement count (emptied)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="wams-cpu-") as d:
        os.environ.setdefault("WAMS_KEY_FILE", f"{d}/wams.keys")
        print(statements(f"sqlite:///{d}/statements.db"), flush=True)
        if args.pg:
            _empty_postgres(args.pg)
            print(statements(args.pg), flush=True)
        print(command(d, args.cases), flush=True)
        print(load(d, args.load_cases), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
