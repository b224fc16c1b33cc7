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

from sqlalchemy import select

from wams.core.commands import MeldingDoorgeven
from wams.core.model import Decision, Partij
from wams.core.privacy import places
from wams.core.privacy.work import Operator
from wams.core.storage.repository import history, meldingen

STEP = "melding_doorgeven"


def doorgeven(engine: Operator, gemeente: str, melding_id: int, *, aan: Partij,
              reden: str | None, doel: str | None, toelichting: str | None = None,
              actor: str = "meldpunt") -> Decision:
    """Pass the data of melding ``melding_id`` on to party ``aan`` for the recorded ``reden``
    and purpose code ``doel``: the step ``melding_doorgeven`` of the engine. The decision's
    ``report`` holds what is passed on: the date and the worry, never who reported it."""
    return engine.execute(gemeente, None, MeldingDoorgeven(aan, reden, melding_id, doel,
                                                           toelichting), actor=actor)


def lijst(engine: Operator, gemeente: str) -> list[dict[str, Any]]:
    """The meldingen of a municipality: id, date and how often passed on. No person, no
    reporter, no content: the list itself processes no personal data."""
    with engine.unit_of_work(gemeente) as uow:
        conn = uow.store.conn
        counts: dict[int, int] = {}
        for n, sealed in conn.execute(select(history.c.chain_n, history.c.content).where(
                history.c.gemeente == gemeente, history.c.step == STEP,
                history.c.allowed.is_(True))):
            text = uow.unseal(sealed, places.history_content(gemeente, n))
            if text:  # sealed with the melding: gone with it
                mid = json.loads(text)["command"]["melding"]
                counts[mid] = counts.get(mid, 0) + 1
        return [{"melding": r.id, "gemeld_op": r.at.date().isoformat(),
                 "doorgegeven": counts.get(r.id, 0)}
                for r in conn.execute(select(meldingen.c.id, meldingen.c.at).where(
                    meldingen.c.gemeente == gemeente).order_by(meldingen.c.id))]
