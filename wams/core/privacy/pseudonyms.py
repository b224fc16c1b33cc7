"""Keyed pseudonyms of persons (``dpl.core.data_subject_id``) and the keys behind them.

A person is the same pseudonym in every record of one municipality (so an access report finds
all of them) and a different one in another municipality; without the municipality's key the
pseudonym cannot be linked to a BSN or a name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from typing import TYPE_CHECKING

from wams.core.model import Persoon

if TYPE_CHECKING:
    from wams.core.storage.repository import Store


def subject_key(persoon: Persoon, namespace: str = "") -> str:
    """What identifies a person across cases: the BSN when known, else the caller's ref.

    ``namespace`` scopes refs (not BSNs): a scenario run uses its own, so "jan" of one
    scenario file is not "jan" of another in a shared database."""
    return f"bsn:{persoon.bsn}" if persoon.bsn else f"ref:{namespace}{persoon.ref}"


def subject_type(persoon: Persoon) -> str:
    return "pseudoniem-bsn" if persoon.bsn else "pseudoniem-ref"


def pseudonym(key: bytes, subject: str) -> str:
    return hmac.new(key, subject.encode(), hashlib.sha256).hexdigest()[:32]


def new_key() -> str:
    return secrets.token_hex(32)


class PseudonymKeys:
    """The pseudonym key of each municipality, created on its first use and then cached for
    the process (keys never change under a running engine)."""

    def __init__(self) -> None:
        self._keys: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def key(self, store: Store, gemeente: str) -> bytes:
        key = self._keys.get(gemeente)
        if key is None:
            text = store.tenant_key(gemeente)
            if text is None:
                # Race-free: another process may store its key first; the one stored wins.
                text = store.insert_tenant_key(gemeente, new_key())
            key = bytes.fromhex(text)
            with self._lock:
                self._keys[gemeente] = key
        return key
