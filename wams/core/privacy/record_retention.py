"""Retention of what is kept outside a case: meldingen and betrokkenheid records (R33, R34).

Nothing is kept for ever. A melding (the worry and who reported it) and a record that a party
is involved with a person (the precondition of its verzoek, R06) each have their own
bewaartermijn, a municipal choice like the case's (settings ``bewaartermijn_meldingen_maanden``
and ``bewaartermijn_betrokkenheid_maanden``, default 12; the memorandum sets no period, MvT
§3.1.4 only says "na een beperkte tijd"). A betrokkenheid record is never destroyed while a
route-B case that rests on it still exists undestroyed. Destruction removes the row, the
reporter's identity and — by deleting the record's data key (crypto-shredding) — the content
of the history entries that carried them, in every copy (they stay as ciphertext without a
key, so the hash chain's audit stays exact), keeps a proof of destruction
(``destruction_proofs``, the record named ``melding:<id>`` or ``betrokkenheid:<id>`` in place of
a case id) and writes one destroy record to the log, so the person's access report still shows
that something was kept and when it was destroyed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from wams.core.clock import add_months
from wams.core.ids import trace_id
from wams.core.law.lifecycle import DESTROY, Processing
from wams.core.law.steps import PASSING_ON
from wams.core.privacy import periods, places
from wams.core.privacy.work import Operator, UnitOfWork
from wams.core.serialize import case_from_json
from wams.core.storage.destruction import destroy_rows
from wams.core.storage.repository import cases, history, involvements, log, melders, meldingen

MELDINGEN = periods.RECORD_SETTINGS["meldingen"]
BETROKKENHEID = periods.RECORD_SETTINGS["involvements"]
months = periods.months
# The memorandum sets no period for a melding or a betrokkenheid (§3.1.4 speaks of the
# coordination dossier only, "na een beperkte tijd"): the proofs name no section for them.
RULE_MELDING = ("R34: bewaartermijn van de melding verstreken; termijn is een gemeentelijke "
                "keuze (de memorie van toelichting noemt er geen)")
RULE_BETROKKENHEID = ("R33: bewaartermijn van de betrokkenheid verstreken; termijn is een "
                      "gemeentelijke keuze (de memorie van toelichting noemt er geen)")
RUN_ACTOR = "bewaartermijn"
#: records destroyed per transaction
BATCH = 500


def run(engine: Operator, gemeente: str | None = None, *, dry_run: bool = False,
        actor: str = RUN_ACTOR) -> list[dict[str, Any]]:
    """Destroy every melding and betrokkenheid record whose bewaartermijn has passed, of one
    municipality or of all. Returns one dict per record: gemeente, soort (melding or
    betrokkenheid), id, vastgelegd (date), bewaartermijn_maanden, verloopt_op and (after a
    real run) vernietigd. ``dry_run`` lists them and changes nothing."""
    today = engine.clock.today()
    with engine.unit_of_work(None) as uow:
        found = sorted({r[0] for r in uow.store.conn.execute(
            select(meldingen.c.gemeente).distinct())} | {r[0] for r in uow.store.conn.execute(
                select(involvements.c.gemeente).distinct())})
    done: list[dict[str, Any]] = []
    for g in [gemeente] if gemeente else found:
        with engine.unit_of_work(g) as uow:
            items = _due(uow, g, today)
        # ``BATCH`` records a transaction: one commit for many, and never the whole archive's
        # worth of destruction in one transaction holding the write lock.
        for first in range(0, 0 if dry_run else len(items), BATCH):
            with engine.unit_of_work(g) as uow:
                for item in items[first:first + BATCH]:
                    _destroy(uow, g, item, actor)
        # The pseudonym and timestamp were for finding the record; the caller gets neither.
        done += [{k: v for k, v in item.items() if k not in ("subject", "at")}
                 for item in items]
    return done


def _due(uow: UnitOfWork, gemeente: str, today: dt.date) -> list[dict[str, Any]]:
    conn = uow.store.conn
    out: list[dict[str, Any]] = []
    n = months(uow, gemeente, MELDINGEN)
    for row in conn.execute(select(meldingen.c.id, meldingen.c.subject, meldingen.c.at)
                            .where(meldingen.c.gemeente == gemeente).order_by(meldingen.c.id)):
        ends = add_months(row.at.date(), n)
        if ends <= today:
            out.append({"gemeente": gemeente, "soort": "melding", "id": row.id,
                        "subject": row.subject, "at": row.at, "vastgelegd": row.at.date(),
                        "bewaartermijn_maanden": n, "verloopt_op": ends})
    n = months(uow, gemeente, BETROKKENHEID)
    resting = _resting_on(uow, gemeente)
    for inv in conn.execute(select(involvements.c.id, involvements.c.party_ref,
                                   involvements.c.subject, involvements.c.at)
                            .where(involvements.c.gemeente == gemeente)
                            .order_by(involvements.c.id)):
        ends = add_months(inv.at.date(), n)
        # Never shorter than the route-B case that rests on it (the case keeps its own
        # bewaartermijn and cites the involvement as the ground of its verzoek).
        if ends <= today and (inv.party_ref, inv.subject) not in resting \
                and (inv.party_ref, None) not in resting:
            out.append({"gemeente": gemeente, "soort": "betrokkenheid", "id": inv.id,
                        "subject": inv.subject, "at": inv.at, "vastgelegd": inv.at.date(),
                        "bewaartermijn_maanden": n, "verloopt_op": ends})
    return out


def _resting_on(uow: UnitOfWork, gemeente: str) -> set[tuple[str, str | None]]:
    """(party ref, person pseudonym) of every undestroyed route-B case; (party ref, None) when
    its cliënt has no BSN (his pseudonym in the case is scoped by the case, so it cannot be
    matched: every record of that party is kept)."""
    found: set[tuple[str, str | None]] = set()
    for row in uow.store.conn.execute(select(cases.c.id, cases.c.version, cases.c.state).where(
            cases.c.gemeente == gemeente, cases.c.route == "B",
            cases.c.phase != "vernietigd")):
        state = uow.unseal(row.state, places.case_state(gemeente, row.id, row.version))
        if state is None:  # its key destroyed (being destroyed by another process)
            continue
        case = case_from_json(state)
        if case.verzoek is None:
            continue
        for ref, subject in case.subjects.items():
            if case.subject_types.get(ref) == "pseudoniem-bsn":
                found.add((case.verzoek.partij, subject))
            else:
                found.add((case.verzoek.partij, None))
    return found


def _destroy(uow: UnitOfWork, gemeente: str, item: dict[str, Any], actor: str) -> None:
    conn, trace = uow.store.conn, trace_id()
    melding = item["soort"] == "melding"
    step = "melding" if melding else "betrokkenheid"
    # The history entries that carried the record: found through their log rows (same trace),
    # on the person's index (ix_log_subject): the cost is the person's records, never the
    # archive's.
    traces = [r[0] for r in conn.execute(select(log.c.trace_id).where(
        log.c.gemeente == gemeente, log.c.subject == item["subject"],
        log.c.name.like(f"{step}:%"), log.c.start_time == item["at"]))]
    table = meldingen if melding else involvements
    data_key = conn.execute(select(table.c.data_key).where(table.c.id == item["id"])).scalar()
    if melding:
        # Passing the melding on: its log rows name the same person (ix_log_subject) and the
        # chain position of their entry (uq_history_chain); of those entries, the ones sealed
        # under this melding's key (the person may have had other meldingen).
        # (No condition on chain_n in SQL: the planner would take ix_log_chain and scan it.)
        passed = {r[0] for r in conn.execute(select(log.c.chain_n).where(
            log.c.gemeente == gemeente, log.c.subject == item["subject"],
            log.c.name.like(f"{PASSING_ON}:%"))) if r[0] is not None}
        if passed and data_key is not None:
            traces += [r.trace_id for r in conn.execute(
                select(history.c.trace_id, history.c.content).where(
                    history.c.gemeente == gemeente, history.c.chain_n.in_(sorted(passed)),
                    history.c.step == PASSING_ON, history.c.content.is_not(None)))
                if r.content.startswith(f"{data_key}:")]
        # Through the store: what the chain committed to of each row is recorded, so the
        # entries that wrote them still verify (wams audit verify).
        destroy_rows(uow.store, melders, gemeente, melders.c.melding_id == item["id"])
    # Crypto-shredding: without its data key the record's sealed content, in every copy, is
    # unreadable; deleting the rows and the history content is the second line.
    kek = periods.proof_fields(None) if data_key is None else uow.destroy_data_key(data_key)
    destroy_rows(uow.store, table, gemeente, table.c.id == item["id"])
    # The history entries that carried the record stay as they are: sealed under the deleted
    # key they are unreadable, and the chain's audit (``wams audit verify``) keeps telling an
    # erased entry of a living record from an intact one. Counted as destroyed.
    erased = len(set(traces))
    rule = RULE_MELDING if melding else RULE_BETROKKENHEID
    uow.store.insert_proof(gemeente=gemeente, case_id=f"{item['soort']}:{item['id']}",
                           destroyed_at=uow.now, closed_on=item["vastgelegd"],
                           bewaartermijn_maanden=item["bewaartermijn_maanden"], rule=rule,
                           actor=actor, history_entries=erased, persons=1, trace_id=trace,
                           **kek)
    stype = conn.execute(select(log.c.subject_type).where(
        log.c.gemeente == gemeente, log.c.subject == item["subject"]).limit(1)).scalar()
    uow.write_log((Processing(DESTROY, item["soort"], "vernietiging", rule),), step="vernietig",
                  trace=trace, actor=actor,
                  subjects={item["soort"]: (item["subject"], stype or "pseudoniem")})
    item["vernietigd"] = True


__all__ = ["BETROKKENHEID", "MELDINGEN", "run"]
