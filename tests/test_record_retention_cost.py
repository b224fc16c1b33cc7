"""Retention costs the same per destroyed record or case whatever the size of the archive
(speed goal B5): every record is found through the person's own index, every case through its
own entries, never by a scan of the history. Counted, not timed: the statements each destroyed
record or case costs (both backends) and, on SQLite, the virtual-machine instructions they run
(a scan shows up there even when it is one statement), at two archive sizes ten times apart.

The destroyed cases are the oldest of the municipality, as in a real retention run: a lookup
that walks the municipality's chain backwards from its end until it meets the case (as the
check of the case row against its committing entry once did on SQLite) costs the whole later
history per case, and shows here as instructions growing with the archive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from tests.statements import Counter
from wams.api import Wams
from wams.core.clock import Clock
from wams.core.commands import Melder
from wams.core.model import Partij, Persoon
from wams.testing import test_bsn

G = "0599"
EARLY = dt.date(2024, 1, 8)
LATER = dt.date(2025, 3, 3)  # EARLY + 12 months has passed
DUE = dt.date(2026, 4, 6)  # LATER + 12 months has passed
RECORDS = 6  # meldingen (each passed on) and betrokkenheid records destroyed in the counted run
KB = Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")


def _records(w: Wams, first: int, count: int) -> None:
    """``count`` persons, each with a melding that is passed on and a betrokkenheid."""
    ids = []
    with w.batch() as b:
        for i in range(first, first + count):
            jan = Persoon(ref="jan", bsn=test_bsn(i))
            d = b.melding(G, melder=Melder("burger", "A. Buur"), over=jan, zorg="zorgen")
            assert d.allowed, d.code
            ids.append(d.report["melding"])
            d = b.betrokkenheid(G, partij=KB, persoon=jan, dienst="wgs.schuldhulpverlening")
            assert d.allowed, d.code
    for melding in ids:  # passing on is a step of its own, outside a batch
        d = w.melding_doorgeven(G, melding, aan=Partij("wijkteam", "wmo.wijkteam"),
                                doel="melding_onderzoeken",
                                reden="contact opnemen over de zorgen")
        assert d.allowed, d.code


def _cost(url: str, key_file: str, archive: int) -> tuple[float, float]:
    """Statements and VM instructions per destroyed record, with ``archive`` earlier persons'
    meldingen, passings-on and betrokkenheid already in the history (destroyed in an earlier
    run, so the run's own listing is the same size: only a per-record scan could grow)."""
    clock = Clock(EARLY)
    with Wams.open(url, clock=clock, key_file=key_file) as w:
        _records(w, 10_000, archive)
        clock.set(LATER)
        assert len(w.retention_run_records(G)) == 2 * archive
        _records(w, 0, RECORDS)
        clock.set(DUE)
        counter = Counter()
        detach = counter.attach(w)
        try:
            done = w.retention_run_records(G)
        finally:
            detach()
        assert len(done) == 2 * RECORDS and all(d["vernietigd"] for d in done)
        # the run's end (not counted): the periods that are over leave the key store,
        # without which the audit rightly reports their proofs' KEKs as still alive
        w.retire_periods(G)
        report = w.audit(G)
        assert report["intact"], report
    return counter.statements / len(done), counter.instructions / len(done)


@pytest.fixture
def fresh_url(db_url: str, tmp_path: Any) -> Callable[[str], str]:
    """A second empty database on the same backend."""
    def make(name: str) -> str:
        if db_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / name}"
        import sqlalchemy

        engine = sqlalchemy.create_engine(db_url)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
        engine.dispose()
        return db_url
    return make


def test_record_retention_costs_the_same_per_record_at_ten_times_the_archive(
        fresh_url: Callable[[str], str], tmp_path: Any) -> None:
    small = _cost(fresh_url("small.db"), str(tmp_path / "small.keys"), 15)
    large = _cost(fresh_url("large.db"), str(tmp_path / "large.keys"), 150)
    assert large[0] == small[0], f"statements per record: {small[0]} at 15, {large[0]} at 150"
    assert small[0] <= 30, f"{small[0]} statements per destroyed record"
    if small[1]:  # SQLite: the work inside the statements, a scan included
        assert large[1] <= 1.3 * small[1], \
            f"VM instructions per record: {small[1]:.0f} at 15, {large[1]:.0f} at 150"


# -- cases ---------------------------------------------------------------------------------

CASE_DUE = dt.date(2025, 3, 10)  # EARLY + 12 months has passed, LATER + 12 not
CASES = 6  # destroyed in the counted run
#: what one destruction may ask of the database (no savepoint: a run stores its batch whole
#: and uses one a case only to name a case that fails): the reads of the case (meta; the row
#: with its committing entry; its data key) and of the settings, the data key's removal (its
#: row with its entry's key id, the destroyed_rows record, the delete), the erased history
#: content, the proof, the log rows, the case row and the history entry
STATEMENTS_PER_CASE = 12
#: what the run asks once: the cases due, the transaction, the chain head, the register's
#: versions, the WAL folded in at the end (SQLite); and the run's actor, met for the first
#: time in this process, in the register of actors (its read, its data key and its entry)
RUN_STATEMENTS = 12 + 3


def _closed_cases(w: Wams, first: int, count: int) -> None:
    with w.batch() as b:
        for i in range(first, first + count):
            d = b.hulpvraag(G, wet="wmo", client=Persoon("jan", bsn=test_bsn(i)),
                            vraag="begeleiding", aanleiding="vereenzaamt")
            assert d.allowed, d
            assert b.domein(G, d.case_id, domein="welzijn", reden="eenzaamheid",
                            client_akkoord=True).allowed
            assert b.sluit(G, d.case_id, terugvalafspraken="bel het wijkteam",
                           reden="cliënt verhuist").allowed


def _case_cost(url: str, key_file: str, archive: int) -> tuple[float, float]:
    """Statements and VM instructions per destroyed case, the destroyed cases first in the
    chain and ``archive`` later cases (not due) after them."""
    clock = Clock(EARLY)
    with Wams.open(url, clock=clock, key_file=key_file) as w:
        _closed_cases(w, 0, CASES)
        clock.set(LATER)
        _closed_cases(w, 1000, archive)
        clock.set(CASE_DUE)
    # A fresh handle, as `wams retention run` is: no case in its cache.
    with Wams.open(url, clock=clock, key_file=key_file) as w:
        counter = Counter()
        detach = counter.attach(w)
        try:
            done = w.retention_run(G)
        finally:
            detach()
        assert len(done) == CASES and all(d["vernietigd"] for d in done), done
        w.retire_periods(G)  # the run's end (not counted): the past periods' KEKs retired
        report = w.audit(G)
        assert report["intact"], report
    return counter.statements / CASES, counter.instructions / CASES


def test_case_retention_costs_the_same_per_case_at_ten_times_the_archive(
        fresh_url: Callable[[str], str], tmp_path: Any) -> None:
    small = _case_cost(fresh_url("small.db"), str(tmp_path / "small.keys"), 15)
    large = _case_cost(fresh_url("large.db"), str(tmp_path / "large.keys"), 150)
    assert large[0] == small[0], f"statements per case: {small[0]} at 15, {large[0]} at 150"
    assert small[0] * CASES <= STATEMENTS_PER_CASE * CASES + RUN_STATEMENTS, \
        f"{small[0]} statements per destroyed case"
    if small[1]:  # SQLite: the work inside the statements, a scan included
        assert large[1] <= 1.3 * small[1], \
            f"VM instructions per case: {small[1]:.0f} at 15, {large[1]:.0f} at 150"
