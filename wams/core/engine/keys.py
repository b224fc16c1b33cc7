"""The engine's keys: which key store a database gets, and the rotation of its KEKs.

The keys never live in the database (quality C7; :mod:`wams.core.privacy.keystore`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy

from wams.core.catalogue import Catalogue
from wams.core.gemeente import check_gemeente
from wams.core.plugins import load_catalogue
from wams.core.privacy.keystore import PURPOSES, KeyStore, default_key_store
from wams.core.storage.database import connect

if TYPE_CHECKING:
    from wams.core.engine.core import Engine


def key_store_for(url: str | None, key_file: str | None = None,
                  extra_plugins: Any = None) -> KeyStore:
    """The key store ``Engine.open`` would use for ``url`` (for ``wams db upgrade``)."""
    db = connect(url)
    try:
        return key_store(db, load_catalogue(extra_plugins), key_file)
    finally:
        db.dispose()


def key_store(db: sqlalchemy.Engine, catalogue: Catalogue, key_file: str | None) -> KeyStore:
    """An explicit key file first, then a plugin's store (``wams_key_store``), then the
    default (see :func:`wams.core.privacy.keystore.default_key_store`)."""
    url = db.url.render_as_string(hide_password=True)
    if key_file is None:
        supplied = catalogue.pm.hook.wams_key_store(url=url)
        if supplied is not None:
            return supplied
    return default_key_store(url, key_file=key_file, database_path=db.url.database)


def rotate(engine: Engine, gemeente: str | None = None) -> dict[str, int]:
    """A new key-encryption key for ``gemeente`` (or every municipality with data keys),
    and every data key re-wrapped under it, one transaction per municipality; the old
    KEK stays in the key store (a backup of the database from before still needs it).
    Pseudonym keys are not rotated: a new one would cut the person's old log records off
    from his access report; each pseudonym names its key id, so a store-side rotation
    leaves existing pseudonyms as they are. Returns municipality → data keys re-wrapped."""
    if gemeente is not None:
        check_gemeente(gemeente)
        targets = [gemeente]
    else:
        with engine.unit_of_work(None) as uow:
            targets = sorted({g for g, _ in uow.store.kek_ids()})
    done: dict[str, int] = {}
    for g in targets:
        engine.keys.rotate(g, "kek")
        with engine.unit_of_work(g) as uow:
            done[g] = engine.data_keys.rewrap(uow.store, g)
    return done



def init(engine: Engine, gemeente: str) -> dict[str, str]:
    """``wams keys init``: the keys of ``gemeente`` (KEK, pseudonym, chain), made now where it
    has none yet. Opening the engine already refused a key store that lacks a key the database
    names, so a key made here never stands in for one that data was made with. Returns
    purpose → key id."""
    check_gemeente(gemeente)
    return {purpose: engine.keys.current(gemeente, purpose).id for purpose in PURPOSES}
