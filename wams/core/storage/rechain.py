"""Hashing a municipality's chain again after a revision rewrote what it commits to.

A schema revision that re-seals values (0011) or replaces a covered column's values (0014:
actors by pseudonym) changes the digests the entries committed to. After verifying the chain
as it stood (a broken chain is refused, never laundered), it rewrites the rows and then hashes
every entry again, in order, with the chain key the entry names: its content digest, the
digests of the rows it wrote, the latest projection of each case, its own hash and the head.
An anchor taken before no longer matches (docs/audit.md: anchor right after upgrading).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import sqlalchemy as sa

from wams.core.storage import chain
from wams.core.storage.audit_rows import CoveredRows
from wams.core.storage.coverage import CASE_COLUMNS
from wams.core.storage.fast import Fast
from wams.core.storage.tables import Base

PAGE = 1000


def unstreamed(conn: sa.Connection) -> None:
    """The audit streams on the connection (``yield_per``, server-side cursors on PostgreSQL),
    an option that stays on it: what follows, and alembic's own UPDATE of its version, must
    not run as a cursor declaration."""
    conn.execution_options(yield_per=None, stream_results=False)


def rechain(conn: sa.Connection, keys: Any, gemeente: str, covered: Iterable[str]) -> None:
    """Hash the chain of ``gemeente`` again over the rows as they are now; ``covered``: the
    append-only tables of the revision's schema; ``keys``: its chain keys."""
    history, cases = Base.metadata.tables["history"], Base.metadata.tables["cases"]
    # The entry that last projected each case commits to the case row as it is now.
    latest = dict(conn.execute(
        sa.select(history.c.case_id, sa.func.max(history.c.chain_n))
        .where(history.c.gemeente == gemeente, history.c.projection_ref == chain.CASE)
        .group_by(history.c.case_id)).all())
    # The covered rows stream beside the entries (server-side cursors on PostgreSQL): the
    # writes go straight to the driver, where no streaming option reaches them.
    rewrite = Fast(sa.update(history).where(history.c.seq == sa.bindparam("b_seq")).values(
        content_digest=sa.bindparam("b_content"), writes_digest=sa.bindparam("b_writes"),
        projection_digest=sa.bindparam("b_projection"), prev_hash=sa.bindparam("b_prev"),
        entry_hash=sa.bindparam("b_hash")))
    head = Fast(sa.update(Base.metadata.tables["chain_heads"]).where(
        sa.column("gemeente") == sa.bindparam("b_g"), sa.column("chain_n") == sa.bindparam("b_n"))
        .values(entry_hash=sa.bindparam("b_hash")))
    rows = CoveredRows(conn, gemeente, tuple(covered))
    prev, last_n = chain.GENESIS, 0
    for r in _entries(conn, history, gemeente):
        key = keys.get(gemeente, r.key_id)
        digests, _ = rows.write_set(gemeente, r.chain_n, key)
        writes = chain.writes_digest(key, digests)
        # Erased content (a destroyed case) keeps the digest its entry committed to.
        content = r.content_digest if r.content is None else \
            chain.content_digest(r.content, r.content_salt)
        projection = r.projection_digest
        if r.projection_ref == chain.CASE and latest.get(r.case_id) == r.chain_n:
            row = conn.execute(sa.select(cases).where(cases.c.id == r.case_id)).first()
            if row is not None:
                projection = chain.projection_digest(key, chain.CASE, dict(row._mapping),
                                                     CASE_COLUMNS)
        h = chain.entry_hash(
            key, key_id=r.key_id, prev_hash=prev, gemeente=gemeente, chain_n=r.chain_n,
            case_id=r.case_id, at=r.at, step=r.step, allowed=bool(r.allowed), code=r.code,
            actor=r.actor, trace_id=r.trace_id, idempotency_key=r.idempotency_key,
            decision=r.decision, content_digest=content, writes_digest=writes,
            projection_ref=r.projection_ref, projection_digest=projection)
        rewrite.execute(conn, {"b_seq": r.seq, "b_content": content, "b_writes": writes,
                               "b_projection": projection, "b_prev": prev,
                               "b_hash": h}).close()
        prev, last_n = h, r.chain_n
    rows.finish()
    head.execute(conn, {"b_g": gemeente, "b_n": last_n, "b_hash": prev}).close()
    unstreamed(conn)


def _entries(conn: sa.Connection, history: sa.Table, gemeente: str) -> Iterator[Any]:
    """The entries of one chain in order, a page at a time (they are updated as they go)."""
    last = 0
    while True:
        rows = conn.execute(sa.select(history).where(history.c.gemeente == gemeente,
                                                     history.c.chain_n > last)
                            .order_by(history.c.chain_n).limit(PAGE)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].chain_n
