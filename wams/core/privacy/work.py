"""What a privacy operation may use of the engine: one transaction of one municipality.

The privacy operations (access report, register, retention, meldpunt) never reach into the
engine's connection, lock or caches. The engine hands them a :class:`UnitOfWork` for the span
of one transaction (``with engine.unit_of_work(gemeente) as uow:``): the store, the clock's
``now``, the municipality's pseudonyms, a way to write processing-log rows and the register
versions in force. Everything an operation writes through it commits together or not at all.
These are protocols: the engine (``wams.core.engine``) implements them, and this room does not
import it (the engine imports this room).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from wams.core.catalogue import Catalogue
    from wams.core.clock import Clock
    from wams.core.law.lifecycle import Processing
    from wams.core.law.records import KeyStore
    from wams.core.model import Decision, Persoon
    from wams.core.privacy.actors import ActorRegister
    from wams.core.privacy.places import Place
    from wams.core.privacy.register import ActivityVersions
    from wams.core.storage.repository import Store

class UnitOfWork(Protocol):
    """One open transaction of one municipality (or of all, for ``gemeente`` None: an
    operator's run that only reads before it acts through :meth:`Operator.execute`)."""

    gemeente: str | None
    store: Store
    now: dt.datetime
    catalogue: Catalogue
    activities: ActivityVersions
    #: The key store (KEKs, pseudonym keys, the chain key): never the database.
    keys: KeyStore

    def subject_of(self, persoon: Persoon, case_id: str | None = None) -> tuple[str, str]:
        """The person's keyed pseudonym and its type, as the processing log records them. A
        person without BSN is known by the caller's ref, which means something only inside
        one case: his pseudonym is scoped by ``case_id`` (None: outside any case)."""
        ...

    def new_data_key(self, period: str | None = None, *, gemeente: str | None = None) -> str:
        """A new data key of this municipality (for a case, melding, betrokkenheid or an
        actor's entry; ``gemeente``: of that one), stored wrapped by the KEK of ``period``
        (``wams.core.privacy.periods``; None: the open month of now); returns its id."""
        ...

    def move_data_key(self, data_key: str, period: str) -> None:
        """Re-wrap ``data_key`` under the KEK of ``period`` (it now falls in that period),
        unless it is there already."""
        ...

    def seal(self, data_key: str, text: str, place: Place) -> str:
        """``text`` sealed (AES-GCM) under the data key ``data_key``, bound to ``place``
        (:mod:`wams.core.privacy.places`)."""
        ...

    def unseal(self, value: str | None, place: Place, *, plain: bool = False) -> str | None:
        """The plain text of a value sealed for ``place`` (None once its key is destroyed);
        a value sealed for another place, and plain text, are refused as tampering
        (``SealError``), plain text unless ``plain`` allows it for this column."""
        ...

    def keyed_digest(self, kind: str, text: str, gemeente: str | None = None) -> str:
        """``text`` (of kind ``kind``) as a keyed digest ``hmac:<hex>`` (under the pseudonym
        key of ``gemeente``, default this one): kept where a caller's text belongs to no
        record, so that no destruction has to reach it."""
        ...

    def actor_names(self, gemeente: str, stored: Iterable[str]) -> dict[str, str]:
        """How each actor the log or the history keeps (a pseudonym) is shown: the name in
        the register of actors, or that it was erased (:mod:`wams.core.privacy.actors`)."""
        ...

    def destroy_data_key(self, data_key: str) -> dict[str, str | None]:
        """Delete a data key: what was sealed under it is unreadable everywhere (R33).
        Returns what the proof of destruction records of the KEK that wrapped it."""
        ...

    def write_log(self, processings: tuple[Processing, ...], *, step: str, trace: str,
                  actor: str, subjects: Mapping[str, tuple[str, str]],
                  case_id: str | None = None, data_key: str | None = None) -> int:
        """Write one log row per processing (R36); returns how many. With ``data_key`` the
        purposes (free text) are sealed under it."""
        ...

class Steps(Protocol):
    """Runs lifecycle steps: the engine itself (a transaction each) or a batch of it."""

    def execute(self, gemeente: str, case_id: str | None, command: object, *,
                actor: str = ..., idempotency_key: str | None = ...,
                expected_version: int | None = ...) -> Decision: ...


class Operator(Steps, Protocol):
    """The engine as the privacy operations see it."""

    clock: Clock
    catalogue: Catalogue
    keys: KeyStore
    defer_scrub: bool
    #: who acted: registered once per actor (wams.core.privacy.actors)
    actors: ActorRegister

    def unit_of_work(self, gemeente: str | None) -> AbstractContextManager[UnitOfWork]: ...

    def batch(self, *, all_or_nothing: bool = False) -> AbstractContextManager[Steps]:
        """Many steps in one transaction, each as on its own (the retention run): a step that
        raises is undone alone (a savepoint each), or (``all_or_nothing``) nothing of the
        batch is stored."""
        ...

    def scrub_files(self) -> bool: ...
