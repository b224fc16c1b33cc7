"""Running commands in a fresh virtual environment, untouched by this test run's settings:
for the tests that install wams (and the example plugin) the way a user would."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

TIMEOUT = 600


def env() -> dict[str, str]:
    """The environment without wams', Python's, virtualenv's and pytest's own variables."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("WAMS_", "PYTHON", "VIRTUAL_ENV", "PYTEST_"))}
    clean["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return clean


def run(*cmd: str | Path, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run ``cmd``; with ``check`` a non-zero exit fails with the command's whole output."""
    proc = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env(), capture_output=True,
                          check=False, text=True, timeout=TIMEOUT)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc
