"""Running one lifecycle step inside an open transaction: load the case, decide (pure), apply,
write the log rows, the case update and the history entry.

Nothing here commits or retries: :class:`wams.core.engine.core.Engine` owns the transaction.
A refused step leaves only the refusal in the history (without its payload); an allowed step
writes the case, its processing-log rows and one chained history entry.

Personal data is stored only sealed under the data key of the record it belongs to (the case,
the melding, the betrokkenheid; :mod:`wams.core.privacy.sealing`): the case projection, the
history content (the command without any person's identity, and the detail of the decision,
which may quote the caller) and the free-text purposes of the log rows. The history itself
keeps refs, pseudonyms and codes: a person's identity lives once, in his case's sealed state
(or the melding's, the betrokkenheid's).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import attrs

from wams.core import settings
from wams.core.engine import decisions, objections
from wams.core.engine.unit_of_work import Transaction
from wams.core.errors import ConflictError, InputError
from wams.core.law import acting, lifecycle, phases, policy
from wams.core.law.lifecycle import Applied, Processing
from wams.core.law.records import EntryRequest, StepEvent
from wams.core.law.rules import TAKEN
from wams.core.model import Casus, Decision, Persoon
from wams.core.privacy import inzage, periods, places, retention
from wams.core.privacy.processing import special_exceptions
from wams.core.privacy.sealing import data_key_of
from wams.core.serialize import case_from_json, case_to_json, dumps
from wams.core.storage import projections

ROUTE_B_PROVISION = attrs.evolve(TAKEN, sections=("§1.3", "§3.3.2")).labelled()

#: (pseudonym, type) of persons a step processes that the case does not (yet) resolve
Subjects = dict[str, tuple[str, str]]


def check_actor(actor: object) -> None:
    """R36: every processing names who did it; a step or read by nobody cannot be accounted
    for, so an empty actor is bad input."""
    if not isinstance(actor, str) or not actor.strip():
        raise InputError("noem wie de handeling verricht (actor); een lege actor wordt niet "
                         "geaccepteerd")


#: Projections an engine keeps in memory by default (``$WAMS_CASE_CACHE`` or
#: ``Engine.open(case_cache=...)`` overrides it; 0 turns the cache off: a stateless service).
CASE_CACHE_DEFAULT = 10_000
CASE_CACHE_ENV = "WAMS_CASE_CACHE"


def case_cache_size(size: int | None = None) -> int:
    """The bound of the case cache: ``size`` if given, else ``$WAMS_CASE_CACHE``, else the
    default. A bad value is one clear error, not a silently unbounded cache."""
    source: object = size
    if size is None:
        source = os.environ.get(CASE_CACHE_ENV)
        if source is None or source.strip() == "":
            return CASE_CACHE_DEFAULT
        size = int(source) if source.strip().isdigit() else -1
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        name = "case_cache" if source is size else CASE_CACHE_ENV
        raise InputError(f"{name} moet een geheel getal van 0 of meer zijn, niet {source!r}")
    return size


class CaseCache:
    """The last loaded projection of each case, valid while its version is unchanged; at most
    ``size`` cases, the least recently used dropped first (a long-running service touches
    every case of its archive over time: memory stays bounded). ``size`` 0 keeps nothing:
    every step reads and parses its case, as a stateless service would.

    A step mutates the cached case in place; a transaction that fails must :meth:`drop` it,
    since the change was never committed."""

    def __init__(self, size: int | None = None) -> None:
        self.size = case_cache_size(size)
        self._cases: OrderedDict[str, Casus] = OrderedDict()

    def load(self, uow: Transaction, case_id: str, version: int) -> Casus:
        """The case, from the cache while it is at ``version``, else as stored now."""
        cached = self._cases.get(case_id)
        if cached is not None and cached.version == version:
            self._cases.move_to_end(case_id)
            return cached
        assert uow.gemeente is not None
        stored, version, data_key = projections.committed_case_state(uow.store, case_id)
        # Only a destroyed case's state, stripped of everything personal, is stored plain.
        state = uow.unseal(stored, places.case_state(uow.gemeente, case_id, version),
                           plain=data_key is None)
        if state is None:
            raise InputError(f"casus '{case_id}' is niet te lezen: haar sleutel is vernietigd")
        case = case_from_json(state)
        case.version = version
        self.put(case)
        return case

    def put(self, case: Casus) -> None:
        if not self.size:
            return
        self._cases[case.id] = case
        self._cases.move_to_end(case.id)
        while len(self._cases) > self.size:
            self._cases.popitem(last=False)

    def get(self, case_id: str) -> Casus | None:
        return self._cases.get(case_id)

    def __len__(self) -> int:
        return len(self._cases)

    def drop(self, case_id: str | None) -> None:
        self._cases.pop(case_id or "", None)

    def clear(self) -> None:
        self._cases.clear()


#: Asked before the rules, with the case as stored (None for a step that opens one or stands
#: outside a case) and the command: None lets the step go on, a reason code refuses it. It must
#: not change the case. A caller (the HTTP service) checks a role's rights with it.
Authorize = Callable[[Casus | None, Any], str | None]


def run_step(uow: Transaction, cache: CaseCache, versions: decisions.Versions,
             case_id: str | None, step: str, cmd: Any, actor: str, idem: str | None,
             expected_version: int | None,
             fingerprint: str | None = None, authorize: Authorize | None = None,
             ) -> tuple[Decision, Casus | None, list[StepEvent]]:
    """One step of ``uow.gemeente``; returns the decision, the case and the events.
    ``fingerprint`` (with an idempotency key) is stored with the decision; ``authorize``
    (see :data:`Authorize`) may refuse the step before the rules."""
    store, now = uow.store, uow.now
    gemeente = uow.gemeente
    assert gemeente is not None
    trace = uow.trace_id()
    case: Casus | None = None
    data_key: str | None = None  # the key the case's (or record's) content is sealed under
    if step not in phases.OPENING and step not in phases.OUTSIDE_CASE and case_id:
        meta = store.case_meta(case_id, step_of=gemeente)  # with the chain head
        if meta is None:
            return decisions.refusal(None, step, "state.invalid_transition", trace, versions,
                                     f"Casus '{case_id}' bestaat niet."), None, []
        if meta[0] != gemeente:
            # R38: not even the refusal goes into the other municipality's history.
            return decisions.refusal(None, step, "tenant.mismatch", trace, versions), None, []
        if expected_version is not None and meta[1] != expected_version:
            raise ConflictError(case_id, expected_version, meta[1])
        case = cache.load(uow, case_id, meta[1])
        data_key = meta[2]
    if authorize is not None:
        denied = authorize(case, cmd)
        if denied is not None:
            # Outside the caller's rights: like R38, nothing of the attempt is stored.
            return decisions.refusal(case, step, denied, trace, versions), None, []

    # R16/R06: who may take a party's step is a question of who acts, asked before the law
    ctx = _context(uow, step, cmd, case)
    if case is not None:
        # R09: a bezwaar the same person (same BSN) made in another running case binds here
        halted = objections.halted_elsewhere(uow, cache, step, case, cmd)
        if halted:
            ctx = attrs.evolve(ctx, halted_elsewhere=halted)
    verdict = acting.check_acting_party(step, cmd, actor) or policy.decide(step, case, cmd, ctx)
    if not verdict.allowed:
        decision = decisions.refusal(case, step, verdict.code, trace, versions, verdict.detail,
                                     werkplan=decisions.werkplan_of(step, case, cmd),
                                     extra_rules=verdict.rules,
                                     extra_sources=verdict.sources)
        # The detail may quote the caller (a ref, a name typed into a field): it is kept
        # only sealed with the case, never in clear in the history (R33).
        content = uow.seal(data_key, dumps({"detail": verdict.detail}),
                           places.history_content(gemeente, store.stamp(gemeente))) \
            if data_key is not None and verdict.detail else None
        store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=now,
                             step=step, allowed=False, code=decision.code, actor=actor,
                             trace_id=trace, idempotency_key=idem,
                             decision=decisions.to_json(decision, fingerprint),
                             content=content)
        return decision, case, []

    extra_citations: tuple[str, ...] = ()
    signalen: tuple[str, ...] = ()
    report = None
    outside: Subjects = {}
    if step in phases.OPENING:
        case, applied, data_key = _open(uow, cache, step, cmd, ctx)
        extra_citations = (case.provision,)
        if step == "hulpvraag":
            signalen = uow.catalogue.signals_for(cmd.wet)
    elif step in phases.OUTSIDE_CASE:
        applied, outside, report, data_key = _outside(uow, step, cmd)
    elif step == "vernietig":
        assert case is not None
        processings = retention.destroy(uow, case, data_key, actor=actor, now=now,
                                        trace_id=trace, months=ctx.bewaartermijn_maanden)
        applied = Applied("vernietigd", processings)
        data_key = None
    elif step == "inzage":
        persoon = cmd.persoon if isinstance(cmd.persoon, Persoon) else Persoon(cmd.persoon)
        applied, outside, report = inzage.in_case(uow, case, persoon)
    else:
        assert case is not None
        closed_on = case.closed_on
        applied = lifecycle.APPLY[step](case, cmd, ctx)
        if case.closed_on != closed_on and data_key is not None:
            # Closed (or rejected): the case now falls in the period its bewaartermijn ends
            # in; the KEK of its open month no longer wraps it.
            periods.place(uow, data_key, periods.case_period(
                case.closed_on, ctx.bewaartermijn_maanden, now.date()))

    if case is not None:
        register_subjects(uow, case)
    subjects: Subjects = {**(_case_subjects(case) if case is not None else {}), **outside}
    count = uow.write_log(applied.processings, step=step, trace=trace, actor=actor,
                          subjects=subjects, case_id=case.id if case else None,
                          data_key=data_key)
    if step == "inzage" and report:
        count = len(report["verwerkingen"])
    if case is not None and step not in phases.OPENING:
        # After destruction the state holds no personal data (refs → pseudonyms, dates):
        # stored in clear, its key is gone.
        state = case_to_json(case)
        if not store.update_case(case.id, case.version, gemeente=case.gemeente,
                                 route=case.route, wet=case.wet, opened_on=case.opened_on,
                                 state=uow.seal(data_key, state, places.case_state(
                                     gemeente, case.id, case.version + 1))
                                 if data_key else state,
                                 phase=case.phase, closed_on=case.closed_on,
                                 destroyed_on=case.destroyed_on, data_key=data_key):
            actual = store.case_meta(case.id)
            raise ConflictError(case.id, case.version, actual[1] if actual else None)
        case.version += 1
    # Built after the update: the decision carries the case version it produced.
    special = special_exceptions(k for p in applied.processings
                                 for k in uow.catalogue.special_of(p.category))
    if special:
        # AVG art. 9/10: health or criminal data need their exception on top of 6(1)(e); it
        # rests on the announced regulation, so the decision says so (its caveat)
        verdict = attrs.evolve(verdict, sources=tuple(dict.fromkeys(verdict.sources + special)))
    decision = decisions.allowed(case, step, verdict, trace, versions, applied,
                                 extra_citations, signalen, count, report)
    # Without a key (a vernietig, an inzage after destruction) nothing of the command is kept:
    # the log rows record the processing.
    sealed = {"command": without_identity(step, cmd), "detail": verdict.detail}
    if verdict.waarschuwing:
        sealed["waarschuwing"] = verdict.waarschuwing  # R20: for the FG, sealed with the case
    content = uow.seal(data_key, dumps(sealed),
                       places.history_content(gemeente, store.stamp(gemeente))) \
        if data_key is not None else None
    store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=now,
                         step=step, allowed=True, code="ok", actor=actor, trace_id=trace,
                         idempotency_key=idem,
                         decision=decisions.to_json(decision, fingerprint),
                         content=content)
    return decision, case, [StepEvent(step=step, gemeente=gemeente,
                                      case_id=case.id if case else None, trace_id=trace,
                                      decision=decision)]


def register_subjects(uow: Transaction, case: Casus) -> None:
    """Give every person of the case his pseudonym (kept in the case, also after
    destruction, so the access report finds his records)."""
    for ref, state in case.persons.items():
        if ref not in case.subjects:
            case.subjects[ref], case.subject_types[ref] = uow.subject_of(state.persoon,
                                                                         case.id)


def _case_subjects(case: Casus) -> Subjects:
    return {ref: (s, case.subject_types[ref]) for ref, s in case.subjects.items()}


def _context(uow: Transaction, step: str, cmd: Any, case: Casus | None) -> policy.Context:
    ctx = _step_context(uow, step, cmd)
    # R06/R12: who a named party is comes from the municipality's registry, read when a
    # command brings a party into a case (or names it outside one): most steps name none,
    # and a party the case already holds as that kind is held to it by the case itself
    # (R21, check_party_identity), so neither pays a statement for it.
    if any(case is None or case.parties.get(p.ref) is None
           or case.parties[p.ref].partij.soort != p.soort for p in policy.parties_named(cmd)):
        registry = _registry(uow)
        if registry:
            ctx = attrs.evolve(ctx, partij_soorten=registry)
    return ctx


def _registry(uow: Transaction) -> dict[str, str]:
    assert uow.gemeente is not None
    raw = uow.store.setting(uow.gemeente, settings.PARTIJ_SOORTEN)
    value = json.loads(raw) if raw is not None else None
    return value if isinstance(value, dict) else {}


def _step_context(uow: Transaction, step: str, cmd: Any) -> policy.Context:
    cat, today = uow.catalogue, uow.now.date()
    if step == "hulpvraag":
        entry = cat.entry(EntryRequest(cmd.wet, cmd.vraag, cmd.aanleiding)) \
            if cmd.wet in cat.laws else None
        return policy.Context(cat, today, entry=entry)
    if step == "verzoek":
        assert uow.gemeente is not None
        subject = uow.subject_of(cmd.client)[0]
        return policy.Context(cat, today, involved=uow.store.is_involved(
            uow.gemeente, cmd.partij.ref, cmd.partij.soort, subject),
            indicatoren_extra=_indicatoren_extra(uow))
    if step == "besluit_bezwaar":
        return policy.Context(cat, today, indicatoren_extra=_indicatoren_extra(uow))
    if step == "vernietig":
        assert uow.gemeente is not None
        return policy.Context(cat, today, bewaartermijn_maanden=retention.bewaartermijn(
            uow.store, uow.gemeente))
    return policy.Context(cat, today)


def _indicatoren_extra(uow: Transaction) -> tuple[str, ...]:
    # R06/R07: the indicators the municipality's werkinstructie adds (a setting).
    assert uow.gemeente is not None
    raw = uow.store.setting(uow.gemeente, settings.INDICATOREN_EXTRA)
    return tuple(json.loads(raw)) if raw is not None else ()


def _open(uow: Transaction, cache: CaseCache, step: str, cmd: Any,
          ctx: policy.Context) -> tuple[Casus, Applied, str]:
    gemeente, today = uow.gemeente, uow.now.date()
    assert gemeente is not None
    if step == "hulpvraag":
        assert ctx.entry is not None
        case = Casus(id=uuid.uuid4().hex, gemeente=gemeente, route="A", wet=cmd.wet,
                     provision=ctx.entry.provision.labelled(),
                     phase=phases.opening_phase(step, "onderzoek" if cmd.aanleiding
                                                else "intake"),
                     opened_on=today)
        applied = lifecycle.open_case(case, step, cmd, ctx, ctx.entry.domain)
    else:
        case = Casus(id=uuid.uuid4().hex, gemeente=gemeente, route="B", wet=None,
                     provision=ROUTE_B_PROVISION,
                     phase=phases.opening_phase(step, "beoordeling"), opened_on=today)
        applied = lifecycle.open_case(case, step, cmd, ctx, None)
    register_subjects(uow, case)
    data_key = uow.new_data_key()
    uow.store.insert_case(id=case.id, gemeente=gemeente, route=case.route, wet=case.wet,
                          phase=case.phase, version=1, opened_on=case.opened_on,
                          closed_on=None, destroyed_on=None, data_key=data_key,
                          state=uow.seal(data_key, case_to_json(case),
                                         places.case_state(gemeente, case.id, 1)))
    case.version = 1
    cache.put(case)
    return case, applied, data_key


def _outside(uow: Transaction, step: str,
             cmd: Any) -> tuple[Applied, Subjects, dict[str, Any] | None, str | None]:
    """Steps that belong to no case: betrokkenheid, melding and passing a melding on.
    Returns what was processed, the (pseudonym, type) of the person, a report and the data
    key of the record (the content of the step is sealed under it)."""
    store, gemeente, now = uow.store, uow.gemeente, uow.now
    assert gemeente is not None
    if step == "melding_doorgeven":
        if cmd.melding is None:
            raise InputError("er is geen melding om door te geven; noem haar nummer")
        found = store.melding(gemeente, cmd.melding)
        if found is None:  # R38: another municipality's melding is as unknown as none
            raise InputError(f"melding {cmd.melding} bestaat niet bij gemeente {gemeente}")
        subject, stype, sealed, at = found
        content = uow.unseal(sealed, places.melding_content(gemeente, subject, at))
        if content is None:
            raise InputError(f"melding {cmd.melding} is vernietigd")
        # The worry goes to the recipient; who reported it never does (R34).
        report = {"melding": cmd.melding, "gemeld_op": at.date().isoformat(),
                  "zorg": json.loads(content)["zorg"], "aan": cmd.aan.ref, "doel": cmd.doel,
                  "reden": cmd.reden}
        activity, purpose = lifecycle.logged_as(uow.catalogue, cmd.doel, "meldpunt")
        return Applied(None, (Processing("provide", "melding", activity, purpose,
                                         source="meldpunt", recipient=cmd.aan.ref),)), \
            {"melding": (subject, stype)}, report, data_key_of(sealed)
    persoon: Persoon = cmd.persoon if step == "betrokkenheid" else cmd.over
    subject, stype = uow.subject_of(persoon)
    outside = {persoon.ref: (subject, stype)}
    # The person's identity lives here, sealed under the record's own key, and nowhere else.
    # Its bewaartermijn is known from the start: wrapped by the KEK of the month it ends in.
    data_key = uow.new_data_key(periods.record_period(
        uow, gemeente, "involvements" if step == "betrokkenheid" else "meldingen", now))
    if step == "betrokkenheid":
        store.insert_involvement(gemeente=gemeente, party_ref=cmd.partij.ref,
                                 party_soort=cmd.partij.soort, subject=subject, at=now,
                                 data_key=data_key, content=uow.seal(data_key, dumps(
                                     {"persoon": persoon, "dienst": cmd.dienst}),
                                     places.involvement_content(
                                         gemeente, cmd.partij.soort, cmd.partij.ref, subject,
                                         now)))
        return Applied(None, (Processing("collect", persoon.ref, "beoordeling_verzoek",
                                         "betrokkenheid van partij vastleggen",
                                         source=cmd.partij.ref),)), outside, None, data_key
    naam = cmd.melder.naam
    melding_id = store.insert_melding(
        gemeente=gemeente, subject=subject, melder_soort=cmd.melder.soort, at=now,
        data_key=data_key, content=uow.seal(data_key, dumps({"over": persoon,
                                                              "zorg": cmd.zorg}),
                                            places.melding_content(gemeente, subject, now)))
    # R34: the reporter's identity goes to its own row, bound to the melding's id.
    store.insert_melder(gemeente, melding_id, uow.seal(
        data_key, naam, places.melder_naam(gemeente, melding_id)) if naam is not None else None)
    # R34: the log names the meldpunt as source, never the reporter.
    return Applied(None, (Processing("collect", persoon.ref, "meldpunt",
                                     "melding van zorg over inwoner", source="meldpunt"),)), \
        outside, {"melding": melding_id}, data_key


def without_identity(step: str, cmd: Any) -> Any:
    """The command as the history keeps it: every person by his ref (and role) only; the
    identity lives once, in the sealed case or record. R34: the reporter's name never."""
    changes = {f.name: Persoon(ref=v.ref, rol=v.rol, relatie=v.relatie)
               for f in attrs.fields(type(cmd))
               if isinstance(v := getattr(cmd, f.name), Persoon)}
    if step == "melding" and cmd.melder.naam is not None:
        changes["melder"] = attrs.evolve(cmd.melder, naam=None)
    return attrs.evolve(cmd, **changes) if changes else cmd
