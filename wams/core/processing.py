"""The processing log (R36), shaped after the Logboek Dataverwerkingen standard.

One record per processing action per person. The person is a keyed pseudonym per municipality
(HMAC-SHA256 with the municipality's own key): stable, so an access report finds every record
about him, and not reversible without the key, so a log export carries no BSN or name.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
from typing import TYPE_CHECKING, Any

from wams.core.model import Persoon

if TYPE_CHECKING:
    from wams.core.catalogue import Catalogue
    from wams.core.storage.repository import Store

# R13: the basis of all processing is AVG art. 6(1)(e) plus the college's task; never consent.
LEGAL_BASIS = "AVG art. 6 lid 1 sub e; Wmo 2015 §2.3a (voorstel)"
LEGAL_BASIS_MELDPUNT = "AVG art. 6 lid 1 sub e; Wmo 2015 art. 2.2.5 (voorstel)"
LEGAL_BASIS_INZAGE = "AVG art. 15"
STATUS_OK = "STATUS_CODE_OK"

#: the names of the actions in the log, by operation (Logboek: ``name`` of the span)
OPERATION_NAMES = {
    "collect": "verzamelen", "consult": "raadplegen", "provide": "verstrekken",
    "change": "wijzigen", "destroy": "vernietigen",
}


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


def trace_id() -> str:
    return secrets.token_hex(16)


def span_id() -> str:
    return secrets.token_hex(8)


def activity_id(gemeente: str, activity: str, version: int | None = None) -> str:
    """URI of the processing activity in the municipality's register (AVG art. 30); with a
    version, of that version of the entry (``...:onderzoek:v2``)."""
    base = f"urn:wams:{gemeente}:verwerkingsactiviteit:{activity}"
    return f"{base}:v{version}" if version is not None else base


class ActivityVersions:
    """Which version of each register entry is in force, per municipality, for the log.

    The first processing of a municipality in this process records the register's current
    content in ``register_versions`` (a new version where an entry changed: a plugin upgrade,
    another bewaartermijn) and caches the version numbers, so the hot path pays one dict
    lookup. :meth:`forget` drops a municipality after its bewaartermijn changed.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._ids: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def uri(self, store: Store, gemeente: str, activity: str, now: dt.datetime) -> str:
        ids = self._ids.get(gemeente)
        if ids is None:
            ids = {code: activity_id(gemeente, code, v[0])
                   for code, v in self.versions(store, gemeente, now).items()}
            with self._lock:
                self._ids[gemeente] = ids
        # An activity no register entry declares still gets a (versionless) URI.
        return ids.get(activity) or activity_id(gemeente, activity)

    def versions(self, store: Store, gemeente: str,
                 now: dt.datetime) -> dict[str, tuple[int, dt.datetime, dict[str, Any]]]:
        """code → (version, valid_from, content) in force, recording changed entries."""
        from wams.core import register, retention

        months = retention.bewaartermijn(store, gemeente)
        return register.sync(store.conn, gemeente,
                             register.contents(self.catalogue, gemeente, months), now)

    def forget(self, gemeente: str) -> None:
        with self._lock:
            self._ids.pop(gemeente, None)
