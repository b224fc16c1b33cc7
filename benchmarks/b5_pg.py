"""B5 inzage on PostgreSQL: the access report at N/10 and at N cases on a PostgreSQL database,
side by side with raw psycopg doing the same work (``inzage_reference``: the same reads, checks
and decryption, the one log record and its keyed-chain entry), lookup by lookup (the order
swaps every lookup).

The municipality is generated as for SQLite (``b5_data.load_cases``: the B1 lifecycle and 14
logged views a case, one case in 50 with a melding, through ``Wams.batch``), the row counts are
checked, and the tables are analysed before measuring (as a DBA's autovacuum would have).
"""

from __future__ import annotations

import random
import time

from benchmarks import b5_data, goals
from benchmarks.b7 import reset
from benchmarks.common import GEMEENTE
from benchmarks.reference import pg_dbapi

LOOKUPS = 600
WARM_UP = 60


def run(url: str, scale: int) -> list[str]:
    small = max(100, scale // 10)
    figures: dict[int, dict[str, float]] = {}
    out: list[str] = []
    for n in (small, scale):
        seconds = _generate(url, n)
        out.append(f"B5pg generated {n} cases on PostgreSQL in {seconds:.0f} s "
                   f"({seconds / n * 1000:.1f} ms a case through Wams.batch); row counts "
                   f"checked  [{goals.load()}]")
        print(out[-1], flush=True)
        figures[n] = _inzage(url, n)
    a, b = figures[small], figures[scale]
    ratio = b["p99"] / b["raw_p99"]
    growth = b["p99"] / a["p99"]
    ok = (goals.GOALS["B5-inzage-p99"].met(b["p99"] * 1000)
          and goals.GOALS["B5-inzage-raw"].met(ratio) and goals.GOALS["B5-flat"].met(growth))
    out.append(f"B5pg inzage API p99 {b['p99'] * 1000:.2f} ms (p50 {b['p50'] * 1000:.2f} ms)  "
               f"raw psycopg p99 {b['raw_p99'] * 1000:.2f} ms (p50 {b['raw_p50'] * 1000:.2f} "
               f"ms)  ratio {ratio:.2f}  goal p99 {goals.GOALS['B5-inzage-p99'].text()} and "
               f"{goals.GOALS['B5-inzage-raw'].text()}× raw, flat  "
               f"({'ok' if ok else 'MISSED'})  ×{growth:.2f} from N/10 to N [p99 at N/10 "
               f"{a['p99'] * 1000:.2f} ms, raw {a['raw_p99'] * 1000:.2f} ms: the same database "
               f"grew raw's p99 ×{b['raw_p99'] / a['raw_p99']:.2f}; N = {scale}]  "
               f"[{goals.load()}]")
    return out


def _generate(url: str, n: int) -> float:
    import sqlalchemy

    from wams.api import Wams
    from wams.core.clock import Clock

    reset(url)
    start = time.perf_counter()
    with Wams.open(url, clock=Clock(b5_data.LATE)) as w:
        b5_data.load_cases(w, range(n), [])
    seconds = time.perf_counter() - start
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        cases = conn.exec_driver_sql("SELECT count(*) FROM cases").scalar()
        records = conn.exec_driver_sql("SELECT count(*) FROM processing_log").scalar()
        conn.exec_driver_sql("ANALYZE")
    engine.dispose()
    meldingen = len(range(0, n, b5_data.MELDING_EVERY))
    if cases != n or records != n * b5_data.RECORDS_PER_CASE + meldingen:
        raise SystemExit(f"B5pg generation wrote {cases} cases and {records} log records")
    return seconds


def _inzage(url: str, n: int) -> dict[str, float]:
    from sqlalchemy.engine import make_url

    from benchmarks.inzage_reference import InzageReference, load_keys
    from wams.api import Wams
    from wams.core.clock import Clock
    from wams.core.model import Persoon

    rng = random.Random(5)
    people = [rng.randrange(n) for _ in range(LOOKUPS)]
    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    w = Wams.open(url, clock=Clock(b5_data.LATE))
    raw = pg_dbapi(libpq)
    with w.engine.unit_of_work(GEMEENTE) as uow:
        subjects = [uow.subject_of(Persoon(ref="jan", bsn=b5_data.bsn(i)))[0] for i in people]
    ours: list[float] = []
    theirs: list[float] = []
    try:
        # What a report writes, for the raw side to copy (not measured).
        template = w.inzage_persoon(GEMEENTE, bsn=b5_data.bsn(people[0]), actor="medewerker",
                                    verzoek="B5-template")
        reference = InzageReference(raw, "%s", load_keys(raw, "%s", w.engine.keys, GEMEENTE),
                                    GEMEENTE, template["trace_id"])
        for k, (i, subject) in enumerate(zip(people, subjects, strict=True)):
            if k == WARM_UP:
                ours.clear()
                theirs.clear()
            for side in ((0, 1) if k % 2 else (1, 0)):
                t = time.perf_counter()
                if side == 0:
                    report = w.inzage_persoon(GEMEENTE, bsn=b5_data.bsn(i), actor="medewerker",
                                              verzoek=f"B5-{i}")
                    ours.append(time.perf_counter() - t)
                    assert report["verwerkingen"], "a generated person without records"
                else:
                    reference.report(subject, f"B5-raw-{i}")
                    theirs.append(time.perf_counter() - t)
    finally:
        raw.close()
        w.close()
    return {"p50": _pct(ours, 50), "p99": _pct(ours, 99), "raw_p50": _pct(theirs, 50),
            "raw_p99": _pct(theirs, 99)}


def _pct(xs: list[float], p: int) -> float:
    ordered = sorted(xs)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
