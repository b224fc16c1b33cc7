"""Alembic's environment for wams, run by ``wams.core.storage.migrate`` only.

There is no alembic.ini: ``migrate.py`` builds the Config in code and hands over an open
connection in ``config.attributes["connection"]``, inside a transaction it owns. That way the
migration runs with wams' own connection settings (SQLite pragmas, BEGIN IMMEDIATE) and in the
same transaction as the "is the database empty?" check before it.
"""

from __future__ import annotations

from alembic import context

from wams.core.errors import DatabaseError
from wams.core.storage.tables import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    # Offline mode (--sql) and a bare `alembic upgrade` would bypass wams' connection set-up.
    raise DatabaseError("wams-migraties draaien via 'wams db upgrade', niet via alembic zelf")

context.configure(
    connection=connection,
    target_metadata=config.attributes.get("target_metadata", Base.metadata),
    # SQLite cannot ALTER most things; batch mode copies the table instead. Harmless elsewhere.
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
