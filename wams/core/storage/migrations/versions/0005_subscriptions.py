"""Webhook subscriptions per municipality, each with the position in the municipality's
history chain up to which its events were delivered (at least once).

Revision ID: 0005
Revises: 0004

A migration describes the schema as it was at its revision, so it never imports the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_subscriptions_gemeente", "subscriptions", ["gemeente"])


def downgrade() -> None:
    op.drop_index("ix_subscriptions_gemeente", table_name="subscriptions")
    op.drop_table("subscriptions")
