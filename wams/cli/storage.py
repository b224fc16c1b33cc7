"""The storage commands: ``wams db upgrade|current|check``, ``wams audit verify|anchor``.

Kept apart from ``wams/cli/__init__.py`` (which adds these groups) so that module stays about
cases and scenarios. Import-light like it: SQLAlchemy and alembic load only when a command runs.

Exit codes: 0 fine, 1 the answer is "no" (models and migrations differ, the chain is broken),
2 the command could not run (bad URL, unreachable or wrong database): one line, no traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wams.cli.common import EXIT_NO, MappedErrors
from wams.core.errors import InputError
from wams.core.gemeente import is_gemeente

if TYPE_CHECKING:
    from wams.api_database import Database

F = TypeVar("F", bound=Callable[..., Any])


def _db_option(fn: F) -> F:
    return click.option(
        "--db", "url", metavar="URL",
        help="Database-URL (standaard $WAMS_DATABASE_URL, anders sqlite:///wams.db); "
             "bijvoorbeeld postgresql+psycopg://gebruiker@host/wams.")(fn)


def _database(url: str | None) -> Database:
    from wams.api_database import Database

    return Database(url)


def _existing(url: str | None) -> Database:
    """The database, refusing a SQLite file that does not exist (a typo would create it)."""
    database = _database(url)
    path = database.missing_file()
    if path is not None:
        raise InputError(f"{path}: databasebestand bestaat niet; controleer --db")
    return database


# -- wams db ----------------------------------------------------------------------------------


@click.group(cls=MappedErrors)
def db() -> None:
    """Het databaseschema: migreren naar de nieuwste versie en controleren."""


@db.command("upgrade")
@_db_option
def db_upgrade(url: str | None) -> None:
    """Migreer de database naar de nieuwste schemaversie (een lege database wordt aangemaakt)."""
    # Revisions 0006 and 0011 seal an older database's data under keys from the key store;
    # 0014 keeps who acted by pseudonym, the names sealed in the register of actors.
    revision = _database(url).upgrade()
    click.echo(f"schemaversie {revision} (nieuwste)")


@db.command("current")
@_db_option
def db_current(url: str | None) -> None:
    """Toon de schemaversie van de database en de nieuwste die deze wams kent."""
    revision, head = _existing(url).revision()
    if revision == head:
        click.echo(f"{revision} (nieuwste)")
    elif revision is None:
        click.echo(f"geen schemaversie (lege database); nieuwste is {head}: voer "
                   "'wams db upgrade' uit")
    else:
        click.echo(f"{revision}; nieuwste is {head}: voer 'wams db upgrade' uit")


@db.command("check")
@click.option("--db", "url", metavar="URL",
              help="Een lege database om de migraties in uit te voeren (standaard "
                   "$WAMS_DATABASE_URL, anders een tijdelijke SQLite-database in het geheugen).")
def db_check(url: str | None) -> None:
    """Controleer dat de modellen (tables.py) en de migraties hetzelfde schema opleveren."""
    # An in-memory default: checking the code must not leave a wams.db behind.
    database = _database(url or os.environ.get("WAMS_DATABASE_URL") or "sqlite://")
    differences = database.check()
    if not differences:
        click.echo(f"modellen en migraties komen overeen (schemaversie {database.head()})")
        return
    click.echo("modellen en migraties verschillen:")
    for line in differences:
        click.echo(f"  - {line}")
    click.echo("schrijf een migratie in wams/core/storage/migrations/versions/ die dit verschil "
               "dekt")
    click.get_current_context().exit(EXIT_NO)


# -- wams audit -------------------------------------------------------------------------------


@click.group(cls=MappedErrors)
def audit() -> None:
    """Controle van de casushistorie (sleutelketen per gemeente) en ankers buiten de database."""


def _gemeente(gemeente: str | None) -> None:
    if gemeente is not None and not is_gemeente(gemeente):
        raise InputError(f"--gemeente '{gemeente}': een gemeentecode is 4 cijfers, "
                           "bijvoorbeeld 0599")


def _progress() -> Callable[[int, int], None] | None:
    """A progress line on a terminal (stderr), nothing when piped or in CI logs."""
    err = sys.stderr
    if not err.isatty():
        return None

    def show(done: int, total: int) -> None:
        share = f" ({100 * done // total}%)" if total else ""
        err.write(f"\r{done}/{total} regels gecontroleerd{share}")
        if done >= total:
            err.write("\n")
        err.flush()

    return show


@audit.command("verify")
@_db_option
@click.option("--gemeente", metavar="CODE", help="Alleen deze gemeente (CBS-code, 4 cijfers).")
@click.option("--anchor", "anchor_files", metavar="BESTAND", multiple=True,
              type=click.Path(dir_okay=False),
              help="Een anker van 'wams audit anchor' (herhaalbaar): de keten moet elk "
                   "anker nog bevatten, anders is ze afgekapt of herschreven.")
def audit_verify(url: str | None, gemeente: str | None, anchor_files: tuple[str, ...]) -> None:
    """Herbereken elke sleutelketen en alles wat zij dekt (verwerkingslog, casussen,
    instellingen, bewijzen van vernietiging, betrokkenheden, meldingen, registerversies);
    meld per gemeente het eerste probleem (exit 1)."""
    _gemeente(gemeente)
    database = _existing(url)
    texts = []
    for path in anchor_files:
        try:
            with open(path, encoding="utf-8") as handle:
                texts.append((path, handle.read()))
        except OSError as exc:
            raise InputError(f"--anchor {path}: {exc.strerror}") from exc

    report = database.verify(gemeente, anchors=texts, progress=_progress())
    for brk in report.breaks:
        click.echo(brk.line())
    verdict = "keten intact" if report.intact else "keten verbroken"
    gemeenten = "gemeente" if report.gemeenten == 1 else "gemeenten"
    regels = "regel" if report.entries == 1 else "regels"
    against = ""
    if anchor_files:
        against = f", {len(anchor_files)} {'anker' if len(anchor_files) == 1 else 'ankers'}"
    click.echo(f"{report.gemeenten} {gemeenten}, {report.entries} {regels}{against}: {verdict}")
    if not report.intact:
        click.get_current_context().exit(EXIT_NO)


# -- keys -------------------------------------------------------------------------------------


@click.group("keys", cls=MappedErrors)
def keys_group() -> None:
    """De sleutels (buiten de database, in de sleutelopslag)."""


@keys_group.command("init")
@_db_option
@click.option("--gemeente", metavar="CODE", required=True,
              help="De gemeente (CBS-code, 4 cijfers).")
def keys_init(url: str | None, gemeente: str) -> None:
    """Maak de sleutels van een gemeente (sleutel-versleutelsleutel, pseudoniemsleutel,
    ketensleutel) waar zij er nog geen heeft. Sleutels die de database al noemt maar die in
    de sleutelopslag ontbreken worden nooit vervangen: dat is een fout (exit 2)."""
    from wams.cli.privacy import open_database

    _gemeente(gemeente)
    w = open_database(url, must_exist=False)
    try:
        made = w.init_keys(gemeente)
        store = w.key_store_name()
    finally:
        w.close()
    click.echo("".join(f"{gemeente} {purpose}: {key_id}\n" for purpose, key_id in made.items())
               + f"in {store}; maak nu een back-up van de sleutelopslag (apart van de "
               "database)")


@keys_group.command("rotate")
@_db_option
@click.option("--gemeente", metavar="CODE", help="Alleen deze gemeente (CBS-code, 4 cijfers).")
def keys_rotate(url: str | None, gemeente: str | None) -> None:
    """Nieuwe sleutel-versleutelsleutel per gemeente; alle gegevenssleutels opnieuw verpakt;
    meldt welke oude sleutel nog iets verpakt."""
    from wams.cli.privacy import open_database

    _gemeente(gemeente)
    w = open_database(url)
    try:
        done = w.rotate_keys(gemeente)
        left = w.old_keys_in_use(gemeente)
        store = w.key_store_name()
    finally:
        w.close()
    lines = [f"{g}: nieuwe sleutel in gebruik, {n} gegevenssleutels opnieuw verpakt"
             for g, n in done.items()]
    lines += [f"{g}: oude sleutel {k} verpakt nog {n} gegevenssleutel(s); draai 'wams keys "
              "rotate' opnieuw" for (g, k), n in sorted(left.items())]
    if not left:
        lines.append("geen gegevenssleutel gebruikt nog een oude sleutel; 'wams keys retire' "
                     "kan een oude sleutel intrekken zodra geen back-up hem meer nodig heeft")
    click.echo("\n".join(lines) + "\n"
               + f"{len(done)} gemeenten; de oude sleutels blijven in {store} (oude back-ups "
               "hebben ze nodig); maak nu een back-up van de sleutelopslag")


@keys_group.command("retire")
@_db_option
@click.option("--gemeente", metavar="CODE", required=True,
              help="De gemeente (CBS-code, 4 cijfers).")
@click.option("--sleutel", "key_id", metavar="ID", required=True,
              help="Het id van de oude sleutel-versleutelsleutel.")
def keys_retire(url: str | None, gemeente: str, key_id: str) -> None:
    """Trek een oude sleutel-versleutelsleutel in (uit de sleutelopslag gewist): geweigerd
    (exit 2) zolang er nog een gegevenssleutel onder verpakt is. Daarna is geen kopie van de
    database (back-up, WAL, oude rijen) die hem nodig had nog te lezen."""
    from wams.cli.privacy import open_database

    _gemeente(gemeente)
    w = open_database(url)
    try:
        w.retire_key(gemeente, key_id)
        store = w.key_store_name()
    finally:
        w.close()
    click.echo(f"{gemeente}: sleutel {key_id} ingetrokken uit {store}; maak nu een nieuwe "
               "back-up van de sleutelopslag en vernietig de oude")


@audit.command("anchor")
@_db_option
@click.option("--out", "out", metavar="BESTAND", type=click.Path(dir_okay=False),
              help="Schrijf het anker naar dit bestand (standaard: standaarduitvoer).")
@click.option("--hook", metavar="COMMANDO",
              help="Geef het anker (op standaardinvoer) aan dit shellcommando, bijvoorbeeld "
                   "een upload naar een write-once-bucket of een RFC 3161-tijdstempeldienst.")
def audit_anchor(url: str | None, out: str | None, hook: str | None) -> None:
    """Maak een ondertekend anker van de kop van elke keten (aantal regels, hash, tijd), om
    buiten de database te bewaren en later met 'wams audit verify --anchor' te controleren.
    De keten wordt eerst gecontroleerd: van een verbroken keten komt geen anker."""
    # An anchor certifies the chain as it stands: never sign one that does not verify.
    database = _existing(url)
    taken = database.take_anchor()
    if not isinstance(taken, dict):
        for brk in taken.breaks:
            click.echo(brk.line(), err=True)
        click.echo("keten verbroken: geen anker gemaakt; zoek eerst uit wat er is gebeurd "
                   "('wams audit verify')", err=True)
        click.get_current_context().exit(EXIT_NO)
    text = database.anchor_text(taken)
    if out is None:
        click.echo(text, nl=False)
    else:
        try:
            with open(out, "x", encoding="utf-8") as handle:
                handle.write(text)
        except FileExistsError as exc:
            # An anchor is evidence: never overwrite an earlier one.
            raise InputError(f"--out {out}: bestaat al; een anker wordt nooit overschreven"
                               ) from exc
        except OSError as exc:
            raise InputError(f"--out {out}: {exc.strerror}") from exc
    if hook is not None:
        database.publish_anchor(text, hook)
