"""The register of actors: who acted, kept apart from the rows that say what they did.

Every step, read and destruction names who did it (R36). Those rows — the history, the
processing log, the proofs of destruction — outlive every case, and the keyed chain covers
them, so nothing in them can ever be erased. An official's name (or a party's, or a
caseworker's login that is a name) written there in clear would be personal data of the
official kept for as long as the log, readable by anyone with a copy of the database.

So those rows keep an actor only by a keyed pseudonym: HMAC-SHA256 under the municipality's
pseudonym key (key store, never the database), ``hmac:<hex>``. A copy of the database alone
does not say who acted; whoever holds the key file can confirm a guessed name, but not read
one. The name itself is in the register (table ``actors``): sealed under a data key of its
own, bound to its place (municipality, pseudonym), in the keyed chain like any covered row.
The access report, the case's steps and the audit profile of the log export resolve the
pseudonym through it, so the log still says who acted (accountability, AVG art. 5(2)).

Erasing an actor (:func:`erase`, ``wams actor wis``) destroys that entry's data key and row
(a ``destroyed_rows`` record keeps the chain verifiable): from then on the log shows the
pseudonym and that the name was erased; once the retention run retires the key's KEK period
(:mod:`wams.core.privacy.periods`, at most a month) no backup opens the name either. The
entries keep verifying. The memorandum is silent on officials' data; when to erase (an
official who left, once the municipality's accountability period for the log is over) is the
municipality's choice, like the bewaartermijn.

An actor's key rides along with open records: wrapped by the KEK of the open month, moved
on by each retention run. After a pseudonym-key rotation the same actor gets a new pseudonym
and a new entry; :func:`erase` finds every entry of a name.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, event

from wams.core.errors import InputError
from wams.core.law.records import KeyStore
from wams.core.privacy import places
from wams.core.privacy.periods import open_period
from wams.core.privacy.pseudonyms import DIGEST_PREFIX, PseudonymKeys, keyed_digest
from wams.core.privacy.sealing import DataKeys
from wams.core.privacy.work import Operator, UnitOfWork
from wams.core.storage import actors as rows
from wams.core.storage.destruction import destroy_rows
from wams.core.storage.repository import Store

#: the keyed digest's kind (domain separation from idempotency keys and references)
KIND = "actor"
#: what a stored actor shows once its entry was erased
ERASED = "gewist uit het actorenregister"
#: the step of the entry that records an erasure
STEP = "actor_gewist"


def shown(stored: str, name: str | None) -> str:
    """How a stored actor is shown: its name while its entry lives; a value that is no
    pseudonym (a migration's own entries) as it is; else that it was erased, with the
    pseudonym (actions of one erased actor still belong together)."""
    if name is not None:
        return name
    if not stored.startswith(DIGEST_PREFIX):
        return stored
    return f"{ERASED} ({stored})"


#: actors whose pseudonym a process keeps at hand (a service has a few hundred)
ACTORS_HELD = 10_000


class ActorRegister:
    """Which actors are registered, per municipality, for the whole engine: after an actor's
    first command a command pays nothing for it (no statement). A registration counts only
    once its transaction committed (connection events), so a rolled-back one is asked
    again."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: set[tuple[str, str]] = set()
        self._pending: set[tuple[str, str]] = set()
        # (gemeente, actor) → its pseudonym, so a known actor's command pays no keyed digest
        # either (a process's pseudonym key does not change while it runs); bounded
        self._pseudonyms: dict[tuple[str, str], str] = {}

    def watch(self, conn: Connection) -> None:
        """Follow the transactions of the engine's connection."""
        event.listen(conn, "commit", self._committed)
        event.listen(conn, "rollback", self._dropped)
        event.listen(conn, "rollback_savepoint", self._dropped)

    def _committed(self, conn: Connection) -> None:
        with self._lock:
            self._known |= self._pending
            self._pending.clear()

    def _dropped(self, conn: Connection, *args: object) -> None:
        # A savepoint rolled back may have undone a registration: ask the database again.
        with self._lock:
            self._pending.clear()

    def forget(self, gemeente: str, pseudonyms: Iterable[str]) -> None:
        with self._lock:
            self._known -= {(gemeente, p) for p in pseudonyms}

    def stored(self, uow: UnitOfWork, gemeente: str, actor: str) -> str:
        """The pseudonym the rows keep of ``actor``; the register gets its entry in this
        transaction when it has none."""
        with self._lock:
            pseudonym = self._pseudonyms.get((gemeente, actor))
            if pseudonym is not None and (gemeente, pseudonym) in self._known:
                return pseudonym
        pseudonym = uow.keyed_digest(KIND, actor, gemeente)
        key = (gemeente, pseudonym)
        with self._lock:
            if len(self._pseudonyms) >= ACTORS_HELD:
                self._pseudonyms.clear()
            self._pseudonyms[(gemeente, actor)] = pseudonym
            if key in self._known or key in self._pending:
                return pseudonym
        # The municipality's chain head first (PostgreSQL: locked to the commit, as for any
        # write the chain covers): two processes meeting a new actor at once register it
        # one after the other, the second finds the first's entry.
        uow.store.stamp(gemeente)
        if not rows.registered(uow.store.conn, gemeente, pseudonym):
            data_key = uow.new_data_key(gemeente=gemeente)
            naam = uow.seal(data_key, actor, places.actor_naam(gemeente, pseudonym))
            rows.insert_actor(uow.store, gemeente, pseudonym, data_key, naam)
        with self._lock:
            self._pending.add(key)
        return pseudonym


def names(uow: UnitOfWork, gemeente: str, stored: Iterable[str]) -> dict[str, str]:
    """stored actor → how it is shown (:func:`shown`), one query for all of them."""
    wanted = set(stored)
    found = {p: uow.unseal(naam, places.actor_naam(gemeente, p))
             for p, _, naam in rows.entries(uow.store.conn, gemeente, wanted)}
    return {s: shown(s, found.get(s)) for s in wanted}


def directory(engine: Operator, gemeente: str | None) -> dict[tuple[str, str], str]:
    """(gemeente, pseudonym) → name of every living entry of the register (of ``gemeente``,
    or of all): for a stream over the whole log (the export's audit profile). The register
    holds one entry per actor, so it fits in memory where the log does not."""
    with engine.unit_of_work(None) as uow:
        gemeenten = [gemeente] if gemeente else rows.municipalities(uow.store.conn)
    found: dict[tuple[str, str], str] = {}
    for g in gemeenten:
        with engine.unit_of_work(g) as uow:
            for pseudonym, _, sealed in rows.entries(uow.store.conn, g):
                naam = uow.unseal(sealed, places.actor_naam(g, pseudonym))
                if naam is not None:
                    found[(g, pseudonym)] = naam
    return found


def erase_actor(engine: Operator, gemeente: str, naam: str, *, actor: str) -> int:
    """Erase ``naam`` from the register of ``gemeente`` (:func:`erase`), recorded by an
    entry of its own (step :data:`STEP`) naming ``actor``, who erased it. Returns how many
    entries were erased (0: the register holds no such name)."""
    for what, value in (("de naam", naam), ("wie wist (actor)", actor)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"noem {what}; een lege waarde wordt niet aanvaard")
    with engine.unit_of_work(gemeente) as uow:
        count = erase(uow, engine.actors, gemeente, naam)
        if count:
            uow.store.seal(at=uow.now, actor=actor, step=STEP)
    return count


def erase(uow: UnitOfWork, register: ActorRegister, gemeente: str, naam: str) -> int:
    """Erase every register entry of the actor ``naam`` (one per pseudonym-key generation):
    its data key destroyed and its row removed, each leaving a ``destroyed_rows`` record for
    the chain. Returns how many entries. The entries that name the actor keep the
    pseudonym."""
    gone = []
    for pseudonym, data_key, sealed in rows.entries(uow.store.conn, gemeente):
        if uow.unseal(sealed, places.actor_naam(gemeente, pseudonym)) == naam:
            destroy_rows(uow.store, rows.actors, gemeente, rows.actors.c.pseudonym == pseudonym)
            uow.destroy_data_key(data_key)
            gone.append(pseudonym)
    register.forget(gemeente, gone)
    return len(gone)


class Adoption:
    """What schema 0014 needs of this room to adopt the actors of an older database (a
    migration imports no room above storage: ``wams db upgrade`` hands this over): the
    digests the engine keeps, and an actor's entry in the register, made as the engine
    makes it."""

    def __init__(self, key_store: KeyStore) -> None:
        self._pseudonyms = PseudonymKeys(key_store)
        self._data_keys = DataKeys(key_store)

    def digest(self, gemeente: str, kind: str, text: str) -> str:
        """:meth:`UnitOfWork.keyed_digest` (kind :data:`KIND` for an actor)."""
        return keyed_digest(self._pseudonyms.key(gemeente), kind, text)

    def register(self, store: Store, gemeente: str, actor: str, today: dt.date) -> str:
        """The entry of ``actor`` in the register (its data key in today's open period),
        written for the next history entry; returns the pseudonym."""
        pseudonym = self.digest(gemeente, KIND, actor)
        data_key = self._data_keys.create(store, gemeente, open_period(today))
        naam = self._data_keys.seal(store, data_key, actor, places.actor_naam(gemeente,
                                                                              pseudonym))
        rows.insert_actor(store, gemeente, pseudonym, data_key, naam)
        return pseudonym
