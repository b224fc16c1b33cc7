"""The ``wams`` command line.

Import-light on purpose: ``wams --help`` loads click and nothing else of weight; SQLAlchemy, the
engine and the scenario machinery are imported inside the commands that need them. Errors a user
can fix (a bad scenario file, a plugin that declares nonsense, a conflicting write) are one line
on stderr and exit code 2, never a traceback; ``WAMS_DEBUG=1`` shows the traceback of anything
unexpected.
"""

from __future__ import annotations

import json
import os
import sys
import textwrap
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

from wams.cli_report import html_option, write_html

if TYPE_CHECKING:
    from wams.core.scenario.format import Scenario
    from wams.core.scenario.run import ScenarioResult, StepResult

EXIT_FAILED = 1  # scenarios ran and some failed
EXIT_USER = 2  # the input is wrong: nothing (more) was run
DEMO_DB = "sqlite:///wams-demo.db"

#: (module, class) of the errors a user can act on; looked up in sys.modules so that checking
#: an exception never imports anything heavy.
_USER_ERRORS = (("wams.core.scenario.format", "ScenarioError"), ("wams.core.errors", "WamsError"),
                ("wams.core.catalogue", "CatalogueError"))


class UserError(click.ClickException):
    """A message for the user, printed as is (no ``Error:`` prefix), exit code 2."""

    exit_code = EXIT_USER

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.format_message(), err=True, file=file)


def _is_user_error(exc: BaseException) -> bool:
    for module, name in _USER_ERRORS:
        cls = getattr(sys.modules.get(module), name, None)
        if isinstance(cls, type) and isinstance(exc, cls):
            return True
    return False


class _Root(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            if _is_user_error(exc) and not os.environ.get("WAMS_DEBUG"):
                raise UserError(" ".join(str(exc).split())) from exc
            raise


@click.group(cls=_Root, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """wams: integrale aanpak bij meervoudige problematiek (Wams, 2020).

    Zaken, werkplannen en gegevensdeling volgens het wetsvoorstel, met uitlegbare besluiten.
    """


# The storage commands (`db`, `audit`) and the privacy commands (`log`, `register`, `inzage`,
# `retention`, `case`) live in their own modules; plugins add theirs through the
# wams_commands(cli) hook (see _plugin_commands below).
def _add_commands() -> None:
    from wams.cli_privacy import register_commands
    from wams.cli_report import register_commands as register_reports
    from wams.cli_storage import audit, db

    cli.add_command(db)
    cli.add_command(audit)
    register_commands(cli)
    register_reports(cli)


_add_commands()


@cli.command(context_settings={"ignore_unknown_options": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(args: tuple[str, ...]) -> None:
    """De snelheidsmetingen (quality.md B1-B3) als verhoudingen; zie benchmarks/."""
    try:
        from benchmarks import main as bench_main  # the repo's folder, not part of the wheel
    except ImportError as exc:
        raise UserError("de benchmarks staan in de map benchmarks/ van de broncode; voer "
                        "'wams bench' of 'python -m benchmarks' uit vanuit die map") from exc
    bench_main(list(args))


# -- scenario ---------------------------------------------------------------------------------


@cli.group()
def scenario() -> None:
    """Scenariobestanden: een casus stap voor stap, met wat elke stap moet opleveren."""


def _collect(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                           and p.is_file())
            if not found:
                raise UserError(f"{raw}: geen scenariobestanden (*.yaml, *.yml) in deze map")
            files += found
        elif path.is_file():
            files.append(path)
        else:
            raise UserError(f"{raw}: bestaat niet; geef een scenariobestand of een map")
    return list(dict.fromkeys(files))


def _load_all(paths: tuple[str, ...]) -> list[Scenario]:
    """Validate every file before anything runs: a half-run library helps nobody."""
    from wams.core.scenario.format import ScenarioError
    from wams.core.scenario.load import load

    loaded, errors = [], []
    for path in _collect(paths):
        try:
            loaded.append(load(path))
        except ScenarioError as exc:
            errors.append(str(exc))
    if errors:
        raise UserError("\n".join(errors))
    return loaded


def _marks() -> tuple[str, str]:
    encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    try:
        "✓✗—".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "OK", "FOUT"
    return "✓", "✗"


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
    ok, bad = _marks()
    click.echo(f"{ok if result.passed else bad} {result.file} — {result.scenario}")
    if explain:
        for step in result.steps:
            _explain_step(step)
    for failure in result.failures:
        click.echo(f"    {failure}")


def _summary(results: list[ScenarioResult], err: bool = False) -> int:
    passed = sum(r.passed for r in results)
    click.echo(f"{passed} passed, {len(results) - passed} failed", err=err)
    return 0 if passed == len(results) else EXIT_FAILED


@scenario.command("run")
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", "url", metavar="URL",
              help="Bewaar in deze database (standaard: per bestand een nieuwe in het geheugen).")
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-document (scenarios.md).")
@click.option("--explain", is_flag=True,
              help="Toon het besluit van elke stap met regels en bronnen.")
@html_option
@click.pass_context
def scenario_run(ctx: click.Context, paths: tuple[str, ...], url: str | None, as_json: bool,
                 explain: bool, html_dir: str | None) -> None:
    """Voer scenariobestanden of mappen uit; exit 0 als alles slaagt, 1 bij falen, 2 bij fouten."""
    from wams.core.scenario import run as runner

    scenarios = _load_all(paths)
    results = runner.run_many(scenarios, url,
                              on_result=None if as_json else lambda r: _report(r, explain))
    if as_json:
        click.echo(json.dumps(runner.as_json(results), ensure_ascii=False, indent=2))
    write_html(results, html_dir, Path(paths[0]) if Path(paths[0]).is_dir() else None)
    ctx.exit(_summary(results, err=as_json))


@scenario.command("check")
@click.argument("paths", nargs=-1, required=True)
def scenario_check(paths: tuple[str, ...]) -> None:
    """Controleer scenariobestanden zonder ze uit te voeren."""
    click.echo(f"{len(_load_all(paths))} geldig")


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


# -- plugins and rules --------------------------------------------------------------------------

_SECTIONS = (("laws", "wetten"), ("domains", "domeinen"), ("party_kinds", "partijsoorten"),
             ("services", "diensten"), ("categories", "gegevenscategorieën"),
             ("provision_rules", "verstrekkingsregels"), ("signals", "signalen"),
             ("activities", "verwerkingsactiviteiten"))


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def plugins(as_json: bool) -> None:
    """De geladen plugins (ingebouwd en van derden), met versie en wat ze bijdragen."""
    from wams.core.plugins import load_catalogue

    infos = load_catalogue().plugins
    if as_json:
        click.echo(json.dumps([{"name": p.name, "distribution": p.distribution,
                                "version": p.version, "contributions": dict(p.contributions)}
                               for p in infos], ensure_ascii=False, indent=2))
        return
    for p in infos:
        counts = ", ".join(f"{p.contributions[key]} {label}" for key, label in _SECTIONS
                           if p.contributions.get(key))
        click.echo(f"{p.name:<16} {p.distribution} {p.version}")
        click.echo(f"    {counts or 'draagt niets bij'}")


def _bundled_scenarios() -> Path:
    from wams.core.scenario.library import BUNDLED

    return BUNDLED


def _citing(folder: Path) -> dict[str, list[str]]:
    """rule id → scenario files whose ``verwacht.citeert`` names it. Lenient on purpose: a
    broken file is `wams scenario check`'s business, not a reason to hide the rule table."""
    import yaml

    cited: dict[str, list[str]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.suffix in (".yaml", ".yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        steps = data.get("stappen") if isinstance(data, dict) else None
        for step in steps if isinstance(steps, list) else ():
            verwacht = step.get("verwacht") if isinstance(step, dict) else None
            ids = verwacht.get("citeert") if isinstance(verwacht, dict) else None
            for rule_id in ids if isinstance(ids, list) else ():
                files = cited.setdefault(str(rule_id), [])
                name = path.relative_to(folder).as_posix()
                if name not in files:
                    files.append(name)
    return cited


@cli.command()
@click.option("--scenarios", "folder", type=click.Path(file_okay=False),
              help="Map met scenario's (standaard: de meegeleverde bibliotheek).")
@click.option("--json", "as_json", is_flag=True)
def rules(folder: str | None, as_json: bool) -> None:
    """Elke regel van wams-2020 met bronnen en de scenario's die hem toetsen."""
    from wams.core.rules import RULES

    root = Path(folder) if folder else _bundled_scenarios()
    cited = _citing(root) if root.is_dir() else {}
    if as_json:
        click.echo(json.dumps([{"id": r.id, "title": r.title, "sources": list(r.sources),
                                "scenarios": cited.get(r.id, [])} for r in RULES.values()],
                              ensure_ascii=False, indent=2))
        return
    for r in RULES.values():
        click.echo(f"{r.id}  {r.title}")
        files = cited.get(r.id, [])
        for label, text in (("bronnen", "; ".join(r.sources)),
                            ("scenario's", ", ".join(files) if files else "(geen)")):
            click.echo(textwrap.fill(text, 100, initial_indent=f"     {label}: ",
                                     subsequent_indent=" " * 8, break_on_hyphens=False))
    covered = sum(1 for r in RULES if cited.get(r))
    click.echo(f"{len(RULES)} regels, {covered} getoetst door een scenario in {root}")


# -- demo ---------------------------------------------------------------------------------------


def _fresh_sqlite(url: str) -> None:
    """The demo database is recreated every run: remove the file (and WAL companions)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url[len(prefix):] in ("", ":memory:"):
        return
    path = Path(url[len(prefix):])
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _demo_report(result: ScenarioResult, root: Path) -> None:
    ok, bad = _marks()
    name = Path(result.file)
    try:
        name = name.resolve().relative_to(root.resolve())
    except ValueError:
        pass
    click.echo("")
    click.echo(click.style(f"{result.scenario}", bold=True) + f"  ({name.as_posix()})")
    if result.omschrijving:
        for line in textwrap.wrap(" ".join(result.omschrijving.split()), 92):
            click.echo(f"  {line}")
    for s in result.steps:
        d = s.decision
        mark = bad if s.failures else ok
        verdict = "toegestaan" if d.allowed else f"geweigerd ({d.code})"
        phase = f" → {d.phase}" if d.phase else ""
        rules_ = f"  [{', '.join(d.rule_ids)}]" if d.rule_ids else ""
        click.echo(f"  {mark} {s.n:>2}. {s.step:<16} {verdict}{phase}{rules_}")
        if not d.allowed:
            for line in textwrap.wrap(d.message, 88):
                click.echo(f"         {line}")
        for failure in s.failures:
            click.echo(f"         ! {failure}")


@cli.command()
@click.option("--db", "url", default=DEMO_DB, show_default=True, metavar="URL",
              help="Database voor de demo; een SQLite-bestand wordt elke keer opnieuw gemaakt.")
@click.option("--scenarios", "folder", type=click.Path(file_okay=False),
              help="Map met scenario's (standaard: de meegeleverde bibliotheek).")
@html_option
@click.pass_context
def demo(ctx: click.Context, url: str, folder: str | None, html_dir: str | None) -> None:
    """Speel de scenariobibliotheek af en laat elk besluit zien (Nederlands, met regels)."""
    from wams.core.scenario.run import run_many

    root = Path(folder) if folder else _bundled_scenarios()
    if not root.is_dir():
        raise UserError(f"{root}: geen scenariobibliotheek gevonden; geef --scenarios MAP")
    scenarios = _load_all((str(root),))
    _fresh_sqlite(url)
    click.echo(f"wams demo: {len(scenarios)} scenario's uit {root}, database {url}")
    results = run_many(scenarios, url, on_result=lambda r: _demo_report(r, root))
    write_html(results, html_dir, root)
    click.echo("")
    ctx.exit(_summary(results))


# -- entry point ----------------------------------------------------------------------------------


def _plugin_commands() -> None:
    """Let plugins add commands (hook ``wams_commands``). A plugin that fails to load must not
    break ``wams --help``; ``wams plugins`` reports the error itself."""
    try:
        from wams.core.plugins import load_catalogue

        load_catalogue().pm.hook.wams_commands(cli=cli)
    except Exception:
        if os.environ.get("WAMS_DEBUG"):
            raise


def _fail(message: str, code: int) -> NoReturn:
    click.echo(" ".join(message.split()), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: click in non-standalone mode, so every error passes through here."""
    _plugin_commands()
    try:
        code = cli.main(args=argv, prog_name="wams", standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("afgebroken", EXIT_FAILED)
    except Exception as exc:
        if os.environ.get("WAMS_DEBUG"):
            raise
        if _is_user_error(exc):
            _fail(str(exc), EXIT_USER)
        _fail(f"wams: interne fout: {type(exc).__name__}: {exc} (zet WAMS_DEBUG=1 voor de "
              "traceback)", EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
