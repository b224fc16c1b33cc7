"""Who acted, as the rows that outlive every case keep it: the storage side of the register.

The history, the processing log and the proofs of destruction are kept beyond any case (R36:
the log outlives the case; the keyed chain covers them), so they name an actor only by a keyed
pseudonym. The name is in the register of actors (table ``actors``), sealed under a data key
of its own; :mod:`wams.core.privacy.actors` writes and reads it. Here: the hook a
:class:`~wams.core.storage.repository.Store` calls wherever it writes an actor, and the
register's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Table, bindparam, insert, select

from wams.core.storage.fast import Fast
from wams.core.storage.tables import ActorRow

if TYPE_CHECKING:
    from wams.core.storage.repository import Store

actors = cast(Table, ActorRow.__table__)


class ActorAliases:
    """What a store writes for an actor: ``alias(gemeente, actor)``, the pseudonym (set by
    the unit of work, which registers the actor when needed); None keeps it as given (a
    migration's own entries). A value it produced passes unchanged (an entry without a step
    of its own takes the actor of its log rows)."""

    def __init__(self) -> None:
        self.alias: Callable[[str, str], str] | None = None
        self._produced: set[str] = set()

    def stored(self, gemeente: str, actor: str) -> str:
        if self.alias is None or actor in self._produced:
            return actor
        stored = self.alias(gemeente, actor)
        self._produced.add(stored)
        return stored


# Run straight on the DB-API cursor (fast.py), like every write of a command: the retention
# run streams on the same connection (PostgreSQL: a server-side cursor option that would turn
# an INSERT through Connection.execute into a cursor declaration).
_registered = Fast(select(actors.c.pseudonym).where(
    actors.c.gemeente == bindparam("g"), actors.c.pseudonym == bindparam("p")))
_insert = Fast(insert(actors), by_keys=True)


def registered(conn: Connection, gemeente: str, pseudonym: str) -> bool:
    return bool(_registered.rows(conn, {"g": gemeente, "p": pseudonym}))


def municipalities(conn: Connection) -> list[str]:
    return [g for (g,) in conn.execute(select(actors.c.gemeente).distinct()
                                       .order_by(actors.c.gemeente))]


def insert_actor(store: Store, gemeente: str, pseudonym: str, data_key: str,
                 naam: str) -> None:
    """An actor's entry (the name sealed under ``data_key``), committed to by the next
    history entry like any covered row."""
    row = {"gemeente": gemeente, "pseudonym": pseudonym, "data_key": data_key, "naam": naam,
           "chain_n": store.stamp(gemeente)}
    _insert.execute(store.conn, row).close()
    store.covered("actors", row)


def entries(conn: Connection, gemeente: str,
            pseudonyms: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(pseudonym, data key, sealed name) of the register entries of ``pseudonyms`` (None:
    all of the municipality's; an official's entry per pseudonym-key generation)."""
    wanted = None if pseudonyms is None else sorted(set(pseudonyms))
    if wanted is not None and len(wanted) <= _ONE_BY_ONE:
        # an access report's few (or none): a prebuilt lookup each, no statement built
        return [(r[0], r[1], r[2]) for p in wanted
                for r in _entry.rows(conn, {"g": gemeente, "p": p})]
    stmt = select(actors.c.pseudonym, actors.c.data_key, actors.c.naam).where(
        actors.c.gemeente == gemeente)
    if wanted is not None:
        stmt = stmt.where(actors.c.pseudonym.in_(wanted))
    return [(r.pseudonym, r.data_key, r.naam) for r in conn.execute(stmt)]


#: up to this many entries are looked up one by one (each a probe of the primary key, without
#: building and compiling a statement for the set: a third of a millisecond an access report)
_ONE_BY_ONE = 4
_entry = Fast(select(actors.c.pseudonym, actors.c.data_key, actors.c.naam).where(
    actors.c.gemeente == bindparam("g"), actors.c.pseudonym == bindparam("p")))
