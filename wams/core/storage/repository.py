"""The repository: every query the engine needs, each scoped by municipality (R38).

Statements are built once at import and reused, so SQLAlchemy compiles each once per dialect:
the hot path (one transaction per command) cannot afford an ORM session per command
(speed goal B1). Repositories never commit; the unit of work in the engine does.

Every row the rules rely on is written here and goes into the transaction's write set
(coverage.py): the next history entry of its municipality commits to it, and no transaction
may end with rows that no entry covers (:meth:`Store.seal`).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    insert,
    null,
    or_,
    select,
    tuple_,
    update,
)

from wams.core import ids
from wams.core.law.steps import RIGHTS_STEPS
from wams.core.storage import chain
from wams.core.storage import heads as chain_heads
from wams.core.storage.actors import ActorAliases
from wams.core.storage.coverage import (
    CASE_COLUMNS,
    SETTING_COLUMNS,
    SETTING_PREFIX,
    ChainKeys,
    WriteSet,
)
from wams.core.storage.fast import Fast
from wams.core.storage.heads import BatchHeads, CaseMeta, Head, WrappedKey, heads
from wams.core.storage.tables import (
    CaseRow,
    DataKeyRow,
    DestructionProofRow,
    HistoryRow,
    InvolvementRow,
    MelderRow,
    MeldingRow,
    ProcessingRow,
    SettingRow,
)

# Declarative classes type ``__table__`` as FromClause; each of these is a Table.
cases = cast(Table, CaseRow.__table__)
history = cast(Table, HistoryRow.__table__)
log = cast(Table, ProcessingRow.__table__)
involvements = cast(Table, InvolvementRow.__table__)
meldingen = cast(Table, MeldingRow.__table__)
melders = cast(Table, MelderRow.__table__)
settings = cast(Table, SettingRow.__table__)
data_keys = cast(Table, DataKeyRow.__table__)
proofs = cast(Table, DestructionProofRow.__table__)

# The party as recorded: a verzoek naming the ref with another soort is not that party.
_involved = select(involvements.c.id).where(
    involvements.c.gemeente == bindparam("g"), involvements.c.party_ref == bindparam("p"),
    involvements.c.party_soort == bindparam("k"), involvements.c.subject == bindparam("s")
).limit(1)

# The access report (inzage, R36) must not grow with the municipality's history (speed goal
# B5): each query is an equality lookup on an index whose leading columns it names in full,
# and none has an ORDER BY that another index could serve by walking it (the chain index over
# the whole history once won that way); where needed the few rows are sorted here.
# ix_log_subject holds the order too: with the sort in the index no other index of the log
# can tie with it, even on a table the planner has no statistics for yet.
_log_of_subject = (select(log).where(log.c.gemeente == bindparam("g"),
                                     log.c.subject == bindparam("s"))
                   .order_by(log.c.start_time, log.c.id))
_rights_events = select(history.c.chain_n, history.c.at, history.c.step,
                        history.c.content).where(
    history.c.gemeente == bindparam("g"), history.c.case_id == bindparam("c"),
    history.c.allowed.is_(True),  # ix_history_case
    history.c.step.in_([bindparam(f"s{i}") for i in range(len(RIGHTS_STEPS))]))
RIGHTS_PARAMS = {f"s{i}": name for i, name in enumerate(RIGHTS_STEPS)}  # one bind a step
_meldingen_of_subject = select(meldingen.c.id, meldingen.c.at).where(
    meldingen.c.gemeente == bindparam("g"),
    meldingen.c.subject == bindparam("s"))  # ix_meldingen_subject

# Case summaries by page, in (opened_on, id) order along ix_cases_gemeente_opened.
_case_columns = (cases.c.id, cases.c.route, cases.c.wet, cases.c.phase, cases.c.version,
                 cases.c.opened_on, cases.c.closed_on, cases.c.destroyed_on)
_case_page_first = (select(*_case_columns).where(cases.c.gemeente == bindparam("g"))
                    .order_by(cases.c.opened_on, cases.c.id).limit(bindparam("n")))
# A row value: both backends read it as one range of the index (an OR of the two halves
# PostgreSQL would not).
_case_page_after = (select(*_case_columns).where(
    cases.c.gemeente == bindparam("g"),
    tuple_(cases.c.opened_on, cases.c.id) > tuple_(bindparam("o"), bindparam("id")))
    .order_by(cases.c.opened_on, cases.c.id).limit(bindparam("n")))

#: in INDEXED_LOOKUPS: a table's primary key (its index name differs per backend)
PRIMARY_KEY = "primary key"
#: The lookups that must cost the same at any size, each with the index it must use: the
#: tests read their plans on both backends, before and after ANALYZE.
INDEXED_LOOKUPS: dict[str, tuple[Any, str]] = {
    "log records of a person": (_log_of_subject, "ix_log_subject"),
    "rights events of a case": (_rights_events, "ix_history_case"),
    "meldingen of a person": (_meldingen_of_subject, "ix_meldingen_subject"),
    "first case page": (_case_page_first, "ix_cases_gemeente_opened"),
    "next case page": (_case_page_after, "ix_cases_gemeente_opened"),
}


# The hot path of a command runs on the DB-API cursor (fast.py): compiled once per dialect.
_f_case_meta = Fast(select(cases.c.gemeente, cases.c.version, cases.c.data_key)
                    .where(cases.c.id == bindparam("id")))
_f_case_insert = Fast(insert(cases), by_keys=True)
_f_case_update = Fast(update(cases).where(
    cases.c.id == bindparam("b_id"), cases.c.version == bindparam("b_version")).values(
    state=bindparam("state"), phase=bindparam("phase"), version=bindparam("new_version"),
    closed_on=bindparam("closed_on"), destroyed_on=bindparam("destroyed_on"),
    data_key=bindparam("data_key")))
_f_history_insert = Fast(insert(history), by_keys=True)
_f_log_insert = Fast(insert(log), by_keys=True)
_f_idempotent = Fast(select(history.c.decision, history.c.content, history.c.chain_n).where(
    history.c.gemeente == bindparam("g"), or_(history.c.idempotency_key == bindparam("k"),
                                              history.c.idempotency_key == bindparam("p"))))
_f_settings_of = Fast(select(settings.c.key, settings.c.value)
                      .where(settings.c.gemeente == bindparam("g")))
_f_log_of_subject = Fast(_log_of_subject)
_f_rights_events = Fast(_rights_events)
_f_meldingen_of_subject = Fast(_meldingen_of_subject)
_f_case_page_first = Fast(_case_page_first)
_f_case_page_after = Fast(_case_page_after)
_f_case_opened = Fast(select(cases.c.opened_on).where(cases.c.id == bindparam("id"),
                                                      cases.c.gemeente == bindparam("g")))
_f_erase_content = Fast(update(history).where(history.c.gemeente == bindparam("g"),
                                              history.c.case_id == bindparam("c"))
                        .values(content=null(), content_salt=null()))
_f_proof_insert = Fast(insert(proofs), by_keys=True)
_f_data_key = Fast(select(data_keys.c.gemeente, data_keys.c.kek_id, data_keys.c.wrapped,
                          data_keys.c.period).where(data_keys.c.id == bindparam("id")))
_f_data_key_insert = Fast(insert(data_keys), by_keys=True)
# A case's closing step re-wraps its data key: built per call, SQLAlchemy's cache key of the
# statement cost a tenth of a lifecycle.
_f_data_key_rewrap = Fast(update(data_keys).where(data_keys.c.id == bindparam("id")).values(
    kek_id=bindparam("k"), wrapped=bindparam("w"), period=bindparam("p")))


class Store:
    """Queries and writes inside the caller's transaction on ``conn``; ``keys`` (the chain
    keys) is needed for every write the chain covers, not for reads."""

    def __init__(self, conn: Connection, *, lock_heads: bool,
                 keys: ChainKeys | None = None, heads: BatchHeads | None = None) -> None:
        self.conn = conn
        # In a batch: the heads read once and written once (wams.core.storage.heads).
        self._batch_heads = heads
        # PostgreSQL: writers of one municipality serialise on its chain head row (heads.py).
        self.lock_heads = lock_heads
        self.keys = keys
        self._pending: dict[str, WriteSet] = {}
        # Per municipality, this transaction (a batch's: no setting changes inside one).
        self._settings: dict[str, dict[str, str]] = heads.settings if heads is not None else {}
        self.actors = ActorAliases()  # who acted, as the history and the log keep it

    # -- cases ----------------------------------------------------------------------------

    def case_meta(self, case_id: str, *, step_of: str | None = None) -> CaseMeta | None:
        """(gemeente, version, data key id) of a case. ``step_of``: the municipality whose
        step asks; its chain head, which the step's entry needs next, is read (PostgreSQL:
        locked) in the same statement, once a transaction."""
        batch = self._batch_heads
        written = batch.cases.get(case_id) if batch is not None else None
        if written is not None:  # written by this batch's transaction, locked by it since
            return written
        if step_of is not None and step_of not in self._pending and (
                self._batch_heads is None or self._batch_heads.get(step_of) is None):
            found = chain_heads.read_with_case(self.conn, step_of, case_id,
                                               locked=self.lock_heads)
            if found is not None:  # None: the municipality's first entry is yet to come
                self._write_set(step_of, found[0])
                return found[1]
        return self.stored_meta(case_id)

    def stored_meta(self, case_id: str) -> CaseMeta | None:
        """(gemeente, version, data key) as the database holds them (not as a batch has them)."""
        row = _f_case_meta.execute(self.conn, {"id": case_id}).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def written_in_batch(self, case_id: str, gemeente: str, version: int,
                         data_key: str | None) -> None:
        """The case as this batch's transaction has it (written, or held to be written once):
        what its next step reads instead of the row."""
        if self._batch_heads is not None:
            self._batch_heads.cases[case_id] = (gemeente, version, data_key)

    def insert_case(self, **values: Any) -> None:
        _f_case_insert.append(self.conn, [values])
        self._write_set(values["gemeente"]).project(chain.CASE, values, CASE_COLUMNS)
        self.written_in_batch(values["id"], values["gemeente"], values["version"],
                              values["data_key"])

    def update_case(self, case_id: str, version: int, new_version: int, *, gemeente: str,
                    route: str, wet: str | None, opened_on: dt.date, state: str, phase: str,
                    closed_on: dt.date | None, destroyed_on: dt.date | None,
                    data_key: str | None) -> bool:
        """The case's new row, from ``version`` (still the stored one, or nothing is written)
        to ``new_version``; the chain commits to the whole row, unchanged columns too."""
        result = _f_case_update.execute(self.conn, {
            "b_id": case_id, "b_version": version, "new_version": new_version,
            "state": state, "phase": phase, "closed_on": closed_on,
            "destroyed_on": destroyed_on, "data_key": data_key})
        if result.rowcount != 1:
            return False
        self._write_set(gemeente).project(chain.CASE, {
            "id": case_id, "gemeente": gemeente, "route": route, "wet": wet, "phase": phase,
            "version": new_version, "opened_on": opened_on, "closed_on": closed_on,
            "destroyed_on": destroyed_on, "data_key": data_key, "state": state},
            CASE_COLUMNS)
        self.written_in_batch(case_id, gemeente, new_version, data_key)
        return True

    def case_page(self, gemeente: str, limit: int,
                  after: tuple[dt.date, str] | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` case summaries in (opened_on, id) order, after the case ``after``
        (its opened_on and id) if given: a page costs the same on page 1 and page 1000."""
        if after is None:
            return _f_case_page_first.dicts(self.conn, {"g": gemeente, "n": limit})
        return _f_case_page_after.dicts(self.conn, {"g": gemeente, "o": after[0],
                                                    "id": after[1], "n": limit})

    def case_opened(self, gemeente: str, case_id: str) -> dt.date | None:
        rows = _f_case_opened.rows(self.conn, {"id": case_id, "g": gemeente})
        return rows[0][0] if rows else None

    # -- history and its chain ------------------------------------------------------------

    def idempotent_decision(self, gemeente: str, key: str, legacy: str | None = None) -> Any:
        """(decision, sealed content, chain number) under an idempotency key's digest (or
        legacy plain)."""
        rows = _f_idempotent.execute(self.conn, {"g": gemeente, "k": key, "p": legacy or key})
        return next(((r[0], r[1], r[2]) for r in rows), None)

    def _write_set(self, gemeente: str, head: Head | None = None) -> WriteSet:
        """The write set of ``gemeente``'s next entry, reserving its place in the chain (the
        head is locked from here to the commit: the rows are stamped with its number);
        ``head``: as the caller just read it."""
        ws = self._pending.get(gemeente)
        if ws is None:
            batch = self._batch_heads
            if head is None and batch is not None:
                head = batch.get(gemeente)
            if head is None:
                head = chain_heads.read(self.conn, gemeente, locked=self.lock_heads)
            if self.keys is None:
                raise AssertionError("a Store without chain keys cannot write rows the chain "
                                     "covers (open it with keys=ChainKeys(key store))")
            if batch is not None:
                batch.read(gemeente, (head[0], head[1]))
            key_id, key = self.keys.current(gemeente)
            ws = self._pending[gemeente] = WriteSet(head[0] + 1, head[1], key_id, key)
        return ws

    def stamp(self, gemeente: str) -> int:
        """The chain_n to stamp on a covered row written outside this Store (register.py);
        after the insert succeeds, hand the row to :meth:`covered`."""
        return self._write_set(gemeente).chain_n

    def project(self, gemeente: str, ref: str, values: dict[str, Any],
                columns: tuple[str, ...], *, step: str | None = None) -> None:
        """Commit the next entry (recorded as ``step``) to a projected row written elsewhere
        (a subscription; the migrations adopting the rows of an older database)."""
        ws = self._write_set(gemeente)
        ws.project(ref, values, columns)
        ws.step = step or ws.step
        if ref == chain.CASE:
            ws.case_id = values["id"]

    def covered(self, table: str, values: dict[str, Any], *, step: str | None = None) -> None:
        ws = self._write_set(values["gemeente"])
        ws.add_row(table, values)
        ws.step = ws.step or step

    def append_history(self, *, gemeente: str, case_id: str | None, at: dt.datetime,
                       step: str, allowed: bool, code: str, actor: str, trace_id: str,
                       idempotency_key: str | None, decision: str,
                       content: str | None) -> None:
        """Append one entry; it commits to everything written for it since the last one."""
        actor = self.actors.stored(gemeente, actor)  # may register it: before the write set
        ws = self._write_set(gemeente)
        del self._pending[gemeente]
        n, prev = ws.chain_n, ws.prev_hash
        # The content is sealed (ciphertext, unique by its nonce): the digest is of the
        # ciphertext, with no salt, and stays verifiable after the key is destroyed.
        salt = None
        digest = chain.content_digest(content, salt)
        writes = chain.writes_digest(ws.key, ws.rows)
        h = chain.entry_hash(ws.key, key_id=ws.key_id, prev_hash=prev, gemeente=gemeente,
                             chain_n=n, case_id=case_id, at=at, step=step, allowed=allowed,
                             code=code, actor=actor, trace_id=trace_id,
                             idempotency_key=idempotency_key, decision=decision,
                             content_digest=digest, writes_digest=writes,
                             projection_ref=ws.projection_ref,
                             projection_digest=ws.projection_digest)
        _f_history_insert.append(self.conn, [{
            "gemeente": gemeente, "chain_n": n, "case_id": case_id, "at": at, "step": step,
            "allowed": allowed, "code": code, "actor": actor, "trace_id": trace_id,
            "idempotency_key": idempotency_key, "decision": decision, "content": content,
            "content_salt": salt, "content_digest": digest, "prev_hash": prev,
            "entry_hash": h, "key_id": ws.key_id, "writes_digest": writes,
            "projection_ref": ws.projection_ref, "projection_digest": ws.projection_digest}])
        if self._batch_heads is not None:
            self._batch_heads.advance(gemeente, n, h)  # written once, by write_heads
        else:
            chain_heads.write(self.conn, gemeente, n, h)

    def write_heads(self, batch: BatchHeads) -> None:
        for gemeente, n, h in batch.advanced():
            chain_heads.write(self.conn, gemeente, n, h)

    def seal(self, *, at: dt.datetime, actor: str, trace_id: str | None = None,
             step: str = "verwerking") -> None:
        """Before a commit: rows written without a step of their own (a read's log rows, a
        setting, register versions) get a history entry that commits to them, so the database
        never holds a covered row that no entry vouches for (in a trace of its own unless the
        rows name theirs; none is made when there is nothing to seal, after every step)."""
        for gemeente, ws in list(self._pending.items()):
            if ws.empty:
                continue
            step = ws.step or step
            self.append_history(gemeente=gemeente, case_id=ws.case_id, at=at, step=step,
                                allowed=True, code="ok", actor=ws.actor or actor,
                                trace_id=ws.trace_id or trace_id or ids.trace_id(),
                                idempotency_key=None,
                                decision=json.dumps({"step": step, "allowed": True,
                                                     "code": "ok"}),
                                content=ws.content)

    def municipalities(self) -> list[str]:
        """Every municipality with a history (its chain head exists from its first entry)."""
        return [r[0] for r in self.conn.execute(select(heads.c.gemeente)
                                                .order_by(heads.c.gemeente))]

    def erase_history_content(self, gemeente: str, case_id: str) -> int:
        cursor = _f_erase_content.execute(self.conn, {"g": gemeente, "c": case_id})
        try:
            return int(cursor.rowcount)
        finally:
            cursor.close()

    def rights_events(self, gemeente: str,
                      case_id: str) -> list[tuple[int, dt.datetime, str, str]]:
        """(chain number, when, step, content) of the accepted steps of a case that say
        something about a person's rights (informed, objected, decided on the objection; the
        step records' ``rights``), in chain order; a destroyed case has none."""
        rows = _f_rights_events.rows(self.conn, {"g": gemeente, "c": case_id,
                                                 **RIGHTS_PARAMS})
        return [(n, at, step, content) for n, at, step, content in sorted(rows)
                if content is not None]

    # -- processing log -------------------------------------------------------------------

    def insert_log(self, rows: list[dict[str, Any]], *, step: str | None = None) -> None:
        """``step``: what a sealed entry records when no step of its own follows (a read)."""
        if not rows:
            return
        for row in rows:
            row["actor"] = self.actors.stored(row["gemeente"], row["actor"])
            row["chain_n"] = self.stamp(row["gemeente"])
        _f_log_insert.append(self.conn, rows)
        for row in rows:
            self.covered("processing_log", row, step=step)
        ws, first = self._pending[rows[0]["gemeente"]], rows[0]
        ws.step = step or ws.step  # a read's own step, not that of the register it synced
        # A read's own entry names no case (its rows do): it is no step of the case.
        ws.actor, ws.trace_id = ws.actor or first["actor"], ws.trace_id or first["trace_id"]

    def log_for_subject(self, gemeente: str, subject: str) -> list[dict[str, Any]]:
        """Every log record about ``subject``, oldest first."""
        return _f_log_of_subject.dicts(self.conn, {"g": gemeente, "s": subject})

    def meldingen_of(self, gemeente: str, subject: str) -> list[tuple[int, dt.datetime]]:
        """(id, when) of the meldingen about ``subject``, oldest first."""
        return sorted(((i, at) for i, at in _f_meldingen_of_subject.rows(
            self.conn, {"g": gemeente, "s": subject})), key=lambda m: (m[1], m[0]))

    # -- outside a case -------------------------------------------------------------------

    def is_involved(self, gemeente: str, party_ref: str, party_soort: str,
                    subject: str) -> bool:
        return self.conn.execute(_involved, {"g": gemeente, "p": party_ref, "k": party_soort,
                                             "s": subject}).first() is not None

    def insert_involvement(self, **values: Any) -> None:
        values["chain_n"] = self.stamp(values["gemeente"])
        self.conn.execute(insert(involvements), values)
        self.covered("involvements", values)

    def insert_melding(self, *, gemeente: str, subject: str, content: str, melder_soort: str,
                       at: dt.datetime, data_key: str) -> int:
        """A melding; its reporter follows (:meth:`insert_melder`) in the same entry."""
        n = self.stamp(gemeente)
        values: dict[str, Any] = {"gemeente": gemeente, "subject": subject, "content": content,
                                  "melder_soort": melder_soort, "at": at, "data_key": data_key,
                                  "chain_n": n}
        result = self.conn.execute(insert(meldingen).returning(meldingen.c.id), values)
        melding_id: int = result.scalar_one()
        self.covered("meldingen", {**values, "id": melding_id})
        return melding_id

    def insert_melder(self, gemeente: str, melding_id: int, naam: str | None) -> None:
        """R34: the reporter's identity (sealed) goes to its own table, nowhere else."""
        melder = {"melding_id": melding_id, "gemeente": gemeente, "naam": naam,
                  "chain_n": self.stamp(gemeente)}
        self.conn.execute(insert(melders), melder)
        self.covered("melders", melder)

    def melding(self, gemeente: str, melding_id: int) -> tuple[str, str, str, dt.datetime] | None:
        """(subject, subject type, sealed content, when) of a melding of this municipality."""
        row = self.conn.execute(select(meldingen.c.subject, meldingen.c.content, meldingen.c.at)
                                .where(meldingen.c.id == melding_id,
                                       meldingen.c.gemeente == gemeente)).first()
        if row is None:
            return None
        # The type was logged with the melding itself (a BSN or a caller's ref).
        stype = self.conn.execute(select(log.c.subject_type).where(
            log.c.gemeente == gemeente, log.c.subject == row.subject).limit(1)).scalar()
        return row.subject, stype or "pseudoniem", row.content, row.at

    # -- municipal settings and keys ------------------------------------------------------

    def setting(self, gemeente: str, key: str) -> str | None:
        # A municipality's settings are few: read all of them once per transaction (an
        # access report reads five, every vernietig of a retention run the bewaartermijn).
        found = self._settings.get(gemeente)
        if found is None:
            found = self._settings[gemeente] = dict(
                _f_settings_of.rows(self.conn, {"g": gemeente}))
        return found.get(key)

    def set_setting(self, gemeente: str, key: str, value: str) -> None:
        """A setting is a projection: the entry ``instelling`` commits to it (and keeps the
        change in the history)."""
        self.conn.execute(delete(settings).where(settings.c.gemeente == gemeente,
                                                 settings.c.key == key))
        row = {"gemeente": gemeente, "key": key, "value": value}
        self.conn.execute(insert(settings), row)
        self._settings.pop(gemeente, None)
        ws = self._write_set(gemeente)
        ws.project(SETTING_PREFIX + key, row, SETTING_COLUMNS)
        ws.step, ws.content = "instelling", json.dumps({"key": key, "value": value})

    # -- data keys (wrapped; the key that unwraps them is never in the database) ------------

    def insert_data_key(self, **values: Any) -> None:
        """A new data key, committed to by the next entry (only that it exists: coverage.py);
        0006 wrote keys with a Store without chain keys (0012 adopted them)."""
        if self.keys is not None:
            values["chain_n"] = self.stamp(values["gemeente"])
            self.covered("data_keys", values)
        _f_data_key_insert.append(self.conn, [values])
        if self._batch_heads is not None:
            self._batch_heads.key_written(values["id"], (
                values["gemeente"], values["kek_id"], values["wrapped"], values.get("period")))

    def data_key(self, data_key_id: str) -> WrappedKey | None:
        """(gemeente, kek id, wrapped key, period) of a data key; None when destroyed."""
        held = self._batch_heads.key(data_key_id) if self._batch_heads is not None else None
        if held is not None:
            return held
        row = _f_data_key.execute(self.conn, {"id": data_key_id}).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def forget_data_keys(self, data_key_id: str | None = None) -> None:
        """A data key deleted (None: any number of them): not the batch's to hand out again."""
        if self._batch_heads is not None:
            self._batch_heads.keys_deleted(data_key_id)

    def data_keys_of(self, gemeente: str) -> list[WrappedKey]:
        return [(r[0], r[1], r[2], r[3]) for r in self.conn.execute(select(
            data_keys.c.id, data_keys.c.kek_id, data_keys.c.wrapped, data_keys.c.period)
            .where(data_keys.c.gemeente == gemeente))]

    def rewrap_data_key(self, data_key_id: str, kek_id: str, wrapped: str,
                        period: str | None) -> None:
        _f_data_key_rewrap.execute(self.conn, {"id": data_key_id, "k": kek_id, "w": wrapped,
                                               "p": period}).close()
        if self._batch_heads is not None:
            self._batch_heads.key_rewrapped(data_key_id, kek_id, wrapped, period)

    def insert_proof(self, **values: Any) -> None:
        values["actor"] = self.actors.stored(values["gemeente"], values["actor"])
        values["chain_n"] = self.stamp(values["gemeente"])
        _f_proof_insert.execute(self.conn, values).close()
        self.covered("destruction_proofs", values)
