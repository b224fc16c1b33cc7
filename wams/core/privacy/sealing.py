"""Crypto-shredding: every piece of personal data is stored sealed under a data key of the
record it belongs to, and destroying the record deletes that key (R33, quality C7).

A case, a melding and a betrokkenheid each get their own data key (32 random bytes). The data
key is stored in the database only *wrapped* (AES-GCM) by the municipality's key-encryption
key, which lives in the key store (:mod:`wams.core.privacy.keystore`), never in the database;
the wrapped key records the id of the KEK it was wrapped with and its *period* (the key-store
purpose of that KEK, :mod:`wams.core.privacy.periods`): a record is wrapped by the KEK of the
month it was opened in while it is open, and by the KEK of the month its bewaartermijn ends in
once it is closed, so the retention run can retire a whole period's KEK once everything in it
is destroyed, and no copy of a wrapped key (an old tuple, ``pg_wal``, a backup) opens again.

A sealed value is text: ``<data key id>:<base64(nonce ‖ AES-GCM ciphertext ‖ tag)>``, with its
place as associated data (the data key id, municipality, table, row, column and, for a case,
the row's version: :mod:`wams.core.privacy.places`), so a value moved to another row, column or
key, or an older state put back over a case, fails authentication. When
the data key is deleted, every copy of the value (the table's old tuples under PostgreSQL's
MVCC, ``pg_wal``, SQLite's WAL, a backup, a replica) is ciphertext nobody can read. SQLite's
``secure_delete`` and the WAL checkpoint after destruction stay as a second line.
"""

from __future__ import annotations

import base64
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from wams.core.errors import SealError
from wams.core.ids import ordered_id
from wams.core.law.records import Key, KeyStore
from wams.core.privacy.places import SEALED_COLUMNS, Place, place_of

if TYPE_CHECKING:
    from wams.core.storage.repository import Store

NONCE_BYTES = 12
KEK = "kek"
#: A sealed value: 32 hex digits of a data key id, a colon, base64.
SEALED = re.compile(r"^[0-9a-f]{32}:")


def encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)  # the OS's CSPRNG (secrets.token_bytes is this)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag as exc:
        raise SealError("versleutelde gegevens kloppen niet met hun sleutel: gewijzigd in de "
                        "database of een verkeerde sleutelopslag") from exc


def wrap_aad(gemeente: str, data_key_id: str) -> bytes:
    return f"wams-data-key:{gemeente}:{data_key_id}".encode()


def wrap(kek: bytes, gemeente: str, data_key_id: str, material: bytes) -> str:
    return base64.b64encode(encrypt(kek, material, wrap_aad(gemeente, data_key_id))).decode()


def unwrap(kek: bytes, gemeente: str, data_key_id: str, wrapped: str) -> bytes:
    return decrypt(kek, base64.b64decode(wrapped), wrap_aad(gemeente, data_key_id))


def kek_purpose(period: str | None) -> str:
    """The key-store purpose of the KEK of ``period`` (None: the single KEK of before 0010)."""
    return KEK if period is None else f"{KEK}:{period}"


def associated_data(data_key_id: str, place: Place | None) -> bytes:
    """What a value is bound to: its place (None: the data key id alone, as values were
    sealed before schema 0011; only the migrations use it)."""
    return data_key_id.encode() if place is None else place.aad(data_key_id)


def seal_with(cipher: AESGCM, data_key_id: str, text: str, place: Place | None) -> str:
    nonce = os.urandom(NONCE_BYTES)  # the OS's CSPRNG (secrets.token_bytes is this)
    blob = nonce + cipher.encrypt(nonce, text.encode(), associated_data(data_key_id, place))
    return f"{data_key_id}:{base64.b64encode(blob).decode()}"


def is_sealed(value: str | None) -> bool:
    return value is not None and SEALED.match(value) is not None


def data_key_of(value: str) -> str:
    return value[:32]


#: Unwrapped data keys an engine holds at most (as ciphers, about 1.5 KB each). Unbounded,
#: every record a process ever touched stayed unwrapped in its memory: a load of 1,000,000
#: cases ended at 3.1 GB, and a long-running service would grow with the archive it serves.
#: A key no longer held is unwrapped again from its row when needed (one indexed read).
DATA_KEYS_HELD = 10_000


class DataKeys:
    """The data keys of one engine: created wrapped in the caller's transaction, unwrapped on
    first use and then held (as ciphers), the last ``bound`` used at most; forgotten when
    destroyed."""

    def __init__(self, keys: KeyStore, bound: int = DATA_KEYS_HELD) -> None:
        self.keys = keys
        self.bound = bound
        self._ciphers: OrderedDict[str, AESGCM] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def held(self) -> int:
        """How many unwrapped data keys this engine holds now."""
        return len(self._ciphers)

    def _hold(self, data_key_id: str, cipher: AESGCM) -> None:
        with self._lock:
            self._ciphers[data_key_id] = cipher
            self._ciphers.move_to_end(data_key_id)
            while len(self._ciphers) > self.bound:
                self._ciphers.popitem(last=False)  # the least recently used

    def create(self, store: Store, gemeente: str, period: str | None = None) -> str:
        """A new data key of ``gemeente``, stored wrapped by the current KEK of ``period``
        (None: the single KEK of before schema 0010, for migration 0006); returns its id."""
        data_key_id = ordered_id()
        material = AESGCM.generate_key(bit_length=256)
        kek = self.keys.current(gemeente, kek_purpose(period))
        values = {"id": data_key_id, "gemeente": gemeente, "kek_id": kek.id,
                  "wrapped": wrap(kek.material, gemeente, data_key_id, material)}
        if period is not None:
            values["period"] = period
        store.insert_data_key(**values)
        self._hold(data_key_id, AESGCM(material))
        return data_key_id

    def cipher(self, store: Store, data_key_id: str) -> AESGCM | None:
        """The cipher of a data key; None when it was destroyed."""
        with self._lock:
            cipher = self._ciphers.get(data_key_id)
            if cipher is not None:
                self._ciphers.move_to_end(data_key_id)
                return cipher
        row = store.data_key(data_key_id)
        if row is None:
            return None
        gemeente, kek_id, wrapped, period = row
        kek = self.keys.get(gemeente, kek_purpose(period), kek_id)
        cipher = AESGCM(unwrap(kek.material, gemeente, data_key_id, wrapped))
        self._hold(data_key_id, cipher)
        return cipher

    def seal(self, store: Store, data_key_id: str, text: str, place: Place | None) -> str:
        """``text`` sealed under the data key for ``place`` (see :func:`associated_data`)."""
        cipher = self.cipher(store, data_key_id)
        if cipher is None:
            raise SealError(f"de sleutel {data_key_id} is vernietigd; er kan niets meer onder "
                            "worden opgeslagen")
        return seal_with(cipher, data_key_id, text, place)

    def open(self, store: Store, value: str, place: Place | None) -> str | None:
        """The plain text of a value sealed for ``place``; None when its data key was
        destroyed. A value sealed for another place is a :class:`SealError`."""
        data_key_id, _, body = value.partition(":")
        cipher = self.cipher(store, data_key_id)
        if cipher is None:
            return None
        try:
            blob = base64.b64decode(body, validate=True)
            return cipher.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:],
                                  associated_data(data_key_id, place)).decode()
        except (InvalidTag, ValueError) as exc:
            where = "" if place is None else \
                f" ({place.table} {place.row.replace(chr(31), ' ')}, {place.column})"
            raise SealError("versleutelde gegevens horen niet op deze plaats of kloppen niet "
                            f"met hun sleutel{where}: buiten wams om gewijzigd, verplaatst of "
                            "teruggezet in de database") from exc

    def forget(self, data_key_id: str) -> None:
        """Drop a cached cipher (after a rollback, or a destruction by another process)."""
        with self._lock:
            self._ciphers.pop(data_key_id, None)

    def rewrap(self, store: Store, gemeente: str) -> int:
        """Re-wrap every data key of ``gemeente`` under the current KEK of its period (after
        a rotation); returns how many were re-wrapped."""
        current: dict[str | None, Key] = {}
        count = 0
        for data_key_id, kek_id, wrapped, period in store.data_keys_of(gemeente):
            if period not in current:
                current[period] = self.keys.current(gemeente, kek_purpose(period))
            if kek_id != current[period].id:
                self.move(store, gemeente, (data_key_id, kek_id, wrapped, period), period)
                count += 1
        return count

    def move(self, store: Store, gemeente: str, row: tuple[str, str, str, str | None],
             period: str | None) -> None:
        """Re-wrap one data key (``row``: id, KEK id, wrapped, period) under the current KEK
        of ``period``: the record now falls in that period."""
        data_key_id, kek_id, wrapped, old_period = row
        old = self.keys.get(gemeente, kek_purpose(old_period), kek_id)
        material = unwrap(old.material, gemeente, data_key_id, wrapped)
        kek = self.keys.current(gemeente, kek_purpose(period))
        store.rewrap_data_key(data_key_id, kek.id,
                              wrap(kek.material, gemeente, data_key_id, material), period)


class MigrationSealing:
    """The sealing revisions 0006 and 0011 seal an older database's data with
    (:class:`wams.core.storage.migrate.Sealing`): the migrations live in the storage room,
    below this one, so they get it passed in instead of importing it."""

    @property
    def sealed_columns(self) -> Mapping[str, tuple[str, Any]]:
        return SEALED_COLUMNS

    def data_keys(self, key_store: KeyStore) -> DataKeys:
        return DataKeys(key_store)

    def is_sealed(self, value: str | None) -> bool:
        return is_sealed(value)

    def place_of(self, table: str, row: Mapping[str, Any]) -> Place:
        return place_of(table, row)


MIGRATION_SEALING = MigrationSealing()
