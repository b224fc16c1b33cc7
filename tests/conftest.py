"""Shared fixtures: every engine test runs on real SQLite and on real PostgreSQL.

PostgreSQL comes from ``WAMS_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server and
sets it). Outside CI a missing server skips those tests; in CI (``CI=true``) it is an error,
so a backend can never silently drop out of the run.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator

import pytest

from wams.core.clock import Clock

POSTGRES_ENV = "WAMS_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def _postgres_url() -> str:
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set in CI: .ci/run must start PostgreSQL")
        pytest.skip(f"no PostgreSQL: set {POSTGRES_ENV} to run the PostgreSQL half")
    return url


def _reset_postgres(url: str) -> None:
    import sqlalchemy

    engine = sqlalchemy.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The URL of an empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'wams.db'}"
    url = _postgres_url()
    _reset_postgres(url)
    return url


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.date(2027, 2, 1))


@pytest.fixture
def open_wams(db_url: str, clock: Clock) -> Iterator[Callable[..., object]]:
    """Open Wams on the test database; everything opened is closed at the end."""
    from wams.api import Wams

    opened: list[Wams] = []

    def _open(**kwargs: object) -> Wams:
        kwargs.setdefault("clock", clock)
        w = Wams.open(db_url, **kwargs)  # type: ignore[arg-type]
        opened.append(w)
        return w

    yield _open
    for w in opened:
        w.close()


@pytest.fixture
def wams(open_wams: Callable[..., object]) -> object:
    return open_wams()
