"""The recovery probe: destruction that holds against whoever holds the live key file (issue 19).

The attacker is the realistic insider: he holds the installation's key file as it is *now*, a
backup of the database taken *before* destruction, and the raw files (SQLite db + WAL, also
with a reader open during the destruction; on PostgreSQL the heap files, ``pg_wal`` after a
CHECKPOINT and a ``pg_dump``). He knows the format: a data key row is its id, municipality,
KEK id and the wrapped key (base64 of nonce ‖ AES-GCM ‖ tag, 80 characters), and a sealed value
is ``<data key id>:<base64>``. He tries every KEK of the key file on every wrapped key he can
find near every data key id, and opens every sealed value with every data key he recovered.

Control: right after destruction, before the retention run retired the period's KEK, the same
probe on the same backup recovers the persons' names (so finding nothing later means
something). After ``settle`` (the end of ``wams retention run``) it recovers nothing, the backup
does not open with the live key file (one clear error), and ``wams audit verify`` is intact.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tests.test_at_rest import (
    PG_DUMP,
    G,
    World,
    _datadir,
    _files,
    check_stored_sealed,
    run_everything,
)
from wams.core.privacy.keystore import KeyMissingError
from wams.core.privacy.periods import open_period, settle
from wams.core.storage import audit

#: where the retention run happens: every term of run_everything (12 months from 2027-02-01)
#: has passed, and so has the month it ended in
AFTER = dt.date(2028, 3, 1)
B64 = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
WRAPPED_CHARS = 80  # base64 of 12 + 32 + 16 bytes
SEALED = re.compile(rb"([0-9a-f]{32}):([A-Za-z0-9+/]+={0,2})")


def keks(key_file: Path) -> list[AESGCM]:
    """Every KEK in the key file as it is now (any period, any municipality)."""
    data = json.loads(key_file.read_text())["gemeenten"]
    return [AESGCM(bytes.fromhex(material)) for purposes in data.values()
            for purpose, entry in purposes.items() if purpose.startswith("kek")
            for material in entry["keys"].values()]


def recover(sources: list[bytes], ids: set[str], key_file: Path) -> list[str]:
    """All plain text the attacker opens: data keys unwrapped from any 80-character base64
    window within 400 bytes after any occurrence of a known data key id, then every sealed
    value of those keys. The attacker does not need a value's place (its associated data):
    with the data key, AES-GCM's counter mode opens the ciphertext without checking the tag."""
    ciphers = keks(key_file)
    data_keys: dict[str, bytes] = {}
    for raw in sources:
        for key_id in ids - set(data_keys):
            aad = f"wams-data-key:{G}:{key_id}".encode()
            start = raw.find(key_id.encode())
            while start != -1 and key_id not in data_keys:
                near = raw[start + 32:start + 32 + 400]
                for i in range(len(near) - WRAPPED_CHARS + 1):
                    window = near[i:i + WRAPPED_CHARS]
                    if not set(window) <= B64:
                        continue
                    blob = base64.b64decode(window)
                    for kek in ciphers:
                        try:
                            material = kek.decrypt(blob[:12], blob[12:], aad)
                        except InvalidTag:
                            continue
                        data_keys[key_id] = material
                        break
                    if key_id in data_keys:
                        break
                start = raw.find(key_id.encode(), start + 1)
    opened = []
    for raw in sources:
        for match in SEALED.finditer(raw):
            material = data_keys.get(match.group(1).decode())
            if material is None:
                continue
            try:
                blob = base64.b64decode(match.group(2))
                opened.append(_unauthenticated(material, blob).decode())
            except (binascii.Error, ValueError):
                continue
    return opened


def _unauthenticated(key: bytes, blob: bytes) -> bytes:
    """AES-GCM's plain text without its tag: CTR from the nonce's second counter block."""
    nonce, body = blob[:12], blob[12:-16]
    decryptor = Cipher(algorithms.AES(key), modes.CTR(nonce + b"\x00\x00\x00\x02")).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def found(opened: list[str], x: World) -> list[str]:
    joined = "\n".join(opened)
    return [s for s in x.secrets() if s in joined]


def data_key_ids(conn: Any) -> set[str]:
    """The data keys of the records (cases, meldingen, betrokkenheid): what destruction is
    about. The register of actors keeps living (who acted; its own test: test_actor_register),
    so whoever holds the live key file reads those names, as any living record."""
    return {r[0] for r in conn.execute(sa.text(
        "SELECT id FROM data_keys WHERE id NOT IN (SELECT data_key FROM actors)"))}


def destroy_due(w: Any, clock: Any) -> None:
    clock.set(AFTER)
    done = w.retention_run() + w.retention_run_records()
    assert len(done) == 4 and all(i["vernietigd"] for i in done), done


def retire(w: Any, key_file: Path) -> None:
    """The end of ``wams retention run``: every period that is over leaves the key store."""
    retired = settle(w.engine)
    assert retired and all("sleutels" in item for item in retired), retired
    assert {item["periode"] for item in retired} >= {"open:2027-02", "2028-02"}
    left = json.loads(key_file.read_text())["gemeenten"][G]
    # Only the open month's KEK is left: it wraps the register of actors (who acted lives on
    # and moves on with each run), none of the destroyed records.
    assert [p for p in left if p.startswith("kek")] == [f"kek:{open_period(AFTER)}"], left
    with w.engine.unit_of_work(None) as uow:
        assert data_key_ids(uow.store.conn) == set()  # of the records, none is left
    # No copy of the old file beside it (the store rewrote itself: temp, fsync, rename).
    assert [p.name for p in key_file.parent.iterdir()
            if p.name.startswith(f".{key_file.name}.")] == []


def audit_intact(w: Any, today: dt.date) -> audit.Report:
    with w.engine.db.connect() as conn:
        return audit.verify(conn, w.engine.keys, today=today)


def check_backup_refused(url: str, key_file: Path) -> None:
    from wams.api import Wams

    with pytest.raises(KeyMissingError, match="kek"):
        Wams.open(url, key_file=str(key_file))


# -- SQLite -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", [False, True], ids=["alone", "reader-open"])
def test_sqlite_recovers_nothing_once_the_period_is_retired(tmp_path: Path, clock: Any,
                                                            key_file: str,
                                                            reader: bool) -> None:
    from wams.api import Wams

    keys = Path(key_file)
    path = tmp_path / "wams.db"
    backup = tmp_path / "backup.db"
    x = World()
    w = Wams.open(f"sqlite:///{path}", clock=clock, key_file=key_file)
    try:
        run_everything(w, x, clock)
        check_stored_sealed(w, x)
        with w.engine.db.connect() as conn:
            ids = data_key_ids(conn)
        # The backup, taken before destruction (SQLite's online backup: db and WAL in one).
        with sqlite3.connect(path) as live, sqlite3.connect(backup) as copy:
            live.backup(copy)
        held = None
        if reader:
            held = sqlite3.connect(path)
            held.execute("BEGIN")
            held.execute("SELECT count(*) FROM data_keys").fetchone()
        destroy_due(w, clock)
        files = [path, Path(f"{path}-wal"), backup]
        # Control: with the period's KEK still in the key file, the backup gives it all away.
        assert found(recover([_files(f) for f in files], ids, keys), x)
        assert not audit_intact(w, AFTER).intact  # and the audit says the period is over
        retire(w, keys)
        sources = [_files(f) for f in files]
        assert recover(sources, ids, keys) == []
        if held is not None:
            held.close()
        assert audit_intact(w, AFTER).intact
    finally:
        w.close()
    assert recover([_files(path, Path(f"{path}-wal"), backup)], ids, keys) == []
    check_backup_refused(f"sqlite:///{backup}", keys)


# -- PostgreSQL -------------------------------------------------------------------------------


def _dump(url: str) -> bytes:
    plain = sa.engine.make_url(url)
    return subprocess.run(
        [PG_DUMP, "-h", plain.host or "127.0.0.1", "-p", str(plain.port or 5432),
         "-U", plain.username or "postgres", plain.database or "postgres"],
        capture_output=True, check=True).stdout


def test_postgresql_recovers_nothing_once_the_period_is_retired(clock: Any, key_file: str,
                                                                tmp_path: Path) -> None:
    from tests.conftest import _postgres_url, _reset_postgres
    from wams.api import Wams

    keys = Path(key_file)
    url = _postgres_url()
    datadir = _datadir()
    _reset_postgres(url)
    x = World()
    w = Wams.open(url, clock=clock, key_file=key_file)
    try:
        run_everything(w, x, clock)
        check_stored_sealed(w, x)
        with w.engine.db.connect() as conn:
            ids = data_key_ids(conn)
            oid = conn.exec_driver_sql(
                "SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
        backup = _dump(url)  # taken before destruction
        assert b"data_keys" in backup
        destroy_due(w, clock)
        assert found(recover([backup], ids, keys), x)  # control
        retire(w, keys)
        assert audit_intact(w, AFTER).intact
        with w.engine.db.connect() as conn:
            conn.exec_driver_sql("CHECKPOINT")
    finally:
        w.close()
    heap = sorted(p for p in (datadir / "base" / str(oid)).iterdir() if p.is_file())
    wal = sorted(p for p in (datadir / "pg_wal").iterdir() if p.is_file())
    assert heap and wal
    assert recover([backup, _dump(url)], ids, keys) == []
    assert recover([_files(*heap)], ids, keys) == []
    for segment in wal:
        assert recover([segment.read_bytes()], ids, keys) == [], segment.name
    # The backup restored beside the live key file: one clear error, nothing read.
    restored = tmp_path / "restored.sql"
    restored.write_bytes(backup)
    _reset_postgres(url)
    plain = sa.engine.make_url(url)
    subprocess.run([shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql", "-q",
                    "-h", plain.host or "127.0.0.1", "-p", str(plain.port or 5432),
                    "-U", plain.username or "postgres", "-d", plain.database or "postgres",
                    "-f", str(restored)], capture_output=True, check=True)
    check_backup_refused(url, keys)
