"""The ``wams`` command line end to end: scenario run/check/schema, demo, plugins, rules.

Unlike tests/test_scenario_loading.py these run the real engine (fresh in-memory databases,
or a SQLite file under tmp_path).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("wams.core.engine")

from wams.cli import cli
from wams.core.scenario.run import run_scenario

SCENARIO = textwrap.dedent("""\
    formaat: 2
    scenario: Bijstand met schulden
    gemeente: "0599"
    datum: 2027-02-01
    personen:
      jan:  {rol: client, geboortedatum: 1985-04-12, bsn: "111222333"}
      emma: {rol: gezinslid, relatie: kind, geboortedatum: 2013-09-01}
    partijen:
      kredietbank: {soort: wgs.schuldhulpverlener}
      school:      {soort: aanpalend.school}
    stappen:
      - domein: {domein: schuldhulp, reden: te vroeg}
        verwacht: {toegestaan: nee, reden: state.invalid_transition}
      - hulpvraag: {wet: participatiewet, client: jan, vraag: algemene bijstand,
                    aanleiding: noemt betalingsachterstanden}
        verwacht: {toegestaan: ja, fase: onderzoek, citeert: [R01, R02]}
      - domein: {domein: schuldhulp, reden: betalingsachterstanden, client_akkoord: ja}
      - vraag_gegevens: {bij: kredietbank, categorie: wgs.schuldenoverzicht, over: jan,
                         doel: onderzoek, toelichting: zicht op schulden,
                         noodzaak: bepalen of schuldhulp nodig is}
      - vraag_gegevens: {bij: school, categorie: aanpalend.schoolverzuim, over: emma,
                         doel: onderzoek, toelichting: zicht op verzuim,
                         noodzaak: samenhang met thuissituatie}
        verwacht: {toegestaan: nee, reden: family.not_in_case}
      - tijd: {dagen: 30}
        verwacht: {fase: onderzoek}
""")


def write(folder: Path, name: str, text: str = SCENARIO) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_run_passes(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml")
    result = CliRunner().invoke(cli, ["scenario", "run", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("ok.yaml — Bijstand met schulden")
    assert lines[-1] == "1 passed, 0 failed"


def test_run_reports_failures(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml")
    write(tmp_path, "b.yaml", SCENARIO.replace("reden: family.not_in_case",
                                               "reden: scope.domain_not_in_scope"))
    result = CliRunner().invoke(cli, ["scenario", "run", str(tmp_path)])
    assert result.exit_code == 1
    assert ("stap 5 (vraag_gegevens): reden verwacht 'scope.domain_not_in_scope', kreeg "
            "'family.not_in_case'") in result.output
    assert result.output.splitlines()[-1] == "1 passed, 1 failed"


def test_step_without_verwacht_must_be_allowed(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "  - domein: {domein: schuldhulp, reden: te vroeg}\n"
        "    verwacht: {toegestaan: nee, reden: state.invalid_transition}\n",
        "  - domein: {domein: schuldhulp, reden: te vroeg}\n")
    assert text != SCENARIO
    result = CliRunner().invoke(cli, ["scenario", "run", str(write(tmp_path, "x.yaml", text))])
    assert result.exit_code == 1
    assert "stap 1 (domein): geweigerd met 'state.invalid_transition'" in result.output


def test_run_json(tmp_path: Path) -> None:
    path = write(tmp_path, "ok.yaml")
    result = CliRunner().invoke(cli, ["scenario", "run", "--json", str(path)])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert isinstance(doc, list) and len(doc) == 1
    assert set(doc[0]) == {"file", "scenario", "passed", "steps"}
    step = doc[0]["steps"][1]
    assert set(step) == {"n", "step", "allowed", "reden", "fase", "werkplan", "citeert",
                         "verwerkingen", "message", "failures"}
    assert step["n"] == 2 and step["step"] == "hulpvraag" and step["allowed"] is True
    assert step["fase"] == "onderzoek" and {"R01", "R02"} <= set(step["citeert"])
    tijd = doc[0]["steps"][-1]
    assert tijd["step"] == "tijd" and tijd["allowed"] and tijd["fase"] == "onderzoek"


def test_run_explain(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["scenario", "run", "--explain",
                                      str(write(tmp_path, "ok.yaml"))])
    assert result.exit_code == 0
    assert "family.not_in_case" in result.output and "regels R01" in result.output
    assert "geweigerd" in result.output and "toegestaan" in result.output


def test_run_persists_to_given_database(tmp_path: Path) -> None:
    db = tmp_path / "run.db"
    path = write(tmp_path, "ok.yaml")
    result = CliRunner().invoke(cli, ["scenario", "run", "--db", f"sqlite:///{db}", str(path)])
    assert result.exit_code == 0, result.output
    assert db.exists()


def test_run_scenario_api(tmp_path: Path) -> None:
    result = run_scenario(write(tmp_path, "ok.yaml"))
    assert result.passed and [s.n for s in result.steps] == list(range(1, 7))
    assert result.steps[0].decision.code == "state.invalid_transition"
    assert result.steps[1].decision.case_id


def test_demo_recreates_its_database(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib, "wgs/ok.yaml")
    db = tmp_path / "demo.db"
    db.write_bytes(b"not a database")  # the demo must start from scratch
    result = CliRunner().invoke(cli, ["demo", "--db", f"sqlite:///{db}", "--scenarios", str(lib),
                                      "--detail"])
    assert result.exit_code == 0, result.output
    assert "Bijstand met schulden" in result.output and "family.not_in_case" in result.output
    assert result.output.splitlines()[-1] == "1 passed, 0 failed"
    assert db.stat().st_size > 100


def test_plugins_lists_builtins() -> None:
    result = CliRunner().invoke(cli, ["plugins", "--json"])
    assert result.exit_code == 0, result.output
    names = {p["name"] for p in json.loads(result.output)}
    assert {"wmo", "jeugdwet", "participatiewet", "wgs", "aanpalend"} <= names
    text = CliRunner().invoke(cli, ["plugins"]).output
    assert "wgs" in text and "partijsoorten" in text


def test_rules_show_covering_scenarios(tmp_path: Path) -> None:
    write(tmp_path, "kern/ok.yaml")
    result = CliRunner().invoke(cli, ["rules", "--scenarios", str(tmp_path), "--json"])
    assert result.exit_code == 0
    table = {r["id"]: r for r in json.loads(result.output)}
    assert table["R02"]["scenarios"] == ["kern/ok.yaml"] and table["R02"]["sources"]
    assert table["R30"]["scenarios"] == []
    text = CliRunner().invoke(cli, ["rules", "--scenarios", str(tmp_path)]).output
    assert text.startswith("R01  ") and "kern/ok.yaml" in text


def test_schema_command_matches_shipped_file() -> None:
    from wams.core.scenario.schema import SCHEMA_PATH

    result = CliRunner().invoke(cli, ["scenario", "schema"])
    assert json.loads(result.output) == json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def test_help_is_import_light() -> None:
    code = ("import sys; sys.argv = ['wams', '--help']\n"
            "from wams import cli\n"
            "try:\n    cli.main()\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sqlalchemy', 'wams.core.engine', 'cattrs', 'yaml') "
            "if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, env={"PYTHONPATH": str(root)}, check=True).stdout
    assert "HEAVY []" in out
