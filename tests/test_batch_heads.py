"""A batch reads each municipality's chain head once and writes it once (speed goal B8: loading
an archive in large batches), and stays exactly as correct as one transaction per command: a
step that fails inside the batch is undone with the head it advanced, the head row ends on the
last entry, and the chain verifies."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from tests.statements import Counter
from wams.core.storage.repository import Store

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
