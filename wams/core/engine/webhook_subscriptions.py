"""Webhook subscriptions of a municipality, each in its own unit of work: made with a signing
secret from the key store, rotated, removed, listed with whether the keyed chain vouches for
the row, and the steps they are owed. The public API (:mod:`wams.api_webhooks`) reaches the
stored subscriptions only through here."""

from __future__ import annotations

from typing import Any

from wams.core.engine.core import Engine
from wams.core.privacy import webhook_secrets
from wams.core.storage import subscriptions


def subscribe(engine: Engine, gemeente: str, url: str,
              steps: list[str] | None = None) -> tuple[int, str]:
    """A subscription owed every step from now on (only ``steps`` if given): its id and its
    signing secret (``whsec_...``), shown this once."""
    key_id = webhook_secrets.current_key_id(engine.keys, gemeente)
    with engine.unit_of_work(gemeente) as uow:
        sid = subscriptions.add(uow.store, gemeente, url, engine.clock.now(),
                                steps=steps, secret_key_id=key_id)
    sub = {"id": sid, "gemeente": gemeente, "secret_key_id": key_id}
    return sid, webhook_secrets.shown(webhook_secrets.secret(engine.keys, sub, 1))


def rotate_secret(engine: Engine, gemeente: str, subscription_id: int) -> str | None:
    """A new signing secret (the previous one still signs for a day); None if there is no
    such subscription in ``gemeente``."""
    with engine.unit_of_work(gemeente) as uow:
        sub = subscriptions.rotate(uow.store, gemeente, subscription_id, engine.clock.now())
    if sub is None:
        return None
    return webhook_secrets.shown(
        webhook_secrets.secret(engine.keys, sub, int(sub["secret_version"])))


def unsubscribe(engine: Engine, gemeente: str, subscription_id: int) -> bool:
    with engine.unit_of_work(gemeente) as uow:
        return subscriptions.remove(uow.store, gemeente, subscription_id)


def listing(engine: Engine, gemeente: str | None) -> list[dict[str, Any]]:
    """Every subscription (of ``gemeente``, or all) with ``vouched``: whether the keyed
    chain vouches for the row as stored."""
    with engine.unit_of_work(gemeente) as uow:
        rows = subscriptions.listing(uow.store.conn, gemeente)
        vouched = subscriptions.vouched(uow.store, gemeente)
    return [{**row, "vouched": row["id"] in vouched} for row in rows]


def owed(engine: Engine, gemeente: str, after_n: int, limit: int) -> list[dict[str, Any]]:
    """The steps of ``gemeente`` after history position ``after_n``: ids only."""
    with engine.unit_of_work(gemeente) as uow:
        return subscriptions.owed(uow.store.conn, gemeente, after_n, limit)


def advance(engine: Engine, subscription_id: int, old_n: int, new_n: int) -> bool:
    """Move a subscription's position from ``old_n`` to ``new_n`` (False: another deliverer
    moved it first)."""
    with engine.unit_of_work(None) as uow:
        return subscriptions.advance(uow.store.conn, subscription_id, old_n, new_n)
