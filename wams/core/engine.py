"""The engine: one command = validate → decide (pure) → apply → one transaction → notify.

The transaction holds the case update (optimistic version check), the history entry (hash
chained) and the processing-log records, so a step is stored whole or not at all. A refused
step changes nothing; only the refusal itself is kept in the history, without its payload.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from typing import Any

import attrs
import sqlalchemy

from wams.core import commands as c
from wams.core import lifecycle, phases, policy, retention, settings
from wams.core.catalogue import Catalogue
from wams.core.clock import Clock
from wams.core.errors import ConflictError, InputError, WamsError
from wams.core.inzage import processing_entry
from wams.core.lifecycle import Applied, Processing
from wams.core.model import Casus, Decision, Persoon
from wams.core.plugins import _wams_version, load_catalogue
from wams.core.processing import (
    LEGAL_BASIS,
    LEGAL_BASIS_INZAGE,
    LEGAL_BASIS_MELDPUNT,
    OPERATION_NAMES,
    STATUS_OK,
    ActivityVersions,
    new_key,
    pseudonym,
    span_id,
    subject_key,
    subject_type,
    trace_id,
)
from wams.core.reasons import reason
from wams.core.records import EntryRequest
from wams.core.rules import citations
from wams.core.serialize import case_from_json, case_to_json, dumps, structure
from wams.core.storage.database import connect
from wams.core.storage.migrate import ensure_schema
from wams.core.storage.repository import Store

log = logging.getLogger("wams")
GEMEENTE = re.compile(r"^\d{4}$")
ROUTE_B_PROVISION = "Wmo 2015 §2.3a (voorstel); MvT §3.3.2"


class Refused(WamsError):
    """A read that the rules refuse (e.g. a case of another municipality)."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.code}: {decision.message}")


class Engine:
    def __init__(self, db: sqlalchemy.Engine, catalogue: Catalogue, clock: Clock) -> None:
        self.db = db
        self.catalogue = catalogue
        self.clock = clock
        self.dialect = db.dialect.name
        self._conn = db.connect()
        self._lock = threading.RLock()
        self._cache: dict[str, Casus] = {}
        self._keys: dict[str, bytes] = {}
        self._versions = (("wams", _wams_version()), *catalogue.versions())
        # Scopes persons known only by ref (no BSN): see processing.subject_key.
        self.subject_namespace = ""
        # Log records point at the register version in force (processing.ActivityVersions).
        self._activities = ActivityVersions(catalogue)
        # retention.run sets this: one WAL checkpoint after the run, not one per case.
        self.defer_scrub = False

    @classmethod
    def open(cls, url: str | None = None, *, clock: Clock | None = None,
             extra_plugins: Any = None) -> Engine:
        catalogue = load_catalogue(extra_plugins)
        db = connect(url)
        # An empty database is migrated to head; one behind is refused with the command to run.
        ensure_schema(db)
        return cls(db, catalogue, clock or Clock())

    def close(self) -> None:
        self._conn.close()
        self.db.dispose()

    def _store(self) -> Store:
        return Store(self._conn, lock_heads=self.dialect == "postgresql")

    # -- settings -------------------------------------------------------------------------

    def set_setting(self, gemeente: str, key: str, value: object) -> None:
        _check_gemeente(gemeente)
        value = settings.check(key, value)
        with self._lock, self._conn.begin():
            self._store().set_setting(gemeente, key, json.dumps(value))
        if key == retention.SETTING:
            # The register entries carry the bewaartermijn: the next record gets a new version.
            self._activities.forget(gemeente)

    def setting(self, gemeente: str, key: str) -> object:
        with self._lock, self._conn.begin():
            raw = self._store().setting(gemeente, key)
        if raw is None:
            return settings.default(key)
        return json.loads(raw)

    # -- commands -------------------------------------------------------------------------

    def execute(self, gemeente: str, case_id: str | None, command: object, *,
                actor: str = "college", idempotency_key: str | None = None,
                expected_version: int | None = None) -> Decision:
        step = c.STEP_NAMES.get(type(command))
        if step is None:
            raise InputError(f"{type(command).__name__} is geen stap van de levenscyclus")
        _check_gemeente(gemeente)
        with self._lock:
            for attempt in (1, 2):
                try:
                    decision, case, events = self._transaction(
                        gemeente, case_id, step, command, actor, idempotency_key,
                        expected_version)
                    break
                except BaseException as exc:
                    # The cached projection may hold a change that was never committed.
                    self._cache.pop(case_id or "", None)
                    # A connection lost before COMMIT (a database restart, a failover): the
                    # server rolled the transaction back, so the step is run once more on a
                    # fresh connection. Lost *during* COMMIT, the outcome is unknown: raised.
                    if (attempt == 1 and isinstance(exc, sqlalchemy.exc.DBAPIError)
                            and exc.connection_invalidated
                            and not getattr(exc, "wams_at_commit", False)):
                        log.warning("verbinding met de database verloren; stap %s opnieuw",
                                    step)
                        continue
                    raise
            if events is None:
                return decision
            if step == "vernietig" and decision.allowed and not self.defer_scrub:
                self._scrub_files()
        self._notify(case, decision, events)
        return decision

    def _transaction(self, gemeente: str, case_id: str | None, step: str, command: Any,
                     actor: str, idempotency_key: str | None, expected_version: int | None,
                     ) -> tuple[Decision, Casus | None, list[Any] | None]:
        """One command in one transaction (the unit of work). ``events`` is None when the
        idempotency key was seen before."""
        tx = self._conn.begin()
        try:
            store = self._store()
            prior = store.idempotent_decision(gemeente, idempotency_key) \
                if idempotency_key is not None else None
            if prior is not None:
                # A retried command: the stored decision, nothing applied, nobody notified.
                result: tuple[Decision, Casus | None, list[Any] | None] = \
                    (_decision_from_json(prior), None, None)
            else:
                result = self._run(store, gemeente, case_id, step, command, actor,
                                   idempotency_key, expected_version)
        except BaseException:
            if tx.is_active:
                tx.rollback()
            raise
        try:
            tx.commit()
        except sqlalchemy.exc.DBAPIError as exc:
            exc.wams_at_commit = True  # type: ignore[attr-defined]
            raise
        return result

    def _notify(self, case: Casus | None, decision: Decision, events: list[Any]) -> None:
        """``wams_after_step``: plugins get a copy of the case (they must not change the
        engine's own), and what they raise is logged: the step is committed already."""
        if not self.catalogue.pm.hook.wams_after_step.get_hookimpls():
            return
        copy = case_from_json(case_to_json(case)) if case is not None else None
        try:
            self.catalogue.after_step(copy, decision, events)
        except Exception:
            log.exception("wams_after_step faalde na stap %s (trace %s); de stap is opgeslagen",
                          decision.step, decision.trace_id)

    def _run(self, store: Store, gemeente: str, case_id: str | None, step: str, cmd: Any,
             actor: str, idem: str | None,
             expected_version: int | None) -> tuple[Decision, Casus | None, list[Any]]:
        now = self.clock.now()
        trace = trace_id()
        case: Casus | None = None
        if step not in phases.OPENING and step not in phases.OUTSIDE_CASE and case_id:
            meta = store.case_meta(case_id)
            if meta is None:
                return self._refusal(None, step, "state.invalid_transition", trace,
                                     f"Casus '{case_id}' bestaat niet."), None, []
            if meta[0] != gemeente:
                # R38: not even the refusal goes into the other municipality's history.
                return self._refusal(None, step, "tenant.mismatch", trace), None, []
            if expected_version is not None and meta[1] != expected_version:
                raise ConflictError(case_id, expected_version, meta[1])
            case = self._load(store, case_id, meta[1])

        ctx = self._context(store, gemeente, step, cmd, now)
        verdict = policy.decide(step, case, cmd, ctx)
        if not verdict.allowed:
            decision = self._refusal(case, step, verdict.code, trace, verdict.detail,
                                     werkplan=_werkplan_of(step, case, cmd),
                                     extra_rules=verdict.rules)
            store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=now,
                                 step=step, allowed=False, code=decision.code, actor=actor,
                                 trace_id=trace, idempotency_key=idem,
                                 decision=_decision_json(decision), content=None)
            return decision, case, []

        extra_citations: tuple[str, ...] = ()
        signalen: tuple[str, ...] = ()
        report = None
        outside: dict[str, tuple[str, str]] = {}
        key = self._key(store, gemeente)
        if step in phases.OPENING:
            case, applied = self._open(store, gemeente, step, cmd, ctx, now)
            extra_citations = (case.provision,)
            if step == "hulpvraag":
                signalen = self.catalogue.signals_for(cmd.wet)
        elif step in phases.OUTSIDE_CASE:
            applied, outside, report = self._outside(store, gemeente, step, cmd, key, now)
        elif step == "vernietig":
            assert case is not None
            processings = retention.destroy(store, case, actor=actor, now=now, trace_id=trace,
                                            months=ctx.bewaartermijn_maanden)
            applied = Applied("vernietigd", processings)
        elif step == "inzage":
            # AVG art. 15 is the person's right whatever his place in this case: the report
            # covers every processing about him in the municipality, inside a case or not.
            persoon = cmd.persoon if isinstance(cmd.persoon, Persoon) else Persoon(cmd.persoon)
            if case is not None and persoon.ref in case.subjects:
                found = (case.subjects[persoon.ref], case.subject_types[persoon.ref])
            else:
                found = self.subject_of(key, persoon)
            outside = {persoon.ref: found}
            report = {"persoon": persoon.ref, "verwerkingen": [
                processing_entry(r, self.catalogue)
                for r in store.log_for_subject(gemeente, found[0])]}
            applied = Applied(case.phase if case else None, (Processing(
                "provide", persoon.ref, "inzage", "inzage door betrokkene (AVG art. 15)",
                source="college", recipient="betrokkene"),))
        else:
            assert case is not None
            applied = lifecycle.APPLY[step](case, cmd, ctx)

        if case is not None:
            self._register_subjects(case, key)
        rows = self._log_rows(gemeente, case, applied.processings, step, trace, actor, now,
                              outside)
        store.insert_log(rows)
        count = len(report["verwerkingen"]) if step == "inzage" and report else len(rows)
        decision = self._allowed(case, step, verdict, trace, applied, extra_citations,
                                 signalen, count, report)
        if case is not None and step not in phases.OPENING:
            if not store.update_case(case.id, case.version, state=case_to_json(case),
                                     phase=case.phase, closed_on=case.closed_on,
                                     destroyed_on=case.destroyed_on):
                actual = store.case_meta(case.id)
                raise ConflictError(case.id, case.version, actual[1] if actual else None)
            case.version += 1
        store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=now,
                             step=step, allowed=True, code="ok", actor=actor, trace_id=trace,
                             idempotency_key=idem, decision=_decision_json(decision),
                             content=dumps(_history_content(step, cmd)))
        return decision, case, [{"step": step, "trace_id": trace}]

    def _load(self, store: Store, case_id: str, version: int) -> Casus:
        cached = self._cache.get(case_id)
        if cached is not None and cached.version == version:
            return cached
        case = case_from_json(store.case_state(case_id))
        case.version = version
        self._cache[case_id] = case
        return case

    def _context(self, store: Store, gemeente: str, step: str, cmd: Any,
                 now: Any) -> policy.Context:
        cat = self.catalogue
        if step == "hulpvraag":
            entry = cat.entry(EntryRequest(cmd.wet, cmd.vraag, cmd.aanleiding)) \
                if cmd.wet in cat.laws else None
            return policy.Context(cat, now.date(), entry=entry)
        if step == "verzoek":
            subject = self.subject_of(self._key(store, gemeente), cmd.client)[0]
            return policy.Context(cat, now.date(),
                                  involved=store.is_involved(gemeente, cmd.partij.ref, subject))
        if step == "vernietig":
            return policy.Context(cat, now.date(),
                                  bewaartermijn_maanden=retention.bewaartermijn(store, gemeente))
        return policy.Context(cat, now.date())

    def _open(self, store: Store, gemeente: str, step: str, cmd: Any, ctx: policy.Context,
              now: Any) -> tuple[Casus, Applied]:
        if step == "hulpvraag":
            assert ctx.entry is not None
            case = Casus(id=uuid.uuid4().hex, gemeente=gemeente, route="A", wet=cmd.wet,
                         provision=ctx.entry.provision,
                         phase="onderzoek" if cmd.aanleiding else "intake",
                         opened_on=now.date())
            applied = lifecycle.open_case(case, step, cmd, ctx, ctx.entry.domain)
        else:
            case = Casus(id=uuid.uuid4().hex, gemeente=gemeente, route="B", wet=None,
                         provision=ROUTE_B_PROVISION, phase="beoordeling", opened_on=now.date())
            applied = lifecycle.open_case(case, step, cmd, ctx, None)
        self._register_subjects(case, self._key(store, gemeente))
        store.insert_case(id=case.id, gemeente=gemeente, route=case.route, wet=case.wet,
                          phase=case.phase, version=1, opened_on=case.opened_on,
                          closed_on=None, destroyed_on=None, state=case_to_json(case))
        case.version = 1
        self._cache[case.id] = case
        return case, applied

    def _outside(self, store: Store, gemeente: str, step: str, cmd: Any, key: bytes,
                 now: Any) -> tuple[Applied, dict[str, tuple[str, str]], dict[str, Any] | None]:
        """Steps that belong to no case: betrokkenheid, melding and passing a melding on.
        Returns what was processed, the (pseudonym, type) of the person, and a report."""
        if step == "melding_doorgeven":
            found = store.melding(gemeente, cmd.melding) if cmd.melding is not None else None
            if cmd.melding is None:
                raise InputError("er is geen melding om door te geven; noem haar nummer")
            if found is None:  # R38: another municipality's melding is as unknown as none
                raise InputError(f"melding {cmd.melding} bestaat niet bij gemeente {gemeente}")
            subject, stype, zorg, at = found
            # The worry goes to the recipient; who reported it never does (R34).
            report = {"melding": cmd.melding, "gemeld_op": at.date().isoformat(), "zorg": zorg,
                      "aan": cmd.aan, "reden": cmd.reden}
            return Applied(None, (Processing("provide", "melding", "meldpunt", cmd.reden,
                                             source="meldpunt", recipient=cmd.aan),)), \
                {"melding": (subject, stype)}, report
        persoon: Persoon = cmd.persoon if step == "betrokkenheid" else cmd.over
        subject, stype = self.subject_of(key, persoon)
        outside = {persoon.ref: (subject, stype)}
        if step == "betrokkenheid":
            store.insert_involvement(gemeente=gemeente, party_ref=cmd.partij.ref,
                                     party_soort=cmd.partij.soort, subject=subject,
                                     dienst=cmd.dienst, at=now)
            return Applied(None, (Processing("collect", persoon.ref, "beoordeling_verzoek",
                                             "betrokkenheid van partij vastleggen",
                                             source=cmd.partij.ref),)), outside, None
        melding_id = store.insert_melding(gemeente=gemeente, subject=subject, zorg=cmd.zorg,
                                          melder_soort=cmd.melder.soort,
                                          melder_naam=cmd.melder.naam, at=now)
        # R34: the log names the meldpunt as source, never the reporter.
        return Applied(None, (Processing("collect", persoon.ref, "meldpunt",
                                         "melding van zorg over inwoner", source="meldpunt"),)), \
            outside, {"melding": melding_id}

    def _register_subjects(self, case: Casus, key: bytes) -> None:
        for ref, state in case.persons.items():
            if ref not in case.subjects:
                case.subjects[ref], case.subject_types[ref] = self.subject_of(key, state.persoon)

    def subject_of(self, key: bytes, persoon: Persoon) -> tuple[str, str]:
        """The person's keyed pseudonym and its type, as the processing log records them."""
        return (pseudonym(key, subject_key(persoon, self.subject_namespace)),
                subject_type(persoon))

    def _key(self, store: Store, gemeente: str) -> bytes:
        key = self._keys.get(gemeente)
        if key is None:
            text = store.tenant_key(gemeente)
            if text is None:
                text = store.insert_tenant_key(gemeente, new_key())
            key = self._keys[gemeente] = bytes.fromhex(text)
        return key

    def _log_rows(self, gemeente: str, case: Casus | None, processings: tuple[Processing, ...],
                  step: str, trace: str, actor: str, now: Any,
                  outside: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
        """One row per processing; ``outside`` maps refs of persons not (or not yet) resolved
        through the case to their (pseudonym, type)."""
        if not processings:
            return []
        parent = span_id()
        store = self._store()  # the caller's transaction: records the register version

        def activity_uri(code: str) -> str:
            return self._activities.uri(store, gemeente, code, now)

        basis = LEGAL_BASIS_MELDPUNT if step in ("melding", "melding_doorgeven") else \
            LEGAL_BASIS_INZAGE if step == "inzage" else LEGAL_BASIS
        rows = []
        for p in processings:
            if p.subject in outside:
                subject, stype = outside[p.subject]
            else:
                assert case is not None
                subject, stype = case.subjects[p.subject], case.subject_types[p.subject]
            rows.append({
                "gemeente": gemeente, "trace_id": trace, "span_id": span_id(),
                "parent_span_id": parent, "name": f"{step}:{OPERATION_NAMES[p.operation]}",
                "operation": p.operation, "start_time": now, "end_time": now,
                "status_code": STATUS_OK, "activity_id": activity_uri(p.activity),
                "subject": subject, "subject_type": stype,
                "case_id": case.id if case else None, "category": p.category,
                "purpose": p.purpose, "legal_basis": basis, "source": p.source,
                "recipient": p.recipient, "actor": actor})
        return rows

    # -- decisions ------------------------------------------------------------------------

    def _refusal(self, case: Casus | None, step: str, code: str, trace: str,
                 detail: str | None = None, werkplan: str | None = None,
                 extra_rules: tuple[str, ...] = ()) -> Decision:
        r = reason(code)
        rules = tuple(dict.fromkeys(r.rules + extra_rules))
        return Decision(False, code, _join(r.message, detail), rules, citations(rules),
                        step=step, case_id=case.id if case else None,
                        phase=case.phase if case else None, werkplan=werkplan,
                        trace_id=trace, versions=self._versions)

    def _allowed(self, case: Casus | None, step: str, verdict: policy.Verdict, trace: str,
                 applied: Applied, extra: tuple[str, ...], signalen: tuple[str, ...],
                 count: int, report: dict[str, Any] | None) -> Decision:
        sources = tuple(dict.fromkeys(citations(verdict.rules) + extra))
        return Decision(True, "ok", _join(reason("ok").message, verdict.detail), verdict.rules,
                        sources, step=step, case_id=case.id if case else None,
                        phase=case.phase if case else None, werkplan=applied.werkplan,
                        signalen=signalen, verwerkingen=count, trace_id=trace,
                        versions=self._versions, report=report)

    # -- reads ----------------------------------------------------------------------------

    def view_case(self, gemeente: str, case_id: str, *, actor: str, purpose: str) -> Casus:
        """Raadplegen: every person in the dossier gets a 'consult' record (R36)."""
        _check_gemeente(gemeente)
        if not purpose or not purpose.strip():
            raise InputError("noem het doel waarvoor u de casus inziet")
        with self._lock, self._conn.begin():
            store = self._store()
            meta = store.case_meta(case_id)
            if meta is None:
                raise InputError(f"casus '{case_id}' bestaat niet")
            if meta[0] != gemeente:
                raise Refused(self._refusal(None, "raadplegen", "tenant.mismatch", trace_id()))
            case = self._load(store, case_id, meta[1])
            processings = tuple(Processing("consult", ref, "raadplegen", purpose)
                                for ref in case.persons)
            store.insert_log(self._log_rows(gemeente, case, processings, "raadplegen",
                                            trace_id(), actor, self.clock.now(), {}))
            return case_from_json(case_to_json(case))

    def list_cases(self, gemeente: str) -> list[dict[str, Any]]:
        _check_gemeente(gemeente)
        with self._lock, self._conn.begin():
            return self._store().list_cases(gemeente)

    def _scrub_files(self) -> None:
        # After destruction the WAL still holds the old pages; fold it into the database
        # (where secure_delete zeroed the freed space) and truncate it (quality C7).
        if self.dialect == "sqlite" and self.db.url.database not in (None, "", ":memory:"):
            # Outside any transaction, on the driver connection: a checkpoint inside BEGIN
            # IMMEDIATE would find its own table locked.
            dbapi = self._conn.connection.dbapi_connection
            assert dbapi is not None
            dbapi.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _check_gemeente(gemeente: str) -> None:
    if not isinstance(gemeente, str) or not GEMEENTE.match(gemeente):
        raise InputError(f"gemeente '{gemeente}' is geen CBS-gemeentecode van 4 cijfers "
                         "(bijvoorbeeld \"0599\")")


def _join(message: str, detail: str | None) -> str:
    return f"{message} {detail}" if detail else message


def _werkplan_of(step: str, case: Casus | None, cmd: Any) -> str | None:
    if case is None:
        return None
    if step == "werkplan":
        return policy.grondslag(case, cmd.coordinatie_helpt)
    if step == "terugkoppeling":
        return policy.grondslag(case)
    return None


def _history_content(step: str, cmd: Any) -> Any:
    # R34: the reporter's identity lives only in the melders table, never in the history.
    if step == "melding" and cmd.melder.naam is not None:
        return attrs.evolve(cmd, melder=attrs.evolve(cmd.melder, naam=None))
    return cmd


def _decision_json(decision: Decision) -> str:
    return dumps(attrs.evolve(decision, report=None) if decision.report is not None
                 else decision)


def _decision_from_json(text: str) -> Decision:
    data = json.loads(text)
    data["report"] = None
    return structure(data, Decision)




