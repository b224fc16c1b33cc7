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

from sqlalchemy import Table, delete, insert, select

from wams.core.storage import chain
from wams.core.storage.coverage import APPEND_ONLY, DESTROYABLE
from wams.core.storage.repository import Store, history
from wams.core.storage.tables import DestroyedRowRow

destroyed = cast(Table, DestroyedRowRow.__table__)


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
    return len(found)


def _record_removed(store: Store, gemeente: str, of_chain_n: int | None, table: str,
                    values: Any, columns: tuple[str, ...]) -> None:
    # A row from before the keyed chain (no chain_n) is recorded under entry 0.
    digest = ""
    if of_chain_n is not None:
        # The row digest is keyed with the key of the entry that wrote the row.
        key_id = store.conn.execute(select(history.c.key_id).where(
            history.c.gemeente == gemeente, history.c.chain_n == of_chain_n)).scalar()
        if key_id is not None and store.keys is not None:
            digest = chain.row_digest(store.keys.get(gemeente, key_id), table, values, columns)
    record = {"gemeente": gemeente, "of_chain_n": of_chain_n or 0, "row_table": table,
              "digest": digest, "chain_n": store.stamp(gemeente)}
    store.conn.execute(insert(destroyed), record)
    store.covered("destroyed_rows", record)
