"""The second line after destruction on SQLite: fold the WAL into the database file (where
secure_delete zeroed the freed space) and truncate it (quality C7). The first line is the
deleted data key (:mod:`wams.core.privacy.sealing`).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from wams.core.storage.database import BUSY_TIMEOUT_MS

if TYPE_CHECKING:
    from wams.core.engine.core import Engine

log = logging.getLogger("wams")
#: A reader blocking the WAL truncation after destruction: tries, and the pause between them
#: (growing: 0.1 s, 0.2 s, ... about 2 s in all).
ATTEMPTS = 6
PAUSE = 0.1


def checkpoint(engine: Engine) -> bool:
    """``PRAGMA wal_checkpoint(TRUNCATE)``, retried while a reader blocks it; True when the WAL
    was truncated (or there is none)."""
    if engine.dialect != "sqlite" or engine.db.url.database in (None, "", ":memory:"):
        return True
    # Outside any transaction, on the driver connection: a checkpoint inside BEGIN
    # IMMEDIATE would find its own table locked.
    for attempt in range(ATTEMPTS):
        # TRUNCATE waits for readers through the busy handler: briefly, not the 30 s a
        # writer waits for the lock.
        busy, _, _ = engine.driver_pragmas("PRAGMA busy_timeout=100",
                                           "PRAGMA wal_checkpoint(TRUNCATE)",
                                           f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")[1]
        if not busy:
            return True
        time.sleep(PAUSE * (attempt + 1))
    log.warning("de WAL van %s is na vernietiging niet ingekort: een lezer houdt een "
                "transactie open; de oude pagina's bevatten alleen versleutelde gegevens "
                "zonder sleutel en verdwijnen bij het volgende checkpoint",
                engine.db.url.database)
    return False
