"""Removing rows the chain covers when their bewaartermijn has passed (R33, R34).

A melding, its melder and a betrokkenheid are deleted when their own bewaartermijn ends. The
entry that wrote each of them committed to its digest, so a plain DELETE would look exactly
like tampering. :func:`destroy_rows` keeps, per removed row, the keyed digest its entry
committed to (``destroyed_rows``); that record is itself a covered row of the destroying
entry. The audit lets the record stand in for the row (audit_rows.py), so the old entry still
verifies, while a row deleted any other way, or a forged record, does not.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select

from wams.core.storage import chain
from wams.core.storage.coverage import APPEND_ONLY, DESTROYABLE
from wams.core.storage.fast import Fast
from wams.core.storage.repository import Store, data_keys, history
from wams.core.storage.tables import DestroyedRowRow

destroyed = cast(Table, DestroyedRowRow.__table__)

# Destroying one data key, every case and record destruction does (the retention run: one per
# expired case): prebuilt, and the key's row read with the chain key id of the entry that
# wrote it in one statement (that entry by its primary key).
_f_data_key_with_entry = Fast(
    select(*(data_keys.c[c] for c in APPEND_ONLY["data_keys"]), data_keys.c.chain_n,
           data_keys.c.kek_id, data_keys.c.period, history.c.key_id)
    .select_from(data_keys.outerjoin(history, and_(
        history.c.gemeente == data_keys.c.gemeente, history.c.chain_n == data_keys.c.chain_n)))
    .where(data_keys.c.id == bindparam("id"), data_keys.c.gemeente == bindparam("g")))
_f_data_key_delete = Fast(delete(data_keys).where(data_keys.c.id == bindparam("id"),
                                                  data_keys.c.gemeente == bindparam("g")))
_f_destroyed_insert = Fast(insert(destroyed), by_keys=True)


def destroy_rows(store: Store, table: Table, gemeente: str, *where: Any) -> int:
    """Delete the rows of ``table`` matching ``where`` inside the caller's transaction,
    recording for each the digest its entry committed to; returns how many."""
    assert table.name in DESTROYABLE, table.name
    columns = APPEND_ONLY[table.name]
    conn = store.conn
    found = list(conn.execute(select(table).where(table.c.gemeente == gemeente, *where)))
    for row in found:
        _record_removed(store, gemeente, row.chain_n, table.name, row._mapping, columns)
    if found:
        conn.execute(delete(table).where(table.c.gemeente == gemeente, *where))
        if table.name == data_keys.name:
            store.forget_data_keys()
    return len(found)


def destroy_data_key(store: Store, gemeente: str, data_key_id: str
                     ) -> tuple[str, str | None] | None:
    """Delete one data key of ``gemeente`` as :func:`destroy_rows` would (its record in
    ``destroyed_rows``), in three statements; returns the (KEK id, period) that wrapped it,
    which the proof of destruction names, or None when there is no such key."""
    found = _f_data_key_with_entry.dicts(store.conn, {"id": data_key_id, "g": gemeente})
    if not found:
        return None
    row = found[0]
    _record_removed(store, gemeente, row["chain_n"], data_keys.name, row,
                    APPEND_ONLY[data_keys.name], entry_key_id=row["key_id"])
    _f_data_key_delete.execute(store.conn, {"id": data_key_id, "g": gemeente}).close()
    store.forget_data_keys(data_key_id)
    return row["kek_id"], row["period"]


_NOT_READ = object()


def _record_removed(store: Store, gemeente: str, of_chain_n: int | None, table: str,
                    values: Any, columns: tuple[str, ...], *,
                    entry_key_id: Any = _NOT_READ) -> None:
    # A row from before the keyed chain (no chain_n) is recorded under entry 0.
    digest = ""
    if of_chain_n is not None:
        # The row digest is keyed with the key of the entry that wrote the row.
        key_id = entry_key_id if entry_key_id is not _NOT_READ else store.conn.execute(
            select(history.c.key_id).where(history.c.gemeente == gemeente,
                                           history.c.chain_n == of_chain_n)).scalar()
        if key_id is not None and store.keys is not None:
            digest = chain.row_digest(store.keys.get(gemeente, key_id), table, values, columns)
    record = {"gemeente": gemeente, "of_chain_n": of_chain_n or 0, "row_table": table,
              "digest": digest, "chain_n": store.stamp(gemeente)}
    _f_destroyed_insert.execute(store.conn, record).close()
    store.covered("destroyed_rows", record)
