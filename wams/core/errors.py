"""The one family of errors wams raises on purpose: every error a user can meet is a
:class:`WamsError`, defined here and nowhere else (``tests/test_structure.py`` checks it).

Each class says what it means at the edges: ``exit_code`` (the CLI's exit code: 2, the input
is wrong or the command could not run), ``http_status`` and ``problem`` (the HTTP service's
status and problem type). Each edge maps an error to its output in one place: the CLI in
``wams.cli`` (one line on stderr, never a traceback), the scenario runner in
``wams.core.scenario.run`` (the failing step with its line), the HTTP service in
``wams.service.app`` (a problem document). Each message is a Dutch sentence with a next step.

The older homes of these classes (``wams.core.engine.Refused``,
``wams.core.catalogue.CatalogueError``, ``wams.core.scenario.format.ScenarioError``, the key
store's errors, …) still export them, so existing imports keep working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from wams.core.model import Decision

#: The CLI's exit codes: 0 fine, 1 the answer is "no" (scenarios failed, the chain is broken),
#: 2 the input is wrong or the command could not run.
EXIT_NO = 1
EXIT_USER = 2


class WamsError(Exception):
    """Base of every error wams raises on purpose."""

    exit_code: ClassVar[int] = EXIT_USER
    http_status: ClassVar[int] = 400
    #: the service's problem type (``wams.service.problems.SERVICE_PROBLEMS``)
    problem: ClassVar[str] = "input.invalid"


# -- the caller's input ---------------------------------------------------------------------


class InputError(WamsError, ValueError):
    """A command that is malformed (an unknown code or value): not a legal refusal."""


class NotFoundError(InputError):
    """What the call names does not exist (an unknown case): bad input, and for the HTTP
    service a 404."""

    http_status = 404
    problem = "not_found"


class Invalid(InputError):
    """Raised by the one way in's converter hooks (``wams.core.intake``); its text is the
    Dutch explanation shown to the caller, with the key it belongs to."""


class ScenarioError(WamsError):
    """A scenario file is not valid. ``str(error)`` is one line: file, step, key, what to do."""

    def __init__(self, file: str, message: str, *, step: int | None = None,
                 action: str | None = None, key: str | None = None) -> None:
        self.file, self.step, self.action, self.key = file, step, action, key
        # One line, whatever the author typed into a value we quote back.
        self.message = " ".join(message.split())
        super().__init__(self.line())

    def line(self) -> str:
        parts = [self.file]
        if self.step is not None:
            parts.append(f"stap {self.step} ({self.action})" if self.action
                         else f"stap {self.step}")
        if self.key:
            parts.append(f"sleutel '{self.key}'")
        line = ": ".join([*parts, self.message])
        # Ids and keys are quoted back as typed; escape what would break the one line.
        return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in line)


class StepInputError(InputError):
    """A step of a strict run (an archive record) the catalogue cannot take: names the step
    by its number and action."""

    def __init__(self, step: int, action: str, cause: InputError) -> None:
        super().__init__(f"stap {step} ({action}): {cause}")
        self.step, self.action = step, action


class ArchiveError(InputError):
    """A record of an archive (``wams archive load``) that cannot be loaded as written: one
    line naming the file and line; the batches before it stay loaded."""


class AnchorError(InputError):
    """An anchor file that cannot be used (``wams audit``): one sentence for the user."""


class TargetRefused(InputError):
    """A webhook address that is not allowed; the message says why (Dutch, one line)."""


# -- the rules and other writers ------------------------------------------------------------


class Refused(WamsError):
    """A read that the rules refuse (e.g. a case of another municipality). Over HTTP the
    decision's own reason code is the problem type: 403 for access, 422 otherwise."""

    http_status = 422

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        super().__init__(f"{decision.code}: {decision.message}")


class ExcludedPurpose(WamsError):
    """A purpose outside the vocabulary that names enforcement (R20): refused as
    ``purpose.enforcement_excluded`` rather than answered as a typo. The engine and the
    reports turn it into that refusal (a :class:`Refused`, 422) before it reaches an edge;
    should one slip through, it is bad input."""

    def __init__(self, term: str) -> None:
        self.term = term
        super().__init__(term)


class ConflictError(WamsError):
    """Another writer changed the case first; nothing of this command was stored."""

    http_status = 412
    problem = "version.stale"

    def __init__(self, case_id: str, expected: int | None, actual: int | None) -> None:
        self.case_id, self.expected, self.actual = case_id, expected, actual
        super().__init__(
            f"casus {case_id} is intussen door een ander gewijzigd (versie {actual}, verwacht "
            f"{expected}); er is niets opgeslagen: lees de casus opnieuw en probeer het nog eens")


class BatchBroken(WamsError):
    """A step of an all-or-nothing batch (``Wams.batch(all_or_nothing=True)``) raised: the
    batch stores nothing and takes no further step; the caller starts a new one."""


# -- the installation: plugins, database, keys, collectors -----------------------------------


class CatalogueError(WamsError):
    """A plugin declared something inconsistent; the message names the plugin."""

    http_status = 503
    problem = "service.unavailable"


class DatabaseError(WamsError):
    """The database cannot be used as asked; the message says what to do."""

    http_status = 503
    problem = "service.unavailable"


class CommitUnknown(DatabaseError):
    """The connection was lost while the database committed a step: whether it is stored is
    unknown, so it is not run again (it might be stored twice); the caller reads the case."""

    def __init__(self, step: str) -> None:
        self.step = step
        super().__init__(
            f"de verbinding met de database viel weg tijdens het vastleggen van stap {step}; "
            "of de stap is opgeslagen is onbekend: lees de casus opnieuw voor u het nog eens "
            "probeert")


class KeyMissingError(WamsError, LookupError):
    """A key that data in the database was made with is not in the key store."""

    http_status = 503
    problem = "service.unavailable"


class ChainKeyMissing(KeyMissingError):
    """A chain key an entry names is not in the key store (the store's own sentence)."""


class KeyInUseError(WamsError):
    """A key that cannot be retired: it is the current one."""


class NoKeyStoreError(WamsError):
    """No key store is configured for a database that needs one."""

    http_status = 503
    problem = "service.unavailable"


class TamperedError(WamsError):
    """A stored value or row that wams did not write there: changed, moved or put back
    around wams (with write access to the database, without its keys). Nothing is decided
    on it; ``wams audit verify`` names the row."""

    http_status = 500
    problem = "service.error"


class SealError(TamperedError):
    """A sealed value that does not authenticate at its place: changed, moved or put back in
    the database, plain text where a sealed value belongs, or a wrong key."""


class TokenError(WamsError):
    """The token is missing, malformed, expired, badly signed or lacks a claim (HTTP 401)."""

    http_status = 401
    problem = "access.token"


class ExportFailed(WamsError):
    """The collector did not accept the records: the step is not stored (fail closed)."""

    http_status = 503
    problem = "service.unavailable"


__all__ = [
    "EXIT_NO", "EXIT_USER", "AnchorError", "CatalogueError", "ChainKeyMissing", "CommitUnknown",
    "ConflictError",
    "DatabaseError", "ExcludedPurpose", "ExportFailed", "InputError", "Invalid",
    "KeyInUseError", "KeyMissingError", "NoKeyStoreError", "NotFoundError", "Refused",
    "ScenarioError", "SealError", "TamperedError", "TargetRefused", "TokenError", "WamsError",
]
