"""R09 across cases: one person is one person, whatever his ref and whatever the case.

A bezwaar is a person's request to the college to stop processing his data for the integrated
approach (MvT §3.3.2 "de betrokkene(n) kunnen vragen om de gegevensverwerking te stoppen"; in
route A the samenspraak ends it, §3.3.1). Inside a case the person is found by his ref, and a
second ref for the same BSN is refused (``family.already_in_case``). This module carries the
bezwaar into the municipality's *other* cases, so that the same man cannot be drawn into a
second case under another ref, as a gezinslid of his partner's verzoek say, and have his data
requested and supplied again while his bezwaar stands.

When a bezwaar binds elsewhere is our choice (``keuze``): the memorandum describes one onderzoek
at a time and is silent on a person in two cases. We decided:

- only a person with a BSN: without one, a ref is a handle inside its case, not an identity;
- only within the municipality: its college is the controller (R21); another municipality is
  another controller and shares nothing (R38; its pseudonyms differ too);
- only while the case where he objected runs (onderzoek, werkplan, coördinatie): once it is
  closed, rejected or destroyed a new case is a new onderzoek in which he is informed again
  and may object again (§3.3.2);
- never in a route-A case in which he is himself the cliënt: his own hulpvraag is his own wish
  and the samenspraak of that case decides (§3.3.1 "de wens van de betrokkene(n) leidend");
  he may object there too.

The cases he objected in are found through the processing log (a bezwaar is logged under his
pseudonym, which for a BSN is the same in every case of the municipality), so no case state is
scanned; each such case is then read to see whether the bezwaar still stands.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select

from wams.core.law.lifecycle import CHANGE
from wams.core.law.phases import RUNNING
from wams.core.law.steps import Step
from wams.core.model import Casus, Persoon
from wams.core.privacy.processing import OPERATION_NAMES
from wams.core.storage.repository import log

if TYPE_CHECKING:  # types only: the handlers, which import this module, hold both
    from wams.core.engine.cache import CaseCache
    from wams.core.engine.unit_of_work import Transaction

#: the log record a bezwaar writes (lifecycle.bezwaar: a change of the person's processing)
OBJECTION_RECORD = f"bezwaar:{OPERATION_NAMES[CHANGE]}"
#: the states of a bezwaar that stop processing (R09)
HALTING = ("pending", "ended")

# one statement per step, whatever the number of persons it processes
_OBJECTED_IN = select(log.c.subject, log.c.case_id).where(
    log.c.gemeente == bindparam("g"), log.c.subject.in_(bindparam("s", expanding=True)),
    log.c.name == OBJECTION_RECORD).distinct()


def concerned(step: Step, case: Casus, cmd: Any) -> list[tuple[str, Persoon]]:
    """The persons a step processes, whom a bezwaar elsewhere may halt: (ref, person), as
    its record's ``concerns`` says."""
    return step.concerns(case, cmd) if step.concerns is not None else []


def halted_elsewhere(uow: Transaction, cache: CaseCache, step: Step, case: Casus,
                     cmd: Any) -> dict[str, str]:
    """ref → the state (pending, ended) of a bezwaar that binds this person here although he
    made it in another case (see the module's rules)."""
    client = case.client()
    own_client = client.persoon.ref if client is not None and case.route == "A" else None
    by_subject: dict[str, list[tuple[str, Persoon]]] = {}
    for ref, persoon in concerned(step, case, cmd):
        if persoon.bsn is not None and ref != own_client:
            by_subject.setdefault(uow.subject_of(persoon, case.id)[0], []).append((ref, persoon))
    if not by_subject:
        return {}
    out: dict[str, str] = {}
    rows = uow.store.conn.execute(_OBJECTED_IN, {"g": uow.gemeente,
                                                 "s": sorted(by_subject)}).all()
    for subject, other_id in sorted(rows, key=lambda r: (r[1] or "", r[0])):
        if other_id is None or other_id == case.id:
            continue
        other = _running(uow, cache, other_id)
        if other is None:
            continue
        for ref, persoon in by_subject[subject]:
            state = _objection_of(other, persoon)
            if state is not None and ref not in out:
                out[ref] = state
    return out


def _running(uow: Transaction, cache: CaseCache, case_id: str) -> Casus | None:
    """The other case, if it is this municipality's, still has its key and runs."""
    meta = uow.store.case_meta(case_id)
    if meta is None or meta[0] != uow.gemeente or meta[2] is None:
        return None  # destroyed (no key left): nothing of it binds
    other = cache.load(uow, case_id, meta[1])
    return other if other.phase in RUNNING else None


def _objection_of(other: Casus, persoon: Persoon) -> str | None:
    for state in other.persons.values():
        if state.persoon.bsn == persoon.bsn and state.objection in HALTING:
            return state.objection
    return None
