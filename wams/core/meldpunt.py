"""The meldpunt after the melding (R34, R35): passing a melding on, and listing meldingen.

The reporter's identity stays in ``melders`` and goes nowhere: not to the recipient, not into a
log record, not into the history. Data from a melding is passed on only with a recorded reason
(Wmo 2015 art. 2.2.5 (voorstel); MvT §1.2); without one the step is refused with
``reason.missing`` and nothing but the refusal is kept. A melding never opens a case (R35): it
may lead to contact with the person (then a hulpvraag) or to a verzoek by an involved party.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select

from wams.core.errors import InputError
from wams.core.lifecycle import PROVIDE, Processing
from wams.core.model import Decision
from wams.core.processing import trace_id
from wams.core.reasons import reason
from wams.core.rules import citations
from wams.core.storage.repository import history, log, meldingen

STEP = "melding_doorgeven"
RULES = ("R34",)
REFUSAL_DETAIL = ("Gegevens uit een melding worden alleen doorgegeven met een vastgelegde "
                  "reden (R34).")


def doorgeven(engine: Any, gemeente: str, melding_id: int, *, aan: str, reden: str | None,
              actor: str = "meldpunt") -> Decision:
    """Pass the data of melding ``melding_id`` on to ``aan`` for the recorded ``reden``.

    The decision's ``report`` holds what is passed on: the date and the worry, never who
    reported it.
    """
    from wams.core.engine import _check_gemeente

    _check_gemeente(gemeente)
    if not isinstance(aan, str) or not aan.strip():
        raise InputError("noem aan wie de melding wordt doorgegeven (aan)")
    now = engine.clock.now()
    trace = trace_id()
    with engine._lock, engine._conn.begin():
        store = engine._store()
        row = store.conn.execute(select(meldingen.c.id, meldingen.c.subject, meldingen.c.zorg,
                                        meldingen.c.at).where(
            meldingen.c.id == melding_id, meldingen.c.gemeente == gemeente)).first()
        if row is None:
            # R38: a melding of another municipality is as unknown as one that never was.
            raise InputError(f"melding {melding_id} bestaat niet bij gemeente {gemeente}")
        if reden is None or not reden.strip():
            r = reason("reason.missing")
            decision = Decision(False, r.code, f"{r.message} {REFUSAL_DETAIL}", RULES,
                                citations(RULES), step=STEP, trace_id=trace,
                                versions=engine._versions)
            # The refusal is kept, without its payload (architecture: Engine).
            store.append_history(gemeente=gemeente, case_id=None, at=now, step=STEP,
                                 allowed=False, code=decision.code, actor=actor,
                                 trace_id=trace, idempotency_key=None,
                                 decision=_json(decision), content=None)
            return decision
        stype = store.conn.execute(select(log.c.subject_type).where(
            log.c.gemeente == gemeente, log.c.subject == row.subject).limit(1)).scalar() \
            or "pseudoniem"
        rows = engine._log_rows(gemeente, None, (Processing(
            PROVIDE, "melding", "meldpunt", reden.strip(), source="meldpunt",
            recipient=aan),), STEP, trace, actor, now, {"melding": (row.subject, stype)})
        store.insert_log(rows)
        decision = Decision(True, "ok", reason("ok").message, RULES, citations(RULES),
                            step=STEP, verwerkingen=len(rows), trace_id=trace,
                            versions=engine._versions,
                            report={"melding": row.id, "gemeld_op": row.at.date().isoformat(),
                                    "zorg": row.zorg, "aan": aan, "reden": reden.strip()})
        store.append_history(gemeente=gemeente, case_id=None, at=now, step=STEP, allowed=True,
                             code="ok", actor=actor, trace_id=trace, idempotency_key=None,
                             decision=_json(decision),
                             content=json.dumps({"melding": row.id, "aan": aan,
                                                 "reden": reden.strip()}, ensure_ascii=False))
    return decision


def lijst(engine: Any, gemeente: str) -> list[dict[str, Any]]:
    """The meldingen of a municipality: id, date and how often passed on. No person, no
    reporter, no content: the list itself processes no personal data."""
    from wams.core.engine import _check_gemeente

    _check_gemeente(gemeente)
    with engine._lock, engine._conn.begin():
        conn = engine._conn
        passed = dict(conn.execute(
            select(history.c.content, func.count()).where(
                history.c.gemeente == gemeente, history.c.step == STEP,
                history.c.allowed.is_(True)).group_by(history.c.content)).all())
        counts: dict[int, int] = {}
        for content, n in passed.items():
            if content:
                mid = json.loads(content)["melding"]
                counts[mid] = counts.get(mid, 0) + n
        return [{"melding": r.id, "gemeld_op": r.at.date().isoformat(),
                 "doorgegeven": counts.get(r.id, 0)}
                for r in conn.execute(select(meldingen.c.id, meldingen.c.at).where(
                    meldingen.c.gemeente == gemeente).order_by(meldingen.c.id))]


def _json(decision: Decision) -> str:
    from wams.core.engine import _decision_json

    return _decision_json(decision)
