"""A batch reads each municipality's chain head once and writes it once (speed goal B8: loading
an archive in large batches), and stays exactly as correct as one transaction per command: a
step that fails inside the batch is undone with the head it advanced, the head row ends on the
last entry, and the chain verifies."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from tests.statements import Counter
from wams.core.errors import BatchBroken
from wams.core.model import Persoon
from wams.core.storage.repository import Store
from wams.testing import test_bsn

OTHER = "0600"


def _head_statements(texts: list[str]) -> tuple[int, int]:
    reads = sum(1 for t in texts if "FROM chain_heads" in t and t.lstrip().startswith("SELECT"))
    writes = sum(1 for t in texts if t.lstrip().startswith("UPDATE chain_heads"))
    return reads, writes


@pytest.mark.parametrize("cases", [2, 12])
def test_a_batch_reads_and_writes_each_head_once(open_wams: Any, cases: int) -> None:
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))  # both heads exist before the batch
    check_lifecycle(lifecycle(w, OTHER, 0))
    counter = Counter()
    detach = counter.attach(w)
    try:
        with w.batch() as b:
            for i in range(1, cases + 1):
                check_lifecycle(lifecycle(b, GEMEENTE if i % 2 else OTHER, i))
    finally:
        detach()
    assert _head_statements(counter.texts) == (2, 2)
    assert w.audit()["intact"]


def test_a_failed_step_in_a_batch_takes_back_the_head_it_advanced(
        open_wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    w = open_wams()
    original = Store.append_history

    def fails_after_writing(self: Store, **kw: Any) -> None:
        original(self, **kw)  # the entry is written and the batch's head advanced
        if kw["step"] == "terugkoppeling":
            raise RuntimeError("stap mislukt na het schrijven")
    with w.batch() as b:
        check_lifecycle(lifecycle(b, GEMEENTE, 1))
        monkeypatch.setattr(Store, "append_history", fails_after_writing)
        with pytest.raises(RuntimeError):
            lifecycle(b, GEMEENTE, 2)
        monkeypatch.setattr(Store, "append_history", original)
        check_lifecycle(lifecycle(b, GEMEENTE, 3))
    report = w.audit(GEMEENTE)
    assert report["intact"], report
    with w.engine.unit_of_work(None) as uow:
        head = uow.store.conn.exec_driver_sql(
            "SELECT chain_n, entry_hash FROM chain_heads WHERE gemeente = '0599'").one()
        last = uow.store.conn.exec_driver_sql(
            "SELECT chain_n, entry_hash FROM history WHERE gemeente = '0599' "
            "ORDER BY chain_n DESC LIMIT 1").one()
    assert tuple(head) == tuple(last)
    # And one command after the batch extends the same chain.
    check_lifecycle(lifecycle(w, GEMEENTE, 3))
    assert w.audit(GEMEENTE)["intact"]


def test_a_step_undone_in_a_batch_is_read_again_by_the_next_step_of_its_case(
        open_wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A batch keeps the version and data key of every case it wrote (the rows are locked by
    its transaction, so the next step need not read them back); a step undone by its savepoint
    takes its case's version back with it, so the same case goes on from the stored version."""
    w = open_wams()
    original = Store.append_history

    def fails_after_writing(self: Store, **kw: Any) -> None:
        original(self, **kw)  # the case row is updated already, its version advanced
        raise RuntimeError("stap mislukt na het schrijven")
    jan = Persoon(ref="jan", geboortedatum=dt.date(1985, 4, 12), naam="Jan", bsn=test_bsn(1))
    with w.batch() as b:
        cid = b.hulpvraag(GEMEENTE, wet="participatiewet", client=jan, vraag="algemene bijstand",
                          aanleiding="noemt betalingsachterstanden").case_id
        monkeypatch.setattr(Store, "append_history", fails_after_writing)
        with pytest.raises(RuntimeError):
            b.domein(GEMEENTE, cid, domein="schuldhulp", reden="achterstanden",
                     client_akkoord=True)
        monkeypatch.setattr(Store, "append_history", original)
        # version 1 as stored, not the undone step's 2: a stale version would conflict
        assert b.domein(GEMEENTE, cid, domein="schuldhulp", reden="achterstanden",
                        client_akkoord=True).allowed
    with w.engine.unit_of_work(None) as uow:
        assert uow.store.case_meta(cid)[1] == 2  # type: ignore[index]
    report = w.audit(GEMEENTE)
    assert report["intact"], report


def test_a_batch_does_not_read_back_the_cases_it_wrote(open_wams: Any) -> None:
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))
    counter = Counter()
    detach = counter.attach(w)
    try:
        with w.batch(all_or_nothing=True) as b:
            for i in range(1, 4):
                check_lifecycle(lifecycle(b, GEMEENTE, i))
    finally:
        detach()
    reads = [t for t in counter.texts if t.lstrip().startswith("SELECT")]
    assert [t for t in reads if "FROM cases" in t or "JOIN cases" in t] == [], reads
    assert not [t for t in counter.texts if "SAVEPOINT" in t]  # all or nothing: none
    assert w.audit(GEMEENTE)["intact"]


def _stored(w: Any) -> tuple[int, ...]:
    with w.engine.unit_of_work(None) as uow:
        return tuple(uow.store.conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                     for t in ("cases", "history", "processing_log", "data_keys"))


def test_an_all_or_nothing_batch_stores_nothing_once_a_step_raised(
        open_wams: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a savepoint per step, a step that raises has written part of itself: the batch
    must not commit that, even when its caller catches the error and goes on (raw counts)."""
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))
    before = _stored(w)
    original = Store.append_history

    def fails_after_writing(self: Store, **kw: Any) -> None:
        original(self, **kw)
        if kw["step"] == "dienst":
            raise RuntimeError("stap mislukt na het schrijven")
    with pytest.raises(BatchBroken):
        with w.batch(all_or_nothing=True) as b:
            check_lifecycle(lifecycle(b, GEMEENTE, 1))
            monkeypatch.setattr(Store, "append_history", fails_after_writing)
            with pytest.raises(RuntimeError):
                lifecycle(b, GEMEENTE, 2)
            monkeypatch.setattr(Store, "append_history", original)
            with pytest.raises(BatchBroken):  # the batch takes no further step
                lifecycle(b, GEMEENTE, 3)
    assert _stored(w) == before
    check_lifecycle(lifecycle(w, GEMEENTE, 4))  # the engine goes on, from the stored chain
    assert w.audit(GEMEENTE)["intact"]
