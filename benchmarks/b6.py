"""B6 (the speed goals): cold start of ``wams --help`` and of a real command, ``wams scenario check
FILE``, each ≤ 1.5× ``python -c "import sqlalchemy, click, pluggy, attrs, cattrs"``. The three
run as fresh processes, interleaved round by round (the order rotates), median wall time."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks import goals
from benchmarks.b4 import CLI, files

BARE = "import sqlalchemy, click, pluggy, attrs, cattrs"


def run(rounds: int = 5) -> list[str]:
    scenario = str(files()[0])
    commands = {"bare imports": ["-c", BARE], "wams --help": ["-c", CLI, "--help"],
                "wams scenario check": ["-c", CLI, "scenario", "check", scenario]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    names = list(commands)
    for r in range(max(rounds, 5) * 2):
        for name in names[r % 3:] + names[:r % 3]:
            t = time.perf_counter()
            done = subprocess.run([sys.executable, *commands[name]], capture_output=True,
                                  check=False)
            times[name].append(time.perf_counter() - t)
            if done.returncode:
                raise SystemExit(f"B6: {name} failed: {done.stderr.decode()[-300:]}")
    bare = statistics.median(times["bare imports"])
    out = []
    for name in ("wams --help", "wams scenario check"):
        ms = statistics.median(times[name])
        ratio = ms / bare
        out.append(goals.line("B6", f"{name} {ms * 1000:.0f} ms  bare imports "
                              f"{bare * 1000:.0f} ms  ratio {ratio:.2f}", "B6", ratio,
                              f"[{len(times[name])} cold starts each, interleaved, median]"))
    return out
