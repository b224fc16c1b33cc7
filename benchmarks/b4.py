"""B4 (the speed goals): the bundled scenario library, in-memory SQLite, ≤ 20 ms per scenario on
average. In process: every file loaded, then run through ``run_scenario`` (each on its own
fresh in-memory database, as ``wams scenario run`` does); the median of three passes. On the
command line: ``wams scenario run scenarios/`` once (one start-up for the whole library) and
``wams scenario run FILE`` for a sample of files (one start-up each), wall time."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import goals

SAMPLE = 5
CLI = "from wams.cli import main; import sys; sys.argv[0] = 'wams'; main(sys.argv[1:])"


def files() -> list[Path]:
    from wams.core.scenario.library import files as library_files

    return library_files()


def run(passes: int = 3) -> list[str]:
    from wams.core.scenario.load import load
    from wams.core.scenario.run import run_scenario

    paths = files()
    scenarios = [load(p) for p in paths]
    run_scenario(scenarios[0])  # warm: the first run records the schema (migrate.py)
    per: list[float] = []
    for _ in range(passes):
        t = time.perf_counter()
        results = [run_scenario(s) for s in scenarios]
        per.append((time.perf_counter() - t) / len(scenarios) * 1000)
        failed = [r.file for r in results if not r.passed]
        if failed:
            raise SystemExit(f"B4: scenarios failed: {failed}")
    ms = statistics.median(per)
    out = [goals.line("B4", f"in process {ms:.1f} ms per scenario over {len(scenarios)} "
                      f"scenarios (median of {passes} passes; no reference: CPU-bound, moves "
                      "with the load)", "B4", ms)]
    t = time.perf_counter()
    from wams.core.scenario.library import BUNDLED

    _cli("scenario", "run", str(BUNDLED))
    whole = (time.perf_counter() - t) / len(scenarios) * 1000
    single = []
    for p in paths[:: max(1, len(paths) // SAMPLE)][:SAMPLE]:
        t = time.perf_counter()
        _cli("scenario", "run", str(p))
        single.append((time.perf_counter() - t) * 1000)
    out.append(f"B4  CLI wall: library in one `wams scenario run` {whole:.1f} ms per scenario "
               "(for scale: the goal is in process; start-up spread over the library); one file "
               f"per command {statistics.median(single):.0f} ms median of {len(single)} (start-up "
               f"included: see B6; no goal)  [{goals.load()}]")
    return out


def _cli(*args: str) -> None:
    done = subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, check=False)
    if done.returncode:
        raise SystemExit(f"B4: wams {' '.join(args)} failed: {done.stdout.decode()[-300:]}")
