"""Rows updated in place (a case, a setting) are trusted only as the chain committed them.

The latest history entry that wrote such a row commits to its keyed digest
(:mod:`wams.core.storage.coverage`). The audit compares every row with it; the engine compares
a case row with it before it decides anything on a case it does not hold in its cache
(:func:`committed_case_state`), so a case row put back as a whole by someone with write access
and no keys (an older state with its older version and phase: an objection reset) is refused
on read, not only found by the next audit. Binding each sealed value to its place
(:mod:`wams.core.privacy.places`) refuses a state moved or put back on its own; this refuses
the whole row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import and_, bindparam, func, select

from wams.core.errors import ChainKeyMissing, TamperedError
from wams.core.storage import chain
from wams.core.storage.coverage import CASE_COLUMNS, ChainKeys
from wams.core.storage.fast import Fast
from wams.core.storage.repository import Store, cases, history

_projected = history.alias("projected")
# The case row with what the latest entry that projected it committed to: the greatest chain
# number among the case's own entries along ix_history_case, then that one entry by its
# primary key. The GROUP BY (one group: the case) is what keeps it on the case's entries: a
# bare max(chain_n) let SQLite answer it by walking the municipality's whole chain backwards
# (uq_history_chain) until it met one of the case's entries, so an old case (every case the
# retention run destroys) cost a scan of the history.
_case_committed_stmt = (
    select(*(cases.c[c] for c in CASE_COLUMNS), history.c.projection_digest,
           history.c.key_id)
    .select_from(cases.outerjoin(history, and_(
        history.c.gemeente == cases.c.gemeente,
        history.c.chain_n == select(func.max(_projected.c.chain_n)).where(
            _projected.c.gemeente == cases.c.gemeente, _projected.c.case_id == cases.c.id,
            _projected.c.projection_ref == chain.CASE).group_by(_projected.c.case_id)
            .correlate(cases).scalar_subquery())))
    .where(cases.c.id == bindparam("id")))
_case_committed = Fast(_case_committed_stmt)
#: As ``repository.INDEXED_LOOKUPS``: read before every step on a case not in the cache (so
#: before every destruction of the retention run); the tests check its plan on both backends.
INDEXED_LOOKUPS: dict[str, tuple[Any, str]] = {
    "a case row and the entry that committed it": (_case_committed_stmt, "ix_history_case"),
}


def differs(keys: ChainKeys, gemeente: str, key_id: str | None, ref: str,
            values: Mapping[Any, Any], columns: tuple[str, ...],
            committed: str | None) -> bool:
    """Whether ``values`` differ from the projection ``committed`` by an entry under the
    chain key ``key_id`` (no entry, no key id or a key missing: they do, nothing vouches)."""
    if key_id is None or committed is None:
        return True
    try:
        key = keys.get(gemeente, key_id)
    except ChainKeyMissing:
        return True
    return chain.projection_digest(key, ref, values, columns) != committed


def committed_case_row(store: Store, case_id: str,
                       gemeente: str | None = None) -> dict[str, Any] | None:
    """The row of a case (every column of ``CASE_COLUMNS``) if it is the one its latest
    history entry committed to; any other row is a :class:`TamperedError`. None when there
    is no such case (of ``gemeente``, when given). One indexed query and one HMAC."""
    if store.keys is None:
        raise AssertionError("a Store without chain keys cannot check a case row")
    rows = _case_committed.dicts(store.conn, {"id": case_id})
    if not rows or (gemeente is not None and rows[0]["gemeente"] != gemeente):
        return None
    row = rows[0]
    key_id, committed = row.pop("key_id"), row.pop("projection_digest")
    if differs(store.keys, row["gemeente"], key_id, chain.CASE, row, CASE_COLUMNS, committed):
        raise TamperedError(
            f"casus {case_id} is niet de casus die de hashketen vastlegde: buiten wams om "
            "gewijzigd of teruggezet in de database; er is niets besloten ('wams audit "
            "verify' wijst de rij aan)")
    return row


def committed_case_state(store: Store, case_id: str) -> tuple[str, int, str | None]:
    """The state, version and data key of a case whose row is the one its latest history
    entry committed to (:func:`committed_case_row`; the case must exist). Version and data
    key are the row's, read with the state in one statement: another writer may have moved
    the case on (or destroyed it) since the caller last looked, and the state is sealed for
    its own version (plain once its key is gone)."""
    row = committed_case_row(store, case_id)
    if row is None:
        raise AssertionError(f"casus {case_id} bestaat niet (meer)")
    return str(row["state"]), int(row["version"]), row["data_key"]
