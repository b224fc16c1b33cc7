"""The speed goals, in one table: every benchmark reads its goal from here and nowhere else.

Each goal is a bound on one figure: ``at_least`` (a throughput ratio: higher is better) or
``at_most`` (a cost ratio or an absolute bound: lower is better). The table mirrors the
project's quality goals B1–B8; ``tests/test_benchmarks.py`` keeps it and the benchmarks in
step. A figure printed by a benchmark names its goal by key, so a goal changed here changes
every line that judges against it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Goal:
    key: str
    what: str
    bound: float
    at_least: bool  # True: the figure must be ≥ bound; False: ≤ bound
    unit: str = ""  # "" for a ratio, else the unit of an absolute bound

    def met(self, value: float) -> bool:
        return value >= self.bound if self.at_least else value <= self.bound

    def text(self) -> str:
        sign = "≥" if self.at_least else "≤"
        return f"{sign} {self.bound:g}{' ' + self.unit if self.unit else ''}"


GOALS: dict[str, Goal] = {g.key: g for g in (
    Goal("B1", "lifecycle on file SQLite / raw sqlite3 doing the same writes", 0.7, True),
    Goal("B1p", "lifecycle / SpiffWorkflow holding its workflow in memory", 2.0, True),
    Goal("B1p-stateless", "lifecycle, wams' case cache off / SpiffWorkflow reloading per step",
         4.0, True),
    Goal("B2", "lifecycle on PostgreSQL / raw psycopg, same workers", 0.6, True),
    Goal("B2-scaling", "8 workers / 1 worker on different municipalities (needs ≥ 8 cores)",
         2.0, True),
    Goal("B3", "one policy decision / one pluggy call with 5 implementations", 1.0, False),
    Goal("B4", "bundled scenario library in process, per scenario", 20.0, False, "ms"),
    Goal("B5-inzage-p99", "inzage p99", 20.0, False, "ms"),
    Goal("B5-inzage-raw", "inzage p99 / raw SQL on the same indexes", 2.0, False),
    Goal("B5-flat", "growth of a figure from N/10 to N", 1.5, False),
    Goal("B5-retention", "retention run per case / raw writer of the same rows", 2.0, False),
    Goal("B5-memory", "case list, log export, audit verify peak memory", 300.0, False, "MB"),
    Goal("B6", "cold start / python -c 'import sqlalchemy, click, pluggy, attrs, cattrs'", 1.5,
         False),
    Goal("B7", "wams serve (4 workers, 32 clients) / in-process API, interleaved", 0.5, True),
    Goal("B7-p99", "wams serve p99 per step", 50.0, False, "ms"),
    Goal("B8", "bulk load rate, cases/s (1,000,000 cases in under an hour)",
         1_000_000 / 3600, True, "cases/s"),
)}

#: cores B2's scaling needs before its goal can be judged (8 workers beside the server)
SCALING_CORES = 8


def load() -> str:
    """The 1-minute load average, printed beside every figure: the machine is shared."""
    try:
        return f"load {os.getloadavg()[0]:.1f}"
    except OSError:
        return "load ?"


def verdict(key: str, value: float) -> str:
    """``goal ≥ 0.7  (ok)`` or ``(MISSED)`` for a figure against its goal."""
    goal = GOALS[key]
    return f"goal {goal.text()}  ({'ok' if goal.met(value) else 'MISSED'})"


def line(fid: str, figures: str, key: str, value: float, note: str = "",
         *, judged: bool = True) -> str:
    """One printed figure: what was measured, the value against its goal, the load average.
    ``judged=False`` prints the goal but says why this run cannot judge it."""
    text = f"{fid:<4}" if len(fid) < 4 else f"{fid} "  # B8pg as well as B1
    text += f"{figures}  "
    text += verdict(key, value) if judged else f"goal {GOALS[key].text()}  (not judged)"
    return text + (f"  {note}" if note else "") + f"  [{load()}]"
