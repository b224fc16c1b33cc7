"""``wams archive load``: a municipality's existing archive, loaded through the rules.

Thin over :mod:`wams.archive`: parse, load, print. Progress goes to stderr (a line every few
seconds: records done of the file, the rate, the time left); stdout gets the steps that differ
from what their record expects and one summary line. Exit codes: 0 loaded as expected, 1 some
steps differ (refused where the record expects them allowed), 2 the archive or the database
cannot be used (one line, no traceback; what was loaded before stays loaded).
"""

from __future__ import annotations

import gc
import sys
import time
from typing import TYPE_CHECKING

import click

from wams.cli.common import EXIT_NO, MappedErrors, plural
from wams.cli.privacy import DB_ENV, open_database

if TYPE_CHECKING:
    from wams.archive import Progress

#: seconds between two progress lines
EVERY = 5.0


@click.group("archive", cls=MappedErrors)
def archive_group() -> None:
    """Een bestaand archief van de gemeente overnemen, langs de regels van wams."""


@archive_group.command("load")
@click.argument("archief", type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "url", metavar="URL", envvar=DB_ENV, required=True,
              help=f"De database (of ${DB_ENV}); een nieuwe wordt aangemaakt.")
@click.option("--batch", type=click.IntRange(min=1), default=500, show_default=True,
              help="Zaken per transactie.")
@click.option("--stil", is_flag=True, help="Geen voortgang op stderr.")
def archive_load(archief: str, url: str, batch: int, stil: bool) -> None:
    """Laad ARCHIEF (JSON Lines: per regel één zaak, geschreven als scenario) in de database.

    Elke stap gaat door dezelfde regels, hetzelfde log en dezelfde keten als een stap die
    vandaag wordt gezet, op de datums van het archief. Per batch één transactie. Afgebroken
    (kill, storing)? Start dezelfde opdracht opnieuw: wat al geladen is wordt overgeslagen,
    niets wordt dubbel of half opgeslagen. Zie docs/scale.md.

    Exitcode 0: alles zoals het archief zegt; 1: geladen, maar stappen geweigerd waar het
    archief ze toegestaan verwacht (zie de uitvoer); 2: een zaak of de database is onbruikbaar
    (één regel: bestand, regel, stap, sleutel), de batches ervoor zijn geladen.
    """
    from wams.archive import load

    last = [time.monotonic()]

    def report(progress: Progress) -> None:
        for line in progress.differences:
            click.echo(line)
        progress.differences.clear()
        now = time.monotonic()
        if not stil and (now - last[0] >= EVERY or progress.read == progress.total):
            last[0] = now
            click.echo(progress_line(progress), file=sys.stderr)

    w = open_database(url, must_exist=False)
    # This process is the load: what it built to start (modules, the catalogue, the rules)
    # lives until it ends, so the collector need not walk it again at every full collection
    # (4 % of the load's CPU, measured with gc.callbacks; 1.4 % after the freeze).
    gc.freeze()
    try:
        progress = load(w, archief, batch=batch, on_progress=report)
    finally:
        w.close()
        gc.unfreeze()  # a caller that runs the command in its own process keeps its collector
    click.echo(summary(progress))
    if progress.differing:
        sys.exit(EXIT_NO)


def progress_line(p: Progress) -> str:
    share = p.read / p.total * 100 if p.total else 100.0
    line = f"{p.read} van {p.total} zaken ({share:.1f} %): {p.loaded} geladen"
    if p.skipped:
        line += f", {p.skipped} al in de database"
    if p.loaded and p.read < p.total:
        left = (p.total - p.read) / p.rate
        line += f"; {p.rate:.0f} per seconde, nog {left / 60:.0f} min"
    return line


def summary(p: Progress) -> str:
    line = (f"{plural(p.total, 'zaak', 'zaken')} in het archief: {p.loaded} geladen in "
            f"{p.seconds:.0f} s")
    if p.loaded:
        line += f" ({p.rate:.0f} per seconde)"
    if p.skipped:
        line += f", {p.skipped} overgeslagen (stonden al in de database)"
    if p.differing:
        line += f"; {plural(p.differing, 'stap wijkt', 'stappen wijken')} af (zie hierboven)"
    return line
