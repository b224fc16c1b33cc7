"""A third-party law plugin needs zero changes to the core: install it, and it is there.

In a fresh virtual environment: install wams (editable, from this checkout) and the example
plugin ``examples/wams-leerplicht`` with its test extra; ``wams plugins`` lists it with its
distribution and version, its scenarios pass, its command is on the CLI, and its own tests
pass with the fixtures of ``wams.testing`` coming in through the ``pytest11`` entry point.
Then ``pip uninstall`` it: ``wams plugins`` no longer lists it and its scenario files are invalid,
because their codes are unknown again.

Packages come from the configured index (or pip's cache); nothing is skipped. It takes about
half a minute on this project's machines.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from isolated import run as _run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "wams-leerplicht"
SCENARIOS = EXAMPLE / "scenarios"


def test_install_run_uninstall(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    python, wams = bindir / "python", bindir / "wams"
    # Build the example from a copy, so the build leaves nothing in the source tree.
    example = tmp_path / "wams-leerplicht"
    shutil.copytree(EXAMPLE, example, ignore=shutil.ignore_patterns(
        "build", "*.egg-info", "__pycache__", ".pytest_cache"))
    _run(python, "-m", "pip", "install", "--quiet", "-e", ROOT, f"{example}[test]",
         cwd=tmp_path)

    # -- installed: listed, with distribution and version --------------------------------
    listed = {p["name"]: p for p in json.loads(
        _run(wams, "plugins", "--json", cwd=tmp_path).stdout)}
    assert listed["leerplicht"]["distribution"] == "wams-leerplicht"
    assert listed["leerplicht"]["version"] == "0.1.0"
    assert listed["leerplicht"]["contributions"]["categories"] == 1
    assert {"wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend"} <= set(listed)
    text = _run(wams, "plugins", cwd=tmp_path).stdout
    assert "leerplicht" in text and "wams-leerplicht 0.1.0" in text

    # -- its scenarios pass against the real engine ----------------------------------------
    run = _run(wams, "scenario", "run", SCENARIOS, cwd=tmp_path, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed, 0 failed" in run.stdout

    # -- its CLI command (hook wams_commands) ----------------------------------------------
    assert "leerplicht.verzuimdossier" in _run(wams, "rmc", cwd=tmp_path).stdout

    # -- its own tests, with the wams.testing fixtures from the pytest11 entry point -------
    tests = _run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider", example / "tests",
                 cwd=example, check=False)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "3 passed" in tests.stdout

    # -- uninstalled: gone, and its scenarios no longer pass --------------------------------
    _run(python, "-m", "pip", "uninstall", "--yes", "wams-leerplicht", cwd=tmp_path)
    listed = {p["name"] for p in json.loads(
        _run(wams, "plugins", "--json", cwd=tmp_path).stdout)}
    assert "leerplicht" not in listed
    assert {"wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend"} <= listed
    # Its files name codes no loaded plugin declares: invalid input (exit 2), said per file
    # before anything runs, with the catalogue to look in.
    run = _run(wams, "scenario", "run", SCENARIOS, cwd=tmp_path, check=False)
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stdout == "" and len(run.stderr.splitlines()) == 2  # one line per file
    assert "'leerplicht.rmc_coordinator' is geen bekende partijsoort" in run.stderr
    assert "zie 'wams catalogue'" in run.stderr
