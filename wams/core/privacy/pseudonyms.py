"""Keyed pseudonyms of persons (``dpl.core.data_subject_id``) and the keys behind them.

A person is the same pseudonym in every record of one municipality (so an access report finds
all of them) and a different one in another municipality; without the municipality's key the
pseudonym cannot be linked to a BSN or a name. The key lives in the key store, not in the
database: a stolen dump holds no key to try the ~10^8 valid BSNs with.
"""

from __future__ import annotations

import hmac
import threading

from wams.core.law.records import Key, KeyStore
from wams.core.model import Persoon

PURPOSE = "pseudonym"


def subject_key(persoon: Persoon, namespace: str = "") -> str:
    """What identifies a person across cases: the BSN when known, else the caller's ref.

    ``namespace`` scopes refs (not BSNs): a scenario run uses its own, so "jan" of one
    scenario file is not "jan" of another in a shared database."""
    return f"bsn:{persoon.bsn}" if persoon.bsn else f"ref:{namespace}{persoon.ref}"


def subject_type(persoon: Persoon) -> str:
    return "pseudoniem-bsn" if persoon.bsn else "pseudoniem-ref"


def pseudonym(key: Key, subject: str) -> str:
    """``<key id>:<HMAC-SHA256 of the subject, 128 bits>``: the key id stays with the
    pseudonym, so a later key (a rotation in the key store) never changes an existing one."""
    return f"{key.id}:{hmac.digest(key.material, subject.encode(), 'sha256').hex()[:32]}"


#: how a keyed digest of a caller's text is written
DIGEST_PREFIX = "hmac:"


def keyed_digest(key: Key, kind: str, text: str) -> str:
    """``text`` of ``kind`` as ``hmac:<HMAC-SHA256 under the pseudonym key>``: what the log or
    the history keeps of a caller's text that belongs to no record (an idempotency key, an
    access request's reference, who acted). Whoever knows the text finds it again; nobody
    reads it back."""
    # hmac.digest: the one-shot C function (the same HMAC), several times faster than hmac.new
    return DIGEST_PREFIX + hmac.digest(key.material, f"{kind}\n{text}".encode(), "sha256").hex()


class PseudonymKeys:
    """The pseudonym key in force of each municipality, from the key store (never from the
    database, quality C7), held for the process once used."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys
        self._current: dict[str, Key] = {}
        self._lock = threading.Lock()

    def key(self, gemeente: str) -> Key:
        key = self._current.get(gemeente)
        if key is None:
            key = self.keys.current(gemeente, PURPOSE)
            with self._lock:
                self._current[gemeente] = key
        return key
