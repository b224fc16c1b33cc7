"""Appends (wams.core.storage.fast): history entries, log rows, new case rows and data keys
are sent together before the connection's next statement or its commit. The guarantee is
that nobody can tell, except by the round trips saved: a reader on the connection sees what
was appended, a rollback (or one to a savepoint) takes the appended rows with it and never
hands them to a later transaction, a failing append fails its own transaction (not "commit
unknown"), and a batch holds a data key it wrote only until wams deletes it. Both backends,
counted with raw SQL on a connection of its own."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from wams.core.errors import CommitUnknown
from wams.core.privacy import periods
from wams.core.storage.destruction import destroy_data_key, destroy_rows
from wams.core.storage.fast import Fast, watch_appends
from wams.core.storage.heads import BatchHeads
from wams.core.storage.repository import Store, data_keys

_scratch = MetaData()
_rows = Table("appends_scratch", _scratch, Column("id", Integer, primary_key=True),
              Column("v", String(20)))
_insert = Fast(_rows.insert(), by_keys=True)
_count = Fast(select(sqlalchemy.func.count()).select_from(_rows))


def _raw_counts(url: str, *tables: str) -> dict[str, int]:
    """Rows per table as a DBA sees them, on a connection of its own."""
    db = sqlalchemy.create_engine(url)
    try:
        with db.connect() as conn:
            return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar_one()
                    for t in tables}
    finally:
        db.dispose()


@pytest.fixture
def scratch(db_url: str) -> Any:
    """A connection that defers its appends, on a scratch table."""
    db = sqlalchemy.create_engine(db_url)
    _scratch.create_all(db)
    conn = db.connect()
    watch_appends(conn)
    yield conn
    conn.close()
    _scratch.drop_all(db)
    db.dispose()


def test_a_reader_on_the_connection_sees_what_was_appended(scratch: Any) -> None:
    conn = scratch
    with conn.begin():
        _insert.append(conn, [{"id": 1, "v": "a"}, {"id": 2, "v": "b"}])
        # Through SQLAlchemy (the statement's listener sends the appends first) ...
        assert conn.execute(select(sqlalchemy.func.count()).select_from(_rows)).scalar_one() == 2
        _insert.append(conn, [{"id": 3, "v": "c"}])
        # ... and through a prebuilt statement (which sends them in its own round trip).
        assert _count.rows(conn, {})[0][0] == 3
        _insert.append(conn, [{"id": 4, "v": "d"}])
    assert conn.execute(select(sqlalchemy.func.count()).select_from(_rows)).scalar_one() == 4


def test_a_rollback_takes_the_appends_with_it_and_no_later_transaction_gets_them(
        scratch: Any, db_url: str) -> None:
    conn = scratch
    tx = conn.begin()
    _insert.append(conn, [{"id": 1, "v": "undone"}])
    tx.rollback()
    with conn.begin():
        _insert.append(conn, [{"id": 2, "v": "kept"}])
    with conn.begin():
        assert [tuple(r) for r in conn.execute(select(_rows))] == [(2, "kept")]
    assert _raw_counts(db_url, "appends_scratch") == {"appends_scratch": 1}


def test_a_savepoint_rolled_back_takes_only_its_own_appends(scratch: Any, db_url: str) -> None:
    conn = scratch
    with conn.begin():
        _insert.append(conn, [{"id": 1, "v": "before"}])
        nested = conn.begin_nested()
        _insert.append(conn, [{"id": 2, "v": "inside"}])
        nested.rollback()
        with conn.begin_nested():
            _insert.append(conn, [{"id": 3, "v": "released"}])
        _insert.append(conn, [{"id": 4, "v": "after"}])
    with conn.begin():
        assert [r.id for r in conn.execute(select(_rows).order_by(_rows.c.id))] == [1, 3, 4]
    assert _raw_counts(db_url, "appends_scratch") == {"appends_scratch": 3}


def test_a_failing_append_fails_at_the_next_statement_and_stores_nothing(
        scratch: Any, db_url: str) -> None:
    conn = scratch
    with conn.begin():
        _insert.append(conn, [{"id": 1, "v": "stored"}])
    tx = conn.begin()
    _insert.append(conn, [{"id": 2, "v": "new"}, {"id": 1, "v": "duplicate"}])
    with pytest.raises(sqlalchemy.exc.IntegrityError):
        _count.rows(conn, {})
    tx.rollback()
    assert _raw_counts(db_url, "appends_scratch") == {"appends_scratch": 1}


def test_a_connection_nobody_follows_sends_an_append_at_once(db_url: str) -> None:
    db = sqlalchemy.create_engine(db_url)
    _scratch.create_all(db)
    try:
        with db.connect() as conn, conn.begin():
            _insert.append(conn, [{"id": 1, "v": "now"}])
            # Straight on the driver (no listener could send anything): already there.
            raw = conn.connection.dbapi_connection
            assert raw is not None
            cursor = raw.cursor()
            cursor.execute("SELECT count(*) FROM appends_scratch")
            assert cursor.fetchone()[0] == 1
    finally:
        _scratch.drop_all(db)
        db.dispose()


# Each operation against the same operation done at once (on a connection nobody follows):
# whatever the order, both see the same counts and end with the same rows.
_ops = st.lists(st.sampled_from(["append", "append2", "count", "savepoint", "release",
                                 "rollback_to", "commit", "rollback"]), max_size=25)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=_ops)
def test_appends_are_indistinguishable_from_statements_sent_at_once(db_url: str,
                                                                   ops: list[str]) -> None:
    db = sqlalchemy.create_engine(db_url)
    _scratch.drop_all(db)
    _scratch.create_all(db)
    seen: dict[bool, tuple[list[int], list[tuple[int, str]]]] = {}
    try:
        for deferring in (True, False):
            with db.connect() as conn:
                conn.execute(_rows.delete())
                conn.commit()
                if deferring:
                    watch_appends(conn)
                counts, next_id = [], 1
                savepoints: list[Any] = []
                tx = conn.begin()
                for op in ops:
                    if op in ("append", "append2"):
                        n = 1 if op == "append" else 2
                        _insert.append(conn, [{"id": next_id + i, "v": op} for i in range(n)])
                        next_id += n
                    elif op == "count":
                        counts.append(_count.rows(conn, {})[0][0])
                    elif op == "savepoint":
                        savepoints.append(conn.begin_nested())
                    elif op in ("release", "rollback_to") and savepoints:
                        sp = savepoints.pop()
                        sp.commit() if op == "release" else sp.rollback()
                    elif op in ("commit", "rollback"):
                        tx.commit() if op == "commit" else tx.rollback()
                        savepoints = []
                        tx = conn.begin()
                tx.commit()
                final = [tuple(r) for r in conn.execute(select(_rows).order_by(_rows.c.id))]
                seen[deferring] = (counts, final)  # type: ignore[assignment]
        assert seen[True] == seen[False]
    finally:
        _scratch.drop_all(db)
        db.dispose()


# -- the engine ---------------------------------------------------------------------------


def test_an_entry_a_dba_planted_fails_the_command_not_its_commit(open_wams: Any,
                                                                 db_url: str) -> None:
    """A row at the chain position the next entry takes (written around wams) makes the
    appended entry fail before the commit: the command raises the database's error, not
    "commit unknown", and nothing of it is stored."""
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))
    tables = ("cases", "history", "processing_log", "data_keys")
    db = sqlalchemy.create_engine(db_url)
    try:
        with db.begin() as conn:
            n = conn.exec_driver_sql(f"SELECT chain_n FROM chain_heads WHERE gemeente = "
                                     f"'{GEMEENTE}'").scalar_one()
            conn.exec_driver_sql(  # a copy of the last entry, one further on
                "INSERT INTO history (gemeente, chain_n, at, step, allowed, code, actor, "
                "trace_id, decision, content_digest, prev_hash, entry_hash) "
                "SELECT gemeente, chain_n + 1, at, 'geplant', allowed, code, actor, trace_id, "
                f"decision, content_digest, prev_hash, entry_hash FROM history "
                f"WHERE gemeente = '{GEMEENTE}' AND chain_n = {n}")
    finally:
        db.dispose()
    before = _raw_counts(db_url, *tables)
    with pytest.raises(sqlalchemy.exc.IntegrityError) as raised:
        lifecycle(w, GEMEENTE, 1)
    assert not isinstance(raised.value, CommitUnknown)
    assert _raw_counts(db_url, *tables) == before
    with pytest.raises(sqlalchemy.exc.IntegrityError):  # and again: nothing was half-kept
        lifecycle(w, GEMEENTE, 2)
    assert _raw_counts(db_url, *tables) == before


def test_a_step_a_savepoint_batch_undoes_leaves_no_row_behind(open_wams: Any,
                                                             db_url: str) -> None:
    """The log sink raises in the second case's first step, after its rows were appended:
    that step is undone alone (its appended rows with it), and the batch stores the first
    case whole and nothing else."""
    w = open_wams()
    check_lifecycle(lifecycle(w, GEMEENTE, 0))
    failing = {"now": False}

    def sink(records: list[dict[str, Any]]) -> None:
        if failing["now"]:
            raise RuntimeError("exporteur onbereikbaar")

    tables = ("cases", "history", "processing_log")
    before = _raw_counts(db_url, *tables)
    w.set_log_sink(sink)
    with w.batch() as b:
        check_lifecycle(lifecycle(b, GEMEENTE, 1))
        failing["now"] = True
        with pytest.raises(RuntimeError):
            lifecycle(b, GEMEENTE, 2)
    w.set_log_sink(None)
    batch = _raw_counts(db_url, *tables)
    # What the batch stored is exactly one lifecycle: the same as one more on its own.
    check_lifecycle(lifecycle(w, GEMEENTE, 3))
    alone = _raw_counts(db_url, *tables)
    assert {t: batch[t] - before[t] for t in tables} == {t: alone[t] - batch[t] for t in tables}
    assert batch["cases"] == before["cases"] + 1
    assert w.audit(GEMEENTE)["intact"]


@pytest.mark.parametrize("how", ["destroy_data_key", "destroy_rows"])
def test_a_batch_forgets_a_data_key_wams_deleted(open_wams: Any, how: str) -> None:
    """A batch keeps the data keys it wrote (no read back); one wams deletes inside the
    batch is gone from it too, so nothing can be sealed under it again."""
    w = open_wams()
    engine = w.engine
    with engine.unit_of_work(GEMEENTE) as uow:
        store = Store(uow.store.conn, lock_heads=engine.dialect == "postgresql",
                      keys=uow.store.keys, heads=BatchHeads())
        key = engine.data_keys.create(store, GEMEENTE, periods.open_period(uow.now.date()))
        assert store.data_key(key) is not None
        if how == "destroy_data_key":
            destroy_data_key(store, GEMEENTE, key)
        else:
            destroy_rows(store, data_keys, GEMEENTE, data_keys.c.id == key)
        engine.data_keys.forget(key)  # as the destruction's caller does
        assert store.data_key(key) is None
        assert engine.data_keys.cipher(store, key) is None
