"""CLI commands for the reports as pages: ``wams report case``, ``wams report inzage`` and the
``--html DIR`` option of ``wams scenario run`` and ``wams demo``.

Thin on purpose: parse, call :mod:`wams.reports`, write the file, say what was written. A
report with personal data is a copy outside the database (not encrypted there, not destroyed
with the case): the terminal says so, and the file's path is in the processing log (R36).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wams.cli.common import MappedErrors
from wams.cli.privacy import inzage_options, open_database
from wams.core.errors import InputError

if TYPE_CHECKING:
    from wams.core.scenario.run import ScenarioResult

F = TypeVar("F", bound=Callable[..., Any])

DB_ENV = "WAMS_DATABASE_URL"
COPY_WARNING = ("Let op: {path} bevat persoonsgegevens. Het is een kopie buiten de database: "
                "niet versleuteld en niet vernietigd met de casus. Bewaar het veilig en "
                "verwijder het zodra u het niet meer nodig hebt. Het pad staat in het "
                "verwerkingslog.")


@contextlib.contextmanager
def _file_errors() -> Iterator[None]:
    try:
        yield
    except (OSError, ImportError) as exc:
        raise InputError(str(exc)) from exc


def _target(output: str) -> Path:
    from wams.reports.render import target

    with _file_errors():
        return target(output)


def _write(path: Path, html: str) -> None:
    from wams.reports.render import write, write_pdf

    with _file_errors():
        (write_pdf if path.suffix.lower() == ".pdf" else write)(path, html)


@click.group("report", cls=MappedErrors)
def report_group() -> None:
    """Rapporten als pagina's (HTML, zonder script; afdrukbaar)."""


_db = click.option("--db", "url", metavar="URL", envvar=DB_ENV, required=True,
                   help=f"De database (of ${DB_ENV}).")
_gemeente = click.option("--gemeente", metavar="CODE", required=True,
                         help="CBS-gemeentecode, bv. 0599.")
_output = click.option("-o", "--output", metavar="BESTAND", required=True,
                       help="Schrijf het rapport naar dit bestand (.html; .pdf als weasyprint "
                            "geïnstalleerd is).")


@report_group.command("case")
@_db
@_gemeente
@click.argument("case_id")
@click.option("--actor", required=True, help="Wie het rapport maakt (wordt gelogd).")
@click.option("--doel", required=True,
              help="De doelcode waarvoor u inziet (wams doelen; gelogd), bv. behandeling.")
@click.option("--rol", type=click.Choice(["medewerker", "fg"]), default="medewerker",
              show_default=True,
              help="Voor wie: medewerker (het dossier) of fg (functionaris "
                   "gegevensbescherming: zonder casusinhoud).")
@_output
def report_case(url: str, gemeente: str, case_id: str, actor: str, doel: str, rol: str,
                output: str) -> None:
    """De casus als pagina: verloop, werkplan, coördinatie, bezwaar en gegevensstromen."""
    from wams.reports.case import case_report

    path = _target(output)
    w = open_database(url)
    try:
        report = case_report(w, gemeente, case_id, actor=actor, doel=doel, rol=rol,
                             path=path)
    finally:
        w.close()
    _write(path, report.html)
    click.echo(str(path))
    if report.personal:
        click.echo(COPY_WARNING.format(path=path), err=True)
    else:
        click.echo(f"{path}: zonder casusinhoud (geen namen, BSN's of dossiertekst)", err=True)


@report_group.command("waarschuwingen")
@_db
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
def report_warnings(url: str, gemeente: str) -> None:
    """Voor de FG: stappen waarvan de toelichting handhaving, opsporing of vervolging noemt
    naast een toegestane doelcode (R20). Een waarschuwing, geen weigering; zonder de tekst."""
    from wams.core.gemeente import check_gemeente

    check_gemeente(gemeente)
    w = open_database(url)
    try:
        found = w.purpose_warnings(gemeente)
    finally:
        w.close()
    for f in found:
        click.echo(f"{f['at']}  casus {f['casus'] or '—'}  {f['stap']}  doel {f['doel']}: "
                   f"{f['waarschuwing']}  (trace {f['trace_id']})")
    click.echo(f"{len(found)} waarschuwing(en)")


@report_group.command("inzage")
@_db
@_gemeente
@inzage_options
@_output
def report_inzage(url: str, gemeente: str, bsn: str | None, ref: str | None,
                  case_id: str | None, actor: str, verzoek: str, output: str) -> None:
    """Inzage als pagina in eenvoudig Nederlands, voor de betrokkene (AVG art. 15).

    Onder dezelfde regels als 'wams inzage': op zijn verzoek, met een vast doel. Gelogd."""
    from wams.reports.inzage import inzage_report

    if (bsn is None) == (ref is None):
        raise InputError("noem de persoon met --bsn of met --persoon (één van beide)")
    path = _target(output)
    w = open_database(url)
    try:
        html = inzage_report(w, gemeente, bsn=bsn, ref=ref, case_id=case_id, actor=actor,
                             verzoek=verzoek, path=path)
    finally:
        w.close()
    _write(path, html)
    click.echo(str(path))
    click.echo(COPY_WARNING.format(path=path), err=True)


def html_option(command: F) -> F:
    """``--html DIR`` for the commands that run scenarios."""
    return click.option("--html", "html_dir", metavar="MAP", type=click.Path(file_okay=False),
                        help="Schrijf ook een rapport als pagina's in deze map (index.html "
                             "met een overzicht per wet, een pagina per scenario).")(command)


def write_html(results: Sequence[ScenarioResult], html_dir: str | None,
               root: Path | None = None) -> None:
    """Write the scenario run report when ``--html`` was given; say where (on stderr, so a
    ``--json`` run keeps stdout one JSON document)."""
    if not html_dir:
        return
    from wams.reports.runs import write_run_report

    with _file_errors():
        index = write_run_report(results, html_dir, root)
    click.echo(f"rapport: {index}", err=True)


def register_commands(cli: click.Group) -> None:
    cli.add_command(report_group)
