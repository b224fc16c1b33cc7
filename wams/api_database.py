"""The database as its operator handles it, without opening cases: its schema version and
migrations, the audit of its chains and anchors of their heads. ``wams db`` and ``wams audit``
are this class on the command line; a Python caller can do the same::

    from wams.api_database import Database

    db = Database("postgresql+psycopg://wams@db/wams")
    db.upgrade()
    report = db.verify()
    assert report.intact, [b.line() for b in report.breaks]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from wams.core.engine import database
from wams.core.engine.database import Report

__all__ = ["Database", "Report"]


class Database:
    """The database at ``url`` (default ``$WAMS_DATABASE_URL``, else ``sqlite:///wams.db``)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = database.resolve_url(url)

    @staticmethod
    def head() -> str:
        """The newest schema version this wams has."""
        return database.head()

    def missing_file(self) -> str | None:
        """The path of a SQLite file that does not exist (connecting would create it), else
        None: commands that only read refuse such a URL instead of leaving an empty file."""
        return database.missing_file(self.url)

    def upgrade(self) -> str | None:
        """Migrate to the newest schema version (an empty database is created); an older
        database's data is sealed under the key store its engine would use. Returns the
        version it is at now."""
        return database.upgrade(self.url)

    def revision(self) -> tuple[str | None, str]:
        """(the database's schema version or None, the newest this wams has)."""
        return database.revision(self.url)

    def check(self) -> list[str]:
        """Migrate an empty database and compare it with the models: the differences, one
        line each (empty: they agree). A database with data must be at the newest version."""
        return database.check(self.url)

    def verify(self, gemeente: str | None = None, *, anchors: Iterable[tuple[str, str]] = (),
               progress: Callable[[int, int], None] | None = None) -> Report:
        """Recompute every chain (of ``gemeente``, or all) and what it covers, with the chain
        keys from the key store; each anchor (``(name, text)`` of an anchor file) must still
        be in its chain. ``report.intact``, ``report.breaks`` (each with ``line()``)."""
        return database.verify(self.url, gemeente, anchors, progress)

    def take_anchor(self, now: dt.datetime | None = None) -> dict[str, Any] | Report:
        """A signed anchor of every chain's head, to keep outside the database; the audit
        report instead when a chain does not verify (no anchor of a broken chain)."""
        return database.take_anchor(self.url, now or dt.datetime.now(dt.timezone.utc))

    @staticmethod
    def anchor_text(anchor: dict[str, Any]) -> str:
        """An anchor as the text to keep (``wams audit verify --anchor`` reads it)."""
        return database.anchor_text(anchor)

    @staticmethod
    def publish_anchor(text: str, hook: str) -> None:
        """Hand an anchor's text to the shell command ``hook`` on its standard input (an
        upload to a write-once bucket, a timestamping service)."""
        database.publish_anchor(text, hook)
