"""The initial schema: cases, the hash-chained history, the processing log and the rest.

Revision ID: 0001
Revises: (none)

Written by hand and checked against ``tables.py`` by ``wams db check`` (and the tests). A
migration describes the schema *as it was* at its revision, so it never imports the models.
Constraint names follow the naming convention in ``tables.py`` so later revisions can address
them on PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The current projection of each case; the history below is the record.
    op.create_table(
        "cases",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("route", sa.String(1), nullable=False),
        sa.Column("wet", sa.String(40), nullable=True),
        sa.Column("phase", sa.String(20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("destroyed_on", sa.Date(), nullable=True),
        sa.Column("state", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_cases"),
    )
    op.create_index("ix_cases_gemeente_phase", "cases", ["gemeente", "phase"])
    op.create_index("ix_cases_gemeente_closed", "cases", ["gemeente", "closed_on"])

    # Append-only, hash-chained per municipality (uq_history_chain orders the chain and lets
    # `wams audit verify` stream it by index).
    op.create_table(
        "history",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("chain_n", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.Column("decision", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("content_salt", sa.String(32), nullable=True),
        sa.Column("content_digest", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_history"),
        sa.UniqueConstraint("gemeente", "chain_n", name="uq_history_chain"),
        sa.UniqueConstraint("gemeente", "idempotency_key", name="uq_history_idempotency"),
    )
    op.create_index("ix_history_case", "history", ["gemeente", "case_id"])

    # One row per municipality: the lock point for appends (FOR UPDATE on PostgreSQL).
    op.create_table(
        "chain_heads",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("chain_n", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_chain_heads"),
    )

    op.create_table(
        "processing_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("span_id", sa.String(16), nullable=False),
        sa.Column("parent_span_id", sa.String(16), nullable=True),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("start_time", sa.DateTime(), nullable=False),
        sa.Column("end_time", sa.DateTime(), nullable=False),
        sa.Column("status_code", sa.String(24), nullable=False),
        sa.Column("activity_id", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("category", sa.String(100), nullable=True),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(200), nullable=False),
        sa.Column("source", sa.String(100), nullable=True),
        sa.Column("recipient", sa.String(100), nullable=True),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_processing_log"),
    )
    op.create_index("ix_log_subject", "processing_log", ["gemeente", "subject"])
    op.create_index("ix_log_case", "processing_log", ["gemeente", "case_id"])

    op.create_table(
        "involvements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("party_ref", sa.String(100), nullable=False),
        sa.Column("party_soort", sa.String(100), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("dienst", sa.String(100), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_involvements"),
    )
    op.create_index("ix_involvement", "involvements", ["gemeente", "party_ref", "subject"])

    op.create_table(
        "meldingen",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("zorg", sa.Text(), nullable=False),
        sa.Column("melder_soort", sa.String(20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_meldingen"),
    )
    # R34: the reporter's identity lives apart from the report.
    op.create_table(
        "melders",
        sa.Column("melding_id", sa.Integer(), nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("naam", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["melding_id"], ["meldingen.id"],
                                name="fk_melders_melding_id_meldingen"),
        sa.PrimaryKeyConstraint("melding_id", name="pk_melders"),
    )

    op.create_table(
        "settings",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("key", sa.String(60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", "key", name="pk_settings"),
    )
    op.create_table(
        "tenant_keys",
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("gemeente", name="pk_tenant_keys"),
    )
    op.create_table(
        "destruction_proofs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("gemeente", sa.String(4), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=False),
        sa.Column("destroyed_at", sa.DateTime(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("bewaartermijn_maanden", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("history_entries", sa.Integer(), nullable=False),
        sa.Column("persons", sa.Integer(), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_destruction_proofs"),
    )
    op.create_index("ix_proof_case", "destruction_proofs", ["gemeente", "case_id"])


def downgrade() -> None:
    # Dropping everything destroys all cases: only for development databases.
    for table in ("destruction_proofs", "tenant_keys", "settings", "melders", "meldingen",
                  "involvements", "processing_log", "chain_heads", "history", "cases"):
        op.drop_table(table)
