"""Shared fixtures: every engine test runs on real SQLite and on real PostgreSQL.

PostgreSQL comes from ``WAMS_TEST_POSTGRES_URL`` (``.ci/run`` starts a throwaway server and
sets it). Outside CI a missing server leaves the PostgreSQL half out of the run, with one note
line at the end instead of a skip line per test; in CI (``CI=true``) it is an error, so a
backend can never silently drop out of the run.
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


_NOT_RUN = pytest.StashKey[int]()


def postgres_left_out() -> bool:
    """No PostgreSQL and not in CI: its half of the run is left out (CI fails instead)."""
    return not os.environ.get(POSTGRES_ENV) and not os.environ.get("CI")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not postgres_left_out():
        return
    keep, dropped = [], []
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_url") == "postgresql"
        (dropped if on_postgres else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
        config.stash[_NOT_RUN] = len(dropped)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int,
                            config: pytest.Config) -> None:
    left_out = config.stash.get(_NOT_RUN, 0)
    if left_out:
        terminalreporter.write_line(
            f"note: {left_out} PostgreSQL tests not run (deselected): set {POSTGRES_ENV} to a "
            "server to run them; CI (CI=true) fails without one")


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


@pytest.fixture(autouse=True)
def key_file(tmp_path, monkeypatch: pytest.MonkeyPatch) -> str:  # type: ignore[no-untyped-def]
    """Every test has its own key store (keys never live in the database): a key file in
    its tmp_path, named by ``WAMS_KEY_FILE`` too, so engines, CLI runs and subprocesses of
    one test share it."""
    path = str(tmp_path / "wams.keys")
    monkeypatch.setenv("WAMS_KEY_FILE", path)
    return path


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.date(2027, 2, 1))


@pytest.fixture
def open_wams(db_url: str, clock: Clock, key_file: str) -> Iterator[Callable[..., object]]:
    """Open Wams on the test database; everything opened is closed at the end."""
    from wams.api import Wams

    opened: list[Wams] = []

    def _open(**kwargs: object) -> Wams:
        kwargs.setdefault("clock", clock)
        kwargs.setdefault("key_file", key_file)
        w = Wams.open(db_url, **kwargs)  # type: ignore[arg-type]
        opened.append(w)
        return w

    yield _open
    for w in opened:
        w.close()


@pytest.fixture
def wams(open_wams: Callable[..., object]) -> object:
    return open_wams()


@pytest.fixture
def wams_without_health_rule(open_wams: Callable[..., object],
                             monkeypatch: pytest.MonkeyPatch) -> object:
    """Wams whose ``aanpalend`` plugin lacks its provision rule for health data (R17): the
    built-in is switched off (allow list) and an in-process copy without that rule, under the
    same name, takes its place."""
    from wams.core.law.hookspecs import hookimpl
    from wams.core.law.records import ProvisionRule
    from wams.plugins import aanpalend

    class AanpalendWithoutHealthRule:
        wams_laws = staticmethod(aanpalend.wams_laws)
        wams_domains = staticmethod(aanpalend.wams_domains)
        wams_party_kinds = staticmethod(aanpalend.wams_party_kinds)
        wams_services = staticmethod(aanpalend.wams_services)
        wams_data_categories = staticmethod(aanpalend.wams_data_categories)
        wams_signals = staticmethod(aanpalend.wams_signals)
        wams_processing_activities = staticmethod(aanpalend.wams_processing_activities)

        @staticmethod
        @hookimpl
        def wams_provision_rules() -> list[ProvisionRule]:
            return [r for r in aanpalend.wams_provision_rules()
                    if r.code != "verstrekking_gezondheid"]

    monkeypatch.setenv("WAMS_PLUGINS_ALLOW", "wmo,jeugdwet,participatiewet,wgs")
    return open_wams(plugins=[("aanpalend", AanpalendWithoutHealthRule())])
