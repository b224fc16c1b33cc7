"""The engine's keys: which key store a database gets, and the rotation of its KEKs.

The keys never live in the database (quality C7; :mod:`wams.core.privacy.keystore`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy

from wams.core.catalogue import Catalogue
from wams.core.errors import KeyInUseError, KeyMissingError
from wams.core.gemeente import check_gemeente
from wams.core.law.records import KeyStore
from wams.core.plugins import load_catalogue
from wams.core.privacy.keystore import PURPOSES, default_key_store
from wams.core.privacy.keyuse import kek_counts
from wams.core.privacy.periods import open_period
from wams.core.privacy.sealing import KEK, kek_purpose
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
        supplied = catalogue.key_store(url)
        if supplied is not None:
            return supplied
    return default_key_store(url, key_file=key_file, database_path=db.url.database)


def rotate(engine: Engine, gemeente: str | None = None) -> dict[str, int]:
    """A new key-encryption key for every KEK purpose the data keys of ``gemeente`` (or of
    every municipality with data keys) use, and every data key re-wrapped under the new key
    of its period, one transaction per municipality; the old KEKs stay in the key store (a
    backup of the database from before still needs them) until the retention run retires
    their period or ``wams keys retire`` retires them. Pseudonym keys are not rotated: a new
    one would cut the person's old log records off from his access report; each pseudonym
    names its key id, so a store-side rotation leaves existing pseudonyms as they are.
    Returns municipality → data keys re-wrapped."""
    with engine.unit_of_work(None) as uow:
        counts = kek_counts(uow.store.conn)
    if gemeente is not None:
        check_gemeente(gemeente)
    targets = sorted({g for g, _, _ in counts if gemeente in (None, g)}
                     | ({gemeente} if gemeente else set()))
    done: dict[str, int] = {}
    for g in targets:
        for purpose in sorted({p for h, p, _ in counts if h == g}):
            engine.keys.rotate(g, purpose)
        done[g] = 0
        # A process that took the old KEK just before the rotation may commit a data key
        # under it just after the re-wrap: look again, a few times, until none is left.
        for _ in range(3):
            with engine.unit_of_work(g) as uow:
                count = engine.data_keys.rewrap(uow.store, g)
            done[g] += count
            if not count:
                break
    return done


def still_using(engine: Engine, gemeente: str | None = None) -> dict[tuple[str, str], int]:
    """(gemeente, KEK id) → how many data keys are wrapped by a KEK that is not the current
    one of its purpose: what a retirement of that KEK would make unreadable."""
    with engine.unit_of_work(None) as uow:
        counts = kek_counts(uow.store.conn)
    found = {}
    for (g, purpose, kek_id), n in counts.items():
        if gemeente is not None and g != gemeente:
            continue
        if kek_id != engine.keys.current(g, purpose).id:
            found[(g, kek_id)] = n
    return found


def retire(engine: Engine, gemeente: str, kek_id: str) -> None:
    """``wams keys retire``: delete an old KEK from the key store, refused while any data key
    is still wrapped by it (re-wrap first with ``wams keys rotate``), and for the current KEK
    of a purpose in use: retiring it then would make those records unreadable for good.
    (A whole period's KEK is retired by ``wams retention run``.)"""
    check_gemeente(gemeente)
    with engine.unit_of_work(None) as uow:
        counts = kek_counts(uow.store.conn)
    users = sum(n for (g, _, k), n in counts.items() if g == gemeente and k == kek_id)
    if users:
        raise KeyInUseError(f"sleutel {kek_id} van gemeente {gemeente} verpakt nog {users} "
                            "gegevenssleutel(s); verpak ze eerst opnieuw met 'wams keys "
                            "rotate'")
    in_use = {p for (g, p, _) in counts if g == gemeente}
    for purpose in engine.keys.purposes(gemeente):
        if not purpose.startswith(KEK):
            continue
        try:
            engine.keys.get(gemeente, purpose, kek_id)
        except KeyMissingError:
            continue
        if purpose in in_use and engine.keys.current(gemeente, purpose).id == kek_id:
            raise KeyInUseError(f"sleutel {kek_id} ({purpose}) van gemeente {gemeente} is "
                                "de huidige; roteer eerst ('wams keys rotate')")
        engine.keys.retire(gemeente, purpose, kek_id)
        return


def init(engine: Engine, gemeente: str) -> dict[str, str]:
    """``wams keys init``: the keys of ``gemeente`` (the KEK of this month's open records,
    pseudonym, chain), made now where it has none yet. Opening the engine already refused a
    key store that lacks a key the database names, so a key made here never stands in for
    one that data was made with. Returns purpose → key id."""
    check_gemeente(gemeente)
    wanted = [kek_purpose(open_period(engine.clock.today())),
              *(p for p in PURPOSES if p != KEK)]
    return {purpose: engine.keys.current(gemeente, purpose).id for purpose in wanted}
