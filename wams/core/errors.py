"""Errors a user of wams can meet. Each message is a Dutch sentence with a next step."""

from __future__ import annotations


class WamsError(Exception):
    """Base of every error wams raises on purpose."""


class InputError(WamsError, ValueError):
    """A command that is malformed (an unknown code or value): not a legal refusal."""


class NotFoundError(InputError):
    """What the call names does not exist (an unknown case): bad input, and for the HTTP
    service a 404."""


class ConflictError(WamsError):
    """Another writer changed the case first; nothing of this command was stored."""

    def __init__(self, case_id: str, expected: int | None, actual: int | None) -> None:
        self.case_id, self.expected, self.actual = case_id, expected, actual
        super().__init__(
            f"casus {case_id} is intussen door een ander gewijzigd (versie {actual}, verwacht "
            f"{expected}); er is niets opgeslagen: lees de casus opnieuw en probeer het nog eens")
