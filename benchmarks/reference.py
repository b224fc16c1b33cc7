"""What the engine writes per command, harvested from a real run, and the raw reference that
writes the same rows.

How the reference is matched to the engine (speed goal B1: "the same writes, same rows, same
transactions"): a template case goes through the ten commands of the B1 lifecycle with the
engine, and after every command we read back what the engine wrote in that command's
transaction: the ``cases`` row (the JSON state after the step), the ``history`` row (decision
JSON, content JSON) and its ``processing_log`` rows. The raw reference then replays, per case
and per command, in its own ``BEGIN IMMEDIATE … COMMIT``:

* what needs no place in the chain first (the log rows' fields, the sealed state, decision
  and content), then a SELECT of the municipality's ``chain_heads`` row (on PostgreSQL
  locked to the commit, as the engine locks it): the previous hash, and the number every
  row the entry covers is stamped with (``chain_n``), so it comes before the first of them;
* INSERT (first command) or UPDATE-with-version-check of the ``cases`` row, with the step's
  state re-serialised by the engine's JSON writer (``wams.core.serialize.encode``) from a
  Python object of the same shape and size;
* when the step closes the case, what the engine does with its data key: read it, unwrap it
  with the KEK it is under and wrap it with the KEK of the period the case now falls in;
* the content digest, the keyed digests the engine's chain commits to (one per covered row
  written, the set of them, the case row's projection) and the keyed entry hash, all with
  the engine's own functions (``wams.core.storage.chain``) under a chain key held in memory,
  the INSERT of the ``history`` row (decision and content JSON re-serialised) and the UPDATE
  of the ``chain_heads`` row;
* the same number of ``processing_log`` rows as the engine wrote for that step, with fresh
  trace and span ids (case, data key and trace ids made as the engine makes them,
  :mod:`wams.core.ids`: ordered by time, so both insert at the end of the same indexes);
* for an actor it meets first, what the engine's register of actors does: ask the database,
  and when it has no entry, write one (a data key of its own and the name sealed under it).

Personal data is stored sealed, so the reference seals the same bytes the same way: per case a
fresh 32-byte data key, wrapped by a key-encryption key (AES-GCM) and stored in ``data_keys``
(with its period and the number of the entry that created it); then per command the state, the
history content and each free-text log purpose encrypted with AES-GCM under the case's data key
(fresh nonce) and base64-encoded, and the content digest taken over that ciphertext. The
pseudonym is the HMAC of the BSN under a key held in memory (the key store is not the
database), prefixed with its key id.

It does *not* do the engine's other reads (case version and tenant lookup): a hand-written
client would keep the version in memory and let the UPDATE's WHERE check it, so the reference
is the fastest honest way to store the same rows. After every round the benchmark counts in
both databases the rows of each table, the processing-log rows per step, the filled values of
every column, the log rows stamped with their own entry's number and the data keys per period,
and stops if they differ (:func:`row_counts`).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets
import sqlite3
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wams.core.ids import ordered_id, span_id, trace_id
from wams.core.privacy import places
from wams.core.privacy.sealing import is_sealed
from wams.core.serialize import encode
from wams.core.storage import chain
from wams.core.storage.coverage import ADDED, APPEND_ONLY, CASE_COLUMNS

TABLES = ("cases", "history", "chain_heads", "processing_log", "data_keys", "actors")


class Step:
    def __init__(self, name: str, opening: bool, state: dict[str, Any], case_row: dict[str, Any],
                 history: dict[str, Any], log_rows: list[dict[str, Any]],
                 content: str | None, purposes: list[str | None],
                 actors: list[dict[str, Any]], period: str | None,
                 actor_periods: list[str | None]) -> None:
        self.name = name
        self.opening = opening
        self.state = state
        self.case_row = case_row
        self.history = history
        self.decision = json.loads(history["decision"])
        # The plain content and purposes the engine sealed (None: stored as they are).
        self.content = json.loads(content) if content else None
        self.purposes = purposes
        self.log_rows = log_rows
        # The register entries of actors this step's entry committed (an actor's first act).
        self.actors = actors
        # The destruction period the case's data key is wrapped for after this step ("open:…"
        # while the case runs; the step that closes it moves the key to another period's KEK).
        self.period = period
        self.actor_periods = actor_periods  # the period of each register entry's data key


def harvest(url: str, dbapi_connect, gemeente: str, params: str) -> list[Step]:  # type: ignore[no-untyped-def]
    """Run one lifecycle with the engine on ``url`` (empty) and read back, after each command,
    the rows its transaction wrote. ``dbapi_connect()`` gives a DB-API connection to the same
    database; ``params`` is its placeholder ("?" or "%s")."""
    from benchmarks.common import START, check_lifecycle, lifecycle
    from wams.api import Wams
    from wams.core.clock import Clock

    w = Wams.open(url, clock=Clock(START))
    raw = dbapi_connect()
    steps: list[Step] = []

    def rows(sql: str, *args: Any) -> list[dict[str, Any]]:
        cur = raw.cursor()
        cur.execute(sql.replace("?", params), args)
        names = [d[0] for d in cur.description]
        out = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        raw.commit()
        return out

    class Spy:
        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            real = getattr(w, name)

            def call(*a: Any, **k: Any):  # type: ignore[no-untyped-def]
                d = real(*a, **k)
                case = rows("SELECT * FROM cases WHERE id = ?", d.case_id)[0]
                hist = rows("SELECT * FROM history WHERE trace_id = ?", d.trace_id)[0]
                log = rows("SELECT * FROM processing_log WHERE trace_id = ? ORDER BY id",
                           d.trace_id)
                actors = rows("SELECT * FROM actors WHERE gemeente = ? AND chain_n = ?",
                              hist["gemeente"], hist["chain_n"])
                period, *actor_periods = [
                    rows("SELECT period FROM data_keys WHERE id = ?", key)[0]["period"]
                    for key in [case["data_key"], *(a["data_key"] for a in actors)]]
                with w.engine.unit_of_work(None) as uow:  # the plain text behind the seals
                    state = uow.unseal(case["state"], places.place_of("cases", case))
                    content = uow.unseal(hist["content"], places.place_of("history", hist))
                    purposes = [None if not is_sealed(r["purpose"]) else uow.unseal(
                        r["purpose"], places.place_of("processing_log", r)) for r in log]
                    for a in actors:  # the name, to seal again as the engine sealed it
                        a["naam"] = uow.unseal(a["naam"], places.place_of("actors", a))
                assert state is not None
                steps.append(Step(d.step, not steps, json.loads(state), case, hist, log,
                                  content, purposes, actors, period, actor_periods))
                return d
            return call

    check_lifecycle(lifecycle(Spy(), gemeente, 0))
    raw.close()
    w.close()
    return steps


def row_counts(cur: Any) -> dict[str, Any]:
    """Rows per table and processing-log rows per step: must be equal for engine and raw."""
    counts: dict[str, Any] = {}
    for t in TABLES:
        cur.execute(f"SELECT count(*) FROM {t}")
        counts[t] = cur.fetchone()[0]
    cur.execute("SELECT h.step, count(l.id) FROM history h LEFT JOIN processing_log l "
                "ON l.trace_id = h.trace_id GROUP BY h.step ORDER BY h.step")
    counts["log_per_step"] = [tuple(r) for r in cur.fetchall()]
    # Not only as many rows: the same columns filled, every covered row stamped with the
    # number of the entry that committed it, every data key in the engine's period.
    for t in TABLES:
        cur.execute(f"SELECT * FROM {t} WHERE 1 = 0")
        columns = [d[0] for d in cur.description]
        cur.execute(f"SELECT {', '.join(f'count({c})' for c in columns)} FROM {t}")
        counts[f"{t}_filled"] = dict(zip(columns, cur.fetchone(), strict=True))
    cur.execute("SELECT count(*) FROM processing_log l JOIN history h "
                "ON h.trace_id = l.trace_id AND h.chain_n = l.chain_n")
    counts["log_stamped"] = cur.fetchone()[0]
    cur.execute("SELECT period, count(*) FROM data_keys GROUP BY period ORDER BY period")
    counts["key_periods"] = [tuple(r) for r in cur.fetchall()]
    return counts


def same_counts(engine: dict[str, Any], raw: dict[str, Any], what: str) -> None:
    if engine != raw:
        raise SystemExit(f"{what}: raw reference wrote other rows than the engine:\n"
                         f"  engine {engine}\n  raw    {raw}")


class RawWriter:
    """The reference: one DB-API connection, the same rows per command, one transaction per
    command. ``begin`` is the statement that opens it ("BEGIN IMMEDIATE" on SQLite)."""

    def __init__(self, conn: Any, steps: list[Step], gemeente: str, *, params: str,
                 begin: str | None, lock_head: bool) -> None:
        self.conn = conn
        self.steps = steps
        self.g = gemeente
        self.begin = begin
        p = params
        case_cols = list(steps[0].case_row)
        self.case_cols = case_cols
        self.sql_case_insert = (f"INSERT INTO cases ({', '.join(case_cols)}) "
                                f"VALUES ({', '.join([p] * len(case_cols))})")
        self.sql_case_update = (f"UPDATE cases SET state = {p}, phase = {p}, version = {p}, "
                                f"closed_on = {p}, destroyed_on = {p}, data_key = {p} "
                                f"WHERE id = {p} AND version = {p}")
        self.sql_head = (f"SELECT chain_n, entry_hash FROM chain_heads WHERE gemeente = {p}"
                         + (" FOR UPDATE" if lock_head else ""))
        self.sql_head_update = (f"UPDATE chain_heads SET chain_n = {p}, entry_hash = {p} "
                                f"WHERE gemeente = {p}")
        self.sql_head_insert = (f"INSERT INTO chain_heads (gemeente, chain_n, entry_hash) "
                                f"VALUES ({p}, {p}, {p})")
        hist_cols = [c for c in steps[0].history if c != "seq"]
        self.hist_cols = hist_cols
        self.sql_history = (f"INSERT INTO history ({', '.join(hist_cols)}) "
                            f"VALUES ({', '.join([p] * len(hist_cols))})")
        log_cols = [c for c in next(s.log_rows for s in steps if s.log_rows)[0] if c != "id"]
        self.log_cols = log_cols
        self.sql_log = (f"INSERT INTO processing_log ({', '.join(log_cols)}) "
                        f"VALUES ({', '.join([p] * len(log_cols))})")
        self.sql_data_key = (f"INSERT INTO data_keys (id, gemeente, kek_id, wrapped, period, "
                             f"chain_n) VALUES ({p}, {p}, {p}, {p}, {p}, {p})")
        self.sql_data_key_read = f"SELECT kek_id, wrapped, period FROM data_keys WHERE id = {p}"
        self.sql_data_key_move = (f"UPDATE data_keys SET kek_id = {p}, wrapped = {p}, "
                                  f"period = {p} WHERE id = {p}")
        self.sql_actor_known = (f"SELECT 1 FROM actors WHERE gemeente = {p} "
                                f"AND pseudonym = {p}")
        self.sql_actor = (f"INSERT INTO actors (gemeente, pseudonym, data_key, naam, chain_n) "
                          f"VALUES ({p}, {p}, {p}, {p}, {p})")
        # The actors this writer met (the engine's register asks the database once per actor
        # and process, and writes the entry when the database has none).
        self.actors_known: set[str] = set()
        # The key store's keys, in memory (they are never in the database).
        self.key = secrets.token_bytes(32)
        self.key_id = secrets.token_hex(8)
        self.kek = AESGCM(secrets.token_bytes(32))
        self.kek_id = secrets.token_hex(8)
        # The KEK of the period a closed case's key moves to (the key store has one a period).
        self.period_kek = AESGCM(secrets.token_bytes(32))
        self.period_kek_id = secrets.token_hex(8)
        self.chain_key = secrets.token_bytes(32)
        self.chain_key_id = secrets.token_hex(8)

    def _covered(self, written: list[str], table: str, values: dict[str, Any]) -> None:
        """The keyed digest of one covered row, as the engine's write set takes it."""
        written.append(chain.row_digest(self.chain_key, table, values, APPEND_ONLY[table],
                                        ADDED.get(table, ())))

    def _wrap(self, kek: AESGCM, dk_id: str, material: bytes) -> str:
        nonce = secrets.token_bytes(12)
        return base64.b64encode(nonce + kek.encrypt(
            nonce, material, f"wams-data-key:{self.g}:{dk_id}".encode())).decode()

    def _move_key(self, cur: Any, dk_id: str, period: str | None) -> None:
        """What the engine does when a case closes: read its data key, unwrap it with the KEK
        it is under and wrap it with the KEK of the period the case now falls in."""
        cur.execute(self.sql_data_key_read, (dk_id,))
        _, wrapped, _ = cur.fetchone()
        blob = base64.b64decode(wrapped)
        material = self.kek.decrypt(blob[:12], blob[12:],
                                    f"wams-data-key:{self.g}:{dk_id}".encode())
        cur.execute(self.sql_data_key_move, (self.period_kek_id,
                                             self._wrap(self.period_kek, dk_id, material),
                                             period, dk_id))

    def _register_actor(self, cur: Any, step: Step, n: int, written: list[str]) -> None:
        """What the engine does for an actor it meets first: asks the register, and when the
        database has no entry, writes one (a data key of its own, the name sealed under it)."""
        pseudonym = step.history["actor"]
        self.actors_known.add(pseudonym)
        cur.execute(self.sql_actor_known, (self.g, pseudonym))
        if cur.fetchone() is not None:
            return
        for entry, period in zip(step.actors, step.actor_periods, strict=True):
            dk_id = ordered_id()
            material = AESGCM.generate_key(bit_length=256)
            cur.execute(self.sql_data_key, (dk_id, self.g, self.kek_id,
                                            self._wrap(self.kek, dk_id, material), period, n))
            self._covered(written, "data_keys", {"id": dk_id, "gemeente": self.g})
            nonce = secrets.token_bytes(12)
            aad = f"{self.g}|actors|{pseudonym}|naam".encode()
            naam = f"{dk_id}:" + base64.b64encode(
                nonce + AESGCM(material).encrypt(nonce, entry["naam"].encode(), aad)).decode()
            cur.execute(self.sql_actor, (self.g, pseudonym, dk_id, naam, n))
            self._covered(written, "actors", dict(entry, data_key=dk_id, naam=naam, chain_n=n))

    def run_case(self, i: int) -> None:
        conn = self.conn
        g = self.g
        case_id = ordered_id()
        version = 0
        # The engine pseudonymises the client when the case opens (HMAC with the key store's
        # pseudonym key, prefixed with its id).
        subject = self.key_id + ":" + hmac.digest(self.key, f"bsn:{100000000 + i}".encode(),
                                                  "sha256").hex()[:32]
        # The case's data key, wrapped by the KEK.
        dk_id = ordered_id()
        material = AESGCM.generate_key(bit_length=256)
        wrapped = self._wrap(self.kek, dk_id, material)
        cipher = AESGCM(material)
        aad = dk_id.encode()
        period: str | None = None

        def seal(text: str) -> str:
            nonce = secrets.token_bytes(12)
            return f"{dk_id}:" + base64.b64encode(
                nonce + cipher.encrypt(nonce, text.encode(), aad)).decode()

        for step in self.steps:
            cur = conn.cursor()
            if self.begin:
                cur.execute(self.begin)
            trace = trace_id()
            # What needs no place in the chain is prepared before the head is locked: the
            # log rows (free-text purposes sealed), the case's state, the decision, the content.
            parent = span_id() if step.log_rows else None
            log = [dict(r, trace_id=trace, span_id=span_id(), parent_span_id=parent,
                        case_id=case_id, subject=subject,
                        purpose=seal(purpose) if purpose is not None else r["purpose"])
                   for r, purpose in zip(step.log_rows, step.purposes, strict=True)]
            state = step.state
            state["id"] = case_id
            state_json = seal(encode(state))
            decision = step.decision
            decision["trace_id"] = trace
            decision["case_id"] = case_id
            decision_json = encode(decision)
            content = seal(encode(step.content)) if step.content is not None else None
            # The chain head (PostgreSQL: locked to the commit). From here on: every row the
            # entry covers carries its number, as the engine stamps it.
            cur.execute(self.sql_head, (g,))
            head = cur.fetchone()
            n, prev = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
            written: list[str] = []  # the keyed digests of the covered rows it writes
            if step.opening:
                period = step.period
                cur.execute(self.sql_data_key, (dk_id, g, self.kek_id, wrapped, period, n))
                self._covered(written, "data_keys", {"id": dk_id, "gemeente": g})
            if log:
                for r in log:
                    r["chain_n"] = n
                    self._covered(written, "processing_log", r)
                cur.executemany(self.sql_log, [tuple(r[c] for c in self.log_cols) for r in log])
            # the case row: the state re-serialised (same shape and size as the engine's)
            row = step.case_row
            if step.opening:
                vals = dict(row, id=case_id, gemeente=g, version=1, state=state_json,
                            data_key=dk_id)
                cur.execute(self.sql_case_insert, tuple(vals[c] for c in self.case_cols))
                version = 1
                projected = vals
            else:
                cur.execute(self.sql_case_update, (state_json, row["phase"], version + 1,
                                                   row["closed_on"], row["destroyed_on"],
                                                   dk_id, case_id, version))
                if cur.rowcount != 1:
                    raise RuntimeError("conflict in the raw reference")
                version += 1
                projected = dict(row, id=case_id, gemeente=g, version=version,
                                 state=state_json, data_key=dk_id)
            if step.period != period:  # the step closed the case
                period = step.period
                self._move_key(cur, dk_id, period)
            if step.history["actor"] not in self.actors_known:
                self._register_actor(cur, step, n, written)
            digest = hashlib.sha256(content.encode()).hexdigest() if content is not None \
                else chain.EMPTY_DIGEST
            h = step.history
            at = h["at"]
            writes = chain.writes_digest(self.chain_key, written)
            projection = chain.projection_digest(self.chain_key, chain.CASE, projected,
                                                 CASE_COLUMNS)
            entry = chain.entry_hash(
                self.chain_key, key_id=self.chain_key_id, prev_hash=prev, gemeente=g,
                chain_n=n, case_id=case_id,
                at=dt.datetime.fromisoformat(at) if isinstance(at, str) else at,
                step=h["step"], allowed=True, code=h["code"], actor=h["actor"], trace_id=trace,
                idempotency_key=None, decision=decision_json, content_digest=digest,
                writes_digest=writes, projection_ref=chain.CASE, projection_digest=projection)
            vals = dict(h, gemeente=g, chain_n=n, case_id=case_id, trace_id=trace,
                        decision=decision_json, content=content, content_salt=None,
                        content_digest=digest, prev_hash=prev, entry_hash=entry,
                        key_id=self.chain_key_id, writes_digest=writes,
                        projection_ref=chain.CASE, projection_digest=projection)
            cur.execute(self.sql_history, tuple(vals[c] for c in self.hist_cols))
            if head:
                cur.execute(self.sql_head_update, (n, entry, g))
            else:
                cur.execute(self.sql_head_insert, (g, n, entry))
            conn.commit()


def sqlite_connect(path: str) -> sqlite3.Connection:
    """The engine's SQLite settings (wams.core.storage.database), on a bare sqlite3 connection.
    Transactions are opened explicitly with BEGIN IMMEDIATE, as the engine does."""
    from wams.core.storage.database import sqlite_pragmas

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    for pragma in sqlite_pragmas():
        conn.execute(pragma)
    return conn


class _AutoCommitSqlite:
    """sqlite3 in autocommit mode with explicit BEGIN: commit() issues COMMIT if in one."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn

    def cursor(self) -> sqlite3.Cursor:
        return self._c.cursor()

    def commit(self) -> None:
        if self._c.in_transaction:
            self._c.execute("COMMIT")

    def close(self) -> None:
        self._c.close()


def sqlite_dbapi(path: str) -> _AutoCommitSqlite:
    return _AutoCommitSqlite(sqlite_connect(path))


def pg_dbapi(libpq: str) -> Any:
    """A psycopg connection with the session settings every connection of the engine gets
    (``POSTGRES_SETTINGS``: plans made for each execution's values), so the raw side and the
    engine differ only in the work they do."""
    import psycopg

    from wams.core.storage.database import POSTGRES_SETTINGS

    conn = psycopg.connect(libpq, autocommit=True)
    for statement in POSTGRES_SETTINGS:
        conn.execute(statement)
    conn.autocommit = False
    return conn
