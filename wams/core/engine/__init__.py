"""The engine room: one command = one transaction, and the unit of work that gives it.

- :mod:`~wams.core.engine.core`: :class:`Engine` (open, execute with retry on a lost
  connection, ``batch`` of many commands in one transaction, reads and case pages, settings,
  ``unit_of_work``, notifying plugins);
- :mod:`~wams.core.engine.batch`: many commands in one transaction, the chain head written
  once per batch;
- :mod:`~wams.core.engine.handlers`: one step inside an open transaction (load, decide, carry
  it out with the handler its record names, store, log);
- :mod:`~wams.core.engine.cache`: the bounded cache of case projections;
- :mod:`~wams.core.engine.objections`: a bezwaar made in another case that binds here (R09);
- :mod:`~wams.core.engine.unit_of_work`: the transaction handed to steps and privacy
  operations (store, time, pseudonyms, log writer, register versions);
- :mod:`~wams.core.engine.decisions`: building, storing and re-reading decisions;
- :mod:`~wams.core.engine.keys`: the key store a database gets, and KEK rotation;
- :mod:`~wams.core.engine.database`: the database as its operator sees it (migrations with
  the sealing passed in, the audit and anchors with the chain keys from the key store);
- :mod:`~wams.core.engine.webhook_subscriptions`: webhook subscriptions, each in its own unit
  of work, with their signing secrets;
- :mod:`~wams.core.engine.scrub`: the WAL checkpoint after destruction (SQLite).

May import: the pure core, ``wams.core.storage`` and ``wams.core.privacy``. Nothing outside
the engine room imports its private names; the privacy room sees the engine only through the
protocols of :mod:`wams.core.privacy.work`.
"""

from __future__ import annotations

from wams.core.engine.batch import Batch
from wams.core.engine.core import Engine, Refused
from wams.core.engine.decisions import refusal
from wams.core.engine.handlers import Authorize

__all__ = ["Authorize", "Batch", "Engine", "Refused", "refusal"]
