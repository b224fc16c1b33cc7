"""Boring to operate: a PostgreSQL connection lost between commands (a restart, a failover, an
idle timeout) costs nothing. The step runs once more on a fresh connection, and is stored once."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy

from wams.core.model import Persoon


# An embedded SQLite file has no connection to lose: PostgreSQL only.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_lost_connection_is_replaced_and_the_step_stored_once(
        wams: Any, db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    w = wams
    assert w.hulpvraag("0599", wet="wmo", client=Persoon("a"), vraag="hulp").allowed
    with w.engine.unit_of_work("0599") as uow:
        pid = uow.store.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = sqlalchemy.create_engine(db_url)
    with admin.begin() as conn:
        assert conn.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar()
    admin.dispose()

    with caplog.at_level("WARNING", logger="wams"):
        d = w.hulpvraag("0599", wet="wmo", client=Persoon("b"), vraag="hulp")
    assert d.allowed
    assert "verbinding met de database verloren" in caplog.text
    assert len(w.cases("0599")) == 2
    with w.engine.unit_of_work("0599") as uow:
        n = uow.store.conn.exec_driver_sql(
            "SELECT count(*) FROM history WHERE trace_id = %(t)s", {"t": d.trace_id}).scalar()
    assert n == 1
