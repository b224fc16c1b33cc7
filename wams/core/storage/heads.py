"""The chain heads of a batch: each municipality's head read once (on PostgreSQL: locked, so
held to the commit) and written once, before the commit (speed goal B8: loading an archive in
large batches; the retention run).

Written per step, the head row of a municipality would be updated hundreds of times in one
transaction; on PostgreSQL each update leaves a row version that the next read walks past, so
every step of a batch cost more than the one before. A step that fails is undone by its
savepoint, and the heads it advanced with it (:meth:`snapshot`, :meth:`restore`).
"""

from __future__ import annotations

Head = tuple[int, str]  # (chain_n, entry_hash) of the last entry


class BatchHeads:
    def __init__(self) -> None:
        self._heads: dict[str, Head] = {}
        self._advanced: set[str] = set()

    def get(self, gemeente: str) -> Head | None:
        return self._heads.get(gemeente)

    def read(self, gemeente: str, head: Head) -> None:
        """The head as the database holds it, read (and locked) by the batch's first entry."""
        self._heads[gemeente] = head

    def advance(self, gemeente: str, chain_n: int, entry_hash: str) -> None:
        self._heads[gemeente] = (chain_n, entry_hash)
        self._advanced.add(gemeente)

    def advanced(self) -> list[tuple[str, int, str]]:
        """(gemeente, chain_n, entry_hash) of every head to write before the commit."""
        return [(g, *self._heads[g]) for g in sorted(self._advanced)]

    def snapshot(self) -> tuple[dict[str, Head], set[str]]:
        return dict(self._heads), set(self._advanced)

    def restore(self, snapshot: tuple[dict[str, Head], set[str]]) -> None:
        self._heads, self._advanced = dict(snapshot[0]), set(snapshot[1])
