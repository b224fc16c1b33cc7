"""B5 retention: ``Wams.retention_run`` over the expired tenth against a raw ``sqlite3`` writer
doing the same work for as many other cases (the reference tenth), in transactions of the same
size (``retention.BATCH``), with wams' settings (WAL, synchronous=NORMAL, secure_delete).

Measured twice, each side in a fresh connection: *cold* (the first half of the expired set:
the first retention run of the process, so its one-time costs — code paths, statements
compiled — are in it; wams first) and *warm* (the second half, closed a month later: a second
run of the same process; the raw side first). Both sides start each run with an empty WAL and
end it folded into the database and truncated (wams does so after every run: quality C7).

What the raw writer does per case is what a ``vernietig`` step reads and writes (the SQL the
engine issues), with the same keys, checks and digests, in memory as a key store would give
them:

- read the case row and the latest entry that committed it (the engine's statement) and check
  the row's keyed projection digest — a row put back or changed around wams is refused;
- read its data key with the chain key id of the entry that created it, unwrap it with its
  KEK and open the sealed state bound to its place (AES-GCM), and parse it (the persons the
  destroy records name: checked against the template);
- record the data key's removal in ``destroyed_rows`` (the keyed digest its entry committed
  to) and delete it (crypto-shredding); erase the sealed content of the case's entries;
- insert the proof of destruction (naming the KEK), the destroy records of the log and the
  destroyed projection of the case row;
- append one history entry of the keyed chain: the keyed digest of every row it wrote (proof,
  log records, the ``destroyed_rows`` record), the projection digest of the case row and the
  entry's own HMAC; the chain head read once a batch and written once a batch, as the engine.

The digests are computed by ``wams.core.storage.chain`` and the seals opened with the format
functions of ``wams.core.privacy`` (the same bytes hashed and decrypted the same way). The rows
it writes are copies of those wams wrote for the expired case in the same position, with the
reference case's id, fresh trace ids and the next chain positions. It does not decide, load
plugins or build the engine's records: the fastest honest way to do that work.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import sqlite3
import time
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks.common import GEMEENTE
from benchmarks.reference import sqlite_connect
from wams.core.ids import span_id, trace_id


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


def _datetimes(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its datetime columns as the values they are (SQLite returns their text):
    what a writer holds, and what the digests are computed over."""
    from sqlalchemy import DateTime

    from wams.core.storage.tables import Base

    columns = Base.metadata.tables[table].c
    return {k: dt.datetime.fromisoformat(v) if isinstance(columns[k].type, DateTime)
            and isinstance(v, str) else v for k, v in row.items()}


def _sql(value: Any) -> Any:
    """A value as the engine stores it in SQLite (datetimes as text with microseconds)."""
    return value.isoformat(" ", "microseconds") if type(value) is dt.datetime else value


class Template:
    """What wams wrote destroying one expired case."""

    def __init__(self, conn: sqlite3.Connection, case_id: str) -> None:
        self.case_id = case_id
        (entry,) = _rows(conn, "SELECT * FROM history WHERE gemeente = ? AND case_id = ? "
                         "AND step = 'vernietig'", GEMEENTE, case_id)
        self.entry = _datetimes("history", entry)
        (proof,) = _rows(conn, "SELECT * FROM destruction_proofs WHERE gemeente = ? AND "
                         "case_id = ?", GEMEENTE, case_id)
        self.proof = _datetimes("destruction_proofs", proof)
        self.log = [_datetimes("processing_log", r) for r in _rows(
            # by ix_log_trace (gemeente, trace_id): without the municipality, a scan of the log
            # per case (hours at 100,000 cases)
            conn, "SELECT * FROM processing_log WHERE gemeente = ? AND trace_id = ?", GEMEENTE,
            self.entry["trace_id"])]
        (self.case,) = _rows(conn, "SELECT * FROM cases WHERE id = ?", case_id)


class Keys:
    """The key store's keys the run needs, in memory (they are never in the database)."""

    def __init__(self, path: str) -> None:
        from wams.core.privacy.keystore import default_key_store
        from wams.core.storage import chain

        store = default_key_store(f"sqlite:///{path}", database_path=path)
        conn = sqlite3.connect(path)
        try:
            chain_ids = [r[0] for r in conn.execute(
                "SELECT DISTINCT key_id FROM history WHERE key_id IS NOT NULL")]
            keks = conn.execute("SELECT DISTINCT period, kek_id FROM data_keys").fetchall()
        finally:
            conn.close()
        self.chain = {k: store.get(GEMEENTE, chain.PURPOSE, k).material for k in chain_ids}
        from wams.core.privacy.sealing import kek_purpose

        self.kek = {(p, k): store.get(GEMEENTE, kek_purpose(p), k).material for p, k in keks}


# The engine's statements, as SQL text: the case row with its committing entry
# (wams.core.storage.projections) and the data key with its creating entry's key id.
CASE_SQL = ("SELECT cases.*, history.projection_digest AS committed, history.key_id AS key_id "
         "FROM cases LEFT OUTER JOIN history ON history.gemeente = cases.gemeente AND "
         "history.chain_n = (SELECT max(p.chain_n) FROM history AS p WHERE p.gemeente = "
         "cases.gemeente AND p.case_id = cases.id AND p.projection_ref = 'case' GROUP BY "
         "p.case_id) WHERE cases.id = ?")
_KEY = ("SELECT data_keys.id, data_keys.gemeente, data_keys.chain_n, data_keys.kek_id, "
        "data_keys.wrapped, data_keys.period, history.key_id FROM data_keys LEFT OUTER JOIN "
        "history ON history.gemeente = data_keys.gemeente AND history.chain_n = "
        "data_keys.chain_n WHERE data_keys.id = ? AND data_keys.gemeente = ?")


class RawWriter:
    def __init__(self, conn: sqlite3.Connection, keys: Keys, first: Template) -> None:
        self.conn = conn
        self.keys = keys
        self.hist_cols = [c for c in first.entry if c != "seq"]
        self.proof_cols = [c for c in first.proof if c != "id"]
        self.log_cols = [c for c in first.log[0] if c != "id"]
        self.sql_hist = self._insert("history", self.hist_cols)
        self.sql_proof = self._insert("destruction_proofs", self.proof_cols)
        self.sql_log = self._insert("processing_log", self.log_cols)
        self.head: tuple[int, str] = (0, "")

    @staticmethod
    def _insert(table: str, cols: list[str]) -> str:
        return f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def run(self, pairs: list[tuple[str, Template]], batch: int) -> None:
        conn = self.conn
        for first in range(0, len(pairs), batch):
            conn.execute("BEGIN IMMEDIATE")
            self.head = conn.execute("SELECT chain_n, entry_hash FROM chain_heads WHERE "
                                     "gemeente = ?", (GEMEENTE,)).fetchone()
            for case_id, tpl in pairs[first:first + batch]:
                self.destroy(case_id, tpl)
            conn.execute("UPDATE chain_heads SET chain_n = ?, entry_hash = ? WHERE gemeente = ?",
                         (*self.head, GEMEENTE))
            conn.execute("COMMIT")

    def destroy(self, case_id: str, tpl: Template) -> None:
        from wams.core.privacy import places
        from wams.core.privacy.sealing import NONCE_BYTES, associated_data, unwrap
        from wams.core.storage import chain
        from wams.core.storage.coverage import ADDED, APPEND_ONLY, CASE_COLUMNS

        conn, g = self.conn, GEMEENTE
        # The case row, trusted only as its latest entry committed it.
        (row,) = _rows(conn, CASE_SQL, case_id)
        committed, key_id = row.pop("committed"), row.pop("key_id")
        if chain.projection_digest(self.keys.chain[key_id], chain.CASE, row,
                                   CASE_COLUMNS) != committed:
            raise SystemExit(f"B5 raw retention: case {case_id} is not as committed")
        version, data_key = row["version"], row["data_key"]
        # Its data key, unwrapped; the state opened where it was sealed, and parsed.
        dk_id, _, dk_chain_n, kek_id, wrapped, period, dk_entry_key = conn.execute(
            _KEY, (data_key, g)).fetchone()
        cipher = AESGCM(unwrap(self.keys.kek[(period, kek_id)], g, dk_id, wrapped))
        blob = base64.b64decode(row["state"].partition(":")[2])
        state = json.loads(cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                          associated_data(dk_id, places.case_state(
                                              g, case_id, version))))
        if len(state["persons"]) != len(tpl.log):
            raise SystemExit("B5 raw retention: the template does not fit the case")
        n = self.head[0] + 1
        writes = []
        # The data key's removal, recorded with the digest its entry committed to.
        record = {"gemeente": g, "of_chain_n": dk_chain_n, "row_table": "data_keys",
                  "digest": chain.row_digest(self.keys.chain[dk_entry_key], "data_keys",
                                             {"id": dk_id, "gemeente": g},
                                             APPEND_ONLY["data_keys"]), "chain_n": n}
        conn.execute("INSERT INTO destroyed_rows (gemeente, of_chain_n, row_table, digest, "
                     "chain_n) VALUES (?, ?, ?, ?, ?)", tuple(record.values()))
        conn.execute("DELETE FROM data_keys WHERE id = ? AND gemeente = ?", (dk_id, g))
        conn.execute("UPDATE history SET content = NULL, content_salt = NULL WHERE "
                     "gemeente = ? AND case_id = ?", (g, case_id))
        key = self.keys.chain[tpl.entry["key_id"]]
        writes.append(chain.row_digest(key, "destroyed_rows", record,
                                       APPEND_ONLY["destroyed_rows"]))
        trace = trace_id()
        proof = dict(tpl.proof, case_id=case_id, trace_id=trace, chain_n=n, kek_id=kek_id,
                     kek_period=period)
        conn.execute(self.sql_proof, tuple(_sql(proof[c]) for c in self.proof_cols))
        writes.append(chain.row_digest(key, "destruction_proofs", proof,
                                       APPEND_ONLY["destruction_proofs"],
                                       ADDED["destruction_proofs"]))
        log_rows = [dict(r, trace_id=trace, span_id=span_id(), case_id=case_id,
                         chain_n=n) for r in tpl.log]
        conn.executemany(self.sql_log, [tuple(_sql(r[c]) for c in self.log_cols)
                                       for r in log_rows])
        writes += [chain.row_digest(key, "processing_log", r, APPEND_ONLY["processing_log"])
                   for r in log_rows]
        case = dict(row, phase=tpl.case["phase"], version=version + 1,
                    destroyed_on=tpl.case["destroyed_on"], data_key=None,
                    state=tpl.case["state"].replace(tpl.case_id, case_id))
        conn.execute("UPDATE cases SET phase = ?, version = ?, destroyed_on = ?, "
                     "data_key = NULL, state = ? WHERE id = ? AND version = ?",
                     (case["phase"], case["version"], case["destroyed_on"], case["state"],
                      case_id, version))
        e = dict(tpl.entry, case_id=case_id, chain_n=n, trace_id=trace, prev_hash=self.head[1],
                 decision=tpl.entry["decision"].replace(tpl.case_id, case_id).replace(
                     tpl.entry["trace_id"], trace),
                 writes_digest=chain.writes_digest(key, writes),
                 projection_digest=chain.projection_digest(key, chain.CASE, case,
                                                           CASE_COLUMNS))
        e["entry_hash"] = chain.entry_hash(
            key, key_id=e["key_id"], prev_hash=e["prev_hash"], gemeente=g, chain_n=n,
            case_id=case_id, at=e["at"], step=e["step"],
            allowed=bool(e["allowed"]), code=e["code"], actor=e["actor"], trace_id=trace,
            idempotency_key=e["idempotency_key"], decision=e["decision"],
            content_digest=e["content_digest"], writes_digest=e["writes_digest"],
            projection_ref=e["projection_ref"], projection_digest=e["projection_digest"])
        conn.execute(self.sql_hist, tuple(_sql(e[c]) for c in self.hist_cols))
        self.head = (n, e["entry_hash"])


def raw_side(path: str, expired: list[str], reference: list[str], batch: int,
             keys: Keys) -> float:
    """Seconds of the raw writer destroying ``reference`` (the rows copied from what wams
    wrote for ``expired``, position by position), the WAL folded in at its end."""
    conn = sqlite_connect(path)
    try:
        templates = [Template(conn, c) for c in expired[:len(reference)]]
        writer = RawWriter(conn, keys, templates[0])
        t = time.perf_counter()
        writer.run(list(zip(reference, templates, strict=True)), batch)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as wams does after its run
        seconds = time.perf_counter() - t
    finally:
        conn.close()
    return seconds


def measure(path: str, expired: list[str], reference: list[str], days: tuple[Any, Any]
            ) -> dict[str, float]:
    """``days``: the day only the first half of ``expired`` is due, the day all of it is."""
    from wams.core.privacy.retention import BATCH

    half = len(expired) // 2
    keys = Keys(path)
    out: dict[str, float] = {"retention_cases": len(expired)}
    cold, warm = expired[:half], expired[half:]
    # The raw side copies what wams wrote destroying the cold half, case by case.
    for name, mine, refs, day in (("cold", cold, reference[:half], days[0]),
                                  ("warm", warm, reference[half:2 * half], days[1])):
        # wams first in the cold run, the raw side first in the warm one: neither always
        # finds the pages the other just read.
        if name == "cold":
            ours = wams_side(path, mine, day)
        theirs = raw_side(path, cold, refs, BATCH, keys)
        if name == "warm":
            ours = wams_side(path, mine, day)
        out[f"retention_{name}_ms"] = ours / len(mine) * 1000
        out[f"retention_{name}_raw_ms"] = theirs / len(refs) * 1000
    return out
