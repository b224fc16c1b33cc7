"""``wams actor wis``: erase an actor's name from the register of actors.

The history and the processing log name who acted only by a keyed pseudonym; the name is in
the register, sealed under a key of its own. Erasing it (an official who left, once the
municipality's accountability period is over) destroys that key: the log keeps the pseudonym
and shows that the name was erased, and once the retention run retires the key's period no
backup opens it either.
"""

from __future__ import annotations

import click

from wams.cli.common import MappedErrors, plural
from wams.cli.privacy import open_database

DB_ENV = "WAMS_DATABASE_URL"


@click.group("actor", cls=MappedErrors)
def actor_group() -> None:
    """Het register van wie handelde (de historie en het log noemen alleen een pseudoniem)."""


@actor_group.command("wis")
@click.option("--db", "url", metavar="URL", envvar=DB_ENV, required=True,
              help=f"De database (of ${DB_ENV}).")
@click.option("--gemeente", metavar="CODE", required=True, help="CBS-gemeentecode, bv. 0599.")
@click.option("--naam", required=True, help="De actor zoals die handelde (bv. de gebruikersnaam).")
@click.option("--door", "actor", required=True, help="Wie de naam wist (wordt gelogd).")
def actor_wis(url: str, gemeente: str, naam: str, actor: str) -> None:
    """Wis een actor uit het register: zijn naam is daarna nergens meer leesbaar (ook niet in
    back-ups, zodra de bewaartermijnrun de periode van zijn sleutel intrekt); de historie en
    het log houden het pseudoniem."""
    w = open_database(url)
    try:
        count = w.erase_actor(gemeente, naam, actor=actor)
    finally:
        w.close()
    if count:
        click.echo(f"{plural(count, 'vermelding', 'vermeldingen')} gewist uit het "
                   f"actorenregister van {gemeente}")
    else:
        click.echo(f"geen actor met die naam in het register van {gemeente}")
