"""The key store: keys outside the database, in a file nobody else may read, safe between
processes, pluggable by a supplier, and one clear error when a key is missing."""

from __future__ import annotations

import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from wams import hookimpl
from wams.api import Wams
from wams.core.privacy.keystore import (
    FileKeyStore,
    KeyMissingError,
    MemoryKeyStore,
    NoKeyStoreError,
    default_key_store,
)


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
        w.engine.keys.current("0363", "kek")
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
