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

- the chain key of each municipality's head entry (``chain_heads`` → ``history.key_id``);
- every KEK a data key is wrapped with (``data_keys.kek_id``, under the purpose of its
  ``period``);
- the pseudonym key of each municipality's latest processing-log record (wams never rotates
  pseudonym keys, so the latest names the key of them all; ``ix_log_chain`` makes it one
  index probe).
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from wams.core.errors import KeyMissingError
from wams.core.law.records import KeyStore
from wams.core.privacy.sealing import kek_purpose
from wams.core.storage.heads import heads
from wams.core.storage.repository import data_keys, history, log

#: (gemeente, purpose, key id)
KeyUse = tuple[str, str, str]


def keys_in_use(conn: Connection) -> list[KeyUse]:
    """The keys the database names, one per (gemeente, purpose, id), sorted."""
    used: set[KeyUse] = set()
    for g, key_id in conn.execute(
            select(history.c.gemeente, history.c.key_id)
            .join(heads, (heads.c.gemeente == history.c.gemeente)
                  & (heads.c.chain_n == history.c.chain_n))):
        if key_id:
            used.add((g, "chain", key_id))
    for (g, purpose, kek_id) in kek_counts(conn):
        used.add((g, purpose, kek_id))
    for (g,) in conn.execute(select(heads.c.gemeente)):
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


def kek_counts(conn: Connection) -> dict[KeyUse, int]:
    """(gemeente, KEK purpose, KEK id) → how many data keys it wraps."""
    return {(r[0], kek_purpose(r[1]), r[2]): int(r[3]) for r in conn.execute(
        select(data_keys.c.gemeente, data_keys.c.period, data_keys.c.kek_id, func.count())
        .group_by(data_keys.c.gemeente, data_keys.c.period, data_keys.c.kek_id))}
