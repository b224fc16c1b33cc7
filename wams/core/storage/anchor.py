"""Anchors: signed checkpoints of every municipality's chain head, kept outside the database.

The keyed chain stops anyone without the chain key from writing a valid entry, but two
attacks need no key or survive it: deleting the most recent entries and moving the head back
(a shorter chain is still a valid chain), and rewriting the chain by someone who stole the
key. An anchor defeats both. ``wams audit anchor`` first verifies the chain (an anchor of a
broken chain would certify the break), then writes, for each municipality, the head's entry
count and hash, and the time; each municipality signs the *whole* file with its chain key
(HMAC over every head and the set of municipalities), so removing one head, or all, or adding
one breaks every signature, and the file is checked as a whole before any head is used.
Stored elsewhere — another system, a write-once (WORM) bucket, an RFC 3161 timestamp
service through ``--hook`` — it lets ``wams audit verify --anchor FILE`` prove that today's
chain still *extends* it: the entry at the anchored count exists and has the anchored hash.
Anything before an anchor can then no longer be truncated or rewritten unnoticed;
docs/audit.md says how often to anchor.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterable
from typing import Any

import attrs
from sqlalchemy import Connection, select

from wams.core.errors import AnchorError, ChainKeyMissing
from wams.core.storage import chain
from wams.core.storage.coverage import ChainKeys
from wams.core.storage.heads import heads

FORMAT = "wams-anker/2"


@attrs.frozen
class Checkpoint:
    gemeente: str
    chain_n: int
    entry_hash: str
    made_at: str


def take(conn: Connection, keys: ChainKeys, now: dt.datetime) -> dict[str, Any]:
    """The anchor of every municipality's head on ``conn`` (a JSON-ready dict)."""
    made_at = now.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    found = [(g, n, h, keys.current(g)) for g, n, h in conn.execute(
        select(heads.c.gemeente, heads.c.chain_n, heads.c.entry_hash).order_by(heads.c.gemeente))]
    if not found:
        raise AnchorError("de database heeft nog geen keten om te verankeren")
    signed = [(g, n, h, key_id) for g, n, h, (key_id, _) in found]
    entries = [{"gemeente": g, "regels": n, "hash": h, "sleutel": key_id,
                "handtekening": chain.anchor_mac(key, gemeente=g, made_at=made_at,
                                                 heads=signed)}
               for g, n, h, (key_id, key) in found]
    return {"formaat": FORMAT, "gemaakt_op": made_at, "koppen": entries}


def dumps(anchor: dict[str, Any]) -> str:
    return json.dumps(anchor, indent=2, ensure_ascii=False) + "\n"


def publish(text: str, command: str) -> None:
    """The hook to an external timestamp or write-once service: ``command`` runs in a shell
    with the anchor on its standard input (e.g. ``aws s3 cp - s3://bucket/anker-$(date
    +%s).json`` for an Object Lock bucket, or ``openssl ts -query ... | curl ...`` for an
    RFC 3161 authority). A failing command is an error: an anchor nobody stored is none."""
    done = subprocess.run(command, shell=True, input=text, text=True, capture_output=True,
                          check=False)
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or [f"exitcode {done.returncode}"])[0]
        raise AnchorError(f"--hook '{command}' faalde: {first}")


def load(path: str, text: str, keys: ChainKeys) -> list[Checkpoint]:
    """The checkpoints of one anchor file, after every municipality's signature over the
    whole file is checked with its chain key: nothing of a file that fails is used."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnchorError(f"{path}: geen anker (geen JSON: {exc.msg}, regel {exc.lineno})") \
            from exc
    if not isinstance(data, dict) or data.get("formaat") != FORMAT:
        raise AnchorError(f"{path}: geen anker van wams (formaat '{FORMAT}' verwacht; een "
                          "ouder anker wordt niet meer aanvaard: maak een nieuw)")
    made_at = str(data.get("gemaakt_op", ""))
    items = data.get("koppen")
    if not isinstance(items, list) or not items:
        raise AnchorError(f"{path}: het anker heeft geen koppen; het is leeggemaakt")
    parsed = []
    for item in items:
        try:
            parsed.append((str(item["gemeente"]), int(item["regels"]), str(item["hash"]),
                           str(item["sleutel"]), str(item["handtekening"])))
        except (KeyError, TypeError, ValueError) as exc:
            raise AnchorError(f"{path}: een kop mist gemeente, regels, hash, sleutel of "
                              "handtekening") from exc
    if len({g for g, *_ in parsed}) != len(parsed):
        raise AnchorError(f"{path}: een gemeente staat twee keer in het anker")
    signed = [(g, n, h, k) for g, n, h, k, _ in parsed]
    for g, _n, _h, key_id, signature in parsed:
        try:
            key = keys.get(g, key_id)
        except ChainKeyMissing as exc:
            raise AnchorError(f"{path}: ketensleutel {key_id} van gemeente {g} ontbreekt in "
                              "de sleutelopslag; controleer de sleutelopslag") from exc
        if chain.anchor_mac(key, gemeente=g, made_at=made_at, heads=signed) != signature:
            raise AnchorError(f"{path}: de handtekening van gemeente {g} klopt niet: het "
                              "anker is gewijzigd (een kop veranderd, toegevoegd of "
                              "weggehaald) of met een andere sleutel gemaakt")
    return [Checkpoint(g, n, h, made_at) for g, n, h, _k, _s in parsed]


def load_all(files: Iterable[tuple[str, str]], keys: ChainKeys) -> list[Checkpoint]:
    """``(path, text)`` of each anchor file → all their checkpoints."""
    return [cp for path, text in files for cp in load(path, text, keys)]
