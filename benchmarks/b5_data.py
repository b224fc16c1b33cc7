"""B5's municipality: generated through the engine's own write path, then checked.

Every case runs the B1 lifecycle (ten commands) and is then viewed 14 times (each view a
logged *raadplegen*), so a case carries 20 processing records (at 1,000,000 cases the
20,000,000 records of speed goal B5) and 24 history entries (each view is a keyed-chain entry
of its own). One case in fifty also gets a
melding at the meldpunt. The commands go through :meth:`wams.api.Wams.batch` (many commands
per transaction): the same decisions, rows, chain and log as one transaction each, only fewer
commits. The result is checked: row counts per table (what one case and one melding write is
measured on a probe database first, so the check follows the engine) and ``audit verify``.

The first tenth of the cases (the *expired* set) is opened and closed on ``EARLY`` (its first
half) and ``EARLY_SECOND`` (its second half), the rest on ``LATE``: at ``RETENTION_DAY`` only
the expired set is past its bewaartermijn (12 months), at ``FIRST_HALF_DAY`` only its first
half (the cold and the warm retention run), and the next tenth (the *reference* set, same
shape, not expired) is what the raw writer destroys.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from dataclasses import dataclass

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle

EARLY = dt.date(2025, 1, 6)
EARLY_SECOND = dt.date(2025, 2, 10)
LATE = dt.date(2026, 6, 1)
FIRST_HALF_DAY = dt.date(2026, 1, 20)  # EARLY + 12 months has passed, EARLY_SECOND + 12 not
RETENTION_DAY = dt.date(2026, 3, 1)  # EARLY_SECOND + 12 months has passed, LATE + 12 has not
VIEWS_PER_CASE = 14
RECORDS_PER_CASE = 6 + VIEWS_PER_CASE  # the lifecycle logs 6
COUNTED = ("cases", "history", "processing_log", "meldingen", "melders", "data_keys")
MELDING_EVERY = 50
BATCH = 200  # cases per transaction while generating


def bsn(i: int) -> str:
    """The BSN of case ``i``'s client, as ``common.lifecycle`` gives it."""
    from wams.testdata import test_bsn

    return test_bsn(i)


@dataclass
class Generated:
    path: str
    cases: int
    seconds: float
    expired: list[str]  # case ids past their bewaartermijn on RETENTION_DAY
    reference: list[str]  # as many cases, not expired: the raw writer destroys them


def generate(path: str, n: int) -> Generated:
    from wams.api import Wams
    from wams.core.clock import Clock

    clock = Clock(EARLY)
    tenth = max(1, n // 10)
    ids: list[str] = []
    start = time.perf_counter()
    with Wams.open(f"sqlite:///{path}", clock=clock) as w:
        load_cases(w, range(0, tenth // 2), ids)
        clock.set(EARLY_SECOND)
        load_cases(w, range(tenth // 2, tenth), ids)
        clock.set(LATE)
        load_cases(w, range(tenth, n), ids)
    seconds = time.perf_counter() - start
    check(path, n, written_per_case(path + ".probe"))
    # Start every measurement from an empty WAL: the first commit after the bulk load would
    # otherwise fold the whole load into the database, on whichever side came first.
    raw = sqlite3.connect(path)
    try:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    return Generated(path, n, seconds, ids[:tenth], ids[tenth:2 * tenth])


def load_cases(w, numbers: range, ids: list[str]) -> None:  # type: ignore[no-untyped-def]
    from wams.core.commands import Melder
    from wams.core.model import Persoon

    for first in range(numbers.start, numbers.stop, BATCH):
        with w.batch() as b:
            for i in range(first, min(numbers.stop, first + BATCH)):
                decisions = lifecycle(b, GEMEENTE, i)
                check_lifecycle(decisions)
                case_id = decisions[0].case_id
                ids.append(case_id)
                for _ in range(VIEWS_PER_CASE):
                    b.case(GEMEENTE, case_id, actor="medewerker", purpose="behandeling")
                if i % MELDING_EVERY == 0:
                    d = b.melding(GEMEENTE, melder=Melder("burger", "A. Buur"),
                                  over=Persoon(ref="jan", bsn=bsn(i)),
                                  zorg="maakt zich zorgen om de schulden")
                    assert d.allowed, d.code


def _counts(path: str) -> dict[str, int]:
    raw = sqlite3.connect(path)
    try:
        return {t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COUNTED}
    finally:
        raw.close()


Counts = dict[str, int]


def written_per_case(probe: str) -> tuple[Counts, Counts, Counts]:
    """The rows a database gets once, the rows one generated case writes per table, and what a
    melding adds: measured by generating two cases without and one with a melding in a probe
    database (removed after)."""
    import os

    from wams.api import Wams
    from wams.core.clock import Clock

    files = [probe + suffix for suffix in ("", "-wal", "-shm", ".keys")]
    try:
        with Wams.open(f"sqlite:///{probe}", clock=Clock(LATE)) as w:
            load_cases(w, range(1, 2), [])  # cases 1 and 2: no melding
            one = _counts(probe)
            load_cases(w, range(2, 3), [])
            two = _counts(probe)
            load_cases(w, range(0, 1), [])  # case 0: with a melding
            three = _counts(probe)
    finally:
        for f in files:
            if os.path.exists(f):
                os.remove(f)
    case = {t: two[t] - one[t] for t in COUNTED}
    # once per database (a municipality's first step: e.g. its register entries)
    once = {t: one[t] - case[t] for t in COUNTED}
    return once, case, {t: three[t] - two[t] - case[t] for t in COUNTED}


def check(path: str, n: int, per: tuple[Counts, Counts, Counts]) -> None:
    """Stop the benchmark unless the database holds exactly what the engine writes: ``per``
    is (rows once, rows of one case, rows a melding adds) from :func:`written_per_case`."""
    from wams.core.privacy.keystore import default_key_store
    from wams.core.storage.audit import verify_database
    from wams.core.storage.database import connect

    meldingen = len(range(0, n, MELDING_EVERY))
    once, case, melding = per
    want = {t: once[t] + n * case[t] + meldingen * melding[t] for t in COUNTED}
    if case["processing_log"] != RECORDS_PER_CASE or melding["meldingen"] != 1:
        raise SystemExit(f"B5 generation: a case writes {case}, a melding adds {melding}")
    got = _counts(path)
    if got != want:
        raise SystemExit(f"B5 generation wrote {got}, expected {want}")
    db = connect(f"sqlite:///{path}")
    try:
        # The chain key: the key store the generating engine used (beside the file).
        keys = default_key_store(f"sqlite:///{path}", database_path=path)
        report = verify_database(db, keys)
    finally:
        db.dispose()
    if not report.intact or report.entries != want["history"]:
        raise SystemExit(f"B5 generation: audit verify failed: {report}")
