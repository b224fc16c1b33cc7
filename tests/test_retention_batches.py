"""The retention run stores each batch of cases whole, without a savepoint per case, and falls
back to one savepoint a case only for a batch in which a case raises: that case is named, every
other case of the batch is destroyed exactly once, and the other batches are not run twice.
Both backends; the damage is done as a DBA would, in raw SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa

from tests.helpers import raw_value
from tests.statements import Counter
from wams.api import Wams
from wams.core.clock import Clock
from wams.core.model import Persoon
from wams.core.privacy import retention

G = "0599"
DUE = Clock(dt.date(2027, 2, 1) + dt.timedelta(days=3 * 366))


def _closed(w: Wams, count: int) -> list[str]:
    ids = []
    for n in range(count):
        d = w.hulpvraag(G, wet="wmo", client=Persoon(f"p{n}"), vraag="hulp", aanleiding="x")
        assert w.sluit(G, d.case_id, terugvalafspraken="belt", reden="cliënt verhuist").allowed
        ids.append(d.case_id)
    return ids


def _savepoints(counter: Counter) -> int:
    return sum(1 for t in counter.texts if t.lstrip().upper().startswith("SAVEPOINT"))


def test_a_run_in_which_nothing_fails_sets_no_savepoint(open_wams: Any, db_url: str) -> None:
    ids = _closed(open_wams(), 4)
    later: Wams = open_wams(clock=DUE)
    counter = Counter()
    detach = counter.attach(later)
    try:
        done = retention.run(later.engine, G, batch=2)
    finally:
        detach()
    assert sorted(d["case_id"] for d in done) == sorted(ids)
    assert all(d["vernietigd"] and "reden" not in d for d in done)
    assert _savepoints(counter) == 0, [t for t in counter.texts if "SAVEPOINT" in t.upper()]
    assert later.audit(G)["intact"]


def test_a_failing_case_is_named_and_the_rest_of_its_batch_destroyed_once(
        open_wams: Any, db_url: str) -> None:
    ids = _closed(open_wams(), 5)
    # A DBA damages the third case's stored state: it cannot be read, its step raises.
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE cases SET state = :junk WHERE id = :id"),
                     {"junk": "bm90IGEgY2FzZQ==", "id": ids[2]})
    engine.dispose()
    later: Wams = open_wams(clock=DUE)
    counter = Counter()
    detach = counter.attach(later)
    try:
        # batches of two: [0, 1], [2, 3], [4]; only the second holds the damaged case
        done = {d["case_id"]: d for d in retention.run(later.engine, G, batch=2)}
    finally:
        detach()
    assert not done[ids[2]]["vernietigd"]
    assert done[ids[2]]["reden"].startswith("fout bij vernietigen")
    for case_id in ids[:2] + ids[3:]:
        assert done[case_id]["vernietigd"] and "reden" not in done[case_id], done[case_id]
        # destroyed once: one entry of the step, one proof, even though its batch ran twice
        assert raw_value(db_url, "SELECT count(*) FROM history WHERE case_id = :c AND step = "
                      "'vernietig'", c=case_id) == 1
        assert raw_value(db_url, "SELECT count(*) FROM destruction_proofs WHERE case_id = :c",
                      c=case_id) == 1
    # the damaged case: nothing of the failed attempt stayed
    assert raw_value(db_url, "SELECT count(*) FROM history WHERE case_id = :c AND step = "
                  "'vernietig'", c=ids[2]) == 0
    assert raw_value(db_url, "SELECT count(*) FROM destruction_proofs WHERE case_id = :c",
                  c=ids[2]) == 0
    assert raw_value(db_url, "SELECT count(*) FROM cases WHERE id = :c AND destroyed_on IS NULL",
                  c=ids[2]) == 1
    # a savepoint per case of the failing batch only, the other batches ran once
    assert _savepoints(counter) == 2
    # the chain holds every step once: only the damaged row itself is reported
    report = later.audit(G)
    assert report["entries"] == 5 * 2 + 4, report  # two steps a case, four destructions
    assert len(report["breaks"]) == 1 and ids[2] in report["breaks"][0], report


def test_a_failing_commit_is_raised_not_run_again(open_wams: Any, db_url: str,
                                                  monkeypatch: Any) -> None:
    """A batch whose commit fails (or whose outcome is unknown) is the caller's to hear of:
    running it again with savepoints could only refuse cases the first commit destroyed."""
    from wams.core.engine import batch

    ids = _closed(open_wams(), 2)
    later: Wams = open_wams(clock=DUE)

    def lost(self: Any, store: Any) -> None:
        raise RuntimeError("verbinding verbroken tijdens de commit")
    monkeypatch.setattr(batch.Batch, "finish", lost)
    counter = Counter()
    detach = counter.attach(later)
    try:
        with pytest.raises(RuntimeError, match="tijdens de commit"):
            retention.run(later.engine, G)
    finally:
        detach()
    assert _savepoints(counter) == 0
    for case_id in ids:
        assert raw_value(db_url, "SELECT count(*) FROM history WHERE case_id = :c AND step = "
                      "'vernietig'", c=case_id) == 0
