"""The signing secret of a webhook subscription (Standard Webhooks: HMAC-SHA256 over
``id.timestamp.body``, the secret shown as ``whsec_<base64>``).

The secret is never stored: it is derived from the municipality's chain key in the key store
(kept outside the database) and the subscription's id and version, with a label that no other
use of that key shares. A copy of the database therefore cannot forge a delivery; a copy of the
key store and the database can, as it can forge everything else. Rotation counts the version
up; for a day the previous secret signs too (the Standard Webhooks signature header carries one
signature per secret), so a subscriber switches without missing a delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
from typing import Any

from wams.core.law.records import KeyStore

PURPOSE = "chain"
PREFIX = "whsec_"
#: how long the previous secret still signs after a rotation
GRACE = dt.timedelta(days=1)


def current_key_id(keys: KeyStore, gemeente: str) -> str:
    """The id of the key new subscriptions derive their secret from."""
    return keys.current(gemeente, PURPOSE).id


def secret(keys: KeyStore, subscription: dict[str, Any], version: int) -> bytes:
    key = keys.get(subscription["gemeente"], PURPOSE, subscription["secret_key_id"])
    label = f"wams-webhook-secret|{subscription['gemeente']}|{subscription['id']}|{version}"
    return hmac.new(key.material, label.encode(), hashlib.sha256).digest()


def shown(raw: bytes) -> str:
    """The secret as the subscriber configures it."""
    return PREFIX + base64.b64encode(raw).decode()


def signing_secrets(keys: KeyStore, subscription: dict[str, Any],
                    now: dt.datetime) -> list[bytes]:
    """The secrets a delivery is signed with now: the current one, and the previous one in
    the day after a rotation."""
    version = int(subscription["secret_version"])
    found = [secret(keys, subscription, version)]
    rotated = subscription.get("rotated_at")
    if version > 1 and rotated is not None and now - rotated < GRACE:
        found.append(secret(keys, subscription, version - 1))
    return found


def sign(secrets: list[bytes], event_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,<base64 HMAC-SHA256>`` per secret."""
    signed = f"{event_id}.{timestamp}.".encode() + body
    return " ".join("v1," + base64.b64encode(hmac.new(s, signed, hashlib.sha256).digest())
                    .decode() for s in secrets)
