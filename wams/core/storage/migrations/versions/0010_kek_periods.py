"""Data keys are wrapped by the KEK of a destruction period, and proofs of destruction name
that KEK.

``data_keys.period`` says which key-store purpose wraps a data key: ``open:YYYY-MM`` for a
record still open (a KEK per month of opening), ``YYYY-MM`` for one whose bewaartermijn ends in
that month; NULL is a key wrapped before this revision by the municipality's single ``kek``.
``destruction_proofs.kek_period`` and ``kek_id`` name the KEK that wrapped the destroyed data
key; ``wams retention run`` retires it once its period is complete.

The two proof columns are left out of a proof's chain digest while they are empty (see
``wams.core.storage.coverage.ADDED``), so the proofs written before this revision keep the
digest their history entry committed to: nothing is re-projected or re-chained.

Revision ID: 0010
Revises: 0009

A migration describes the schema as it was at its revision, so it never imports the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("data_keys") as batch:
        batch.add_column(sa.Column("period", sa.String(16), nullable=True))
    with op.batch_alter_table("destruction_proofs") as batch:
        batch.add_column(sa.Column("kek_period", sa.String(16), nullable=True))
        batch.add_column(sa.Column("kek_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("destruction_proofs") as batch:
        batch.drop_column("kek_id")
        batch.drop_column("kek_period")
    with op.batch_alter_table("data_keys") as batch:
        batch.drop_column("period")
