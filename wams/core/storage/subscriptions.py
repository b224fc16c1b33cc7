"""Webhook subscriptions and the events they are owed.

The events are the municipality's history itself: every allowed step is one entry, numbered
without gaps by ``chain_n`` and appended under the municipality's head lock, so entries become
visible in that order. A subscription keeps the last ``chain_n`` it was delivered; a deliverer
reads what follows, sends it and only then moves the position on (compare-and-set). A crash
between sending and moving on sends an event again: at least once, never lost. Scoped by
municipality (R38).

A subscription says where a municipality's events go: it is in the keyed chain like a setting.
Adding one, rotating its secret and removing it each append an entry (step ``abonnement``)
that commits to the row (to its id alone once removed); the delivery position is not covered.
``wams audit verify`` names a subscription added, changed or removed around wams, and a
deliverer sends only to a subscription the chain vouches for (:func:`vouched`): a row a DBA
inserted, redirected or put back gets nothing, before any audit runs.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, cast

from sqlalchemy import Connection, Table, delete, insert, select, update

from wams.core.errors import ChainKeyMissing, TamperedError
from wams.core.storage import chain
from wams.core.storage.coverage import (
    SUBSCRIPTION_COLUMNS,
    SUBSCRIPTION_PREFIX,
    tombstone,
)
from wams.core.storage.repository import Store
from wams.core.storage.tables import ChainHeadRow, HistoryRow, SubscriptionRow

subscriptions = cast(Table, SubscriptionRow.__table__)
_history = cast(Table, HistoryRow.__table__)
_heads = cast(Table, ChainHeadRow.__table__)


STEP = "abonnement"


def _commit(store: Store, gemeente: str, subscription_id: int) -> None:
    """The next entry commits to the subscription as it is stored now (its id alone once it
    is gone)."""
    row = store.conn.execute(select(*(subscriptions.c[c] for c in SUBSCRIPTION_COLUMNS))
                             .where(subscriptions.c.id == subscription_id)).first()
    values = dict(row._mapping) if row is not None else \
        tombstone(SUBSCRIPTION_COLUMNS, gemeente, "id", subscription_id)
    store.project(gemeente, f"{SUBSCRIPTION_PREFIX}{subscription_id}", values,
                  SUBSCRIPTION_COLUMNS, step=STEP)


def add(store: Store, gemeente: str, url: str, now: dt.datetime, *,
        steps: list[str] | None = None, secret_key_id: str | None = None) -> int:
    """A new subscription; it is owed the events from now on, not the past. ``steps``: the
    steps it wants (None: all); ``secret_key_id``: the key its signing secret derives from."""
    conn = store.conn
    head = conn.execute(select(_heads.c.chain_n).where(_heads.c.gemeente == gemeente)).scalar()
    result = conn.execute(insert(subscriptions).values(
        gemeente=gemeente, url=url, created_at=now, delivered_n=head or 0,
        steps=json.dumps(sorted(steps)) if steps else None, secret_key_id=secret_key_id,
        secret_version=1))
    key = result.inserted_primary_key
    assert key is not None
    _commit(store, gemeente, int(key[0]))
    return int(key[0])


def remove(store: Store, gemeente: str, subscription_id: int) -> bool:
    result = store.conn.execute(delete(subscriptions).where(
        subscriptions.c.id == subscription_id, subscriptions.c.gemeente == gemeente))
    if not result.rowcount:
        return False
    _commit(store, gemeente, subscription_id)
    return True


def rotate(store: Store, gemeente: str, subscription_id: int,
           now: dt.datetime) -> dict[str, Any] | None:
    """Count the signing secret's version up (the previous one keeps signing for a while);
    the subscription as :func:`listing` gives it, or None if there is none. A row the chain
    does not vouch for is refused (:class:`TamperedError`): the new entry would vouch for
    whatever was written around wams."""
    exists = store.conn.execute(select(subscriptions.c.id).where(
        subscriptions.c.id == subscription_id, subscriptions.c.gemeente == gemeente)).first()
    if exists is None:
        return None
    if subscription_id not in vouched(store, gemeente):
        raise TamperedError(
            f"abonnement {subscription_id} is niet het abonnement dat de hashketen vastlegde: "
            "buiten wams om gewijzigd; er is niets vernieuwd ('wams audit verify' wijst het "
            "aan)")
    result = store.conn.execute(update(subscriptions).where(
        subscriptions.c.id == subscription_id, subscriptions.c.gemeente == gemeente)
        .values(secret_version=subscriptions.c.secret_version + 1, rotated_at=now))
    if not result.rowcount:
        return None
    _commit(store, gemeente, subscription_id)
    return next(s for s in listing(store.conn, gemeente) if s["id"] == subscription_id)


def listing(conn: Connection, gemeente: str | None) -> list[dict[str, Any]]:
    stmt = select(subscriptions.c.id, subscriptions.c.gemeente, subscriptions.c.url,
                  subscriptions.c.created_at, subscriptions.c.delivered_n,
                  subscriptions.c.steps, subscriptions.c.secret_key_id,
                  subscriptions.c.secret_version, subscriptions.c.rotated_at)
    if gemeente is not None:
        stmt = stmt.where(subscriptions.c.gemeente == gemeente)
    rows = []
    for r in conn.execute(stmt.order_by(subscriptions.c.id)):
        row = dict(r._mapping)
        row["steps"] = json.loads(row["steps"]) if row["steps"] else None
        rows.append(row)
    return rows


# The entries that projected something other than a case (settings, subscriptions), along the
# partial index ix_history_projection; the literal ``case_id IS NULL`` lets SQLite use it.
_projecting = (select(_history)
               .where(_history.c.case_id.is_(None))
               .order_by(_history.c.chain_n))


def vouched(store: Store, gemeente: str | None = None) -> set[int]:
    """The ids of the subscriptions (of ``gemeente``, or all) the keyed chain vouches for: the
    latest entry that projected the subscription is authentic where it stands (its keyed hash
    recomputes from its own fields under the chain key) and commits to the row as it is
    stored. A row inserted with raw SQL, redirected, re-signed or put back after its removal
    is not vouched for. Two statements per municipality with subscriptions and one HMAC per
    subscription and entry; the audit still names the row (and finds an entry deleted from
    the chain, which this does not walk)."""
    if store.keys is None:
        raise AssertionError("a Store without chain keys cannot vouch for a subscription")
    stmt = select(*(subscriptions.c[c] for c in SUBSCRIPTION_COLUMNS))
    if gemeente is not None:
        stmt = stmt.where(subscriptions.c.gemeente == gemeente)
    rows: dict[str, dict[int, dict[str, Any]]] = {}
    for r in store.conn.execute(stmt):
        rows.setdefault(r.gemeente, {})[r.id] = dict(r._mapping)
    found: set[int] = set()
    for g, of_g in rows.items():
        refs = {f"{SUBSCRIPTION_PREFIX}{sid}": sid for sid in of_g}
        latest = {e.projection_ref: e for e in store.conn.execute(_projecting.where(
            _history.c.gemeente == g, _history.c.projection_ref.in_(list(refs))))}
        for ref, entry in latest.items():
            values = of_g[refs[ref]]
            try:
                key = store.keys.get(g, entry.key_id) if entry.key_id else None
            except ChainKeyMissing:
                key = None
            if (key is not None and chain.entry_hash_of(key, entry) == entry.entry_hash
                    and chain.projection_digest(key, ref, values, SUBSCRIPTION_COLUMNS)
                    == entry.projection_digest):
                found.add(refs[ref])
    return found


def owed(conn: Connection, gemeente: str, after_n: int, limit: int) -> list[dict[str, Any]]:
    """The history entries after position ``after_n``: ids and the step only, no content."""
    stmt = (select(_history.c.chain_n, _history.c.case_id, _history.c.step, _history.c.at,
                   _history.c.allowed, _history.c.trace_id, _history.c.decision)
            .where(_history.c.gemeente == gemeente, _history.c.chain_n > after_n)
            .order_by(_history.c.chain_n).limit(limit))
    events = []
    for r in conn.execute(stmt):
        version = json.loads(r.decision).get("version")
        events.append({"n": r.chain_n, "case_id": r.case_id, "step": r.step, "at": r.at,
                       "allowed": r.allowed, "trace_id": r.trace_id, "version": version})
    return events


def advance(conn: Connection, subscription_id: int, old_n: int, new_n: int) -> bool:
    """Move the position on, unless another deliverer moved it first."""
    result = conn.execute(update(subscriptions).where(
        subscriptions.c.id == subscription_id, subscriptions.c.delivered_n == old_n)
        .values(delivered_n=new_n))
    return bool(result.rowcount)
