"""The audit of the rows the chain covers besides the history (coverage.py says which).

- :class:`CoveredRows`: every append-only covered table streamed in chain order beside the
  history, so each entry's write set is recomputed from the rows that name it, in flat
  memory; a row naming no entry (a forged involvement, a row with its ``chain_n`` erased) is
  an *orphan*.
- :func:`projection_problems`: each ``cases`` and ``settings`` row compared with the latest
  entry that wrote it, each destroyed case with its proof of destruction, and every row an
  entry projected that has since disappeared.

Both only read; :mod:`wams.core.storage.audit` runs them in one snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import attrs
from sqlalchemy import Connection, Table, and_, bindparam, exists, func, select, text

from wams.core.storage import chain
from wams.core.storage.coverage import (
    ADDED,
    APPEND_ONLY,
    CASE_COLUMNS,
    NAMES,
    SETTING_COLUMNS,
    SETTING_PREFIX,
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_PREFIX,
    ChainKeys,
    tombstone,
)
from wams.core.storage.projections import differs
from wams.core.storage.repository import cases, history, proofs, settings
from wams.core.storage.subscriptions import subscriptions
from wams.core.storage.tables import PROJECTING, Base

BATCH = 1000
#: the chain_n an orphan without one sorts under (before every real entry)
NO_ENTRY = -1


def ordered(conn: Connection, column: Any) -> Any:
    """``column`` in byte order on both backends, so Python and the database agree on the
    order the streams are merged in (PostgreSQL would otherwise sort by the locale)."""
    return column.collate("C") if conn.dialect.name == "postgresql" else column


def _table(name: str) -> Table:
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        if isinstance(table, Table) and table.name == name:
            return table
    raise KeyError(name)


@attrs.frozen
class Problem:
    gemeente: str
    chain_n: int | None
    problem: str
    subject: str | None = None


class _Stream:
    """One covered table, rows ordered by (gemeente, chain_n): the entry that wrote them.

    ``removed``: instead, the ``destroyed_rows`` records ordered by the entry whose row they
    replace (``of_chain_n``), yielding the digest that entry committed to."""

    def __init__(self, conn: Connection, name: str, gemeente: str | None, *,
                 removed: bool = False) -> None:
        t = _table(name)
        columns, added = APPEND_ONLY[name], ADDED.get(name, ())
        link = t.c.of_chain_n if removed else func.coalesce(t.c.chain_n, NO_ENTRY)
        stmt = (select(link.label("wams_n"), *(t.c[c] for c in (*columns, *added)))
                .order_by(ordered(conn, t.c.gemeente), link,
                          *(t.c[c] for c in t.primary_key.columns.keys())))
        if gemeente is not None:
            stmt = stmt.where(t.c.gemeente == gemeente)
        self.removed = removed
        self.name, self.columns, self.added = name, columns, added
        self._rows: Iterator[Any] = iter(conn.execution_options(yield_per=BATCH).execute(stmt))
        self._next: Any = next(self._rows, None)

    def _key(self) -> tuple[str, int] | None:
        return None if self._next is None else (self._next.gemeente, self._next.wams_n)

    def take(self, key: tuple[str, int] | None, orphans: dict[str, Problem],
             mac_key: bytes | None = None) -> list[str]:
        """The digests of the rows of entry ``key`` (None: the end) under its chain key
        ``mac_key`` (None: only skip them); the first row before it that no entry took is kept
        per municipality in ``orphans`` (bounded memory, however many rows were forged)."""
        digests: list[str] = []
        while (found := self._key()) is not None and (key is None or found <= key):
            row = self._next._mapping
            if found == key and self.removed:
                digests.append(row["digest"])
            elif found == key:
                if mac_key is not None:
                    digests.append(chain.row_digest(mac_key, self.name, row, self.columns,
                                                    self.added))
            else:
                orphans.setdefault(found[0], _orphan(self.name, found))
            self._next = next(self._rows, None)
        return digests


def _orphan(table: str, key: tuple[str, int]) -> Problem:
    g, n = key
    if n == NO_ENTRY:
        return Problem(g, None, f"een rij in {NAMES[table]} noemt geen historieregel "
                                "(chain_n leeg): geen regel van de keten staat ervoor in")
    return Problem(g, n, f"een rij in {NAMES[table]} noemt regel {n}, maar die regel "
                         "legde haar niet vast (toegevoegd of verplaatst)")


class CoveredRows:
    """All append-only covered tables, merged beside the history stream."""

    def __init__(self, conn: Connection, gemeente: str | None,
                 tables: Iterable[str] | None = None) -> None:
        # ``tables``: the covered tables of an older schema (a migration verifying it).
        self._streams = [_Stream(conn, name, gemeente)
                         for name in (APPEND_ONLY if tables is None else tables)]
        # The rows destruction removed stand in for themselves in their entry's write set.
        self._streams.append(_Stream(conn, "destroyed_rows", gemeente, removed=True))
        self.orphans: dict[str, Problem] = {}

    def write_set(self, gemeente: str, chain_n: int,
                  key: bytes | None) -> tuple[list[str], dict[str, int]]:
        """The row digests of entry (gemeente, chain_n) under its chain ``key`` (None: the
        key is missing, the rows are only skipped) and how many rows per table."""
        digests: list[str] = []
        counts: dict[str, int] = {}
        for stream in self._streams:
            found = stream.take((gemeente, chain_n), self.orphans, key)
            if found:
                name = "vernietigd" if stream.removed else stream.name
                counts[name] = counts.get(name, 0) + len(found)
                digests += found
        return digests, counts

    def finish(self) -> None:
        for stream in self._streams:
            stream.take(None, self.orphans)


def describe(counts: dict[str, int]) -> str:
    if not counts:
        return "er zijn geen rijen meer die haar noemen"
    return "nu gevonden: " + ", ".join(f"{NAMES.get(t, t)} {n}" for t, n in counts.items())


# -- projections ------------------------------------------------------------------------------


def projection_problems(conn: Connection, keys: ChainKeys, gemeente: str | None,
                        ) -> Iterator[Problem]:
    """Every projected row that differs from the latest entry for it, every destroyed case
    without proof, every projected row that disappeared. Streams (the database groups)."""
    yield from _case_problems(conn, keys, gemeente)
    yield from _keyed_problems(conn, keys, gemeente)


def projecting(prefix: str) -> Any:
    """The entries that projected a setting or a subscription (``prefix``): with the partial
    index's own condition, so the audit reads them from ``ix_history_projection`` instead of
    scanning the history (at 1,000,000 cases ten million entries, twice per audit)."""
    return and_(text(PROJECTING), history.c.projection_ref.like(prefix + "%"))


def _latest(ref_filter: Any, gemeente: str | None, *group: Any) -> Any:
    h = history
    stmt = (select(h.c.gemeente, *group, func.max(h.c.chain_n).label("n"))
            .where(ref_filter).group_by(h.c.gemeente, *group))
    if gemeente is not None:
        stmt = stmt.where(h.c.gemeente == gemeente)
    return stmt.subquery("latest")


def _case_problems(conn: Connection, keys: ChainKeys, gemeente: str | None) -> Iterator[Any]:
    h = history
    latest = _latest(h.c.projection_ref == chain.CASE, gemeente, h.c.case_id)
    has_proof = exists().where(proofs.c.gemeente == cases.c.gemeente,
                               proofs.c.case_id == cases.c.id)
    stmt = (select(*(cases.c[c] for c in CASE_COLUMNS), latest.c.n, h.c.projection_digest,
                   h.c.key_id, has_proof.label("has_proof"))
            .select_from(cases.outerjoin(latest, and_(latest.c.gemeente == cases.c.gemeente,
                                                      latest.c.case_id == cases.c.id))
                         .outerjoin(h, and_(h.c.gemeente == latest.c.gemeente,
                                            h.c.chain_n == latest.c.n)))
            .order_by(ordered(conn, cases.c.gemeente), cases.c.id))
    if gemeente is not None:
        stmt = stmt.where(cases.c.gemeente == gemeente)
    for row in conn.execution_options(yield_per=BATCH).execute(stmt):
        g, subject = row.gemeente, f"casus {row.id}"
        if row.n is None:
            yield Problem(g, None, "geen historieregel legt deze casus vast (ingevoegd)",
                          subject)
        elif differs(keys, g, row.key_id, chain.CASE, row._mapping, CASE_COLUMNS,
                     row.projection_digest):
            yield Problem(g, row.n, "de casus wijkt af van wat regel "
                                    f"{row.n} vastlegde (fase, data, bezwaar of inhoud "
                                    "gewijzigd)", subject)
        elif row.destroyed_on is not None and not row.has_proof:
            yield Problem(g, row.n, "vernietigd zonder bewijs van vernietiging", subject)
    gone = (select(latest.c.gemeente, latest.c.case_id, latest.c.n)
            .where(~exists().where(cases.c.id == latest.c.case_id,
                                   cases.c.gemeente == latest.c.gemeente))
            .order_by(ordered(conn, latest.c.gemeente), latest.c.case_id))
    for row in conn.execute(gone):
        yield Problem(row.gemeente, row.n, f"de casus is verwijderd; regel {row.n} legde haar "
                                           "vast", f"casus {row.case_id}")


@attrs.frozen
class _Kind:
    """Rows updated in place that are few per municipality (held, unlike cases): their
    projection refs, how a row is named and whether wams removes them with an entry of its
    own (a *tombstone*: the row's key with every other column empty)."""

    prefix: str
    table: Table
    key: str
    columns: tuple[str, ...]
    name: str
    tombstone: bool


_KINDS = (_Kind(SETTING_PREFIX, settings, "key", SETTING_COLUMNS, "instelling", False),
          _Kind(SUBSCRIPTION_PREFIX, subscriptions, "id", SUBSCRIPTION_COLUMNS, "abonnement",
                True))


def _keyed_problems(conn: Connection, keys: ChainKeys, gemeente: str | None,
                    ) -> Iterator[Problem]:
    """Every setting and subscription that differs from the latest entry for it, that no
    entry wrote (added around wams: a subscription that sends a municipality's events to
    someone's address), or that disappeared without an entry removing it."""
    h = history
    for kind in _KINDS:
        latest = _latest(projecting(kind.prefix), gemeente, h.c.projection_ref)
        stmt = (select(latest.c.gemeente, latest.c.projection_ref, latest.c.n,
                       h.c.projection_digest, h.c.key_id)
                .join(h, and_(h.c.gemeente == latest.c.gemeente, h.c.chain_n == latest.c.n)))
        committed = {(r.gemeente, r.projection_ref.removeprefix(kind.prefix)): r
                     for r in conn.execute(stmt)}
        rows = select(*(kind.table.c[c] for c in kind.columns))
        if gemeente is not None:
            rows = rows.where(kind.table.c.gemeente == gemeente)
        present = set()
        for row in conn.execute(rows):
            key = str(row._mapping[kind.key])
            present.add((row.gemeente, key))
            entry = committed.get((row.gemeente, key))
            subject = f"{kind.name} {key}"
            if entry is None:
                yield Problem(row.gemeente, None, f"geen historieregel legt deze {kind.name} "
                                                  "vast (ingevoegd)", subject)
            elif differs(keys, row.gemeente, entry.key_id, kind.prefix + key, row._mapping,
                         kind.columns, entry.projection_digest):
                yield Problem(row.gemeente, entry.n, f"de waarde wijkt af van wat regel "
                                                     f"{entry.n} vastlegde", subject)
        for (g, key), entry in sorted(committed.items()):
            removed = kind.tombstone and not differs(
                keys, g, entry.key_id, kind.prefix + key, tombstone(kind.columns, g, kind.key,
                                                                     int(key)),
                kind.columns, entry.projection_digest)
            if (g, key) not in present and not removed:
                yield Problem(g, entry.n, f"de {kind.name} is verwijderd; regel {entry.n} "
                                          "legde haar vast", f"{kind.name} {key}")


#: As ``repository.INDEXED_LOOKUPS``: the audit's read of the latest entry of each setting (and,
#: alike, of each subscription); the tests check its plan on both backends.
INDEXED_LOOKUPS: dict[str, tuple[Any, str]] = {
    "latest entry of each setting": (
        select(history.c.projection_ref, func.max(history.c.chain_n))
        .where(projecting(SETTING_PREFIX), history.c.gemeente == bindparam("g"))
        .group_by(history.c.gemeente, history.c.projection_ref), "ix_history_projection"),
}
