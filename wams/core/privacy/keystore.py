"""The key store: the keys of each municipality, kept outside the database (quality C7).

A stolen copy of the database (a dump, a backup, a replica, the disk of a decommissioned
server) must not hold the keys that unlock it: the key-encryption keys that wrap every data key
(purpose ``"kek"``), the pseudonym keys of the processing log (``"pseudonym"``) and the HMAC key
of the audit chain (``"chain"``) live here instead. Every key has an id; whatever is made with a
key (a wrapped data key, a pseudonym, a chain link) records that id, so a rotation leaves old
keys readable and only new work uses the new one.

The default is :class:`FileKeyStore`, one JSON file (mode 0600) beside the SQLite database; a
supplier plugs in Vault, a cloud KMS or an HSM through the ``wams_key_store`` hook
(:mod:`wams.core.law.hookspecs`). Back the key store up *separately* from the database: a backup
holding both is a backup anyone can read (docs/operations.md).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from wams.core.errors import KeyInUseError, KeyMissingError, NoKeyStoreError

# The contract a key store implements lives with the plugin contract (wams_key_store).
from wams.core.law.records import Key, KeyStore

#: The purposes a key is used for; a key of one purpose is never used for another.
PURPOSES = ("kek", "pseudonym", "chain")
#: A KEK of one destruction period (``wams.core.privacy.periods``): ``kek:YYYY-MM`` wraps the
#: data keys of records whose bewaartermijn ends in that month, ``kek:open:YYYY-MM`` those of
#: records opened that month and not yet closed. Retired whole once its period is over.
PERIOD_PURPOSE = re.compile(r"^kek:(open:)?[0-9]{4}-[0-9]{2}$")
KEY_BYTES = 32
KEY_FILE_ENV = "WAMS_KEY_FILE"


def check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES and not PERIOD_PURPOSE.match(purpose):
        raise ValueError(f"unknown key purpose {purpose!r}; one of {', '.join(PURPOSES)}")


def new_key() -> Key:
    return Key(secrets.token_hex(8), secrets.token_bytes(KEY_BYTES))


def missing(store: KeyStore, gemeente: str, purpose: str, key_id: str) -> KeyMissingError:
    return KeyMissingError(
        f"sleutel {key_id} ({purpose}) van gemeente {gemeente} ontbreekt in de sleutelopslag "
        f"{store.describe()}; zet de sleutelopslag terug uit de back-up (apart van de "
        f"database bewaard) of wijs de juiste aan met {KEY_FILE_ENV} of key_file=...")


# Keys as held in memory: gemeente → purpose → (current id, id → material).
_Table = dict[str, dict[str, tuple[str, dict[str, bytes]]]]


class MemoryKeyStore:
    """Keys that live as long as the process: for an in-memory database, whose data dies
    with the process too (a file would outlive the data it unlocks)."""

    def __init__(self) -> None:
        self._table: _Table = {}
        self._lock = threading.Lock()

    def describe(self) -> str:
        return "in het geheugen (verdwijnt met het proces)"

    def current(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            entry = self._table.setdefault(gemeente, {}).get(purpose)
            if entry is None:
                return self._add(gemeente, purpose)
            return Key(entry[0], entry[1][entry[0]])

    def get(self, gemeente: str, purpose: str, key_id: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            entry = self._table.get(gemeente, {}).get(purpose)
            if entry is None or key_id not in entry[1]:
                raise missing(self, gemeente, purpose, key_id)
            return Key(key_id, entry[1][key_id])

    def rotate(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            return self._add(gemeente, purpose)

    def retire(self, gemeente: str, purpose: str, key_id: str) -> None:
        check_purpose(purpose)
        with self._lock:
            drop_key(self._table, gemeente, purpose, key_id)

    def purposes(self, gemeente: str) -> list[str]:
        with self._lock:
            return sorted(self._table.get(gemeente, {}))

    def adopt(self, gemeente: str, purpose: str, material: bytes) -> Key:
        """Take over an existing key (migrating a database that kept it inside)."""
        check_purpose(purpose)
        with self._lock:
            return self._add(gemeente, purpose, material)

    def _add(self, gemeente: str, purpose: str, material: bytes | None = None) -> Key:
        key = add_key(self._table, gemeente, purpose, material)
        return key


def drop_key(table: _Table, gemeente: str, purpose: str, key_id: str) -> None:
    """Remove ``key_id`` from ``table`` (absent: nothing to do). The current key of a KEK
    purpose takes the whole purpose with it (every older key of it too): a new one is made
    only when a data key is wrapped for it again. The current pseudonym or chain key is never
    removed: the log and the chain go on with it."""
    entry = table.get(gemeente, {}).get(purpose)
    if entry is None or key_id not in entry[1]:
        return
    if entry[0] == key_id:
        if not purpose.startswith("kek"):
            raise KeyInUseError(f"sleutel {key_id} ({purpose}) van gemeente {gemeente} is de "
                                "huidige; roteer eerst ('wams keys rotate')")
        del table[gemeente][purpose]
        return
    table[gemeente][purpose] = (entry[0], {k: v for k, v in entry[1].items() if k != key_id})


def add_key(table: _Table, gemeente: str, purpose: str, material: bytes | None) -> Key:
    """Add a new current key (random, or ``material``) to ``table``."""
    key = new_key()
    if material is not None:
        key = Key(key.id, material)
    purposes = table.setdefault(gemeente, {})
    old = purposes.get(purpose, ("", {}))[1]
    purposes[purpose] = (key.id, {**old, key.id: key.material})
    return key


class FileKeyStore:
    """The keys in one JSON file, created on first use with mode 0600.

    Writes are atomic (a temporary file in the same directory, fsync, rename, fsync of the
    directory), so a crash leaves the old file or the new one, never half of one. Adding a key
    holds an exclusive ``flock`` on a lock file beside it and re-reads the file first, so two
    processes creating keys at the same moment both end up with the same one (never two
    "current" keys, never a lost key). Reads are cached; the file's generation (inode, time,
    size: one ``stat``) is compared before the current key is handed out, so a process that
    runs on after another one rotated wraps new data keys under the new KEK, and an id not in
    the cache re-reads the file."""

    VERSION = 1

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._table: _Table = {}
        self._generation: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def describe(self) -> str:
        return f"sleutelbestand {self.path}"

    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def current(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            if self._stat() != self._generation:  # another process rotated or retired
                self._table = self._read()
            entry = self._table.get(gemeente, {}).get(purpose)
            if entry is None:
                self._table = self._read()
                entry = self._table.get(gemeente, {}).get(purpose)
            if entry is not None:
                return Key(entry[0], entry[1][entry[0]])
            with self._exclusive():
                self._table = self._read()
                entry = self._table.get(gemeente, {}).get(purpose)
                if entry is not None:  # another process created it meanwhile
                    return Key(entry[0], entry[1][entry[0]])
                return self._add(gemeente, purpose)

    def get(self, gemeente: str, purpose: str, key_id: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            entry = self._table.get(gemeente, {}).get(purpose)
            if entry is None or key_id not in entry[1]:
                self._table = self._read()
                entry = self._table.get(gemeente, {}).get(purpose)
            if entry is None or key_id not in entry[1]:
                raise missing(self, gemeente, purpose, key_id)
            return Key(key_id, entry[1][key_id])

    def rotate(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock, self._exclusive():
            self._table = self._read()
            return self._add(gemeente, purpose)

    def retire(self, gemeente: str, purpose: str, key_id: str) -> None:
        """Delete ``key_id`` from the file: rewritten without it (temporary file, fsync,
        rename, fsync of the directory), so no copy of the old file stays beside it."""
        check_purpose(purpose)
        with self._lock, self._exclusive():
            self._table = self._read()
            drop_key(self._table, gemeente, purpose, key_id)
            self._write(self._table)

    def purposes(self, gemeente: str) -> list[str]:
        with self._lock:
            self._table = self._read()
            return sorted(self._table.get(gemeente, {}))

    def adopt(self, gemeente: str, purpose: str, material: bytes) -> Key:
        """Take over an existing key as the current one (migrating a database that kept its
        pseudonym keys inside, before wams schema 0006)."""
        check_purpose(purpose)
        with self._lock, self._exclusive():
            self._table = self._read()
            return self._add(gemeente, purpose, material)

    # -- the file -------------------------------------------------------------------------

    def _add(self, gemeente: str, purpose: str, material: bytes | None = None) -> Key:
        """Add a new current key to the freshly read table and write it (lock held)."""
        key = add_key(self._table, gemeente, purpose, material)
        self._write(self._table)
        return key

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> _Table:
        # The generation first: a write after it only makes the next call read again.
        self._generation = self._stat()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise KeyMissingError(f"{self.describe()} is niet te lezen: {exc.strerror}; "
                                  f"controleer het pad en de rechten") from exc
        try:
            data = json.loads(text)
            return {g: {p: (entry["current"],
                            {k: bytes.fromhex(v) for k, v in entry["keys"].items()})
                        for p, entry in purposes.items()}
                    for g, purposes in data["gemeenten"].items()}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyMissingError(f"{self.describe()} is beschadigd (geen geldig "
                                  f"sleutelbestand); zet het terug uit de back-up") from exc

    def _write(self, table: _Table) -> None:
        data = {"version": self.VERSION, "gemeenten": {
            g: {p: {"current": current, "keys": {k: v.hex() for k, v in keys.items()}}
                for p, (current, keys) in purposes.items()}
            for g, purposes in table.items()}}
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=directory)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
            self._generation = self._stat()
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def default_key_store(url: str, *, key_file: str | os.PathLike[str] | None = None,
                      database_path: str | None = None) -> KeyStore:
    """The key store when no plugin supplies one.

    An explicit ``key_file`` (or ``$WAMS_KEY_FILE``) wins. A SQLite file gets a key file beside
    it (``wams.db`` → ``wams.db.keys``): the embedded default needs no setup. An in-memory
    database gets keys in memory (they die together). A server database (PostgreSQL) gets no
    default: a key file in whatever directory a process happens to start in would give two
    application servers two different sets of keys for one database, and a file beside a
    server database does not exist. So it is one clear error until a key file or a key-store
    plugin is named."""
    chosen = key_file or os.environ.get(KEY_FILE_ENV)
    if chosen:
        return FileKeyStore(chosen)
    if url.startswith("sqlite"):
        if database_path in (None, "", ":memory:") or database_path.startswith("file:"):
            return MemoryKeyStore()
        return FileKeyStore(f"{database_path}.keys")
    raise NoKeyStoreError(
        f"geen sleutelopslag voor {url.split('://', 1)[0]}: de sleutels horen niet in de "
        f"database; wijs een sleutelbestand aan met {KEY_FILE_ENV}=/pad/naar/wams.keys (of "
        f"Wams.open(url, key_file=...)) of installeer een plugin met de hook wams_key_store")
