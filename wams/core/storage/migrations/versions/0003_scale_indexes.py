"""Indexes for a large municipality (speed goal B5): case list pages and a person's meldingen.

Revision ID: 0003
Revises: 0002

``case list`` pages by (opened_on, id) after the last case shown, so every page is an index
range instead of a sort of all cases; the access report (inzage, R36) finds a person's
meldingen by their pseudonym instead of scanning them all, and his log records in order.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_gemeente_opened", "cases", ["gemeente", "opened_on", "id"])
    op.create_index("ix_meldingen_subject", "meldingen", ["gemeente", "subject"])
    # The access report reads a person's records in order: with the order in the index no
    # other index of the log ties with it, even before the planner has statistics.
    op.drop_index("ix_log_subject", table_name="processing_log")
    op.create_index("ix_log_subject", "processing_log",
                    ["gemeente", "subject", "start_time", "id"])


def downgrade() -> None:
    op.drop_index("ix_log_subject", table_name="processing_log")
    op.create_index("ix_log_subject", "processing_log", ["gemeente", "subject"])
    op.drop_index("ix_meldingen_subject", table_name="meldingen")
    op.drop_index("ix_cases_gemeente_opened", table_name="cases")
