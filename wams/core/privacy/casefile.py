"""What the record of one case says without opening its content: the summary row, the steps
as decided (allowed and refused) and the processing-log entries that name the case.

These reads carry no case content: a history entry is given without its payload (only the
decision: code, Dutch message, rule ids and sources), a log entry names the person by his keyed
pseudonym. So they stay readable after destruction (R33: the evidence and the log remain) and
are what a privacy officer may see of a case. Opening the dossier itself is ``Wams.case``, a
logged read (R36).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from wams.core.errors import InputError, NotFoundError
from wams.core.law.reasons import reason
from wams.core.privacy import places
from wams.core.privacy.inzage import DESTROYED_PURPOSE
from wams.core.privacy.work import Operator, UnitOfWork
from wams.core.storage.repository import cases, history, log


def _check_case(uow: UnitOfWork, gemeente: str, case_id: str) -> None:
    meta = uow.store.case_meta(case_id)
    if meta is None:
        raise NotFoundError(f"casus '{case_id}' bestaat niet")
    if meta[0] != gemeente:
        # R38: never across the border of a municipality, not even the bare record.
        raise InputError(f"casus '{case_id}': {reason('tenant.mismatch').message}")


def summary(engine: Operator, gemeente: str, case_id: str) -> dict[str, Any]:
    """id, route, law, phase, version and dates of one case: no personal data."""
    with engine.unit_of_work(gemeente) as uow:
        _check_case(uow, gemeente, case_id)
        row = uow.store.conn.execute(select(
            cases.c.id, cases.c.route, cases.c.wet, cases.c.phase, cases.c.version,
            cases.c.opened_on, cases.c.closed_on, cases.c.destroyed_on).where(
            cases.c.gemeente == gemeente, cases.c.id == case_id)).one()
        return dict(row._mapping)


def steps(engine: Operator, gemeente: str, case_id: str) -> list[dict[str, Any]]:
    """Every step of the case in order, allowed or refused: when, which step, who, and the
    decision as stored (JSON without the step's report). Never the step's payload."""
    with engine.unit_of_work(gemeente) as uow:
        _check_case(uow, gemeente, case_id)
        stmt = (select(history.c.chain_n, history.c.at, history.c.step, history.c.allowed,
                       history.c.code, history.c.actor, history.c.trace_id,
                       history.c.decision)
                .where(history.c.gemeente == gemeente, history.c.case_id == case_id)
                .order_by(history.c.chain_n))
        found = list(uow.store.conn.execute(stmt))
        # Who acted: the history keeps a pseudonym; the register of actors has the name.
        who = uow.actor_names(gemeente, {r.actor for r in found})
        return [dict(r._mapping, actor=who[r.actor],
                     decision=_with_message(r.decision, r.code)) for r in found]


def _with_message(decision: str, code: str) -> str:
    """The stored decision keeps no message (its detail may quote the caller and is sealed
    with the content): the Dutch sentence of its reason code is rendered here."""
    data = json.loads(decision)
    data.setdefault("message", reason(code).message)
    return json.dumps(data, ensure_ascii=False)


def processing_log(engine: Operator, gemeente: str, case_id: str) -> list[dict[str, Any]]:
    """The processing-log entries of the case, oldest first (R36); persons as pseudonyms."""
    with engine.unit_of_work(gemeente) as uow:
        _check_case(uow, gemeente, case_id)
        stmt = (select(log).where(log.c.gemeente == gemeente, log.c.case_id == case_id)
                .order_by(log.c.id))
        found = list(uow.store.conn.execute(stmt))
        who = uow.actor_names(gemeente, {r.actor for r in found})
        # A free-text purpose is sealed with the case: shown while the case lives.
        return [dict(r._mapping, purpose=_purpose(uow, r), actor=who[r.actor])
                for r in found]


def _purpose(uow: UnitOfWork, row: Any) -> str:
    text = uow.unseal(row.purpose, places.log_purpose(row.gemeente, row.span_id), plain=True)
    return text if text is not None else DESTROYED_PURPOSE
