"""PostgreSQL keeps one plan for a statement psycopg prepared (after five runs), chosen without
the values, until the table's statistics change. Chosen while a new database's tables were
small, that plan took the wrong one of two indexes that start alike: every command's
idempotency lookup then read the municipality's whole history (ix_history_case, gemeente
only), more slowly the longer the process ran. The engine has PostgreSQL plan each execution
for its values (wams.core.storage.database.POSTGRES_SETTINGS); this test sets the trap and
looks at the plan the engine's own connection would run now."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

from benchmarks.common import GEMEENTE, check_lifecycle, lifecycle
from wams.core.model import Persoon
from wams.testing import test_bsn


def _dba(db_url: str, statement: str) -> None:
    db = sqlalchemy.create_engine(db_url)
    try:
        with db.begin() as conn:
            conn.exec_driver_sql(statement)
    finally:
        db.dispose()


def test_a_young_database_keeps_no_plan_made_for_small_tables(open_wams: Any,
                                                              db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("a plan cache of prepared statements is PostgreSQL's")
    w = open_wams()
    # No ANALYZE may come to the rescue while the history grows (autovacuum would run one).
    _dba(db_url, "ALTER TABLE history SET (autovacuum_enabled = false)")
    # A dozen commands with idempotency keys while the history is nearly empty: psycopg
    # prepares the lookup after five, PostgreSQL settles on a plan after five more.
    for i in range(12):
        d = w.hulpvraag(GEMEENTE, wet="participatiewet", vraag="algemene bijstand",
                        client=Persoon(ref="jan", bsn=test_bsn(900 + i), naam=f"Jan {i}"),
                        aanleiding="noemt betalingsachterstanden", idempotency_key=f"k-{i}")
        assert d.allowed, d
    # The municipality's history grows to thousands of entries.
    with w.batch(all_or_nothing=True) as b:
        for i in range(300):
            check_lifecycle(lifecycle(b, GEMEENTE, i))
    with w.engine.unit_of_work(None) as uow:
        raw: Any = uow.store.conn.connection.driver_connection
        cursor = raw.cursor()
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        assert cursor.fetchone()[0] == "force_custom_plan"
        cursor.execute("SELECT name FROM pg_prepared_statements "
                       "WHERE statement LIKE '%idempotency_key =%'")
        names = [r[0] for r in cursor.fetchall()]
        assert names, "psycopg prepared the idempotency lookup"
        cursor.execute(f"EXPLAIN EXECUTE {names[0]}('{GEMEENTE}', 'sleutel', 'sleutel')")
        plan = "\n".join(r[0] for r in cursor.fetchall())
    # The lookup goes down the index of the key itself, not along the municipality's entries.
    assert "uq_history_idempotency" in plan, plan
    assert "ix_history_case" not in plan, plan
