"""One rule for a municipality code at every edge: what the Python API refuses, a scenario file
(check and run), a token claim and a command-line option refuse too — fullwidth and other
scripts' digits included, which ``str.isdigit`` and ``\\d`` would let through as a second,
ghost municipality."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from wams.cli import cli
from wams.core.errors import InputError, TokenError
from wams.core.gemeente import check_gemeente, is_gemeente
from wams.service.auth import principal_from

GHOSTS = ["０５９９", "٠٥٩٩", "۰۵۹۹", "०५९९", "0599\n", "05９9", " 0599"]

SCENARIO = """formaat: 2
scenario: Gemeentecode
regels: wams-2020
gemeente: "{gemeente}"
datum: 2027-01-11
personen:
  jan: {{rol: client}}
partijen: {{}}
stappen:
  - hulpvraag: {{wet: wmo, client: jan, vraag: hulp, aanleiding: eenzaam}}
    verwacht: {{toegestaan: ja}}
"""


def _edges_refuse(code: str) -> list[bool]:
    """Whether each edge refuses ``code``: the API's check, a token claim."""
    refused = []
    try:
        check_gemeente(code)
        refused.append(False)
    except InputError:
        refused.append(True)
    try:
        principal_from({"gemeente": code, "sub": "medewerker-1", "rol": "medewerker"})
        refused.append(False)
    except TokenError:
        refused.append(True)
    return refused


@pytest.mark.parametrize("code", GHOSTS)
def test_a_ghost_code_is_refused_by_the_api_and_a_token(code: str) -> None:
    assert _edges_refuse(code) == [True, True]


@pytest.mark.parametrize("command", ["check", "run"])
@pytest.mark.parametrize("code", ["０５９９", "٠٥٩٩"])
def test_a_scenario_file_with_a_ghost_code_is_refused_by_check_and_run(
        tmp_path: Path, command: str, code: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(gemeente=code), encoding="utf-8")
    args = ["scenario", command, str(path)]
    if command == "run":
        args += ["--db", f"sqlite:///{tmp_path / 'w.db'}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "gemeentecode" in result.output
    assert not (tmp_path / "w.db").exists()  # refused before a database is made


def test_the_same_file_with_a_plain_code_passes_check(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(gemeente="0599"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["scenario", "check", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("code", ["０５９９", "٠٥٩٩"])
def test_a_command_line_option_refuses_a_ghost_code(tmp_path: Path, code: str) -> None:
    result = CliRunner().invoke(cli, ["audit", "verify", "--db",
                                      f"sqlite:///{tmp_path / 'w.db'}", "--gemeente", code])
    assert result.exit_code == 2, result.output
    assert "gemeentecode is 4 cijfers" in result.output


@given(st.text(alphabet="0123456789０５٩९ \n", min_size=3, max_size=5))
def test_every_edge_agrees_with_the_one_rule(code: str) -> None:
    expected = not is_gemeente(code)
    assert _edges_refuse(code) == [expected, expected]
    assert is_gemeente(code) == (len(code) == 4 and all(ch in "0123456789" for ch in code))
