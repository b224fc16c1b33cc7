"""The municipality as the tenant of every row (R38): its CBS code is the key of its data."""

from __future__ import annotations

import re
from typing import TypeGuard

from wams.core.errors import InputError

# Exactly four ASCII digits: ``\d`` would admit other scripts' digits and ``$`` a trailing
# newline, each of which would make a second, ghost municipality of the same code.
GEMEENTE = re.compile(r"[0-9]{4}")


def is_gemeente(value: object) -> TypeGuard[str]:
    """The one rule for a CBS municipality code, at every edge (the Python API, scenario files
    and HTTP bodies through the one way in, token claims, command-line options)."""
    return isinstance(value, str) and GEMEENTE.fullmatch(value) is not None


def check_gemeente(gemeente: object) -> str:
    """``gemeente`` when it is a CBS municipality code; else an InputError that says so."""
    if not is_gemeente(gemeente):
        raise InputError(f"gemeente {gemeente!r} is geen CBS-gemeentecode van 4 cijfers "
                         "(bijvoorbeeld \"0599\")")
    return gemeente
