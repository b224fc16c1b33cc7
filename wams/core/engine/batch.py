"""A batch: many commands in one transaction (the retention run, loading an archive), each
decided, applied, logged and chained exactly as on its own, each in a savepoint of its own, or,
all or nothing (loading an archive, which stops at the first bad record anyway), without one:
a step that raises then ends the batch and nothing of it is stored.

The chain head of a municipality is read (on PostgreSQL: locked) by the batch's first entry of
that municipality and written once, before the commit, instead of once per step: on
PostgreSQL every update of the same row inside one transaction leaves a row version that the
next read walks past, so a head written per step made a batch cost grow with its size.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING

from wams.core.engine import case_rows
from wams.core.engine.case_rows import HeldCases
from wams.core.engine.handlers import Authorize, check_actor, check_idempotency_key
from wams.core.errors import BatchBroken
from wams.core.gemeente import check_gemeente
from wams.core.law import acting
from wams.core.law.purposes import logged_purpose
from wams.core.law.records import StepEvent
from wams.core.law.steps import Effect, step_of
from wams.core.model import Casus, Decision
from wams.core.serialize import case_from_json, case_to_json
from wams.core.storage.fast import drop_appends, send_appends
from wams.core.storage.heads import BatchHeads
from wams.core.storage.repository import Store

if TYPE_CHECKING:
    from wams.core.engine.core import Engine

#: the effects whose step may hold its case's row: opening a case and changing it
HOLDING = (Effect.OPEN, Effect.APPLY)


class Batch:
    """The commands of one :meth:`Engine.batch`, run inside its transaction."""

    def __init__(self, engine: Engine, *, all_or_nothing: bool = False) -> None:
        self._engine = engine
        self.all_or_nothing = all_or_nothing
        #: what an all-or-nothing step raised: the batch ends without storing anything
        self.broken: BaseException | None = None
        self.destroyed = False
        #: the chain head of each municipality, read (and locked) once per batch and written
        #: once at its end (see :class:`~wams.core.storage.heads.BatchHeads`)
        self.heads = BatchHeads()
        #: (gemeente, copy of the case, decision, events) per stored step, for the plugins
        #: after the commit
        self.done: list[tuple[str, Casus | None, Decision, list[StepEvent]]] = []
        #: case rows held to be written once for a run of steps (all or nothing only)
        self.held = HeldCases()

    def execute(self, gemeente: str, case_id: str | None, command: object, *,
                actor: str | None = None, idempotency_key: str | None = None,
                expected_version: int | None = None, case_continues: bool = False
                ) -> Decision:
        """As :meth:`Engine.execute`, inside the batch's transaction. ``case_continues``: the
        batch's next command is a step on the same case, which may then write its row once
        for both (all-or-nothing batches; :mod:`wams.core.engine.case_rows`)."""
        engine = self._engine
        record = step_of(command)
        step = record.name
        check_gemeente(gemeente)
        actor = acting.default_actor(command) if actor is None else actor
        check_actor(actor)
        check_idempotency_key(idempotency_key)
        case_rows.check_case_continues(case_continues)
        # a fresh ``now`` for every command; the batch's chain heads
        uow = engine._transaction_for(gemeente, heads=self.heads)
        with self._undo(uow.store):
            # Only an ordinary change of the case reads a held row from memory: anything
            # else finds every row in the database.
            self._write_held(except_case=case_id if record.effect is Effect.APPLY else None)
            uow.held_cases = self.held
            uow.hold_case = case_continues and self.all_or_nothing and record.effect in HOLDING
            try:
                decision, case, events = engine._decide(
                    uow, case_id, step, command, actor, idempotency_key, expected_version)
                if not case_continues:
                    self._write_held()
            except BaseException:
                engine._cases.drop(case_id)
                raise
        if events is not None:
            self.destroyed |= record.effect is Effect.DESTROY and decision.allowed
            if engine.catalogue.listens_after_step():
                # The case changes with the next command: the plugins get it as it is now.
                copy = case_from_json(case_to_json(case)) if case is not None else None
                self.done.append((gemeente, copy, decision, events))
        return decision

    def view_case(self, gemeente: str, case_id: str, *, actor: str, purpose: str,
                  authorize: Authorize | None = None, toelichting: str | None = None) -> Casus:
        """As :meth:`Engine.view_case` (logged), inside the batch's transaction."""
        self._engine._check_read(gemeente, actor, purpose, toelichting)
        uow = self._engine._transaction_for(gemeente, heads=self.heads)
        with self._undo(uow.store):
            self._write_held()
            return self._engine._view(uow, case_id, actor=actor,
                                      purpose=logged_purpose(purpose, toelichting),
                                      authorize=authorize)


    def _undo(self, store: Store) -> AbstractContextManager[None]:
        """What undoes a step that raises: its savepoint, or (all or nothing) the batch."""
        if self.broken is not None:
            raise BatchBroken("een eerdere stap van deze batch mislukte; de batch slaat niets "
                              "op: begin een nieuwe") from self.broken
        return self._break_on_error() if self.all_or_nothing else _savepoint(store, self.heads)

    @contextmanager
    def _break_on_error(self) -> Iterator[None]:
        try:
            yield
        except BaseException as exc:
            self.broken = exc
            raise

    def finish(self, store: Store) -> None:
        """Before the commit: each municipality's chain head, written once. An all-or-nothing
        batch whose step raised (and whose caller went on) commits nothing."""
        if self.broken is not None:
            raise BatchBroken("een stap van deze batch mislukte; de batch is niet opgeslagen"
                              ) from self.broken
        self._write_held()
        store.write_heads(self.heads)

    def _write_held(self, *, except_case: str | None = None) -> None:
        """Every case row the batch holds (but that of ``except_case``), written under an
        entry of its own: what comes next is not the step its holder promised."""
        for held in self.held.others(except_case):
            uow = self._engine._transaction_for(held.case.gemeente, heads=self.heads)
            case_rows.write_held(uow, held)


@contextmanager
def _savepoint(store: Store, heads: BatchHeads) -> Iterator[None]:
    """Undo what the block wrote if it raises, and only that (the chain heads it advanced
    too). On the driver connection, as BEGIN is (SQLAlchemy's nested transaction costs a
    tenth of a command)."""
    raw = store.conn.connection.dbapi_connection
    assert raw is not None  # inside the batch's open transaction
    before = heads.snapshot()
    send_appends(store.conn)  # what came before the savepoint stays when it is undone
    raw.cursor().execute("SAVEPOINT wams_step")
    try:
        yield
        # The step's own rows are written inside its savepoint: a failing one undoes it.
        send_appends(store.conn)
    except BaseException:
        drop_appends(store.conn)
        raw.cursor().execute("ROLLBACK TO SAVEPOINT wams_step")
        heads.restore(before)
        raise
    raw.cursor().execute("RELEASE SAVEPOINT wams_step")
