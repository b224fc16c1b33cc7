"""Which keys a database was made with, and the refusal to run without them.

A key store that is lost, replaced by another installation's, or restored only in part must
never be "repaired" by making new keys: new keys for existing data would give an access report
of nobody (a new pseudonym key finds no records), sign an anchor with a chain key nobody can
compare to the old one, and leave every sealed value unreadable without saying why. So before
any command uses the keys, the ids the database names are looked up in the key store; one
missing is one error (``KeyMissingError``, exit 2 on the command line) naming every missing
id and the store. New keys are made only for a municipality without data: by ``wams keys
init`` or on its first write.

What is checked, cheaply enough to do on every open:

- the chain key of each municipality's head entry (``chain_heads`` → ``history.key_id``, one
  probe of ``uq_history_chain`` per municipality);
- every KEK a data key is wrapped with (``data_keys.kek_id``, under the purpose of its
  ``period``), found by skipping along ``ix_data_keys_kek``: one index probe per KEK, not a
  scan of the data keys (a million cases have a million of them; counting them on every open
  made ``wams inzage`` wait a minute at that size). A KEK belongs to one period by
  construction (its key-store purpose names the period), so the period of its first data key
  is the period of all of them;
- the pseudonym key of each municipality's latest processing-log record (wams never rotates
  pseudonym keys, so the latest names the key of them all; ``ix_log_chain`` makes it one
  index probe).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select, tuple_

from wams.core.errors import KeyMissingError
from wams.core.law.records import KeyStore
from wams.core.privacy.sealing import kek_purpose
from wams.core.storage.heads import heads
from wams.core.storage.repository import data_keys, history, log

#: (gemeente, purpose, key id)
KeyUse = tuple[str, str, str]


def keys_in_use(conn: Connection) -> list[KeyUse]:
    """The keys the database names, one per (gemeente, purpose, id), sorted."""
    used: set[KeyUse] = set(keks_in_use(conn))
    # Per municipality from its head: a join of history with the heads let SQLite walk the
    # whole history (24 million entries at a million cases) to find the few head entries.
    for g, n in conn.execute(select(heads.c.gemeente, heads.c.chain_n)).all():
        key_id = conn.execute(select(history.c.key_id).where(
            (history.c.gemeente == g) & (history.c.chain_n == n))).scalar()
        if key_id:
            used.add((g, "chain", key_id))
        subject = conn.execute(select(log.c.subject).where(log.c.gemeente == g)
                               .order_by(log.c.chain_n.desc()).limit(1)).scalar()
        if subject and ":" in subject:
            used.add((g, "pseudonym", subject.split(":", 1)[0]))
    return sorted(used)


def missing_keys(conn: Connection, store: KeyStore) -> list[KeyUse]:
    """The keys the database names that ``store`` does not hold."""
    absent = []
    for gemeente, purpose, key_id in keys_in_use(conn):
        try:
            store.get(gemeente, purpose, key_id)
        except KeyMissingError:
            absent.append((gemeente, purpose, key_id))
    return absent


def require_keys(conn: Connection, store: KeyStore) -> None:
    """One :class:`KeyMissingError` naming every key id the database needs and ``store``
    lacks; never a new key in their place."""
    absent = missing_keys(conn, store)
    if absent:
        named = ", ".join(f"{g} {p} {k}" for g, p, k in absent)
        raise KeyMissingError(
            f"de sleutelopslag {store.describe()} mist {len(absent)} "
            f"{'sleutel' if len(absent) == 1 else 'sleutels'} waarmee deze database al "
            f"gegevens heeft vastgelegd ({named}); wams maakt voor bestaande gegevens nooit "
            "nieuwe sleutels: zet de sleutelopslag terug uit de back-up (apart van de "
            "database bewaard) of wijs de juiste aan met WAMS_KEY_FILE")


def keks_in_use(conn: Connection) -> list[KeyUse]:
    """(gemeente, KEK purpose, KEK id) of every KEK that wraps a data key: a loose index scan
    (each probe the next (gemeente, kek_id) after the last one found), so the cost grows with
    the number of KEKs, not of data keys."""
    found: list[KeyUse] = []
    key = (data_keys.c.gemeente, data_keys.c.kek_id)
    stmt = select(*key, data_keys.c.period).order_by(*key).limit(1)
    row = conn.execute(stmt).first()
    while row is not None:
        found.append((row[0], kek_purpose(row[2]), row[1]))
        row = conn.execute(stmt.where(tuple_(*key) > tuple_(row[0], row[1]))).first()
    return found


def kek_counts(conn: Connection) -> dict[KeyUse, int]:
    """(gemeente, KEK purpose, KEK id) → how many data keys it wraps."""
    return {(r[0], kek_purpose(r[1]), r[2]): int(r[3]) for r in conn.execute(
        select(data_keys.c.gemeente, data_keys.c.period, data_keys.c.kek_id, func.count())
        .group_by(data_keys.c.gemeente, data_keys.c.period, data_keys.c.kek_id))}
