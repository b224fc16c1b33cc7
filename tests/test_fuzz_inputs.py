"""Quality C4: fuzzed scenario files and CLI arguments never give a traceback.

Every input either works, or ends in ONE line naming what is wrong and exit code 2, and a bad
scenario is refused before anything is written. The number of inputs is ``WAMS_FUZZ_EXAMPLES``
per test (default 10,000 in CI, 1,000 elsewhere); the seed is fixed so CI is reproducible.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_scenario_loading import FILE, mutated
from wams.cli import main
from wams.core.scenario.format import ScenarioError
from wams.core.scenario.load import from_data
from wams.core.scenario.run import run_scenario

EXAMPLES = int(os.environ.get("WAMS_FUZZ_EXAMPLES", "10000" if os.environ.get("CI") else "1000"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@FUZZ
@given(mutated())
def test_fuzzed_scenarios_load_and_run_without_traceback(data: Any) -> None:
    """What loads also runs: every engine error on a loaded scenario is a failed step."""
    try:
        scenario = from_data(data, FILE)
    except ScenarioError as exc:
        assert len(str(exc).splitlines()) == 1
        return
    result = run_scenario(scenario)
    for step in result.steps:
        for failure in step.failures:
            assert "Traceback" not in failure


_WORDS = st.sampled_from([
    "scenario", "run", "check", "schema", "rules", "plugins", "db", "current", "check",
    "audit", "verify", "inzage", "case", "list", "show", "log", "export", "register",
    "--db", "--gemeente", "--json", "--explain", "--format", "--bsn", "--persoon", "--since",
    "--dry-run", "--actor", "--doel", "json", "text", "0599", "599", "abcd", "111222333",
    "123", "2027-13-45", "-", "--", "", "sqlite://", "sqlite:///{tmp}/nieuw.db",
    "sqlite:///{tmp}/bad.yaml", "postgresql+psycopg://nobody@127.0.0.1:1/x", "mysql://x/y",
    "::", "{tmp}/bad.yaml", "{tmp}/missing.yaml", "{tmp}", "R01", "\x00", "é", "--help",
])


@FUZZ
@given(st.lists(_WORDS, min_size=1, max_size=6))
def test_fuzzed_cli_arguments_give_one_line_and_exit_code(tmp_path_factory: Any,
                                                          words: list[str]) -> None:
    tmp = _fuzz_dir(tmp_path_factory)
    argv = [w.replace("{tmp}", str(tmp)) for w in words]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 0
    assert code in (0, 1, 2), (argv, code, err.getvalue())
    assert "Traceback" not in err.getvalue() + out.getvalue(), argv
    assert "interne fout" not in err.getvalue(), (argv, err.getvalue())
    if code == 2:
        assert err.getvalue().strip(), argv
    # Nothing may appear where nothing was asked to be created.
    assert not (tmp / "missing.yaml").exists()


_DIR: list[Path] = []


def _fuzz_dir(factory: Any) -> Path:
    if not _DIR:
        tmp = factory.mktemp("fuzz")
        (tmp / "bad.yaml").write_text(yaml.safe_dump({"formaat": 3, "scenario": "x"}))
        _DIR.append(tmp)
    return _DIR[0]
