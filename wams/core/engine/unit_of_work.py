"""The unit of work: one transaction of one municipality, as the engine opens it.

It carries what a step or a privacy operation needs inside that transaction (the store, the
time of the command, the municipality's pseudonyms, the data keys that seal personal data, the
log writer, the register versions) and implements :class:`wams.core.privacy.work.UnitOfWork`.
It does not commit: whoever opened the transaction does, so a step and its log rows are
stored together or not at all.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Iterable, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from wams.core.catalogue import Catalogue
from wams.core.errors import InputError, SealError
from wams.core.ids import trace_id
from wams.core.law.lifecycle import Processing
from wams.core.law.records import KeyStore
from wams.core.model import Caller, Persoon
from wams.core.privacy import actors as actors_room
from wams.core.privacy import logexport, periods, places
from wams.core.privacy.actors import ActorRegister
from wams.core.privacy.places import Place
from wams.core.privacy.processing import log_rows
from wams.core.privacy.pseudonyms import (
    PseudonymKeys,
    keyed_digest,
    pseudonym,
    subject_key,
    subject_type,
)
from wams.core.privacy.register import ActivityVersions
from wams.core.privacy.sealing import DataKeys, is_sealed
from wams.core.serialize import dumps
from wams.core.storage.destruction import destroy_data_key
from wams.core.storage.repository import Store

if TYPE_CHECKING:  # the batch makes them; a transaction only carries them
    from wams.core.engine.case_rows import HeldCases

#: receives the Logboek records of one write; raising aborts the transaction
LogSink = Callable[[list[dict[str, Any]]], None]


class Transaction:
    """One open transaction; see :class:`wams.core.privacy.work.UnitOfWork`."""

    def __init__(self, *, gemeente: str | None, store: Store, now: dt.datetime,
                 catalogue: Catalogue, activities: ActivityVersions, keys: PseudonymKeys,
                 key_store: KeyStore, data_keys: DataKeys, subject_namespace: str = "",
                 caller: Caller | None = None, log_sink: LogSink | None = None,
                 actors: ActorRegister | None = None) -> None:
        self.gemeente = gemeente
        self.store = store
        self.now = now
        self.catalogue = catalogue
        self.activities = activities
        self._keys = keys
        #: The key store of the engine (keys never live in the database).
        self.keys = key_store
        self.data_keys = data_keys
        self._namespace = subject_namespace
        # Logboek Dataverwerkingen: the calling action at another application, whose trace
        # this transaction's records continue.
        self.caller = caller
        # Called with the Logboek records of every write, inside the transaction: what it
        # raises rolls the step back (an exporter that fails closed).
        self.log_sink = log_sink
        # Who acted is kept as a pseudonym wherever the store writes an actor (the register
        # of actors holds the name); without a register (a tool's own transaction): as given.
        if actors is not None:
            store.actors.alias = lambda gemeente, actor: actors.stored(self, gemeente, actor)
        self._shown: dict[tuple[str, str], str] = {}
        #: an all-or-nothing batch's held case rows (``wams.core.engine.case_rows``), and
        #: whether this command's step holds its case's row (the batch's next command
        #: continues the case)
        self.held_cases: HeldCases | None = None
        self.hold_case = False

    def _tenant(self) -> str:
        if self.gemeente is None:
            raise InputError("deze handeling hoort bij één gemeente; noem de gemeente")
        return self.gemeente

    def subject_of(self, persoon: Persoon, case_id: str | None = None) -> tuple[str, str]:
        key = self._keys.key(self._tenant())
        # Revision 2, item 4: a ref is scoped by its case, so two persons sharing a ref in
        # different cases never share a pseudonym (nor each other's access reports).
        namespace = f"{self._namespace}{case_id or '-'}:"
        return (pseudonym(key, subject_key(persoon, namespace)), subject_type(persoon))

    def fingerprint(self, case_id: str | None, step: str, command: object) -> str:
        """What makes a command the same command (step, case, payload), keyed with the
        municipality's pseudonym key: the history keeps it without keeping the payload
        readable (a guessed payload cannot be confirmed without the key store)."""
        key = self._keys.key(self._tenant())
        text = f"{step}\n{case_id or ''}\n{dumps(command)}"
        return hmac.digest(key.material, text.encode(), "sha256").hex()

    def idempotency_digest(self, idempotency_key: str) -> str:
        """How an idempotency key is kept: a keyed digest, never the caller's text (which may
        hold a name or a BSN, and which the chain would keep beyond any destruction)."""
        return self.keyed_digest("idempotency", idempotency_key)

    def keyed_digest(self, kind: str, text: str, gemeente: str | None = None) -> str:
        """``text`` as a keyed digest under the municipality's pseudonym key
        (:func:`wams.core.privacy.pseudonyms.keyed_digest`): what the log or the history
        keeps of a caller's text that belongs to no record (and so to no data key), which
        may hold a name and which the chain would keep beyond any destruction."""
        return keyed_digest(self._keys.key(gemeente or self._tenant()), kind, text)

    def new_data_key(self, period: str | None = None, *, gemeente: str | None = None) -> str:
        return self.data_keys.create(self.store, gemeente or self._tenant(),
                                     period or periods.open_period(self.now.date()))

    def actor_names(self, gemeente: str, stored: Iterable[str]) -> dict[str, str]:
        """How each stored actor (a pseudonym) is shown: the name from the register of
        actors, or that it was erased; one query for those not asked before."""
        missing = {s for s in stored if (gemeente, s) not in self._shown}
        if missing:
            for s, shown in actors_room.names(self, gemeente, missing).items():
                self._shown[(gemeente, s)] = shown
        return {s: self._shown[(gemeente, s)] for s in stored}

    def move_data_key(self, data_key: str, period: str) -> None:
        row = self.store.data_key(data_key)  # one read: whether to move and what
        if row is not None and row[3] != period:
            self.data_keys.move(self.store, row[0], (data_key, row[1], row[2], row[3]), period)

    def seal(self, data_key: str, text: str, place: Place) -> str:
        return self.data_keys.seal(self.store, data_key, text, place)

    def unseal(self, value: str | None, place: Place, *, plain: bool = False) -> str | None:
        """The text of a value sealed for ``place`` (None: its key was destroyed). A value
        sealed for another place, and plain text where a sealed value belongs, were written
        around wams (a DBA moving or "restoring" a value without the keys): refused as
        tampering, unless ``plain`` says the column may hold plain text (a purpose that is a
        code, not the caller's words)."""
        if value is None:
            return None
        if not is_sealed(value):
            if plain:
                return value
            raise SealError("onversleutelde tekst staat waar versleutelde gegevens horen: "
                            "buiten wams om gewijzigd in de database ('wams audit verify' "
                            "wijst de rij aan)")
        return self.data_keys.open(self.store, value, place)

    def destroy_data_key(self, data_key: str) -> dict[str, str | None]:
        # Deleting the row is the destruction (crypto-shredding); the entry that created the
        # key committed to it, so what it was is recorded in destroyed_rows (destruction.py).
        wrapped_by = destroy_data_key(self.store, self._tenant(), data_key)
        self.data_keys.forget(data_key)
        return periods.proof_fields(wrapped_by)

    def trace_id(self) -> str:
        """The trace of this transaction's step: the caller's, continued, or a new one."""
        if self.caller is not None and self.caller.trace_id:
            return self.caller.trace_id
        return trace_id()

    def write_log(self, processings: tuple[Processing, ...], *, step: str, trace: str,
                  actor: str, subjects: Mapping[str, tuple[str, str]],
                  case_id: str | None = None, data_key: str | None = None) -> int:
        gemeente = self._tenant()

        def activity_uri(code: str, category: str | None) -> str:
            # A plugin's register entry for this category, where it declares one (R36).
            return self.activities.uri(self.store, gemeente,
                                       self.catalogue.activity(code, category), self.now)

        rows = log_rows(gemeente=gemeente, step=step, trace=trace, actor=actor, now=self.now,
                        processings=processings, subjects=subjects, case_id=case_id,
                        activity_uri=activity_uri, caller=self.caller,
                        special_of=self.catalogue.special_of)
        if data_key is not None:
            # A purpose may be the caller's free text: it is part of the sealed content of
            # the case (or melding, betrokkenheid) and goes with its key (R33), bound to its
            # own record.
            for row in rows:
                if row["purpose"]:
                    row["purpose"] = self.seal(data_key, row["purpose"],
                                               places.log_purpose(gemeente, row["span_id"]))
        self.store.insert_log(rows, step=step)
        if self.log_sink is not None and rows:
            resource = logexport.resource()
            self.log_sink([logexport.record(SimpleNamespace(**row), resource) for row in rows])
        return len(rows)
