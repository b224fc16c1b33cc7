"""Every sealed value is bound to its place: municipality, table, row, column (and a case's
version), not only to its data key (``wams.core.privacy.places``).

Revision ID: 0011
Revises: 0010

Data (a database written by wams before this revision): the chain of every municipality is
first verified as it stands (a broken chain is refused, never laundered). Then every value
sealed under a data key that still exists is opened as it was sealed (bound to its data key
alone) and sealed again for its place; values under destroyed keys stay as they are (nobody
can read them). The chain commits to the sealed values (the digest of an entry's content, the
digests of the rows it wrote, the latest projection of each case), so every entry is hashed
again with the chain key it names, in order, and the chain is verified once more before the
revision commits. Like 0007 this rewrites the hashes an anchor holds: anchor right after
upgrading (docs/audit.md) and keep the anchors of before with the backups of before.

Like 0006 and 0007 this revision uses wams code: the chain and the audit (storage), and the
places and the sealing, which the caller passes in (``config.attributes["sealing"]``: a
migration imports nothing above the storage room): stable formats. A later revision that
adds a column to a covered table must keep this one working on the columns of its own time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from wams.core.errors import DatabaseError

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

#: table → its primary key (every value is rewritten by it, a page at a time)
PRIMARY_KEYS = {"cases": "id", "history": "seq", "processing_log": "id",
                "involvements": "id", "meldingen": "id", "melders": "melding_id"}
PAGE = 1000
#: The append-only tables the chain covered at this revision (later ones add their own, with
#: columns this revision's database does not have yet).
COVERED = ("processing_log", "involvements", "meldingen", "melders", "destruction_proofs",
           "register_versions", "destroyed_rows")
#: Rows a later revision brought into the chain (their adoption comes after this one).
LATER = ("abonnement ",)


def upgrade() -> None:
    conn = op.get_bind()
    if conn.execute(sa.text("SELECT count(*) FROM data_keys")).scalar_one() == 0:
        return  # nothing sealed under a living key: nothing to bind, no hash changes
    key_store = context.config.attributes.get("key_store")
    sealing = context.config.attributes.get("sealing")
    if key_store is None or sealing is None:
        raise DatabaseError("revisie 0011 versleutelt de gegevens opnieuw met de sleutels uit de "
                           "sleutelopslag; voer 'wams db upgrade' uit (met WAMS_KEY_FILE)")
    from wams.core.storage.coverage import ChainKeys
    from wams.core.storage.rechain import rechain

    keys = ChainKeys(key_store)
    _verified(conn, keys, "voor")
    _reseal(conn, key_store, sealing)
    for (gemeente,) in conn.execute(sa.text("SELECT gemeente FROM chain_heads ORDER BY "
                                            "gemeente")).all():
        rechain(conn, keys, gemeente, COVERED)
    _verified(conn, keys, "na")


def _verified(conn: sa.Connection, keys: Any, when: str) -> None:
    from wams.core.storage import audit
    from wams.core.storage.rechain import unstreamed

    # Only the chain decides here: whether a destruction period's KEK is retired yet is the
    # retention run's business, not a reason to keep values unbound.
    report = audit.verify(conn, keys, today=dt.date.min, covered=COVERED)
    unstreamed(conn)
    breaks = [b for b in report.breaks if not (b.subject or "").startswith(LATER)]
    if breaks:
        lines = "; ".join(b.line() for b in breaks[:5])
        raise DatabaseError(f"revisie 0011: de hashketen klopt {when} het opnieuw versleutelen "
                           f"niet ({lines}); er wordt niets gewijzigd (wams audit verify zegt "
                           "wat er mis is)")


def _pages(conn: sa.Connection, table: sa.Table, pk: str) -> Any:
    """Every row of ``table``, a page at a time by primary key (flat memory; the rows are
    updated while they are read)."""
    last: Any = None
    while True:
        stmt = sa.select(table).order_by(table.c[pk]).limit(PAGE)
        if last is not None:
            stmt = stmt.where(table.c[pk] > last)
        rows = conn.execute(stmt).all()
        if not rows:
            return
        yield from rows
        last = rows[-1]._mapping[pk]


def _reseal(conn: sa.Connection, key_store: Any, sealing: Any) -> None:
    # ``sealing`` (wams.core.storage.migrate.Sealing) is the privacy room's places and
    # sealing, passed in: a migration imports nothing above the storage room.
    from wams.core.storage.repository import Store
    from wams.core.storage.tables import Base

    store = Store(conn, lock_heads=False)
    data_keys = sealing.data_keys(key_store)
    for name, (column, _) in sealing.sealed_columns.items():
        if name not in PRIMARY_KEYS:
            continue  # a table of a later revision (it seals for its place from the start)
        table, pk = Base.metadata.tables[name], PRIMARY_KEYS[name]
        for row in _pages(conn, table, pk):
            values = row._mapping
            value = values[column]
            if not sealing.is_sealed(value):
                continue  # plain: a destroyed case's stripped state, a setting, a code
            text = data_keys.open(store, value, None)
            if text is None:
                continue  # its data key is destroyed: nobody reads it, nothing to bind
            data_key = value.partition(":")[0]
            sealed = data_keys.seal(store, data_key, text, sealing.place_of(name, values))
            conn.execute(sa.update(table).where(table.c[pk] == values[pk])
                         .values({column: sealed}))


def downgrade() -> None:
    if op.get_bind().execute(sa.text("SELECT count(*) FROM data_keys")).scalar_one() == 0:
        return  # nothing was re-sealed
    raise DatabaseError("revisie 0011 is niet terug te draaien: de waarden zijn opnieuw "
                       "versleuteld en de keten is opnieuw berekend (zet een back-up van "
                       "ervoor terug)")
