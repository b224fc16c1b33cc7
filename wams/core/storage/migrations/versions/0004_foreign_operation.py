"""The processing log records the calling action at another organisation (Logboek
Dataverwerkingen ``foreign_operation``: trace id, span id and entity, as JSON).

Revision ID: 0004
Revises: 0003

A migration describes the schema as it was at its revision, so it never imports the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("processing_log") as batch:
        batch.add_column(sa.Column("foreign_operation", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processing_log") as batch:
        batch.drop_column("foreign_operation")
