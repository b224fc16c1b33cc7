"""The administration part of the Python API (:class:`wams.api.Wams` inherits it): the key
store, the log export, the FG's purpose warnings, and what a bulk run needs (which records a
database holds already, a run under its own clock and namespace). The CLI, the scenario runner
and the archive loader use these, never the engine behind them."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from wams.core.clock import Clock
from wams.core.engine import Engine


class AdminMethods:
    """Keys, the log export, warnings, bulk runs; see each method."""

    @property
    def engine(self) -> Engine:  # provided by Wams
        raise NotImplementedError

    # -- keys (wams keys ...) -------------------------------------------------------------

    def init_keys(self, gemeente: str) -> dict[str, str]:
        """``wams keys init``: the keys ``gemeente`` has none of yet, made now (purpose → key
        id). A key the database names but the store lacks is never made anew."""
        from wams.core.engine import keys

        return keys.init(self.engine, gemeente)

    def old_keys_in_use(self, gemeente: str | None = None) -> dict[tuple[str, str], int]:
        """(gemeente, KEK id) → data keys still wrapped by a KEK that is no longer current:
        what retiring that KEK would make unreadable."""
        from wams.core.engine import keys

        return keys.still_using(self.engine, gemeente)

    def retire_key(self, gemeente: str, kek_id: str) -> None:
        """``wams keys retire``: delete an old KEK from the key store; refused while a data
        key is wrapped by it."""
        from wams.core.engine import keys

        keys.retire(self.engine, gemeente, kek_id)

    def key_store_name(self) -> str:
        """Where the keys are (the key file's path, a Vault address), for messages."""
        return self.engine.keys.describe()

    # -- the log and the FG's listings ------------------------------------------------------

    def export_log_lines(self, *, gemeente: str | None = None,
                         since: dt.date | None = None) -> Iterator[str]:
        """``wams log export``: the processing log as JSON lines (one record a line)."""
        from wams.core.privacy import logexport

        return logexport.lines(self.engine.db, gemeente=gemeente, since=since)

    def purpose_warnings(self, gemeente: str) -> list[dict[str, Any]]:
        """Every purpose warning of ``gemeente`` for the FG, oldest first: when, which step
        of which case, the purpose code and the term found; no person, none of the text."""
        from wams.core.privacy import purpose_warnings

        return purpose_warnings.listing(self.engine, gemeente)

    def erase_actor(self, gemeente: str, naam: str, *, actor: str) -> int:
        """``wams actor wis``: erase ``naam`` from the register of actors of ``gemeente``
        (its sealed entry and data key); the history and the log keep the pseudonym and show
        that the name was erased. ``actor``: who erases it (logged). Returns how many entries
        (one per pseudonym-key generation; 0: no such name)."""
        from wams.core.privacy import actors

        return actors.erase_actor(self.engine, gemeente, naam, actor=actor)

    # -- bulk runs ----------------------------------------------------------------------------

    def answered(self, gemeente: str, keys: Sequence[str]) -> set[str]:
        """Which of the idempotency ``keys`` answered a command of ``gemeente`` already (a
        resumed bulk load skips those records)."""
        return self.engine.answered(gemeente, keys)

    @contextlib.contextmanager
    def running_as(self, *, clock: Clock | None = None,
                   namespace: str | None = None) -> Iterator[None]:
        """Steps inside the block run at ``clock`` and name persons known only by their ref
        within ``namespace`` (a scenario file's or an archive record's own people); both are
        put back after."""
        engine = self.engine
        before = engine.clock, engine.subject_namespace
        if clock is not None:
            engine.clock = clock
        if namespace is not None:
            engine.subject_namespace = namespace
        try:
            yield
        finally:
            engine.clock, engine.subject_namespace = before
