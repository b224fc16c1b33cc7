"""The repository: every query the engine needs, each scoped by municipality (R38).

Statements are built once at import and reused, so SQLAlchemy compiles each once per dialect:
the hot path (one transaction per command) cannot afford an ORM session per command
(quality.md B1). Repositories never commit; the unit of work in the engine does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update

from wams.core.storage import chain
from wams.core.storage.tables import (
    CaseRow,
    ChainHeadRow,
    DestructionProofRow,
    HistoryRow,
    InvolvementRow,
    MelderRow,
    MeldingRow,
    ProcessingRow,
    SettingRow,
    TenantKeyRow,
)

cases = CaseRow.__table__
history = HistoryRow.__table__
heads = ChainHeadRow.__table__
log = ProcessingRow.__table__
involvements = InvolvementRow.__table__
meldingen = MeldingRow.__table__
melders = MelderRow.__table__
settings = SettingRow.__table__
tenant_keys = TenantKeyRow.__table__
proofs = DestructionProofRow.__table__

_case_meta = select(cases.c.gemeente, cases.c.version).where(cases.c.id == bindparam("id"))
_case_state = select(cases.c.state).where(cases.c.id == bindparam("id"))
_case_insert = insert(cases)
_case_update = (
    update(cases)
    .where(cases.c.id == bindparam("b_id"), cases.c.version == bindparam("b_version"))
    .values(state=bindparam("state"), phase=bindparam("phase"),
            version=bindparam("new_version"), closed_on=bindparam("closed_on"),
            destroyed_on=bindparam("destroyed_on"))
)
_head = select(heads.c.chain_n, heads.c.entry_hash).where(heads.c.gemeente == bindparam("g"))
_head_locked = _head.with_for_update()
_head_insert = insert(heads)
_head_update = (update(heads).where(heads.c.gemeente == bindparam("g"))
                .values(chain_n=bindparam("n"), entry_hash=bindparam("h")))
_history_insert = insert(history)
_log_insert = insert(log)
_idempotent = select(history.c.decision).where(
    history.c.gemeente == bindparam("g"), history.c.idempotency_key == bindparam("k"))
_involved = select(involvements.c.id).where(
    involvements.c.gemeente == bindparam("g"), involvements.c.party_ref == bindparam("p"),
    involvements.c.subject == bindparam("s")).limit(1)
_setting = select(settings.c.value).where(settings.c.gemeente == bindparam("g"),
                                          settings.c.key == bindparam("k"))
_key = select(tenant_keys.c.key).where(tenant_keys.c.gemeente == bindparam("g"))


class Store:
    """Queries and writes inside the caller's transaction on ``conn``."""

    def __init__(self, conn: Connection, *, lock_heads: bool) -> None:
        self.conn = conn
        # PostgreSQL: writers of one municipality serialise on its chain head row. SQLite
        # already serialises writers (BEGIN IMMEDIATE) and has no FOR UPDATE.
        self._head = _head_locked if lock_heads else _head

    # -- cases ----------------------------------------------------------------------------

    def case_meta(self, case_id: str) -> tuple[str, int] | None:
        row = self.conn.execute(_case_meta, {"id": case_id}).first()
        return (row[0], row[1]) if row else None

    def case_state(self, case_id: str) -> str:
        return self.conn.execute(_case_state, {"id": case_id}).scalar_one()

    def insert_case(self, **values: Any) -> None:
        self.conn.execute(_case_insert, values)

    def update_case(self, case_id: str, version: int, *, state: str, phase: str,
                    closed_on: dt.date | None, destroyed_on: dt.date | None) -> bool:
        result = self.conn.execute(_case_update, {
            "b_id": case_id, "b_version": version, "new_version": version + 1,
            "state": state, "phase": phase, "closed_on": closed_on,
            "destroyed_on": destroyed_on})
        return result.rowcount == 1

    def list_cases(self, gemeente: str) -> list[dict[str, Any]]:
        stmt = (select(cases.c.id, cases.c.route, cases.c.wet, cases.c.phase, cases.c.version,
                       cases.c.opened_on, cases.c.closed_on, cases.c.destroyed_on)
                .where(cases.c.gemeente == gemeente).order_by(cases.c.opened_on, cases.c.id))
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def expired_candidates(self, gemeente: str, closed_before: dt.date) -> list[str]:
        stmt = (select(cases.c.id).where(
            cases.c.gemeente == gemeente, cases.c.phase.in_(("afgesloten", "afgewezen")),
            cases.c.closed_on <= closed_before).order_by(cases.c.closed_on))
        return [r[0] for r in self.conn.execute(stmt)]

    # -- history and its chain ------------------------------------------------------------

    def idempotent_decision(self, gemeente: str, key: str) -> str | None:
        return self.conn.execute(_idempotent, {"g": gemeente, "k": key}).scalar()

    def append_history(self, *, gemeente: str, case_id: str | None, at: dt.datetime,
                       step: str, allowed: bool, code: str, actor: str, trace_id: str,
                       idempotency_key: str | None, decision: str,
                       content: str | None) -> None:
        head = self.conn.execute(self._head, {"g": gemeente}).first()
        n, prev = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
        salt = chain.salt() if content is not None else None
        digest = chain.content_digest(content, salt)
        at = at.replace(microsecond=at.microsecond)
        h = chain.entry_hash(prev, gemeente, n, case_id, at, step, allowed, code, actor,
                             trace_id, idempotency_key, decision, digest)
        self.conn.execute(_history_insert, {
            "gemeente": gemeente, "chain_n": n, "case_id": case_id, "at": at, "step": step,
            "allowed": allowed, "code": code, "actor": actor, "trace_id": trace_id,
            "idempotency_key": idempotency_key, "decision": decision, "content": content,
            "content_salt": salt, "content_digest": digest, "prev_hash": prev,
            "entry_hash": h})
        if head:
            self.conn.execute(_head_update, {"g": gemeente, "n": n, "h": h})
        else:
            self.conn.execute(_head_insert, {"gemeente": gemeente, "chain_n": n,
                                             "entry_hash": h})

    def history_of(self, gemeente: str) -> Iterator[Any]:
        stmt = select(history).where(history.c.gemeente == gemeente).order_by(history.c.chain_n)
        yield from self.conn.execute(stmt)

    def erase_history_content(self, gemeente: str, case_id: str) -> int:
        stmt = (update(history).where(history.c.gemeente == gemeente,
                                      history.c.case_id == case_id)
                .values(content=None, content_salt=None))
        return self.conn.execute(stmt).rowcount

    # -- processing log -------------------------------------------------------------------

    def insert_log(self, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(_log_insert, rows)

    def log_for_subject(self, gemeente: str, subject: str) -> list[dict[str, Any]]:
        stmt = (select(log).where(log.c.gemeente == gemeente, log.c.subject == subject)
                .order_by(log.c.start_time, log.c.id))
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def count_log(self, gemeente: str) -> int:
        return self.conn.execute(select(func.count()).select_from(log)
                                 .where(log.c.gemeente == gemeente)).scalar_one()

    # -- outside a case -------------------------------------------------------------------

    def is_involved(self, gemeente: str, party_ref: str, subject: str) -> bool:
        return self.conn.execute(_involved, {"g": gemeente, "p": party_ref,
                                             "s": subject}).first() is not None

    def insert_involvement(self, **values: Any) -> None:
        self.conn.execute(insert(involvements), values)

    def insert_melding(self, *, gemeente: str, subject: str, zorg: str, melder_soort: str,
                       melder_naam: str | None, at: dt.datetime) -> int:
        result = self.conn.execute(insert(meldingen).returning(meldingen.c.id), {
            "gemeente": gemeente, "subject": subject, "zorg": zorg,
            "melder_soort": melder_soort, "at": at})
        melding_id = result.scalar_one()
        # R34: the reporter's identity goes to its own table, nowhere else.
        self.conn.execute(insert(melders), {"melding_id": melding_id, "gemeente": gemeente,
                                            "naam": melder_naam})
        return melding_id

    # -- municipal settings and keys ------------------------------------------------------

    def setting(self, gemeente: str, key: str) -> str | None:
        return self.conn.execute(_setting, {"g": gemeente, "k": key}).scalar()

    def set_setting(self, gemeente: str, key: str, value: str) -> None:
        self.conn.execute(delete(settings).where(settings.c.gemeente == gemeente,
                                                 settings.c.key == key))
        self.conn.execute(insert(settings), {"gemeente": gemeente, "key": key, "value": value})

    def tenant_key(self, gemeente: str) -> str | None:
        return self.conn.execute(_key, {"g": gemeente}).scalar()

    def insert_tenant_key(self, gemeente: str, key: str) -> None:
        self.conn.execute(insert(tenant_keys), {"gemeente": gemeente, "key": key})

    # -- destruction ----------------------------------------------------------------------

    def insert_proof(self, **values: Any) -> None:
        self.conn.execute(insert(proofs), values)
