"""The raw reference of B1/B2 (benchmarks/reference.py) must do the engine's work, or every
ratio measured against it is wrong: the same rows in every table (an actor's first act writes
a register entry and a data key) and a real keyed chain over what it wrote. A benchmark that
finds a difference aborts, which CI's smoke run only sees at its end; here it is a test."""

from __future__ import annotations

import datetime as dt
import sqlite3
from types import SimpleNamespace

from benchmarks import b1, common, reference
from wams.api import Wams
from wams.core.storage import chain


def test_raw_reference_writes_the_engines_rows_and_chains_them(tmp_path) -> None:
    tpl = common.fresh_sqlite(str(tmp_path), "template.db")
    steps = reference.harvest(f"sqlite:///{tpl}", lambda: reference.sqlite_dbapi(tpl),
                              common.GEMEENTE, "?")
    engine_db = common.fresh_sqlite(str(tmp_path), "engine.db")
    raw_db = common.fresh_sqlite(str(tmp_path), "raw.db")
    b1.engine_round(engine_db, 3)
    Wams.open(f"sqlite:///{raw_db}").close()  # the engine's schema, as b1.raw_round does
    conn = reference.sqlite_dbapi(raw_db)
    raw = reference.RawWriter(conn, steps, common.GEMEENTE, params="?",
                              begin="BEGIN IMMEDIATE", lock_head=False)
    for i in range(4):  # b1's warm case and three more
        raw.run_case(i)
    conn.close()

    counts = {}
    for name, path in (("engine", engine_db), ("raw", raw_db)):
        conn = reference.sqlite_connect(path)
        counts[name] = reference.row_counts(conn.cursor())
        conn.close()
    assert counts["raw"] == counts["engine"]
    assert counts["raw"]["actors"] == 1 and counts["raw"]["data_keys"] == 4 + 1

    # Every raw entry carries the keyed hash of its own fields under the reference's chain
    # key, chained to the one before, and commits to rows where the engine's entry does:
    # the reference did the HMACs, it did not copy the engine's bytes.
    raw_rows, engine_rows = _history(raw_db), _history(engine_db)
    assert len(raw_rows) == len(engine_rows)
    prev = chain.GENESIS
    for r, e in zip(raw_rows, engine_rows, strict=True):
        assert r.key_id == raw.chain_key_id and r.prev_hash == prev
        assert chain.entry_hash_of(raw.chain_key, r) == r.entry_hash
        assert (r.writes_digest == chain.EMPTY_DIGEST) == (e.writes_digest == chain.EMPTY_DIGEST)
        assert r.projection_digest != e.projection_digest  # its own case row, its own key
        prev = r.entry_hash


def _history(path: str) -> list[SimpleNamespace]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM history ORDER BY chain_n").fetchall()
    finally:
        conn.close()
    return [SimpleNamespace(**dict(r, at=dt.datetime.fromisoformat(r["at"]))) for r in rows]
