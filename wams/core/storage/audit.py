"""``wams audit verify``: recompute every municipality's hash chain from the history rows.

What each kind of tampering looks like (quality goal C6):

- content changed              -> its salted digest no longer matches ``content_digest``
- code, decision, ... changed  -> the recomputed ``entry_hash`` differs from the stored one
- a row deleted in the middle  -> a gap in ``chain_n``
- a row's prev_hash changed    -> it no longer equals the previous row's ``entry_hash``
- the last rows deleted        -> ``chain_heads`` points past the last row (or elsewhere)

Destruction (R33) empties ``content`` and ``content_salt`` but keeps ``content_digest``, and
the entry hash commits to the digest, so a destroyed case still verifies. Content erased
*without* destruction is caught by cross-checking the case's ``destroyed_on``.

The rows are streamed in chain order (``yield_per``), so memory stays flat however long the
history; only one row and the previous hash are held per municipality.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from sqlalchemy import Connection, Engine, select

from wams.core.storage import chain, migrate
from wams.core.storage.database import READ_ONLY
from wams.core.storage.repository import cases, heads, history

BATCH = 1000


@attrs.frozen
class Break:
    """The first entry of one municipality's chain that does not verify."""

    gemeente: str
    chain_n: int | None  # None: the break is in the head, not in a row
    seq: int | None
    problem: str

    def line(self) -> str:
        where = f"regel {self.chain_n}" if self.chain_n is not None else "kop van de keten"
        if self.seq is not None:
            where += f" (seq {self.seq})"
        return f"gemeente {self.gemeente}, {where}: {self.problem}"


@attrs.frozen
class Report:
    gemeenten: int
    entries: int
    breaks: tuple[Break, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_rows(rows: Iterable[Any], head_rows: dict[str, tuple[int, str]]) -> Report:
    """Verify rows ordered by (gemeente, chain_n) against the chain heads.

    Each row needs the history columns plus ``destroyed_on`` of its case (None if the case is
    not destroyed or there is no case). Reports the first break of each municipality: after a
    break nothing later in that chain can be trusted, but other municipalities still can.
    """
    breaks: list[Break] = []
    seen: set[str] = set()
    entries = 0
    gemeente: str | None = None
    expected_n, prev = 1, chain.GENESIS
    broken = False

    def close_chain() -> None:
        if gemeente is not None and not broken:
            problem = _head_problem(head_rows.get(gemeente), expected_n - 1, prev)
            if problem:
                breaks.append(Break(gemeente, None, None, problem))

    for row in rows:
        entries += 1
        if row.gemeente != gemeente:
            close_chain()
            gemeente, expected_n, prev, broken = row.gemeente, 1, chain.GENESIS, False
            seen.add(gemeente)
        if broken:
            continue
        problem = _row_problem(row, expected_n, prev)
        if problem:
            breaks.append(Break(row.gemeente, row.chain_n, row.seq, problem))
            broken = True
            continue
        expected_n, prev = row.chain_n + 1, row.entry_hash
    close_chain()
    # A head without a single row: the whole chain was deleted.
    for g in sorted(set(head_rows) - seen):
        breaks.append(Break(g, None, None, f"de kop staat op regel {head_rows[g][0]}, maar er "
                                           "zijn geen regels meer (alle regels verwijderd)"))
    return Report(len(seen | set(head_rows)), entries, tuple(breaks))


def _row_problem(row: Any, expected_n: int, prev: str) -> str | None:
    if row.chain_n != expected_n:
        if row.chain_n > expected_n:
            missing = (f"regel {expected_n}" if row.chain_n == expected_n + 1
                       else f"regels {expected_n}-{row.chain_n - 1}")
            return f"{missing} ontbreekt (verwijderd)"
        return f"regelnummer {row.chain_n} verwacht {expected_n} (volgorde gewijzigd)"
    if row.prev_hash != prev:
        return "prev_hash wijkt af van de hash van de vorige regel"
    if row.content is not None:
        if chain.content_digest(row.content, row.content_salt) != row.content_digest:
            return "inhoud gewijzigd (digest van inhoud en zout klopt niet)"
    elif row.content_digest != chain.EMPTY_DIGEST and row.destroyed_on is None:
        return "inhoud gewist terwijl de casus niet vernietigd is"
    recomputed = chain.entry_hash(
        row.prev_hash, row.gemeente, row.chain_n, row.case_id, row.at, row.step,
        bool(row.allowed), row.code, row.actor, row.trace_id, row.idempotency_key,
        row.decision, row.content_digest)
    if recomputed != row.entry_hash:
        return "regel gewijzigd (entry_hash klopt niet met de velden)"
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
    stmt = (select(history.c.seq, history.c.gemeente, history.c.chain_n, history.c.case_id,
                   history.c.at, history.c.step, history.c.allowed, history.c.code,
                   history.c.actor, history.c.trace_id, history.c.idempotency_key,
                   history.c.decision, history.c.content, history.c.content_salt,
                   history.c.content_digest, history.c.prev_hash, history.c.entry_hash,
                   cases.c.destroyed_on)
            .select_from(history.outerjoin(cases, cases.c.id == history.c.case_id))
            .order_by(history.c.gemeente, history.c.chain_n))
    if gemeente is not None:
        stmt = stmt.where(history.c.gemeente == gemeente)
    # yield_per streams (a server-side cursor on PostgreSQL): constant memory on any history.
    yield from conn.execution_options(yield_per=BATCH).execute(stmt)


def verify(conn: Connection, gemeente: str | None = None) -> Report:
    """Verify the chains of all municipalities (or one) on ``conn``, in one read transaction."""
    stmt = select(heads.c.gemeente, heads.c.chain_n, heads.c.entry_hash)
    if gemeente is not None:
        stmt = stmt.where(heads.c.gemeente == gemeente)
    # One head per municipality: a few hundred rows at most, fine to hold.
    head_rows = {g: (n, h) for g, n, h in conn.execute(stmt)}
    return verify_rows(_rows(conn, gemeente), head_rows)


def verify_database(engine: Engine, gemeente: str | None = None) -> Report:
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
            return verify(conn, gemeente)
