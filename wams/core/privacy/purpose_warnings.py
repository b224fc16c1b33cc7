"""The FG's list of purpose warnings (R20): steps whose free text beside a lawful purpose code
named enforcement, investigation or prosecution.

Such a text never refuses anything -- the code decided (:mod:`wams.core.law.purposes`) -- but the
functionaris gegevensbescherming should be able to see where a caseworker *wrote* enforcement
while choosing a care purpose. The warning is stored sealed with the step's content, under
the key of the case (or melding, betrokkenheid): it goes with the case at destruction, and a
copy of the database shows nothing of it.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from wams.core.privacy import places
from wams.core.privacy.work import Operator
from wams.core.storage.repository import history


def listing(engine: Operator, gemeente: str) -> list[dict[str, Any]]:
    """Every warning of a municipality, oldest first: when, which step of which case, the
    purpose code and the term found. No person and none of the free text itself."""
    out: list[dict[str, Any]] = []
    with engine.unit_of_work(gemeente) as uow:
        rows = uow.store.conn.execute(
            select(history.c.chain_n, history.c.at, history.c.case_id, history.c.step,
                   history.c.trace_id, history.c.content)
            .where(history.c.gemeente == gemeente, history.c.allowed.is_(True),
                   history.c.content.is_not(None))
            .order_by(history.c.seq))
        for r in rows:
            text = uow.unseal(r.content, places.history_content(gemeente, r.chain_n))
            if not text:  # destroyed with its key
                continue
            content = json.loads(text)
            found = content.get("waarschuwing")
            if found:
                out.append({"at": r.at.isoformat(), "casus": r.case_id, "stap": r.step,
                            "trace_id": r.trace_id,
                            "doel": (content.get("command") or {}).get("doel"),
                            "waarschuwing": found})
    return out


__all__ = ["listing"]
