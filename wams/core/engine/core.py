"""The engine: one command = validate → decide (pure) → apply → one transaction → notify.

The transaction holds the case update (optimistic version check), the history entry (hash
chained) and the processing-log records, so a step is stored whole or not at all. A refused
step changes nothing; only the refusal itself is kept in the history, without its payload.
The privacy operations get one transaction at a time through :meth:`Engine.unit_of_work`.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import attrs
import sqlalchemy

from wams.core import settings
from wams.core.caller_text import caller_text
from wams.core.catalogue import Catalogue
from wams.core.clock import Clock
from wams.core.engine import decisions, scrub
from wams.core.engine import keys as keys_room
from wams.core.engine.batch import Batch
from wams.core.engine.cache import CaseCache
from wams.core.engine.handlers import Authorize, check_actor, check_idempotency_key, run_step
from wams.core.engine.unit_of_work import LogSink, Transaction
from wams.core.errors import CommitUnknown, ConflictError, InputError, NotFoundError, Refused
from wams.core.gemeente import check_gemeente
from wams.core.ids import trace_id
from wams.core.law import acting, policy, sharing
from wams.core.law.lifecycle import Processing
from wams.core.law.purposes import ExcludedPurpose, logged_purpose
from wams.core.law.records import KeyStore, StepEvent
from wams.core.law.steps import Effect, step_of
from wams.core.model import Caller, Casus, Decision
from wams.core.plugins import load_catalogue, wams_version
from wams.core.privacy import periods, places, retention
from wams.core.privacy.actors import ActorRegister
from wams.core.privacy.keyuse import require_keys
from wams.core.privacy.pseudonyms import PseudonymKeys
from wams.core.privacy.register import ActivityVersions
from wams.core.privacy.sealing import DataKeys
from wams.core.serialize import case_from_json, case_to_json
from wams.core.storage.coverage import ChainKeys
from wams.core.storage.database import connect
from wams.core.storage.fast import send_appends, watch_appends
from wams.core.storage.heads import BatchHeads
from wams.core.storage.migrate import ensure_schema
from wams.core.storage.repository import Store, history

log = logging.getLogger("wams")


class Engine:
    def __init__(self, db: sqlalchemy.Engine, catalogue: Catalogue, clock: Clock,
                 keys: KeyStore, case_cache: int | None = None) -> None:
        self.db = db
        self.catalogue = catalogue
        self.clock = clock
        #: Where the keys live (never in the database): see wams.core.privacy.keystore.
        self.keys = keys
        self.dialect = db.dialect.name
        self._conn = db.connect()
        self._lock = threading.RLock()
        self._cases = CaseCache(case_cache)  # bounded LRU; 0: stateless
        self._keys = PseudonymKeys(keys)
        #: The data keys of cases, meldingen and betrokkenheid (wrapped in the database).
        self.data_keys = DataKeys(keys)
        # The chain key of each municipality (key store purpose "chain"), cached.
        self._chain_keys = ChainKeys(self.keys)
        self._versions = (("wams", wams_version()), *catalogue.versions())
        # Scopes persons known only by ref (no BSN): see pseudonyms.subject_key.
        self.subject_namespace = ""
        # Log records point at the register version in force (register.ActivityVersions).
        self._activities = ActivityVersions(catalogue)
        # An exporter of every log record, inside the transaction (see Transaction.log_sink).
        self.log_sink: LogSink | None = None
        # retention.run sets this: one WAL checkpoint after the run, not one per case.
        self.defer_scrub = False
        #: Who acted, by pseudonym in the rows, by name in the register (privacy/actors.py).
        self.actors = ActorRegister()
        self.actors.watch(self._conn)
        # History entries and log rows are sent together, before what comes next (fast.py).
        watch_appends(self._conn)

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None,
             extra_plugins: Any = None, key_file: str | None = None,
             case_cache: int | None = None) -> Engine:
        catalogue = load_catalogue(extra_plugins)
        db = connect(url)
        try:
            keys = keys_room.key_store(db, catalogue, key_file)
            # An empty database is migrated to head; one behind is refused with the command
            # to run.
            created = ensure_schema(db)
        except BaseException:
            db.dispose()
            raise
        engine = cls(db, catalogue, clock or Clock(), keys, case_cache)
        try:
            # A database whose keys are missing is one clear error naming the key ids and
            # the key store, now, rather than an unreadable case (or new keys) later. One
            # this open made from empty names no key yet (every scenario opens one: speed
            # goal B4).
            if not created:
                with engine.unit_of_work(None) as uow:
                    require_keys(uow.store.conn, engine.keys)
        except BaseException:
            engine.close()
            raise
        return engine

    def close(self) -> None:
        self._conn.close()
        self.db.dispose()

    def _store(self, heads: BatchHeads | None = None) -> Store:
        return Store(self._conn, lock_heads=self.dialect == "postgresql",
                     keys=self._chain_keys, heads=heads)

    def _transaction_for(self, gemeente: str | None, caller: Caller | None = None,
                         heads: BatchHeads | None = None) -> Transaction:
        return Transaction(gemeente=gemeente, store=self._store(heads), now=self.clock.now(),
                           catalogue=self.catalogue, activities=self._activities,
                           keys=self._keys, key_store=self.keys, data_keys=self.data_keys,
                           subject_namespace=self.subject_namespace,
                           caller=caller, log_sink=self.log_sink, actors=self.actors)

    @contextmanager
    def unit_of_work(self, gemeente: str | None) -> Iterator[Transaction]:
        """One transaction of ``gemeente`` (None: of every municipality, for reads that an
        operator's run makes before acting): committed when the block ends, rolled back when
        it raises. The engine's connection is held for the block, so keep it short."""
        if gemeente is not None:
            check_gemeente(gemeente)
        with self._lock, self._conn.begin():
            uow = self._transaction_for(gemeente)
            yield uow
            # Rows written without a step (a read's log rows, a setting, register versions)
            # get an entry of their own before the commit: nothing uncovered is stored.
            uow.store.seal(at=uow.now, actor="wams")
            send_appends(self._conn)  # a failure here is the block's, not the commit's

    def answered(self, gemeente: str, keys: Sequence[str]) -> set[str]:
        """Which of the idempotency ``keys`` answered a command of ``gemeente`` already. A bulk
        load asks this of a batch of records at once, to skip what an earlier run stored."""
        with self.unit_of_work(gemeente) as uow:
            digests = {uow.idempotency_digest(k): k for k in keys}
            rows = uow.store.conn.execute(sqlalchemy.select(history.c.idempotency_key).where(
                history.c.gemeente == gemeente, history.c.idempotency_key.in_(list(digests))))
            return {digests[digest] for (digest,) in rows}

    def set_public_url(self, url: str | None) -> None:
        self._activities.public_url = url.rstrip("/") if url else None
        self._activities.forget(None)

    # -- settings -------------------------------------------------------------------------

    def set_setting(self, gemeente: str, key: str, value: object) -> None:
        value = settings.check(key, value)
        with self.unit_of_work(gemeente) as uow:
            # The change is a history entry "instelling" (Store.set_setting, Store.seal).
            uow.store.set_setting(gemeente, key, json.dumps(value))
            if key == periods.CASE_SETTING or key in periods.RECORD_SETTINGS.values():
                # Records whose bewaartermijn moved fall in another period: re-wrapped now,
                # in the same transaction as the change.
                periods.replace(uow, gemeente)
        if key == retention.SETTING:
            # The register entries carry the bewaartermijn: the next record gets a new version.
            self._activities.forget(gemeente)

    def setting(self, gemeente: str, key: str) -> object:
        with self.unit_of_work(gemeente) as uow:
            raw = uow.store.setting(gemeente, key)
        if raw is None:
            return settings.default(key)
        return json.loads(raw)

    # -- commands -------------------------------------------------------------------------

    def execute(self, gemeente: str, case_id: str | None, command: object, *,
                actor: str | None = None, idempotency_key: str | None = None,
                expected_version: int | None = None,
                authorize: Authorize | None = None,
                caller: Caller | None = None) -> Decision:
        """Run ``command``. ``caller`` (the calling action at another application, from its
        traceparent) is continued: its trace is the step's, its span the records' parent."""
        record = step_of(command)
        step = record.name
        check_gemeente(gemeente)
        actor = acting.default_actor(command) if actor is None else actor
        check_actor(actor)
        check_idempotency_key(idempotency_key)
        with self._lock:
            for attempt in (1, 2):
                try:
                    decision, case, events = self._transaction(
                        gemeente, case_id, step, command, actor, idempotency_key,
                        expected_version, authorize, caller)
                    break
                except BaseException as exc:
                    # The cached projection may hold a change that was never committed.
                    self._cases.drop(case_id)
                    # A connection lost before COMMIT (a database restart, a failover): the
                    # server rolled the transaction back, so the step is run once more on a
                    # fresh connection. Lost *during* COMMIT, the outcome is unknown: that is
                    # a CommitUnknown, never retried.
                    if (attempt == 1 and isinstance(exc, sqlalchemy.exc.DBAPIError)
                            and exc.connection_invalidated):
                        log.warning("verbinding met de database verloren; stap %s opnieuw",
                                    step)
                        continue
                    raise
            if events is None:
                return decision
            if record.effect is Effect.DESTROY and decision.allowed and not self.defer_scrub:
                self.scrub_files()
        self._notify(gemeente, case, decision, events)
        return decision

    def _transaction(self, gemeente: str, case_id: str | None, step: str, command: Any,
                     actor: str, idempotency_key: str | None, expected_version: int | None,
                     authorize: Authorize | None, caller: Caller | None = None,
                     ) -> tuple[Decision, Casus | None, list[StepEvent] | None]:
        """One command in one transaction (the unit of work). ``events`` is None when the
        idempotency key was seen before."""
        tx = self._conn.begin()
        try:
            result = self._decide(self._transaction_for(gemeente, caller), case_id, step,
                                  command, actor, idempotency_key, expected_version, authorize)
            send_appends(self._conn)  # a failure here stores nothing: not CommitUnknown
        except BaseException:
            if tx.is_active:
                tx.rollback()
            raise
        try:
            tx.commit()
        except sqlalchemy.exc.DBAPIError as exc:
            raise CommitUnknown(step) from exc
        return result

    def _decide(self, uow: Transaction, case_id: str | None, step: str, command: Any,
                actor: str, idempotency_key: str | None, expected_version: int | None,
                authorize: Authorize | None = None,
                ) -> tuple[Decision, Casus | None, list[StepEvent] | None]:
        """One command inside the caller's open transaction (its own, or a batch's)."""
        assert uow.gemeente is not None
        stored_key = uow.idempotency_digest(idempotency_key) \
            if idempotency_key is not None else None
        prior = uow.store.idempotent_decision(uow.gemeente, stored_key, idempotency_key) \
            if stored_key is not None else None
        fingerprint = uow.fingerprint(case_id, step, command) \
            if idempotency_key is not None else None
        if prior is not None:
            # A retried command: the stored decision, nothing applied, nobody notified.
            # Only the identical command: a key reused for another one is the caller's
            # bug, and answering it from the store would silently drop that command.
            # (A decision stored before fingerprints were kept has none: answered.)
            content = uow.unseal(prior[1], places.history_content(uow.gemeente, prior[2]))
            detail = json.loads(content).get("detail") if content else None
            decision, stored = decisions.from_json(prior[0], detail)
            if stored is not None and stored != fingerprint:
                raise InputError(f"idempotency key '{idempotency_key}' is al gebruikt voor "
                                 "een ander commando (idempotency key reused for another "
                                 "command); kies een nieuwe sleutel per commando")
            return decision, None, None
        result = run_step(uow, self._cases, self._versions, case_id, step, command, actor,
                          stored_key, expected_version, fingerprint, authorize)
        # Whatever the step wrote that no entry of its own committed (none, normally): sealed.
        uow.store.seal(at=uow.now, actor=actor)
        return result

    @contextmanager
    def batch(self, *, all_or_nothing: bool = False, keep_cases: bool = True
              ) -> Iterator[Batch]:
        """Many commands in one transaction, for bulk work (the retention run, loading a
        municipality's archive). Each command is decided, applied, logged and chained exactly
        as on its own; one that raises is undone alone (a savepoint) and the batch goes on, or
        (``all_or_nothing``, no savepoint per step) ends the batch: nothing is stored.
        The batch commits when the block ends (nothing is stored if the block raises), then
        plugins hear of its steps, in order. ``keep_cases=False``: the batch's cases leave the
        case cache when it ends (bulk work that never comes back to a case)."""
        with self._lock:
            tx = self._conn.begin()
            batch = Batch(self, all_or_nothing=all_or_nothing)
            try:
                yield batch
                batch.finish(self._store())
                send_appends(self._conn)
                tx.commit()
            except BaseException:
                if tx.is_active:
                    tx.rollback()
                # The cached projections may hold changes that were never committed.
                self._cases.clear()
                raise
            if not keep_cases:
                # A load touches each case in one batch only: kept, the last 10,000 cases of
                # an archive (half a gigabyte) stay in memory and the garbage collector walks
                # them again and again (4 % of the load's CPU at 300,000 cases, py-spy).
                for case_id in batch.heads.cases:
                    self._cases.drop(case_id)
            if batch.destroyed and not self.defer_scrub:
                self.scrub_files()
        for gemeente, copy, decision, events in batch.done:
            self._tell(gemeente, copy, decision, events)

    def _notify(self, gemeente: str, case: Casus | None, decision: Decision,
                events: list[StepEvent]) -> None:
        """``wams_after_step``: plugins get a copy of the case (they must not change the
        engine's own), and what they raise is logged: the step is committed already."""
        if not self.catalogue.listens_after_step():
            return
        copy = case_from_json(case_to_json(case)) if case is not None else None
        self._tell(gemeente, copy, decision, events)

    def _tell(self, gemeente: str, copy: Casus | None, decision: Decision,
              events: list[StepEvent]) -> None:
        event = StepEvent(step=decision.step, gemeente=gemeente, case_id=decision.case_id,
                          trace_id=decision.trace_id, decision=decision, case=copy)
        try:
            self.catalogue.after_step(event, [attrs.evolve(e, case=copy) for e in events])
        except Exception:
            log.exception("wams_after_step faalde na stap %s (trace %s); de stap is opgeslagen",
                          decision.step, decision.trace_id)

    def cached_case(self, case_id: str) -> Casus | None:
        """The projection this engine holds in memory for ``case_id`` (tests compare it with
        the stored one); None when it holds none."""
        return self._cases.get(case_id)

    # -- reads ----------------------------------------------------------------------------

    def view_case(self, gemeente: str, case_id: str, *, actor: str, purpose: str,
                  authorize: Authorize | None = None, toelichting: str | None = None) -> Casus:
        """Raadplegen: every person in the dossier gets a 'consult' record (R36).
        ``authorize`` (see :data:`~wams.core.engine.handlers.Authorize`) may refuse the read
        before anything is logged; it gets the case and None."""
        self._check_read(gemeente, actor, purpose, toelichting)
        with self.unit_of_work(gemeente) as uow:
            return self._view(uow, case_id, actor=actor, purpose=logged_purpose(purpose,
                                                                                 toelichting),
                              authorize=authorize)

    def view_for_party(self, gemeente: str, case_id: str, partij: str, *, actor: str,
                       purpose: str) -> dict[str, Any]:
        """What party ``partij`` may see of a case: the data requests addressed to it, what it
        supplied itself and what a casusoverleg shared with it (R19, R30); nothing else of the
        dossier. Refs stand for the persons (no names, BSNs or birth dates). A party not in
        the case is refused (``access.role``). Logged as a consult of each person shown."""
        self._check_read(gemeente, actor, purpose)
        with self.unit_of_work(gemeente) as uow:
            case, data_key = self._read(uow, gemeente, case_id, logged=True)
            if partij not in case.parties:
                raise Refused(decisions.refusal(case, "raadplegen", "access.role", trace_id(),
                                                self._versions))
            view = sharing.party_view(case, partij)
            shown = {item["over"] for key in ("verzoeken", "verstrekt", "gedeeld")
                     for item in view[key]}
            self._log_consult(uow, case, data_key,
                              [ref for ref in case.persons if ref in shown], actor, purpose)
            return view

    def _check_read(self, gemeente: str, actor: str, purpose: str,
                    toelichting: str | None = None) -> None:
        check_gemeente(gemeente)
        check_actor(actor)
        if toelichting is not None:
            caller_text(toelichting, "toelichting")  # kept in the log's purpose
        # R20: a purpose code for reads; anything else returns nothing and is not logged as a
        # processing (bad input, or a refusal when it names enforcement).
        try:
            policy.read_purpose(self.catalogue.purposes, purpose)
        except ExcludedPurpose as exc:
            raise Refused(decisions.refusal(None, "raadplegen", "purpose.enforcement_excluded",
                                            trace_id(), self._versions,
                                            f"'{exc.term}' is geen doel van de aanpak.")) from None

    def _view(self, uow: Transaction, case_id: str, *, actor: str, purpose: str,
              authorize: Authorize | None = None) -> Casus:
        assert uow.gemeente is not None
        case, data_key = self._read(uow, uow.gemeente, case_id, logged=True)
        denied = authorize(case, None) if authorize is not None else None
        if denied is not None:
            raise Refused(decisions.refusal(case, "raadplegen", denied, trace_id(),
                                            self._versions))
        self._log_consult(uow, case, data_key, case.persons, actor, purpose)
        return case_from_json(case_to_json(case))

    def _log_consult(self, uow: Transaction, case: Casus, data_key: str | None, refs: Any,
                     actor: str, purpose: str) -> None:
        processings = tuple(Processing("consult", ref, "raadplegen", purpose) for ref in refs)
        subjects = {ref: (s, case.subject_types[ref]) for ref, s in case.subjects.items()}
        # The purpose is a code of the vocabulary; still sealed with the case like every
        # purpose (a destroyed case has no persons left to log).
        trace = trace_id()
        uow.write_log(processings, step="raadplegen", trace=trace, actor=actor,
                      subjects=subjects, case_id=case.id,
                      data_key=data_key)
        # The read's entry, here: inside a batch no unit of work ends after it.
        uow.store.seal(at=uow.now, actor=actor, trace_id=trace)

    def rotate_keys(self, gemeente: str | None = None) -> dict[str, int]:
        """``wams keys rotate``: see :func:`wams.core.engine.keys.rotate`."""
        return keys_room.rotate(self, gemeente)

    def case_parties(self, gemeente: str, case_id: str) -> dict[str, str]:
        """The organisations in a case (party ref → registered kind): no person, no content,
        so not a consult of the dossier. What the privacy officer's report needs to tell a
        party from a person among the log's recipients and to mark justice parties (R12)."""
        with self.unit_of_work(gemeente) as uow:
            case, _ = self._read(uow, gemeente, case_id)
            return {ref: p.partij.soort for ref, p in case.parties.items()}

    def _read(self, uow: Transaction, gemeente: str, case_id: str, *,
              logged: bool = False) -> tuple[Casus, str | None]:
        """The projection of a case of ``gemeente`` for a read and the data key it is sealed
        under (None once destroyed); another municipality's case is refused (R38), an unknown
        one is bad input. ``logged``: the read is logged (its entry needs the chain head)."""
        meta = uow.store.case_meta(case_id, step_of=gemeente if logged else None)
        if meta is None:
            raise NotFoundError(f"casus '{case_id}' bestaat niet")
        if meta[0] != gemeente:
            raise Refused(decisions.refusal(None, "raadplegen", "tenant.mismatch",
                                            trace_id(), self._versions))
        return self._cases.load(uow, case_id, meta[1]), meta[2]

    def case_page(self, gemeente: str, *, limit: int,
                  after: str | None = None) -> list[dict[str, Any]]:
        """Up to ``limit`` case summaries in (opened_on, id) order, after case ``after``."""
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise InputError(f"limit moet een geheel getal van 1 of meer zijn, niet {limit!r}")
        with self.unit_of_work(gemeente) as uow:
            if after is None:
                return uow.store.case_page(gemeente, limit)
            opened = uow.store.case_opened(gemeente, after)
            if opened is None:  # R38: another municipality's case is as unknown as none
                raise InputError(f"casus '{after}' (--after) bestaat niet bij gemeente "
                                 f"{gemeente}; noem de laatste casus van de vorige pagina")
            return uow.store.case_page(gemeente, limit, (opened, after))

    def iter_cases(self, gemeente: str, *, after: str | None = None,
                   page: int = 1000) -> Iterator[dict[str, Any]]:
        """Every case summary (after case ``after``), a page per short transaction: memory
        stays flat at any size and writers are not held up for the whole listing."""
        while True:
            rows = self.case_page(gemeente, limit=page, after=after)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1]["id"]

    def scrub_files(self) -> bool:
        """After destruction the WAL still holds the old pages; fold it into the database
        (where secure_delete zeroed the freed space) and truncate it (quality C7). This is
        the second line: the pages hold only ciphertext whose key is deleted.

        A reader with an open transaction blocks the truncation (SQLite answers "busy"):
        retried for a few seconds, then logged as a warning and left to the next checkpoint.
        Returns whether the WAL was truncated (True when there is no WAL)."""
        return scrub.checkpoint(self)

    def driver_pragmas(self, *statements: str) -> list[Any]:
        """Run PRAGMAs on the driver connection, outside any transaction (a checkpoint inside
        BEGIN IMMEDIATE would find its own table locked), under the engine's lock; returns
        each one's first row."""
        with self._lock:
            dbapi = self._conn.connection.dbapi_connection
            assert dbapi is not None
            return [dbapi.execute(sql).fetchone() for sql in statements]


__all__ = ["ConflictError", "Engine", "Refused"]
