"""What every ``wams`` command module shares: the one-line user error and the exit codes.

Exit codes: 0 fine, 1 the answer is "no" (scenarios failed, the chain is broken), 2 the input
is wrong or the command could not run (one line on stderr, never a traceback).
"""

from __future__ import annotations

import sys
from typing import IO, Any

import click

EXIT_NO = 1
EXIT_USER = 2


class UserError(click.ClickException):
    """A message for the user, printed as is (no ``Error:`` prefix), exit code 2."""

    exit_code = EXIT_USER

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True, file=file)


def marks() -> tuple[str, str]:
    """The pass/fail marks, ASCII where the terminal cannot print ✓ and ✗."""
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗—".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "OK", "FOUT"
    return "✓", "✗"


def plural(n: int, one: str, many: str) -> str:
    """``1 wet``, ``2 wetten``: Dutch output never says "1 wetten"."""
    return f"{n} {one if n == 1 else many}"


__all__ = ["EXIT_NO", "EXIT_USER", "UserError", "marks", "plural"]
