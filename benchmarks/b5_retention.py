"""B5 retention: ``Wams.retention_run`` over the expired tenth against a raw ``sqlite3`` writer
of the *same rows* for as many other cases (the reference tenth), in transactions of the same
size (``retention.BATCH``), with wams' settings (WAL, synchronous=NORMAL, secure_delete).

What the raw writer does per case is what a ``vernietig`` step writes (read from the SQL the
engine issues): read the case row (version, data key) and its sealed state; delete the data key
(crypto-shredding); erase the sealed content of the case's history entries; read the chain
head; insert the proof of destruction; insert the destroy records of the log; rewrite the case
row to its destroyed projection; insert one chained history entry (its entry hash an HMAC over
its fields, as the keyed chain's); move the chain head. The rows it writes are copies of the
ones wams wrote for the expired case in the same position (proof, log records, projection,
history entry), with the reference case's id, fresh trace ids and the next chain positions.
It does not decide, load plugins, parse the state or check anything: the fastest honest way
to write those rows.

Both sides start from a fresh connection to the same file, wams first; the WAL is folded into
the database between them, so each starts with an empty WAL.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from typing import Any

from benchmarks.common import GEMEENTE
from benchmarks.reference import sqlite_connect


def wams_side(path: str, expired: list[str], clock_day: Any) -> float:
    """Seconds of ``Wams.retention_run`` (a fresh handle: its case cache is empty)."""
    from wams.api import Wams
    from wams.core.clock import Clock

    with Wams.open(f"sqlite:///{path}", clock=Clock(clock_day)) as w:
        t = time.perf_counter()
        done = w.retention_run(GEMEENTE)
        seconds = time.perf_counter() - t
    if sorted(d["case_id"] for d in done) != sorted(expired) or \
            not all(d["vernietigd"] for d in done):
        raise SystemExit("B5 retention destroyed other cases than the expired set")
    return seconds


def _rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    cur = conn.execute(sql, args)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class Template:
    """What wams wrote destroying one expired case."""

    def __init__(self, conn: sqlite3.Connection, case_id: str) -> None:
        (self.entry,) = _rows(conn, "SELECT * FROM history WHERE gemeente = ? AND case_id = ? "
                              "AND step = 'vernietig'", GEMEENTE, case_id)
        (self.proof,) = _rows(conn, "SELECT * FROM destruction_proofs WHERE gemeente = ? AND "
                              "case_id = ?", GEMEENTE, case_id)
        self.log = _rows(conn, "SELECT * FROM processing_log WHERE trace_id = ?",
                         self.entry["trace_id"])
        (self.case,) = _rows(conn, "SELECT * FROM cases WHERE id = ?", case_id)


def raw_side(path: str, expired: list[str], reference: list[str], batch: int) -> float:
    """Seconds of the raw writer destroying ``reference`` (the rows copied from what wams
    wrote for ``expired``, position by position)."""
    conn = sqlite_connect(path)
    try:
        templates = [Template(conn, c) for c in expired[:len(reference)]]
        key = secrets.token_bytes(32)  # the chain key (in the key store, not the database)
        hist_cols = [c for c in templates[0].entry if c != "seq"]
        proof_cols = [c for c in templates[0].proof if c != "id"]
        log_cols = [c for c in templates[0].log[0] if c != "id"]

        def insert(table: str, cols: list[str]) -> str:
            return (f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))})")

        sql_hist, sql_proof = insert("history", hist_cols), insert("destruction_proofs",
                                                                   proof_cols)
        sql_log = insert("processing_log", log_cols)
        t = time.perf_counter()
        for first in range(0, len(reference), batch):
            conn.execute("BEGIN IMMEDIATE")
            for case_id, tpl in zip(reference[first:first + batch],
                                    templates[first:first + batch], strict=True):
                _destroy(conn, key, case_id, tpl, (sql_hist, hist_cols), (sql_proof, proof_cols),
                         (sql_log, log_cols))
            conn.execute("COMMIT")
        seconds = time.perf_counter() - t
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as wams does after its run
    finally:
        conn.close()
    return seconds


def _destroy(conn: sqlite3.Connection, key: bytes, case_id: str, tpl: Template,
             hist: tuple[str, list[str]], proof: tuple[str, list[str]],
             log: tuple[str, list[str]]) -> None:
    g = GEMEENTE
    version, data_key = conn.execute("SELECT version, data_key FROM cases WHERE id = ? AND "
                                     "gemeente = ?", (case_id, g)).fetchone()
    conn.execute("SELECT state FROM cases WHERE id = ?", (case_id,)).fetchone()
    conn.execute("DELETE FROM data_keys WHERE id = ?", (data_key,))
    conn.execute("UPDATE history SET content = NULL, content_salt = NULL WHERE gemeente = ? "
                 "AND case_id = ?", (g, case_id))
    n, prev = conn.execute("SELECT chain_n, entry_hash FROM chain_heads WHERE gemeente = ?",
                           (g,)).fetchone()
    n += 1
    trace = secrets.token_hex(16)
    p = dict(tpl.proof, case_id=case_id, trace_id=trace, chain_n=n)
    conn.execute(proof[0], tuple(p[c] for c in proof[1]))
    conn.executemany(log[0], [tuple(dict(r, trace_id=trace, span_id=secrets.token_hex(8),
                                         case_id=case_id, chain_n=n)[c] for c in log[1])
                              for r in tpl.log])
    c = tpl.case
    conn.execute("UPDATE cases SET phase = ?, version = ?, destroyed_on = ?, data_key = NULL, "
                 "state = ? WHERE id = ? AND version = ?",
                 (c["phase"], version + 1, c["destroyed_on"], c["state"], case_id, version))
    e = dict(tpl.entry, case_id=case_id, chain_n=n, trace_id=trace, prev_hash=prev)
    e["entry_hash"] = hmac.new(key, "\x1f".join(str(e[c]) for c in hist[1]).encode(),
                               hashlib.sha256).hexdigest()
    conn.execute(hist[0], tuple(e[c] for c in hist[1]))
    conn.execute("UPDATE chain_heads SET chain_n = ?, entry_hash = ? WHERE gemeente = ?",
                 (n, e["entry_hash"], g))


def measure(path: str, expired: list[str], reference: list[str], clock_day: Any
            ) -> dict[str, float]:
    from wams.core.privacy.retention import BATCH

    ours = wams_side(path, expired, clock_day)
    theirs = raw_side(path, expired, reference, BATCH)
    n = len(expired)
    return {"retention_ms": ours / n * 1000, "retention_raw_ms": theirs / len(reference) * 1000,
            "retention_cases": n}
