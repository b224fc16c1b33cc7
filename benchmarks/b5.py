"""B5 (the speed goals): one municipality at archive size, side by side with raw SQL on the same
indexes, at N/10 and at N cases (``--scale N``; documented up to 1,000,000 cases and
20,000,000 processing records). See ``b5_data`` for what is generated and how it is checked.

Each figure is printed as a ratio with its goal, and how it grows from N/10 to N:
*flat* (×≤1.5), *linear* (grows with the size) or *worse* (faster than the size).

- inzage: ``Wams.inzage_persoon`` p50/p99 over random persons, interleaved lookup by lookup
  with raw ``sqlite3`` doing the same work (``inzage_reference``: the same indexed lookups,
  the case rows checked against the chain and their states opened, the settings and register
  read, the one log record the report writes and its keyed-chain entry), in its own
  ``BEGIN IMMEDIATE`` transaction. Also the CLI (``wams inzage``) wall time, which is mostly
  interpreter start (see B6).
- retention: ``Wams.retention_run`` over the expired tenth, per case, vs a raw writer doing the
  same work (reads, checks, seals, digests and rows) for as many other cases, in transactions
  of the same size, cold (the process's first run) and warm (its second) (``b5_retention``).
- ``case list``, ``log export``, ``audit verify``: the CLI in a child process, its wall time
  less that of the same command on a municipality without cases (start-up), and its peak
  memory (VmHWM), vs a raw ``sqlite3`` child reading the same rows in the same order and
  formatting (or hashing) each.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from benchmarks import b5_data, b5_retention, goals
from benchmarks.common import GEMEENTE, fresh_sqlite, tempdir

INZAGE_LOOKUPS = 1000
WARM_UP = 100
CLI_LOOKUPS = 5
EMPTY = "9999"  # a municipality without cases


def run(scale: int) -> list[str]:
    small = max(100, scale // 10)
    out: list[str] = []
    figures: dict[int, dict[str, float]] = {}
    with tempdir() as d:
        for n in (small, scale):
            path = fresh_sqlite(d, f"b5-{n}.db")
            gen = b5_data.generate(path, n)
            size = os.path.getsize(path) / 1e6
            out.append(f"B5  generated {n} cases, {n * b5_data.RECORDS_PER_CASE} log records "
                       f"({size:.0f} MB) in {gen.seconds:.0f} s "
                       f"({gen.seconds / n * 1000:.2f} ms per case through Wams.batch); "
                       f"row counts and audit verify checked")
            print(out[-1], flush=True)
            figures[n] = measure(gen)
            figures[n]["database_mb"] = size
            os.remove(path)
    out += report(figures, small, scale)
    return out


def measure(gen: b5_data.Generated) -> dict[str, float]:
    f = measure_reads(gen)
    f.update(b5_retention.measure(gen.path, gen.expired, gen.reference,
                                  (b5_data.FIRST_HALF_DAY, b5_data.RETENTION_DAY)))
    print(f"B5  measured at {gen.cases}: " + ", ".join(f"{k} {v:.4g}" for k, v in f.items()),
          flush=True)
    return f


def measure_reads(gen: b5_data.Generated) -> dict[str, float]:
    """The reads: inzage through the API (interleaved with raw sqlite3) and the CLI, and the
    case list, log export and audit verify as children, each against a raw child."""
    f: dict[str, float] = {}
    f.update(inzage(gen))
    f.update(inzage_cli(gen))
    for name, args, raw in streams(gen.path):
        seconds, mb, rows = child(args)
        raw_seconds, raw_mb, raw_rows = child(["-c", raw, gen.path])
        # The same command on a municipality without cases: start-up, schema check, plugins.
        empty = min(child([EMPTY if a == GEMEENTE else a for a in args])[0] for _ in range(2))
        seconds = max(seconds - empty, 1e-3)  # below a millisecond it is start-up noise
        f[f"{name}_s"], f[f"{name}_mb"] = seconds, mb
        f[f"{name}_raw_s"], f[f"{name}_raw_mb"], f[f"{name}_rows"] = raw_seconds, raw_mb, raw_rows
    return f


# -- inzage ---------------------------------------------------------------------------------


def inzage(gen: b5_data.Generated) -> dict[str, float]:
    from benchmarks.inzage_reference import InzageReference, load_keys
    from benchmarks.reference import sqlite_connect
    from wams.api import Wams
    from wams.core.clock import Clock
    from wams.core.model import Persoon

    rng = random.Random(5)
    people = [rng.randrange(gen.cases) for _ in range(INZAGE_LOOKUPS)]
    w = Wams.open(f"sqlite:///{gen.path}", clock=Clock(b5_data.LATE))
    raw = sqlite_connect(gen.path)  # the engine's settings, its page cache too
    with w.engine.unit_of_work(GEMEENTE) as uow:  # the pseudonyms the raw side looks up
        subjects = [uow.subject_of(Persoon(ref="jan", bsn=b5_data.bsn(i)))[0] for i in people]
    ours: list[float] = []
    theirs: list[float] = []
    folds: list[float] = []  # the WAL checkpoint after each pair (not in either timing)
    try:
        # What a report writes, for the raw side to copy (not measured).
        template = w.inzage_persoon(GEMEENTE, bsn=b5_data.bsn(people[0]), actor="medewerker",
                                    verzoek="B5-template")
        reference = InzageReference(raw, "?", load_keys(raw, "?", w.engine.keys, GEMEENTE),
                                    GEMEENTE, template["trace_id"])
        for k, (i, subject) in enumerate(zip(people, subjects, strict=True)):
            if k == WARM_UP:  # caches warm on both sides: measure from here
                ours.clear()
                theirs.clear()
                folds.clear()
            def wams_side(i: int = i) -> float:
                t = time.perf_counter()
                report = w.inzage_persoon(GEMEENTE, bsn=b5_data.bsn(i), actor="medewerker",
                                          verzoek=f"B5-{i}")
                elapsed = time.perf_counter() - t
                assert report["verwerkingen"], "a generated person without records"
                return elapsed

            def raw_side(subject: str = subject, i: int = i) -> float:
                t = time.perf_counter()
                reference.report(subject, f"B5-raw-{i}")
                return time.perf_counter() - t
            if k % 2:
                ours.append(wams_side())
                theirs.append(raw_side())
            else:
                theirs.append(raw_side())
                ours.append(wams_side())
            # Both sides write (the report's log rows and entry) into one WAL, and whichever
            # commit crosses SQLite's checkpoint threshold folds it into the database: a few
            # milliseconds on one side's clock, at random, which decided the p99s (and their
            # ratio: 1.2 at 10,000 cases, 4.5 at 100,000 in one run). Folded after every pair,
            # outside both timings, each side's p99 is its own work; the folding is shown apart.
            t = time.perf_counter()
            w.engine.driver_pragmas("PRAGMA wal_checkpoint(PASSIVE)")
            folds.append(time.perf_counter() - t)
    finally:
        raw.close()
        w.close()
    return {"inzage_p50": pct(ours, 50), "inzage_p99": pct(ours, 99),
            "inzage_raw_p50": pct(theirs, 50), "inzage_raw_p99": pct(theirs, 99),
            "inzage_checkpoint_p50": pct(folds, 50)}


def inzage_cli(gen: b5_data.Generated) -> dict[str, float]:
    times = []
    for k in range(CLI_LOOKUPS):
        seconds, _, _ = child(["wams", "inzage", "--db", f"sqlite:///{gen.path}",
                                "--gemeente", GEMEENTE, "--bsn", b5_data.bsn(k * 7 % gen.cases),
                                "--verzoek", f"B5-cli-{k}"])
        times.append(seconds)
    return {"inzage_cli_p50": statistics.median(times)}


# -- retention ------------------------------------------------------------------------------


# -- streams: case list, log export, audit verify -------------------------------------------

_RAW_CASES = """
import sqlite3, sys
out = open("/dev/null", "w")
c = connect(sys.argv[1]); n = 0
for r in c.execute("SELECT id, route, wet, phase, opened_on, closed_on, destroyed_on FROM cases "
                   "WHERE gemeente='0599' ORDER BY opened_on, id"):
    out.write(f"{r[0]}  route {r[1]}  {r[2] or '-':<16} {r[3]:<12} geopend {r[4]}\\n"); n += 1
print(n)
"""
_RAW_LOG = """
import json, sqlite3, sys
out = open("/dev/null", "w")
c = connect(sys.argv[1]); n = 0
cur = c.execute("SELECT * FROM processing_log WHERE gemeente='0599' ORDER BY id")
names = [d[0] for d in cur.description]
for r in cur:
    out.write(json.dumps(dict(zip(names, r)), ensure_ascii=False) + "\\n"); n += 1
print(n)
"""
_RAW_AUDIT = """
import hashlib, sqlite3, sys
c = connect(sys.argv[1]); n = 0
for r in c.execute("SELECT h.*, c.destroyed_on FROM history h LEFT JOIN cases c ON c.id = "
                   "h.case_id WHERE h.gemeente = '0599' ORDER BY h.gemeente, h.chain_n"):
    hashlib.sha256("|".join(map(str, r)).encode()).hexdigest(); n += 1
print(n)
"""


def _raw_child(body: str) -> str:
    """A raw child's code, its connection with the engine's SQLite settings (the page cache
    counts in its peak memory as in wams')."""
    from wams.core.storage.database import sqlite_pragmas

    return ("import sqlite3\n"
            f"def connect(path):\n    c = sqlite3.connect(path)\n"
            f"    for p in {sqlite_pragmas()!r}:\n        c.execute(p)\n    return c\n" + body)


def streams(path: str) -> list[tuple[str, list[str], str]]:
    url = f"sqlite:///{path}"
    return [("case_list", ["wams", "case", "list", "--db", url, "--gemeente", GEMEENTE],
             _raw_child(_RAW_CASES)),
            ("log_export", ["wams", "log", "export", "--db", url, "--gemeente", GEMEENTE],
             _raw_child(_RAW_LOG)),
            ("audit_verify", ["wams", "audit", "verify", "--db", url, "--gemeente", GEMEENTE],
             _raw_child(_RAW_AUDIT))]


# A child reports its own peak memory: VmHWM belongs to the process image after exec, where
# wait4's ru_maxrss would count the benchmark's own pages at fork time.
_PEAK = """
import atexit, sys
def peak():
    with open("/proc/self/status") as f:
        kb = next(line.split()[1] for line in f if line.startswith("VmHWM"))
    sys.stderr.write(f"\\nB5-PEAK-KB {kb}\\n")
atexit.register(peak)
"""
_WAMS_CHILD = _PEAK + "from wams.cli import main\nsys.argv[0] = 'wams'\nmain(sys.argv[1:])\n"


def child(args: Sequence[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS (MB) and the number it printed last, of one child process: a
    wams command (``["wams", ...]``) or a raw script (``["-c", code, ...]``). Its output goes
    to a file (a wams command's lines: megabytes)."""
    import tempfile

    if args[0] == "wams":
        argv = [sys.executable, "-c", _WAMS_CHILD, *args[1:]]
    else:
        argv = [sys.executable, "-c", _PEAK + args[1], *args[2:]]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t = time.perf_counter()
        code = subprocess.run(argv, stdout=out, stderr=err, check=False).returncode
        seconds = time.perf_counter() - t
        err.seek(0)
        errors = err.read().decode(errors="replace")
        if code:
            raise SystemExit(f"B5: {' '.join(args[:4])} failed: {errors[-500:]}")
        out.seek(0, os.SEEK_END)
        out.seek(max(0, out.tell() - 200))
        tail = out.read().split()
    rows = int(tail[-1]) if tail and tail[-1].isdigit() else 0
    kb = int(errors.rsplit("B5-PEAK-KB", 1)[1].split()[0])
    return seconds, kb / 1024, rows


# -- the report -----------------------------------------------------------------------------


def pct(xs: Sequence[float], p: int) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def growth(small: float, large: float, size_factor: float) -> str:
    """How a figure grows from N/10 to N: flat, linear (with the size) or worse."""
    factor = large / small if small else float("inf")
    bound = goals.GOALS["B5-flat"].bound
    kind = "flat" if factor <= bound else "linear" if factor <= size_factor * bound else "worse"
    return f"×{factor:.2f} from N/10 to N ({kind})"


def report(figures: dict[int, dict[str, float]], small: int, scale: int) -> list[str]:
    a, b = figures[small], figures[scale]
    k = scale / small
    flat = goals.GOALS["B5-flat"]
    lines: list[str] = []

    def add(text: str, ok: bool, grow: str) -> None:
        lines.append(f"B5  {text}  ({'ok' if ok else 'MISSED'})  {grow}  [{goals.load()}]")

    def goal(key: str) -> str:
        return goals.GOALS[key].text()

    ms: Callable[[float], str] = lambda s: f"{s * 1000:.2f} ms"  # noqa: E731
    ratio = b["inzage_p99"] / b["inzage_raw_p99"]
    add(f"inzage API p99 {ms(b['inzage_p99'])} (p50 {ms(b['inzage_p50'])})  raw p99 "
        f"{ms(b['inzage_raw_p99'])} (p50 {ms(b['inzage_raw_p50'])})  ratio {ratio:.2f}  "
        f"goal p99 {goal('B5-inzage-p99')} and {goal('B5-inzage-raw')} raw, flat "
        f"(×{goal('B5-flat')})",
        goals.GOALS["B5-inzage-p99"].met(b["inzage_p99"] * 1000)
        and goals.GOALS["B5-inzage-raw"].met(ratio)
        and flat.met(b["inzage_p99"] / a["inzage_p99"]),
        growth(a["inzage_p99"], b["inzage_p99"], k) + f" [p99 at N/10 {ms(a['inzage_p99'])}, "
        f"ratio {a['inzage_p99'] / a['inzage_raw_p99']:.2f}; the WAL folded after each pair, "
        f"outside both timings: p50 {ms(b['inzage_checkpoint_p50'])}]")
    add(f"inzage CLI p50 {ms(b['inzage_cli_p50'])} wall (interpreter start included; see B6)  "
        "goal flat", flat.met(b["inzage_cli_p50"] / a["inzage_cli_p50"]),
        growth(a["inzage_cli_p50"], b["inzage_cli_p50"], k))
    for run in ("cold", "warm"):
        ours, theirs = b[f"retention_{run}_ms"], b[f"retention_{run}_raw_ms"]
        ratio = ours / theirs
        add(f"retention {run} {ours:.3f} ms per case over {b['retention_cases'] / 2:.0f} "
            f"expired cases  raw writer of the same work {theirs:.3f} ms  ratio {ratio:.2f}  "
            f"goal {goal('B5-retention')}", goals.GOALS["B5-retention"].met(ratio),
            growth(a[f"retention_{run}_ms"], ours, k) + " per case")
    memory = goals.GOALS["B5-memory"]
    # A command's SQLite connections (its own and the one a stream reads on) each keep a page
    # cache that fills up to its bound as the database grows past it: below that size, memory
    # that grows from N/10 to N is the cache filling, not a stream that holds its rows.
    from wams.core.storage.database import sqlite_cache_mb

    caches = 2 * sqlite_cache_mb()
    growth_judged = a["database_mb"] >= caches
    unjudged = ("" if growth_judged else f" (growth not judged: at N/10 the database, "
                f"{a['database_mb']:.0f} MB, is smaller than the {caches} MiB of page cache its "
                "two connections may fill; judged from a --scale whose N/10 is larger)")
    for name, what in (("case_list", "case list"), ("log_export", "log export"),
                       ("audit_verify", "audit verify")):
        rows = b[f"{name}_rows"]
        per = b[f"{name}_s"] / rows * 1e6
        raw_per = b[f"{name}_raw_s"] / rows * 1e6
        add(f"{what} {per:.1f} µs per row over {rows:.0f} rows  raw {raw_per:.1f} µs  ratio "
            f"{per / raw_per:.2f} (no goal)  peak {b[f'{name}_mb']:.0f} MB (raw "
            f"{b[f'{name}_raw_mb']:.0f})  goal {memory.text()}, flat",
            memory.met(b[f"{name}_mb"])
            and (flat.met(b[f"{name}_mb"] / a[f"{name}_mb"]) or not growth_judged),
            "memory " + growth(a[f"{name}_mb"], b[f"{name}_mb"], k) + unjudged + f"; time ×"
            f"{b[f'{name}_s'] / a[f'{name}_s']:.1f} for ×{rows / a[f'{name}_rows']:.1f} rows")
    return lines
