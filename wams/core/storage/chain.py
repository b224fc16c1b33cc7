"""The per-municipality hash chain over the history.

Each entry's hash commits to the previous entry's hash and to a *digest* of its content. The
content is sealed (AES-GCM under its case's data key, ``wams.core.privacy.sealing``), so the
digest is of the ciphertext, unsalted: the nonce already makes it unique, and it cannot be
matched against guessed content. After destruction the key and the content are gone, the digest
stays and the chain still verifies. (Before schema 0006 the content was plain and the digest
salted with ``content_salt``; that migration re-chained over the sealed content.)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

GENESIS = "0" * 64
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()


def salt() -> str:
    return secrets.token_hex(16)


def content_digest(content: str | None, salt_hex: str | None) -> str:
    if content is None:
        return EMPTY_DIGEST
    return hashlib.sha256(bytes.fromhex(salt_hex or "") + content.encode()).hexdigest()


def entry_hash(prev_hash: str, gemeente: str, chain_n: int, case_id: str | None,
               at: dt.datetime, step: str, allowed: bool, code: str, actor: str,
               trace_id: str, idempotency_key: str | None, decision: str,
               digest: str) -> str:
    parts = (prev_hash, gemeente, str(chain_n), case_id or "",
             at.isoformat(timespec="microseconds"), step, "1" if allowed else "0", code, actor,
             trace_id, idempotency_key or "", decision, digest)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
