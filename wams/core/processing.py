"""The processing log (R36), shaped after the Logboek Dataverwerkingen standard.

One record per processing action per person. The person is a keyed pseudonym per municipality
(HMAC-SHA256 with the municipality's own key): stable, so an access report finds every record
about him, and not reversible without the key, so a log export carries no BSN or name.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from wams.core.model import Persoon

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


def subject_key(persoon: Persoon) -> str:
    """What identifies a person across cases: the BSN when known, else the caller's ref."""
    return f"bsn:{persoon.bsn}" if persoon.bsn else f"ref:{persoon.ref}"


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


def activity_id(gemeente: str, activity: str) -> str:
    """URI of the processing activity in the municipality's register (AVG art. 30)."""
    return f"urn:wams:{gemeente}:verwerkingsactiviteit:{activity}"
