"""Every SQLite connection of wams gets the same settings (WAL, synchronous NORMAL, foreign
keys, busy timeout, secure delete, a page cache of its own size); the page cache is a setting,
a bad value is one clear error; and the benchmarks' raw references connect with the very same
settings, so a ratio compares work, not configuration."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from wams.api import Wams
from wams.cli import cli
from wams.core.errors import InputError
from wams.core.storage.database import (
    BUSY_TIMEOUT_MS,
    SQLITE_CACHE_DEFAULT_MB,
    SQLITE_CACHE_ENV,
    sqlite_cache_mb,
)

SETTINGS = ("PRAGMA journal_mode", "PRAGMA synchronous", "PRAGMA foreign_keys",
            "PRAGMA busy_timeout", "PRAGMA secure_delete", "PRAGMA cache_size")


def _settings_of(w: Wams) -> list[object]:
    return [row[0] for row in w.engine.driver_pragmas(*SETTINGS)]


def test_an_engine_connection_has_the_settings_and_the_default_page_cache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SQLITE_CACHE_ENV, raising=False)
    with Wams.open(f"sqlite:///{tmp_path / 'a.db'}") as w:
        # synchronous 1 is NORMAL; a negative cache_size is a size in KiB.
        assert _settings_of(w) == ["wal", 1, 1, BUSY_TIMEOUT_MS, 1,
                                   -SQLITE_CACHE_DEFAULT_MB * 1024]
    # SQLite's own default (2 MiB) made most index visits of a step a read from the OS.
    assert SQLITE_CACHE_DEFAULT_MB >= 32


def test_the_page_cache_comes_from_the_environment(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SQLITE_CACHE_ENV, " 8 ")
    with Wams.open(f"sqlite:///{tmp_path / 'a.db'}") as w:
        assert _settings_of(w)[-1] == -8 * 1024


@pytest.mark.parametrize("bad", ["0", "-5", "veel", "1.5", "64MB", "0x40"])
def test_a_bad_page_cache_is_one_clear_error_and_makes_no_database(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    monkeypatch.setenv(SQLITE_CACHE_ENV, bad)
    with pytest.raises(InputError, match=SQLITE_CACHE_ENV):
        sqlite_cache_mb()
    path = tmp_path / "a.db"
    with pytest.raises(InputError, match=SQLITE_CACHE_ENV):
        Wams.open(f"sqlite:///{path}")
    result = CliRunner(env={SQLITE_CACHE_ENV: bad}).invoke(
        cli, ["keys", "init", "--gemeente", "0599", "--db", f"sqlite:///{path}"])
    assert result.exit_code == 2, result.output
    assert SQLITE_CACHE_ENV in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert not path.exists()


def test_the_benchmark_reference_connects_with_the_engines_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks.reference import sqlite_connect

    monkeypatch.setenv(SQLITE_CACHE_ENV, "16")
    path = tmp_path / "a.db"
    with Wams.open(f"sqlite:///{path}") as w:
        ours = _settings_of(w)
    raw = sqlite_connect(str(path))
    try:
        assert [raw.execute(p).fetchone()[0] for p in SETTINGS] == ours
    finally:
        raw.close()
