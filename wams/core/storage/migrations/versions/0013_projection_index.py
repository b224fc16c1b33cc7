"""The latest entry that projected a setting or a subscription, found through an index.

Revision ID: 0013
Revises: 0012

A webhook deliverer sends only to a subscription the keyed chain vouches for
(``wams.core.storage.subscriptions.vouched``): per round it reads the latest entry that
projected each subscription. Those entries (and the settings') have no case; a partial index
over them alone keeps that read small without costing the case entries (nearly all) anything.
No row is rewritten.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

PROJECTING = "case_id IS NULL AND projection_ref IS NOT NULL"


def upgrade() -> None:
    op.create_index("ix_history_projection", "history", ["gemeente", "projection_ref", "chain_n"],
                    sqlite_where=sa.text(PROJECTING), postgresql_where=sa.text(PROJECTING))


def downgrade() -> None:
    op.drop_index("ix_history_projection", table_name="history")
