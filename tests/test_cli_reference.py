"""Issue 15, the CLI without surprises: each item asserted on the command's output.

catalogue and plugins name the codes; instelling get/set; retention run --op; --version;
complete help summaries; errors that say what to do (missing driver, plugin errors, allow/block
typos, dangling signals, unknown codes in scenarios, invalid files among valid ones, input
limits); the demo a domain expert reads.
"""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from helpers import G, build

from wams import Domain, Law, Signal, hookimpl
from wams.cli import cli, complete_summaries
from wams.core.catalogue import CatalogueError
from wams.core.law.rules import RULES
from wams.core.plugins import build_catalogue

OK_SCENARIO = textwrap.dedent("""\
    formaat: 2
    scenario: Bijstand met schulden
    gemeente: "0599"
    datum: 2027-02-01
    personen:
      jan: {rol: client, geboortedatum: 1985-04-12}
    partijen:
      kredietbank: {soort: wgs.schuldhulpverlener}
    stappen:
      - hulpvraag: {wet: participatiewet, client: jan, vraag: algemene bijstand,
                    aanleiding: noemt betalingsachterstanden}
        verwacht: {toegestaan: ja, fase: onderzoek, citeert: [R01, R02]}
      - domein: {domein: schuldhulp, reden: betalingsachterstanden, client_akkoord: ja}
      - vraag_gegevens: {bij: kredietbank, categorie: wgs.schuldenoverzicht, over: jan,
                         doel: onderzoek, toelichting: zicht op schulden,
                         noodzaak: bepalen of schuldhulp nodig is}
""")


def invoke(*args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(cli, list(args), env=env)


def write(folder: Path, name: str, text: str = OK_SCENARIO) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- 2. catalogue, plugins, instelling, retention --op, --version, help -------------------


def test_catalogue_lists_every_code_with_its_facts() -> None:
    text = invoke("catalogue").output
    assert "wgs.schuldhulpverlener" in text and "domein schuldhulp" in text
    assert "aanpalend.politiegegevens" in text and "regime: Wpg" in text
    assert "participatiewet → schuldhulp:" in text  # a signal with its question
    assert "aanpalend.wvggz_maatregel" in text and "gedwongen:" in text


def test_catalogue_json_and_one_plugin() -> None:
    data = json.loads(invoke("catalogue", "--json", "--plugin", "wgs").output)
    assert list(data) == ["wgs"]
    codes = {e["code"] for e in data["wgs"]["party_kinds"]}
    assert codes == {"wgs.schuldhulpverlener"}
    category = next(e for e in data["wgs"]["categories"] if e["code"] == "wgs.schuldenoverzicht")
    assert category["suppliers"] == ["wgs.schuldhulpverlener"] and category["regime"] is None
    assert data["wgs"]["laws"][0]["code"] == "wgs"


def test_catalogue_unknown_plugin_suggests() -> None:
    result = invoke("catalogue", "--plugin", "wgz")
    assert result.exit_code == 2
    assert result.output.strip() == ("--plugin 'wgz' is niet geladen (bedoelde je 'wgs'?); "
                                     "geladen: wmo, jeugdwet, participatiewet, wgs, aanpalend")


def test_plugins_name_their_contributions() -> None:
    text = invoke("plugins").output
    assert "    partijsoorten (1): wgs.schuldhulpverlener" in text
    assert "    signalen (1): participatiewet→schuldhulp" in text
    assert text.splitlines()[-1] == "5 plugins; de codes met uitleg: wams catalogue"
    listed = {p["name"]: p for p in json.loads(invoke("plugins", "--json").output)}
    assert listed["wgs"]["contributes"]["party_kinds"] == ["wgs.schuldhulpverlener"]
    assert listed["wgs"]["contributions"]["party_kinds"] == 1


def test_instelling_get_and_set(db_url: str, open_wams: Any) -> None:
    open_wams().close()
    got = invoke("instelling", "get", "--db", db_url, "--gemeente", G)
    assert got.exit_code == 0, got.output
    assert "bewaartermijn_maanden = 12 (standaard;" in got.output
    assert "voortgang_interval_maanden = 3 (standaard;" in got.output
    done = invoke("instelling", "set", "--db", db_url, "--gemeente", G,
                  "bewaartermijn_maanden", "6")
    assert done.exit_code == 0 and done.output == "bewaartermijn_maanden = 6 voor gemeente 0599\n"
    got = invoke("instelling", "get", "--db", db_url, "--gemeente", G, "bewaartermijn_maanden")
    assert got.output.startswith("bewaartermijn_maanden = 6 (gemeentelijke keuze;")
    for value in ("-1", "zes"):
        bad = invoke("instelling", "set", "--db", db_url, "--gemeente", G, "--",
                     "bewaartermijn_maanden", value)
        assert bad.exit_code == 2 and "Traceback" not in bad.output
        assert bad.output.startswith("bewaartermijn_maanden is een heel aantal maanden van 0 of "
                                     "meer"), bad.output
    codes = invoke("instelling", "set", "--db", db_url, "--gemeente", G, "indicatoren_extra",
                   "schooluitval,huisvesting")
    assert codes.exit_code == 0, codes.output
    assert codes.output == "indicatoren_extra = schooluitval, huisvesting voor gemeente 0599\n"
    bad_code = invoke("instelling", "set", "--db", db_url, "--gemeente", G, "indicatoren_extra",
                      "School Uitval")
    assert bad_code.exit_code == 2 and "is een lijst codes" in bad_code.output
    wrong = invoke("instelling", "get", "--db", db_url, "--gemeente", "599")
    assert wrong.exit_code == 2 and "gemeente '599' is geen CBS-gemeentecode" in wrong.output
    typo = invoke("instelling", "get", "--db", db_url, "--gemeente", G, "bewaartermijn")
    assert typo.exit_code == 2
    assert "onbekende instelling 'bewaartermijn' (bedoelde je 'bewaartermijn_maanden'?)" in \
        typo.output


def test_retention_run_op_previews_a_later_day(db_url: str, open_wams: Any) -> None:
    w = open_wams()
    cid = build(w, "afgesloten")  # closed 2027-02-01, 12 months by default
    w.close()
    now = invoke("retention", "run", "--db", db_url)
    assert now.exit_code == 0 and now.output == \
        "geen casussen over de bewaartermijn; niets vernietigd\n"
    later = invoke("retention", "run", "--db", db_url, "--op", "2028-03-01")
    assert later.exit_code == 0, later.output
    lines = later.output.splitlines()
    assert lines[0].startswith(f"{G} {cid}: gesloten 2027-02-01") and "zou vernietigd" in lines[0]
    assert lines[-1] == "1 casus over de bewaartermijn op 2028-03-01; niets veranderd (--op)"
    # A preview changes nothing: today the case is still there and not destroyed.
    listed = invoke("case", "list", "--db", db_url, "--gemeente", G).output
    assert cid in listed and "vernietigd" not in listed
    bad = invoke("retention", "run", "--db", db_url, "--op", "volgend jaar")
    assert bad.exit_code == 2 and "--op 'volgend jaar' is geen datum" in bad.output


def test_register_json_has_one_shape(db_url: str, open_wams: Any) -> None:
    open_wams().close()
    one = json.loads(invoke("register", "--db", db_url, "--gemeente", G, "--format",
                            "json").output)
    assert list(one) == [G] and isinstance(one[G], list) and one[G]


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.startswith("wams 0.1.0 (regels wams-2020, Python ")


def _all_commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, command in group.commands.items():
        out.append((f"{prefix}{name}", command))
        if isinstance(command, click.Group):
            out += _all_commands(command, f"{prefix}{name} ")
    return out


@pytest.mark.parametrize("group", ["", "register", "scenario", "retention", "instelling"])
def test_help_summaries_are_complete(group: str) -> None:
    """Each listed summary is the whole first paragraph of the command's help: click used to
    cut "Het register van verwerkingsactiviteiten (AVG art. 30) ..." at "AVG art."."""
    args = [*group.split(), "--help"] if group else ["--help"]
    listing = " ".join(invoke(*args).output.split())
    target = cli if not group else cli.commands[group]
    commands = target.commands.items() if isinstance(target, click.Group) else []
    for name, command in commands:
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first and first in listing, (name, first)
    if group == "":
        assert "(AVG art. 30), uit de plugin-declaraties." in listing


def test_every_command_has_a_summary() -> None:
    complete_summaries(cli)
    for name, command in _all_commands(cli):
        assert command.short_help and not command.short_help.endswith("..."), name


def test_bench_is_gone_and_benchmarks_run_as_a_module() -> None:
    assert "bench" not in cli.commands
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "wams bench" not in readme and "python -m benchmarks" in readme


# -- 4. errors that say what to do ------------------------------------------------------------


def test_missing_postgres_driver_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if psycopg were not installed
    url = "postgresql+psycopg://nobody@127.0.0.1:1/wams"
    for args in (["db", "current", "--db", url], ["case", "list", "--db", url, "--gemeente", G]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert result.output.strip() == (
            "de PostgreSQL-driver (psycopg) is niet geïnstalleerd; installeer wams met de extra "
            "'postgres': pip install 'wams[postgres]' (of pip install 'psycopg[binary]')")


def test_allow_list_typo_is_a_startup_error() -> None:
    result = invoke("plugins", env={"WAMS_PLUGINS_ALLOW": "WMO"})
    assert result.exit_code == 2
    assert result.output.strip().startswith(
        "WAMS_PLUGINS_ALLOW noemt plugin 'WMO', maar die is niet geïnstalleerd (bedoelde je "
        "'wmo'?); bekend zijn: wmo, jeugdwet,")
    blocked = invoke("plugins", env={"WAMS_PLUGINS_BLOCK": "aanpalen"})
    assert blocked.exit_code == 2 and "WAMS_PLUGINS_BLOCK noemt plugin 'aanpalen'" in \
        blocked.output


class _Broken:
    wams_plugin_name = "kapot"

    def __init__(self, hook: str, result: Any) -> None:
        self.hook, self.result = hook, result

    @hookimpl
    def wams_domains(self) -> Any:
        return self.result("domains") if self.hook == "domains" else []

    @hookimpl
    def wams_laws(self) -> Any:
        return self.result("laws") if self.hook == "laws" else []

    @hookimpl
    def wams_signals(self) -> Any:
        return self.result("signals") if self.hook == "signals" else []


def _catalogue_error(plugin: object) -> str:
    with pytest.raises(CatalogueError) as info:
        build_catalogue([plugin], entry_points=False)
    return str(info.value)


def test_plugin_record_with_a_wrong_keyword_names_plugin_and_record() -> None:
    message = _catalogue_error(_Broken("domains", lambda _s: [Domain(code="x", nme="x")]))
    assert message.startswith("plugin 'kapot': wams_domains faalt bij het maken van zijn records "
                              "(TypeError: ")
    assert "nme" in message and "controleer de velden van Domain" in message


def test_plugin_hook_returning_one_record_instead_of_a_list() -> None:
    law = Law(code="x", name="x", kind="aanpalend", provision="p")
    message = _catalogue_error(_Broken("laws", lambda _s: law))
    assert message == ("plugin 'kapot': wams_laws gaf één Law in plaats van een lijst; geef "
                       "een lijst terug: [Law(...), ...]")


@pytest.mark.parametrize(("signal", "what"), [
    (Signal(law="wgs", domain="schuldhulpp", question="?"), "onbekende domein 'schuldhulpp'"),
    (Signal(law="wetx", domain="schuldhulp", question="?"), "onbekende wet 'wetx'"),
])
def test_a_signal_pointing_nowhere_is_a_startup_error(signal: Signal, what: str) -> None:
    message = _catalogue_error(_Broken("signals", lambda _s: [signal]))
    assert message.startswith(f"plugin 'kapot': signaal {signal.law} → {signal.domain}: {what}")


def test_a_signal_into_a_switched_off_plugin_is_silenced() -> None:
    cat = build_catalogue(None, block=["wgs"], entry_points=False)
    assert "schuldhulp" not in cat.signals_for("participatiewet")


def test_check_validates_codes_against_the_catalogue(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", OK_SCENARIO.replace("wgs.schuldenoverzicht",
                                                          "wgs.schuldoverzicht"))
    result = invoke("scenario", "check", str(bad))
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"{bad}: stap 3 (vraag_gegevens): sleutel 'categorie': 'wgs.schuldoverzicht' is geen "
        "bekende gegevenscategorie (bedoelde je 'wgs.schuldenoverzicht'?); zie 'wams catalogue' "
        "(geladen plugins: wmo, jeugdwet, participatiewet, wgs, aanpalend)")
    party = write(tmp_path, "party.yaml", OK_SCENARIO.replace("wgs.schuldhulpverlener",
                                                              "wgs.schuldhulp"))
    result = invoke("scenario", "check", str(party))
    assert result.exit_code == 2
    assert "sleutel 'partijen.kredietbank.soort': 'wgs.schuldhulp' is geen bekende partijsoort" \
        in result.output
    # `run` refuses the same file the same way, before running anything.
    run = invoke("scenario", "run", str(party))
    assert run.exit_code == 2 and run.output.strip() == result.output.strip()


def test_an_unknown_code_is_allowed_where_the_step_expects_a_refusal(tmp_path: Path) -> None:
    text = OK_SCENARIO.replace(
        "  - domein:", "  - domein: {domein: onderwys, reden: x, client_akkoord: ja}\n"
        "    verwacht: {toegestaan: nee}\n  - domein:")
    path = write(tmp_path, "refusal.yaml", text)
    assert invoke("scenario", "check", str(path)).output == "1 geldig\n"


def test_multi_file_run_continues_past_invalid_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml")
    write(tmp_path, "b.yaml", "formaat: 2\nstappen: [\n")
    write(tmp_path, "c.yaml")
    result = CliRunner().invoke(cli, ["scenario", "run", str(tmp_path)])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{tmp_path / 'b.yaml'}: regel ")
    assert lines[-1] == "2 passed, 0 failed, 1 bestand ongeldig"
    as_json = CliRunner().invoke(cli, ["scenario", "run", "--json", str(tmp_path)])
    assert as_json.exit_code == 2
    document = json.loads(as_json.stdout)
    assert [d["passed"] for d in document] == [True, True, False]
    assert document[2]["file"].endswith("b.yaml") and "geen geldige YAML" in document[2]["error"]
    assert document[2]["scenario"] is None and document[2]["steps"] == []
    assert as_json.stderr.splitlines()[-1] == "2 passed, 0 failed, 1 bestand ongeldig"
    checked = invoke("scenario", "check", str(tmp_path))
    assert checked.exit_code == 2 and checked.output.splitlines()[-1] == "2 geldig, 1 ongeldig"


@pytest.mark.parametrize(("text", "message"), [
    ("a: " + "[" * 5000 + "]" * 5000, "regel 1, kolom 23: dieper genest dan 20 niveaus; een "
                                      "scenario heeft zo'n diepte nooit nodig"),
    ("formaat: 2\nx: &a [1]\ny: *a\n", "regel 3, kolom 4: ankers en aliassen (&naam, *naam) "
                                       "worden niet ondersteund; schrijf de waarde uit"),
    ("formaat: 2\nscenario: x\ngemeente: '0599'\ndatum: 2027-01-01\nstappen:\n"
     + "  - tijd: {dagen: 1}\n" * 1001,
     "regel 1006, kolom 5: een lijst met meer dan 1000 elementen; een scenario heeft "
     "hoogstens 1000 stappen: splits het in meerdere bestanden"),
    ("# " + "x" * 256_001, "het bestand is 256003 bytes; een scenario is hoogstens 256000 "
                           "bytes: splits het in meerdere bestanden"),
], ids=["depth", "alias", "steps", "size"])
def test_input_limits_are_one_line_and_exit_2(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, "hostile.yaml", text)
    result = invoke("scenario", "check", str(path))
    assert result.exit_code == 2
    assert result.output.strip() == f"{path}: {message}" or \
        result.output.strip().startswith(f"{path}: {message}"), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_step_limit_holds_for_parsed_data_too() -> None:
    """``from_data`` (the API and wams.testing take mappings) applies the same limit."""
    from wams.core.scenario.format import ScenarioError
    from wams.core.scenario.load import from_data

    data = {"formaat": 2, "scenario": "x", "gemeente": "0599", "datum": "2027-01-01",
            "stappen": [{"tijd": {"dagen": 1}}] * 1001}
    with pytest.raises(ScenarioError, match="sleutel 'stappen': 1001 stappen; een scenario "
                                            "heeft er hoogstens 1000"):
        from_data(data)


# -- 5. the demo ------------------------------------------------------------------------------


def test_demo_opens_with_legend_and_summary(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib, "wgs/a.yaml")
    write(lib, "kern/b.yaml", OK_SCENARIO.replace("client_akkoord: ja", "client_akkoord: ja}\n"
                                                  "    verwacht: {toegestaan: ja"))
    result = invoke("demo", "--db", f"sqlite:///{tmp_path / 'demo.db'}", "--scenarios", str(lib))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("wams demo: 2 scenario's uit ")
    assert lines[2] == "Legenda" and "ook een weigering die het scenario toetst" in lines[3]
    table = lines.index("Samenvatting per wet")
    assert table < 10
    header = lines[table + 1].split()
    assert header == ["wet", "scenario's", "stappen", "toegestaan", "geweigerd", "regels",
                      "geslaagd"]
    rows = {line.split()[0]: line.split()[1:] for line in lines[table + 3:table + 5]}
    assert rows == {"kern": ["1", "3", "3", "0", rows["kern"][4], "1/1"],
                    "wgs": ["1", "3", "3", "0", rows["wgs"][4], "1/1"]}
    assert f"  R01  {RULES['R01'].title}" in result.output  # rule ids with their titles
    assert "wams demo --detail" in result.output
    assert "  ✓  1. hulpvraag" not in result.output  # no step detail unless asked
    assert lines[-1] == "2 passed, 0 failed"


def test_demo_detail_shows_each_step_with_rule_titles(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib, "wgs/a.yaml")
    result = invoke("demo", "--db", "sqlite://", "--scenarios", str(lib), "--detail")
    assert result.exit_code == 0, result.output
    assert f"regels: R01 {RULES['R01'].title}; R38 {RULES['R38'].title};" in result.output
    assert f"R02 {RULES['R02'].title};" in result.output
    assert " 1. hulpvraag        toegestaan → onderzoek" in result.output
