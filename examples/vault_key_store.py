"""A key store in Vault (or a cloud KMS), plugged in through the ``wams_key_store`` hook.

wams keeps its keys outside the database (docs/operations.md). This example keeps them in a
key/value secrets engine such as Vault's KV v2: one secret per municipality and purpose, at
``wams/<gemeente>/<purpose>``, holding the current key id and every key of that purpose. The
same five methods map onto a cloud KMS: ``current``/``rotate`` create a key version, ``get``
fetches one, ``retire`` schedules its deletion, ``purposes`` lists the key aliases.

Destruction reaches this store the way it reaches the key file: ``wams retention run`` calls
``retire(gemeente, "kek:YYYY-MM", id)`` for every destruction period that is over and empty,
and this store deletes the whole secret, *with all its versions* (Vault: ``metadata delete``,
not a soft ``delete`` that keeps older versions readable; a KMS: key deletion, whose waiting
period is the window in which a retirement can still be undone). After that no copy of the
database opens a record destroyed in that period, whoever holds a Vault token.

Run ``python examples/vault_key_store.py``: it runs a case to its destruction with a stand-in
for the Vault client (:class:`MemoryKV`, a dict with Vault's three calls), shows the period's
secret before and after the retention run, and that the destroyed period is gone from Vault.
With a real Vault, pass ``hvac.Client(...)`` wrapped in :class:`HvacKV` instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from typing import Any, Protocol

from wams import Persoon, Wams, hookimpl
from wams.core.clock import Clock
from wams.core.privacy.keystore import Key, KeyInUseError, KeyMissingError, check_purpose
from wams.core.privacy.periods import settle

GEMEENTE = "0599"


class KV(Protocol):
    """The three calls of a key/value secrets engine the store needs."""

    def read(self, path: str) -> dict[str, Any] | None: ...

    def write(self, path: str, data: dict[str, Any]) -> None: ...

    def destroy(self, path: str) -> None:
        """Delete the secret at ``path`` with every version of it."""
        ...

    def list(self, prefix: str) -> list[str]: ...


class HvacKV:
    """:class:`KV` over ``hvac`` (Vault's Python client), KV v2 mounted at ``mount``."""

    def __init__(self, client: Any, mount: str = "secret") -> None:
        self.kv, self.mount = client.secrets.kv.v2, mount

    def read(self, path: str) -> dict[str, Any] | None:
        try:
            return dict(self.kv.read_secret_version(path=path, mount_point=self.mount)
                        ["data"]["data"])
        except Exception:  # noqa: BLE001 - hvac's InvalidPath: no such secret
            return None

    def write(self, path: str, data: dict[str, Any]) -> None:
        self.kv.create_or_update_secret(path=path, secret=data, mount_point=self.mount)

    def destroy(self, path: str) -> None:
        # metadata delete: the secret and every version; a plain delete keeps them.
        self.kv.delete_metadata_and_all_versions(path=path, mount_point=self.mount)

    def list(self, prefix: str) -> list[str]:
        try:
            return list(self.kv.list_secrets(path=prefix, mount_point=self.mount)
                        ["data"]["keys"])
        except Exception:  # noqa: BLE001 - nothing under the prefix
            return []


class MemoryKV:
    """A stand-in for Vault in this example: the same calls on a dict."""

    def __init__(self) -> None:
        self.secrets: dict[str, dict[str, Any]] = {}

    def read(self, path: str) -> dict[str, Any] | None:
        return self.secrets.get(path)

    def write(self, path: str, data: dict[str, Any]) -> None:
        self.secrets[path] = data

    def destroy(self, path: str) -> None:
        self.secrets.pop(path, None)

    def list(self, prefix: str) -> list[str]:
        return sorted({p[len(prefix):] for p in self.secrets if p.startswith(prefix)})


class VaultKeyStore:
    """wams's ``KeyStore`` protocol on a :class:`KV`: one secret per (gemeente, purpose)."""

    def __init__(self, kv: KV, root: str = "wams") -> None:
        self.kv, self.root = kv, root
        self._lock = threading.Lock()  # a real deployment also relies on Vault's CAS

    def _path(self, gemeente: str, purpose: str) -> str:
        return f"{self.root}/{gemeente}/{purpose}"

    def describe(self) -> str:
        return f"Vault-sleutelopslag {self.root}/"

    def current(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            secret = self.kv.read(self._path(gemeente, purpose))
            if secret is None:
                return self._add(gemeente, purpose, {"keys": {}})
            return Key(secret["current"], bytes.fromhex(secret["keys"][secret["current"]]))

    def get(self, gemeente: str, purpose: str, key_id: str) -> Key:
        check_purpose(purpose)
        secret = self.kv.read(self._path(gemeente, purpose))
        if secret is None or key_id not in secret["keys"]:
            raise KeyMissingError(f"sleutel {key_id} ({purpose}) van gemeente {gemeente} "
                                  f"ontbreekt in {self.describe()}")
        return Key(key_id, bytes.fromhex(secret["keys"][key_id]))

    def rotate(self, gemeente: str, purpose: str) -> Key:
        check_purpose(purpose)
        with self._lock:
            secret = self.kv.read(self._path(gemeente, purpose)) or {"keys": {}}
            return self._add(gemeente, purpose, secret)

    def retire(self, gemeente: str, purpose: str, key_id: str) -> None:
        check_purpose(purpose)
        with self._lock:
            path = self._path(gemeente, purpose)
            secret = self.kv.read(path)
            if secret is None or key_id not in secret["keys"]:
                return
            if secret["current"] == key_id:
                if not purpose.startswith("kek"):
                    raise KeyInUseError(f"sleutel {key_id} ({purpose}) is de huidige")
                # A period's KEK: the whole secret goes, every version with it.
                self.kv.destroy(path)
                return
            del secret["keys"][key_id]
            # Written as a new version, then the old versions destroyed with the metadata,
            # so no earlier version still holds the retired key.
            self.kv.destroy(path)
            self.kv.write(path, secret)

    def purposes(self, gemeente: str) -> list[str]:
        return self.kv.list(f"{self.root}/{gemeente}/")

    def _add(self, gemeente: str, purpose: str, secret: dict[str, Any]) -> Key:
        key = Key(secrets.token_hex(8), secrets.token_bytes(32))
        secret = {"current": key.id, "keys": {**secret["keys"], key.id: key.material.hex()}}
        self.kv.write(self._path(gemeente, purpose), secret)
        return key


class VaultPlugin:
    """The plugin: answers ``wams_key_store`` for every database."""

    __name__ = "vault-sleutels"

    def __init__(self, store: VaultKeyStore) -> None:
        self.store = store

    @hookimpl
    def wams_key_store(self, url: str) -> VaultKeyStore:
        return self.store


def main() -> dict[str, list[str]]:
    kv = MemoryKV()
    clock = Clock(dt.date(2027, 2, 1))
    w = Wams.open("sqlite://", clock=clock, plugins=[VaultPlugin(VaultKeyStore(kv))])
    jan = Persoon("jan", bsn="123456782", naam="Jan Voorbeeld",
                  geboortedatum=dt.date(1980, 1, 2))
    d = w.hulpvraag(GEMEENTE, wet="participatiewet", client=jan, vraag="bijstand",
                    aanleiding="achterstanden")
    assert d.allowed and d.case_id
    w.terugkoppeling(GEMEENTE, d.case_id, samenvatting="geen grondslag")  # closes the case
    before = kv.list(f"wams/{GEMEENTE}/")
    clock.set(dt.date(2028, 3, 1))  # 12 months after closing, and that month is over
    w.retention_run()
    retired = settle(w.engine)
    after = kv.list(f"wams/{GEMEENTE}/")
    w.close()
    for item in retired:
        print(f"periode {item['periode']}: {item.get('sleutels') or item.get('reden')}")
    print(f"in Vault voor: {', '.join(before)}")
    print(f"in Vault na:   {', '.join(after)}")
    return {"voor": before, "na": after}


if __name__ == "__main__":
    main()
