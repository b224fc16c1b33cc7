"""Retention and destruction of coordination dossiers (R33, MvT §3.1.4).

The law sets no period: it is a municipal choice (setting ``bewaartermijn_maanden``, default
12), counted from the day the case was closed or the verzoek rejected. Destruction removes all
personal content of the case (projection and history content), keeps a proof of destruction and
the processing log (pseudonyms only), and leaves the hash chain verifiable.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from wams.core.clock import add_months
from wams.core.commands import Vernietig
from wams.core.errors import InputError
from wams.core.law.lifecycle import DESTROY, Processing
from wams.core.law.policy import retention_ends
from wams.core.law.steps import BY_COMMAND, move
from wams.core.model import Casus
from wams.core.privacy import periods
from wams.core.privacy.work import Operator, Steps, UnitOfWork
from wams.core.settings import SETTINGS
from wams.core.storage.repository import Store, cases

log = logging.getLogger("wams.retention")

SETTING = "bewaartermijn_maanden"
DEFAULT_BEWAARTERMIJN_MAANDEN = SETTINGS[SETTING].default
RULE = "R33: bewaartermijn verstreken (MvT §3.1.4); termijn is een gemeentelijke keuze"


def bewaartermijn(store: Store, gemeente: str) -> int:
    value = store.setting(gemeente, SETTING)
    return int(value) if value is not None else DEFAULT_BEWAARTERMIJN_MAANDEN


def destroy(uow: UnitOfWork, case: Casus, data_key: str | None, *, actor: str,
            now: dt.datetime, trace_id: str, months: int) -> tuple[Processing, ...]:
    """Destroy the case's personal content inside the caller's transaction: its data key is
    deleted (crypto-shredding: every copy of its sealed state, history content and log
    purposes, on disk, in a WAL or a backup, is unreadable from now on), and as a second line
    the sealed history content is removed too."""
    store = uow.store
    processings = tuple(Processing(DESTROY, ref, "vernietiging", RULE)
                        for ref in case.persons)
    # The proof names the KEK that wrapped the data key: the retention run retires it once
    # its period is over (wams.core.privacy.periods), and the audit checks it did.
    kek = periods.proof_fields(None) if data_key is None else uow.destroy_data_key(data_key)
    erased = store.erase_history_content(case.gemeente, case.id)
    assert case.closed_on is not None
    store.insert_proof(gemeente=case.gemeente, case_id=case.id, destroyed_at=now,
                       closed_on=case.closed_on, bewaartermijn_maanden=months, rule=RULE,
                       actor=actor, history_entries=erased, persons=len(case.persons),
                       trace_id=trace_id, **kek)
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
    move(case, BY_COMMAND[Vernietig], "vernietigd")
    case.destroyed_on = now.date()
    return processings


# -- the retention run (``wams retention run``) -------------------------------------------------

#: progress(done, total, item) after each case; item is the dict :func:`run` returns for it
Progress = Callable[[int, int, dict[str, Any]], None]
RUN_ACTOR = "bewaartermijn"


#: cases destroyed per transaction: one commit (and, on SQLite, one WAL sync) for many cases
BATCH = 500


def run(engine: Operator, gemeente: str | None = None, *, dry_run: bool = False,
        progress: Progress | None = None, actor: str = RUN_ACTOR,
        batch: int = BATCH) -> list[dict[str, Any]]:
    """Destroy every case whose bewaartermijn has passed (closed_on + termijn ≤ today), of
    every municipality or of one.

    Each case goes through the engine's own ``vernietig`` step, so its history entry, proof of
    destruction and log records are exactly those of a single ``vernietig``; ``batch`` cases
    share one transaction (speed goal B5), each batch stored whole or not at all, and
    ``progress`` hears of a case once its batch is stored. ``dry_run`` lists what would be
    destroyed and changes nothing. On a SQLite file the WAL is folded into the database and
    truncated once at the end (quality C7). Returns one dict per case: gemeente, case_id,
    closed_on, bewaartermijn_maanden, verloopt_op and (after a real run) vernietigd.
    """
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise InputError(f"batch moet een geheel getal van 1 of meer zijn, niet {batch!r}")
    due = _due(engine, gemeente)
    if dry_run:
        for n, item in enumerate(due, 1):
            if progress:
                progress(n, len(due), item)
        return due
    engine.defer_scrub = True
    try:
        for start in range(0, len(due), batch):
            chunk = due[start:start + batch]
            _destroy(engine, chunk, actor)
            for n, item in enumerate(chunk, start + 1):
                if progress:
                    progress(n, len(due), item)
    finally:
        engine.defer_scrub = False
        engine.scrub_files()
    return due


def _due(engine: Operator, gemeente: str | None) -> list[dict[str, Any]]:
    today = engine.clock.today()
    due: list[dict[str, Any]] = []
    with engine.unit_of_work(gemeente) as uow:
        store = uow.store
        for g in [gemeente] if gemeente else _ended_gemeenten(store):
            months = bewaartermijn(store, g)
            # A bound a few days generous (month ends), then the exact rule of the policy.
            bound = add_months(today, -months) + dt.timedelta(days=3)
            for case_id, closed_on in _closed_before(store, g, bound):
                ends = retention_ends(closed_on, months)
                if ends <= today:
                    due.append({"gemeente": g, "case_id": case_id, "closed_on": closed_on,
                                "bewaartermijn_maanden": months, "verloopt_op": ends})
    return due


def _destroy(engine: Operator, chunk: list[dict[str, Any]], actor: str) -> None:
    """One batch in one transaction: stored whole (a case that cannot be destroyed named and
    left), or, when this raises, not at all.

    First without a savepoint per case: SQLite copies every page a savepoint changes into a
    statement journal (and PostgreSQL costs two more round trips a case), about a tenth of
    what destroying a case cost. Only when a case raises (nothing of the batch is stored
    then) is the batch run again with a savepoint per case, which names that case and
    destroys the others: a case that cannot be read costs its batch twice, never more."""
    step_failed = False
    try:
        with engine.batch(all_or_nothing=True) as unit:
            for item in chunk:
                try:
                    _destroy_one(unit, item, actor)
                except Exception:
                    step_failed = True
                    raise
    except Exception:
        # Only a case's own step: a commit that fails (or whose outcome is unknown) is the
        # caller's to hear of, never a reason to destroy the batch a second time.
        if not step_failed:
            raise
        for item in chunk:
            item.pop("vernietigd", None)
            item.pop("reden", None)
        _destroy_each_alone(engine, chunk, actor)


def _destroy_each_alone(engine: Operator, chunk: list[dict[str, Any]], actor: str) -> None:
    """The batch with a savepoint per case: a case that raises is undone alone and named."""
    with engine.batch() as unit:
        for item in chunk:
            try:
                _destroy_one(unit, item, actor)
            except Exception as exc:  # noqa: BLE001 - named, and the run goes on
                # One case that cannot be read (a damaged row, a missing key) must not keep
                # every other case of the municipality past its term: the batch undid this
                # step alone (a savepoint); the case is named and the run goes on.
                log.error("bewaartermijn: casus %s van %s niet vernietigd: %s",
                          item["case_id"], item["gemeente"], type(exc).__name__)
                item["vernietigd"] = False
                item["reden"] = f"fout bij vernietigen: {type(exc).__name__}"


def _destroy_one(unit: Steps, item: dict[str, Any], actor: str) -> None:
    decision = unit.execute(item["gemeente"], item["case_id"], Vernietig(), actor=actor)
    item["vernietigd"] = decision.allowed
    if not decision.allowed:
        item["reden"] = decision.code


def _ended_gemeenten(store: Store) -> list[str]:
    stmt = (select(cases.c.gemeente).distinct()
            .where(cases.c.phase.in_(("afgesloten", "afgewezen")))
            .order_by(cases.c.gemeente))
    return [r[0] for r in store.conn.execute(stmt)]


def _closed_before(store: Store, gemeente: str, bound: dt.date) -> list[tuple[str, dt.date]]:
    # ix_cases_gemeente_closed serves this query.
    stmt = (select(cases.c.id, cases.c.closed_on).where(
        cases.c.gemeente == gemeente, cases.c.phase.in_(("afgesloten", "afgewezen")),
        cases.c.closed_on <= bound).order_by(cases.c.closed_on, cases.c.id))
    return [(r[0], r[1]) for r in store.conn.execute(stmt)]
