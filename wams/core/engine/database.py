"""The database as its operator sees it, without opening the case engine: where it is, its
schema version and migrations, the audit of its chains and the anchors taken of them.

The public API (:class:`wams.api_database.Database`, used by ``wams db`` and ``wams audit``)
reaches the storage room only through here: the migrations get the privacy room's sealing and
the key store passed in, the audit and the anchors get the chain keys from the key store the
engine would use — never from the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import sqlalchemy

from wams.core.engine.keys import key_store, key_store_for
from wams.core.law.records import KeyStore
from wams.core.plugins import load_catalogue
from wams.core.privacy.actors import Adoption
from wams.core.privacy.keyuse import require_keys
from wams.core.privacy.sealing import MIGRATION_SEALING
from wams.core.storage import anchor, audit, migrate
from wams.core.storage.audit import Report
from wams.core.storage.coverage import ChainKeys
from wams.core.storage.database import connect, missing_file, resolve_url

__all__ = ["Report", "anchor_text", "check", "head", "missing_file", "publish_anchor",
           "resolve_url", "revision", "take_anchor", "upgrade", "verify", "verify_open"]


def upgrade(url: str | None, revision: str = "head", *,
            keys: KeyStore | None = None) -> str | None:
    """Migrate the database at ``url`` (resolved) to ``revision``; an older database's data
    is sealed under the key store Engine.open would use (or ``keys``), and who acted is kept
    by pseudonym (0014, the register of actors). Returns the revision."""
    resolved = resolve_url(url)
    store = keys if keys is not None else key_store_for(resolved)
    return migrate.upgrade(resolved, revision, key_store=store, sealing=MIGRATION_SEALING,
                           actors=Adoption(store))


def revision(url: str) -> tuple[str | None, str]:
    """(the database's schema version or None, the newest this wams has)."""
    return migrate.current(url)


def head() -> str:
    return migrate.head()


def check(url: str) -> list[str]:
    """Differences between the models and what the migrations build (see
    :func:`wams.core.storage.migrate.check`); empty when they agree."""
    return migrate.check(url)


def _chain_keys(db: sqlalchemy.Engine) -> ChainKeys:
    """The chain keys (key store purpose "chain") from the key store the engine would use
    for this database: never the database itself."""
    store = key_store(db, load_catalogue(None), None)
    with db.connect() as conn:
        require_keys(conn, store)
    return ChainKeys(store)


def _with_database(url: str, action: Callable[[sqlalchemy.Engine], Any]) -> Any:
    db = connect(url)
    try:
        return action(db)
    finally:
        db.dispose()


def verify(url: str, gemeente: str | None = None,
           anchors: Iterable[tuple[str, str]] = (),
           progress: Callable[[int, int], None] | None = None) -> Report:
    """Recompute every chain (of ``gemeente``, or all) and what it covers, against the
    anchors (``(name, text)`` of each anchor file) if given."""
    texts = list(anchors)

    def run(db: sqlalchemy.Engine) -> Report:
        keys = _chain_keys(db)
        checkpoints = anchor.load_all(texts, keys)
        return audit.verify_database(db, keys, gemeente, anchors=checkpoints,
                                     progress=progress)

    report: Report = _with_database(url, run)
    return report


def verify_open(db: sqlalchemy.Engine, keys: KeyStore, gemeente: str | None = None) -> Report:
    """The audit of an open engine's database, with its own key store."""
    return audit.verify_database(db, keys, gemeente)


def take_anchor(url: str, now: dt.datetime) -> dict[str, Any] | Report:
    """A signed anchor of every chain's head at ``now``; the audit report instead when a
    chain does not verify (an anchor certifies the chain as it stands: never a broken one)."""

    def take(db: sqlalchemy.Engine) -> dict[str, Any] | Report:
        keys = _chain_keys(db)
        report = audit.verify_database(db, keys)
        if not report.intact:
            return report
        with db.connect() as conn:
            taken: dict[str, Any] = anchor.take(conn, keys, now)
            return taken

    result: dict[str, Any] | Report = _with_database(url, take)
    return result


def anchor_text(taken: dict[str, Any]) -> str:
    """An anchor as the text kept outside the database."""
    return anchor.dumps(taken)


def publish_anchor(text: str, hook: str) -> None:
    """Hand the anchor text to the shell command ``hook`` on its standard input."""
    anchor.publish(text, hook)
