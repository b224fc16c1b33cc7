"""The deliverer sends only to a subscription the keyed chain vouches for (both backends).

A DBA with write access and no keys wants a municipality's events at his own address: he
redirects a subscription, inserts one, puts a removed one back, or puts an older state back
together with a copy of the entry that once committed to it. Each gets nothing delivered —
not after the next audit, at the next delivery round — while the subscriptions wams made keep
receiving. The rows stay listed (``vouched`` False) so the municipality sees them.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.helpers import raw_sql
from tests.service_helpers import BODIES, G
from wams.service.webhooks import Deliverer

HOOKS = "https://hooks.example.org/"
LEGIT = HOOKS + "gemeente"
EVIL = "https://hooks.example.org/dba"


def _round(w: Any) -> list[str]:
    """One delivery round; the URLs it posted to."""
    seen: list[str] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["host"] + request.url.path)
        return httpx.Response(204)

    deliverer = Deliverer(w, resolver=lambda host, port: ["93.184.216.34"])
    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        deliverer.deliver_once(http)
    return seen


def _vouched(w: Any) -> dict[int, bool]:
    return {s["id"]: s["vouched"] for s in w.subscriptions(G)}


def _columns(db_url: str, sid: int) -> dict[str, Any]:
    [row] = raw_sql(db_url, "SELECT gemeente, url, created_at, delivered_n, steps, "
                    "secret_key_id, secret_version, rotated_at FROM subscriptions "
                    "WHERE id = :s", s=sid)
    return dict(row._mapping)


def _insert(db_url: str, values: dict[str, Any], sid: int | None = None) -> int:
    columns = ", ".join(values) + (", id" if sid is not None else "")
    params = ", ".join(f":{k}" for k in values) + (", :id" if sid is not None else "")
    raw_sql(db_url, f"INSERT INTO subscriptions ({columns}) VALUES ({params})",
            **values, **({"id": sid} if sid is not None else {}))
    [(new,)] = raw_sql(db_url, "SELECT max(id) FROM subscriptions")
    return int(sid if sid is not None else new)


def test_a_redirected_or_inserted_subscription_gets_nothing(wams: Any, db_url: str) -> None:
    w = wams
    w.set_setting(G, "webhook_adressen", [HOOKS])
    sid, _ = w.subscribe(G, LEGIT)
    assert w.rotate_subscription_secret(G, sid)
    w.hulpvraag(G, **BODIES["hulpvraag"])
    assert _vouched(w) == {sid: True}
    assert _round(w) == ["hooks.example.org/gemeente"]

    # redirected: the chain committed to another URL, so the row gets nothing (not even at
    # its committed URL: the row is what the deliverer would use), and its position stays
    raw_sql(db_url, "UPDATE subscriptions SET url = :u WHERE id = :s", u=EVIL, s=sid)
    w.hulpvraag(G, **BODIES["hulpvraag"])
    before = _columns(db_url, sid)["delivered_n"]
    assert _vouched(w) == {sid: False}
    assert _round(w) == []
    assert _columns(db_url, sid)["delivered_n"] == before
    raw_sql(db_url, "UPDATE subscriptions SET url = :u WHERE id = :s", u=LEGIT, s=sid)
    assert _round(w) == ["hooks.example.org/gemeente"]  # put right: delivered again

    # inserted: a copy of the legitimate row's values under a new id, to the DBA's URL
    forged = _insert(db_url, {**_columns(db_url, sid), "url": EVIL, "delivered_n": 0})
    assert _vouched(w) == {sid: True, forged: False}
    w.hulpvraag(G, **BODIES["hulpvraag"])
    assert _round(w) == ["hooks.example.org/gemeente"]

    # the delivery position is no part of what the chain vouches for: moving it is harmless
    raw_sql(db_url, "UPDATE subscriptions SET delivered_n = 0 WHERE id = :s", s=sid)
    assert _vouched(w)[sid] is True


def test_a_removed_or_older_subscription_put_back_gets_nothing(wams: Any,
                                                               db_url: str) -> None:
    w = wams
    w.set_setting(G, "webhook_adressen", [HOOKS])
    gone, _ = w.subscribe(G, EVIL)
    values = _columns(db_url, gone)
    assert w.unsubscribe(G, gone)
    # put back exactly as it was (same id, same values): its latest entry is the removal
    _insert(db_url, values, sid=gone)
    w.hulpvraag(G, **BODIES["hulpvraag"])
    assert _vouched(w) == {gone: False}
    assert _round(w) == []
    raw_sql(db_url, "DELETE FROM subscriptions WHERE id = :s", s=gone)

    # an older state put back with a copy of the entry that committed to it, appended as the
    # newest entry for the subscription: the copy's keyed hash names another place in the chain
    sid, _ = w.subscribe(G, EVIL)
    older = _columns(db_url, sid)
    [(first_n,)] = raw_sql(db_url, "SELECT max(chain_n) FROM history WHERE gemeente = :g "
                           "AND projection_ref = :r", g=G, r=f"abonnement:{sid}")
    assert w.rotate_subscription_secret(G, sid)  # the chain now commits to version 2
    raw_sql(db_url, "UPDATE subscriptions SET secret_version = :v, rotated_at = NULL "
            "WHERE id = :s", v=older["secret_version"], s=sid)
    assert _vouched(w) == {sid: False}  # the older state alone
    w.hulpvraag(G, **BODIES["hulpvraag"])  # an event owed (before the forged entry)
    cols = ("gemeente, case_id, at, step, allowed, code, actor, trace_id, idempotency_key, "
            "decision, content, content_salt, content_digest, prev_hash, entry_hash, key_id, "
            "writes_digest, projection_ref, projection_digest")
    raw_sql(db_url, f"INSERT INTO history (chain_n, {cols}) SELECT "
            "(SELECT max(chain_n) + 1 FROM history WHERE gemeente = :g), "
            f"{cols} FROM history WHERE gemeente = :g AND chain_n = :n", g=G, n=first_n)
    assert _vouched(w) == {sid: False}
    assert _round(w) == []


def test_a_secret_rotation_does_not_vouch_for_a_redirected_subscription(wams: Any,
                                                                        db_url: str) -> None:
    """Rotating the secret commits the row anew; on a row changed around wams it is refused,
    or the chain would vouch for the DBA's URL from then on."""
    import pytest

    from wams.core.errors import TamperedError

    w = wams
    sid, _ = w.subscribe(G, LEGIT)
    raw_sql(db_url, "UPDATE subscriptions SET url = :u WHERE id = :s", u=EVIL, s=sid)
    [(entries,)] = raw_sql(db_url, "SELECT count(*) FROM history")
    with pytest.raises(TamperedError, match="niet het abonnement"):
        w.rotate_subscription_secret(G, sid)
    assert raw_sql(db_url, "SELECT count(*) FROM history") == [(entries,)]
    assert _columns(db_url, sid)["secret_version"] == 1
    assert _vouched(w) == {sid: False}
