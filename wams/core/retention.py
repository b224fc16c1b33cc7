"""Retention and destruction of coordination dossiers (R33, MvT §3.1.4).

The law sets no period: it is a municipal choice (setting ``bewaartermijn_maanden``, default
12), counted from the day the case was closed or the verzoek rejected. Destruction removes all
personal content of the case (projection and history content), keeps a proof of destruction and
the processing log (pseudonyms only), and leaves the hash chain verifiable.
"""

from __future__ import annotations

import datetime as dt

from wams.core.lifecycle import DESTROY, Processing
from wams.core.model import Casus
from wams.core.storage.repository import Store

DEFAULT_BEWAARTERMIJN_MAANDEN = 12
SETTING = "bewaartermijn_maanden"
RULE = "R33: bewaartermijn verstreken (MvT §3.1.4); termijn is een gemeentelijke keuze"


def bewaartermijn(store: Store, gemeente: str) -> int:
    value = store.setting(gemeente, SETTING)
    return int(value) if value is not None else DEFAULT_BEWAARTERMIJN_MAANDEN


def destroy(store: Store, case: Casus, *, actor: str, now: dt.datetime, trace_id: str,
            months: int) -> tuple[Processing, ...]:
    """Remove the case's personal content inside the caller's transaction."""
    processings = tuple(Processing(DESTROY, ref, "vernietiging", RULE)
                        for ref in case.persons)
    erased = store.erase_history_content(case.gemeente, case.id)
    assert case.closed_on is not None
    store.insert_proof(gemeente=case.gemeente, case_id=case.id, destroyed_at=now,
                       closed_on=case.closed_on, bewaartermijn_maanden=months, rule=RULE,
                       actor=actor, history_entries=erased, persons=len(case.persons),
                       trace_id=trace_id)
    # What stays: identity of the case, its dates and phase, and the ref → pseudonym map the
    # access report needs (R36). No name, BSN, birth date, reason or content.
    case.persons.clear()
    case.scope.clear()
    case.parties.clear()
    case.requests.clear()
    case.held.clear()
    case.items.clear()
    case.werkplannen.clear()
    case.samenspraak.clear()
    case.voortgang.clear()
    case.bijdragen.clear()
    case.pending_uitkomsten.clear()
    case.coordinator = None
    case.verzoek = None
    case.aanleiding = None
    case.terugkoppeling = None
    case.terugvalafspraken = None
    case.phase = "vernietigd"
    case.destroyed_on = now.date()
    return processings
