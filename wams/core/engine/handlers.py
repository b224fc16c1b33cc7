"""Running one lifecycle step inside an open transaction: load the case, decide (pure), carry
the step out with the handler its record names, write the log rows, the case update and the
history entry.

:func:`run_step` is the same for every step: what differs between steps is in their records
(:mod:`wams.core.law.steps`: the decision, the lifecycle effect, what the decision needs to
know) and in the handler per :class:`~wams.core.law.steps.Effect` below.

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
from collections.abc import Callable
from typing import Any

import attrs

from wams.core import settings
from wams.core.caller_text import actor_name, caller_text
from wams.core.commands import Melder
from wams.core.engine import case_rows, decisions, objections
from wams.core.engine.cache import CaseCache
from wams.core.engine.unit_of_work import Transaction
from wams.core.errors import ConflictError, InputError
from wams.core.ids import ordered_id
from wams.core.law import acting, lifecycle, policy
from wams.core.law.checks import Verdict
from wams.core.law.lifecycle import Applied, Processing
from wams.core.law.records import EntryRequest, StepEvent
from wams.core.law.rules import TAKEN
from wams.core.law.steps import STEPS, Effect, Need, Step, decide, move, opening_phase
from wams.core.model import Casus, Decision, Persoon
from wams.core.privacy import inzage, periods, places, retention
from wams.core.privacy.processing import special_exceptions
from wams.core.privacy.sealing import data_key_of
from wams.core.serialize import dumps

ROUTE_B_PROVISION = attrs.evolve(TAKEN, sections=("§1.3", "§3.3.2")).labelled()

#: (pseudonym, type) of persons a step processes that the case does not (yet) resolve
Subjects = dict[str, tuple[str, str]]


def check_actor(actor: object) -> None:
    """R36: every processing names who did it; a step or read by nobody cannot be accounted
    for, so an empty actor is bad input."""
    actor_name(actor, "noem wie de handeling verricht (actor); een lege actor wordt niet "
                      "geaccepteerd")


def check_idempotency_key(key: str | None) -> None:
    """The caller's idempotency key is kept as a keyed digest of its text: it must be text."""
    if key is not None:
        caller_text(key, "idempotency_key")


#: Asked before the rules, with the case as stored (None for a step that opens one or stands
#: outside a case) and the command: None lets the step go on, a reason code refuses it. It must
#: not change the case. A caller (the HTTP service) checks a role's rights with it.
Authorize = Callable[[Casus | None, Any], str | None]


@attrs.define
class Outcome:
    """What a handler did: the case (None outside one), what was processed, the data key the
    step's content is sealed under (None once destroyed), the persons outside the case it
    processed, its report, and what the decision adds (citations, signals, a count)."""

    case: Casus | None
    applied: Applied
    data_key: str | None
    outside: Subjects = attrs.Factory(dict)
    report: dict[str, Any] | None = None
    citations: tuple[str, ...] = ()
    signalen: tuple[str, ...] = ()
    count: int | None = None


@attrs.frozen
class Call:
    """One step being run: what every handler is given."""

    uow: Transaction
    cache: CaseCache
    step: Step
    cmd: Any
    actor: str
    trace: str
    ctx: policy.Context


def run_step(uow: Transaction, cache: CaseCache, versions: decisions.Versions,
             case_id: str | None, name: str, cmd: Any, actor: str, idem: str | None,
             expected_version: int | None,
             fingerprint: str | None = None, authorize: Authorize | None = None,
             ) -> tuple[Decision, Casus | None, list[StepEvent]]:
    """One step of ``uow.gemeente``; returns the decision, the case and the events.
    ``fingerprint`` (with an idempotency key) is stored with the decision; ``authorize``
    (see :data:`Authorize`) may refuse the step before the rules."""
    step = STEPS[name]
    trace = uow.trace_id()
    case: Casus | None = None
    data_key: str | None = None  # the key the case's (or record's) content is sealed under
    if step.in_case and case_id:
        found = _load(uow, cache, step, case_id, expected_version)
        if isinstance(found, str):  # the code of a refusal that stores nothing
            detail = f"Casus '{case_id}' bestaat niet." if found == NO_CASE else None
            return decisions.refusal(None, name, found, trace, versions, detail), None, []
        case, data_key = found
    if authorize is not None:
        denied = authorize(case, cmd)
        if denied is not None:
            # Outside the caller's rights: like R38, nothing of the attempt is stored.
            return decisions.refusal(case, name, denied, trace, versions), None, []
    ctx = _context(uow, cache, step, cmd, case)
    # R16/R06: who may take a party's step is a question of who acts, asked before the law
    verdict = acting.check_acting_party(step, cmd, actor) or decide(step, case, cmd, ctx)
    if not verdict.allowed:
        return _refused(uow, step, case, data_key, cmd, verdict, actor, idem, trace, versions,
                        fingerprint), case, []
    done = HANDLERS[step.effect](Call(uow, cache, step, cmd, actor, trace, ctx), case,
                                  data_key)
    return _record(uow, step, cmd, done, verdict, actor, idem, trace, versions, fingerprint)


#: the refusal code for a case that does not exist (nothing is stored for it)
NO_CASE = "state.invalid_transition"


def _load(uow: Transaction, cache: CaseCache, step: Step, case_id: str,
          expected_version: int | None) -> tuple[Casus, str | None] | str:
    """The case a step inside one runs on, and its data key; or the code of a refusal that
    stores nothing (no such case; R38: not even the refusal goes into another
    municipality's history)."""
    assert uow.gemeente is not None
    meta = uow.store.case_meta(case_id, step_of=uow.gemeente)  # with the chain head
    if meta is None:
        return NO_CASE
    if meta[0] != uow.gemeente:
        return "tenant.mismatch"
    if expected_version is not None and meta[1] != expected_version:
        raise ConflictError(case_id, expected_version, meta[1])
    held = uow.held_cases.get(case_id) if uow.held_cases is not None else None
    if held is not None:  # changed by this batch, its row not written yet
        return held.case, held.data_key
    return cache.load(uow, case_id, meta[1]), meta[2]


def _refused(uow: Transaction, step: Step, case: Casus | None, data_key: str | None,
             cmd: Any, verdict: Verdict, actor: str, idem: str | None, trace: str,
             versions: decisions.Versions, fingerprint: str | None) -> Decision:
    """A refused step: only the refusal goes into the history, without the command."""
    gemeente = uow.gemeente
    assert gemeente is not None
    decision = decisions.refusal(case, step.name, verdict.code, trace, versions,
                                 verdict.detail, werkplan=decisions.werkplan_of(step, case, cmd),
                                 extra_rules=verdict.rules, extra_sources=verdict.sources)
    # The detail may quote the caller (a ref, a name typed into a field): it is kept only
    # sealed with the case, never in clear in the history (R33).
    content = uow.seal(data_key, dumps({"detail": verdict.detail}),
                       places.history_content(gemeente, uow.store.stamp(gemeente))) \
        if data_key is not None and verdict.detail else None
    uow.store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=uow.now,
                             step=step.name, allowed=False, code=decision.code, actor=actor,
                             trace_id=trace, idempotency_key=idem,
                             decision=decisions.to_json(decision, fingerprint),
                             content=content)
    return decision


def _record(uow: Transaction, step: Step, cmd: Any, done: Outcome, verdict: Verdict,
            actor: str, idem: str | None, trace: str, versions: decisions.Versions,
            fingerprint: str | None) -> tuple[Decision, Casus | None, list[StepEvent]]:
    """An allowed step's log rows, its case's new state and its history entry."""
    gemeente, case, data_key = uow.gemeente, done.case, done.data_key
    assert gemeente is not None
    if case is not None:
        register_subjects(uow, case)
    subjects: Subjects = {**(_case_subjects(case) if case is not None else {}), **done.outside}
    count = uow.write_log(done.applied.processings, step=step.name, trace=trace, actor=actor,
                          subjects=subjects, case_id=case.id if case else None,
                          data_key=data_key)
    if case is not None and not step.opens_case:
        _store_case(uow, case, data_key, actor, trace)
    # Built after the update: the decision carries the case version it produced.
    special = special_exceptions(k for p in done.applied.processings
                                 for k in uow.catalogue.special_of(p.category))
    if special:
        # AVG art. 9/10: health or criminal data need their exception on top of 6(1)(e); it
        # rests on the announced regulation, so the decision says so (its caveat)
        verdict = attrs.evolve(verdict, sources=tuple(dict.fromkeys(verdict.sources + special)))
    decision = decisions.allowed(case, step.name, verdict, trace, versions, done.applied,
                                 done.citations, done.signalen,
                                 count if done.count is None else done.count, done.report)
    # Without a key (a vernietig, an inzage after destruction) nothing of the command is kept:
    # the log rows record the processing.
    sealed = {"command": without_identity(cmd), "detail": verdict.detail}
    if verdict.waarschuwing:
        sealed["waarschuwing"] = verdict.waarschuwing  # R20: for the FG, sealed with the case
    content = uow.seal(data_key, dumps(sealed),
                       places.history_content(gemeente, uow.store.stamp(gemeente))) \
        if data_key is not None else None
    uow.store.append_history(gemeente=gemeente, case_id=case.id if case else None, at=uow.now,
                             step=step.name, allowed=True, code="ok", actor=actor,
                             trace_id=trace, idempotency_key=idem,
                             decision=decisions.to_json(decision, fingerprint),
                             content=content)
    return decision, case, [StepEvent(step=step.name, gemeente=gemeente,
                                      case_id=case.id if case else None, trace_id=trace,
                                      decision=decision)]


def _store_case(uow: Transaction, case: Casus, data_key: str | None, actor: str,
                trace: str) -> None:
    """The case's new state (see :mod:`wams.core.engine.case_rows`: written now, or held for
    the batch's next step of the case)."""
    case.version += 1
    case_rows.store(uow, case, data_key, actor=actor, trace=trace)


# -- the handlers: one per effect (the step's record says which) --------------------------------


def _apply(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """A step inside a case: its lifecycle function changes the case, which then moves along
    the step's edges."""
    assert case is not None and call.step.apply is not None, call.step.name
    closed_on = case.closed_on
    applied = call.step.apply(case, call.cmd, call.ctx)
    move(case, call.step, applied.phase)
    if case.closed_on != closed_on and data_key is not None:
        # Closed (or rejected): the case now falls in the period its bewaartermijn ends in;
        # the KEK of its open month no longer wraps it.
        periods.place(call.uow, data_key, periods.case_period(
            case.closed_on, call.ctx.bewaartermijn_maanden, call.uow.now.date()))
    return Outcome(case, applied, data_key)


def _destroy(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """R33: retention destroys the case (its key; the log remains)."""
    assert case is not None
    processings = retention.destroy(call.uow, case, data_key, actor=call.actor,
                                    now=call.uow.now, trace_id=call.trace,
                                    months=call.ctx.bewaartermijn_maanden)
    return Outcome(case, Applied("vernietigd", processings), None)


def _inzage(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """R36 / AVG art. 15: the access report; its count is the report's records."""
    cmd = call.cmd
    persoon = cmd.persoon if isinstance(cmd.persoon, Persoon) else Persoon(cmd.persoon)
    applied, outside, report = inzage.in_case(call.uow, case, persoon)
    return Outcome(case, applied, data_key, outside, report,
                   count=len(report["verwerkingen"]) if report else None)


def register_subjects(uow: Transaction, case: Casus) -> None:
    """Give every person of the case his pseudonym (kept in the case, also after
    destruction, so the access report finds his records)."""
    for ref, state in case.persons.items():
        if ref not in case.subjects:
            case.subjects[ref], case.subject_types[ref] = uow.subject_of(state.persoon,
                                                                         case.id)


def _case_subjects(case: Casus) -> Subjects:
    return {ref: (s, case.subject_types[ref]) for ref, s in case.subjects.items()}


def _context(uow: Transaction, cache: CaseCache, step: Step, cmd: Any,
             case: Casus | None) -> policy.Context:
    """What the decision needs beyond the case and the command: what the step's record
    names, the party registry when the command brings a party in, and a bezwaar made
    elsewhere."""
    ctx = _needs(uow, step, cmd)
    # R06/R12: who a named party is comes from the municipality's registry, read when a
    # command brings a party into a case (or names it outside one): most steps name none,
    # and a party the case already holds as that kind is held to it by the case itself
    # (R21, check_party_identity), so neither pays a statement for it.
    if any(case is None or case.parties.get(p.ref) is None
           or case.parties[p.ref].partij.soort != p.soort for p in policy.parties_named(cmd)):
        registry = _registry(uow)
        if registry:
            ctx = attrs.evolve(ctx, partij_soorten=registry)
    if case is not None:
        # R09: a bezwaar the same person (same BSN) made in another running case binds here
        halted = objections.halted_elsewhere(uow, cache, step, case, cmd)
        if halted:
            ctx = attrs.evolve(ctx, halted_elsewhere=halted)
    return ctx


def _registry(uow: Transaction) -> dict[str, str]:
    assert uow.gemeente is not None
    raw = uow.store.setting(uow.gemeente, settings.PARTIJ_SOORTEN)
    value = json.loads(raw) if raw is not None else None
    return value if isinstance(value, dict) else {}


def _needs(uow: Transaction, step: Step, cmd: Any) -> policy.Context:
    """The context with what the step's record says its decision needs (one read each)."""
    gemeente, cat = uow.gemeente, uow.catalogue
    assert gemeente is not None
    found: dict[str, Any] = {}
    if Need.ENTRY in step.needs:
        found["entry"] = cat.entry(EntryRequest(cmd.wet, cmd.vraag, cmd.aanleiding)) \
            if cmd.wet in cat.laws else None
    if Need.INVOLVEMENT in step.needs:
        subject = uow.subject_of(cmd.client)[0]
        found["involved"] = uow.store.is_involved(gemeente, cmd.partij.ref, cmd.partij.soort,
                                                  subject)
    if Need.INDICATOREN in step.needs:
        # R06/R07: the indicators the municipality's werkinstructie adds (a setting).
        raw = uow.store.setting(gemeente, settings.INDICATOREN_EXTRA)
        found["indicatoren_extra"] = tuple(json.loads(raw)) if raw is not None else ()
    if Need.BEWAARTERMIJN in step.needs:
        found["bewaartermijn_maanden"] = retention.bewaartermijn(uow.store, gemeente)
    return policy.Context(cat, uow.now.date(), **found)


def _open(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """A step that opens a case: route A under a law's entry, route B on a party's verzoek;
    the case gets a data key of its own."""
    uow, step, cmd, ctx = call.uow, call.step, call.cmd, call.ctx
    gemeente, today = uow.gemeente, uow.now.date()
    assert gemeente is not None
    signalen: tuple[str, ...] = ()
    if step.route == "A":
        assert ctx.entry is not None
        case = Casus(id=ordered_id(), gemeente=gemeente, route="A", wet=cmd.wet,
                     provision=ctx.entry.provision.labelled(),
                     phase=opening_phase(step, "onderzoek" if cmd.aanleiding else "intake"),
                     opened_on=today)
        applied = lifecycle.open_case(case, step.name, cmd, ctx, ctx.entry.domain)
        signalen = uow.catalogue.signals_for(cmd.wet)  # R05
    else:
        case = Casus(id=ordered_id(), gemeente=gemeente, route="B", wet=None,
                     provision=ROUTE_B_PROVISION,
                     phase=opening_phase(step, "beoordeling"), opened_on=today)
        applied = lifecycle.open_case(case, step.name, cmd, ctx, None)
    register_subjects(uow, case)
    data_key = uow.new_data_key()
    case.version = 1
    case_rows.store(uow, case, data_key, actor=call.actor, trace=call.trace, new=True)
    call.cache.put(case)
    return Outcome(case, applied, data_key, citations=(case.provision,), signalen=signalen)


def _pass_on(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """R34: a melding's worry passed on to a party; who reported it never is. Its content
    is sealed under the melding's own key."""
    uow, cmd = call.uow, call.cmd
    gemeente = uow.gemeente
    assert gemeente is not None
    if cmd.melding is None:
        raise InputError("er is geen melding om door te geven; noem haar nummer")
    found = uow.store.melding(gemeente, cmd.melding)
    if found is None:  # R38: another municipality's melding is as unknown as none
        raise InputError(f"melding {cmd.melding} bestaat niet bij gemeente {gemeente}")
    subject, stype, sealed, at = found
    content = uow.unseal(sealed, places.melding_content(gemeente, subject, at))
    if content is None:
        raise InputError(f"melding {cmd.melding} is vernietigd")
    report = {"melding": cmd.melding, "gemeld_op": at.date().isoformat(),
              "zorg": json.loads(content)["zorg"], "aan": cmd.aan.ref, "doel": cmd.doel,
              "reden": cmd.reden}
    activity, purpose = lifecycle.logged_as(uow.catalogue, cmd.doel, "meldpunt")
    return Outcome(None, Applied(None, (Processing("provide", "melding", activity, purpose,
                                                   source="meldpunt", recipient=cmd.aan.ref),)),
                   data_key_of(sealed), {"melding": (subject, stype)}, report)


def _outside_key(call: Call, persoon: Persoon, records: str) -> tuple[Subjects, str]:
    """The person's (pseudonym, type) and a data key of the record's own, wrapped by the KEK
    of the month its bewaartermijn ends in (known from the start)."""
    uow = call.uow
    assert uow.gemeente is not None
    subject, stype = uow.subject_of(persoon)
    return {persoon.ref: (subject, stype)}, uow.new_data_key(
        periods.record_period(uow, uow.gemeente, records, uow.now))


def _involvement(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """R06: a party's involvement with a person, outside any case; the person's identity
    lives here, sealed under the record's own key, and nowhere else."""
    uow, cmd = call.uow, call.cmd
    gemeente, now = uow.gemeente, uow.now
    assert gemeente is not None
    persoon: Persoon = cmd.persoon
    outside, key = _outside_key(call, persoon, "involvements")
    subject = outside[persoon.ref][0]
    uow.store.insert_involvement(
        gemeente=gemeente, party_ref=cmd.partij.ref, party_soort=cmd.partij.soort,
        subject=subject, at=now, data_key=key,
        content=uow.seal(key, dumps({"persoon": persoon, "dienst": cmd.dienst}),
                         places.involvement_content(gemeente, cmd.partij.soort,
                                                    cmd.partij.ref, subject, now)))
    return Outcome(None, Applied(None, (Processing(
        "collect", persoon.ref, "beoordeling_verzoek", "betrokkenheid van partij vastleggen",
        source=cmd.partij.ref),)), key, outside)


def _melding(call: Call, case: Casus | None, data_key: str | None) -> Outcome:
    """R34/R35: a melding at the meldpunt opens no case; the reporter's identity goes to a
    row of its own, and the log names the meldpunt as source, never the reporter."""
    uow, cmd = call.uow, call.cmd
    gemeente, now = uow.gemeente, uow.now
    assert gemeente is not None
    persoon: Persoon = cmd.over
    outside, key = _outside_key(call, persoon, "meldingen")
    subject = outside[persoon.ref][0]
    melding_id = uow.store.insert_melding(
        gemeente=gemeente, subject=subject, melder_soort=cmd.melder.soort, at=now,
        data_key=key, content=uow.seal(key, dumps({"over": persoon, "zorg": cmd.zorg}),
                                       places.melding_content(gemeente, subject, now)))
    naam = cmd.melder.naam
    uow.store.insert_melder(gemeente, melding_id, uow.seal(
        key, naam, places.melder_naam(gemeente, melding_id)) if naam is not None else None)
    return Outcome(None, Applied(None, (Processing(
        "collect", persoon.ref, "meldpunt", "melding van zorg over inwoner",
        source="meldpunt"),)), key, outside, {"melding": melding_id})


#: effect → the handler that carries it out
HANDLERS: dict[Effect, Callable[[Call, Casus | None, str | None], Outcome]] = {
    Effect.OPEN: _open, Effect.INVOLVEMENT: _involvement, Effect.MELDING: _melding,
    Effect.PASS_ON: _pass_on, Effect.APPLY: _apply, Effect.DESTROY: _destroy,
    Effect.INZAGE: _inzage,
}


def without_identity(cmd: Any) -> Any:
    """The command as the history keeps it: every person by his ref (and role) only; the
    identity lives once, in the sealed case or record. R34: the reporter's name never."""
    changes: dict[str, Any] = {}
    for f in attrs.fields(type(cmd)):
        value = getattr(cmd, f.name)
        if isinstance(value, Persoon):
            changes[f.name] = Persoon(ref=value.ref, rol=value.rol, relatie=value.relatie)
        elif isinstance(value, Melder) and value.naam is not None:
            changes[f.name] = attrs.evolve(value, naam=None)
    return attrs.evolve(cmd, **changes) if changes else cmd
