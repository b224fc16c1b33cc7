"""Strict loading of scenario files: every bad input is ONE line naming file, step and key.

These tests need no engine: they exercise the format, the converter and the CLI's load phase.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wams.core import commands as c
from wams.core.model import Partij, Persoon
from wams.core.scenario.format import ScenarioError, elfproef
from wams.core.scenario.load import from_data, load, loads

FILE = "scenarios/x.yaml"


def valid() -> dict[str, Any]:
    return {
        "formaat": 2,
        "scenario": "Bijstand met schulden",
        "regels": "wams-2020",
        "gemeente": "0599",
        "datum": dt.date(2027, 2, 1),
        "personen": {
            "jan": {"rol": "client", "geboortedatum": dt.date(1985, 4, 12), "bsn": "111222333"},
            "emma": {"rol": "gezinslid", "relatie": "kind", "geboortedatum": "2013-09-01"},
        },
        "partijen": {
            "kredietbank": {"soort": "wgs.schuldhulpverlener"},
            "school": {"soort": "aanpalend.school"},
        },
        "instellingen": {"bewaartermijn_maanden": 6},
        "stappen": [
            {"hulpvraag": {"wet": "participatiewet", "client": "jan", "vraag": "bijstand",
                           "aanleiding": "achterstanden"},
             "verwacht": {"toegestaan": "ja", "fase": "onderzoek", "citeert": ["R01", "R02"]}},
            {"domein": {"domein": "schuldhulp", "reden": "achterstanden",
                        "client_akkoord": True}},
            {"gezinslid": {"persoon": "emma", "samenhang": "thuissituatie"}},
            {"vraag_gegevens": {"bij": "kredietbank", "categorie": "wgs.schuldenoverzicht",
                                "over": "jan", "doel": "onderzoek", "toelichting": "zicht",
                                "noodzaak": "nodig"},
             "verwacht": {"toegestaan": True, "verwerkingen": 1}},
            {"werkplan": {"samenhang": "s", "coordinatie_helpt": "ja",
                          "afspraken": {"coordinatie": "a", "evaluatie": "b",
                                        "beeindiging": "c"}}},
            {"casusoverleg": {"doel": "afstemming", "bijeengeroepen_door": "college",
                              "deelnemers": ["kredietbank", "jan"],
                              "inbreng": [{"partij": "college",
                                           "categorie": "wgs.schuldenoverzicht",
                                           "over": "jan"}]}},
            {"coordinator": {"type": "partij", "wie": "kredietbank"}},
            {"tijd": {"datum": dt.date(2027, 9, 1)}},
            {"sluit": {"terugvalafspraken": "bel"}, "verwacht": {"fase": "afgesloten"}},
            {"tijd": {"dagen": 400}},
            {"vernietig": None, "verwacht": {"reden": "ok"}},
            {"melding": {"melder": {"soort": "burger"}, "over": "jan", "zorg": "z"}},
            {"inzage": {"persoon": "jan"}, "verwacht": {"verwerkingen_min": 5}},
        ],
    }


def bad(data: dict[str, Any]) -> str:
    with pytest.raises(ScenarioError) as info:
        from_data(data, FILE)
    line = str(info.value)
    assert "\n" not in line
    assert line.startswith(FILE + ": ")
    return line


def test_valid_scenario_converts_to_commands() -> None:
    s = from_data(valid(), FILE)
    assert s.header.gemeente == "0599" and s.header.datum == dt.date(2027, 2, 1)
    first = s.stappen[0].command
    assert isinstance(first, c.Hulpvraag)
    assert first.client == Persoon(ref="jan", rol="client", geboortedatum=dt.date(1985, 4, 12),
                                   bsn="111222333")
    assert s.stappen[0].verwacht is not None and s.stappen[0].verwacht.toegestaan is True
    assert s.stappen[1].command.client_akkoord is True
    assert s.stappen[2].command.persoon.rol == "gezinslid"
    vraag = s.stappen[3].command
    assert vraag.bij == Partij(ref="kredietbank", soort="wgs.schuldhulpverlener")
    assert vraag.over == "jan"
    werkplan = s.stappen[4].command
    assert werkplan.coordinatie_helpt is True
    assert werkplan.afspraken == c.Afspraken("a", "b", "c")
    overleg = s.stappen[5].command
    assert overleg.inbreng == (c.Inbreng("college", "wgs.schuldenoverzicht", "jan"),)
    assert s.stappen[10].command == c.Vernietig()
    assert s.stappen[11].command.melder == c.Melder("burger")
    assert [st.n for st in s.stappen] == list(range(1, 14))


def test_yaml_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text(yaml.safe_dump(valid(), allow_unicode=True), encoding="utf-8")
    assert load(path).title == "Bijstand met schulden"


def test_optional_command_fields_may_be_left_out() -> None:
    # Leaving out onderbouwing is how a scenario tests verzoek.no_substantiation.
    data = valid()
    data["stappen"] = [{"verzoek": {"partij": "kredietbank", "client": "jan"}}]
    assert from_data(data, FILE).stappen[0].command.onderbouwing is None


def test_unknown_key_in_step() -> None:
    data = valid()
    data["stappen"][3]["vraag_gegevens"]["overr"] = "jan"
    line = bad(data)
    assert "stap 4 (vraag_gegevens)" in line and "sleutel 'overr'" in line
    assert "bedoelde je 'over'" in line


def test_unknown_top_level_key() -> None:
    data = valid()
    data["gemeenten"] = "0599"
    line = bad(data)
    assert "sleutel 'gemeenten'" in line and "onbekende sleutel" in line


def test_unknown_key_in_person() -> None:
    data = valid()
    data["personen"]["jan"]["leeftijd"] = 40
    assert "sleutel 'personen.jan.leeftijd'" in bad(data)


def test_missing_required_key() -> None:
    data = valid()
    del data["stappen"][3]["vraag_gegevens"]["categorie"]
    line = bad(data)
    assert "stap 4 (vraag_gegevens)" in line and "sleutel 'categorie'" in line
    assert "ontbreekt" in line


def test_missing_top_level_key() -> None:
    data = valid()
    del data["gemeente"]
    assert "sleutel 'gemeente': ontbreekt" in bad(data)


def test_missing_stappen() -> None:
    data = valid()
    del data["stappen"]
    assert "sleutel 'stappen'" in bad(data)


def test_wrong_type() -> None:
    data = valid()
    data["stappen"][3]["vraag_gegevens"]["doel"] = ["a", "b"]
    line = bad(data)
    assert "stap 4 (vraag_gegevens)" in line and "sleutel 'doel'" in line and "tekst" in line


def test_wrong_type_list_given_a_string() -> None:
    data = valid()
    data["stappen"][0]["verwacht"]["citeert"] = "R01"
    line = bad(data)
    assert "stap 1 (hulpvraag)" in line and "sleutel 'verwacht.citeert'" in line
    assert "lijst" in line


def test_wrong_type_nested_item() -> None:
    data = valid()
    data["stappen"][5]["casusoverleg"]["inbreng"][0]["over"] = 5
    line = bad(data)
    assert "stap 6 (casusoverleg)" in line and "sleutel 'inbreng[1].over'" in line


@pytest.mark.parametrize("field", ["over", "bij"])
def test_undeclared_id(field: str) -> None:
    data = valid()
    data["stappen"][3]["vraag_gegevens"][field] = "emma2"
    line = bad(data)
    assert f"stap 4 (vraag_gegevens): sleutel '{field}'" in line
    assert "'emma2' is niet gedeclareerd" in line


def test_undeclared_person_in_command_record() -> None:
    data = valid()
    data["stappen"][0]["hulpvraag"]["client"] = "piet"
    line = bad(data)
    assert "stap 1 (hulpvraag): sleutel 'client': persoon 'piet' is niet gedeclareerd" in line


def test_party_used_as_person() -> None:
    data = valid()
    data["stappen"][3]["vraag_gegevens"]["over"] = "school"
    assert "'school' is een partij, geen persoon" in bad(data)


@pytest.mark.parametrize(("step", "path", "key"), [
    (5, ("casusoverleg", "deelnemers", 1), "deelnemers[2]"),
    (5, ("casusoverleg", "inbreng", 0, "partij"), "inbreng[1].partij"),
    (6, ("coordinator", "wie"), "wie"),
    (12, ("inzage", "persoon"), "persoon"),
])
def test_undeclared_ids_elsewhere(step: int, path: tuple[Any, ...], key: str) -> None:
    data = valid()
    target = data["stappen"][step]
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = "onbekend"
    line = bad(data)
    assert f"stap {step + 1} (" in line and f"sleutel '{key}'" in line
    assert "niet gedeclareerd" in line


def test_informeer_personen_checked() -> None:
    data = valid()
    data["stappen"].insert(1, {"informeer": {"personen": ["jan", "kees"]}})
    assert "stap 2 (informeer): sleutel 'personen[2]'" in bad(data)


def test_coordinator_ambtenaar_is_free_text() -> None:
    data = valid()
    data["stappen"][6]["coordinator"] = {"type": "ambtenaar", "wie": "M. de Vries"}
    from_data(data, FILE)


@pytest.mark.parametrize("bsn", ["111222334", "12345678", "abcdefghi", 111222333])
def test_invalid_bsn(bsn: object) -> None:
    data = valid()
    data["personen"]["jan"]["bsn"] = bsn
    line = bad(data)
    assert "sleutel 'personen.jan.bsn'" in line and "BSN" in line


def test_elfproef() -> None:
    assert elfproef("111222333") and elfproef("123456782")
    assert not elfproef("123456789") and not elfproef("1234")


def test_tijd_backwards() -> None:
    data = valid()
    data["stappen"][7]["tijd"] = {"datum": dt.date(2027, 1, 1)}
    line = bad(data)
    assert "stap 8 (tijd): sleutel 'datum'" in line and "vooruit" in line


def test_tijd_backwards_after_earlier_tijd() -> None:
    data = valid()
    data["stappen"][9]["tijd"] = {"datum": "2027-08-01"}  # before the 2027-09-01 of stap 8
    assert "stap 10 (tijd): sleutel 'datum'" in bad(data)


def test_tijd_negative_days() -> None:
    data = valid()
    data["stappen"][9]["tijd"] = {"dagen": -3}
    line = bad(data)
    assert "stap 10 (tijd): sleutel 'dagen'" in line and "negatief" in line


def test_tijd_needs_exactly_one() -> None:
    data = valid()
    data["stappen"][9]["tijd"] = {"dagen": 3, "datum": "2028-01-01"}
    assert "stap 10 (tijd)" in bad(data)


@pytest.mark.parametrize("value", [3, "2", True])
def test_formaat(value: object) -> None:
    data = valid()
    data["formaat"] = value
    assert "sleutel 'formaat'" in bad(data)


def test_regels() -> None:
    data = valid()
    data["regels"] = "wams-2024"
    assert "sleutel 'regels'" in bad(data)


@pytest.mark.parametrize("value", [599, 243, "599", "05990", "abcd"])
def test_gemeente(value: object) -> None:
    data = valid()
    data["gemeente"] = value
    line = bad(data)
    assert "sleutel 'gemeente'" in line
    if isinstance(value, int):
        assert "aanhalingstekens" in line


def test_gemeente_unquoted_octal_in_yaml() -> None:
    # ``0363`` (Amsterdam) unquoted is the octal number 243 in YAML 1.1.
    text = re.sub(r"(?m)^gemeente: .*$", "gemeente: 0363", yaml.safe_dump(valid()))
    with pytest.raises(ScenarioError) as info:
        loads(text, FILE)
    assert "sleutel 'gemeente'" in str(info.value) and "aanhalingstekens" in str(info.value)


def test_step_without_action() -> None:
    data = valid()
    data["stappen"][2] = {"verwacht": {"toegestaan": True}}
    line = bad(data)
    assert "stap 3:" in line and "actie" in line


def test_step_with_two_actions() -> None:
    data = valid()
    data["stappen"][2]["domein"] = {"domein": "wmo", "reden": "r"}
    line = bad(data)
    assert "stap 3" in line and "twee acties" in line


def test_unknown_action() -> None:
    data = valid()
    data["stappen"][2] = {"vraag_gegeven": {}}
    line = bad(data)
    assert "stap 3: sleutel 'vraag_gegeven'" in line and "bedoelde je 'vraag_gegevens'" in line


def test_rol() -> None:
    data = valid()
    data["personen"]["emma"]["rol"] = "kind"
    line = bad(data)
    assert "sleutel 'personen.emma.rol'" in line and "client, gezinslid" in line


@pytest.mark.parametrize(("step", "action", "key"), [
    (1, "domein", "client_akkoord"), (4, "werkplan", "coordinatie_helpt")])
@pytest.mark.parametrize("value", ["misschien", 1, "yes please"])
def test_ja_nee(step: int, action: str, key: str, value: object) -> None:
    data = valid()
    data["stappen"][step][action][key] = value
    line = bad(data)
    assert f"stap {step + 1} ({action}): sleutel '{key}'" in line and "ja of nee" in line


def test_ja_nee_in_verwacht() -> None:
    data = valid()
    data["stappen"][0]["verwacht"]["toegestaan"] = "wel"
    assert "sleutel 'verwacht.toegestaan'" in bad(data)


def test_unknown_verwacht_key() -> None:
    data = valid()
    data["stappen"][0]["verwacht"]["rede"] = "ok"
    line = bad(data)
    assert "stap 1 (hulpvraag): sleutel 'verwacht.rede'" in line and "bedoelde je 'reden'" in line


def test_unknown_reason_code_and_rule() -> None:
    data = valid()
    data["stappen"][0]["verwacht"]["reden"] = "family.not_in_cas"
    assert "sleutel 'verwacht.reden'" in bad(data)
    data = valid()
    data["stappen"][0]["verwacht"]["citeert"] = ["R01", "R99"]
    assert "sleutel 'verwacht.citeert[2]'" in bad(data)


def test_closed_value_sets() -> None:
    data = valid()
    data["stappen"][6]["coordinator"]["type"] = "wijkteam"
    assert "stap 7 (coordinator): sleutel 'type'" in bad(data)


def test_party_kind_must_be_qualified() -> None:
    data = valid()
    data["partijen"]["school"]["soort"] = "school"
    assert "sleutel 'partijen.school.soort'" in bad(data)


def test_bad_date() -> None:
    data = valid()
    data["datum"] = "1 februari 2027"
    assert "sleutel 'datum'" in bad(data)


def test_yaml_syntax_error() -> None:
    with pytest.raises(ScenarioError) as info:
        loads("formaat: 2\nstappen:\n  - hulpvraag: {wet: x\n  - b: [\n", FILE)
    line = str(info.value)
    assert line.startswith(FILE + ": regel ") and "\n" not in line


def test_duplicate_yaml_key() -> None:
    with pytest.raises(ScenarioError) as info:
        loads("formaat: 2\nformaat: 2\n", FILE)
    assert "regel 2" in str(info.value) and "twee keer" in str(info.value)


def test_not_a_mapping() -> None:
    with pytest.raises(ScenarioError):
        loads("- a\n- b\n", FILE)


# -- the CLI's load phase -------------------------------------------------------------------


def write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_run_bad_file_exits_2_with_one_line(tmp_path: Path) -> None:
    from wams.cli import cli

    data = valid()
    data["stappen"][3]["vraag_gegevens"]["over"] = "emma2"
    path = write(tmp_path, "bad.yaml", data)
    result = CliRunner().invoke(cli, ["scenario", "run", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "bad.yaml: stap 4 (vraag_gegevens): sleutel 'over'" in lines[0]
    assert "Traceback" not in result.output


def test_cli_main_never_prints_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from wams import cli as cli_module

    path = tmp_path / "broken.yaml"
    path.write_text("formaat: 2\nstappen: [\n", encoding="utf-8")
    monkeypatch.setattr("sys.argv", ["wams", "scenario", "run", str(path)])
    with pytest.raises(SystemExit) as info:
        cli_module.main()
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_reports_invalid_files_and_runs_the_rest(tmp_path: Path) -> None:
    from wams.cli import cli

    write(tmp_path, "a-good.yaml", valid())
    broken = valid()
    broken["gemeente"] = 599
    write(tmp_path, "b-bad.yaml", broken)
    result = CliRunner().invoke(cli, ["scenario", "run", str(tmp_path)])
    assert result.exit_code == 2
    assert "b-bad.yaml: sleutel 'gemeente'" in result.output
    # The valid file still ran (its result line is there), and the summary counts both.
    assert "a-good.yaml —" in result.output
    assert result.output.splitlines()[-1].endswith(" failed, 1 bestand ongeldig")


def test_cli_check(tmp_path: Path) -> None:
    from wams.cli import cli

    write(tmp_path, "a.yaml", valid())
    (tmp_path / "sub").mkdir()
    write(tmp_path, "sub/b.yml", valid())
    result = CliRunner().invoke(cli, ["scenario", "check", str(tmp_path)])
    assert result.exit_code == 0 and result.output.strip() == "2 geldig"


def test_cli_missing_path() -> None:
    from wams.cli import cli

    result = CliRunner().invoke(cli, ["scenario", "check", "does/not/exist.yaml"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_shipped_schema_is_current() -> None:
    from wams.core.scenario.schema import SCHEMA_PATH, json_schema

    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == json_schema()


# -- mutation fuzzing ---------------------------------------------------------------------


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*prefix, i))
    return out


_ODD = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
    st.text(max_size=12), st.dates(), st.datetimes(),
    st.lists(st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3),
    st.dictionaries(st.one_of(st.text(max_size=6), st.integers()),
                    st.one_of(st.integers(), st.text(max_size=5), st.none()), max_size=3),
    st.sampled_from(["ja", "nee", "jan", "emma", "emma2", "college", "kredietbank", "0599",
                     "R01", "ok", "wgs.schuldenoverzicht", "111222333", "2027-01-01"]),
)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = valid()
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(data)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["drop", "add", "replace", "garble"]))
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        if not path:
            data = draw(_ODD) if op == "replace" else data
            if not isinstance(data, dict):
                return data  # type: ignore[return-value]
            continue
        key = path[-1]
        if op == "drop":
            del parent[key]
        elif op == "add" and isinstance(parent[key], dict):
            parent[key][draw(st.text(min_size=1, max_size=8))] = draw(_ODD)
        elif op == "add" and isinstance(parent[key], list):
            parent[key].append(copy.deepcopy(draw(_ODD)))
        elif op == "garble" and isinstance(parent[key], str):
            parent[key] = parent[key] + draw(st.sampled_from(["2", "x", " ", ""]))
        else:
            parent[key] = draw(_ODD)
    return data


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutations_load_or_fail_with_one_line(data: dict[str, Any]) -> None:
    try:
        from_data(data, FILE)
    except ScenarioError as exc:
        line = str(exc)
        assert line.startswith(FILE + ": ") and len(line.splitlines()) == 1


@pytest.mark.parametrize(("settings", "fragment"), [
    ({"bewaartermijn_maanden": -5}, "0 of meer"),
    ({"bewaartermijn_maanden": "twaalf"}, "heel aantal maanden"),
    ({"voortgang_interval_maanden": 0}, "1 of meer"),
    ({"bewaartermijnn": 12}, "onbekende instelling"),
])
def test_instellingen_the_engine_would_refuse_are_refused_at_load(settings: dict[str, Any],
                                                                   fragment: str) -> None:
    data = valid()
    data["instellingen"] = settings
    with pytest.raises(ScenarioError) as exc:
        from_data(data, FILE)
    line = str(exc.value)
    assert line.startswith(f"{FILE}: sleutel 'instellingen.{next(iter(settings))}'")
    assert fragment in line and len(line.splitlines()) == 1


def test_time_jump_past_the_calendar_is_one_line() -> None:
    """Found by the mutation test: ``tijd: {dagen: 2911835}`` overflowed the date type."""
    data = valid()
    step = next(s for s in data["stappen"] if "dagen" in s.get("tijd", {}))
    step["tijd"]["dagen"] = 2_911_835
    line = bad(data)
    assert "tijd" in line and "buiten de kalender" in line
