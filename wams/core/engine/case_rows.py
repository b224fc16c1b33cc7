"""Writing a case's row, at once or once for a run of steps in a batch.

Every allowed step that changes a case leaves the case's row (its sealed state, phase and
version) as the step made it, and the step's history entry commits to that row (its
projection, ``wams.core.storage.coverage``). The audit compares each row with the *latest*
entry that projected it; an earlier entry's projection is superseded the moment a later step
of the same case writes the row again.

Loading an archive runs a record's ten steps on one new case inside one transaction: nine of
those ten rows are superseded before anybody can read them (the transaction has not
committed), yet each was serialised, sealed, digested and written (a quarter of the load's
CPU, measured). So an all-or-nothing batch may *hold* a case's row: the caller says, with a
step, that the batch's next command is a step on the same case (``case_continues``). The
step is decided, applied, logged and chained as always, its entry commits to everything it
wrote; only the row is kept in memory (:class:`HeldCases`), and its entry projects nothing,
because nothing was written. The step that does not say so writes the row once, as it is
then, and its entry projects it: the row the database ever holds is vouched for exactly as
before, by the latest entry for it.

A promise the caller breaks costs an entry, never the guarantee: whatever comes next in the
batch that is not such a step (another case, a read, a step that is not an ordinary change
of the case, the end of the batch) first writes each held row under an entry of its own,
step :data:`STORED`, at the time and by the actor of the step that last changed it.

Only an all-or-nothing batch holds: its steps are all stored or none, so a held row never
has to be taken back. A batch with a savepoint per step writes every row at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import attrs

from wams.core.engine.unit_of_work import Transaction
from wams.core.errors import ConflictError, InputError
from wams.core.model import Casus
from wams.core.privacy import places
from wams.core.serialize import case_to_json

#: the step of an entry that writes a held row no later step of its case wrote
STORED = "casus_vastgelegd"


@attrs.define
class HeldCase:
    """A case whose row a batch has not written since its steps changed it."""

    case: Casus
    data_key: str | None
    #: the version the database holds; None: the case was opened in this batch, no row yet
    stored_version: int | None
    #: the step that last changed it: when and by whom (its pseudonym), and its trace
    at: dt.datetime
    actor: str
    trace_id: str


def check_case_continues(value: object) -> bool:
    """``case_continues`` as given: a promise is yes or no, not something that reads like one."""
    if not isinstance(value, bool):
        raise InputError(f"case_continues moet True of False zijn, niet {value!r}")
    return value


class HeldCases:
    """The rows one all-or-nothing batch holds (see the module's description)."""

    def __init__(self) -> None:
        self._held: dict[str, HeldCase] = {}

    def get(self, case_id: str) -> HeldCase | None:
        return self._held.get(case_id)

    def hold(self, held: HeldCase) -> None:
        self._held[held.case.id] = held

    def release(self, case_id: str) -> HeldCase | None:
        """The case's held row, no longer held (its writer writes it now)."""
        return self._held.pop(case_id, None)

    def others(self, case_id: str | None) -> Iterator[HeldCase]:
        """Every held row but that of ``case_id``, released."""
        for other in [k for k in self._held if k != case_id]:
            yield self._held.pop(other)


def write(uow: Transaction, case: Casus, data_key: str | None,
          stored_version: int | None) -> None:
    """The case's row as the case is now (``case.version``): inserted when the database has
    none yet, else updated from ``stored_version``, which must still be the stored one (the
    optimistic check: another writer in between is a :class:`ConflictError`). Sealed under
    its data key; after destruction the state holds no personal data and is stored in clear."""
    gemeente = case.gemeente
    state = case_to_json(case)
    if data_key is not None:
        state = uow.seal(data_key, state, places.case_state(gemeente, case.id, case.version))
    if stored_version is None:
        uow.store.insert_case(id=case.id, gemeente=gemeente, route=case.route, wet=case.wet,
                              phase=case.phase, version=case.version,
                              opened_on=case.opened_on, closed_on=case.closed_on,
                              destroyed_on=case.destroyed_on, data_key=data_key, state=state)
        return
    if not uow.store.update_case(case.id, stored_version, case.version, gemeente=gemeente,
                                 route=case.route, wet=case.wet, opened_on=case.opened_on,
                                 state=state, phase=case.phase, closed_on=case.closed_on,
                                 destroyed_on=case.destroyed_on, data_key=data_key):
        actual = uow.store.stored_meta(case.id)
        raise ConflictError(case.id, stored_version, actual[1] if actual else None)


def store(uow: Transaction, case: Casus, data_key: str | None, *, actor: str,
          trace: str, new: bool = False) -> None:
    """An allowed step's change of ``case`` (its version already counted on; ``new``: the
    step opened it): held when the step says the batch's next command continues the case,
    else written, with whatever an earlier step of the batch held of it."""
    held = uow.held_cases.release(case.id) if uow.held_cases is not None else None
    if held is not None:
        stored = held.stored_version  # as the database has it, from before the run
    elif new:
        stored = None  # no row yet
    else:
        stored = case.version - 1
    if uow.hold_case and uow.held_cases is not None:
        uow.held_cases.hold(HeldCase(case, data_key, stored, uow.now, actor, trace))
        uow.store.written_in_batch(case.id, case.gemeente, case.version, data_key)
        return
    write(uow, case, data_key, stored)


def write_held(uow: Transaction, held: HeldCase) -> None:
    """A held row that no later step of its case wrote: written under an entry of its own
    (step :data:`STORED`), which commits to it like the step's entry would have."""
    case = held.case
    write(uow, case, held.data_key, held.stored_version)
    uow.store.append_history(
        gemeente=case.gemeente, case_id=case.id, at=held.at, step=STORED, allowed=True,
        code="ok", actor=held.actor, trace_id=held.trace_id, idempotency_key=None,
        decision=json.dumps({"step": STORED, "allowed": True, "code": "ok",
                             "version": case.version}), content=None)
