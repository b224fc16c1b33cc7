"""Data keys and webhook subscriptions are in the keyed chain.

Revision ID: 0012
Revises: 0011

``data_keys.chain_n`` names the entry that committed a key's creation (the entry commits to
the key's id and municipality: ``wams.core.storage.coverage``); destroying a key leaves a
``destroyed_rows`` record, so a key deleted around wams — a record destroyed without proof —
breaks that entry. A subscription is a projection like a setting: adding one, rotating its
secret and removing it append an entry that commits to it.

Data (a database written by wams before this revision): its data keys and subscriptions are
adopted by entries appended for the purpose (step ``sleutelketen``, as 0007 did): one for all
data keys of a municipality, one per subscription. The adoption vouches for the rows as they
were at the upgrade (0011 verified the chain just before when a database is upgraded across
both): anchor right after upgrading.

Like 0007 this revision imports wams code (the chain and its coverage): stable formats.
"""

from __future__ import annotations

import datetime as dt
import uuid

import sqlalchemy as sa
from alembic import context, op

from wams.core.errors import DatabaseError

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.add_column(sa.Column("chain_n", sa.Integer(), nullable=True))
    conn = op.get_bind()
    gemeenten = sorted({r[0] for r in conn.execute(sa.text(
        "SELECT gemeente FROM data_keys UNION SELECT gemeente FROM subscriptions"))})
    if not gemeenten:
        return
    key_store = context.config.attributes.get("key_store")
    if key_store is None:
        raise DatabaseError("revisie 0012 legt de gegevenssleutels en abonnementen vast in de "
                           "hashketen met de ketensleutel uit de sleutelopslag; voer 'wams db "
                           "upgrade' uit (met WAMS_KEY_FILE)")
    from wams.core.storage.coverage import SUBSCRIPTION_COLUMNS, SUBSCRIPTION_PREFIX, ChainKeys
    from wams.core.storage.repository import Store
    from wams.core.storage.tables import Base

    data_keys, subscriptions = (Base.metadata.tables["data_keys"],
                                Base.metadata.tables["subscriptions"])
    store = Store(conn, lock_heads=False, keys=ChainKeys(key_store))
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)

    def adopt() -> None:  # the entry committing to what was written for it
        store.seal(at=now, actor="wams db upgrade", trace_id=uuid.uuid4().hex,
                   step="sleutelketen")

    for g in gemeenten:
        keys = conn.execute(sa.select(data_keys.c.id).where(
            data_keys.c.gemeente == g, data_keys.c.chain_n.is_(None))
            .order_by(data_keys.c.id)).scalars().all()
        if keys:
            n = store.stamp(g)
            for key_id in keys:
                store.covered("data_keys", {"id": key_id, "gemeente": g, "chain_n": n})
            conn.execute(sa.update(data_keys).where(data_keys.c.gemeente == g,
                                                    data_keys.c.chain_n.is_(None))
                         .values(chain_n=n))
            adopt()
        for row in conn.execute(sa.select(*(subscriptions.c[c] for c in SUBSCRIPTION_COLUMNS))
                                .where(subscriptions.c.gemeente == g)
                                .order_by(subscriptions.c.id)).all():
            store.project(g, f"{SUBSCRIPTION_PREFIX}{row.id}", dict(row._mapping),
                          SUBSCRIPTION_COLUMNS)
            adopt()


def downgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.drop_column("chain_n")
