"""The key store: keys outside the database, in a file nobody else may read, safe between
processes, pluggable by a supplier, and one clear error when a key is missing."""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import re
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.helpers import actor_keys
from wams import hookimpl
from wams.api import Wams
from wams.core import commands as c
from wams.core.model import Partij, Persoon
from wams.core.privacy.keystore import (
    FileKeyStore,
    KeyMissingError,
    MemoryKeyStore,
    NoKeyStoreError,
    default_key_store,
)
from wams.core.privacy.keyuse import kek_counts
from wams.core.privacy.periods import open_period
from wams.core.privacy.sealing import kek_purpose

#: the KEK purpose of a record opened on the tests' day (its month of opening, while open)
KEK = kek_purpose(open_period(dt.date(2027, 2, 1)))


def test_key_file_is_created_on_first_use_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "k" / "wams.keys"
    store = FileKeyStore(path)
    assert not path.exists()
    key = store.current("0363", "kek")
    assert len(key.material) == 32 and key.id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.current("0363", "kek") == key
    # Another process (a fresh store on the same file) sees the same key.
    assert FileKeyStore(path).current("0363", "kek") == key
    assert FileKeyStore(path).current("0599", "kek") != key
    assert key.material.hex() not in repr(key)


def test_rotation_makes_a_new_current_key_and_keeps_the_old_readable(tmp_path: Path) -> None:
    for store in (FileKeyStore(tmp_path / "wams.keys"), MemoryKeyStore()):
        old = store.current("0363", "pseudonym")
        new = store.rotate("0363", "pseudonym")
        assert new.id != old.id and new.material != old.material
        assert store.current("0363", "pseudonym") == new
        assert store.get("0363", "pseudonym", old.id) == old
        assert store.current("0363", "kek") != new  # purposes never share a key


def test_a_missing_key_names_the_key_store(tmp_path: Path) -> None:
    store = FileKeyStore(tmp_path / "wams.keys")
    store.current("0363", "kek")
    with pytest.raises(KeyMissingError, match="wams.keys"):
        store.get("0363", "kek", "0123456789abcdef")
    with pytest.raises(KeyMissingError, match="geheugen"):
        MemoryKeyStore().get("0363", "kek", "0123456789abcdef")


def test_a_damaged_key_file_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "wams.keys"
    path.write_text("{niet json")
    with pytest.raises(KeyMissingError, match="beschadigd"):
        FileKeyStore(path).current("0363", "kek")


def _create_keys(path: str, gemeente: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]  # noqa: E501
    queue.put({p: FileKeyStore(path).current(gemeente, p).id for p in ("kek", "pseudonym")})


def test_processes_creating_keys_at_once_agree_and_lose_none(tmp_path: Path) -> None:
    path = str(tmp_path / "wams.keys")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_create_keys, args=(path, g, queue))
             for g in ("0363", "0363", "0599", "0599", "0014", "0014")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    seen = [queue.get(timeout=5) for _ in procs]
    store = FileKeyStore(path)
    current = {g: {p: store.current(g, p).id for p in ("kek", "pseudonym")}
               for g in ("0363", "0599", "0014")}
    # Both processes of one municipality were handed the key that is in the file: none
    # created a second "current" key, none was lost when another process wrote the file.
    assert sorted(map(str, seen)) == sorted(map(str, [v for v in current.values()
                                                      for _ in (1, 2)]))


def test_the_default_key_store_follows_the_database(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAMS_KEY_FILE")
    db = tmp_path / "wams.db"
    store = default_key_store(f"sqlite:///{db}", database_path=str(db))
    assert isinstance(store, FileKeyStore) and store.path == Path(f"{db}.keys")
    assert isinstance(default_key_store("sqlite://", database_path=None), MemoryKeyStore)
    with pytest.raises(NoKeyStoreError, match="WAMS_KEY_FILE"):
        default_key_store("postgresql+psycopg://u@h/db", database_path="db")
    monkeypatch.setenv("WAMS_KEY_FILE", str(tmp_path / "elders.keys"))
    store = default_key_store("postgresql+psycopg://u@h/db", database_path="db")
    assert isinstance(store, FileKeyStore) and store.path == tmp_path / "elders.keys"
    chosen = default_key_store("postgresql+psycopg://u@h/db", key_file=tmp_path / "arg.keys")
    assert isinstance(chosen, FileKeyStore) and chosen.path == tmp_path / "arg.keys"


def test_embedded_default_puts_the_key_file_beside_the_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAMS_KEY_FILE")
    db = tmp_path / "wams.db"
    with Wams.open(f"sqlite:///{db}") as w:
        assert isinstance(w.engine.keys, FileKeyStore)
        w.engine.keys.current("0363", "pseudonym")
    assert stat.S_IMODE(os.stat(f"{db}.keys").st_mode) == 0o600


def test_postgresql_without_a_key_store_is_one_clear_error(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAMS_KEY_FILE")
    # The error comes before any connection is made: no server is needed.
    with pytest.raises(NoKeyStoreError, match="wams_key_store"):
        Wams.open("postgresql+psycopg://postgres@127.0.0.1:1/none")


class VaultLike:
    """A supplier's key store (a stand-in for Vault: keys held by another system)."""

    def __init__(self) -> None:
        self.inner = MemoryKeyStore()
        self.asked: list[str] = []

    @hookimpl
    def wams_key_store(self, url: str) -> MemoryKeyStore:
        self.asked.append(url)
        return self.inner


def test_a_plugin_supplies_the_key_store(tmp_path: Path) -> None:
    vault = VaultLike()
    with Wams.open(f"sqlite:///{tmp_path / 'wams.db'}", plugins=[vault]) as w:
        assert w.engine.keys is vault.inner
        assert vault.asked and vault.asked[0].startswith("sqlite")
    # An explicit key file is the caller's choice and wins over every plugin.
    with Wams.open(f"sqlite:///{tmp_path / 'b.db'}", plugins=[vault],
                   key_file=str(tmp_path / "b.keys")) as w:
        assert isinstance(w.engine.keys, FileKeyStore)


# -- the keys and the database, on both backends ------------------------------------------------

JAN = Persoon("jan", bsn="123456782", naam="Jan Sleutel", geboortedatum=dt.date(1980, 1, 2))


def _case(w: Wams) -> str:
    d = w.hulpvraag("0599", wet="participatiewet", client=JAN, vraag="bijstand",
                    aanleiding="achterstanden")
    assert d.allowed and d.case_id
    return d.case_id


def test_keys_rotate_rewraps_every_data_key_and_keeps_pseudonyms(open_wams: Any,
                                                                 db_url: str,
                                                                 key_file: str) -> None:
    from wams.cli.storage import keys_group

    w = open_wams()
    cid = _case(w)
    w.melding("0599", melder=c.Melder("burger", "Iemand"), over=JAN, zorg="zorgen")
    before = w.inzage_persoon("0599", bsn=JAN.bsn, actor="x", verzoek="voor")
    old_kek = w.engine.keys.current("0599", KEK).id
    result = CliRunner().invoke(keys_group, ["rotate", "--db", db_url])
    assert result.exit_code == 0, result.output
    # the case's, the melding's and one per actor (the register of actors)
    rewrapped = 2 + actor_keys(db_url)
    assert f"0599: nieuwe sleutel in gebruik, {rewrapped} gegevenssleutels opnieuw verpakt" \
        in result.output
    w2 = open_wams()  # a fresh engine: nothing cached
    new_kek = w2.engine.keys.current("0599", KEK).id
    assert new_kek != old_kek
    with w2.engine.unit_of_work(None) as uow:
        # Every data key (the case's open month, the melding's retention month) is wrapped
        # by the new KEK of its period.
        used = kek_counts(uow.store.conn)
        assert {k for _, p, k in used if p == KEK} == {new_kek}
        assert all(k == w2.engine.keys.current("0599", p).id for _, p, k in used)
        assert old_kek not in {k for _, _, k in used}
    assert w2.case("0599", cid, actor="x", purpose="behandeling").persons["jan"].persoon.naam == \
        JAN.naam
    after = w2.inzage_persoon("0599", bsn=JAN.bsn, actor="x", verzoek="na")
    assert after["betrokkene"]["pseudoniem"] == before["betrokkene"]["pseudoniem"]
    assert [c["casus"] for c in after["casussen"]] == [cid]


def test_opening_a_database_without_its_keys_is_one_clear_error(open_wams: Any, db_url: str,
                                                                key_file: str,
                                                                tmp_path: Path) -> None:
    from wams.cli.privacy import main

    w = open_wams()
    _case(w)
    w.close()
    Path(key_file).rename(tmp_path / "elders.keys")
    with pytest.raises(KeyMissingError, match=re.escape(key_file)):
        Wams.open(db_url, key_file=key_file)
    result = CliRunner().invoke(main, ["case", "list", "--db", db_url, "--gemeente", "0599"])
    assert result.exit_code == 2
    assert "sleutelopslag" in result.output and key_file in result.output
    assert "Traceback" not in result.output
    # With the key store back, everything is readable again.
    Path(tmp_path / "elders.keys").rename(key_file)
    assert open_wams().cases("0599")


def test_the_database_alone_cannot_link_a_pseudonym_to_a_bsn(open_wams: Any,
                                                             db_url: str) -> None:
    """A DBA with a dump but no key store tries every key-like value in it (any hex or
    base64 string of 16+ bytes, and every key-shaped row) as the HMAC key, against the known
    BSN: no log pseudonym comes out."""
    import base64
    import hashlib
    import hmac

    import sqlalchemy as sa

    from wams.core.privacy.pseudonyms import subject_key

    w = open_wams()
    _case(w)
    w.betrokkenheid("0599", partij=Partij("wijkteam", "wmo.wijkteam"), persoon=JAN,
                    dienst="wmo.maatwerkvoorziening")
    with w.engine.db.connect() as conn:
        tables = sa.inspect(conn).get_table_names()
        values = [str(v) for t in tables for row in conn.execute(sa.text(f"SELECT * FROM {t}"))
                  for v in row if v is not None]
        pseudonyms = {r[0].split(":")[-1] for r in conn.execute(sa.text(
            "SELECT subject FROM processing_log"))}
    assert pseudonyms and "tenant_keys" not in tables
    candidates: set[bytes] = set()
    for value in values:
        for token in re.findall(r"[0-9a-f]{32,}|[A-Za-z0-9+/=]{24,}", value):
            with contextlib.suppress(ValueError):
                candidates.add(bytes.fromhex(token))
            with contextlib.suppress(ValueError):
                candidates.add(base64.b64decode(token, validate=True))
            candidates.add(token.encode())
    # Every 32-byte window of every decoded value too (a key hidden inside a longer blob).
    for blob in list(candidates):
        candidates.update(blob[i:i + 32] for i in range(0, max(0, len(blob) - 31)))
    assert len(candidates) > 50
    subject = subject_key(JAN).encode()
    for key in candidates:
        digest = hmac.new(key, subject, hashlib.sha256).hexdigest()[:32]
        assert digest not in pseudonyms
    # The control: with the key store the pseudonym is found.
    key = w.engine.keys.current("0599", "pseudonym").material
    assert hmac.new(key, subject, hashlib.sha256).hexdigest()[:32] in pseudonyms
