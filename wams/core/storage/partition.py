"""Partitioning the processing log by month on PostgreSQL (docs/scale.md).

At a large municipality the log is the biggest table by far (20 records a case: 20,000,000 at
a million cases). Partitioned by month of ``start_time`` it stays a set of tables of a month
each: old months can be moved to cheaper storage, vacuumed and reindexed one at a time, and the
access report still finds a person in every month through the same index (one index per
partition). Nothing in wams needs it; it is a choice of the municipality's DBA.

The log is ready for it: nothing refers to its rows (no foreign keys), every index leads with
``gemeente`` and is a plain index, and ids come from one sequence. :func:`conversion` is the
one transaction that turns the table into a partitioned one (existing rows become the partition
of everything before ``first``); :func:`months` adds partitions ahead of time. Print them with
``python -m wams.core.storage.partition --first 2027-03 --months 12`` and run them with psql.
SQLite has no partitions and needs none at this size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

TABLE = "processing_log"
BEFORE = f"{TABLE}_before"


def _month(day: dt.date, ahead: int) -> dt.date:
    month = day.month - 1 + ahead
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def months(first: dt.date, count: int) -> list[str]:
    """``count`` monthly partitions from the month of ``first`` on."""
    statements = []
    for k in range(count):
        start, end = _month(first, k), _month(first, k + 1)
        statements.append(f"CREATE TABLE {TABLE}_{start:%Y_%m} PARTITION OF {TABLE} FOR VALUES "
                          f"FROM ('{start}') TO ('{end}')")
    return statements


def conversion(first: dt.date, count: int = 12) -> list[str]:
    """The statements (one transaction) that partition the log by month from ``first`` (the
    first of a month after the newest record: the CHECK refuses otherwise and nothing
    changes), with ``count`` months ready and a default partition for anything later."""
    first = _month(first, 0)
    return [
        "BEGIN",
        # No writer may add a record between the rename and the new table.
        f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE",
        f"ALTER TABLE {TABLE} RENAME TO {BEFORE}",
        # A partitioned table's key includes the partition key, in every partition too (on a
        # large log building this index is the slow part: minutes at 20,000,000 records).
        f"ALTER TABLE {BEFORE} DROP CONSTRAINT pk_{TABLE}",
        f"ALTER TABLE {BEFORE} ADD CONSTRAINT pk_{BEFORE} PRIMARY KEY (id, start_time)",
        "ALTER INDEX ix_log_subject RENAME TO ix_log_subject_before",
        "ALTER INDEX ix_log_case RENAME TO ix_log_case_before",
        "ALTER INDEX ix_log_chain RENAME TO ix_log_chain_before",
        "ALTER INDEX ix_log_trace RENAME TO ix_log_trace_before",
        f"CREATE TABLE {TABLE} (LIKE {BEFORE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY RANGE (start_time)",
        # The sequence belongs to the new table now (dropping an old month must not drop it).
        f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id",
        f"ALTER TABLE {TABLE} ADD CONSTRAINT pk_{TABLE} PRIMARY KEY (id, start_time)",
        f"CREATE INDEX ix_log_subject ON {TABLE} (gemeente, subject, start_time, id)",
        f"CREATE INDEX ix_log_case ON {TABLE} (gemeente, case_id)",
        # The audit streams the log in chain order (each row names its history entry).
        f"CREATE INDEX ix_log_chain ON {TABLE} (gemeente, chain_n)",
        # The read API finds one trace's records (LDV lezen: traceId).
        f"CREATE INDEX ix_log_trace ON {TABLE} (gemeente, trace_id)",
        # Proven once here, so that ATTACH need not scan the rows again.
        f"ALTER TABLE {BEFORE} ADD CONSTRAINT {BEFORE}_range CHECK (start_time < '{first}')",
        f"ALTER TABLE {TABLE} ATTACH PARTITION {BEFORE} FOR VALUES FROM (MINVALUE) TO "
        f"('{first}')",
        *months(first, count),
        f"CREATE TABLE {TABLE}_later PARTITION OF {TABLE} DEFAULT",
        "COMMIT",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m wams.core.storage.partition",
                                description="SQL that partitions the processing log by month "
                                            "(PostgreSQL); run it with psql.")
    p.add_argument("--first", required=True, metavar="YYYY-MM",
                   help="first month of its own: after the newest record")
    p.add_argument("--months", type=int, default=12, help="months made ready (12)")
    p.add_argument("--add", action="store_true",
                   help="only add the months (the log is partitioned already)")
    args = p.parse_args(argv)
    try:
        first = dt.datetime.strptime(args.first, "%Y-%m").date()
    except ValueError:
        p.error(f"--first {args.first}: give a month as YYYY-MM, e.g. 2027-03")
    statements = months(first, args.months) if args.add else conversion(first, args.months)
    sys.stdout.write("".join(f"{s};\n" for s in statements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
