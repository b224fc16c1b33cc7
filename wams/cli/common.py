"""What every ``wams`` command module shares: the exit codes and the pass/fail marks.

The CLI's one mapping of errors to output is here (:func:`one_line`, used by
:class:`MappedErrors` and ``wams.cli.main``). Exit codes: 0 fine, 1 the answer is "no"
(scenarios failed, the chain is broken), 2 the input is wrong or the command could not run
(one line on stderr, never a traceback).
"""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from wams.core.errors import EXIT_NO, EXIT_USER, InputError, WamsError

#: Kept for commands written against it (plugins' ``wams_commands``): the CLI's user error is
#: the family's InputError, shown as one line with exit code 2 by ``wams.cli``.
UserError = InputError


def one_line(exc: Exception) -> tuple[str, int] | None:
    """The CLI's one mapping of an error to output: (the line for stderr, the exit code), or
    None for an error nobody meant (shown as an internal error, or raised with WAMS_DEBUG).
    Every error wams means is a WamsError with its own exit code; a database driver's error
    is the database's sentence (SQLAlchemy is looked up in sys.modules: checking an error
    never imports anything heavy)."""
    if isinstance(exc, WamsError):
        return " ".join(str(exc).split()), exc.exit_code
    sqlalchemy_exc = sys.modules.get("sqlalchemy.exc")
    if sqlalchemy_exc is not None and isinstance(exc, sqlalchemy_exc.SQLAlchemyError):
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
        return f"de database geeft een fout: {' '.join(first.split())[:200]}; controleer --db", \
            EXIT_USER
    return None


class MappedErrors(click.Group):
    """A command group whose errors of the family (and the database's) are one line on stderr
    with the error's exit code: ``wams`` itself, and each group run on its own."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            shown = None if os.environ.get("WAMS_DEBUG") else one_line(exc)
            if shown is None:
                raise
            click.echo(shown[0], err=True)
            raise click.exceptions.Exit(shown[1]) from exc


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


__all__ = ["EXIT_NO", "EXIT_USER", "MappedErrors", "UserError", "marks", "one_line", "plural"]
