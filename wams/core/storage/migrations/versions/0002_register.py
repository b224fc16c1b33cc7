"""The register of processing activities (AVG art. 30): one row per version of an entry.

Revision ID: 0002
Revises: 0001

A migration describes the schema as it was at its revision, so it never imports the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new version whenever an entry's content changes; log records point at the version in
    # force (Logboek Dataverwerkingen: a changed processing activity gets a new id).
    op.create_table(
        "register_versions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("activity", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("valid_from", sa.DateTime(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_register_versions"),
        sa.UniqueConstraint("gemeente", "activity", "version", name="uq_register_version"),
    )


def downgrade() -> None:
    op.drop_table("register_versions")
