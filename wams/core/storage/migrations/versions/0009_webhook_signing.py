"""Webhook subscriptions get a step filter and what their signing secret is derived from
(the key id in the key store and a version that rotation counts up); the secret itself is
never stored.

Revision ID: 0009
Revises: 0008

A migration describes the schema as it was at its revision, so it never imports the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("steps", sa.Text(), nullable=True))
        batch.add_column(sa.Column("secret_key_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("secret_version", sa.Integer(), nullable=False,
                                   server_default="1"))
        batch.add_column(sa.Column("rotated_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("rotated_at")
        batch.drop_column("secret_version")
        batch.drop_column("secret_key_id")
        batch.drop_column("steps")
