"""The chain heads: a municipality's head (the number and hash of its last history entry), read
(on PostgreSQL: locked to the commit, so writers of one municipality serialise on it) and
written once per transaction, and the heads of a batch.

A step reads its head together with its case (:func:`read_with_case`): one statement where two
were. A batch reads each municipality's head once and writes it once, before the commit
(speed goal B8: loading an archive in large batches; the retention run): written per step, the
head row would be updated hundreds of times in one transaction, and on PostgreSQL each update
leaves a row version that the next read walks past, so every step of a batch cost more than
the one before. A step that fails is undone by its savepoint, and the heads it advanced with
it (:meth:`BatchHeads.snapshot`, :meth:`BatchHeads.restore`).
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Table, bindparam, select, update

from wams.core.storage import chain
from wams.core.storage.fast import Fast
from wams.core.storage.tables import CaseRow, ChainHeadRow

Head = tuple[int, str]  # (chain_n, entry_hash) of the last entry
#: (gemeente, version, data key id) of a case
CaseMeta = tuple[str, int, "str | None"]

# Declarative classes type ``__table__`` as FromClause; each of these is a Table.
heads = cast(Table, ChainHeadRow.__table__)
_cases = cast(Table, CaseRow.__table__)

_head = select(heads.c.chain_n, heads.c.entry_hash).where(heads.c.gemeente == bindparam("g"))
# A step's first read in one statement: the chain head its entry needs next and its case's
# meta (NULLs when there is no such case).
_head_case = (select(heads.c.chain_n, heads.c.entry_hash, _cases.c.gemeente,
                     _cases.c.version, _cases.c.data_key)
              .select_from(heads.outerjoin(_cases, _cases.c.id == bindparam("id")))
              .where(heads.c.gemeente == bindparam("g")))
# On the DB-API cursor (fast.py); locked (PostgreSQL: writers of one municipality serialise on
# its head row; SQLite already serialises writers with BEGIN IMMEDIATE and has no FOR UPDATE).
_f_head = {False: Fast(_head), True: Fast(_head.with_for_update())}
_f_head_case = {False: Fast(_head_case), True: Fast(_head_case.with_for_update(of=heads))}
_f_head_update = Fast(update(heads).where(heads.c.gemeente == bindparam("g"))
                      .values(chain_n=bindparam("n"), entry_hash=bindparam("h")))


def read(conn: Connection, gemeente: str, *, locked: bool) -> Head:
    """The head of ``gemeente`` (``locked``: to the commit); a municipality's first entry
    creates it."""
    found = _f_head[locked].execute(conn, {"g": gemeente}).fetchone()
    if found is None:
        # Race-free (several processes may start one at once), then locked like any other:
        # INSERT .. ON CONFLICT DO NOTHING; on PostgreSQL a concurrent insert of the same key
        # waits for the other transaction and then does nothing, instead of failing it.
        from sqlalchemy.dialects import postgresql, sqlite

        dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
        conn.execute(dialect.insert(heads).on_conflict_do_nothing(),
                     {"gemeente": gemeente, "chain_n": 0, "entry_hash": chain.GENESIS})
        found = _f_head[locked].execute(conn, {"g": gemeente}).fetchone()
    return (found[0], found[1])


def read_with_case(conn: Connection, gemeente: str, case_id: str, *,
                   locked: bool) -> tuple[Head, CaseMeta | None] | None:
    """The head of ``gemeente`` (as :func:`read`) and the meta of case ``case_id`` (None: no
    such case), in one statement; None when the municipality has no head yet."""
    found = _f_head_case[locked].execute(conn, {"id": case_id, "g": gemeente}).fetchone()
    if found is None:
        return None
    return (found[0], found[1]), ((found[2], found[3], found[4]) if found[2] is not None
                                  else None)


def write(conn: Connection, gemeente: str, chain_n: int, entry_hash: str) -> None:
    _f_head_update.execute(conn, {"g": gemeente, "n": chain_n, "h": entry_hash}).close()


#: (gemeente, KEK id, wrapped key, period) of a data key
WrappedKey = tuple[str, str, str, "str | None"]
Snapshot = tuple[dict[str, Head], set[str], dict[str, CaseMeta], dict[str, WrappedKey]]


class BatchHeads:
    """What a batch's transaction holds from step to step: each municipality's chain head, the
    (gemeente, version, data key) of every case row and the row of every data key it wrote.
    A row the transaction wrote is locked by it to the commit (SQLite: the whole database,
    BEGIN IMMEDIATE; PostgreSQL: the row), so no other writer can change it meanwhile and the
    next step that needs it need not read it back; wams' own deletions forget it (Store)."""

    def __init__(self) -> None:
        self._heads: dict[str, Head] = {}
        self._advanced: set[str] = set()
        #: case id -> (gemeente, version, data key) as this batch wrote it
        self.cases: dict[str, CaseMeta] = {}
        #: data key id -> (gemeente, KEK id, wrapped key, period) as this batch wrote it
        self.data_keys: dict[str, WrappedKey] = {}
        #: each municipality's settings, read once a batch (Store.setting)
        self.settings: dict[str, dict[str, str]] = {}

    def get(self, gemeente: str) -> Head | None:
        return self._heads.get(gemeente)

    def read(self, gemeente: str, head: Head) -> None:
        """The head as the database holds it, read (and locked) by the batch's first entry."""
        self._heads[gemeente] = head

    def advance(self, gemeente: str, chain_n: int, entry_hash: str) -> None:
        self._heads[gemeente] = (chain_n, entry_hash)
        self._advanced.add(gemeente)

    def advanced(self) -> list[tuple[str, int, str]]:
        """(gemeente, chain_n, entry_hash) of every head to write before the commit."""
        return [(g, *self._heads[g]) for g in sorted(self._advanced)]

    def key_written(self, data_key_id: str, row: WrappedKey) -> None:
        self.data_keys[data_key_id] = row

    def key(self, data_key_id: str) -> WrappedKey | None:
        return self.data_keys.get(data_key_id)

    def key_rewrapped(self, data_key_id: str, kek_id: str, wrapped: str,
                      period: str | None) -> None:
        row = self.data_keys.get(data_key_id)
        if row is not None:
            self.data_keys[data_key_id] = (row[0], kek_id, wrapped, period)

    def keys_deleted(self, data_key_id: str | None) -> None:
        """wams deleted a data key (None: some, by a condition): the batch forgets it (them)."""
        if data_key_id is None:
            self.data_keys.clear()
        else:
            self.data_keys.pop(data_key_id, None)

    def snapshot(self) -> Snapshot:
        return dict(self._heads), set(self._advanced), dict(self.cases), dict(self.data_keys)

    def restore(self, snapshot: Snapshot) -> None:
        self._heads, self._advanced, self.cases, self.data_keys = (
            dict(snapshot[0]), set(snapshot[1]), dict(snapshot[2]), dict(snapshot[3]))
