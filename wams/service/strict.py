"""Request bodies are read strictly: a key the step's command record does not have is one
clear error (400, ``input.invalid``) naming the key and the keys that are allowed, never
silently dropped (a typo would otherwise drop a value the rules rely on)."""

from __future__ import annotations

import difflib
import types
import typing
from typing import Any

import attrs
from litestar import Request

from wams.service.problems import service_problem


def _records_in(tp: Any) -> list[type]:
    """The attrs classes a field of type ``tp`` may hold (directly, optional, in a tuple)."""
    if isinstance(tp, type) and attrs.has(tp):
        return [tp]
    if typing.get_origin(tp) in (typing.Union, types.UnionType, tuple, list):
        return [c for arg in typing.get_args(tp) for c in _records_in(arg)]
    return []


def unknown_keys(cls: type, data: object, where: str = "") -> list[str]:
    """Every key in ``data`` (recursively into nested records) that ``cls`` does not have."""
    if not isinstance(data, dict):
        return []
    hints = typing.get_type_hints(cls)
    names = [f.alias or f.name for f in attrs.fields(cls)]
    found = []
    for key, value in data.items():
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f" (bedoelde je '{close[0]}'?)" if close else ""
            found.append(f"'{where}{key}' is geen sleutel van deze stap{hint}; toegestaan: "
                         f"{', '.join(names)}")
            continue
        name = next(f.name for f in attrs.fields(cls) if (f.alias or f.name) == key)
        for inner in _records_in(hints.get(name)):
            items = value if isinstance(value, list) else [value]
            for item in items:
                found.extend(unknown_keys(inner, item, f"{where}{key}."))
            break
    return found


def strict_body(cls: type) -> Any:
    """A ``before_request`` hook refusing unknown keys in the body of a ``cls`` step."""

    async def check(request: Request[Any, Any, Any]) -> None:
        try:
            data = await request.json()
        except Exception:  # malformed JSON: Litestar's own decoding answers it
            return None
        problems = unknown_keys(cls, data)
        if problems:
            raise service_problem("input.invalid", problems[0])
        return None

    return check
