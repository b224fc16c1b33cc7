"""What the keyed chain covers besides the history rows, and the chain keys.

Two kinds of rows the rules rely on:

- *append-only* rows (:data:`APPEND_ONLY`): written once by a step and never changed. Each is
  stamped with the ``chain_n`` of the entry that wrote it, and that entry commits to the
  digests of all of them (its write set). Deleting, changing or adding such a row breaks the
  entry it names; a row naming no entry is reported on its own.
- *projections* (:data:`CASE_COLUMNS`, :data:`SETTING_COLUMNS`): rows updated in place (a
  case's current state, a municipal setting). The entry that wrote one commits to its keyed
  digest; the audit compares each row with the *latest* entry for it, so an old but once
  genuine state restored by hand is caught as well.

:class:`WriteSet` collects what one transaction wrote until its history entry is appended.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

import attrs

from wams.core.errors import ChainKeyMissing, KeyMissingError
from wams.core.storage import chain
from wams.core.storage.tables import (
    ActorRow,
    Base,
    CaseRow,
    DestroyedRowRow,
    DestructionProofRow,
    InvolvementRow,
    MelderRow,
    MeldingRow,
    ProcessingRow,
    RegisterVersionRow,
)

#: table → columns added after rows of it were chained. A row's digest covers each of them
#: only when it is set (by name), so a row written before keeps the digest its entry
#: committed to, and one written since commits to them like to any other column: no
#: migration has to re-chain history for a new column.
ADDED: dict[str, tuple[str, ...]] = {"destruction_proofs": ("kek_period", "kek_id")}


def _columns(row: type[Base], *, with_id: bool) -> tuple[str, ...]:
    # The autoincrement id of a bulk insert is not known before the insert, so it is not
    # covered; the order of the rows is (chain_n, and the sorted write set).
    added = ADDED.get(str(row.__tablename__), ())
    return tuple(c.name for c in row.__table__.columns
                 if c.name != "chain_n" and (with_id or c.name != "id")
                 and c.name not in added)


#: table → the columns its row digest covers
APPEND_ONLY: dict[str, tuple[str, ...]] = {
    "processing_log": _columns(ProcessingRow, with_id=False),
    "involvements": _columns(InvolvementRow, with_id=False),
    # A melding's id is known (RETURNING) and referenced by melders and melding_doorgeven.
    "meldingen": _columns(MeldingRow, with_id=True),
    "melders": _columns(MelderRow, with_id=True),
    "destruction_proofs": _columns(DestructionProofRow, with_id=False),
    "register_versions": _columns(RegisterVersionRow, with_id=False),
    "destroyed_rows": _columns(DestroyedRowRow, with_id=False),
    # Only that the data key exists, and whose it is. Its wrapping changes (rotation, the
    # move to a destruction period) and authenticates itself: AES-GCM under a KEK outside the
    # database, bound to the key's id and municipality, so a wrapped value swapped or
    # replaced fails on unwrap. A key deleted around wams (a record destroyed without proof)
    # breaks the entry that created it.
    "data_keys": ("id", "gemeente"),
    # Who acted, by pseudonym: the name sealed under the entry's own data key.
    "actors": _columns(ActorRow, with_id=True),
}
#: the tables destruction may remove rows of (each removal leaves a ``destroyed_rows`` row)
DESTROYABLE = ("involvements", "meldingen", "melders", "data_keys", "actors")
#: how the audit names each table to a person
NAMES = {"processing_log": "verwerkingslog", "involvements": "betrokkenheden",
         "meldingen": "meldingen", "melders": "melders",
         "destruction_proofs": "bewijzen van vernietiging",
         "register_versions": "registerversies", "data_keys": "gegevenssleutels",
         "destroyed_rows": "vernietigde rijen", "actors": "actorenregister"}

CASE_COLUMNS = _columns(CaseRow, with_id=True)
SETTING_COLUMNS = ("gemeente", "key", "value")
SETTING_PREFIX = "setting:"
#: A webhook subscription is a projection too (where a municipality's events go, and signed
#: with what); its delivery position moves on every delivery and is not covered.
SUBSCRIPTION_COLUMNS = ("id", "gemeente", "url", "created_at", "steps", "secret_key_id",
                        "secret_version", "rotated_at")
SUBSCRIPTION_PREFIX = "abonnement:"


def tombstone(columns: tuple[str, ...], gemeente: str, key: str, value: Any) -> dict[str, Any]:
    """What an entry that removed a projected row commits to: its key, nothing else."""
    return {**dict.fromkeys(columns), "gemeente": gemeente, key: value}


class KeySource(Protocol):
    """The key store as the chain needs it (``wams.core.law.records.KeyStore``)."""

    def current(self, gemeente: str, purpose: str) -> Any: ...

    def get(self, gemeente: str, purpose: str, key_id: str) -> Any: ...


class ChainKeys:
    """The chain keys of a key store, cached: the hot path asks per command.

    A key rotated in the key store is picked up by a new process (or :meth:`forget`)."""

    def __init__(self, source: KeySource) -> None:
        self.source = source
        self._current: dict[str, tuple[str, bytes]] = {}
        self._by_id: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()

    def current(self, gemeente: str) -> tuple[str, bytes]:
        found = self._current.get(gemeente)
        if found is None:
            key = self.source.current(gemeente, chain.PURPOSE)
            found = (key.id, key.material)
            with self._lock:
                self._current[gemeente] = found
        return found

    def get(self, gemeente: str, key_id: str) -> bytes:
        """The material of ``key_id``; :class:`ChainKeyMissing` when the store has none."""
        material = self._by_id.get((gemeente, key_id))
        if material is None:
            try:
                material = self.source.get(gemeente, chain.PURPOSE, key_id).material
            except KeyMissingError as exc:
                raise ChainKeyMissing(str(exc)) from exc
            with self._lock:
                self._by_id[(gemeente, key_id)] = material
        return material

    def forget(self) -> None:
        with self._lock:
            self._current.clear()


@attrs.define
class WriteSet:
    """What one transaction wrote for the next history entry of one municipality."""

    chain_n: int
    prev_hash: str
    key_id: str
    key: bytes
    rows: list[str] = attrs.Factory(list)
    projection_ref: str | None = None
    projection_digest: str | None = None
    #: the step an entry without its own step records (a read that logged, a setting)
    step: str | None = None
    content: str | None = None
    case_id: str | None = None
    actor: str | None = None
    trace_id: str | None = None

    def add_row(self, table: str, values: dict[str, Any]) -> None:
        self.rows.append(chain.row_digest(self.key, table, values, APPEND_ONLY[table],
                                          ADDED.get(table, ())))

    def project(self, ref: str, values: dict[str, Any], columns: tuple[str, ...]) -> None:
        if self.projection_ref is not None and self.projection_ref != ref:
            raise AssertionError(f"one history entry projects one row, not {ref} after "
                                 f"{self.projection_ref}")
        self.projection_ref = ref
        self.projection_digest = chain.projection_digest(self.key, ref, values, columns)

    @property
    def empty(self) -> bool:
        return not self.rows and self.projection_ref is None
