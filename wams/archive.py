"""Loading a municipality's existing archive through the rules (``wams archive load``).

An archive is a JSON Lines file: one case record per line, each written as a scenario document
(``formaat``, ``scenario``, ``gemeente``, ``datum``, ``personen``, ``partijen``, ``stappen``:
the keys of docs/scenarios.md), where ``scenario`` names the record, for instance the old
system's case number, unique within the municipality. Every step is a command like any other:
decided by the same rules, logged, sealed and chained. Each record runs at its own dates (its
``datum`` and ``tijd`` steps), so bewaartermijnen count from the archive's dates, not from the
day of the migration.

Records are loaded in batches, one transaction each, all or nothing (the chain head written
once per batch; each case's row once, by its record's last step: the others promise that the
next step continues the case, ``wams.core.engine.case_rows``), while a process of its own reads
and checks the next batch (:func:`read_ahead`). A record's first command carries the
idempotency key ``archief:<scenario>``: the record is in the database exactly when that key
is, because its batch commits all its steps or none. A run that was stopped (a kill, a crash,
a full disk) is started again with the same command: before each batch it asks the database
which of the batch's records it holds, skips those and loads the rest. Nothing is loaded
twice and no case is half-written.

A malformed record stops the run before its batch touches the database (one line: file, line,
step, key; exit 2); the batches before it stay loaded, so after the fix the same command goes
on where it stopped. A step the rules refuse is stored as a refusal, as it would be live, and
reported unless the record's step says it expects that (``verwacht``, as in a scenario).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from wams.archive_records import chunks, read_ahead
from wams.core.clock import Clock
from wams.core.errors import ArchiveError, InputError, StepInputError
from wams.core.scenario.format import Scenario
from wams.core.scenario.run import run_steps

if TYPE_CHECKING:
    from wams.api import Wams

#: records a transaction unless the caller says otherwise
BATCH = 500
#: the idempotency key of a record's first command (what tells a later run it is loaded)
MARK = "archief:{}"


@dataclass
class Progress:
    """Where a load is: records read so far (of ``total``), loaded by this run, skipped
    (already in the database), steps whose outcome differs from what the record expects."""

    total: int
    read: int = 0
    loaded: int = 0
    skipped: int = 0
    differing: int = 0
    seconds: float = 0.0
    #: one line per step that differs (record, step, what happened)
    differences: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Records loaded a second by this run."""
        return self.loaded / self.seconds if self.seconds > 0 else 0.0


def count(path: str | Path) -> int:
    """The records of an archive file (its non-empty lines), for progress."""
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip())


def load(w: Wams, path: str | Path, *, batch: int = BATCH,
         on_progress: Callable[[Progress], None] | None = None) -> Progress:
    """Load the archive at ``path`` into ``w``'s database (see the module's description);
    ``on_progress`` hears after every batch. Raises :class:`ArchiveError` for a malformed
    record (the batches before it are stored). An archive of more than one batch is read
    ahead by a process of its own (:func:`read_ahead`)."""
    if batch < 1:
        raise InputError(f"batch {batch}: neem 1 of meer zaken per transactie")
    progress = Progress(total=count(path))
    start = time.perf_counter()
    read = read_ahead if progress.total > batch else chunks
    for chunk in read(path, batch):
        progress.read += len(chunk)
        todo = _not_loaded(w, chunk, path)
        progress.skipped += len(chunk) - len(todo)
        if todo:
            _load_batch(w, todo, path, progress)
        progress.loaded += len(todo)
        progress.seconds = time.perf_counter() - start
        if on_progress is not None:
            on_progress(progress)
    return progress


def _not_loaded(w: Wams, chunk: list[tuple[int, Scenario]], path: str | Path,
                ) -> list[tuple[int, Scenario]]:
    """The records of ``chunk`` the database does not hold yet: one question a municipality."""
    seen: dict[tuple[str, str], int] = {}
    for n, record in chunk:
        name = (record.header.gemeente, record.title)
        if name in seen:
            raise ArchiveError(f"{path}, regel {n}: zaak '{record.title}' staat ook op regel "
                               f"{seen[name]}; elke zaak heeft een eigen 'scenario'")
        seen[name] = n
    stored: set[tuple[str, str]] = set()
    for gemeente in {g for g, _ in seen}:
        marks = [MARK.format(title) for g, title in seen if g == gemeente]
        stored.update((gemeente, key[len(MARK) - 2:])
                      for key in w.answered(gemeente, marks))
    return [(n, r) for n, r in chunk if (r.header.gemeente, r.title) not in stored]


def _load_batch(w: Wams, todo: list[tuple[int, Scenario]], path: str | Path,
                progress: Progress) -> None:
    # All or nothing: a record that cannot be loaded stops the run before its batch stores
    # anything, so no step needs a savepoint of its own.
    # Each case is loaded whole within its batch: the cache need not keep it afterwards.
    with w.batch(all_or_nothing=True, keep_cases=False) as b:
        for n, record in todo:
            # Each record at its own dates; persons known only by their ref are the record's.
            try:
                with w.running_as(clock=Clock(record.header.datum),
                                  namespace=f"archief:{record.title}:"):
                    results = run_steps(b, record, strict=True,
                                        mark=MARK.format(record.title), in_batch=True)
            except StepInputError as exc:
                # Raised out of the batch: none of its records is stored.
                raise ArchiveError(f"{path}, regel {n} (zaak '{record.title}'): {exc}; "
                                   "verbeter die zaak en start opnieuw") from None
            for result in results:
                for failure in result.failures:
                    progress.differing += 1
                    progress.differences.append(
                        f"{path}, regel {n} (zaak '{record.title}'): {failure}")
