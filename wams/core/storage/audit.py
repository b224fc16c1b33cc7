"""``wams audit verify``: recompute every municipality's keyed chain and everything it covers.

What each kind of tampering looks like (quality goal C6):

- content changed                -> its salted digest no longer matches ``content_digest``
- code, decision, ... changed    -> the recomputed keyed ``entry_hash`` differs
- the chain rehashed or renumbered without the chain key (plain SHA-256, or a forged key)
                                 -> the keyed hash of the first rewritten entry differs
- a row deleted in the middle    -> a gap in ``chain_n``
- a row's prev_hash changed      -> it no longer equals the previous row's ``entry_hash``
- the last rows deleted          -> ``chain_heads`` points past the last row (or elsewhere)
- the tail truncated and the head moved back, or the chain rewritten by someone holding the
  key                            -> the chain no longer extends an anchor taken earlier
                                    (``--anchor``, anchor.py)
- a processing-log row, involvement, melding, melder, proof, register version or data key
  changed, deleted or added      -> the write set of the entry that wrote it differs, or the
                                    row names no entry (audit_rows.py)
- the ``cases`` projection, a setting or a webhook subscription changed, added or removed
  around wams (an objection reset, ``closed_on`` backdated, ``bewaartermijn_maanden`` set to
  0, the events sent to another address) -> it differs from the latest entry for it
- content erased, or a case marked destroyed, without a proof of destruction
- a data key row deleted (or swapped for another municipality's) while its case, melding or
  betrokkenheid lives                -> named by its record (audit_values.py)
- a destroyed record whose destruction period is over while the KEK that wrapped its data
  key is still in the key store      -> named by its proof (audit_values.py)
- a value that cannot be read at all (a date that is no date, a salt that is no hex)
                                    -> named by table, row and column before anything is
                                       streamed (audit_values.py)

Destruction (R33) empties ``content`` and ``content_salt`` but keeps ``content_digest``, and
the entry hash commits to the digest, so a destroyed case still verifies; the erased content
must be matched by a proof of destruction for its case, itself covered by the chain.

Everything streams in chain order (``yield_per``; server-side cursors on PostgreSQL): one row
per table and the previous hash per municipality are held, so memory stays flat however long
the history. Every problem found is reported once per municipality and kind: after a break
nothing later in that chain can be trusted, but other municipalities still can.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs
from sqlalchemy import Connection, Engine, and_, case, exists, select

from wams.core.errors import ChainKeyMissing
from wams.core.storage import chain, migrate
from wams.core.storage.anchor import Checkpoint
from wams.core.storage.audit_rows import (
    BATCH,
    CoveredRows,
    Problem,
    describe,
    ordered,
    projection_problems,
)
from wams.core.storage.audit_values import malformed, missing_data_keys, unretired
from wams.core.storage.coverage import ChainKeys, KeySource
from wams.core.storage.database import READ_ONLY
from wams.core.storage.heads import heads
from wams.core.storage.repository import history, proofs

#: progress(entries checked so far, entries in all chains); called every BATCH entries
Progress = Callable[[int, int], None]


@attrs.frozen
class Break:
    """The first problem of one kind in one municipality."""

    gemeente: str
    chain_n: int | None  # None: the break is in the head, not in a row
    seq: int | None
    problem: str
    subject: str | None = None  # "casus ...", "instelling ...": a covered row, not an entry

    def line(self) -> str:
        if self.subject is not None:
            where = self.subject + (f" (regel {self.chain_n})" if self.chain_n else "")
        else:
            where = f"regel {self.chain_n}" if self.chain_n is not None else "kop van de keten"
            if self.seq is not None:
                where += f" (seq {self.seq})"
        return f"gemeente {self.gemeente}, {where}: {self.problem}"


@attrs.frozen
class Report:
    gemeenten: int
    entries: int
    breaks: tuple[Break, ...]
    anchors: int = 0

    @property
    def intact(self) -> bool:
        return not self.breaks


class _Chains:
    """The chain pass: rows ordered by (gemeente, chain_n), one municipality at a time."""

    def __init__(self, keys: ChainKeys, head_rows: dict[str, tuple[int, str]],
                 covered: CoveredRows, anchors: Iterable[Checkpoint]) -> None:
        self.keys, self.head_rows, self.covered = keys, head_rows, covered
        self.breaks: list[Break] = []
        self.broken: set[str] = set()
        self.seen: set[str] = set()
        self.anchored: dict[str, dict[int, Checkpoint]] = {}
        for cp in anchors:
            self.anchored.setdefault(cp.gemeente, {})[cp.chain_n] = cp

    def run(self, rows: Iterable[Any], progress: Progress | None, total: int) -> int:
        entries = 0
        gemeente: str | None = None
        expected_n, prev = 1, chain.GENESIS
        for row in rows:
            entries += 1
            if progress is not None and entries % BATCH == 0:
                progress(entries, total)
            if row.gemeente != gemeente:
                self._close(gemeente, expected_n - 1, prev)
                gemeente, expected_n, prev = row.gemeente, 1, chain.GENESIS
                self.seen.add(gemeente)
            # Always: the covered streams advance in step with the history.
            digests, counts = self.covered.write_set(row.gemeente, row.chain_n,
                                                     self._key(row))
            if gemeente in self.broken:
                continue
            problem = (_row_problem(self.keys, row, expected_n, prev)
                       or self._writes_problem(row, digests, counts)
                       or self._anchor_problem(row))
            if problem:
                self._break(Break(row.gemeente, row.chain_n, row.seq, problem))
                continue
            expected_n, prev = row.chain_n + 1, row.entry_hash
        self._close(gemeente, expected_n - 1, prev)
        self.covered.finish()
        if progress is not None:
            progress(entries, total)
        # A head without a single row: the whole chain was deleted.
        for g in sorted(set(self.head_rows) - self.seen):
            self._break(Break(g, None, None, f"de kop staat op regel {self.head_rows[g][0]}, "
                                             "maar er zijn geen regels meer (alle regels "
                                             "verwijderd)"))
        for g in sorted(set(self.anchored) - self.seen - set(self.head_rows)):
            last = max(self.anchored[g].values(), key=lambda cp: cp.chain_n)
            self._break(Break(g, None, None, f"de gemeente ontbreekt, maar het anker van "
                                             f"{last.made_at} kent {last.chain_n} regels"))
        return entries

    def _key(self, row: Any) -> bytes | None:
        if row.key_id is None:
            return None
        try:
            return self.keys.get(row.gemeente, row.key_id)
        except ChainKeyMissing:
            return None  # reported by _row_problem

    def _break(self, brk: Break) -> None:
        self.broken.add(brk.gemeente)
        self.breaks.append(brk)

    def _close(self, gemeente: str | None, last_n: int, last_hash: str) -> None:
        if gemeente is None or gemeente in self.broken:
            return
        problem = _head_problem(self.head_rows.get(gemeente), last_n, last_hash)
        if problem:
            self._break(Break(gemeente, None, None, problem))
            return
        beyond = [cp for n, cp in self.anchored.get(gemeente, {}).items() if n > last_n]
        if beyond:
            cp = max(beyond, key=lambda c: c.chain_n)
            self._break(Break(gemeente, None, None,
                              f"de keten eindigt op regel {last_n}, maar het anker van "
                              f"{cp.made_at} kent regel {cp.chain_n} (afgekapt)"))

    def _writes_problem(self, row: Any, digests: list[str], counts: dict[str, int]) -> str | None:
        key = self.keys.get(row.gemeente, row.key_id)
        if chain.writes_digest(key, digests) != row.writes_digest:
            return ("de rijen die deze regel vastlegde (verwerkingslog, betrokkenheden, "
                    "meldingen, bewijzen, registerversies, gegevenssleutels) zijn gewijzigd, "
                    f"verwijderd of aangevuld; {describe(counts)}")
        return None

    def _anchor_problem(self, row: Any) -> str | None:
        cp = self.anchored.get(row.gemeente, {}).get(row.chain_n)
        if cp is not None and cp.entry_hash != row.entry_hash:
            return (f"wijkt af van het anker van {cp.made_at}: de keten is tot hier "
                    "herschreven")
        return None


def _row_problem(keys: ChainKeys, row: Any, expected_n: int, prev: str) -> str | None:
    if row.chain_n != expected_n:
        if row.chain_n > expected_n:
            missing = (f"regel {expected_n}" if row.chain_n == expected_n + 1
                       else f"regels {expected_n}-{row.chain_n - 1}")
            return f"{missing} ontbreekt (verwijderd)"
        return f"regelnummer {row.chain_n} verwacht {expected_n} (volgorde gewijzigd)"
    if row.prev_hash != prev:
        return "prev_hash wijkt af van de hash van de vorige regel"
    if row.key_id is None or row.writes_digest is None:
        return "regel zonder sleutel-id: niet met de ketensleutel gemaakt"
    if row.content is not None:
        if chain.content_digest(row.content, row.content_salt) != row.content_digest:
            return "inhoud gewijzigd (digest van inhoud en zout klopt niet)"
    elif row.content_digest != chain.EMPTY_DIGEST and not row.has_proof:
        return "inhoud gewist zonder bewijs van vernietiging van de casus"
    try:
        key = keys.get(row.gemeente, row.key_id)
    except ChainKeyMissing:
        return f"ketensleutel {row.key_id} ontbreekt in de sleutelopslag"
    recomputed = chain.entry_hash_of(key, row)
    if recomputed != row.entry_hash:
        return "regel gewijzigd of buiten wams om gemaakt (de sleutelhash klopt niet)"
    return None


def _head_problem(head: tuple[int, str] | None, last_n: int, last_hash: str) -> str | None:
    if head is None:
        return f"de kop van de keten ontbreekt (laatste regel {last_n})"
    head_n, head_hash = head
    if head_n > last_n:
        missing = f"regel {head_n}" if head_n == last_n + 1 else f"regels {last_n + 1}-{head_n}"
        return f"{missing} aan het eind ontbreekt (verwijderd); de kop staat op regel {head_n}"
    if head_n < last_n:
        return f"de kop staat op regel {head_n}, maar de keten loopt tot regel {last_n}"
    if head_hash != last_hash:
        return "de hash in de kop wijkt af van de laatste regel"
    return None


def _rows(conn: Connection, gemeente: str | None) -> Iterator[Any]:
    h = history
    # Only an erased row asks whether its case has a proof of destruction (ix_proof_case). A
    # destroyed melding or betrokkenheid keeps its entries' content (sealed under a deleted key).
    has_proof = case((and_(h.c.content.is_(None), h.c.case_id.isnot(None)),
                      exists().where(proofs.c.gemeente == h.c.gemeente,
                                     proofs.c.case_id == h.c.case_id)), else_=False)
    stmt = (select(h.c.seq, h.c.gemeente, h.c.chain_n, h.c.case_id, h.c.at, h.c.step,
                   h.c.allowed, h.c.code, h.c.actor, h.c.trace_id, h.c.idempotency_key,
                   h.c.decision, h.c.content, h.c.content_salt, h.c.content_digest,
                   h.c.prev_hash, h.c.entry_hash, h.c.key_id, h.c.writes_digest,
                   h.c.projection_ref, h.c.projection_digest, has_proof.label("has_proof"))
            .order_by(ordered(conn, h.c.gemeente), h.c.chain_n))
    if gemeente is not None:
        stmt = stmt.where(h.c.gemeente == gemeente)
    # yield_per streams (a server-side cursor on PostgreSQL): constant memory on any history.
    yield from conn.execution_options(yield_per=BATCH).execute(stmt)


def verify(conn: Connection, keys: KeySource | ChainKeys, gemeente: str | None = None, *,
           anchors: Iterable[Checkpoint] = (), progress: Progress | None = None,
           today: dt.date | None = None, covered: Iterable[str] | None = None) -> Report:
    """Verify the chains of all municipalities (or one) on ``conn``, in one read transaction,
    with the chain keys of ``keys`` and against the given anchor checkpoints; ``today``
    (default: the date in UTC) decides which destruction periods are over."""
    chain_keys = keys if isinstance(keys, ChainKeys) else ChainKeys(keys)
    covered = tuple(covered) if covered is not None else None
    stmt = select(heads.c.gemeente, heads.c.chain_n, heads.c.entry_hash)
    if gemeente is not None:
        stmt = stmt.where(heads.c.gemeente == gemeente)
    anchors = [cp for cp in anchors if gemeente is None or cp.gemeente == gemeente]
    # One head per municipality: a few hundred rows at most, fine to hold.
    head_rows = {g: (n, h) for g, n, h in conn.execute(stmt)}
    unreadable = malformed(conn, gemeente)
    if unreadable:
        # Each named by its row; streaming on would end in the driver's own error.
        return Report(len(head_rows), 0, tuple(Break(p.gemeente, p.chain_n, None, p.problem,
                                                     p.subject) for p in unreadable),
                      len(anchors))
    chains = _Chains(chain_keys, head_rows, CoveredRows(conn, gemeente, covered), anchors)
    entries = chains.run(_rows(conn, gemeente), progress,
                         sum(n for n, _ in head_rows.values()))
    first: dict[tuple[str, str], Problem] = {}
    # Lazily: however many rows were tampered with, only the first per kind is held.
    for problem in itertools.chain(chains.covered.orphans.values(),
                                   projection_problems(conn, chain_keys, gemeente),
                                   unretired(conn, chain_keys.source, gemeente, today or _today())):
        kind = "orphan" if problem.subject is None else problem.subject.split()[0]
        if problem.gemeente not in chains.broken:
            first.setdefault((problem.gemeente, kind), problem)
    # Also after a break: the broken write set says a data key row went, this says whose
    # record it destroyed without a proof.
    for problem in missing_data_keys(conn, gemeente, covered):
        first.setdefault((problem.gemeente, f"sleutel {(problem.subject or '').split()[0]}"),
                         problem)
    extra = [Break(p.gemeente, p.chain_n, None, p.problem, p.subject) for p in first.values()]
    return Report(len(chains.seen | set(head_rows)), entries, (*chains.breaks, *extra),
                  len(anchors))


def _today() -> dt.date:
    return dt.datetime.now(dt.timezone.utc).date()


def verify_database(engine: Engine, keys: KeySource | ChainKeys, gemeente: str | None = None, *,
                    anchors: Iterable[Checkpoint] = (),
                    progress: Progress | None = None) -> Report:
    """Check the schema, then verify in one read-only snapshot.

    One snapshot for heads and rows, or an append committed between the two reads would look
    like a break; read-only so that verifying a large history does not hold up writers.
    """
    migrate.require_current(engine)
    with engine.connect() as conn:
        options: dict[str, Any] = {READ_ONLY: True}
        if conn.dialect.name == "postgresql":
            options.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        conn.execution_options(**options)
        with conn.begin():
            return verify(conn, keys, gemeente, anchors=anchors, progress=progress)
