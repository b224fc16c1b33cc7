"""The processing log found by trace (Logboek Dataverwerkingen 1.0.0 and its read API).

Revision ID: 0008
Revises: 0007

The read API (``POST .../processing-activities``) answers a ``traceId`` filter: one trace's
records, which continue a caller's trace across organisations, found through an index instead
of a scan of the municipality's whole log (speed goal B5: 20 million records).

The record's shape changed with 1.0.0 (``status``, ``attributes``), but no stored row is
rewritten: the keyed chain covers every log row's column values, so the export maps rows of
the earlier shape on the way out (``STATUS_CODE_OK`` → ``Ok``, the draft's
``foreign_operation.entity`` → ``dpl.core.foreign_operation.processor``); see docs/logboek.md.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_log_trace", "processing_log", ["gemeente", "trace_id"])


def downgrade() -> None:
    op.drop_index("ix_log_trace", table_name="processing_log")
