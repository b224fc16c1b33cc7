"""The engine's memory of case projections: the last loaded projection of each case, bounded.

Why a cache: a step reads its case's sealed state, unseals and parses it; the next step of the
same case (a scenario, a batch) would do it again. The cache keeps the parsed projection while
its stored version is unchanged, and no more cases than its bound (a setting), so a
long-running service's memory stays bounded.
"""

from __future__ import annotations

import os
from collections import OrderedDict

from wams.core.engine.unit_of_work import Transaction
from wams.core.errors import InputError
from wams.core.model import Casus
from wams.core.privacy import places
from wams.core.serialize import case_from_json
from wams.core.storage import projections

#: Projections an engine keeps in memory by default (``$WAMS_CASE_CACHE`` or
#: ``Engine.open(case_cache=...)`` overrides it; 0 turns the cache off: a stateless service).
CASE_CACHE_DEFAULT = 10_000
CASE_CACHE_ENV = "WAMS_CASE_CACHE"


def case_cache_size(size: int | None = None) -> int:
    """The bound of the case cache: ``size`` if given, else ``$WAMS_CASE_CACHE``, else the
    default. A bad value is one clear error, not a silently unbounded cache."""
    source: object = size
    if size is None:
        source = os.environ.get(CASE_CACHE_ENV)
        if source is None or source.strip() == "":
            return CASE_CACHE_DEFAULT
        size = int(source) if source.strip().isdigit() else -1
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        name = "case_cache" if source is size else CASE_CACHE_ENV
        raise InputError(f"{name} moet een geheel getal van 0 of meer zijn, niet {source!r}")
    return size


class CaseCache:
    """The last loaded projection of each case, valid while its version is unchanged; at most
    ``size`` cases, the least recently used dropped first (a long-running service touches
    every case of its archive over time: memory stays bounded). ``size`` 0 keeps nothing:
    every step reads and parses its case, as a stateless service would.

    A step mutates the cached case in place; a transaction that fails must :meth:`drop` it,
    since the change was never committed."""

    def __init__(self, size: int | None = None) -> None:
        self.size = case_cache_size(size)
        self._cases: OrderedDict[str, Casus] = OrderedDict()

    def load(self, uow: Transaction, case_id: str, version: int) -> Casus:
        """The case, from the cache while it is at ``version``, else as stored now."""
        cached = self._cases.get(case_id)
        if cached is not None and cached.version == version:
            self._cases.move_to_end(case_id)
            return cached
        assert uow.gemeente is not None
        stored, version, data_key = projections.committed_case_state(uow.store, case_id)
        # Only a destroyed case's state, stripped of everything personal, is stored plain.
        state = uow.unseal(stored, places.case_state(uow.gemeente, case_id, version),
                           plain=data_key is None)
        if state is None:
            raise InputError(f"casus '{case_id}' is niet te lezen: haar sleutel is vernietigd")
        case = case_from_json(state)
        case.version = version
        self.put(case)
        return case

    def put(self, case: Casus) -> None:
        if not self.size:
            return
        self._cases[case.id] = case
        self._cases.move_to_end(case.id)
        while len(self._cases) > self.size:
            self._cases.popitem(last=False)

    def get(self, case_id: str) -> Casus | None:
        return self._cases.get(case_id)

    def __len__(self) -> int:
        return len(self._cases)

    def drop(self, case_id: str | None) -> None:
        self._cases.pop(case_id or "", None)

    def clear(self) -> None:
        self._cases.clear()
