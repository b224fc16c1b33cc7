"""The raw reference of the access report (B5 on SQLite, B5pg on PostgreSQL): the same reads,
checks, decryption and writes as ``Wams.inzage_persoon``, on a bare DB-API connection, with
the keys in memory as a key store gives them.

Per report, in one transaction: the person's log records (``ix_log_subject``, in order); per
case among them the case row with the entry that committed it (the engine's statement), its
keyed projection digest checked, its data key read and unwrapped with its KEK, its state
opened where it was sealed and parsed, and its rights events read (``ix_history_case``); every
sealed purpose opened; who acted (the register entry of each actor of the records, by its
primary key, and its sealed name opened: the report names them); the person's meldingen;
the municipality's settings and register versions (what the report states of retention and
purposes). Then the one log record the report writes (its purpose with a keyed digest of the
request's reference) and the keyed-chain entry that covers it: the chain head read
(PostgreSQL: locked), the record's keyed row digest, the entry's write-set digest and HMAC,
the entry inserted, the head moved. The rows are copies of those wams wrote for a report (a
template), with fresh trace and span ids, and they pass wams' audit: they stay, like wams'
own.

The digests are computed by ``wams.core.storage.chain`` and the seals opened with the format
functions of ``wams.core.privacy`` (the same bytes hashed and decrypted the same way). It does
not build the report's text or dictionaries: the fastest honest way to do that work.
"""

from __future__ import annotations

import base64
import datetime as dt
import hmac
import json
import secrets
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from benchmarks.b5_retention import CASE_SQL
from wams.core.ids import span_id, trace_id


class Keys:
    """The key store's keys of one municipality that the reads and writes need."""

    def __init__(self, store: Any, gemeente: str, chain_ids: list[str],
                 keks: list[tuple[str | None, str]]) -> None:
        from wams.core.privacy.sealing import kek_purpose
        from wams.core.storage import chain

        self.chain = {k: store.get(gemeente, chain.PURPOSE, k).material for k in chain_ids}
        self.kek = {(p, k): store.get(gemeente, kek_purpose(p), k).material for p, k in keks}
        # The keyed digest of the request's reference: a key of the same kind (HMAC-SHA256).
        self.reference = secrets.token_bytes(32)


def load_keys(conn: Any, params: str, store: Any, gemeente: str) -> Keys:
    cur = conn.cursor()
    cur.execute("SELECT DISTINCT key_id FROM history WHERE key_id IS NOT NULL")
    chain_ids = [r[0] for r in cur.fetchall()]
    cur.execute("SELECT DISTINCT period, kek_id FROM data_keys")
    keks = [(r[0], r[1]) for r in cur.fetchall()]
    conn.commit()
    return Keys(store, gemeente, chain_ids, keks)


def _dicts(cur: Any) -> list[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


class InzageReference:
    """``report(subject)``: one access report's work. ``params``: "?" (SQLite, which is
    given BEGIN IMMEDIATE and datetimes as text) or "%s" (PostgreSQL, head FOR UPDATE)."""

    def __init__(self, conn: Any, params: str, keys: Keys, gemeente: str,
                 template_trace: str) -> None:
        self.conn, self.keys, self.g = conn, keys, gemeente
        self.sqlite = params == "?"

        def sql(text: str) -> str:
            return text.replace("?", params)
        self.sql_log = sql("SELECT * FROM processing_log WHERE gemeente = ? AND subject = ? "
                           "ORDER BY start_time, id")
        self.sql_case = sql(CASE_SQL)
        self.sql_key = sql("SELECT gemeente, kek_id, wrapped, period FROM data_keys "
                           "WHERE id = ?")
        self.sql_rights = sql("SELECT chain_n, at, step, content FROM history WHERE "
                              "gemeente = ? AND case_id = ? AND allowed = ? AND step IN "
                              "('informeer', 'bezwaar', 'besluit_bezwaar')")
        self.sql_actor = sql("SELECT pseudonym, data_key, naam FROM actors WHERE gemeente = ? "
                             "AND pseudonym = ?")
        self.sql_meldingen = sql("SELECT id, at FROM meldingen WHERE gemeente = ? AND "
                                 "subject = ?")
        self.sql_settings = sql('SELECT "key", value FROM settings WHERE gemeente = ?')
        self.sql_register = sql("SELECT activity, version, digest, valid_from FROM "
                                "register_versions WHERE gemeente = ? ORDER BY activity, "
                                "version")
        self.sql_head = sql("SELECT chain_n, entry_hash FROM chain_heads WHERE gemeente = ?"
                            + ("" if self.sqlite else " FOR UPDATE"))
        self.sql_head_update = sql("UPDATE chain_heads SET chain_n = ?, entry_hash = ? WHERE "
                                   "gemeente = ?")
        cur = conn.cursor()
        # By ix_log_trace, then the entry by its place in the chain: no scan of either.
        cur.execute(sql("SELECT * FROM processing_log WHERE gemeente = ? AND trace_id = ?"),
                    (gemeente, template_trace))
        (self.log_row,) = [self._typed(r) for r in _dicts(cur)]
        cur.execute(sql("SELECT * FROM history WHERE gemeente = ? AND chain_n = ?"),
                    (gemeente, self.log_row["chain_n"]))
        (self.entry,) = [self._typed(r) for r in _dicts(cur)]
        conn.commit()
        self.log_cols = [c for c in self.log_row if c != "id"]
        self.hist_cols = [c for c in self.entry if c != "seq"]
        self.sql_log_insert = sql(f"INSERT INTO processing_log ({', '.join(self.log_cols)}) "
                                  f"VALUES ({', '.join('?' * len(self.log_cols))})")
        self.sql_hist_insert = sql(f"INSERT INTO history ({', '.join(self.hist_cols)}) "
                                   f"VALUES ({', '.join('?' * len(self.hist_cols))})")
        self.ciphers: dict[str, AESGCM] = {}

    def _typed(self, row: dict[str, Any]) -> dict[str, Any]:
        # SQLite returns datetimes as text: the values as a writer holds them.
        return {k: dt.datetime.fromisoformat(v) if self.sqlite and k in (
            "start_time", "end_time", "at") and isinstance(v, str) else v
            for k, v in row.items()}

    def _value(self, value: Any) -> Any:
        if self.sqlite and type(value) is dt.datetime:
            return value.isoformat(" ", "microseconds")
        return value

    def _cipher(self, cur: Any, data_key: str) -> None:
        from wams.core.privacy.sealing import unwrap

        if data_key not in self.ciphers:
            cur.execute(self.sql_key, (data_key,))
            kg, kek_id, wrapped, period = cur.fetchone()
            self.ciphers[data_key] = AESGCM(unwrap(self.keys.kek[(period, kek_id)], kg,
                                                   data_key, wrapped))

    def _open(self, data_key: str, sealed: str, aad: bytes) -> str:
        from wams.core.privacy.sealing import NONCE_BYTES

        blob = base64.b64decode(sealed.partition(":")[2])
        return self.ciphers[data_key].decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                              aad).decode()

    def report(self, subject: str, verzoek: str) -> None:
        from wams.core.privacy import places
        from wams.core.privacy.sealing import associated_data, is_sealed
        from wams.core.storage import chain
        from wams.core.storage.coverage import APPEND_ONLY, CASE_COLUMNS

        g, conn = self.g, self.conn
        cur = conn.cursor()
        if self.sqlite:
            cur.execute("BEGIN IMMEDIATE")
        cur.execute(self.sql_log, (g, subject))
        records = _dicts(cur)
        keys_of: dict[str, str] = {}
        for case_id in dict.fromkeys(r["case_id"] for r in records if r["case_id"]):
            cur.execute(self.sql_case, (case_id,))
            (row,) = _dicts(cur)
            committed, key_id = row.pop("committed"), row.pop("key_id")
            if chain.projection_digest(self.keys.chain[key_id], chain.CASE, row,
                                       CASE_COLUMNS) != committed:
                raise SystemExit(f"inzage reference: case {case_id} is not as committed")
            data_key = row["data_key"]
            if data_key is not None:
                self._cipher(cur, data_key)
                json.loads(self._open(data_key, row["state"], associated_data(
                    data_key, places.case_state(g, case_id, row["version"]))))
                keys_of[case_id] = data_key
            cur.execute(self.sql_rights, (g, case_id, True))
            for n, _, _, content in cur.fetchall():
                if content is not None and data_key is not None:
                    json.loads(self._open(data_key, content, associated_data(
                        data_key, places.history_content(g, n))))
        for actor in sorted({r["actor"] for r in records}):
            cur.execute(self.sql_actor, (g, actor))
            for pseudonym, data_key, naam in cur.fetchall():
                if naam is not None and data_key is not None:
                    self._cipher(cur, data_key)
                    self._open(data_key, naam, associated_data(
                        data_key, places.actor_naam(g, pseudonym)))
        for r in records:
            if is_sealed(r["purpose"]) and r["case_id"] in keys_of:
                self._open(keys_of[r["case_id"]], r["purpose"], associated_data(
                    keys_of[r["case_id"]], places.log_purpose(g, r["span_id"])))
        cur.execute(self.sql_meldingen, (g, subject))
        cur.fetchall()
        cur.execute(self.sql_settings, (g,))
        cur.fetchall()
        cur.execute(self.sql_register, (g,))
        cur.fetchall()
        # The record of the report, and the chain entry that covers it.
        cur.execute(self.sql_head, (g,))
        n, prev = cur.fetchone()
        n += 1
        trace = trace_id()
        reference = hmac.digest(self.keys.reference, f"inzageverzoek\n{verzoek}".encode(),
                                "sha256").hex()
        key = self.keys.chain[self.entry["key_id"]]
        log_row = dict(self.log_row, trace_id=trace, span_id=span_id(),
                       parent_span_id=span_id(), subject=subject, chain_n=n,
                       purpose=self.log_row["purpose"].rsplit("hmac:", 1)[0] + "hmac:"
                       + reference)
        cur.execute(self.sql_log_insert, tuple(self._value(log_row[c]) for c in self.log_cols))
        e = dict(self.entry, chain_n=n, trace_id=trace, prev_hash=prev, writes_digest=(
            chain.writes_digest(key, [chain.row_digest(key, "processing_log", log_row,
                                                       APPEND_ONLY["processing_log"])])))
        e["entry_hash"] = chain.entry_hash_of(key, _Row(e))
        cur.execute(self.sql_hist_insert, tuple(self._value(e[c]) for c in self.hist_cols))
        cur.execute(self.sql_head_update, (n, e["entry_hash"], g))
        if self.sqlite:
            cur.execute("COMMIT")
        else:
            conn.commit()


class _Row:
    """A dict's keys as attributes (``chain.entry_hash_of`` reads a row so)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
