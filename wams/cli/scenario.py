"""``wams scenario run|check|schema`` and ``wams demo``: scenario files from the command line.

Every file is validated (format, then the codes against the catalogue of the loaded plugins)
before anything runs. An invalid file is one line on stderr and the others still run; the
command then ends with exit 2, and ``--json`` still prints its document (the invalid file in
it with an ``error``). The demo is written for a domain expert: a legend and a summary per law
first, the detail of each step on request (``--detail``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import click

from wams.cli.common import EXIT_NO, EXIT_USER, MappedErrors, marks, plural
from wams.cli.report import html_option, write_html
from wams.core.errors import InputError

if TYPE_CHECKING:
    from wams.core.scenario.format import Scenario
    from wams.core.scenario.run import ScenarioResult, StepResult

DEMO_DB = "sqlite:///wams-demo.db"


@attrs.frozen
class Invalid:
    """A file that could not be loaded: its name and the one-line reason."""

    file: str
    error: str


@click.group(cls=MappedErrors)
def scenario() -> None:
    """Scenariobestanden: een casus stap voor stap, met wat elke stap moet opleveren."""


def collect(paths: tuple[str, ...], bundled: bool) -> tuple[list[Path], list[Invalid]]:
    """The scenario files under ``paths`` (and the bundled library); a path that does not
    exist or holds no scenario is an :class:`Invalid`, not the end of the run."""
    from wams.core.scenario import library as scenario_library

    if not paths and not bundled:
        raise InputError("geef scenariobestanden of mappen, of --bundled voor de meegeleverde "
                        "bibliotheek")
    files: list[Path] = []
    invalid: list[Invalid] = []
    roots = [*map(Path, paths), *([scenario_library.BUNDLED] if bundled else [])]
    for path in roots:
        if path.is_dir():
            found = scenario_library.files(path)
            if not found:
                invalid.append(Invalid(str(path), f"{path}: geen scenariobestanden (*.yaml, "
                                                  "*.yml) in deze map"))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            invalid.append(Invalid(str(path), f"{path}: bestaat niet; geef een scenariobestand "
                                              "of een map"))
    return list(dict.fromkeys(files)), invalid


def load_all(paths: tuple[str, ...], bundled: bool = False
             ) -> tuple[list[Scenario], list[Invalid]]:
    """Load and check every file; report each invalid one on stderr as it is found."""
    from wams.core.plugins import load_catalogue
    from wams.core.scenario.codes import check_codes
    from wams.core.scenario.format import ScenarioError
    from wams.core.scenario.load import load

    files, invalid = collect(paths, bundled)
    catalogue = load_catalogue()
    loaded = []
    for path in files:
        try:
            found = load(path)
            check_codes(found, catalogue)
        except ScenarioError as exc:
            invalid.append(Invalid(str(path), str(exc)))
            continue
        loaded.append(found)
    for bad in invalid:
        click.echo(bad.error, err=True)
    return loaded, invalid


def _explain_step(s: StepResult) -> None:
    d = s.decision
    verdict = "toegestaan" if d.allowed else "geweigerd"
    extra = f" → fase {d.phase}" if d.phase else ""
    extra += f", werkplan {d.werkplan}" if d.werkplan else ""
    click.echo(f"    {s.n:>2}. {s.step:<16} {verdict:<10} {d.code}{extra}")
    click.echo(f"        {d.message}")
    if d.rule_ids:
        sources = f" · bronnen: {'; '.join(d.citations)}" if d.citations else ""
        click.echo(f"        regels {', '.join(d.rule_ids)}{sources}")


def _report(result: ScenarioResult, explain: bool) -> None:
    ok, bad = marks()
    click.echo(f"{ok if result.passed else bad} {result.file} — {result.scenario}")
    if explain:
        for step in result.steps:
            _explain_step(step)
    for failure in result.failures:
        click.echo(f"    {failure}")


def summary(results: list[ScenarioResult], invalid: list[Invalid], err: bool = False) -> int:
    """Print ``N passed, M failed`` (and the invalid files); return the exit code."""
    passed = sum(r.passed for r in results)
    if invalid and not results and not err:
        return EXIT_USER  # nothing ran: the error lines are the whole answer (one per file)
    line = f"{passed} passed, {len(results) - passed} failed"
    if invalid:
        line += f", {plural(len(invalid), 'bestand ongeldig', 'bestanden ongeldig')}"
    click.echo(line, err=err)
    if invalid:
        return EXIT_USER
    return 0 if passed == len(results) else EXIT_NO


def _invalid_json(bad: Invalid) -> dict[str, Any]:
    return {"file": bad.file, "scenario": None, "passed": False, "error": bad.error,
            "steps": []}


@scenario.command("run")
@click.argument("paths", nargs=-1)
@click.option("--bundled", is_flag=True, help="Ook de meegeleverde scenariobibliotheek.")
@click.option("--db", "url", metavar="URL",
              help="Bewaar in deze database (standaard: per bestand een nieuwe in het geheugen).")
@click.option("--json", "as_json", is_flag=True,
              help="Eén JSON-document (docs/scenarios.md, 'Machine output').")
@click.option("--explain", is_flag=True,
              help="Toon het besluit van elke stap met regels en bronnen.")
@html_option
@click.pass_context
def scenario_run(ctx: click.Context, paths: tuple[str, ...], bundled: bool, url: str | None,
                 as_json: bool, explain: bool, html_dir: str | None) -> None:
    """Voer scenariobestanden of mappen uit; exit 0 als alles slaagt, 1 bij falen, 2 bij
    ongeldige bestanden (de geldige worden toch uitgevoerd)."""
    from wams.core.scenario import library as scenario_library
    from wams.core.scenario import run as runner

    scenarios, invalid = load_all(paths, bundled)
    results = runner.run_many(scenarios, url,
                              on_result=None if as_json else lambda r: _report(r, explain))
    if as_json:
        document = runner.as_json(results) + [_invalid_json(bad) for bad in invalid]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    folders = [Path(p) for p in paths if Path(p).is_dir()]
    root = folders[0] if len(folders) == 1 and len(paths) == 1 else (
        scenario_library.BUNDLED if bundled and not paths else None)
    write_html(results, html_dir, root)
    ctx.exit(summary(results, invalid, err=as_json))


@scenario.command("check")
@click.argument("paths", nargs=-1)
@click.option("--bundled", is_flag=True, help="Ook de meegeleverde scenariobibliotheek.")
@click.pass_context
def scenario_check(ctx: click.Context, paths: tuple[str, ...], bundled: bool) -> None:
    """Controleer scenariobestanden zonder ze uit te voeren: het formaat en elke code tegen de
    catalogus van de geladen plugins."""
    scenarios, invalid = load_all(paths, bundled)
    if scenarios or not invalid:  # with only invalid files the error lines say it all
        click.echo(f"{len(scenarios)} geldig" + (f", {len(invalid)} ongeldig" if invalid else ""))
    ctx.exit(EXIT_USER if invalid else 0)


@scenario.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Schrijf naar dit bestand in plaats van naar stdout.")
def scenario_schema(output: str | None) -> None:
    """Het JSON Schema van het scenarioformaat (gegenereerd uit de code)."""
    from wams.core.scenario.schema import json_schema

    text = json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


# -- demo ---------------------------------------------------------------------------------------


def _fresh_sqlite(url: str) -> None:
    """The demo database is recreated every run: remove the file (and WAL companions)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix):] in ("", ":memory:"):
        return
    path = Path(url[len(prefix):])
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@click.command()
@click.option("--db", "url", default=DEMO_DB, show_default=True, metavar="URL",
              help="Database voor de demo; een SQLite-bestand wordt elke keer opnieuw gemaakt.")
@click.option("--scenarios", "folder", type=click.Path(file_okay=False),
              help="Map met scenario's (standaard: de meegeleverde bibliotheek).")
@click.option("--detail", is_flag=True,
              help="Toon daarna elke stap van elk scenario, met besluit en regels.")
@html_option
@click.pass_context
def demo(ctx: click.Context, url: str, folder: str | None, detail: bool,
         html_dir: str | None) -> None:
    """Speel de scenariobibliotheek af: per wet wat wams toestaat en weigert, en waarom."""
    from wams.cli.demo import print_demo
    from wams.core.scenario import library as scenario_library
    from wams.core.scenario.run import run_many

    root = Path(folder) if folder else scenario_library.BUNDLED
    if not root.is_dir():
        raise InputError(f"{root}: geen scenariobibliotheek gevonden; geef --scenarios MAP")
    scenarios, invalid = load_all((str(root),))
    _fresh_sqlite(url)
    results = run_many(scenarios, url)
    print_demo(results, root, url, detail, html_dir)
    write_html(results, html_dir, root)
    ctx.exit(summary(results, invalid))


COMMANDS = (scenario, demo)

__all__ = ["COMMANDS", "Invalid", "collect", "load_all", "summary"]
