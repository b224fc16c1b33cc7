"""The test run itself: without PostgreSQL one note line instead of a skip line per test,
and in CI (``CI=true``) a missing PostgreSQL still fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_TEST = "tests/test_migrations.py::test_upgrade_on_empty_database"


def _pytest(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("CI", "WAMS_TEST_POSTGRES_URL", "PYTEST_ADDOPTS")
             and not k.startswith("PYTEST_XDIST")}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           ONE_TEST], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=300, check=False)


def test_without_postgres_one_note_and_no_skip_lines() -> None:
    run = _pytest()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "SKIPPED" not in run.stdout and "skipped" not in run.stdout
    notes = [line for line in run.stdout.splitlines() if line.startswith("note: ")]
    assert notes == ["note: 1 PostgreSQL tests not run (deselected): set WAMS_TEST_POSTGRES_URL "
                     "to a server to run them; CI (CI=true) fails without one"]
    assert "1 passed, 1 deselected" in run.stdout


def test_in_ci_a_missing_postgres_fails() -> None:
    run = _pytest(CI="true")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "WAMS_TEST_POSTGRES_URL is not set in CI" in run.stdout
    assert "1 passed" in run.stdout and "1 error" in run.stdout
