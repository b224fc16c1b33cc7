"""The per-municipality keyed chain over the history, and what each entry commits to.

Each entry's hash is an HMAC-SHA256 under the municipality's *chain key* (key store purpose
``chain``, never in the database; the entry stores the key's id so keys can rotate). Without
the key nobody can produce a valid entry: a DBA who rewrites a row and "rehashes the chain"
with plain SHA-256 produces hashes the verifier rejects. Someone who also stole the key is
caught by an anchor taken earlier (:mod:`wams.core.storage.anchor`).

An entry commits to:

- the previous entry's hash and its own fields (step, code, actor, decision, ...);
- a *digest* of its content. The content is sealed (AES-GCM under its case's data key,
  ``wams.core.privacy.sealing``), so the digest is of the ciphertext, unsalted: the nonce
  already makes it unique, and it cannot be matched against guessed content. After
  destruction the key and the content are gone, the digest stays and the chain still
  verifies. (Before schema 0006 the content was plain and the digest salted with
  ``content_salt``; that migration re-chained over the sealed content.);
- its *write set*: every append-only row the step wrote (processing-log rows, involvements,
  meldingen and melders, destruction proofs, register versions), each stamped with the
  entry's ``chain_n`` (``writes_digest``);
- the *projection* it left behind: the ``cases`` row of its case, or a settings row
  (``projection_ref``, ``projection_digest``), so a row the policy loads is trusted only when
  it equals what the latest entry for it committed.

The write and projection digests are keyed too, so they cannot be matched against guesses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

GENESIS = "0" * 64
EMPTY_DIGEST = hashlib.sha256(b"").hexdigest()
#: the key store purpose of the chain key (one key ring per municipality)
PURPOSE = "chain"
#: the projection_ref of a case's entry (the case is named by ``case_id``)
CASE = "case"
SEP = "\x1f"


def salt() -> str:
    return secrets.token_hex(16)


def content_digest(content: str | None, salt_hex: str | None) -> str:
    if content is None:
        return EMPTY_DIGEST
    return hashlib.sha256(bytes.fromhex(salt_hex or "") + content.encode()).hexdigest()


def canonical(value: Any) -> str:
    """One spelling per value, identical for what was written and what a backend reads back
    (SQLite and PostgreSQL return dates, datetimes and booleans as Python objects)."""
    kind = type(value)
    if kind is str:  # most covered values: first, the audit spells millions of them
        text: str = value
        return text
    if kind is int:
        return str(value)
    if value is None:
        return "\x00"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _mac(key: bytes, parts: Iterable[str]) -> str:
    # hmac.digest: the one-shot C implementation, several times faster than hmac.new.
    return hmac.digest(key, SEP.join(parts).encode(), "sha256").hex()


def entry_hash(key: bytes, *, key_id: str, prev_hash: str, gemeente: str, chain_n: int,
               case_id: str | None, at: dt.datetime, step: str, allowed: bool, code: str,
               actor: str, trace_id: str, idempotency_key: str | None, decision: str,
               content_digest: str, writes_digest: str, projection_ref: str | None,
               projection_digest: str | None) -> str:
    parts = (key_id, prev_hash, gemeente, str(chain_n), case_id or "",
             at.isoformat(timespec="microseconds"), step, "1" if allowed else "0", code, actor,
             trace_id, idempotency_key or "", decision, content_digest, writes_digest,
             projection_ref or "", projection_digest or "")
    return _mac(key, parts)


def entry_hash_of(key: bytes, row: Any) -> str:
    """The hash an entry stored as ``row`` (its history columns as attributes) must carry:
    recomputed from its own fields, so an entry forged, altered or renumbered without the
    chain key does not match its ``entry_hash``."""
    return entry_hash(
        key, key_id=row.key_id, prev_hash=row.prev_hash, gemeente=row.gemeente,
        chain_n=row.chain_n, case_id=row.case_id, at=row.at, step=row.step,
        allowed=bool(row.allowed), code=row.code, actor=row.actor, trace_id=row.trace_id,
        idempotency_key=row.idempotency_key, decision=row.decision,
        content_digest=row.content_digest, writes_digest=row.writes_digest,
        projection_ref=row.projection_ref, projection_digest=row.projection_digest)


def row_digest(key: bytes, table: str, values: Mapping[str, Any],
               columns: Sequence[str], added: Sequence[str] = ()) -> str:
    """The digest of one covered row: its table and every covered column, in a fixed order,
    then each ``added`` column that is set, by name (``coverage.ADDED``). Keyed, because it
    outlives the row when destruction removes it (``destroyed_rows``) and must not be
    matchable against guessed content."""
    parts = [table, *(canonical(values[c]) for c in columns)]
    parts += [f"{c}={canonical(values[c])}" for c in added if values.get(c) is not None]
    return _mac(key, parts)


def writes_digest(key: bytes, row_digests: Iterable[str]) -> str:
    """What an entry commits to of the rows it wrote: order-free (sorted), keyed."""
    digests = sorted(row_digests)
    if not digests:
        return EMPTY_DIGEST
    return _mac(key, ("writes", *digests))


def projection_digest(key: bytes, ref: str, values: Mapping[str, Any],
                      columns: Sequence[str]) -> str:
    return _mac(key, ("projection", ref, *(canonical(values[c]) for c in columns)))


def anchor_mac(key: bytes, *, gemeente: str, made_at: str,
               heads: Iterable[tuple[str, int, str, str]]) -> str:
    """One municipality's signature over a whole anchor (see anchor.py): its own name, the
    time and every head of the file (gemeente, count, hash, key id), so no head can be
    removed, added or changed without breaking every signature."""
    return _mac(key, ("anchor-2", gemeente, made_at,
                      *(f"{g}:{n}:{h}:{k}" for g, n, h, k in sorted(heads))))
